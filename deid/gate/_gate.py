"""The data gate: no new PHI finding, no table above its risk limits."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from deid.config import RISK_LIMITS, Config, RiskRule
from deid.gate._baseline import Baseline
from deid.gate._model import FileFinding, ScanReport

TABLE_KINDS = ("csv", "tsv", "parquet", "jsonl")


@dataclass
class RiskCheck:
    """The risk limits of one table.

    ``figures`` holds the measured value of each limited figure (``k``, ``records_at_risk``,
    ...); ``failures`` one line per limit exceeded (``"k = 2, below min-k = 5"``); ``error``
    a one-line message when the table could not be assessed.
    """

    path: str
    quasi_identifiers: tuple[str, ...]
    figures: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and not self.failures

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "quasi_identifiers": list(self.quasi_identifiers),
            "figures": {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in self.figures.items()},
            "failures": self.failures,
            "error": self.error,
            "passed": self.passed,
        }


@dataclass
class GateResult:
    """What the gate decided.

    Attributes
    ----------
    scan : ScanReport
        The PHI scan of every file.
    new_findings : list of FileFinding
        Findings at or above the threshold that the baseline does not accept.
    baselined : int
        Findings the baseline accepts.
    risk : list of RiskCheck
        One per table matching a ``[[tool.deid.risk]]`` rule.
    all_excluded : bool
        Every path given is a file excluded by a pattern (of the configuration or the
        command line) or the baseline file: nothing to check, and that is a pass (pre-commit
        gives the gate the files of a commit, which the configuration may exclude). A folder
        with nothing to scan, or any other scan of no file, is not (``nothing_scanned``).
    """

    scan: ScanReport
    new_findings: list[FileFinding]
    baselined: int = 0
    risk: list[RiskCheck] = field(default_factory=list)
    all_excluded: bool = False

    @property
    def nothing_scanned(self) -> bool:
        return self.scan.n_files == 0 and not self.all_excluded

    @property
    def input_errors(self) -> list[tuple[str, str]]:
        return list(self.scan.errors) + [(r.path, r.error) for r in self.risk if r.error is not None]

    @property
    def passed(self) -> bool:
        return (not self.new_findings and all(r.passed for r in self.risk)
                and not self.input_errors and not self.nothing_scanned)

    @property
    def exit_code(self) -> int:
        """0 pass, 1 gate failed, 2 an input could not be read or nothing was scanned."""
        if self.input_errors or self.nothing_scanned:
            return 2
        return 0 if self.passed else 1

    def to_dict(self) -> dict:
        return {
            "passed": self.passed,
            "exit_code": self.exit_code,
            "summary": {**self.scan.summary(), "new_findings": len(self.new_findings), "baselined": self.baselined},
            "new_findings": [f.to_dict() for f in self.new_findings],
            "risk": [r.to_dict() for r in self.risk],
            "errors": [{"path": p, "message": m} for p, m in self.input_errors],
        }


def apply_baseline(scan: ScanReport, baseline: Baseline | None, relative) -> tuple[list[FileFinding], int]:
    """Split the scan's findings into new ones and the number the baseline accepts.
    ``relative(path) -> str`` gives the baseline's name of a file."""
    new: list[FileFinding] = []
    accepted = 0
    for file in scan.files:
        name = relative(file.path)
        for finding in file.findings():
            if baseline is not None and baseline.accepts(name, finding.entity_type, finding.fingerprint):
                accepted += 1
            else:
                new.append(finding)
    return new, accepted


def check_risk(path: str, kind: str, rule: RiskRule, *, encoding: str = "utf-8", on_error=None) -> RiskCheck:
    """Assess a table against the limits of ``rule`` (reads only the columns it needs).
    ``on_error(path, exception)`` is called while an error is handled (as in ``Scanner``)."""
    from deid.io import read_table
    from deid.risk import assess_risk

    check = RiskCheck(path, rule.quasi_identifiers)
    columns = list(dict.fromkeys((*rule.quasi_identifiers, *rule.sensitive)))
    try:
        kwargs = {"encoding": encoding} if kind != "parquet" else {}
        df = read_table(path, columns=columns, **kwargs)
        df = numeric_sensitive(df, rule.sensitive)
        report = assess_risk(
            df, list(rule.quasi_identifiers), sensitive=list(rule.sensitive) or None,
            population_size=rule.population_size, sampling_fraction=rule.sampling_fraction,
            thresholds=risk_thresholds(rule.risk_threshold),
        )
    except ValueError as exc:
        if on_error is not None:
            on_error(path, exc)
        message = str(exc)
        for prefix in (path + ": ",):
            if message.startswith(prefix):
                message = message[len(prefix):]
        check.error = message
        return check
    figures = risk_figures(report, rule.risk_threshold)
    for name, bound in rule.limits.items():
        figure, sense = RISK_LIMITS[name]
        value = figures.get(figure, math.nan)
        check.figures[figure] = value
        label = figure if figure != "records_at_risk" else f"records_at_risk({rule.risk_threshold:g})"
        if value is None or (isinstance(value, float) and math.isnan(value)):
            check.failures.append(f"{label} could not be estimated (needed by {name} = {bound:g})")
        elif sense == "min" and value < bound:
            check.failures.append(f"{label} = {_fmt(value)}, below {name} = {bound:g}")
        elif sense == "max" and value > bound:
            check.failures.append(f"{label} = {_fmt(value)}, above {name} = {bound:g}")
    return check


#: The thresholds of "records at risk" every report of the gate and of ``deid risk`` shows.
REPORT_THRESHOLDS = (0.05, 0.09, 0.2, 0.33, 0.5)


def risk_thresholds(risk_threshold: float) -> tuple[float, ...]:
    """The report's thresholds plus the one a ``max-records-at-risk`` limit is checked at.

    >>> risk_thresholds(0.25)
    (0.05, 0.09, 0.2, 0.25, 0.33, 0.5)
    """
    return tuple(sorted({*REPORT_THRESHOLDS, float(risk_threshold)}))


def risk_figures(report, risk_threshold: float = 0.2) -> dict[str, float]:
    """The figures risk limits refer to, from a :class:`deid.risk.RiskReport`."""
    pop = report.population_uniqueness
    sens = list(report.sensitive.values())
    return {
        "k": report.k,
        "records_at_risk": report.prosecutor.records_at_risk.get(risk_threshold, math.nan),
        "highest_risk": report.prosecutor.highest,
        "average_risk": report.prosecutor.average,
        "sample_uniqueness": report.sample_uniqueness,
        "population_uniqueness": math.nan if pop is None or not pop.dankar.converged else pop.dankar.fraction,
        "distinct_l": min((s.distinct_l for s in sens), default=math.nan),
        "entropy_l": min((s.entropy_l for s in sens), default=math.nan),
        "t_closeness": max((s.t_closeness for s in sens), default=math.nan),
    }


def numeric_sensitive(df, sensitive):
    """Text columns of numbers (CSV reads every field as text) become numbers, so that
    t-closeness uses the ordered distance for them, as it would for a Parquet column."""
    import pandas as pd

    for name in sensitive:
        col = df[name]
        if pd.api.types.is_string_dtype(col.dtype):
            converted = pd.to_numeric(col, errors="coerce")
            if converted.notna().sum() == col.notna().sum():
                df = df.assign(**{name: converted})
    return df


def _fmt(value) -> str:
    if isinstance(value, (int,)) or (isinstance(value, float) and value.is_integer() and abs(value) >= 1):
        return f"{int(value)}"
    return f"{value:.4g}"


def relative_to(config: Config):
    """The baseline's name of a file (relative to the configuration's folder, POSIX)."""
    return config.relative


class Gate:
    """Check files against the PHI baseline and the risk limits of a configuration.

    Parameters
    ----------
    config : deid.config.Config, optional
        Excludes, risk rules and the folder baseline paths are relative to (default: the
        configuration found from the current folder).
    scanner : deid.gate.Scanner, optional
        The scanner (its key must be the baseline's key when a baseline is given).
    baseline : Baseline, optional
        Accepted findings; None accepts none.

    >>> import tempfile, pathlib
    >>> from deid.config import Config
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "note.txt").write_text("Call 617-555-0142.\\n")
    >>> result = Gate(Config(root=folder)).check([folder / "note.txt"])
    >>> result.exit_code, [f.entity_type for f in result.new_findings]
    (1, ['PHONE'])
    """

    def __init__(self, config: Config | None = None, *, scanner=None, baseline: Baseline | None = None):
        self.config = config
        self.scanner = scanner
        self.baseline = baseline

    def check(self, paths, *, exclude=(), encoding: str = "utf-8", never=(), on_start=None,
              on_file=None) -> GateResult:
        """Scan ``paths`` and decide. ``exclude``: more patterns; ``never``: more files never
        scanned (the configuration's baseline file never is)."""
        from deid.config import load_config
        from deid.gate._scan import Scanner

        config = self.config if self.config is not None else load_config()
        scanner = self.scanner if self.scanner is not None else Scanner(
            entities=config.entities, threshold=config.threshold, nlp=config.nlp,
            text_fields=config.text_fields, columns=config.columns, jobs=config.jobs or 1,
        )
        extra = tuple(exclude)
        scan = scanner.scan(paths, is_excluded=lambda p: config.is_excluded(p, extra),
                            never=[config.baseline_path, *never], on_start=on_start, on_file=on_file)
        all_excluded = scan.only_excluded_files
        new, accepted = apply_baseline(scan, self.baseline, config.relative)
        risk = []
        for file in scan.scanned:
            if file.kind in TABLE_KINDS:
                rule = config.risk_rule(file.path)
                if rule is not None:
                    risk.append(check_risk(file.path, file.kind, rule, encoding=encoding,
                                           on_error=getattr(scanner, "on_error", None)))
        return GateResult(scan, new, accepted, risk, all_excluded)

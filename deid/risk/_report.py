"""Equivalence classes, the risk report, and :func:`assess_risk`.

The report is computed from an :class:`EquivalenceClasses` object only (class sizes, the
optional population class sizes, the optional per-class sensitive histograms), never from
raw rows, so counts merged elsewhere (a Dask groupby, a lattice node) go through the same
code: ``RiskReport.from_classes(classes, population_size=...)``. :func:`assess_risk` builds
the classes from a DataFrame and adds what needs the rows: ``record_risk`` and
``quasi_identifier_analysis``.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from deid.risk import _diversity as div
from deid.risk._encode import encode_column, encode_columns
from deid.risk._kernels import (
    class_value_pairs,
    group_codes,
    group_columns,
    group_columns_with_risk,
    map_classes,
    size_histogram,
    weighted_class_counts,
)
from deid.risk._population import UniquenessEstimate, population_uniqueness

DEFAULT_THRESHOLDS = (0.05, 0.09, 0.2, 0.33, 0.5)


# ----------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class SensitiveHistogram:
    """Per-class frequencies of one sensitive attribute (CSR layout) and its global distribution.

    Attributes
    ----------
    offsets : numpy.ndarray
        ``n_classes + 1`` offsets: class ``c`` owns entries ``offsets[c]:offsets[c+1]``.
    values : numpy.ndarray
        Sensitive value codes, grouped by class.
    counts : numpy.ndarray
        How many records of the class have that value.
    global_counts : numpy.ndarray
        Records per value code over the whole table (zero for unused codes).
    order : numpy.ndarray or None
        Rank of each code in the value order (ordered distance), or ``None`` for an
        unordered attribute (equal distance).
    """

    offsets: np.ndarray
    values: np.ndarray
    counts: np.ndarray
    global_counts: np.ndarray
    order: np.ndarray | None = None


@dataclass
class EquivalenceClasses:
    """The equivalence classes of a table, as counts: everything the metrics need.

    Attributes
    ----------
    class_sizes : numpy.ndarray
        Records per class (f_j), int64.
    class_ids : numpy.ndarray or None
        Class of every record, when built from rows.
    population_sizes : numpy.ndarray or None
        Records of each class in the population (F_j), aligned with ``class_sizes``.
    sensitive : dict of str to SensitiveHistogram
        Per-class histograms of the sensitive attributes.
    quasi_identifiers : tuple of str
        Names of the columns that define the classes (for the report only).

    >>> classes = EquivalenceClasses(class_sizes=np.array([1, 2, 3]))
    >>> classes.n_records, classes.n_classes
    (6, 3)
    """

    class_sizes: np.ndarray
    class_ids: np.ndarray | None = None
    population_sizes: np.ndarray | None = None
    sensitive: dict[str, SensitiveHistogram] = field(default_factory=dict)
    quasi_identifiers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.class_sizes = np.asarray(self.class_sizes, dtype=np.int64)
        if self.class_sizes.ndim != 1 or len(self.class_sizes) == 0:
            raise ValueError("class_sizes must be a non-empty one-dimensional array of class sizes")
        if self.class_sizes.min() <= 0:  # a reduction, no temporary array
            raise ValueError("class_sizes must all be positive (an empty class is not a class)")
        if self.population_sizes is not None:
            self.population_sizes = np.asarray(self.population_sizes, dtype=np.int64)
            if self.population_sizes.shape != self.class_sizes.shape:
                raise ValueError("population_sizes must have one entry per class")
            if (self.population_sizes < self.class_sizes).any():
                raise ValueError(
                    "population_table has fewer records than the sample in some equivalence class: "
                    "the population must contain every sample record"
                )

    @property
    def n_records(self) -> int:
        return int(self.class_sizes.sum())

    @property
    def n_classes(self) -> int:
        return int(self.class_sizes.shape[0])

    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        quasi_identifiers: Sequence[str],
        *,
        sensitive: Sequence[str] = (),
        population_table: pd.DataFrame | pd.Series | None = None,
    ) -> "EquivalenceClasses":
        """Group the rows of ``df`` by its quasi-identifiers (columns already validated)."""
        classes, _ = cls._from_frame(df, quasi_identifiers, sensitive, population_table, want_risk=False)
        return classes

    @classmethod
    def _from_frame(
        cls,
        df: pd.DataFrame,
        quasi_identifiers: Sequence[str],
        sensitive: Sequence[str],
        population_table: pd.DataFrame | pd.Series | None,
        *,
        want_risk: bool,
    ) -> tuple["EquivalenceClasses", np.ndarray | None]:
        """The classes and, with ``want_risk``, 1/f of every row (computed by the grouping).

        The class of every row is kept only when something needs it (``from_frame``'s
        callers, sensitive histograms, population counts): a plain report needs only the
        sizes and 1/f.
        """
        # one column's codes at a time: each is folded into the class key, then dropped
        columns = ((e.codes, e.cardinality) for e in (encode_column(df[c]) for c in quasi_identifiers))
        need_ids = not want_risk or bool(sensitive) or population_table is not None
        if want_risk:
            class_ids, class_sizes, record_risk = group_columns_with_risk(columns, want_ids=need_ids)
        else:
            (class_ids, class_sizes), record_risk = group_columns(columns), None
        n_classes = int(class_sizes.shape[0])
        histograms = {}
        for name in sensitive:
            enc = encode_column(df[name], want_order=True)
            offsets, values, counts = class_value_pairs(class_ids, n_classes, enc.codes, enc.cardinality)
            global_counts = np.bincount(enc.codes.astype(np.int64, copy=False), minlength=enc.cardinality)
            histograms[name] = SensitiveHistogram(
                offsets, values, counts, global_counts.astype(np.int64), enc.order if enc.ordered else None
            )
        population_sizes = None
        if population_table is not None:
            population_sizes = _population_class_sizes(df, quasi_identifiers, population_table, class_ids, n_classes)
        classes = cls(class_sizes, class_ids, population_sizes, histograms, tuple(quasi_identifiers))
        return classes, record_risk


def _population_class_sizes(
    df: pd.DataFrame,
    quasi_identifiers: Sequence[str],
    population_table: pd.DataFrame | pd.Series,
    class_ids: np.ndarray,
    n_classes: int,
) -> np.ndarray:
    """F_j for every sample class j, from a population table (rows or counts)."""
    if isinstance(population_table, pd.Series):
        index = population_table.index
        names = list(index.names)
        if sorted(map(str, names)) != sorted(map(str, quasi_identifiers)):
            raise ValueError(
                "population_table as a Series must be indexed by exactly the quasi-identifiers "
                f"{list(quasi_identifiers)} (got index levels {names})"
            )
        frame = index.to_frame(index=False)
        weights = population_table.to_numpy()
        if not np.issubdtype(weights.dtype, np.number) or pd.isna(weights).any() or (weights < 0).any():
            raise ValueError("population_table counts must be non-negative numbers")
        weights = weights.astype(np.int64)
    elif isinstance(population_table, pd.DataFrame):
        missing = [c for c in quasi_identifiers if c not in population_table.columns]
        if missing:
            raise ValueError(f"population_table lacks the quasi-identifier column(s) {missing}")
        frame = population_table
        weights = np.ones(len(population_table), dtype=np.int64)
    else:
        raise ValueError("population_table must be a DataFrame of population records or a Series of counts")
    n = len(df)
    # encode sample and population together so equal values get equal codes
    codes, cards = [], []
    for c in quasi_identifiers:
        left = df[c].reset_index(drop=True)
        right = frame[c].reset_index(drop=True)
        if left.dtype != right.dtype:
            left, right = left.astype(object), right.astype(object)
        enc = encode_column(pd.concat([left, right], ignore_index=True))
        codes.append(enc.codes)
        cards.append(enc.cardinality)
    joint_ids, _ = group_codes(codes, cards)
    n_joint = int(joint_ids.max()) + 1
    population_counts = weighted_class_counts(joint_ids[n:], weights, n_joint)
    joint_of_class = map_classes(class_ids, joint_ids[:n], n_classes)
    return population_counts[joint_of_class]


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ProsecutorRisk:
    """Prosecutor model (the attacker knows the person is in the data); ARX's sample risks.

    Attributes
    ----------
    highest : float
        1 / smallest class size.
    lowest : float
        1 / largest class size.
    average : float
        Classes / records (u/n): the share of records re-identified on average.
    records_at_risk : dict of float to float
        For each threshold t, the share of records whose risk 1/f is strictly above t.
    records_affected_by_highest : float
        Share of records in classes of the smallest size.
    """

    highest: float
    lowest: float
    average: float
    records_at_risk: dict[float, float]
    records_affected_by_highest: float


@dataclass(frozen=True)
class JournalistRisk:
    """Journalist model (the attacker links to a population register); ARX's ``JournalistRisk``.

    Attributes
    ----------
    highest : float
        1 / smallest population class size of any sample class.
    average : float
        max(classes / population records of those classes, mean over records of f_j/F_j).
    records_at_risk : dict of float to float
        Share of sample records whose population risk 1/F_j is strictly above t.
    source : str
        Where the population class sizes F_j came from: ``"population_table"`` (counted);
        ``"estimated"`` (no table, but N known from ``population_size`` or
        ``sampling_fraction``: F_j estimated from the sample, see docs/risk.md); or
        ``"sample"`` (neither: the sample stands for the population, F_j = f_j, as ARX does,
        an upper bound).
    """

    highest: float
    average: float
    records_at_risk: dict[float, float]
    source: str


@dataclass(frozen=True)
class MarketerRisk:
    """Marketer model: the share of records re-identified when linking every record.

    ``average`` is mean over records of f_j / F_j (u/n when ``source == "sample"``);
    ``source`` as for :class:`JournalistRisk`.
    """

    average: float
    source: str


@dataclass(frozen=True)
class PopulationUniqueness:
    """Population uniqueness estimates (ARX's ``RiskModelPopulationUniqueness``).

    Attributes
    ----------
    population_size : float
        N (given, or n / sampling_fraction, or the population table's total).
    sampling_fraction : float
        n / N.
    pitman, zayatz, snb, dankar : UniquenessEstimate
        ``fraction`` is the estimated share of the *population* that is unique (ARX's
        ``getFractionOfUniqueTuples``); ``converged`` says whether the model gave one.
    """

    population_size: float
    sampling_fraction: float
    pitman: UniquenessEstimate
    zayatz: UniquenessEstimate
    snb: UniquenessEstimate
    dankar: UniquenessEstimate


@dataclass(frozen=True)
class SensitiveRisk:
    """Attribute disclosure for one sensitive attribute (ARX's l-diversity / t-closeness).

    Attributes
    ----------
    distinct_l : int
        Fewest distinct values in any class.
    entropy_l : float
        Largest l for which entropy l-diversity holds: exp(smallest class entropy).
    recursive_c : float
        The c used for recursive (c, l)-diversity.
    recursive_l : int
        Largest l for which recursive (c, l)-diversity holds (0 if none).
    t_closeness : float
        Smallest t the table satisfies: the largest distance of a class to the table.
    t_distance : str
        ``"equal"`` (categorical) or ``"ordered"`` (numbers, dates, ordered categoricals).
    """

    distinct_l: int
    entropy_l: float
    recursive_c: float
    recursive_l: int
    t_closeness: float
    t_distance: str


def _records_at_risk(sizes_f: np.ndarray, risk_sizes: np.ndarray, n: float, thresholds: Iterable[float]) -> dict:
    return {float(t): float(sizes_f[1.0 / risk_sizes > t].sum() / n) for t in thresholds}


@dataclass(frozen=True)
class RiskReport:
    """Re-identification risk of a table, with ARX's definitions (see docs/risk.md).

    Build it with :func:`assess_risk` (from a DataFrame) or :meth:`from_classes` (from class
    counts). All figures are plain Python numbers; ``record_risk`` is a numpy array.

    Attributes
    ----------
    quasi_identifiers : tuple of str
    n_records, n_classes : int
    k : int
        Smallest class size.
    class_size_histogram : dict of int to int
        Class size -> number of classes of that size.
    prosecutor : ProsecutorRisk
    journalist : JournalistRisk
    marketer : MarketerRisk
    sample_uniqueness : float
        Share of records that are alone in their class.
    population_uniqueness : PopulationUniqueness or None
        ``None`` when no population size is known (see ``notes``).
    sensitive : dict of str to SensitiveRisk
    record_risk : numpy.ndarray or None
        1/f of every record, aligned with the input rows (``None`` from counts alone).
    thresholds : tuple of float
    notes : tuple of str
        Why a figure is absent or how it was obtained.

    >>> import pandas as pd
    >>> report = assess_risk(pd.DataFrame({"zip": ["1", "1", "2"]}), ["zip"])
    >>> report.k, report.prosecutor.highest, report.record_risk.tolist()
    (1, 1.0, [0.5, 0.5, 1.0])
    """

    quasi_identifiers: tuple[str, ...]
    n_records: int
    n_classes: int
    k: int
    class_size_histogram: dict[int, int]
    prosecutor: ProsecutorRisk
    journalist: JournalistRisk
    marketer: MarketerRisk
    sample_uniqueness: float
    population_uniqueness: PopulationUniqueness | None
    sensitive: dict[str, SensitiveRisk]
    record_risk: np.ndarray | None
    thresholds: tuple[float, ...]
    notes: tuple[str, ...] = ()
    _rows: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_classes(
        cls,
        classes: EquivalenceClasses,
        *,
        population_size: float | None = None,
        sampling_fraction: float | None = None,
        thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
        recursive_c: float = 2.0,
    ) -> "RiskReport":
        """Compute every metric from class counts alone.

        >>> report = RiskReport.from_classes(EquivalenceClasses(np.array([1, 1, 2])), sampling_fraction=0.5)
        >>> report.k, report.sample_uniqueness, report.population_uniqueness.population_size
        (1, 0.5, 8.0)
        """
        thresholds = _check_thresholds(thresholds)
        _check_positive("recursive_c", recursive_c)
        f = classes.class_sizes
        n = classes.n_records
        u = classes.n_classes
        notes: list[str] = []
        hist_sizes, hist_counts = size_histogram(f)
        histogram = {int(s): int(c) for s, c in zip(hist_sizes, hist_counts)}
        nf = float(n)

        smallest, largest = int(hist_sizes[0]), int(hist_sizes[-1])
        prosecutor = ProsecutorRisk(
            highest=1.0 / smallest,
            lowest=1.0 / largest,
            average=u / nf,
            records_at_risk=_records_at_risk(hist_sizes * hist_counts, hist_sizes.astype(np.float64), nf, thresholds),
            records_affected_by_highest=float(hist_sizes[0] * hist_counts[0]) / nf,
        )
        c1 = histogram.get(1, 0)
        sample_uniqueness = c1 / nf

        big_n = _population_size(n, population_size, sampling_fraction, classes.population_sizes)
        if big_n is None:
            pop = None
            notes.append("population uniqueness not estimated: give population_size, sampling_fraction or a population_table")
        else:
            est = population_uniqueness(hist_sizes, hist_counts, n, big_n)
            pop = PopulationUniqueness(big_n, n / big_n, est["pitman"], est["zayatz"], est["snb"], est["dankar"])
            for e in est.values():
                if not e.converged and e.note:
                    notes.append(f"{e.model}: {e.note}")

        if classes.population_sizes is not None:
            big_f = classes.population_sizes.astype(np.float64)
            journalist = JournalistRisk(
                highest=1.0 / big_f.min(),
                average=max(u / big_f.sum(), float(np.sum(f / big_f)) / nf),
                records_at_risk=_records_at_risk(f, big_f, nf, thresholds),
                source="population_table",
            )
            marketer = MarketerRisk(float(np.sum(f / big_f)) / nf, "population_table")
        elif pop is not None:
            journalist, marketer, note = _estimated_population_risk(hist_sizes, hist_counts, n, pop, thresholds)
            notes.append(note)
        else:
            journalist = JournalistRisk(prosecutor.highest, prosecutor.average, prosecutor.records_at_risk, "sample")
            marketer = MarketerRisk(u / nf, "sample")
            notes.append(
                "journalist and marketer risk use the sample as its own population (no population_table, "
                "population_size or sampling_fraction), as ARX does: upper bounds"
            )

        sensitive = {}
        for name, h in classes.sensitive.items():
            sensitive[name] = _sensitive_risk(h, recursive_c)

        return cls(
            quasi_identifiers=tuple(classes.quasi_identifiers),
            n_records=n,
            n_classes=u,
            k=smallest,
            class_size_histogram=histogram,
            prosecutor=prosecutor,
            journalist=journalist,
            marketer=marketer,
            sample_uniqueness=sample_uniqueness,
            population_uniqueness=pop,
            sensitive=sensitive,
            record_risk=None,
            thresholds=tuple(thresholds),
            notes=tuple(notes),
        )

    # ------------------------------------------------------------------ analyses

    def quasi_identifier_analysis(self, max_size: int = 3) -> pd.DataFrame:
        """Distinction, separation and uniqueness of every subset of the quasi-identifiers.

        For each subset of at most ``max_size`` columns (ARX's ``RiskModelAttributes``):
        ``distinction`` = classes / records, ``separation`` = share of record pairs that
        differ on the subset, ``uniqueness`` = share of records alone in their class. Rows
        are sorted as ARX sorts them: by subset size, then distinction, then separation.

        >>> df = pd.DataFrame({"age": [20, 30, 40, 20, 40], "sex": list("FFFMM")})
        >>> assess_risk(df, ["age", "sex"]).quasi_identifier_analysis()[["distinction", "separation"]].values.tolist()
        [[0.4, 0.6], [0.6, 0.8], [1.0, 1.0]]
        """
        if self._rows is None:
            raise ValueError("quasi_identifier_analysis needs the rows: build the report with assess_risk")
        if not isinstance(max_size, (int, np.integer)) or max_size < 1:
            raise ValueError("max_size must be a positive integer")
        qis = list(self.quasi_identifiers)
        encoded = dict(zip(qis, encode_columns(self._rows, qis)))
        rows = []
        for size in range(1, min(max_size, len(qis)) + 1):
            for subset in itertools.combinations(qis, size):  # keeps column order, as ARX
                _, sizes = group_codes([encoded[c].codes for c in subset], [encoded[c].cardinality for c in subset])
                hs, hc = size_histogram(sizes)
                n = float(self.n_records)
                rows.append(
                    {
                        "quasi_identifiers": subset,
                        "size": size,
                        "n_classes": int(sizes.shape[0]),
                        "distinction": sizes.shape[0] / n,
                        "separation": _alpha_separation(hs, hc, n),
                        "uniqueness": float(hc[0] if hs[0] == 1 else 0) / n,
                    }
                )
        table = pd.DataFrame(rows)
        table["_name"] = table["quasi_identifiers"].map(lambda s: "[" + ", ".join(s) + "]")
        table = table.sort_values(["size", "distinction", "separation", "_name"], kind="stable")
        return table.drop(columns="_name").reset_index(drop=True)

    # ------------------------------------------------------------------ export

    def to_dict(self) -> dict:
        """Every figure as plain JSON-able Python values (``record_risk`` is summarised).

        No cell values appear: only column names and numbers.
        """
        pop = None
        if self.population_uniqueness is not None:
            p = self.population_uniqueness
            pop = {
                "population_size": p.population_size,
                "sampling_fraction": p.sampling_fraction,
                **{e.model: e.to_dict() for e in (p.pitman, p.zayatz, p.snb, p.dankar)},
            }
        out = {
            "quasi_identifiers": list(self.quasi_identifiers),
            "n_records": self.n_records,
            "n_classes": self.n_classes,
            "k": self.k,
            "class_size_histogram": {str(s): c for s, c in self.class_size_histogram.items()},
            "thresholds": list(self.thresholds),
            "prosecutor": {
                "highest": self.prosecutor.highest,
                "lowest": self.prosecutor.lowest,
                "average": self.prosecutor.average,
                "records_at_risk": {str(t): v for t, v in self.prosecutor.records_at_risk.items()},
                "records_affected_by_highest": self.prosecutor.records_affected_by_highest,
            },
            "journalist": {
                "highest": self.journalist.highest,
                "average": self.journalist.average,
                "records_at_risk": {str(t): v for t, v in self.journalist.records_at_risk.items()},
                "source": self.journalist.source,
            },
            "marketer": {"average": self.marketer.average, "source": self.marketer.source},
            "sample_uniqueness": self.sample_uniqueness,
            "population_uniqueness": pop,
            "sensitive": {
                name: {
                    "distinct_l": s.distinct_l,
                    "entropy_l": s.entropy_l,
                    "recursive_c": s.recursive_c,
                    "recursive_l": s.recursive_l,
                    "t_closeness": s.t_closeness,
                    "t_distance": s.t_distance,
                }
                for name, s in self.sensitive.items()
            },
            "record_risk": None
            if self.record_risk is None
            else {"max": float(self.record_risk.max()), "mean": float(self.record_risk.mean())},
            "notes": list(self.notes),
        }
        return out

    def to_json(self, **kwargs) -> str:
        """``to_dict()`` as JSON (keyword arguments go to ``json.dumps``)."""
        kwargs.setdefault("indent", 2)
        return json.dumps(self.to_dict(), allow_nan=False, **kwargs)


def _estimated_population_risk(sizes: np.ndarray, counts: np.ndarray, n: int, pop: "PopulationUniqueness",
                               thresholds: Sequence[float]) -> tuple[JournalistRisk, MarketerRisk, str]:
    """Journalist and marketer risk from estimated population class sizes (no population table).

    With sampling fraction π = n/N (every person equally likely to be sampled):

    * a class seen f ≥ 2 times is estimated to hold F = f/π people (the expected-size,
      Horvitz-Thompson estimate), risk 1/F = π/f;
    * of the c₁ sample uniques, ρ·c₁ = min(c₁, π·U) are estimated to be population uniques
      (F = 1, risk 1), U being the population uniques of Dankar's rule (each population unique
      is sampled with probability π, and is then a sample unique); the others belong to
      population classes of at least 2, estimated at F = max(2, 1/π).

    Records at risk count the sample uniques as that mixture; ``highest`` is 1 when at least
    one population unique is expected in the sample (π·U ≥ 0.5). The expected marketer risk of
    a sample is K/N (K population classes); this estimator's is (u + (1−π)·U)·π/n, i.e. it
    counts the classes seen plus the unseen population uniques (see docs/risk.md).
    """
    pi = float(pop.sampling_fraction)
    nf = float(n)
    sizes_f = sizes.astype(np.float64)
    counts_f = counts.astype(np.float64)
    is_unique = sizes == 1
    c1 = float(counts_f[is_unique].sum())
    dankar = pop.dankar
    if c1 == 0:
        rho, uniques_note = 0.0, "no sample uniques"
    elif dankar.converged:
        expected = pi * float(dankar.n_uniques)
        rho = min(1.0, expected / c1)
        uniques_note = (f"{min(expected, c1):.6g} of the {int(c1)} sample uniques are population uniques "
                        f"({dankar.used_model})")
    else:
        rho = 1.0
        uniques_note = "no population-uniqueness estimate, so every sample unique counts as a population unique"
    rest_size = max(2.0, 1.0 / pi)  # a sample unique that is not a population unique
    multiple = ~is_unique
    risk_multiple = pi / sizes_f[multiple]
    records_multiple = sizes_f[multiple] * counts_f[multiple]
    marketer_sum = float(np.sum(counts_f[multiple])) * pi + c1 * (rho + (1.0 - rho) / rest_size)
    population_records = float(np.sum(records_multiple)) / pi + c1 * (rho + (1.0 - rho) * rest_size)
    marketer = marketer_sum / nf
    at_risk = {}
    for t in thresholds:
        share = float(records_multiple[risk_multiple > t].sum())
        share += c1 * (rho * (1.0 > t) + (1.0 - rho) * (1.0 / rest_size > t))
        at_risk[float(t)] = share / nf
    candidates = list(risk_multiple)
    if c1 > 0:
        candidates.append(1.0 if rho * c1 >= 0.5 else 1.0 / rest_size)
    journalist = JournalistRisk(
        highest=float(max(candidates)),
        average=max(float(counts_f.sum()) / population_records, marketer),
        records_at_risk=at_risk,
        source="estimated",
    )
    note = (f"journalist and marketer risk estimated without a population table from sampling fraction {pi:.6g}: "
            f"classes seen f >= 2 times hold f/{pi:.6g} people; {uniques_note}")
    return journalist, MarketerRisk(marketer, "estimated"), note


def _alpha_separation(sizes: np.ndarray, counts: np.ndarray, n: float) -> float:
    """ARX's alpha separation, accumulated over the histogram exactly as ARX does."""
    total_pairs = ((n - 1.0) * (n - 1.0 + 1.0)) / 2.0
    separated = 0.0
    left = n
    for size, mult in zip(sizes.tolist(), counts.tolist()):
        s, m = float(size), float(mult)
        left -= s * m
        current = m * s * left
        current += ((m - 1.0) * m * (s * s)) / 2.0
        separated += current
    value = separated / total_pairs if total_pairs else math.nan
    return 0.0 if math.isnan(value) else value  # ARX reports 0 for a single record


def _sensitive_risk(h: SensitiveHistogram, recursive_c: float) -> SensitiveRisk:
    n = float(h.global_counts.sum())
    share = h.global_counts.astype(np.float64) / n
    if h.order is not None:
        present = np.flatnonzero(h.global_counts > 0)
        ranked = present[np.argsort(h.order[present], kind="stable")]
        position = np.full(len(h.global_counts), -1, dtype=np.int64)
        position[ranked] = np.arange(len(ranked), dtype=np.int64)
        t = div.ordered_distance_t(h.offsets, h.values, h.counts, position, share[ranked])
        kind = "ordered"
    else:
        t = div.equal_distance_t(h.offsets, h.values, h.counts, share)
        kind = "equal"
    return SensitiveRisk(
        distinct_l=int(div.distinct_l(h.offsets)),
        entropy_l=float(div.entropy_l(h.offsets, h.counts)),
        recursive_c=float(recursive_c),
        recursive_l=int(div.recursive_cl(h.offsets, h.counts, float(recursive_c))),
        t_closeness=float(t),
        t_distance=kind,
    )


# ----------------------------------------------------------------------------- validation


def _check_thresholds(thresholds: Sequence[float]) -> list[float]:
    try:
        values = [float(t) for t in thresholds]
    except (TypeError, ValueError):
        raise ValueError("thresholds must be a sequence of numbers in (0, 1]") from None
    for t in values:
        if not (0.0 < t <= 1.0):
            raise ValueError(f"every threshold must lie in (0, 1]; got {t}")
    return values


def _check_positive(name: str, value: float) -> None:
    if not isinstance(value, (int, float, np.integer, np.floating)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number")


def _population_size(
    n: int,
    population_size: float | None,
    sampling_fraction: float | None,
    population_sizes: np.ndarray | None,
) -> float | None:
    if population_size is not None and sampling_fraction is not None:
        raise ValueError("give population_size or sampling_fraction, not both")
    if sampling_fraction is not None:
        if not isinstance(sampling_fraction, (int, float, np.integer, np.floating)) or not (
            0.0 < float(sampling_fraction) <= 1.0
        ):
            raise ValueError(f"sampling_fraction must lie in (0, 1]; got {sampling_fraction!r}")
        return n / float(sampling_fraction)
    if population_size is not None:
        _check_positive("population_size", population_size)
        if float(population_size) < n:
            raise ValueError(
                f"population_size ({population_size}) is smaller than the sample ({n} records): "
                "the population must contain the sample"
            )
        return float(population_size)
    if population_sizes is not None:
        return None  # the caller passes the table's total explicitly
    return None


def assess_risk(
    df: pd.DataFrame,
    quasi_identifiers: Sequence[str],
    *,
    sensitive: str | Sequence[str] | None = None,
    population_size: float | None = None,
    sampling_fraction: float | None = None,
    population_table: pd.DataFrame | pd.Series | None = None,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    recursive_c: float = 2.0,
) -> RiskReport:
    """Measure how re-identifiable the records of ``df`` are (ARX's definitions).

    Parameters
    ----------
    df : pandas.DataFrame
        The table; string, categorical, integer, float, boolean and datetime columns all work.
        Missing values are one more category.
    quasi_identifiers : sequence of str
        Columns an attacker may know.
    sensitive : str or sequence of str, optional
        Attributes to measure l-diversity and t-closeness for.
    population_size : float, optional
        N, the number of people the table was sampled from (needed for population
        uniqueness). Must be at least ``len(df)``.
    sampling_fraction : float, optional
        n / N in (0, 1], instead of ``population_size``.
    population_table : DataFrame or Series, optional
        The population: a DataFrame of population records with the quasi-identifier
        columns, or a Series of counts indexed by the quasi-identifiers (what
        ``population.value_counts(qis)`` returns). Every sample record must be in it.
        Gives journalist and marketer risk, and N when neither of the above is given.
    thresholds : sequence of float
        Risk thresholds for "records at risk" (strictly above, as ARX).
    recursive_c : float
        The c of recursive (c, l)-diversity.

    Returns
    -------
    RiskReport

    >>> import pandas as pd
    >>> df = pd.DataFrame({"age": [30, 30, 41, 41, 41], "sex": list("FFMMM"), "dx": list("abacc")})
    >>> r = assess_risk(df, ["age", "sex"], sensitive="dx", sampling_fraction=0.1)
    >>> r.k, r.n_classes, r.sensitive["dx"].distinct_l
    (2, 2, 2)
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError("df must be a pandas DataFrame")
    if isinstance(quasi_identifiers, str):
        quasi_identifiers = [quasi_identifiers]
    qis = list(quasi_identifiers) if quasi_identifiers is not None else []
    if not qis:
        raise ValueError("quasi_identifiers is empty: name at least one column")
    if isinstance(sensitive, str):
        sensitive = [sensitive]
    sens = list(sensitive) if sensitive is not None else []
    _check_columns(df, qis, "quasi-identifier")
    _check_columns(df, sens, "sensitive")
    if len(set(qis)) != len(qis):
        raise ValueError("quasi_identifiers names a column more than once")
    both = [c for c in sens if c in qis]
    if both:
        raise ValueError(f"column(s) {both} cannot be both quasi-identifier and sensitive")
    if len(df) == 0:
        raise ValueError("the DataFrame is empty: there is no record to assess")
    thresholds = _check_thresholds(thresholds)
    _check_positive("recursive_c", recursive_c)
    n = len(df)
    # validate the population arguments before the expensive part
    _population_size(n, population_size, sampling_fraction, None)
    if population_table is not None and not isinstance(population_table, (pd.DataFrame, pd.Series)):
        raise ValueError("population_table must be a DataFrame of population records or a Series of counts")

    classes, record_risk = EquivalenceClasses._from_frame(df, qis, sens, population_table, want_risk=True)
    if population_size is None and sampling_fraction is None and classes.population_sizes is not None:
        total = _population_total(population_table)
        population_size = float(total)
    report = RiskReport.from_classes(
        classes,
        population_size=population_size,
        sampling_fraction=sampling_fraction,
        thresholds=thresholds,
        recursive_c=recursive_c,
    )
    rows = df.copy(deep=False)  # copy-on-write: later edits to df do not reach the report
    return _replace(report, record_risk=record_risk, _rows=rows)


def _population_total(population_table: pd.DataFrame | pd.Series) -> int:
    if isinstance(population_table, pd.Series):
        return int(population_table.sum())
    return len(population_table)


def _replace(report: RiskReport, **changes) -> RiskReport:
    from dataclasses import replace

    return replace(report, **changes)


def _check_columns(df: pd.DataFrame, names: list, role: str) -> None:
    unknown = [c for c in names if c not in df.columns]
    if unknown:
        raise ValueError(f"unknown {role} column(s) {unknown}: not in the DataFrame")

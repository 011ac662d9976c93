"""Human-readable output: tables that fit 80 columns (rich), summaries, the gate's verdict."""

from __future__ import annotations

import math
import sys
from typing import Iterable

#: Width of the output when it does not go to a terminal (and the most a table takes).
WIDTH = 80


def console(file=None, *, stderr: bool = False):
    """A rich Console writing to ``file`` (default stdout/stderr): at most 80 columns, colour
    only on a terminal, no markup surprises from file names."""
    from rich.console import Console

    stream = file if file is not None else (sys.stderr if stderr else sys.stdout)
    is_tty = hasattr(stream, "isatty") and stream.isatty()
    width = WIDTH
    if is_tty:
        import shutil

        width = min(WIDTH, shutil.get_terminal_size((WIDTH, 24)).columns)
    return Console(file=stream, width=width, highlight=False, markup=False, emoji=False,
                   force_terminal=is_tty, no_color=not is_tty, soft_wrap=False)


def _place(f) -> str:
    """Where a finding is inside its file: ``3:14``, ``row 12 [name]``, ``line 4 [note]``."""
    if f.row is not None and f.field is not None:
        if f.line is not None:
            return f"{f.line}:{f.column} [{f.field}]" if f.column else f"{f.line} [{f.field}]"
        return f"row {f.row} [{f.field}]"
    if f.line is not None:
        return f"{f.line}:{f.column}" if f.column else str(f.line)
    return "-"


def _file_table(show_values: bool):
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False, padding=(0, 1))
    table.add_column("Where", overflow="fold", max_width=30 if show_values else 40)
    table.add_column("Type", no_wrap=True, max_width=14)
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("Fingerprint", no_wrap=True)
    if show_values:
        table.add_column("Value", overflow="fold", max_width=24)
    return table


def print_findings(findings: Iterable, out, *, limit: int | None = 200, show_values: bool = False) -> tuple[int, int]:
    """Print findings grouped by file: the file's name on a line of its own, then a table
    (place, type, score, fingerprint[, value]) that fits 80 columns. Returns (shown, left out
    beyond ``limit``; None or 0: all)."""
    shown = more = 0
    table = None
    current = None
    total = len(findings) if isinstance(findings, (list, tuple)) else None
    for f in findings:
        if limit and shown >= limit:
            if total is not None:
                more = total - shown
                break
            more += 1
            continue
        if f.path != current:
            if table is not None:
                out.print(table)
                out.print()
            current = f.path
            out.print(f.path)
            table = _file_table(show_values)
        cells = [_place(f), f.entity_type, f"{f.score:.2f}", f.fingerprint]
        if show_values:
            cells.append(f.value or "")
        table.add_row(*cells)
        shown += 1
    if table is not None:
        out.print(table)
    return shown, more


def human_bytes(n: int) -> str:
    """1536 -> '1.5 KB' (decimal units, as file managers show)."""
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n} bytes"  # pragma: no cover


def scan_summary(report) -> str:
    """One or two lines: what was scanned and what was found."""
    parts = [f"{report.n_files} file{'s' if report.n_files != 1 else ''}", human_bytes(report.n_bytes)]
    if report.n_rows:
        parts.append(f"{report.n_rows:,} rows")
    found = report.n_findings
    line = f"Scanned {', '.join(parts)} in {report.seconds:.1f} s: {found:,} finding{'s' if found != 1 else ''}"
    if found:
        line += " (" + ", ".join(f"{t} {n:,}" for t, n in report.counts.items()) + ")"
    extras = []
    if report.n_suppressed:
        extras.append(f"{report.n_suppressed:,} suppressed by deid:allow")
    if report.excluded:
        extras.append(f"{report.excluded} file{'s' if report.excluded != 1 else ''} excluded")
    if report.skipped:
        extras.append(f"{report.skipped} skipped (not a kind deid reads)")
    if report.errors:
        extras.append(f"{len(report.errors)} could not be read")
    if extras:
        line += "; " + ", ".join(extras)
    return line + "."


def render_scan(report, out, *, limit: int | None = 200, show_values: bool = False) -> None:
    """The findings table and the summary, on a rich Console ``out``."""
    if report.n_findings:
        import itertools

        first = itertools.islice(report.findings(), limit) if limit else report.findings()
        shown, _ = print_findings(first, out, limit=None, show_values=show_values)
        more = report.n_findings - shown
        if more:
            out.print(f"... and {more:,} more findings (--limit 0 shows all; --format json lists every one)")
    out.print(scan_summary(report))
    if report.fingerprint_key == "ephemeral" and report.n_findings:
        out.print("Fingerprints use a random key for this run (no key configured): they are not "
                  "comparable with other runs.")


def render_gate(result, out, *, limit: int | None = 200, baseline_name: str = ".deid-baseline.json",
                quiet: bool = False, show_values: bool = False) -> None:
    """What failed, and how to fix it or accept it."""
    scan = result.scan
    if result.new_findings:
        shown, more = print_findings(result.new_findings, out, limit=limit, show_values=show_values)
        if more:
            out.print(f"... and {more:,} more new findings (--format json lists every one)")
    failed_risk = [r for r in result.risk if not r.passed and r.error is None]
    for check in failed_risk:
        out.print(f"{check.path}: risk above the limits (quasi-identifiers: {', '.join(check.quasi_identifiers)})")
        for failure in check.failures:
            out.print(f"  - {failure}")
    if quiet and result.passed:
        return
    if result.all_excluded:
        out.print(f"deid gate: passed (all {scan.excluded} file(s) given are excluded by the configuration).")
        return
    if result.nothing_scanned:
        out.print("deid gate: nothing was scanned (no file deid reads in the paths given): that is not a pass.")
        return
    out.print(scan_summary(scan))
    if result.baselined:
        out.print(f"{result.baselined:,} finding(s) accepted by {baseline_name}.")
    if result.new_findings:
        files = len({f.path for f in result.new_findings})
        out.print(
            f"deid gate: FAILED: {len(result.new_findings):,} new PHI finding(s) in {files} file(s).\n"
            "  Fix: scrub the data (deid scrub IN OUT) and commit the scrubbed file;\n"
            "  or, if a finding is not PHI, add 'deid:allow' to its line;\n"
            f"  or accept the current findings into {baseline_name}: deid baseline PATH..."
        )
    if failed_risk:
        out.print(
            f"deid gate: FAILED: {len(failed_risk)} table(s) above their risk limits.\n"
            "  Fix: generalize or suppress quasi-identifiers (deid.anonymize), and check with\n"
            "  deid risk FILE --qi ...; the limits are [[tool.deid.risk]] in the configuration."
        )
    if result.input_errors:
        out.print(f"deid gate: {len(result.input_errors)} input(s) could not be checked (errors above): not a pass.")
    if result.passed:
        out.print("deid gate: passed.")


def render_risk(report, out) -> None:
    """The main figures of a :class:`deid.risk.RiskReport` as a two-column table."""
    from rich import box
    from rich.table import Table

    def num(v, digits=4):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return "n/a"
        if isinstance(v, int):
            return f"{v:,}"
        return f"{v:.{digits}g}"

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("Figure", overflow="fold", ratio=3)
    table.add_column("Value", justify="right", no_wrap=True, ratio=1)
    table.add_row("quasi-identifiers", ", ".join(report.quasi_identifiers))
    table.add_row("records", num(report.n_records))
    table.add_row("equivalence classes", num(report.n_classes))
    table.add_row("k (smallest class)", num(report.k))
    p = report.prosecutor
    table.add_row("prosecutor risk: highest", num(p.highest))
    table.add_row("prosecutor risk: average", num(p.average))
    for t, v in p.records_at_risk.items():
        table.add_row(f"records at risk (risk > {t:g})", num(v))
    j = report.journalist
    table.add_row(f"journalist risk: highest ({j.source})", num(j.highest))
    table.add_row(f"journalist risk: average ({j.source})", num(j.average))
    table.add_row(f"marketer risk ({report.marketer.source})", num(report.marketer.average))
    table.add_row("sample uniqueness", num(report.sample_uniqueness))
    pop = report.population_uniqueness
    if pop is not None:
        d = pop.dankar
        table.add_row(f"population uniqueness ({d.used_model or 'Dankar'})", num(d.fraction))
        for e in (pop.pitman, pop.zayatz, pop.snb):
            table.add_row(f"  {e.model}", num(e.fraction) if e.converged else "no estimate")
    for name, s in report.sensitive.items():
        table.add_row(f"{name}: distinct l", num(s.distinct_l))
        table.add_row(f"{name}: entropy l", num(s.entropy_l))
        table.add_row(f"{name}: recursive ({s.recursive_c:g}, l)", num(s.recursive_l))
        table.add_row(f"{name}: t-closeness ({s.t_distance})", num(s.t_closeness))
    out.print(table)
    for note in report.notes:
        out.print(f"note: {note}")

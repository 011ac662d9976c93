"""The result of :func:`deid.verify.verify`: where identifiers survived, never what they were."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

#: Columns of :attr:`VerifyResult.leaks`.
LEAK_COLUMNS = ("file", "row", "column", "start", "end", "line", "entity_type", "match", "source",
                "raw_row", "raw_column", "raw_start", "raw_end")

#: How a surviving identifier was found (strongest first).
MATCHES = ("verbatim", "casefold", "digits", "date", "tokens", "part")


class VerifyResult:
    """Which identifiers of the raw data survived in the scrubbed data.

    Attributes
    ----------
    leaks : pandas.DataFrame
        One row per surviving identifier, located in the *scrubbed* data: ``file`` (path of
        the scrubbed file or folder entry; None for DataFrames), ``row`` (0-based row of the
        scrubbed table; missing for text files), ``column`` (scrubbed column; missing for text
        files), ``start``, ``end`` (character offsets in that cell or file), ``line`` (1-based
        line of ``start``), ``entity_type``, ``match`` (``verbatim``, ``casefold``,
        ``digits``, ``date``, ``tokens``, ``part``: see ``docs/verify.md``), ``source``
        (``identifier``: a raw identifier column; ``known``: the lookup table; ``detector``: a
        span the detector found in the raw text), and where it came from in the raw data:
        ``raw_row``, ``raw_column``, ``raw_start``, ``raw_end`` (offsets of a detector span).
        No value is ever stored.
    ok : bool
        True when nothing survived.
    exit_code : int
        0 when ok, 1 otherwise (the status of ``deid verify``).
    n_records : int
        Records (rows, files) present in both inputs and compared.
    raw_only, scrubbed_only : int
        Records of one input without a counterpart in the other (not compared: a scrubbed
        record without its raw record cannot be verified).
    n_checked : int
        (record, value) pairs looked for.
    n_detected : int
        Detector findings in the raw text (per record).

    >>> import pandas as pd
    >>> from deid.verify import verify
    >>> r = verify(["call 617-555-0142"], ["call 6175550142"])
    >>> r.ok, r.exit_code, r.counts().to_dict()
    (False, 1, {'PHONE': 1})
    """

    def __init__(self, leaks: pd.DataFrame, *, n_records: int, raw_only: int = 0, scrubbed_only: int = 0,
                 n_checked: int = 0, n_detected: int = 0, source: str | None = None):
        self.leaks = leaks
        self.n_records = n_records
        self.raw_only = raw_only
        self.scrubbed_only = scrubbed_only
        self.n_checked = n_checked
        self.n_detected = n_detected
        self.source = source

    @property
    def ok(self) -> bool:
        return len(self.leaks) == 0

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def __bool__(self) -> bool:  # `if verify(...):` reads as "verified"
        return self.ok

    @property
    def n_leaks(self) -> int:
        return len(self.leaks)

    @property
    def n_records_with_leaks(self) -> int:
        if self.ok:
            return 0
        keys = [c for c in ("file", "row") if self.leaks[c].notna().any()]
        return int(self.leaks[keys].drop_duplicates().shape[0]) if keys else 1

    def counts(self, by: str | list[str] = "entity_type") -> pd.Series:
        """Surviving identifiers counted by one or more leak columns (``"entity_type"``,
        ``"column"``, ``"file"``, ``"match"``, ``"source"``, ...), largest first."""
        by = [by] if isinstance(by, str) else list(by)
        unknown = [c for c in by if c not in LEAK_COLUMNS]
        if unknown:
            raise ValueError(f"cannot count by {', '.join(map(repr, unknown))}; leak columns: {', '.join(LEAK_COLUMNS)}")
        if self.ok:
            return pd.Series([], dtype="int64", name="count")
        counts = self.leaks.groupby(by, dropna=False, sort=True).size().rename("count")
        return counts.sort_values(ascending=False, kind="stable")

    def to_dict(self, max_locations: int | None = None) -> dict:
        """A JSON-ready summary: counts by entity type, column/file, match and source, and the
        locations (all, or the first ``max_locations``). No values."""
        leaks = self.leaks if max_locations is None else self.leaks.head(max_locations)
        locations = []
        for rec in leaks.to_dict(orient="records"):
            locations.append({k: (None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else
                                  int(v) if hasattr(v, "__index__") and not isinstance(v, bool) else v)
                              for k, v in rec.items()})
        place = "file" if self.leaks["column"].isna().all() else "column"
        return {
            "ok": self.ok,
            "source": self.source,
            "records": self.n_records,
            "raw_only": self.raw_only,
            "scrubbed_only": self.scrubbed_only,
            "values_checked": self.n_checked,
            "detector_findings": self.n_detected,
            "leaks": self.n_leaks,
            "records_with_leaks": self.n_records_with_leaks,
            "by_entity_type": {str(k): int(v) for k, v in self.counts("entity_type").items()},
            f"by_{place}": {str(k): int(v) for k, v in self.counts(place).items()} if not self.ok else {},
            "by_match": {str(k): int(v) for k, v in self.counts("match").items()},
            "by_source": {str(k): int(v) for k, v in self.counts("source").items()},
            "locations": locations,
            "locations_truncated": max_locations is not None and self.n_leaks > max_locations,
        }

    def to_json(self, path: str | os.PathLike | None = None, max_locations: int | None = None) -> str:
        """:meth:`to_dict` as JSON text; also written atomically to ``path`` when given."""
        text = json.dumps(self.to_dict(max_locations), indent=2) + "\n"
        if path is not None:
            import tempfile

            target = Path(path)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return text

    def summary(self, max_locations: int = 20) -> str:
        """A plain-text report: the verdict, counts by entity type and by column or file, and
        the first ``max_locations`` locations."""
        where = f" ({self.source})" if self.source else ""
        head = (f"{self.n_records} record(s) compared{where}, {self.n_checked} value(s) checked, "
                f"{self.n_detected} detector finding(s) in the raw text")
        notes = []
        if self.raw_only:
            notes.append(f"{self.raw_only} raw record(s) have no scrubbed record")
        if self.scrubbed_only:
            notes.append(f"{self.scrubbed_only} scrubbed record(s) have no raw record and were not verified")
        lines = [head] + [f"note: {n}" for n in notes]
        if self.ok:
            lines.append("OK: no identifier of the raw data survived")
            return "\n".join(lines)
        lines.append(f"LEAKS: {self.n_leaks} identifier(s) survived in {self.n_records_with_leaks} record(s)")
        place = "file" if self.leaks["column"].isna().all() else "column"
        for title, by in (("by entity type", "entity_type"), (f"by {place}", place), ("by match", "match")):
            lines.append(f"{title}:")
            for k, v in self.counts(by).items():
                lines.append(f"  {str(k):<24} {v:>8}")
        shown = self.leaks.head(max_locations)
        cols = [c for c in ("file", "row", "column", "start", "end", "line", "entity_type", "match", "source")
                if shown[c].notna().any()]
        lines.append(f"locations ({min(max_locations, self.n_leaks)} of {self.n_leaks}):")
        lines.append("  " + shown[cols].to_string(index=False).replace("\n", "\n  "))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"VerifyResult(ok={self.ok}, leaks={self.n_leaks}, records={self.n_records}, "
                f"raw_only={self.raw_only}, scrubbed_only={self.scrubbed_only})")

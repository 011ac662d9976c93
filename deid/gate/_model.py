"""What a scan returns: findings with their place and keyed fingerprint, per file and in total.

Nothing here holds a value unless the scan was asked for values (``show_values=True``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:  # numpy is imported where table findings are handled (a text scan needs none)
    import numpy as np

# Entity types whose value is an identifier: its fingerprint is taken over its letters and
# digits only, so "617-555-0142" and "(617) 555 0142" are the same accepted value.
_IDENTIFIER_TYPES = frozenset({
    "PHONE", "FAX", "SSN", "MRN", "HEALTH_PLAN_ID", "ACCOUNT", "LICENSE", "VEHICLE_ID",
    "DEVICE_ID", "ID", "ZIP", "IP_ADDRESS",
})

_NOT_ALNUM = re.compile(r"[\W_]+")


def normalize_value(entity_type: str, value: str) -> str:
    """The form of a value its fingerprint is taken over: NFKC, case-folded, white space
    collapsed; identifiers keep their letters and digits only.

    >>> normalize_value("PHONE", "(617) 555-0142") == normalize_value("PHONE", "617.555.0142")
    True
    >>> normalize_value("NAME", "  John   SMITH ")
    'john smith'
    """
    text = unicodedata.normalize("NFKC", value).casefold()
    if entity_type in _IDENTIFIER_TYPES:
        kept = _NOT_ALNUM.sub("", text)  # [\W_]: what str.isalnum() rejects
        if kept:
            return kept
    return " ".join(text.split())


def fingerprint(key, entity_type: str, value: str) -> str:
    """The keyed fingerprint of a finding: 16 hex digits of HMAC-SHA256 under the key's
    ``fingerprint`` sub-key, over the entity type and the normalized value.

    Without the key a fingerprint cannot be recomputed, so short values (SSNs, MRNs, dates)
    cannot be recovered by trying every candidate offline, as they could from a plain hash.

    >>> from deid.transform import Key
    >>> key = Key("an example key that is long enough")
    >>> fingerprint(key, "NAME", "John Smith") == fingerprint(key, "NAME", "JOHN  smith")
    True
    >>> len(fingerprint(key, "SSN", "123-45-6789"))
    16
    """
    return key.token("fingerprint", f"{entity_type}\x00{normalize_value(entity_type, value)}", 16)


@dataclass(frozen=True, slots=True)
class FileFinding:
    """One finding in one file.

    Attributes
    ----------
    path : str
        The file, as given on the command line or found below a folder given there.
    entity_type : str
        One of :data:`deid.entities.ENTITY_TYPES`.
    score : float
        The detector's confidence.
    fingerprint : str
        Keyed fingerprint of (entity type, normalized value): equal values give equal
        fingerprints under one key, wherever they are.
    recognizer : str
        The recognizer that found it.
    line : int or None
        1-based line of the file (text, JSON Lines); None for tables (their ``row``).
    column : int or None
        1-based character column: in the line (text files), or in the field's value.
    length : int
        Length of the finding in characters.
    row : int or None
        1-based data row (tables) or record number (JSON Lines).
    field : str or None
        Table column or JSON field (``a.b[0]`` for nested values).
    value : str or None
        The text found: only when the scan was asked for values.
    """

    path: str
    entity_type: str
    score: float
    fingerprint: str
    recognizer: str
    line: int | None = None
    column: int | None = None
    length: int = 0
    row: int | None = None
    field: str | None = None
    value: str | None = None

    @property
    def where(self) -> str:
        """A short human-readable place: ``notes/a.txt:3:14`` or ``x.csv:12 [name]``."""
        if self.row is not None and self.field is not None:
            line = f":{self.line}" if self.line is not None else f" row {self.row}"
            return f"{self.path}{line} [{self.field}]"
        if self.line is not None:
            return f"{self.path}:{self.line}:{self.column}" if self.column else f"{self.path}:{self.line}"
        return self.path

    def to_dict(self) -> dict:
        out = {
            "path": self.path,
            "entity_type": self.entity_type,
            "score": round(float(self.score), 4),
            "fingerprint": self.fingerprint,
            "recognizer": self.recognizer,
            "line": self.line,
            "column": self.column,
            "length": self.length,
            "row": self.row,
            "field": self.field,
        }
        if self.value is not None:
            out["value"] = self.value
        return out


class CellRegistry:
    """The findings of the distinct table values of one scan: entry ``i`` holds the hits of
    one value, ``(entity_type, score, recognizer, fingerprint, start, end, value or None)``
    each; entry 0 is "no findings". Each hit's entry and entity type are also kept as
    numbers, so findings are counted per type without a loop over the values.

    >>> registry = CellRegistry()
    >>> registry.add([("NAME", 0.85, "NameRecognizer", "3f9a2c1d4e5b6a70", 0, 7, None)])
    1
    >>> registry.count([0, 3])  # entry 1 in three rows
    Counter({'NAME': 3})
    """

    __slots__ = ("_hits", "_owner", "_entity", "_entity_codes")

    def __init__(self):
        self._hits: list[list] = [[]]
        self._owner: list[int] = []
        self._entity: list[int] = []
        self._entity_codes: dict[str, int] = {}

    def add(self, hits: list) -> int:
        """Store the hits of a value; returns its entry."""
        i = len(self._hits)
        self._hits.append(hits)
        for hit in hits:
            self._owner.append(i)
            self._entity.append(self._entity_codes.setdefault(hit[0], len(self._entity_codes)))
        return i

    def __getitem__(self, i: int) -> list:
        return self._hits[i]

    def __len__(self) -> int:
        return len(self._hits)

    def count(self, rows_per_entry) -> Counter:
        """Findings per entity type, given how many rows hold each entry."""
        import numpy as np

        if not self._owner:
            return Counter()
        per_hit = np.asarray(rows_per_entry)[np.asarray(self._owner, dtype=np.int64)]
        totals = np.bincount(np.asarray(self._entity, dtype=np.int64), weights=per_hit,
                             minlength=len(self._entity_codes))
        return Counter({name: int(totals[code]) for name, code in self._entity_codes.items() if totals[code]})


@dataclass(slots=True)
class CellHits:
    """The findings of one column of one chunk of a table (tables are scanned once per
    distinct value of a column, not once per cell).

    ``codes`` gives each row of the chunk its distinct value (-1: empty), ``hit_ids`` each
    distinct value its entry in ``registry`` (a :class:`CellRegistry` shared by the whole
    scan; entry 0 is "no findings"), so a value met in many rows and chunks is stored once
    and rows are expanded only when asked for. Data row ``r`` of the chunk is row
    ``r + offset`` of the table (0-based)."""

    field: str
    codes: np.ndarray
    hit_ids: np.ndarray
    offset: int
    registry: CellRegistry

    def row_hit_ids(self) -> np.ndarray:
        """Each row's entry in ``registry`` (0 for an empty cell)."""
        import numpy as np

        ids = np.where(self.codes >= 0, self.hit_ids[self.codes], 0)
        return np.maximum(ids, 0, out=ids)  # -1: a value whose detection never came back


@dataclass
class FileScan:
    """The scan of one file.

    ``error`` is a one-line message when the file could not be read (wholly or from some
    point on: the findings before it are kept). Findings come from :meth:`findings`.
    """

    path: str
    kind: str
    bytes: int = 0
    rows: int | None = None
    error: str | None = None
    suppressed: int = 0  # findings on a line marked deid:allow
    _findings: list = field(default_factory=list)
    _cells: list = field(default_factory=list)
    _counts: Counter = field(default_factory=Counter)  # of the findings stored one by one
    _cell_counts: Counter | None = None  # of the table findings, once counted

    def add(self, finding: FileFinding) -> None:
        self._findings.append(finding)
        self._counts[finding.entity_type] += 1

    def add_cells(self, cells: CellHits) -> None:
        self._cells.append(cells)
        self._cell_counts = None

    def cells_changed(self) -> None:
        """Findings of a value were attached to cells already added (the counts are redone)."""
        self._cell_counts = None

    @property
    def n_findings(self) -> int:
        return sum(self._all_counts().values())

    @property
    def counts(self) -> dict[str, int]:
        """Findings per entity type."""
        return dict(sorted(self._all_counts().items()))

    def _all_counts(self) -> Counter:
        if not self._cells:
            return self._counts
        if self._cell_counts is None:
            self._cell_counts = self._cells[0].registry.count(self._rows_per_entry())
        return self._counts + self._cell_counts

    def _rows_per_entry(self):
        """How many rows of this file hold each registry entry (entry 0: none)."""
        import numpy as np

        registry = self._cells[0].registry
        per_id = np.zeros(len(registry), dtype=np.int64)
        for cells in self._cells:
            per_id += np.bincount(cells.row_hit_ids(), minlength=len(registry))
        per_id[0] = 0  # entry 0: empty cells and values without findings
        return per_id

    def cell_table(self):
        """The table findings by row: arrays ``rows`` (0-based), ``groups`` (index into
        :meth:`cell_groups`) and ``hit_ids`` (into the groups' registry), one entry per
        cell with findings, sorted by row and then column order."""
        return _cell_table(self._cells, 0)

    def findings(self) -> Iterator[FileFinding]:
        """Every finding, in file order for text and by row for tables (built on demand:
        a table's findings are stored once per distinct value; a chunk's rows at a time, so
        reading the first few costs little)."""
        yield from self._findings
        if not self._cells:
            return
        registry = self._cells[0].registry
        for lo, hi in _chunks(self._cells):  # a chunk's rows all come before the next chunk's
            rows, groups, ids = _cell_table(self._cells[lo:hi], lo)
            for row, gi, hid in zip(rows.tolist(), groups.tolist(), ids.tolist()):
                name = self._cells[gi].field
                for entity, score, recognizer, fp, start, end, value in registry[hid]:
                    yield FileFinding(self.path, entity, score, fp, recognizer, line=None, column=start + 1,
                                      length=end - start, row=row + 1, field=name, value=value)

    def text_findings(self) -> list[FileFinding]:
        """Findings stored one by one (text files, JSON Lines)."""
        return list(self._findings)

    def cell_groups(self) -> list[CellHits]:
        """Table findings as stored: one :class:`CellHits` per column and chunk, for writers
        that expand rows themselves (with :meth:`cell_table`)."""
        return list(self._cells)

    def fingerprints(self) -> set[tuple[str, str]]:
        """The distinct (entity type, fingerprint) pairs found in the file."""
        out = {(f.entity_type, f.fingerprint) for f in self._findings}
        if self._cells:
            import numpy as np

            registry = self._cells[0].registry
            for i in np.flatnonzero(self._rows_per_entry()).tolist():
                out.update((h[0], h[3]) for h in registry[i])
        return out

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "kind": self.kind,
            "bytes": self.bytes,
            "rows": self.rows,
            "findings": self.n_findings,
            "by_type": self.counts,
            "suppressed": self.suppressed,
            "error": self.error,
        }


def _chunks(cells: list[CellHits]) -> Iterator[tuple[int, int]]:
    """``(lo, hi)``: the runs of ``cells`` that belong to one chunk (the same row offset)."""
    lo = 0
    while lo < len(cells):
        hi = lo + 1
        while hi < len(cells) and cells[hi].offset == cells[lo].offset:
            hi += 1
        yield lo, hi
        lo = hi


def _cell_table(cells: list[CellHits], first: int):
    """Rows (0-based), group indexes (``first`` for ``cells[0]``) and registry entries of the
    cells with findings, sorted by row and then group."""
    import numpy as np

    rows, groups, ids = [], [], []
    for gi, cell in enumerate(cells, first):
        row_ids = cell.row_hit_ids()
        where = np.flatnonzero(row_ids)
        rows.append(where + cell.offset)
        groups.append(np.full(len(where), gi, dtype=np.int64))
        ids.append(row_ids[where])
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    rows, groups, ids = np.concatenate(rows), np.concatenate(groups), np.concatenate(ids)
    order = np.lexsort((groups, rows))
    return rows[order], groups[order], ids[order]


@dataclass
class ScanReport:
    """The scan of many files.

    Attributes
    ----------
    files : list of FileScan
        In scan order, including files that could not be read (``error`` set).
    errors : list of (path, message)
        Paths that could not be scanned at all (missing) and files whose reading failed.
    excluded, skipped : int
        Files excluded by a pattern, and files in folders with an ending deid does not read.
    fingerprint_key : str
        ``"configured"`` (fingerprints are stable across runs) or ``"ephemeral"`` (a random
        key for this run: equal within the run only).
    seconds : float
        Wall time of the scan.
    threshold : float or None
        The lowest score that counted.
    paths_given, given_files_excluded : int
        Paths given to the scan, and how many of them are files that were excluded
        themselves (by a pattern, or the baseline file): when every path given is such a
        file, the gate has nothing to check and passes (a commit touching only excluded files).
    """

    files: list[FileScan]
    errors: list[tuple[str, str]]
    excluded: int = 0
    skipped: int = 0
    fingerprint_key: str = "ephemeral"
    seconds: float = 0.0
    threshold: float | None = None
    paths_given: int = 0
    given_files_excluded: int = 0

    @property
    def only_excluded_files(self) -> bool:
        """Nothing was scanned because every path given is a file excluded by a pattern
        (or the baseline file); not true for a folder whose files are all excluded."""
        return (not self.files and not self.errors and self.paths_given > 0
                and self.given_files_excluded == self.paths_given)

    @property
    def scanned(self) -> list[FileScan]:
        """Files read to the end without an error."""
        return [f for f in self.files if f.error is None]

    @property
    def n_files(self) -> int:
        return len(self.scanned)

    @property
    def n_bytes(self) -> int:
        return sum(f.bytes for f in self.files)

    @property
    def n_rows(self) -> int:
        return sum(f.rows or 0 for f in self.files)

    @property
    def n_findings(self) -> int:
        return sum(f.n_findings for f in self.files)

    @property
    def n_suppressed(self) -> int:
        return sum(f.suppressed for f in self.files)

    @property
    def counts(self) -> dict[str, int]:
        total: Counter = Counter()
        for f in self.files:
            total.update(f._all_counts())
        return dict(sorted(total.items(), key=lambda kv: (-kv[1], kv[0])))

    def findings(self) -> Iterator[FileFinding]:
        for f in self.files:
            yield from f.findings()

    def summary(self) -> dict:
        return {
            "files_scanned": self.n_files,
            "files_with_errors": len(self.errors),
            "files_excluded": self.excluded,
            "files_skipped": self.skipped,
            "bytes": self.n_bytes,
            "rows": self.n_rows,
            "findings": self.n_findings,
            "by_type": self.counts,
            "suppressed": self.n_suppressed,
            "seconds": round(self.seconds, 3),
            "fingerprint_key": self.fingerprint_key,
            "threshold": self.threshold,
        }

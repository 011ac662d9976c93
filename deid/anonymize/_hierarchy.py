"""Generalization hierarchies: one row per raw value, from the raw value up to ``*``.

A :class:`Hierarchy` is a table with one row per raw value and one column per level: level
0 is the raw value, the last level is usually ``*``. This is ARX's format, which
:meth:`Hierarchy.from_csv` reads (``;``-separated, no header). Builders make the common
kinds: numeric intervals, redaction of codes from the right, date truncation, and
categorical groupings given as mappings.

A hierarchy must be *functional*: two raw values that share a label at level ``i`` share
their label at every level above ``i``. The lattice search relies on it (classes of a
coarser transformation are unions of classes of a finer one), as ARX's roll-ups do; a
hierarchy that breaks it is rejected with a ``ValueError``.

Error messages never contain a value from a hierarchy or the data, only counts, level
numbers and column names.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

TOP = "*"
MISSING_LABEL = "<NA>"


def _is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value)) if not isinstance(value, (str, bytes)) else False
    except (TypeError, ValueError):
        return False


class Hierarchy:
    """Per column: raw value -> one label per generalization level.

    Parameters
    ----------
    rows : sequence of sequences, or DataFrame
        One row per raw value: ``[raw, level1, level2, ..., top]``. Every row must have the
        same number of entries (levels of unequal depth are an error). Raw values keep their
        type (so integer or date columns match without conversion); labels above level 0
        are strings.
    name : str, optional
        Used in error messages (a column or file name, never a value).

    Attributes
    ----------
    height : int
        Number of generalization steps (levels - 1): a hierarchy ``raw;*`` has height 1.

    >>> h = Hierarchy([["02139", "0213*", "*"], ["02140", "0214*", "*"]])
    >>> h.height, h.labels(1)
    (2, ['0213*', '0214*'])
    >>> h.generalize(["02140", "02139"], 1)
    ['0214*', '0213*']
    """

    def __init__(self, rows, *, name: str | None = None):
        self.name = name
        if isinstance(rows, pd.DataFrame):
            rows = rows.itertuples(index=False, name=None)
        table = [list(r) for r in rows]
        where = f" {name!r}" if name else ""
        if not table:
            raise ValueError(f"hierarchy{where} is empty: it needs one row per raw value")
        depths = {}
        for r in table:
            depths[len(r)] = depths.get(len(r), 0) + 1
        if len(depths) > 1:
            detail = ", ".join(f"{count} row(s) with {depth} level(s)" for depth, count in sorted(depths.items()))
            raise ValueError(
                f"hierarchy{where} has levels of unequal depth ({detail}): every row needs the same number"
            )
        depth = len(table[0])
        if depth < 1:
            raise ValueError(f"hierarchy{where} rows are empty")
        self._raw = [r[0] for r in table]
        self._labels = np.empty((len(table), depth), dtype=object)
        for i, r in enumerate(table):
            # raw values written as hierarchy files write them (39 for 39.0, 2021-03-14 for a
            # midnight timestamp), so a released level-0 value reads back as its raw value
            self._labels[i, 0] = MISSING_LABEL if _is_missing(r[0]) else _raw_text(r[0])
            for j in range(1, depth):
                if _is_missing(r[j]):
                    raise ValueError(f"hierarchy{where} has an empty label at level {j}")
                self._labels[i, j] = str(r[j])
        self._index = self._build_index(where)
        self._codes, self._level_labels = self._factorize_levels()
        self._check_functional(where)

    # ------------------------------------------------------------------ construction helpers

    def _build_index(self, where: str) -> dict:
        index: dict = {}
        duplicates = 0
        for i, value in enumerate(self._raw):
            key = None if _is_missing(value) else value
            if key in index:
                duplicates += 1
            index[key] = i
        if duplicates:
            raise ValueError(f"hierarchy{where} lists {duplicates} raw value(s) more than once")
        return index

    def _factorize_levels(self) -> tuple[np.ndarray, list[np.ndarray]]:
        n, depth = self._labels.shape
        codes = np.empty((n, depth), dtype=np.int32)
        level_labels = []
        for level in range(depth):
            c, uniques = pd.factorize(self._labels[:, level], sort=False)
            codes[:, level] = c
            level_labels.append(np.asarray(uniques, dtype=object))
        return codes, level_labels

    def _check_functional(self, where: str) -> None:
        for level in range(self.height):
            parent = np.full(len(self._level_labels[level]), -1, dtype=np.int64)
            child = self._codes[:, level]
            up = self._codes[:, level + 1]
            parent[child] = up  # last write wins; compare with every row below
            if (parent[child] != up).any():
                raise ValueError(
                    f"hierarchy{where} is not consistent: a label at level {level} generalizes to several "
                    f"labels at level {level + 1} (each label must have one parent)"
                )

    # ------------------------------------------------------------------ public surface

    @property
    def height(self) -> int:
        """Number of generalization steps above the raw value."""
        return self._labels.shape[1] - 1

    @property
    def values(self) -> list:
        """The raw values (level 0), in row order."""
        return list(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __repr__(self) -> str:
        where = f" {self.name!r}" if self.name else ""
        return f"<Hierarchy{where}: {len(self)} values, height {self.height}>"

    def labels(self, level: int) -> list[str]:
        """The distinct labels of ``level``, in order of first appearance."""
        self._check_level(level)
        return [str(x) for x in self._level_labels[level]]

    def generalize(self, values: Iterable, level: int) -> list[str]:
        """The labels of ``values`` at ``level`` (``KeyError`` if a value is not in the hierarchy)."""
        self._check_level(level)
        rows = self.lookup(values)
        if (rows < 0).any():
            raise KeyError(f"{int((rows < 0).sum())} value(s) are not in the hierarchy")
        return [str(x) for x in self._labels[rows, level]]

    def to_frame(self) -> pd.DataFrame:
        """The table: column ``level0`` holds the raw values, ``level1``... the labels."""
        out = pd.DataFrame({f"level{j}": self._labels[:, j] for j in range(1, self.height + 1)})
        out.insert(0, "level0", pd.Series(self._raw, dtype=object))
        return out

    def to_csv(self, path: str | os.PathLike, sep: str = ";") -> None:
        """Write ARX's format (one row per raw value, ``sep``-separated, no header)."""
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, delimiter=sep, lineterminator="\n")
            for i in range(len(self)):
                writer.writerow(list(self._labels[i]))

    def lookup(self, values: Iterable) -> np.ndarray:
        """Row of each value in the hierarchy (-1 when absent).

        A value matches a raw value of the same type, or one written as its text (``39`` or
        ``39.0`` match ``"39"``, as in hierarchies read from CSV). Missing values (None, NaN,
        NaT, NA) match a missing raw value.
        """
        out = []
        for v in values:
            out.append(self._row_of(v))
        return np.asarray(out, dtype=np.int64)

    def _row_of(self, value) -> int:
        if _is_missing(value):
            return self._index.get(None, -1)
        index = self._index
        try:
            row = index.get(value)
        except TypeError:  # unhashable
            row = None
        if row is not None:
            return row
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            row = index.get(int(value))
            if row is None:
                row = index.get(str(int(value)))
        if row is None and not isinstance(value, str):
            if isinstance(value, pd.Timestamp) and value == value.normalize():
                row = index.get(value.date().isoformat())
            if row is None:
                row = index.get(str(value))
        if row is None and isinstance(value, str):
            stripped = value.strip()
            if stripped != value:
                row = index.get(stripped)
        return -1 if row is None else row

    def _check_level(self, level: int) -> None:
        if not isinstance(level, (int, np.integer)) or not 0 <= level <= self.height:
            raise ValueError(f"level must be an integer in [0, {self.height}]")

    # ------------------------------------------------------------------ readers and builders

    @classmethod
    def from_csv(cls, path: str | os.PathLike, *, sep: str = ";", encoding: str = "utf-8") -> "Hierarchy":
        """Read ARX's hierarchy format: one row per raw value, ``sep``-separated, no header.

        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "sex.csv"
        >>> _ = p.write_text("Male;*\\nFemale;*\\n")
        >>> Hierarchy.from_csv(p).height
        1
        """
        name = os.path.basename(os.fspath(path))
        try:
            with open(path, encoding=encoding, newline="") as fh:
                rows = [r for r in csv.reader(fh, delimiter=sep) if r and any(cell.strip() for cell in r)]
        except OSError as exc:
            raise ValueError(f"cannot read hierarchy file {name!r}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise ValueError(f"hierarchy file {name!r} is not valid {encoding} text") from None
        return cls(rows, name=name)

    @classmethod
    def from_mapping(cls, mapping: Mapping, *, top: str = TOP) -> "Hierarchy":
        """From ``{raw value: [level1, level2, ...]}`` (a single label for one level).

        ``top`` is appended when the last level given is not already it.

        >>> Hierarchy.from_mapping({"flu": ["respiratory"], "asthma": ["respiratory"], "gout": ["joint"]}).height
        2
        """
        rows = []
        for raw, levels in mapping.items():
            if isinstance(levels, str) or not isinstance(levels, Sequence):
                levels = [levels]
            levels = [str(x) for x in levels]
            if not levels or levels[-1] != top:
                levels.append(top)
            rows.append([raw, *levels])
        return cls(rows)

    @classmethod
    def from_groups(cls, levels: Sequence[Mapping], *, top: str = TOP) -> "Hierarchy":
        """Categorical groupings, one mapping per level, each from the level below to a group.

        Each mapping is either ``{member: group}`` or ``{group: [members]}``. The raw values
        are the members of the first mapping; ``top`` is added as the last level.

        >>> h = Hierarchy.from_groups([{"Bachelors": "Undergraduate", "Masters": "Graduate"},
        ...                            {"Graduate": "Higher education", "Undergraduate": "Higher education"}])
        >>> h.height, h.generalize(["Masters"], 2)
        (3, ['Higher education'])
        """
        if not levels:
            raise ValueError("from_groups needs at least one mapping")
        parents = [_member_to_group(m, i) for i, m in enumerate(levels)]
        rows = []
        for raw in parents[0]:
            row = [raw]
            current = raw
            for i, parent in enumerate(parents):
                key = current if i == 0 else str(current)
                if key not in parent:
                    raise ValueError(f"from_groups: a label of level {i} has no group at level {i + 1}")
                current = parent[key]
                row.append(str(current))
            if row[-1] != top:
                row.append(top)
            rows.append(row)
        return cls(rows)

    @classmethod
    def intervals(cls, values: Iterable, widths: Sequence[float], *, origin: float = 0, top: str = TOP) -> "Hierarchy":
        """Numeric intervals of growing width (each width a multiple of the one below).

        Integers get closed labels (``35-39``), other numbers half-open ones (``[35, 40)``).
        Bins start at ``origin``. Missing values become their own raw value, ``*`` above.

        >>> h = Hierarchy.intervals([23, 37, 38, 61], widths=(5, 10, 20))
        >>> h.generalize([37, 61], 1), h.generalize([37], 3), h.height
        (['35-39', '60-64'], ['20-39'], 4)
        """
        widths = [float(w) for w in widths]
        if not widths or any(not math.isfinite(w) or w <= 0 for w in widths):
            raise ValueError("widths must be positive finite numbers")
        for lo, hi in zip(widths, widths[1:]):
            ratio = hi / lo
            if abs(ratio - round(ratio)) > 1e-9 or round(ratio) < 1:
                raise ValueError("each interval width must be a whole multiple of the previous one (so intervals nest)")
        distinct, has_missing = _distinct(values)
        try:
            numbers = [float(v) for v in distinct]
        except (TypeError, ValueError):
            raise ValueError("intervals needs numeric values") from None
        if any(not math.isfinite(x) for x in numbers):
            raise ValueError("intervals needs finite numbers")
        integral = (all(x.is_integer() for x in numbers) and all(w.is_integer() for w in widths)
                    and float(origin).is_integer())
        rows = []
        for raw, x in zip(distinct, numbers):
            row = [raw]
            for w in widths:
                lo = origin + math.floor((x - origin) / w) * w
                hi = lo + w
                row.append(f"{int(lo)}-{int(hi) - 1}" if integral else f"[{_fmt(lo)}, {_fmt(hi)})")
            row.append(top)
            rows.append(row)
        if has_missing:
            rows.append([None] + [top] * (len(widths) + 1))
        return cls(rows)

    @classmethod
    def redaction(cls, values: Iterable, *, width: int | None = None, fill: str = "0", mask: str = "*",
                  top: str = TOP) -> "Hierarchy":
        """Redact codes from the right, one character per level (``02139 -> 0213* -> 021** ...``).

        ``width`` left-pads shorter codes with ``fill`` first (ZIP codes read as integers).
        The last level is ``top``.

        >>> h = Hierarchy.redaction(["02139", "02141"])
        >>> [h.generalize(["02139"], i)[0] for i in range(h.height + 1)]
        ['02139', '0213*', '021**', '02***', '0****', '*']
        """
        distinct, has_missing = _distinct(values)
        texts = []
        for v in distinct:
            s = str(int(v)) if isinstance(v, (float, np.floating)) and float(v).is_integer() else str(v)
            if width is not None:
                s = s.rjust(int(width), fill)
            texts.append(s)
        longest = max((len(s) for s in texts), default=1)
        rows = []
        for raw, s in zip(distinct, texts):
            row = [raw]
            for i in range(1, longest):
                keep = max(len(s) - i, 0)
                row.append(s[:keep] + mask * (len(s) - keep))
            row.append(top)
            rows.append(row)
        if has_missing:
            rows.append([None] + [top] * longest)
        return cls(rows)

    @classmethod
    def dates(cls, values: Iterable, levels: Sequence[str] = ("month", "year", "decade"), *,
              top: str = TOP) -> "Hierarchy":
        """Dates truncated step by step: ``day``, ``month``, ``quarter``, ``year``, ``decade``.

        Labels are ISO-like: ``2021-03-14``, ``2021-03``, ``2021-Q1``, ``2021``, ``2020s``.

        >>> h = Hierarchy.dates(pd.to_datetime(["2021-03-14", "2019-12-01"]))
        >>> h.generalize([pd.Timestamp("2021-03-14")], 1), h.height
        (['2021-03'], 4)
        """
        known = ("day", "month", "quarter", "year", "decade")
        levels = list(levels)
        if not levels or any(lv not in known for lv in levels):
            raise ValueError(f"dates levels must be a non-empty subset of {known}, in that order")
        ranks = [known.index(lv) for lv in levels]
        if ranks != sorted(ranks) or len(set(levels)) != len(levels):
            raise ValueError(f"dates levels must go from fine to coarse, in the order {known}")
        distinct, has_missing = _distinct(values)
        try:
            stamps = [pd.Timestamp(v) for v in distinct]
        except (TypeError, ValueError):
            raise ValueError("dates needs date or datetime values") from None
        rows = []
        for raw, ts in zip(distinct, stamps):
            row = [raw]
            for lv in levels:
                row.append(_date_label(ts, lv))
            row.append(top)
            rows.append(row)
        if has_missing:
            rows.append([None] + [top] * (len(levels) + 1))
        return cls(rows)

    @classmethod
    def flat(cls, values: Iterable, *, top: str = TOP) -> "Hierarchy":
        """Raw value -> ``*``: the column is either kept or fully generalized."""
        distinct, has_missing = _distinct(values)
        rows = [[v, top] for v in distinct]
        if has_missing:
            rows.append([None, top])
        return cls(rows)


def _raw_text(value) -> str:
    from deid.risk._linkage_values import _text_of

    return _text_of(value)


def _member_to_group(mapping: Mapping, level: int) -> dict:
    out: dict = {}
    for key, value in mapping.items():
        if isinstance(value, (list, tuple, set, frozenset)):
            for member in value:
                out[member if level == 0 else str(member)] = key
        else:
            out[key if level == 0 else str(key)] = value
    return out


def _distinct(values: Iterable) -> tuple[list, bool]:
    if isinstance(values, pd.Series):
        series = values
    elif isinstance(values, (np.ndarray, pd.Index, pd.api.extensions.ExtensionArray)):
        series = pd.Series(values)
    else:
        series = pd.Series(list(values))
    has_missing = bool(series.isna().any())
    uniques = pd.unique(series.dropna())
    out = []
    for v in uniques:
        # datetime64/timedelta64 become pandas scalars: .item() turns a nanosecond-unit value
        # (Parquet's timestamps, as_unit("ns")) into a bare int, which no date would look up
        if isinstance(v, np.datetime64):
            out.append(pd.Timestamp(v))
        elif isinstance(v, np.timedelta64):
            out.append(pd.Timedelta(v))
        else:
            out.append(v.item() if isinstance(v, np.generic) else v)
    return out, has_missing


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _date_label(ts: pd.Timestamp, level: str) -> str:
    if level == "day":
        return ts.strftime("%Y-%m-%d")
    if level == "month":
        return ts.strftime("%Y-%m")
    if level == "quarter":
        return f"{ts.year}-Q{(ts.month - 1) // 3 + 1}"
    if level == "year":
        return f"{ts.year}"
    return f"{ts.year // 10 * 10}s"


@dataclass(frozen=True)
class EncodedHierarchy:
    """A hierarchy bound to a data column: integer codes the lattice kernels use.

    Attributes
    ----------
    row_codes : numpy.ndarray
        Hierarchy row of every record (int32).
    level_codes : numpy.ndarray
        ``(n_hierarchy_rows, height + 1)``: dense code of each row's label at each level.
    cardinalities : numpy.ndarray
        Distinct labels per level.
    level_labels : list of numpy.ndarray
        The labels of each level, indexed by code.
    hierarchy : Hierarchy
    """

    row_codes: np.ndarray
    level_codes: np.ndarray
    cardinalities: np.ndarray
    level_labels: list
    hierarchy: Hierarchy

    @property
    def height(self) -> int:
        return self.hierarchy.height


def encode_with_hierarchy(series: pd.Series, hierarchy: Hierarchy, column: str) -> EncodedHierarchy:
    """Map every value of ``series`` to its hierarchy row; count (never name) values missing from it."""
    from deid.risk._encode import encode_column

    from deid.anonymize._kernels import first_row_of_code

    enc = encode_column(series)
    codes = np.asarray(enc.codes).astype(np.int64, copy=False)
    first = first_row_of_code(codes, np.int64(enc.cardinality))
    present = first >= 0
    representatives = series.iloc[first[present]].tolist() if present.any() else []
    rows_of_code = np.full(int(enc.cardinality), -1, dtype=np.int64)
    rows_of_code[np.flatnonzero(present)] = hierarchy.lookup(representatives)
    unmatched = present & (rows_of_code < 0)
    if unmatched.any():
        n_values = int(unmatched.sum())
        n_rows = int(np.isin(codes, np.flatnonzero(unmatched)).sum())
        raise ValueError(
            f"the hierarchy for column {column!r} lacks {n_values} value(s) present in the data "
            f"({n_rows} record(s)); add a row for each"
        )
    row_codes = rows_of_code[codes].astype(np.int32)
    h = hierarchy
    return EncodedHierarchy(
        row_codes=row_codes,
        level_codes=h._codes,
        cardinalities=np.array([len(x) for x in h._level_labels], dtype=np.int64),
        level_labels=h._level_labels,
        hierarchy=h,
    )

"""Comparable values and generalization hierarchies for the linkage attack.

The join itself works on integer codes; what this module decides is which *distinct* value
of one table equals which distinct value of the other, so everything here runs on the
distinct values of a column (thousands), never on its rows (millions).

* :func:`value_kind` and :func:`match_values`: the two tables' values are compared when they
  are of one kind (numbers, text, datetimes, ...), after bringing them to a common
  representation (datetime units, time zones, int against float, categoricals by value).
* :func:`resolve_hierarchy`: a column's ``hierarchies`` entry, one of

  - an ARX hierarchy: a CSV path (``;``-separated, no header, one row per raw value, levels
    from the raw value up to ``*``), a DataFrame of the same layout, or any object with a
    ``to_frame()`` method returning one (such as ``deid.anonymize.Hierarchy``);
  - a mapping (dict or Series) raw value -> generalized value: a one-level hierarchy;
  - a callable generalizer, or a list of them (one per level): each receives a Series of
    distinct raw values and returns the generalized values, of the same length and order.

  Hierarchy tables are compared as text (ARX's convention: its hierarchies are text), with
  numbers written without a trailing ``.0`` and midnight datetimes as ``YYYY-MM-DD``.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

# ----------------------------------------------------------------------------- kinds


def _plain(values: pd.Series) -> pd.Series:
    """Categoricals by their values (categories' dtype), with a fresh RangeIndex."""
    values = values.reset_index(drop=True)
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = values.cat.categories
        codes = values.cat.codes.to_numpy()
        if (codes < 0).any():  # callers pass non-missing values only
            return pd.Series(cats.take(np.where(codes < 0, 0, codes))).where(codes >= 0)
        return pd.Series(cats.take(codes))
    return values


_INFERRED_KIND = {
    "string": "text",
    "integer": "number",
    "floating": "number",
    "mixed-integer-float": "number",
    "decimal": "number",
    "boolean": "bool",
    "datetime64": "datetime",
    "datetime": "datetime",
    "date": "datetime",
    "timedelta64": "timedelta",
    "timedelta": "timedelta",
    "period": "period",
    "empty": "empty",
}


def value_kind(values: pd.Series) -> str:
    """What the (non-missing) values are: text, number, bool, datetime, datetime_tz,
    timedelta, period, empty (no value) or mixed.

    >>> value_kind(pd.Series(["a", "b"])), value_kind(pd.Series([1, 2.5]))
    ('text', 'number')
    """
    values = _plain(values)
    dtype = values.dtype
    if len(values) == 0:
        return "empty"
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if isinstance(dtype, pd.DatetimeTZDtype):
        return "datetime_tz"
    if pd.api.types.is_datetime64_dtype(dtype):
        return "datetime"
    if pd.api.types.is_timedelta64_dtype(dtype):
        return "timedelta"
    if isinstance(dtype, pd.PeriodDtype):
        return "period"
    if isinstance(dtype, pd.StringDtype):
        return "text"
    kind = _INFERRED_KIND.get(pd.api.types.infer_dtype(values, skipna=True), "mixed")
    if kind == "datetime" and any(getattr(v, "tzinfo", None) is not None for v in values):
        return "datetime_tz"
    return kind


_KIND_WORDS = {
    "text": "text",
    "number": "numbers",
    "bool": "booleans",
    "datetime": "dates/datetimes",
    "datetime_tz": "time-zone-aware datetimes",
    "timedelta": "durations",
    "period": "periods",
    "empty": "only missing values",
    "mixed": "values of mixed types",
}


def describe_kind(kind: str) -> str:
    return _KIND_WORDS.get(kind, kind)


def comparable(kind_a: str, kind_b: str) -> bool:
    if "empty" in (kind_a, kind_b) or "mixed" in (kind_a, kind_b):
        return True
    return kind_a == kind_b


def _datetimes(values: pd.Series, kind: str) -> pd.Index:
    index = pd.DatetimeIndex(pd.to_datetime(values, utc=(kind == "datetime_tz")))
    if index.tz is not None:
        index = index.tz_convert("UTC").tz_localize(None)
    try:
        return index.as_unit("ns")
    except (OverflowError, ValueError, pd.errors.OutOfBoundsDatetime):  # beyond year 2262
        return index.as_unit("us")


def _common(values: pd.Series, kind: str, other_kind: str):
    """The values in a representation that compares equal across the two kinds."""
    values = _plain(values)
    if kind == "empty" or other_kind == "empty" or "mixed" in (kind, other_kind):
        return np.asarray(values.astype(object), dtype=object)
    if kind == "number":
        if pd.api.types.is_integer_dtype(values.dtype) and not isinstance(values.dtype, np.dtype):
            values = values.astype("int64")  # nullable Int64 without missing values
        if pd.api.types.is_float_dtype(values.dtype) and not isinstance(values.dtype, np.dtype):
            values = values.astype("float64")
        if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iuf":
            return values.to_numpy()
        return np.asarray(values.astype(object), dtype=object)
    if kind in ("datetime", "datetime_tz"):
        return _datetimes(values, kind)
    if kind == "timedelta":
        return pd.TimedeltaIndex(pd.to_timedelta(values)).as_unit("ns")
    if kind == "text":
        return np.asarray(values.astype(object), dtype=object)
    return np.asarray(values.astype(object), dtype=object)


def _index_of(values) -> pd.Index:
    index = pd.Index(values)
    if index.dtype.kind in "iu" and np.asarray(values).dtype.kind == "f":
        index = index.astype("float64")
    return index


def canonical_values(values: pd.Series, kind: str, other_kind: str) -> tuple[np.ndarray, pd.Index]:
    """Dense ids of the values under the comparison (two values that compare equal, such as
    1 and 1.0 in an object column, share an id), and the distinct values in id order."""
    common = _common(values, kind, other_kind)
    ids, uniques = pd.factorize(common, sort=False, use_na_sentinel=True)
    return np.asarray(ids, dtype=np.int64), pd.Index(uniques)


def match_values(targets: pd.Index, target_kind: str, values: pd.Series, kind: str) -> np.ndarray | None:
    """Position in ``targets`` (distinct, canonical) of every value, -1 when absent; None
    when the two kinds cannot be compared."""
    if not comparable(target_kind, kind):
        return None
    common = _common(values, kind, target_kind)
    if len(common) == 0 or len(targets) == 0:
        return np.full(len(common), -1, dtype=np.int64)
    if isinstance(targets, pd.DatetimeIndex) and isinstance(common, pd.DatetimeIndex):
        common = common.as_unit(targets.unit) if common.unit != targets.unit else common
    target_index = targets
    if target_index.dtype.kind in "iu" and np.asarray(common).dtype.kind == "f":
        target_index = target_index.astype("float64")
    elif target_index.dtype.kind == "f" and np.asarray(common).dtype.kind in "iu":
        common = np.asarray(common, dtype=np.float64)
    return np.asarray(target_index.get_indexer(common), dtype=np.int64)


# ----------------------------------------------------------------------------- text form


def _text_of(value) -> str | None:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if number != number:
            return None
        return str(int(number)) if number.is_integer() else repr(number)
    if isinstance(value, (pd.Timestamp, _dt.datetime, np.datetime64)):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is None and stamp == stamp.normalize():
            return stamp.strftime("%Y-%m-%d")
        return stamp.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def as_text(values: pd.Series) -> pd.Series:
    """Values as text (object dtype, None where missing), the way hierarchy files write them.

    >>> as_text(pd.Series([39, 40.0, None])).tolist()
    ['39', '40', None]
    """
    values = _plain(values)
    dtype = values.dtype
    missing = values.isna().to_numpy()
    if isinstance(dtype, pd.StringDtype) or (dtype == object and pd.api.types.infer_dtype(values, skipna=True) == "string"):
        out = values.astype(object)
    elif pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        out = values.astype(object).map(_text_of)
    elif pd.api.types.is_datetime64_any_dtype(dtype) and not missing.all():
        present = values[~missing]
        if getattr(dtype, "tz", None) is None and (present == present.dt.normalize()).all():
            out = values.dt.strftime("%Y-%m-%d").astype(object)
        else:
            out = values.astype(object).map(_text_of)
    else:
        out = values.astype(object).map(_text_of)
    text = np.asarray(out, dtype=object).copy()
    text[missing] = None
    return pd.Series(text, dtype=object)


# ----------------------------------------------------------------------------- hierarchies


@dataclass(frozen=True)
class HierarchyTable:
    """An ARX-style hierarchy as text: column 0 the raw values (distinct), then the levels.

    Rows whose raw value is missing (the builders of ``deid.anonymize.Hierarchy`` give missing
    values a row of their own) are not kept: a missing auxiliary value matches anything
    anyway. ``missing_labels`` holds the labels that only such rows use (such as a group
    "unknown"): a released value equal to one of them stands for a missing value and matches
    anything, like a missing released value.
    """

    levels: tuple[pd.Series, ...]  # level 0 (raw) first, all of one length, text
    missing_labels: frozenset = frozenset()

    @property
    def n_levels(self) -> int:
        return len(self.levels)


@dataclass(frozen=True)
class Generalizers:
    """One callable per generalization level above the raw values."""

    functions: tuple[Callable, ...]


def _table_from_frame(frame: pd.DataFrame, column: str, where: str) -> HierarchyTable:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"hierarchy for column {column!r}: {where} did not give a DataFrame")
    if frame.shape[1] == 0 or frame.shape[0] == 0:
        raise ValueError(f"hierarchy for column {column!r} is empty ({where})")
    texts = [as_text(frame.iloc[:, j]) for j in range(frame.shape[1])]
    # a row for the missing raw value (None, NaN, NaT): dropped, its labels remembered
    raw_missing = texts[0].isna().to_numpy()
    missing_labels: set = set()
    if raw_missing.any():
        kept = ~raw_missing
        for text in texts[1:]:
            present = set(text[kept].dropna())
            missing_labels.update(v for v in text[raw_missing].dropna() if v not in present)
        texts = [t[kept].reset_index(drop=True) for t in texts]
    holes = sum(int(t.isna().sum()) + int((t == "").sum()) for t in texts)
    if holes:
        raise ValueError(
            f"hierarchy for column {column!r} has {holes} empty cell(s) ({where}): every row needs a "
            "value at every level (rows of different heights are not supported)"
        )
    table = pd.DataFrame({j: t for j, t in enumerate(texts)}).drop_duplicates()
    duplicated = int(table[0].duplicated().sum())
    if duplicated:
        raise ValueError(
            f"hierarchy for column {column!r} gives {duplicated} raw value(s) more than one path ({where})"
        )
    table = table.reset_index(drop=True)
    return HierarchyTable(tuple(table[j].astype(object) for j in range(table.shape[1])), frozenset(missing_labels))


def _read_hierarchy_file(path, column: str) -> HierarchyTable:
    name = os.fspath(path)
    if not os.path.isfile(name):
        raise ValueError(f"hierarchy for column {column!r}: file {name!r} not found")
    try:
        frame = pd.read_csv(name, sep=";", header=None, dtype=str, keep_default_na=False, na_filter=False,
                            engine="python")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as error:
        raise ValueError(
            f"hierarchy for column {column!r}: file {name!r} is not a ';'-separated hierarchy "
            f"({type(error).__name__})"
        ) from None
    return _table_from_frame(frame, column, f"file {name!r}")


def resolve_hierarchy(spec, column: str) -> HierarchyTable | Generalizers:
    """Normalize one ``hierarchies`` entry (see the module docstring)."""
    if isinstance(spec, (str, os.PathLike)):
        return _read_hierarchy_file(spec, column)
    if isinstance(spec, pd.DataFrame):
        return _table_from_frame(spec, column, "DataFrame")
    if hasattr(spec, "to_frame") and not isinstance(spec, pd.Series) and callable(spec.to_frame):
        return _table_from_frame(spec.to_frame(), column, f"{type(spec).__name__}.to_frame()")
    if isinstance(spec, (Mapping, pd.Series)):
        series = spec if isinstance(spec, pd.Series) else pd.Series(list(spec.values()), index=list(spec.keys()),
                                                                     dtype=object)
        frame = pd.DataFrame({0: series.index.to_series().reset_index(drop=True),
                              1: series.reset_index(drop=True)})
        return _table_from_frame(frame, column, "mapping")
    if callable(spec):
        return Generalizers((spec,))
    if isinstance(spec, Sequence) and len(spec) > 0 and all(callable(f) for f in spec):
        return Generalizers(tuple(spec))
    raise ValueError(
        f"hierarchy for column {column!r} must be a hierarchy CSV path, a DataFrame (raw value then "
        f"levels), an object with to_frame(), a mapping raw -> generalized, or a callable generalizer "
        f"(or a list of them); got {type(spec).__name__}"
    )


def apply_generalizer(function: Callable, raw: pd.Series, column: str, level: int) -> pd.Series:
    """``function`` on the distinct raw values; the result must have one value per input."""
    try:
        result = function(raw.rename(column))
    except Exception as error:  # noqa: BLE001 - reported without the values
        raise ValueError(
            f"hierarchy for column {column!r}: generalizer of level {level} failed on the auxiliary values "
            f"({type(error).__name__}); it receives a Series of distinct raw values (for a per-value "
            f"function f pass `lambda s: s.map(f)`)"
        ) from None
    if isinstance(result, (pd.Index, np.ndarray, list, tuple)):
        result = pd.Series(result)
    if not isinstance(result, pd.Series) or len(result) != len(raw):
        raise ValueError(
            f"hierarchy for column {column!r}: generalizer of level {level} must return one value per "
            f"input value (a Series of the same length); for a per-value function f pass `lambda s: s.map(f)`"
        )
    return result.reset_index(drop=True)

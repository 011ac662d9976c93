"""One action applied to one column, vectorized.

Structured columns never loop per row: keyed operators (pseudonyms, surrogates, text dates)
run once per distinct value through :class:`deid.transform.Transformer`; dates, ages, ZIP
codes and intervals are numpy/pandas array operations. A ValueError raised here names the
problem, never a cell value; :func:`deid.tabular.scrub_frame` adds the column's name.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

import numpy as np
import pandas as pd

from deid.tabular._actions import Action
from deid.transform import DEFAULT_KIND, Transformer, cap_age, date_shift_offsets, shift_dates

# An output no real value produces: marks cells an operator could not read.
_UNREAD = "\x00deid-unread\x00"

# surrogate kind -> the entity type whose tag stands for a value with nothing to imitate
_KIND_ENTITY = {kind: entity for entity, kind in DEFAULT_KIND.items()}
_KIND_ENTITY.update({"first_name": "NAME", "last_name": "NAME"})

_ZIP = re.compile(r"\s*(\d{5})(?:[- ]?\d{4})?\s*")
_TZ_SUFFIX = r"(?:[Zz]|\s?(?:UTC|GMT)|[+-]\d{2}(?::?\d{2})?)$"
_ISO_LIKE = r"^\s*\d{4}-\d{2}(?:-\d{2})?(?:[T ].*)?$"


class Context:
    """What every column of one scrub shares: the key, the policy's settings, the patient
    ids and their per-row date offsets (computed once), and the transformers (built once
    per distinct operator)."""

    def __init__(self, key, policy, patient_ids: pd.Series | None, today: _dt.date):
        self.key = key
        self.policy = policy
        self.patient_ids = patient_ids
        self.today = today
        self._offsets: np.ndarray | None = None
        self._transformers: dict[tuple, Transformer] = {}

    def transformer(self, entity: str, name: str, params: dict) -> Transformer:
        sig = (entity, name, tuple(sorted((k, repr(v)) for k, v in params.items())))
        t = self._transformers.get(sig)
        if t is None:
            low, high = self.policy.date_shift_range
            t = Transformer(self.key, {entity: (name, params)}, date_shift_range=(low, high),
                            dayfirst=self.policy.dayfirst)
            self._transformers[sig] = t
        return t

    def offsets(self, n: int) -> np.ndarray:
        """Per-row date offsets in days: the patient's, or the key's no-patient offset."""
        if self._offsets is None:
            low, high = self.policy.date_shift_range
            ids = self.patient_ids if self.patient_ids is not None else pd.Series([None] * n, dtype=object)
            self._offsets = date_shift_offsets(self.key, ids, low, high)
        return self._offsets


# -- helpers ----------------------------------------------------------------------------------
def _plain(series: pd.Series) -> pd.Series:
    """A categorical column as its values (categories can hold PHI, so they are never kept
    by a transforming action)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.astype(series.cat.categories.dtype if len(series.cat.categories) else object)
    return series


def _text_dtype(series: pd.Series):
    """Text output keeps a string input's dtype; anything else becomes pandas' ``str``."""
    return series.dtype if isinstance(series.dtype, pd.StringDtype) else "str"


def _as_text_output(values: pd.Series, source: pd.Series) -> pd.Series:
    out = values.astype(_text_dtype(source))
    out.name = source.name
    return out


def _is_text(series: pd.Series) -> bool:
    if isinstance(series.dtype, pd.StringDtype):
        return True
    return series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")


def _check_invalid(bad: np.ndarray, what: str, invalid: str) -> np.ndarray:
    """``bad`` marks cells that could not be read; an error unless ``invalid="suppress"``."""
    n_bad = int(bad.sum())
    if n_bad and invalid == "error":
        raise ValueError(
            f"{n_bad} value(s) are not {what} (set invalid = \"suppress\" to make them missing)"
        )
    return bad


def _missing_like(series: pd.Series) -> pd.Series:
    """A column of missing values with the column's dtype where that dtype can hold one
    (numpy integers become pandas' nullable integers, booleans ``boolean``)."""
    dtype = series.dtype
    n = len(series)
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.Series(pd.Categorical([None] * n, categories=[]), index=series.index, name=series.name)
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        dtype = pd.api.types.pandas_dtype(("UInt" if dtype.kind == "u" else "Int") + str(dtype.itemsize * 8))
    elif isinstance(dtype, np.dtype) and dtype.kind == "b":
        dtype = pd.BooleanDtype()
    return pd.Series(None, index=series.index, name=series.name, dtype=dtype)


def _per_unique(series: pd.Series, fn, out_dtype=object) -> pd.Series:
    """``fn`` applied to each distinct non-missing value once; missing stays missing."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    results = np.empty(len(uniques) + 1, dtype=out_dtype)
    results[:-1] = [fn(u) for u in uniques.tolist()] if len(uniques) else []
    results[-1] = None if out_dtype == object else np.nan
    return pd.Series(results[codes], index=series.index, name=series.name)


def _value_text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- dates --------------------------------------------------------------------------------------
def _dateutil_no_default(text: str, dayfirst: bool):
    """A date read by dateutil, or None when it cannot be read or lacks a year, month or day
    (dateutil fills missing fields from a default date: two defaults reveal them)."""
    import warnings

    from dateutil import parser

    try:
        with warnings.catch_warnings():
            # "14:03 EST": the zone name is not understood, and the wall-clock date is all we need
            warnings.simplefilter("ignore")
            a = parser.parse(text, dayfirst=dayfirst, default=_dt.datetime(1, 1, 1))
            b = parser.parse(text, dayfirst=dayfirst, default=_dt.datetime(2, 2, 2))
    except (ValueError, OverflowError, TypeError):
        return None
    if (a.year, a.month, a.day) != (b.year, b.month, b.day):
        return None
    return a.replace(tzinfo=None)


def text_dates(uniques: pd.Index | list, dayfirst: bool) -> np.ndarray:
    """Distinct date strings read as naive local ``datetime64[s]`` (wall-clock time, any
    time-zone suffix dropped); ``NaT`` where a value is not a full date."""
    texts = pd.Series(list(uniques), dtype=object)
    out = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[s]")
    if not len(texts):
        return out
    iso = texts.str.match(_ISO_LIKE) & texts.notna()
    if iso.any():
        stripped = texts[iso].str.replace(_TZ_SUFFIX, "", regex=True).str.strip()
        parsed = pd.to_datetime(stripped, format="ISO8601", errors="coerce")
        out[iso.to_numpy()] = parsed.to_numpy().astype("datetime64[s]")
    rest = np.flatnonzero(np.isnat(out))
    for i in rest:
        v = texts.iat[i]
        if isinstance(v, str):
            d = _dateutil_no_default(v, dayfirst)
            if d is not None:
                try:
                    out[i] = np.datetime64(d, "s")
                except (ValueError, OverflowError):  # pragma: no cover - out of range
                    pass
    return out


def _as_datetime(series: pd.Series, dayfirst: bool, invalid: str) -> tuple[pd.Series, str]:
    """The column as datetime64 (any resolution, tz kept) and how it was stored:
    ``"datetime"``, ``"date_objects"`` or ``"text"``."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series, "datetime"
    if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        raise ValueError(f"the column holds numbers ({series.dtype}), not dates")
    kind = pd.api.types.infer_dtype(series, skipna=True)
    if kind in ("date", "datetime", "datetime64"):
        try:
            converted = pd.to_datetime(series)
        except (ValueError, TypeError, OverflowError):
            raise ValueError("the column mixes dates of different time zones or kinds") from None
        return converted, "date_objects"
    if kind not in ("string", "empty"):
        raise ValueError(f"the column holds {kind} values, not dates")
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    parsed = text_dates(uniques, dayfirst)
    bad = np.isnat(parsed)
    _check_invalid(bad, "dates", invalid)
    table = np.append(parsed, np.datetime64("NaT", "s"))
    return pd.Series(table[codes], index=series.index, name=series.name), "text"


def _age_at(dates: pd.Series, reference: _dt.date) -> np.ndarray:
    """Whole years from each date to ``reference`` (float, NaN for NaT)."""
    local = dates.dt.tz_localize(None) if getattr(dates.dtype, "tz", None) is not None else dates
    year = local.dt.year.to_numpy(dtype="float64", na_value=np.nan)
    month = local.dt.month.to_numpy(dtype="float64", na_value=np.nan)
    day = local.dt.day.to_numpy(dtype="float64", na_value=np.nan)
    before_birthday = (month > reference.month) | ((month == reference.month) & (day > reference.day))
    return reference.year - year - before_birthday


def _reference(action: Action, ctx: Context) -> _dt.date:
    ref = action.params.get("reference")
    return _dt.date.fromisoformat(ref) if ref else ctx.today


def _years_before(reference: _dt.date, years: int) -> _dt.date:
    try:
        return reference.replace(year=reference.year - years)
    except ValueError:  # 29 February
        return reference.replace(year=reference.year - years, day=28)


def date_shift(series: pd.Series, action: Action, ctx: Context) -> pd.Series:
    series = _plain(series)
    offsets = ctx.offsets(len(series))
    max_age = action.params["max_age"]
    if pd.api.types.is_datetime64_any_dtype(series.dtype) or (
        not _is_text(series) and pd.api.types.infer_dtype(series, skipna=True) in ("date", "datetime")
    ):
        dates, stored = _as_datetime(series, ctx.policy.dayfirst, "error")
        shifted = shift_dates(dates, offsets)
        if max_age is not None:
            ref = _reference(action, ctx)
            over = _age_at(dates, ref) > max_age
            if over.any():
                cap = pd.Timestamp(_years_before(ref, max_age + 1))
                tz = getattr(dates.dtype, "tz", None)
                cap = cap.tz_localize(tz) if tz is not None else cap
                shifted = shifted.mask(over, cap).astype(dates.dtype)
        if stored == "date_objects":
            if pd.api.types.infer_dtype(series, skipna=True) == "date":
                values = shifted.dt.date.astype(object)
                values[shifted.isna().to_numpy()] = None
                return pd.Series(values.to_numpy(), index=series.index, name=series.name, dtype=object)
            return pd.Series(shifted.dt.to_pydatetime(), index=series.index, name=series.name, dtype=object)
        return shifted
    if not _is_text(series):
        if pd.api.types.is_numeric_dtype(series.dtype):
            raise ValueError(f"the column holds numbers ({series.dtype}), not dates")
        raise ValueError("the column holds values that are neither dates nor text")
    # text dates keep their written form: each distinct (value, offset) is rendered once
    t = ctx.transformer("DATE", "date_shift", {"unparsed": _UNREAD})
    ids = ctx.patient_ids
    shifted = t.transform_many(series.astype(object), "DATE", patient_ids=ids)
    unread = (shifted == _UNREAD).to_numpy()
    if unread.any():
        raise ValueError(f"{int(unread.sum())} value(s) are not dates deid can read")
    shifted = _as_text_output(shifted, series)
    if max_age is not None:
        ref = _reference(action, ctx)
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        parsed = np.append(text_dates(uniques, ctx.policy.dayfirst), np.datetime64("NaT", "s"))[codes]
        dates = pd.Series(parsed, index=series.index)
        over = _age_at(dates, ref) > max_age
        if over.any():
            # the cap date, written in each value's own form: shift it by the distance
            cap = np.datetime64(_years_before(ref, max_age + 1), "D")
            gap = (cap - parsed.astype("datetime64[D]")).astype(np.int64)
            from deid.transform import shift_date

            rows = np.flatnonzero(over)
            pairs = pd.DataFrame({"v": series.to_numpy(dtype=object)[rows], "g": gap[rows]})
            rendered = {
                (v, g): shift_date(v, int(g), dayfirst=ctx.policy.dayfirst)
                for v, g in pairs.drop_duplicates().itertuples(index=False)
            }
            capped = [rendered[(v, g)] for v, g in pairs.itertuples(index=False)]
            shifted = shifted.copy()
            shifted.iloc[rows] = capped
    return shifted


def _year(series: pd.Series, action: Action, ctx: Context) -> pd.Series:
    invalid = action.params["invalid"]
    if pd.api.types.is_integer_dtype(series.dtype) or (
        pd.api.types.is_float_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)
    ):
        # a column of years already: keep them (whole numbers in a plausible range)
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        ok = np.isnan(values) | ((values == np.floor(values)) & (values >= 1000) & (values <= 2999))
        bad = _check_invalid(~ok, "years", invalid)
        years = pd.array(np.where(bad, np.nan, values), dtype="Float64").astype("Int64")
    else:
        dates, _ = _as_datetime(series, ctx.policy.dayfirst, invalid)
        local = dates.dt.tz_localize(None) if getattr(dates.dtype, "tz", None) is not None else dates
        years = local.dt.year.astype("Int64").array
    max_age = action.params["max_age"]
    if max_age is not None:
        ref = _reference(action, ctx)
        # born in or before this year: possibly over max_age at the reference date
        top = ref.year - max_age - 1
        years = pd.array(np.where(pd.isna(years), pd.NA, np.maximum(years.fillna(top), top)), dtype="Int64")
    return pd.Series(years, index=series.index, name=series.name)


def _month(series: pd.Series, action: Action, ctx: Context) -> pd.Series:
    dates, _ = _as_datetime(series, ctx.policy.dayfirst, action.params["invalid"])
    local = dates.dt.tz_localize(None) if getattr(dates.dtype, "tz", None) is not None else dates
    ym = (local.dt.year * 100 + local.dt.month).astype("Int64")
    out = _per_unique(ym, lambda v: f"{v // 100:04d}-{v % 100:02d}")
    return _as_text_output(out, series if _is_text(series) else pd.Series(dtype="str"))


def _numbers(series: pd.Series, invalid: str, what: str = "numbers") -> np.ndarray:
    """The column as float64 (NaN for missing); text is read as numbers."""
    if pd.api.types.is_bool_dtype(series.dtype):
        raise ValueError("the column holds true/false values, not numbers")
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.to_numpy(dtype="float64", na_value=np.nan)
    numeric = pd.to_numeric(series, errors="coerce")
    values = numeric.to_numpy(dtype="float64", na_value=np.nan)
    bad = np.isnan(values) & series.notna().to_numpy()
    _check_invalid(bad, what, invalid)
    return values


def _age_cap(series: pd.Series, action: Action, ctx: Context) -> pd.Series:
    top, invalid = action.params["top"], action.params["invalid"]
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        bad = _check_invalid(values < 0, "ages", invalid)
        # HIPAA counts whole years: 89.9 is 89
        over = np.floor(values + 1e-9) >= top
        out = series.mask(pd.Series(over, index=series.index), top)
        if bad.any():
            out = out.mask(pd.Series(bad, index=series.index))
        return out.astype(series.dtype) if not bad.any() or series.dtype.kind == "f" else out
    if not _is_text(series):
        raise ValueError(f"the column holds {series.dtype} values, not ages")

    def cap(v: str) -> str:
        return cap_age(v, label=f"{top}+", threshold=top - 1, unparsed=_UNREAD)

    out = _per_unique(series, cap)
    unread = (out == _UNREAD).to_numpy()
    _check_invalid(unread, "ages", invalid)
    if unread.any():
        out = out.mask(pd.Series(unread, index=series.index))
    return _as_text_output(out, series)


def _age_band(series: pd.Series, action: Action, ctx: Context) -> pd.Series:
    width, top, invalid = action.params["width"], action.params["top"], action.params["invalid"]
    values = _numbers(series, invalid, "ages")
    bad = _check_invalid(values < 0, "ages", invalid)
    values = np.where(bad, np.nan, values)
    whole = np.floor(values + 1e-9)
    low = np.where(whole >= top, top, np.floor(whole / width) * width)
    codes = pd.array(np.where(np.isnan(low), np.nan, low), dtype="Float64").astype("Int64")

    def label(lo: int) -> str:
        if lo >= top:
            return f"{top}+"
        return str(lo) if width == 1 else f"{lo}-{lo + width - 1}"

    out = _per_unique(pd.Series(codes, index=series.index), label)
    return _as_text_output(out, series if _is_text(series) else pd.Series(dtype="str"))


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _interval(series: pd.Series, action: Action, ctx: Context) -> pd.Series:
    p = action.params
    values = _numbers(series, p["invalid"])
    if p["bins"] is not None:
        edges = np.asarray(p["bins"], dtype="float64")
        idx = np.searchsorted(edges, values, side="right") - 1
        idx = np.where(values == edges[-1], len(edges) - 2, idx)  # the last interval is closed
        outside = ~np.isnan(values) & ((idx < 0) | (idx >= len(edges) - 1))
        bad = _check_invalid(outside, "inside the bins", p["invalid"])
        idx = np.where(bad | np.isnan(values), -1, idx)
        labels = [f"[{_fmt(edges[i])}, {_fmt(edges[i + 1])}{']' if i == len(edges) - 2 else ')'}"
                  for i in range(len(edges) - 1)]
        table = np.array(labels + [None], dtype=object)
        out = pd.Series(table[idx], index=series.index, name=series.name)
    else:
        width, origin = float(p["width"]), float(p["origin"])
        low = origin + np.floor((values - origin) / width) * width
        key = pd.Series(low, index=series.index, name=series.name)
        out = _per_unique(key, lambda lo: f"[{_fmt(lo)}, {_fmt(lo + width)})")
    return _as_text_output(out, series if _is_text(series) else pd.Series(dtype="str"))


def _map(series: pd.Series, action: Action, ctx: Context) -> pd.Series:
    mapping, other = action.params["mapping"], action.params["other"]

    def look_up(v) -> Any:
        out = mapping.get(_value_text(v))
        return _UNREAD if out is None else out

    out = _per_unique(series, look_up)
    unmapped = (out == _UNREAD).to_numpy()
    if unmapped.any():
        if other is None:
            raise ValueError(
                f"{int(unmapped.sum())} value(s) are not in the mapping (set `other` for them)"
            )
        out = out.mask(pd.Series(unmapped, index=series.index), other)
    return _as_text_output(out, series if _is_text(series) else pd.Series(dtype="str"))


def _zip3(series: pd.Series, action: Action, ctx: Context) -> pd.Series:
    restricted = frozenset(action.params["restricted"])
    numeric = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)

    def prefix(v) -> str:
        if numeric or not isinstance(v, str):
            if isinstance(v, float) and not v.is_integer() or not 0 <= v <= 99999:
                return _UNREAD
            text = f"{int(v):05d}"
        else:
            m = _ZIP.fullmatch(v)
            if m is None:
                return _UNREAD
            text = m.group(1)
        head = text[:3]
        return "000" if head in restricted else head

    if not numeric and not _is_text(series):
        raise ValueError(f"the column holds {series.dtype} values, not ZIP codes")
    out = _per_unique(series, prefix)
    unread = (out == _UNREAD).to_numpy()
    _check_invalid(unread, "US ZIP codes", action.params["invalid"])
    if unread.any():
        out = out.mask(pd.Series(unread, index=series.index))
    return _as_text_output(out, series if _is_text(series) else pd.Series(dtype="str"))


_GENERALIZERS = {
    "zip3": _zip3, "year": _year, "month": _month, "age_cap": _age_cap, "age_band": _age_band,
    "interval": _interval, "map": _map,
}


def generalize(series: pd.Series, action: Action, ctx: Context) -> pd.Series:
    return _GENERALIZERS[action.params["method"]](_plain(series), action, ctx)


# -- keyed identifiers ----------------------------------------------------------------------------
def _check_scalar_values(series: pd.Series) -> None:
    kind = pd.api.types.infer_dtype(series, skipna=True)
    if kind in ("mixed", "unknown-array") and series.dtype == object:
        sample = series.dropna()
        types = {type(v).__name__ for v in sample.iloc[:1000]}
        if types & {"dict", "list", "tuple", "set", "bytes", "ndarray"}:
            raise ValueError("the column holds nested values (" + ", ".join(sorted(types)) + ")")


def _per_unique_text(series: pd.Series, fn) -> pd.Series:
    """``fn(text)`` once per distinct non-missing value, as text; missing stays missing and
    blank text stays as it was (it hides nothing: not a pseudonym of "")."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    results = []
    for u in uniques.tolist():
        text = _value_text(u)
        results.append(fn(text) if text.strip() else text)
    values = pd.array(results, dtype=_text_dtype(series)).take(codes, allow_fill=True)
    return pd.Series(values, index=series.index, name=series.name)


def pseudonym(series: pd.Series, action: Action, ctx: Context, column: str, *, record_id: bool) -> pd.Series:
    from deid.tabular._keyed import token_function

    series = _plain(series)
    _check_scalar_values(series)
    p = action.params
    namespace = p["namespace"] if p["namespace"] is not None else column  # hash_id: the column's own space
    return _per_unique_text(series, token_function(ctx.key, p["prefix"], p["length"], namespace))


def surrogate(series: pd.Series, action: Action, ctx: Context) -> pd.Series:
    series = _plain(series)
    _check_scalar_values(series)
    kind = action.params["kind"]
    entity = _KIND_ENTITY.get(kind, "ID")
    transform = ctx.transformer(entity, "surrogate", {"kind": kind}).transform
    return _per_unique_text(series, lambda text: transform(text, entity))


def suppress(series: pd.Series, action: Action, ctx: Context) -> pd.Series:
    return _missing_like(series)

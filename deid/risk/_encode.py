"""Encode DataFrame columns to dense-ish integer codes.

Every quasi-identifier and sensitive attribute becomes an array of non-negative integer
codes plus a *cardinality* (an exclusive upper bound on the codes), the only thing the
numba kernels ever see. Missing values (``None``, ``NaN``, ``NaT``, ``pd.NA``) are one more
category: they all share one code, distinct from every real value.

The encoders pick the cheapest exact route per dtype:

* categorical: the category codes as they are (no hashing at all);
* bool, integers, datetimes, timedeltas: an offset code ``(x - min) // step`` when the value
  range, divided by the greatest common step of the values (a day for dates stored in
  microseconds), is small; otherwise a numba hash factorisation;
* floats: a numba hash factorisation of the bit patterns (``-0.0`` is ``0.0``);
* strings and objects: ``pandas.factorize`` (Arrow dictionary encoding for Arrow strings).

Codes are not necessarily dense (an offset code leaves gaps where a value in the range does
not occur, a categorical keeps unused categories); the kernels only need the bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np
import pandas as pd

# An offset code is used when the (step-reduced) value range is at most this many times the
# number of rows, or below _OFFSET_ALWAYS: a wider range would make later mixed-radix keys
# overflow sooner and direct-address tables larger than the data.
_OFFSET_RANGE_PER_ROW = 2
_OFFSET_ALWAYS = 1 << 16
_INT64_MIN = np.iinfo(np.int64).min


@dataclass(frozen=True)
class EncodedColumn:
    """Integer codes of one column.

    Attributes
    ----------
    codes : numpy.ndarray
        One non-negative integer per row (int8 to int64).
    cardinality : int
        Exclusive upper bound of ``codes`` (at least 1).
    order : numpy.ndarray or None
        For orderable columns (numbers, datetimes, ordered categoricals): for each code, its
        rank in the sort order of the values, missing values last. ``None`` otherwise.
    ordered : bool
        Whether the column has a natural order (used for ordered-distance t-closeness).
    """

    codes: np.ndarray
    cardinality: int
    order: np.ndarray | None = None
    ordered: bool = False


# ----------------------------------------------------------------------------- numba helpers


@nb.njit(cache=True, nogil=True)
def _min_max_gcd(values, missing_value, has_missing_value):
    """Minimum, maximum and gcd of (value - minimum) over the non-missing values."""
    n = values.shape[0]
    lo = np.int64(0)
    hi = np.int64(0)
    seen = False
    for i in range(n):
        v = np.int64(values[i])
        if has_missing_value and v == missing_value:
            continue
        if not seen:
            lo = v
            hi = v
            seen = True
        elif v < lo:
            lo = v
        elif v > hi:
            hi = v
    if not seen:
        return np.int64(0), np.int64(-1), np.int64(1), False
    g = np.int64(0)
    for i in range(n):
        v = np.int64(values[i])
        if has_missing_value and v == missing_value:
            continue
        d = v - lo
        # Euclid on non-negative numbers; stops early once the gcd is 1
        a = g
        b = d
        while b != 0:
            t = a % b
            a = b
            b = t
        g = a
        if g == 1:
            break
    if g == 0:
        g = np.int64(1)
    return lo, hi, g, True


@nb.njit(cache=True, nogil=True, parallel=True)
def _offset_codes(values, lo, step, missing_value, has_missing_value, missing_code, out):
    n = values.shape[0]
    for i in nb.prange(n):
        v = np.int64(values[i])
        if has_missing_value and v == missing_value:
            out[i] = missing_code
        else:
            out[i] = (v - lo) // step


@nb.njit(cache=True, nogil=True, parallel=True)
def _offset_codes_masked(values, mask, lo, step, missing_code, out):
    n = values.shape[0]
    for i in nb.prange(n):
        if mask[i]:
            out[i] = missing_code
        else:
            out[i] = (np.int64(values[i]) - lo) // step


@nb.njit(cache=True, nogil=True)
def _mix64(x):
    # splitmix64 finaliser: spreads clustered keys (dates, zip codes) over the table
    z = np.uint64(x)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@nb.njit(cache=True, nogil=True)
def hash_factorize_int64(values, mask, use_mask):
    """Dense codes in order of first appearance for int64 values (masked rows -> own code).

    Returns (codes int64, number of distinct non-missing values, whether a masked row was
    seen, the distinct values in code order).
    """
    n = values.shape[0]
    capacity = 16
    while capacity < 2 * n:
        capacity *= 2
    bits = capacity - 1
    slot_keys = np.empty(capacity, dtype=np.int64)
    slot_ids = np.full(capacity, -1, dtype=np.int64)
    uniques = np.empty(min(n, capacity), dtype=np.int64)
    codes = np.empty(n, dtype=np.int64)
    n_unique = 0
    saw_missing = False
    for i in range(n):
        if use_mask and mask[i]:
            codes[i] = -1
            saw_missing = True
            continue
        key = values[i]
        h = np.int64(_mix64(key) & np.uint64(bits))
        while True:
            sid = slot_ids[h]
            if sid == -1:
                slot_keys[h] = key
                slot_ids[h] = n_unique
                uniques[n_unique] = key
                codes[i] = n_unique
                n_unique += 1
                break
            if slot_keys[h] == key:
                codes[i] = sid
                break
            h = (h + 1) & bits
    if saw_missing:
        for i in range(n):
            if codes[i] == -1:
                codes[i] = n_unique
    return codes, n_unique, saw_missing, uniques[:n_unique]


# ----------------------------------------------------------------------------- dtype routes


def _smallest_code_dtype(cardinality: int) -> np.dtype:
    if cardinality <= np.iinfo(np.int8).max:
        return np.dtype(np.int8)
    if cardinality <= np.iinfo(np.int16).max:
        return np.dtype(np.int16)
    if cardinality <= np.iinfo(np.int32).max:
        return np.dtype(np.int32)
    return np.dtype(np.int64)


def _rank_of(sort_keys: np.ndarray) -> np.ndarray:
    """Rank of each entry in ascending order (ties cannot occur: keys are distinct)."""
    order = np.argsort(sort_keys, kind="stable")
    rank = np.empty(len(sort_keys), dtype=np.int64)
    rank[order] = np.arange(len(sort_keys), dtype=np.int64)
    return rank


def _encode_int64_view(
    values: np.ndarray,
    mask: np.ndarray | None,
    missing_value: int | None,
    want_order: bool,
) -> EncodedColumn:
    """Encode integer-like values (ints, datetimes as int64) with an optional missing mask."""
    n = len(values)
    if mask is not None:
        present = values[~mask] if mask.any() else values
        has_missing = bool(mask.any())
        lo, hi, step, seen = _min_max_gcd(present, np.int64(0), False)
    else:
        sentinel = np.int64(missing_value if missing_value is not None else 0)
        lo, hi, step, seen = _min_max_gcd(values, sentinel, missing_value is not None)
        has_missing = bool(missing_value is not None and (values == sentinel).any())
    if not seen:  # every value missing: one category
        return EncodedColumn(np.zeros(n, dtype=np.int8), 1, np.zeros(1, dtype=np.int64), want_order)
    span = (int(hi) - int(lo)) // int(step) + 1
    if span <= max(_OFFSET_ALWAYS, _OFFSET_RANGE_PER_ROW * n):
        cardinality = span + (1 if has_missing else 0)
        out = np.empty(n, dtype=_smallest_code_dtype(cardinality))
        if mask is not None:
            _offset_codes_masked(values, mask, lo, step, span, out)
        else:
            _offset_codes(values, lo, step, np.int64(missing_value or 0), missing_value is not None, span, out)
        # offset codes are already in value order; missing (code span) sorts last
        order = np.arange(cardinality, dtype=np.int64) if want_order else None
        return EncodedColumn(out, cardinality, order, want_order)
    if mask is None:
        if missing_value is not None:
            mask = values == np.int64(missing_value)
        else:
            mask = np.zeros(0, dtype=np.bool_)
    use_mask = mask.shape[0] == n
    codes, n_unique, saw_missing, uniques = hash_factorize_int64(
        values.astype(np.int64, copy=False), mask if use_mask else np.zeros(1, np.bool_), use_mask
    )
    cardinality = int(n_unique) + (1 if saw_missing else 0)
    order = None
    if want_order:
        rank = _rank_of(uniques)
        order = np.concatenate([rank, np.array([n_unique], dtype=np.int64)]) if saw_missing else rank
    return EncodedColumn(codes.astype(_smallest_code_dtype(cardinality), copy=False), cardinality, order, want_order)


def _encode_factorized(codes: np.ndarray, uniques, want_order: bool) -> EncodedColumn:
    """Turn pandas.factorize output (-1 for missing) into codes with missing as a category."""
    n_unique = len(uniques)
    missing = codes < 0
    saw_missing = bool(missing.any())
    cardinality = n_unique + (1 if saw_missing else 0)
    out = codes.astype(_smallest_code_dtype(max(cardinality, 1)), copy=True)
    if saw_missing:
        out[missing] = n_unique
    if cardinality == 0:  # empty column
        return EncodedColumn(out, 1, np.zeros(1, np.int64) if want_order else None, want_order)
    order = None
    if want_order:
        try:
            rank = _rank_of(np.asarray(uniques))
        except TypeError:  # mixed types cannot be sorted: treat the column as unordered
            return EncodedColumn(out, cardinality, None, False)
        order = np.concatenate([rank, np.array([n_unique], dtype=np.int64)]) if saw_missing else rank
    return EncodedColumn(out, cardinality, order, want_order)


def _float_to_int64(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    as_float = values.astype(np.float64, copy=False)
    mask = np.isnan(as_float)
    cleaned = np.where(as_float == 0.0, 0.0, as_float)  # -0.0 and 0.0 are one value
    return cleaned.view(np.int64), mask


def encode_column(series: pd.Series, *, want_order: bool = False) -> EncodedColumn:
    """Encode one column to integer codes; missing values become one extra category.

    >>> enc = encode_column(pd.Series(["b", "a", None, "b"]))
    >>> enc.codes.tolist(), enc.cardinality
    ([0, 1, 2, 0], 3)
    """
    dtype = series.dtype
    n = len(series)
    if isinstance(dtype, pd.CategoricalDtype):
        cat_codes = series.cat.codes.to_numpy()
        n_categories = len(dtype.categories)
        missing = cat_codes < 0
        saw_missing = bool(missing.any())
        cardinality = max(n_categories + (1 if saw_missing else 0), 1)
        if saw_missing:
            codes = cat_codes.astype(_smallest_code_dtype(cardinality), copy=True)
            codes[missing] = n_categories
        else:
            codes = cat_codes
        ordered = bool(dtype.ordered) and want_order
        order = np.arange(cardinality, dtype=np.int64) if ordered else None
        if want_order and not dtype.ordered:
            # an unordered categorical of numbers still has a natural order
            cats = dtype.categories
            if pd.api.types.is_numeric_dtype(cats.dtype) or pd.api.types.is_datetime64_any_dtype(cats.dtype):
                rank = _rank_of(np.asarray(cats))
                order = np.concatenate([rank, [n_categories]]).astype(np.int64) if saw_missing else rank
                ordered = True
        return EncodedColumn(codes, cardinality, order, ordered)

    if pd.api.types.is_bool_dtype(dtype):
        if isinstance(dtype, np.dtype):
            return EncodedColumn(series.to_numpy().view(np.uint8), 2, np.arange(2, dtype=np.int64), want_order)
        mask = series.isna().to_numpy()
        values = series.to_numpy(dtype=np.int64, na_value=0)
        return _encode_int64_view(values, mask, None, want_order)

    if pd.api.types.is_integer_dtype(dtype):
        if isinstance(dtype, np.dtype):
            values = series.to_numpy()
            if values.dtype == np.uint64 and len(values) and values.max() > np.iinfo(np.int64).max:
                codes, uniques = pd.factorize(series, sort=False)
                return _encode_factorized(codes, uniques, want_order)
            return _encode_int64_view(values, None, None, want_order)
        mask = series.isna().to_numpy()
        values = series.to_numpy(dtype=np.int64, na_value=0)
        return _encode_int64_view(values, mask, None, want_order)

    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        values = series.array
        as_int = np.asarray(values.asi8 if hasattr(values, "asi8") else series.to_numpy().view(np.int64))
        return _encode_int64_view(as_int, None, _INT64_MIN, want_order)

    if pd.api.types.is_float_dtype(dtype):
        if isinstance(dtype, np.dtype):
            bits, mask = _float_to_int64(series.to_numpy())
        else:  # nullable Float64: NA and NaN are both missing
            raw = series.to_numpy(dtype=np.float64, na_value=np.nan)
            bits, mask = _float_to_int64(raw)
        codes, n_unique, saw_missing, uniques = hash_factorize_int64(bits, mask, True)
        cardinality = max(int(n_unique) + (1 if saw_missing else 0), 1)
        order = None
        if want_order:
            rank = _rank_of(uniques.view(np.float64))
            order = np.concatenate([rank, np.array([n_unique], dtype=np.int64)]) if saw_missing else rank
        return EncodedColumn(codes.astype(_smallest_code_dtype(cardinality), copy=False), cardinality, order, want_order)

    # strings (Arrow or Python storage), objects, periods, intervals, ...
    numeric_like = pd.api.types.is_numeric_dtype(dtype) or isinstance(dtype, pd.PeriodDtype)
    codes, uniques = pd.factorize(series, sort=False, use_na_sentinel=True)
    if n == 0:
        return EncodedColumn(np.zeros(0, dtype=np.int8), 1, None, False)
    return _encode_factorized(np.asarray(codes), uniques, want_order and numeric_like)

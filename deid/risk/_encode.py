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
* Arrow strings (pandas' default string dtype), read from the Arrow buffers in numba:
  strings of at most 7 bytes packed into one integer and hashed, longer ones keyed by their
  length and first and last 8 bytes (the middle compared when longer than 16 bytes);
* anything else (Python strings, objects, periods, ...): ``pandas.factorize``.

Codes are not necessarily dense (an offset code leaves gaps where a value in the range does
not occur, a categorical keeps unused categories); the kernels only need the bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np
import pandas as pd

from deid.risk._jit import dual

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
def _gcd(a, b):
    while b != 0:
        t = a % b
        a = b
        b = t
    return a


@dual()
def _min_max_gcd(values, missing_value, has_missing_value):
    """Minimum, maximum and gcd of (value - minimum) over the non-missing values.

    Chunked so both passes run in parallel; the gcd pass costs one division per value once
    the common step is found (a day, for dates stored in micro- or nanoseconds).
    """
    n = values.shape[0]
    n_chunks = 16
    chunk = (n + n_chunks - 1) // n_chunks
    los = np.zeros(n_chunks, dtype=np.int64)
    his = np.zeros(n_chunks, dtype=np.int64)
    seens = np.zeros(n_chunks, dtype=np.bool_)
    for t in nb.prange(n_chunks):
        lo = np.int64(0)
        hi = np.int64(0)
        seen = False
        for i in range(t * chunk, min(n, (t + 1) * chunk)):
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
        los[t] = lo
        his[t] = hi
        seens[t] = seen
    seen = False
    lo = np.int64(0)
    hi = np.int64(0)
    for t in range(n_chunks):
        if seens[t]:
            if not seen:
                lo = los[t]
                hi = his[t]
                seen = True
            else:
                lo = min(lo, los[t])
                hi = max(hi, his[t])
    if not seen:
        return np.int64(0), np.int64(-1), np.int64(1), False
    gcds = np.zeros(n_chunks, dtype=np.int64)
    for t in nb.prange(n_chunks):
        g = np.int64(0)
        for i in range(t * chunk, min(n, (t + 1) * chunk)):
            v = np.int64(values[i])
            if has_missing_value and v == missing_value:
                continue
            d = v - lo
            if g == 0:
                g = d
            elif d % g != 0:
                g = _gcd(g, d)
                if g == 1:
                    break
        gcds[t] = g
    g = np.int64(0)
    for t in range(n_chunks):
        g = _gcd(g, gcds[t]) if g != 0 else gcds[t]
    if g == 0:
        g = np.int64(1)
    return lo, hi, g, True


@dual()
def _offset_codes(values, lo, step, missing_value, has_missing_value, missing_code, out):
    n = values.shape[0]
    for i in nb.prange(n):
        v = np.int64(values[i])
        if has_missing_value and v == missing_value:
            out[i] = missing_code
        else:
            out[i] = (v - lo) // step


@dual()
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
def _rehash(uniques, n_unique, capacity):
    mask = capacity - 1
    slot_keys = np.empty(capacity, dtype=np.int64)
    slot_ids = np.full(capacity, -1, dtype=np.int64)
    for c in range(n_unique):
        key = uniques[c]
        h = np.int64(_mix64(key) & np.uint64(mask))
        while slot_ids[h] != -1:
            h = (h + 1) & mask
        slot_keys[h] = key
        slot_ids[h] = c
    return slot_keys, slot_ids


@nb.njit(cache=True, nogil=True)
def hash_factorize_int64(values, mask, use_mask):
    """Dense codes in order of first appearance for int64 values (masked rows -> own code).

    The table starts small and doubles at half load, so a column with few distinct values
    stays in cache however many rows it has.

    Returns (codes int64, number of distinct non-missing values, whether a masked row was
    seen, the distinct values in code order).
    """
    n = values.shape[0]
    capacity = 1024
    bits = capacity - 1
    slot_keys = np.empty(capacity, dtype=np.int64)
    slot_ids = np.full(capacity, -1, dtype=np.int64)
    uniques = np.empty(capacity // 2, dtype=np.int64)
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
                if 2 * n_unique >= capacity:
                    capacity *= 2
                    bits = capacity - 1
                    grown = np.empty(capacity // 2, dtype=np.int64)
                    grown[:n_unique] = uniques[:n_unique]
                    uniques = grown
                    slot_keys, slot_ids = _rehash(uniques, n_unique, capacity)
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


@dual()
def _pack_short_strings(offsets, data, validity, has_validity, bit_offset, n, out, mask):
    """Pack strings of at most 7 bytes into one int64 (length in the top byte).

    Returns False as soon as a longer string is seen (the caller then falls back).
    """
    too_long = np.zeros(1, dtype=np.bool_)
    for i in nb.prange(n):
        j = bit_offset + i
        if has_validity and (validity[j >> 3] >> (j & 7)) & 1 == 0:
            mask[i] = True
            out[i] = 0
            continue
        mask[i] = False
        start = offsets[j]
        length = offsets[j + 1] - start
        if length > 7:
            too_long[0] = True
            out[i] = 0
            continue
        key = np.int64(length) << 56
        for b in range(length):
            key |= np.int64(data[start + b]) << (8 * b)
        out[i] = key
    return not too_long[0]


@nb.njit(cache=True, nogil=True, inline="always")
def _word(words, byte_pos, n_bytes):
    """Bytes [byte_pos, byte_pos + n_bytes) (1 <= n_bytes <= 8) as one little-endian word.

    ``words`` is the data buffer copied into uint64s with one word of padding. Branch-free:
    alignment and length vary from row to row and would defeat branch prediction; every
    shift amount stays below 64.
    """
    q = byte_pos >> 3
    shift = np.uint64((byte_pos & 7) * 8)
    w = (words[q] >> shift) | ((words[q + 1] << np.uint64(1)) << (np.uint64(63) - shift))
    return w & (np.uint64(0xFFFFFFFFFFFFFFFF) >> np.uint64(64 - 8 * n_bytes))


@nb.njit(cache=True, nogil=True)
def _string_keys(offsets, words, bit_offset, n, first, last, lengths, hashes):
    """Pass 1: length, first 8 bytes, last 8 bytes and a hash of the three, per row."""
    for i in range(n):
        j = bit_offset + i
        start = np.int64(offsets[j])
        length = np.int64(offsets[j + 1]) - start
        if length == 0:
            a = np.uint64(0)
            b = np.uint64(0)
        else:
            head = min(np.int64(8), length)
            a = _word(words, start, head)
            b = _word(words, start + length - head, head)
        first[i] = a
        last[i] = b
        lengths[i] = length
        hashes[i] = _mix64(np.int64(a ^ (np.uint64(length) << np.uint64(56)))) ^ _mix64(np.int64(b) + 1)


@nb.njit(cache=True, nogil=True)
def _factorize_arrow_strings(offsets, words, validity, has_validity, bit_offset, n):
    """Codes (first appearance) for an Arrow string array, straight from its buffers.

    A string is keyed by (length, its first 8 bytes, its last 8 bytes), which is the whole
    string up to 16 bytes; longer strings with equal keys are compared word by word. The keys
    are computed in a first, branch-light pass. Null rows get code -1.
    """
    first = np.empty(n, dtype=np.uint64)
    last = np.empty(n, dtype=np.uint64)
    lengths = np.empty(n, dtype=np.int64)
    hashes = np.empty(n, dtype=np.uint64)
    _string_keys(offsets, words, bit_offset, n, first, last, lengths, hashes)
    capacity = 1024
    mask = capacity - 1
    slot_id = np.full(capacity, -1, dtype=np.int64)
    rep = np.empty(capacity // 2, dtype=np.int64)  # a row holding each distinct string
    codes = np.empty(n, dtype=np.int64)
    n_unique = 0
    saw_missing = False
    for i in range(n):
        j = bit_offset + i
        if has_validity and (validity[j >> 3] >> (j & 7)) & 1 == 0:
            codes[i] = -1
            saw_missing = True
            continue
        h = hashes[i]
        pos = np.int64(h & np.uint64(mask))
        while True:
            c = slot_id[pos]
            if c == -1:
                c = n_unique
                slot_id[pos] = c
                rep[c] = i
                n_unique += 1
                if 2 * n_unique >= capacity:  # grow and re-seat every distinct string
                    capacity *= 2
                    mask = capacity - 1
                    grown = np.empty(capacity // 2, dtype=np.int64)
                    grown[:n_unique] = rep[:n_unique]
                    rep = grown
                    slot_id = np.full(capacity, -1, dtype=np.int64)
                    for e in range(n_unique):
                        p = np.int64(hashes[rep[e]] & np.uint64(mask))
                        while slot_id[p] != -1:
                            p = (p + 1) & mask
                        slot_id[p] = e
                break
            r = rep[c]
            length = lengths[i]
            if hashes[r] == h and lengths[r] == length and first[r] == first[i] and last[r] == last[i]:
                same = True
                if length > 16:  # the middle bytes are not in the key: compare them
                    start = np.int64(offsets[j])
                    other = np.int64(offsets[bit_offset + r])
                    k = np.int64(8)
                    while k < length - 8:
                        m = min(np.int64(8), length - 8 - k)
                        if _word(words, other + k, m) != _word(words, start + k, m):
                            same = False
                            break
                        k += 8
                if same:
                    break
            pos = (pos + 1) & mask
        codes[i] = c
    return codes, n_unique, saw_missing


def _arrow_string_chunks(series: pd.Series):
    """The Arrow string array behind a pandas string column, as one chunk, or None."""
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    array = series.array
    if not hasattr(array, "__arrow_array__"):
        return None
    try:
        chunked = array.__arrow_array__()
    except Exception:  # noqa: BLE001 - any failure just means "use the general path"
        return None
    if isinstance(chunked, pa.ChunkedArray):
        chunked = chunked.combine_chunks() if chunked.num_chunks != 1 else chunked.chunk(0)
    if not (pa.types.is_string(chunked.type) or pa.types.is_large_string(chunked.type)):
        return None
    return chunked


def _encode_arrow_strings(series: pd.Series) -> EncodedColumn | None:
    """Arrow-backed strings, from the Arrow buffers: short ones packed into integers (in
    parallel for big columns), longer ones keyed by length and first/last words."""
    import pyarrow as pa

    chunk = _arrow_string_chunks(series)
    if chunk is None:
        return None
    n = len(chunk)
    if n == 0:
        return EncodedColumn(np.zeros(0, dtype=np.int8), 1, None, False)
    validity, offsets_buf, data_buf = chunk.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64 if pa.types.is_large_string(chunk.type) else np.int32)
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(1, np.uint8)
    valid = np.frombuffer(validity, dtype=np.uint8) if validity is not None else np.zeros(1, np.uint8)
    head = offsets[chunk.offset:chunk.offset + min(n, 256) + 1]
    short = bool((np.diff(head) <= 7).all())  # a long string early on: skip the packing attempt
    keys = np.empty(n if short else 0, dtype=np.int64)
    mask = np.empty(n if short else 0, dtype=np.bool_)
    if short and _pack_short_strings(offsets, data, valid, validity is not None, chunk.offset, n, keys, mask):
        codes, n_unique, saw_missing, _ = hash_factorize_int64(keys, mask, True)
    else:
        del keys, mask
        words = np.zeros(len(data) // 8 + 2, dtype=np.uint64)  # padded copy, read word-wise
        words.view(np.uint8)[: len(data)] = data
        codes, n_unique, saw_missing = _factorize_arrow_strings(
            offsets, words, valid, validity is not None, chunk.offset, n
        )
        if saw_missing:
            codes[codes < 0] = n_unique
    cardinality = max(int(n_unique) + (1 if saw_missing else 0), 1)
    return EncodedColumn(codes.astype(_smallest_code_dtype(cardinality), copy=False), cardinality, None, False)


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
    if pd.api.types.is_string_dtype(dtype) and not numeric_like:
        fast = _encode_arrow_strings(series)
        if fast is not None:
            return fast
    codes, uniques = pd.factorize(series, sort=False, use_na_sentinel=True)
    if n == 0:
        return EncodedColumn(np.zeros(0, dtype=np.int8), 1, None, False)
    return _encode_factorized(np.asarray(codes), uniques, want_order and numeric_like)



def encode_columns(df: pd.DataFrame, names, *, want_order: bool = False) -> list[EncodedColumn]:
    """:func:`encode_column` for several columns (one after the other: threads were measured
    to be slower on small frames, and big frames already use every core inside each kernel).

    >>> [e.cardinality for e in encode_columns(pd.DataFrame({"a": [1, 2], "b": ["x", "x"]}), ["a", "b"])]
    [2, 1]
    """
    return [encode_column(df[c], want_order=want_order) for c in names]

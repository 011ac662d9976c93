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
* Arrow strings (pandas' default string dtype), read from the Arrow buffers in numba with
  unaligned word loads: keyed by length and first, last and middle 8 bytes (the whole
  string up to 24 bytes; the rest compared for longer ones);
* anything else (Python strings, objects, periods, ...): ``pandas.factorize``.

Codes are not necessarily dense (an offset code leaves gaps where a value in the range does
not occur, a categorical keeps unused categories); the kernels only need the bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np
import pandas as pd
from llvmlite import ir as llvm_ir
from numba.core.extending import intrinsic

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


@nb.njit(cache=True, nogil=True)
def _divisor_parts(g):
    """(shift, inverse of the odd part mod 2**64, largest multiple quotient) of g > 0 (uint64).

    A multiple d of g is divided exactly by ``((d >> shift) * inverse)`` (no division
    instruction), and a uint64 d is a multiple of g exactly when its low ``shift`` bits are
    zero and that product is at most the third value.
    """
    shift = np.uint64(0)
    while (g >> shift) & np.uint64(1) == np.uint64(0):
        shift += np.uint64(1)
    odd = g >> shift
    inverse = odd  # right to 3 bits; each Newton step doubles the correct bits
    for _ in range(5):
        inverse *= np.uint64(2) - odd * inverse
    return shift, inverse, np.uint64(0xFFFFFFFFFFFFFFFF) // odd


@dual()
def _min_max_gcd(values, missing_value, has_missing_value):
    """Minimum, maximum, gcd of the differences, whether any value is present, whether any
    is missing, in one pass over the non-missing values.

    The gcd of the differences to any one value is the gcd of the differences to the
    minimum, so each chunk measures them from its first value and the chunks are joined by
    the differences of their first values. Differences are unsigned (exact for any int64
    range) and tested for divisibility by multiplying with the inverse of the current gcd:
    no division per value (the gcd settles on the common step, a day for dates stored in
    micro- or nanoseconds, after a few values).
    """
    n = values.shape[0]
    n_chunks = 16
    chunk = (n + n_chunks - 1) // n_chunks
    los = np.zeros(n_chunks, dtype=np.int64)
    his = np.zeros(n_chunks, dtype=np.int64)
    firsts = np.zeros(n_chunks, dtype=np.int64)
    gcds = np.zeros(n_chunks, dtype=np.uint64)
    seens = np.zeros(n_chunks, dtype=np.bool_)
    missings = np.zeros(n_chunks, dtype=np.bool_)
    for t in nb.prange(n_chunks):
        lo = np.int64(0)
        hi = np.int64(0)
        first = np.int64(0)
        g = np.uint64(0)
        shift = np.uint64(0)
        inverse = np.uint64(1)
        limit = np.uint64(0)
        low_bits = np.uint64(0)
        seen = False
        missing = False
        for i in range(t * chunk, min(n, (t + 1) * chunk)):
            v = np.int64(values[i])
            if has_missing_value and v == missing_value:
                missing = True
                continue
            if not seen:
                lo = v
                hi = v
                first = v
                seen = True
                continue
            if v < lo:
                lo = v
            elif v > hi:
                hi = v
            if g == np.uint64(1):
                continue
            d = np.uint64(v) - np.uint64(first) if v >= first else np.uint64(first) - np.uint64(v)
            if d == np.uint64(0):
                continue
            if g == np.uint64(0) or (d & low_bits) != np.uint64(0) or (d >> shift) * inverse > limit:
                g = _gcd(g, d) if g != np.uint64(0) else d
                shift, inverse, limit = _divisor_parts(g)
                low_bits = (np.uint64(1) << shift) - np.uint64(1)
        los[t] = lo
        his[t] = hi
        firsts[t] = first
        gcds[t] = g
        seens[t] = seen
        missings[t] = missing
    seen = False
    missing = False
    lo = np.int64(0)
    hi = np.int64(-1)
    ref = np.int64(0)
    g = np.uint64(0)
    for t in range(n_chunks):
        missing |= missings[t]
        if not seens[t]:
            continue
        if not seen:
            lo = los[t]
            hi = his[t]
            ref = firsts[t]
            seen = True
        else:
            lo = min(lo, los[t])
            hi = max(hi, his[t])
            f = firsts[t]
            d = np.uint64(f) - np.uint64(ref) if f >= ref else np.uint64(ref) - np.uint64(f)
            g = _gcd(g, d) if g != np.uint64(0) else d
        g = _gcd(g, gcds[t]) if g != np.uint64(0) else gcds[t]
    if g == np.uint64(0):
        g = np.uint64(1)
    return lo, hi, g, seen, missing


@dual()
def _offset_codes(values, lo, shift, inverse, missing_value, has_missing_value, missing_code, out):
    """(value - lo) / step for every value (exact: an unsigned shift and multiply)."""
    base = np.uint64(lo)
    for i in nb.prange(values.shape[0]):
        v = np.int64(values[i])
        if has_missing_value and v == missing_value:
            out[i] = missing_code
        else:
            out[i] = ((np.uint64(v) - base) >> shift) * inverse


@dual()
def _offset_codes_masked(values, mask, lo, shift, inverse, missing_code, out):
    base = np.uint64(lo)
    for i in nb.prange(values.shape[0]):
        if mask[i]:
            out[i] = missing_code
        else:
            out[i] = ((np.uint64(np.int64(values[i])) - base) >> shift) * inverse


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


@intrinsic
def _load_word(typingctx, data, pos):
    """The 8 bytes ``data[pos:pos + 8]`` as one little-endian uint64 (an unaligned load).

    The caller guarantees ``pos + 8 <= len(data)``.
    """
    sig = nb.types.uint64(data, nb.types.int64)

    def codegen(context, builder, signature, args):
        array = context.make_array(signature.args[0])(context, builder, args[0])
        address = builder.gep(array.data, [args[1]])
        return builder.load(builder.bitcast(address, llvm_ir.IntType(64).as_pointer()), align=1)

    return sig, codegen


@nb.njit(cache=True, nogil=True, inline="always")
def _low_bytes(n_bytes):
    """Mask of the low ``n_bytes`` (0 to 8) bytes; two shifts so that 8 needs no 64-bit shift."""
    half = np.uint64(n_bytes) << np.uint64(2)
    return ((np.uint64(1) << half) << half) - np.uint64(1)


@nb.njit(cache=True, nogil=True)
def _tail_word(data, start, length):
    """A string of fewer than 8 bytes too close to the buffer's end for a word load."""
    word = np.uint64(0)
    for k in range(length):
        word |= np.uint64(data[start + k]) << np.uint64(8 * k)
    return word


@nb.njit(cache=True, nogil=True, inline="always")
def _slot_key(first, last, middle, length):
    """The one-word key kept in a hash slot: the string itself below 8 bytes (bytes and
    length, top byte < 8), else a 56-bit hash of its key tagged by the top bit."""
    if length < 8:
        return np.int64(first | (np.uint64(length) << np.uint64(56)))
    h = (first ^ (np.uint64(length) << np.uint64(56))) * np.uint64(0x9E3779B97F4A7C15)
    h += (last ^ (middle << np.uint64(7))) * np.uint64(0xC2B2AE3D27D4EB4F)
    return np.int64((h >> np.uint64(8)) | (np.uint64(1) << np.uint64(63)))


@nb.njit(cache=True, nogil=True, inline="always")
def _slot_of(key, shift):
    z = np.uint64(key)
    z ^= z >> np.uint64(29)
    return np.int64((z * np.uint64(0xBF58476D1CE4E5B9)) >> shift)


@nb.njit(cache=True, nogil=True)
def _same_string_tail(data, start, other, length):
    """Bytes [16, length - 8) of two strings of equal length > 24 (the rest is in the key)."""
    k = np.int64(16)
    while k < length - 8:
        if _load_word(data, start + k) != _load_word(data, other + k):
            return False
        k += 8
    return True


@nb.njit(cache=True, nogil=True)
def _string_table(keys, n_unique, bits):
    """Hash slots (slot key, code; code -1 when empty) of 2**bits for the first n_unique keys."""
    capacity = 1 << bits
    mask = capacity - 1
    shift = np.uint64(64 - bits)
    slots = np.full(2 * capacity, -1, dtype=np.int64)
    for c in range(n_unique):
        key = _slot_key(keys[c, 0], keys[c, 1], keys[c, 2], np.int64(keys[c, 3]))
        q = _slot_of(key, shift)
        while slots[2 * q + 1] >= 0:
            q = (q + 1) & mask
        slots[2 * q] = key
        slots[2 * q + 1] = c
    return slots


@nb.njit(cache=True, nogil=True)
def _string_codes(offsets, data, validity, has_validity, bit_offset, n, codes):
    """Codes in order of first appearance for the n rows of an Arrow string array.

    A string's key is its length and its first, last and middle 8 bytes, which is the whole
    string up to 24 bytes; longer strings with equal keys compare the rest. Words are read
    with unaligned loads straight from the Arrow data buffer. A hash slot holds one word and
    the code: for strings below 8 bytes the word is the string itself (no further check),
    for longer ones a hash, confirmed against the code's full key in ``keys``. The table
    doubles at half load. The key computation is written out in the loop, not called: numba
    inlining a tuple-returning helper made this loop three times slower.

    ``codes`` receives the codes, -1 for a missing row. Returns (number of codes, whether a
    row is missing, the row of each code's first appearance).
    """
    data_len = data.shape[0]
    bits = 10
    n_unique = 0
    saw_missing = False
    keys = np.empty((1 << (bits - 1), 4), dtype=np.uint64)  # first, last, middle, length
    reps = np.empty(1 << (bits - 1), dtype=np.int64)  # a row of each code
    i = 0
    while i < n:
        capacity = 1 << bits
        mask = capacity - 1
        shift = np.uint64(64 - bits)
        limit = (capacity * 2) // 3  # up to two thirds full: a smaller table stays in cache
        if keys.shape[0] < limit:
            grown = np.empty((limit, 4), dtype=np.uint64)
            grown[:n_unique] = keys[:n_unique]
            keys = grown
            grown_reps = np.empty(limit, dtype=np.int64)
            grown_reps[:n_unique] = reps[:n_unique]
            reps = grown_reps
        slots = _string_table(keys, n_unique, bits)
        while i < n:
            j = bit_offset + i
            if has_validity and (validity[j >> 3] >> (j & 7)) & 1 == 0:
                codes[i] = -1
                saw_missing = True
                i += 1
                continue
            start = np.int64(offsets[j])
            length = np.int64(offsets[j + 1]) - start
            middle = np.uint64(0)
            if length >= 8:
                first = _load_word(data, start)
                last = _load_word(data, start + length - 8)
                if length > 16:
                    middle = _load_word(data, start + 8) & _low_bytes(min(np.int64(8), length - 16))
                h = (first ^ (np.uint64(length) << np.uint64(56))) * np.uint64(0x9E3779B97F4A7C15)
                h += (last ^ (middle << np.uint64(7))) * np.uint64(0xC2B2AE3D27D4EB4F)
                key = np.int64((h >> np.uint64(8)) | (np.uint64(1) << np.uint64(63)))
            else:
                if start + 8 <= data_len:
                    first = _load_word(data, start) & _low_bytes(length)
                else:  # too close to the buffer's end for a word load
                    first = _tail_word(data, start, length)
                last = first
                key = np.int64(first | (np.uint64(length) << np.uint64(56)))
            z = np.uint64(key)
            z ^= z >> np.uint64(29)
            pos = np.int64((z * np.uint64(0xBF58476D1CE4E5B9)) >> shift)
            while True:
                c = slots[2 * pos + 1]
                if c < 0:
                    c = n_unique
                    slots[2 * pos] = key
                    slots[2 * pos + 1] = c
                    keys[c, 0] = first
                    keys[c, 1] = last
                    keys[c, 2] = middle
                    keys[c, 3] = np.uint64(length)
                    reps[c] = j
                    n_unique += 1
                    break
                if slots[2 * pos] == key:
                    if length < 8:
                        break
                    if (keys[c, 0] == first and keys[c, 1] == last and keys[c, 2] == middle
                            and keys[c, 3] == np.uint64(length)):
                        if length <= 24 or _same_string_tail(data, start, np.int64(offsets[reps[c]]), length):
                            break
                pos = (pos + 1) & mask
            codes[i] = c
            i += 1
            if n_unique >= limit:  # rebuild the slots at twice the size, go on
                bits += 1
                break
    return n_unique, saw_missing, reps[:n_unique]


@dual()
def _finish_codes(codes, missing_code, out):
    """``out`` (the smallest dtype) = codes with -1 replaced by ``missing_code``."""
    for i in nb.prange(codes.shape[0]):
        c = codes[i]
        out[i] = missing_code if c < 0 else c


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
    """Arrow-backed strings, factorized straight from the Arrow buffers (no copy)."""
    import pyarrow as pa

    chunk = _arrow_string_chunks(series)
    if chunk is None:
        return None
    n = len(chunk)
    if n == 0:
        return EncodedColumn(np.zeros(0, dtype=np.int8), 1, None, False)
    validity, offsets_buf, data_buf = chunk.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64 if pa.types.is_large_string(chunk.type) else np.int32)
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(8, np.uint8)
    valid = np.frombuffer(validity, dtype=np.uint8) if validity is not None else np.zeros(1, np.uint8)
    # one pass, serial: coding chunks in parallel and merging their tables cost 40% more
    # CPU, which a shared 2-core machine does not have to spare
    codes = np.empty(n, dtype=np.int32 if n < 2**31 else np.int64)
    n_unique, saw_missing, _ = _string_codes(offsets, data, valid, validity is not None, chunk.offset, n, codes)
    cardinality = max(int(n_unique) + (1 if saw_missing else 0), 1)
    out = np.empty(n, dtype=_smallest_code_dtype(cardinality))
    _finish_codes(codes, n_unique, out)
    return EncodedColumn(out, cardinality, None, False)


# ----------------------------------------------------------------------------- dtype routes


_INT8_MAX, _INT16_MAX, _INT32_MAX = 127, 32767, 2147483647


def _smallest_code_dtype(cardinality: int) -> np.dtype:
    if cardinality <= _INT8_MAX:
        return np.dtype(np.int8)
    if cardinality <= _INT16_MAX:
        return np.dtype(np.int16)
    if cardinality <= _INT32_MAX:
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
        has_missing = bool(mask.any())
        present = values[~mask] if has_missing else values
        lo, hi, step, seen, _ = _min_max_gcd(present, np.int64(0), False)
    else:
        sentinel = np.int64(missing_value if missing_value is not None else 0)
        lo, hi, step, seen, has_missing = _min_max_gcd(values, sentinel, missing_value is not None)
    if not seen:  # every value missing: one category
        return EncodedColumn(np.zeros(n, dtype=np.int8), 1, np.zeros(1, dtype=np.int64), want_order)
    step = int(step)
    span = (int(hi) - int(lo)) // step + 1
    if span <= max(_OFFSET_ALWAYS, _OFFSET_RANGE_PER_ROW * n):
        cardinality = span + (1 if has_missing else 0)
        out = np.empty(n, dtype=_smallest_code_dtype(cardinality))
        # exact division by the step: shift out its power of two, multiply by the inverse
        # of its odd part modulo 2**64
        shift = (step & -step).bit_length() - 1
        inverse = np.uint64(pow(step >> shift, -1, 1 << 64))
        shift = np.uint64(shift)
        if mask is not None:
            _offset_codes_masked(values, mask, lo, shift, inverse, span, out)
        else:
            _offset_codes(values, lo, shift, inverse, sentinel, missing_value is not None, span, out)
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
    # the commonest dtypes first, without pandas' (slow, general) dtype predicates
    if type(dtype) is pd.StringDtype:
        fast = _encode_arrow_strings(series)
        return fast if fast is not None else _encode_by_pandas(series, want_order, numeric_like=False)
    if type(dtype) is np.dtype and dtype.kind in "iu" and dtype != np.uint64:
        return _encode_int64_view(series.to_numpy(), None, None, want_order)
    n = len(series)
    if isinstance(dtype, pd.CategoricalDtype):
        cat_codes = np.asarray(series.array.codes)  # the Categorical's own codes (no accessor, no copy)
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
    return _encode_by_pandas(series, want_order, numeric_like)


def _encode_by_pandas(series: pd.Series, want_order: bool, numeric_like: bool) -> EncodedColumn:
    codes, uniques = pd.factorize(series, sort=False, use_na_sentinel=True)
    if len(series) == 0:
        return EncodedColumn(np.zeros(0, dtype=np.int8), 1, None, False)
    return _encode_factorized(np.asarray(codes), uniques, want_order and numeric_like)


def encode_columns(df: pd.DataFrame, names, *, want_order: bool = False) -> list[EncodedColumn]:
    """:func:`encode_column` for several columns (one after the other: threads were measured
    to be slower on small frames, and big frames already use every core inside each kernel).

    >>> [e.cardinality for e in encode_columns(pd.DataFrame({"a": [1, 2], "b": ["x", "x"]}), ["a", "b"])]
    [2, 1]
    """
    return [encode_column(df[c], want_order=want_order) for c in names]

"""Semi-join encoding: an auxiliary column translated straight into released value ids.

A column compared without a hierarchy only needs to know, for every auxiliary row, which
released value it equals (if any) and whether it is missing; its own distinct values never
matter. So instead of factorizing the (large) auxiliary column, the released table's
distinct values go into a small hash table and every auxiliary row is looked up in it, in
parallel, straight from its storage: Arrow string buffers (chunk by chunk, strings of any
length), int64 views of integers and datetimes, category codes.

The result uses the code layout of :class:`deid.risk._linkage._LinkColumn`: code 0 for a
value no released record holds, ``1 + id`` for released value ``id``, ``n_values + 1`` for a
missing value. Unsupported dtypes return ``None`` and take the general route (factorize the
column, then match its distinct values).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np
import pandas as pd

from deid.risk._encode import _load_word, _low_bytes, _mix64, _slot_of, _tail_word
from deid.risk._jit import PARALLEL_MIN_ROWS, dual
from deid.risk._linkage_values import match_values, value_kind

_INT64_MIN = np.iinfo(np.int64).min


@dataclass(frozen=True)
class Translated:
    """Auxiliary codes in the released id space (see the module docstring)."""

    codes: np.ndarray
    n_values: int
    n_missing: int

    @property
    def cardinality(self) -> int:
        return self.n_values + 2

    @property
    def missing_code(self) -> int:
        return self.n_values + 1 if self.n_missing else -1

    def mapping(self) -> np.ndarray:
        """Code -> released value id (-1 for 'no such released value' and for missing)."""
        out = np.full(self.cardinality, -1, dtype=np.int64)
        out[1 : self.n_values + 1] = np.arange(self.n_values)
        return out


# ----------------------------------------------------------------------------- kernels


@nb.njit(cache=True, nogil=True, inline="always")
def _string_key(data, data_len, start, length):
    """An int64 key per string: strings of at most 7 bytes packed with their length in the top
    byte (exact: equal keys are equal strings), longer ones a hash of their length and first
    and last 8 bytes with the sign bit set (never equal to a packed key; a hit is confirmed
    byte by byte). Words are read with unaligned loads from the Arrow data buffer."""
    if length <= 7:
        if start + 8 <= data_len:
            word = _load_word(data, start) & _low_bytes(length)
        else:  # too close to the buffer's end for a word load
            word = _tail_word(data, start, length)
        return np.int64(word | (np.uint64(length) << np.uint64(56)))
    first = _load_word(data, start)
    last = _load_word(data, start + length - 8)
    h = (first ^ (np.uint64(length) << np.uint64(56))) * np.uint64(0x9E3779B97F4A7C15)
    h += last * np.uint64(0xC2B2AE3D27D4EB4F)
    return np.int64((h >> np.uint64(1)) | np.uint64(0x8000000000000000))


@nb.njit(cache=True, nogil=True)
def _collision_free_bits(keys, bits, max_bits):
    """The smallest table size (bits >= ``bits``, at most ``max_bits``) in which no two keys
    share a home slot, or ``bits`` when there is none: then every key present is found at its
    first probe, a branch the CPU predicts (a collision between two frequent values, such as
    'F' and 'M', costs a misprediction on half the rows)."""
    for b in range(bits, max_bits + 1):
        shift = np.uint64(64 - b)
        used = np.zeros(1 << b, dtype=np.bool_)
        clash = False
        for i in range(keys.shape[0]):
            pos = _slot_of(keys[i], shift)
            if used[pos]:
                clash = True
                break
            used[pos] = True
        if not clash:
            return b
    return bits


@nb.njit(cache=True, nogil=True)
def build_string_table(offsets, data):
    """Open-addressing table of the (distinct) target strings: key and target index side by
    side (slot s at [2s, 2s+1]), so a probe reads one cache line. Up to two thirds full (a
    smaller table stays in cache: the probes are what cost); a few targets get a table large
    enough that none of them collides (see ``_collision_free_bits``)."""
    n = offsets.shape[0] - 1
    data_len = np.int64(data.shape[0])
    keys = np.empty(n, dtype=np.int64)
    for t in range(n):
        start = np.int64(offsets[t])
        keys[t] = _string_key(data, data_len, start, np.int64(offsets[t + 1]) - start)
    bits = 4
    while 2 * (1 << bits) < 3 * n:
        bits += 1
    if n <= 1024:  # tables of at most 2**14 slots (256 KiB)
        bits = _collision_free_bits(keys, bits, min(bits + 6, 14))
    capacity = 1 << bits
    mask = capacity - 1
    shift = np.uint64(64 - bits)
    table = np.full(2 * capacity + 1, -1, dtype=np.int64)
    table[2 * capacity] = bits  # the table's size travels with it
    for t in range(n):
        key = keys[t]
        pos = _slot_of(key, shift)
        while table[2 * pos + 1] != -1:
            pos = (pos + 1) & mask
        table[2 * pos] = key
        table[2 * pos + 1] = t
    return table


@dual()
def translate_strings(offsets, data, validity, has_validity, bit_offset, n, table, t_offsets, t_data,
                      missing_code, out):
    """out[i] = 1 + index of the target equal to string i, 0 when none, missing_code if null."""
    bits = table[table.shape[0] - 1]
    mask = (np.int64(1) << bits) - 1
    shift = np.uint64(64 - bits)
    data_len = np.int64(data.shape[0])
    for i in nb.prange(n):
        j = bit_offset + i
        if has_validity and (validity[j >> 3] >> (j & 7)) & 1 == 0:
            out[i] = missing_code
            continue
        start = np.int64(offsets[j])
        length = np.int64(offsets[j + 1]) - start
        key = _string_key(data, data_len, start, length)
        pos = _slot_of(key, shift)
        code = 0
        while True:
            t = table[2 * pos + 1]
            if t == -1:
                break
            if table[2 * pos] == key:
                if length <= 7:
                    code = t + 1
                    break
                t_start = np.int64(t_offsets[t])
                if np.int64(t_offsets[t + 1]) - t_start == length and _same_bytes(t_data, t_start, data, start,
                                                                                   length):
                    code = t + 1
                    break
            pos = (pos + 1) & mask
        out[i] = code


@nb.njit(cache=True, nogil=True, inline="always")
def _same_bytes(a, a_start, b, b_start, length):
    """Whether a[a_start:a_start+length] == b[b_start:b_start+length], for length >= 8: word
    by word with unaligned loads, the last word overlapping (both strings lie inside their
    buffers, so every load does)."""
    k = np.int64(0)
    while k < length - 8:
        if _load_word(a, a_start + k) != _load_word(b, b_start + k):
            return False
        k += 8
    return _load_word(a, a_start + length - 8) == _load_word(b, b_start + length - 8)


@nb.njit(cache=True, nogil=True)
def build_int_table(values):
    """Open-addressing table of distinct int64 targets: (slot keys, slot target index)."""
    n = values.shape[0]
    capacity = 16
    while capacity < 2 * n:
        capacity *= 2
    mask = capacity - 1
    keys = np.zeros(capacity, dtype=np.int64)
    ids = np.full(capacity, -1, dtype=np.int64)
    for t in range(n):
        k = values[t]
        pos = np.int64(_mix64(k) & np.uint64(mask))
        while ids[pos] != -1:
            pos = (pos + 1) & mask
        keys[pos] = k
        ids[pos] = t
    return keys, ids


@dual()
def translate_ints_dense(values, missing, use_missing, sentinel, use_sentinel, lo, span_minus_1, step, shift,
                         inverse, dense, missing_code, out):
    """out[i] = dense[(values[i] - lo) / step] when values[i] is lo + q * step with q in range
    (the targets span few steps: a direct-address table, no hashing), 0 otherwise,
    missing_code when missing. Returns the number of missing rows."""
    n_missing = 0
    base = np.uint64(lo)
    top = np.uint64(span_minus_1)
    for i in nb.prange(values.shape[0]):
        k = np.int64(values[i])
        if (use_missing and missing[i]) or (use_sentinel and k == sentinel):
            out[i] = missing_code
            n_missing += 1
            continue
        d = np.uint64(k) - base
        q = (d >> shift) * inverse  # exact when d is a multiple of step
        if q <= top and q * step == d:
            out[i] = dense[q]
        else:
            out[i] = 0
    return n_missing


@dual()
def translate_ints(values, missing, use_missing, sentinel, use_sentinel, slot_keys, slot_ids, missing_code, out):
    """out[i] = 1 + target index of values[i], 0 when absent, missing_code when missing
    (a True in ``missing``, or the ``sentinel`` value such as NaT)."""
    mask = slot_ids.shape[0] - 1
    for i in nb.prange(values.shape[0]):
        k = np.int64(values[i])
        if (use_missing and missing[i]) or (use_sentinel and k == sentinel):
            out[i] = missing_code
            continue
        pos = np.int64(_mix64(k) & np.uint64(mask))
        code = 0
        while True:
            t = slot_ids[pos]
            if t == -1:
                break
            if slot_keys[pos] == k:
                code = t + 1
                break
            pos = (pos + 1) & mask
        out[i] = code


# ----------------------------------------------------------------------------- per dtype


def _run_chunks(kernel, jobs, n_rows: int) -> None:
    """Run a dual kernel over the chunks of a column: one big chunk in parallel, many small
    ones (Parquet row groups) serially on a few threads at once (the kernels release the GIL)."""
    if len(jobs) <= 1 or n_rows < PARALLEL_MIN_ROWS:
        for job in jobs:
            kernel.for_rows(job[5])(*job)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=max(1, min(len(jobs), nb.get_num_threads()))) as pool:
        list(pool.map(lambda job: kernel.serial(*job), jobs))


def _arrow_chunks(series: pd.Series):
    import pyarrow as pa

    array = series.array
    if not hasattr(array, "__arrow_array__"):
        return None
    try:
        chunked = array.__arrow_array__()
    except Exception:  # noqa: BLE001 - any failure means "take the general route"
        return None
    chunks = chunked.chunks if isinstance(chunked, pa.ChunkedArray) else [chunked]
    if not all(pa.types.is_string(c.type) or pa.types.is_large_string(c.type) for c in chunks):
        return None
    return chunks


def _translate_strings(series: pd.Series, targets: pd.Index, target_kind: str, out: np.ndarray) -> Translated | None:
    import pyarrow as pa

    if target_kind not in ("text", "mixed", "empty"):
        return None
    chunks = _arrow_chunks(series)
    if chunks is None:
        return None
    target_values = np.asarray(targets, dtype=object) if len(targets) else np.zeros(0, dtype=object)
    is_text = np.array([isinstance(v, str) for v in target_values], dtype=bool)
    text_ids = np.flatnonzero(is_text)
    target_array = pa.array(list(target_values[is_text]), type=pa.large_string())
    _, t_offsets_buf, t_data_buf = target_array.buffers()
    t_offsets = np.frombuffer(t_offsets_buf, dtype=np.int64)[: len(target_array) + 1] if len(target_array) \
        else np.zeros(1, dtype=np.int64)
    t_data = np.frombuffer(t_data_buf, dtype=np.uint8) if t_data_buf is not None and t_data_buf.size \
        else np.zeros(1, dtype=np.uint8)
    table = build_string_table(t_offsets, t_data)
    n_values = len(targets)
    missing_code = n_values + 1
    local = out
    jobs = []
    at = 0
    n_missing = 0
    for chunk in chunks:
        n = len(chunk)
        if n == 0:
            continue
        validity, offsets_buf, data_buf = chunk.buffers()
        offsets = np.frombuffer(offsets_buf, dtype=np.int64 if pa.types.is_large_string(chunk.type) else np.int32)
        data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None and data_buf.size \
            else np.zeros(1, dtype=np.uint8)
        valid = np.frombuffer(validity, dtype=np.uint8) if validity is not None else np.zeros(1, dtype=np.uint8)
        jobs.append((offsets, data, valid, validity is not None, chunk.offset, n, table, t_offsets, t_data,
                     missing_code, local[at : at + n]))
        n_missing += chunk.null_count
        at += n
    _run_chunks(translate_strings, jobs, at)
    if at != len(series):  # pragma: no cover - chunks always cover the column
        return None
    if len(text_ids) != n_values:  # only some targets are text: their index -> target id
        lookup = np.concatenate([[0], text_ids + 1, np.full(n_values - len(text_ids) + 1, missing_code)])
        local[...] = lookup[local]
    return Translated(local, n_values, int(n_missing))


def _int_targets(targets: pd.Index, target_kind: str, unit: str | None) -> tuple[np.ndarray, np.ndarray] | None:
    """The targets as exact int64 values (in ``unit`` for datetimes) and their target ids."""
    ids = np.arange(len(targets), dtype=np.int64)
    if target_kind in ("datetime", "datetime_tz"):
        if not isinstance(targets, pd.DatetimeIndex) or unit is None:
            return None
        try:
            converted = targets.as_unit(unit)
        except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
            return None
        exact = np.asarray(converted.as_unit(targets.unit) == targets)  # finer values cannot match
        return converted.asi8[exact], ids[exact]
    if target_kind == "number":
        values = np.asarray(targets)
        if values.dtype.kind in "iu":
            if values.dtype == np.uint64 and len(values) and values.max() > np.iinfo(np.int64).max:
                return None
            return values.astype(np.int64), ids
        if values.dtype.kind == "f":
            exact = np.isfinite(values) & (values == np.round(values)) & (np.abs(values) < 2.0**62)
            return values[exact].astype(np.int64), ids[exact]
    return None


def _translate_ints(series: pd.Series, targets: pd.Index, target_kind: str, out: np.ndarray) -> Translated | None:
    dtype = series.dtype
    missing = np.zeros(1, dtype=bool)
    use_missing = False
    sentinel, use_sentinel, unit = np.int64(0), False, None
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        if target_kind != "number" or (dtype == np.uint64 and len(series) and series.max() > np.iinfo(np.int64).max):
            return None
        values = series.to_numpy()
    elif isinstance(dtype, np.dtype) and dtype.kind == "M":
        if target_kind != "datetime":
            return None
        unit = np.datetime_data(dtype)[0]
        values = series.to_numpy().view(np.int64)
        sentinel, use_sentinel = np.int64(_INT64_MIN), True
    elif isinstance(dtype, pd.DatetimeTZDtype):
        if target_kind != "datetime_tz":
            return None
        unit = dtype.unit
        values = np.asarray(series.array.asi8)  # UTC instants
        sentinel, use_sentinel = np.int64(_INT64_MIN), True
    elif pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype) and \
            not isinstance(dtype, (np.dtype, pd.CategoricalDtype)):
        if target_kind != "number":
            return None
        missing = series.isna().to_numpy()
        use_missing = bool(missing.any())
        values = series.to_numpy(dtype=np.int64, na_value=0)
    else:
        return None
    found = _int_targets(targets, target_kind, unit)
    if found is None:
        return None
    target_values, target_ids = found
    n_values = len(targets)
    missing_code = n_values + 1
    dense = _dense_targets(target_values, target_ids)
    if dense is not None:  # few steps between the smallest and largest target: direct address
        lo, step, table = dense
        shift = (step & -step).bit_length() - 1
        inverse = pow(step >> shift, -1, 1 << 64)
        n_missing = translate_ints_dense.for_rows(len(series))(
            values, missing, use_missing, sentinel, use_sentinel, np.int64(lo), np.uint64(table.shape[0] - 1),
            np.uint64(step), np.uint64(shift), np.uint64(inverse), table, np.int32(missing_code), out)
        return Translated(out, n_values, int(n_missing))
    slot_keys, slot_ids = build_int_table(target_values)
    translate_ints.for_rows(len(series))(values, missing, use_missing, sentinel, use_sentinel, slot_keys, slot_ids,
                                         missing_code, out)
    if len(target_ids) != n_values:  # some targets cannot match: table index -> target id
        lookup = np.concatenate([[0], target_ids + 1, np.full(n_values - len(target_ids) + 1, missing_code)])
        out[...] = lookup[out]
    return Translated(out, n_values, int(np.count_nonzero(out == missing_code)))


_DENSE_MAX_SPAN = 1 << 20


def _dense_targets(values: np.ndarray, ids: np.ndarray):
    """(lo, step, table) with table[(v - lo) / step] = 1 + id of target v (0 elsewhere) when
    the targets span at most _DENSE_MAX_SPAN steps of their common step; else None."""
    if values.shape[0] == 0:
        return None
    lo, hi = int(values.min()), int(values.max())
    if hi == lo:
        step = 1
    else:
        offsets = values.astype(np.int64) - np.int64(lo)  # exact: the span fits below 2**63 here
        if hi - lo >= 1 << 62:
            return None
        step = int(np.gcd.reduce(offsets[offsets > 0]))
    span = (hi - lo) // step + 1
    if span > max(_DENSE_MAX_SPAN, 4 * values.shape[0]) or span > 1 << 26:
        return None
    table = np.zeros(span, dtype=np.int32)
    table[(values.astype(np.int64) - np.int64(lo)) // step] = ids.astype(np.int32) + 1
    return lo, step, table


def _translate_categorical(series: pd.Series, targets: pd.Index, target_kind: str,
                           out: np.ndarray) -> Translated | None:
    categories = pd.Series(series.cat.categories)
    kind = value_kind(categories)
    ids = match_values(targets, target_kind, categories, kind)
    if ids is None:
        return None
    n_values = len(targets)
    missing_code = n_values + 1
    lookup = np.concatenate([ids + 1, [missing_code]]).astype(out.dtype)  # code -1 -> last
    codes = series.cat.codes.to_numpy()
    np.take(lookup, codes, out=out, mode="wrap")  # -1 takes the last entry: missing
    return Translated(out, n_values, int(np.count_nonzero(codes < 0)))


def translate_column(series: pd.Series, targets: pd.Index, target_kind: str,
                     out: np.ndarray | None = None) -> Translated | None:
    """``series`` (auxiliary) in the released id space of ``targets``, or None when its dtype
    has no direct route here (the caller then factorizes it). The codes (int32) are written to
    ``out`` when given."""
    if out is None:
        out = np.empty(len(series), dtype=np.int32)
    if isinstance(series.dtype, pd.CategoricalDtype):
        return _translate_categorical(series, targets, target_kind, out)
    if isinstance(series.dtype, pd.StringDtype) or (isinstance(series.dtype, pd.ArrowDtype)):
        return _translate_strings(series, targets, target_kind, out)
    return _translate_ints(series, targets, target_kind, out)

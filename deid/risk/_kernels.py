"""numba kernels: integer codes -> equivalence classes -> class sizes and histograms.

The building blocks, reusable by the linkage attack and the lattice search that come later:

* :func:`group_codes` folds per-column codes into one mixed-radix int64 key per record (a
  column at a time; whenever the next radix would overflow 63 bits the partial key is first
  re-densified to at most ``n`` distinct ids, so any number of columns works), then assigns
  dense class ids in order of first appearance, with a direct-address table when the key
  space is small and an open-addressing hash table otherwise. It returns the class id of
  every record and the size of every class.
* :func:`size_histogram` turns class sizes into (size, number of classes of that size).
* :func:`gather_inverse_size` is the per-record risk 1/f.
* :func:`class_value_pairs` groups (class id, sensitive code) pairs into a compressed
  per-class histogram (CSR layout), the input of the l-diversity and t-closeness metrics.

Every kernel is a single pass (or two) over the rows; none allocates per class or per row
in Python.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from deid.risk._encode import _mix64
from deid.risk._jit import dual

# A key space is addressed directly (an int64 table with one entry per possible key) when it
# is at most 4 entries per row, or tiny; beyond that a sparse table costs more to allocate
# and touch than hashing the keys.
_DIRECT_SMALL = 1 << 16
_DIRECT_PER_ROW = 4
_MAX_RADIX = 1 << 62
# below this many rows a single hash table is as fast as partitioning
_PARTITION_MIN_ROWS = 1 << 20


@dual()
def _fold_first(codes, out):
    for i in nb.prange(codes.shape[0]):
        out[i] = np.int64(codes[i])


@dual()
def _fold_next(keys, codes, radix):
    for i in nb.prange(keys.shape[0]):
        keys[i] = keys[i] * radix + np.int64(codes[i])


@nb.njit(cache=True, nogil=True)
def _group_direct(keys, id_of_key, ids, sizes):
    """Dense ids (first appearance) for keys in [0, len(id_of_key)) with a direct table.

    ``id_of_key`` (-1 filled), ``ids`` and ``sizes`` (zeroed) come from the caller: numpy
    backs big arrays with huge pages, which numba's allocator does not (a page fault per
    4 KiB cost more than the pass). Returns the number of classes.
    """
    n_classes = 0
    for i in range(keys.shape[0]):
        k = keys[i]
        c = id_of_key[k]
        if c == -1:
            c = n_classes
            id_of_key[k] = c
            n_classes += 1
        ids[i] = c
        sizes[c] += 1
    return n_classes


@nb.njit(cache=True, nogil=True)
def _group_hashed(keys, table, ids, sizes):
    """Dense ids (first appearance) for arbitrary int64 keys with linear probing.

    Key and id share one table (slot s at [2s, 2s+1], ids -1 filled) so a probe touches one
    cache line; the table has a power-of-two number of slots, at least twice the number of
    distinct keys. Buffers come from the caller (see :func:`_group_direct`). Returns the
    number of classes.
    """
    mask = table.shape[0] // 2 - 1
    n_classes = 0
    for i in range(keys.shape[0]):
        k = keys[i]
        h = np.int64(_mix64(k) & np.uint64(mask))
        while True:
            c = table[2 * h + 1]
            if c == -1:
                c = n_classes
                table[2 * h] = k
                table[2 * h + 1] = c
                n_classes += 1
                break
            if table[2 * h] == k:
                break
            h = (h + 1) & mask
        ids[i] = c
        sizes[c] += 1
    return n_classes


def _used(buffer: np.ndarray, n_used: int) -> np.ndarray:
    """The first n_used entries of a buffer: a view when that is most of it, else a copy
    (so the rest of the buffer is released)."""
    return buffer[:n_used] if 2 * n_used >= buffer.shape[0] else buffer[:n_used].copy()


@dual()
def _group_partitioned(keys, part_bits, n_chunks, parts, packed, sizes, want_ids, ids, scratch, want_inverse,
                       inverse_size):
    """Dense ids for arbitrary int64 keys by radix-partitioned hashing.

    Keys are scattered into 2**part_bits partitions by the high bits of their hash (a
    streaming pass), then every partition is grouped with its own small hash table that
    stays in cache, partitions in parallel. Ids are numbered partition by partition, in
    order of first appearance within a partition.

    The result is written in row order by replaying the scatter: a row's place in its
    partition is the running count of its (chunk, partition) pair, and ``parts`` (uint16,
    n) remembers each row's partition, so no row-number array is kept and every output is
    written sequentially (a scatter back to row positions missed the cache on every row).
    Each partition entry (in ``packed``, n int64s) ends up holding its local class id and
    its class size packed in one int64, so the replay needs no other lookup.

    ``keys`` are not read after the scatter, so ``scratch`` (n int64s of working space) and
    ``inverse_size`` may be views of the keys' own memory. ``ids`` (int32 or int64) gets the
    class of every row when ``want_ids``; ``inverse_size`` gets 1 / (size of the row's
    class) when ``want_inverse`` (arrays of one element stand for "not wanted"). ``sizes``
    (n int64s) receives the class sizes. Every buffer comes from the caller (see
    :func:`_group_direct`). Returns the number of classes. Needs n < 2**31 (local ids and
    sizes are packed in 31 + 32 bits).
    """
    n = keys.shape[0]
    n_parts = 1 << part_bits
    shift = np.uint64(64 - part_bits)
    chunk = (n + n_chunks - 1) // n_chunks
    # 1. every row's partition, and partition sizes per chunk
    per_chunk = np.zeros((n_chunks, n_parts), dtype=np.int64)
    for t in nb.prange(n_chunks):
        lo = t * chunk
        hi = min(n, lo + chunk)
        for i in range(lo, hi):
            b = np.uint16(_mix64(keys[i]) >> shift)
            parts[i] = b
            per_chunk[t, b] += 1
    part_start = np.zeros(n_parts + 1, dtype=np.int64)
    write_at = np.zeros((n_chunks, n_parts), dtype=np.int64)
    running = 0
    for b in range(n_parts):
        part_start[b] = running
        for t in range(n_chunks):
            write_at[t, b] = running
            running += per_chunk[t, b]
    part_start[n_parts] = running
    read_at = write_at.copy()
    # 2. scatter keys into partition order (the last read of keys)
    for t in nb.prange(n_chunks):
        lo = t * chunk
        hi = min(n, lo + chunk)
        for i in range(lo, hi):
            b = parts[i]
            j = write_at[t, b]
            packed[j] = keys[i]
            write_at[t, b] = j + 1
    # 3. group every partition (key and id share a cache line in its table); the entry's
    # key is replaced by (local id << 32) | class size, the sizes go to scratch at the
    # partition's start
    n_local = np.zeros(n_parts, dtype=np.int64)
    for b in nb.prange(n_parts):
        lo = part_start[b]
        hi = part_start[b + 1]
        m = hi - lo
        if m == 0:
            continue
        bits = 4
        while (1 << bits) < 2 * m:
            bits += 1
        capacity = 1 << bits
        mask = capacity - 1
        table_shift = np.uint64(64 - bits)
        table = np.empty(2 * capacity, dtype=np.int64)
        for slot in range(capacity):
            table[2 * slot + 1] = -1
        count = 0
        for j in range(lo, hi):
            k = packed[j]
            h = np.int64((np.uint64(k) * np.uint64(0x9E3779B97F4A7C15)) >> table_shift)
            while True:
                c = table[2 * h + 1]
                if c == -1:
                    c = count
                    table[2 * h] = k
                    table[2 * h + 1] = c
                    scratch[lo + c] = 0
                    count += 1
                    break
                if table[2 * h] == k:
                    break
                h = (h + 1) & mask
            packed[j] = c
            scratch[lo + c] += 1
        for j in range(lo, hi):
            c = packed[j]
            packed[j] = (c << 32) | scratch[lo + c]
        n_local[b] = count
    base = np.zeros(n_parts + 1, dtype=np.int64)
    for b in range(n_parts):
        base[b + 1] = base[b] + n_local[b]
    for b in nb.prange(n_parts):
        g = base[b]
        lo = part_start[b]
        for c in range(n_local[b]):
            sizes[g + c] = scratch[lo + c]
    # 4. replay the scatter in row order: ids and 1/size, written sequentially
    if want_ids or want_inverse:
        low = np.int64(0xFFFFFFFF)
        for t in nb.prange(n_chunks):
            lo = t * chunk
            hi = min(n, lo + chunk)
            for i in range(lo, hi):
                b = parts[i]
                j = read_at[t, b]
                read_at[t, b] = j + 1
                v = packed[j]
                if want_ids:
                    ids[i] = base[b] + (v >> 32)
                if want_inverse:
                    inverse_size[i] = 1.0 / (v & low)
    return base[n_parts]


@dual()
def _group_partitioned_rows(keys, part_bits, n_chunks, rows, ids):
    """:func:`_group_partitioned` for 2**31 rows or more: row numbers scattered along.

    Keys are scattered into 2**part_bits partitions by the high bits of their hash (a
    streaming pass), then every partition is grouped with its own small hash table that
    stays in cache, partitions in parallel. Ids are numbered partition by partition, in
    order of first appearance within a partition. ``rows`` is scratch space and ``ids``
    the output (one int per row each, int32 when the row count allows).
    """
    n = keys.shape[0]
    n_parts = 1 << part_bits
    shift = np.uint64(64 - part_bits)
    chunk = (n + n_chunks - 1) // n_chunks
    # 1. partition sizes per chunk
    per_chunk = np.zeros((n_chunks, n_parts), dtype=np.int64)
    for t in nb.prange(n_chunks):
        lo = t * chunk
        hi = min(n, lo + chunk)
        for i in range(lo, hi):
            b = np.int64(_mix64(keys[i]) >> shift) if part_bits > 0 else 0
            per_chunk[t, b] += 1
    part_start = np.zeros(n_parts + 1, dtype=np.int64)
    write_at = np.zeros((n_chunks, n_parts), dtype=np.int64)
    running = 0
    for b in range(n_parts):
        part_start[b] = running
        for t in range(n_chunks):
            write_at[t, b] = running
            running += per_chunk[t, b]
    part_start[n_parts] = running
    # 2. scatter keys and their row numbers into partition order
    part_keys = np.empty(n, dtype=np.int64)
    for t in nb.prange(n_chunks):
        lo = t * chunk
        hi = min(n, lo + chunk)
        for i in range(lo, hi):
            k = keys[i]
            b = np.int64(_mix64(k) >> shift) if part_bits > 0 else 0
            j = write_at[t, b]
            part_keys[j] = k
            rows[j] = i
            write_at[t, b] = j + 1
    # 3. group every partition; part_keys[j] is overwritten by the local id of entry j
    n_local = np.zeros(n_parts, dtype=np.int64)
    for b in nb.prange(n_parts):
        lo = part_start[b]
        hi = part_start[b + 1]
        m = hi - lo
        if m == 0:
            continue
        capacity = 16
        while capacity < 2 * m:
            capacity *= 2
        mask = capacity - 1
        slot_keys = np.empty(capacity, dtype=np.int64)
        slot_ids = np.full(capacity, -1, dtype=np.int64)
        count = 0
        for j in range(lo, hi):
            k = part_keys[j]
            h = np.int64(_mix64(k) & np.uint64(mask))
            while True:
                c = slot_ids[h]
                if c == -1:
                    c = count
                    slot_keys[h] = k
                    slot_ids[h] = c
                    count += 1
                    break
                if slot_keys[h] == k:
                    break
                h = (h + 1) & mask
            part_keys[j] = c
        n_local[b] = count
    base = np.zeros(n_parts + 1, dtype=np.int64)
    for b in range(n_parts):
        base[b + 1] = base[b] + n_local[b]
    n_classes = base[n_parts]
    # 4. global ids back in row order, and the sizes
    sizes = np.zeros(n_classes, dtype=np.int64)
    for b in nb.prange(n_parts):
        lo = part_start[b]
        hi = part_start[b + 1]
        g = base[b]
        for j in range(lo, hi):
            c = g + part_keys[j]
            ids[rows[j]] = c
            sizes[c] += 1  # partitions own disjoint id ranges: no race
    return ids, sizes


def _densify(keys: np.ndarray, key_space: int, consume_keys: bool = False) -> tuple[np.ndarray, np.ndarray]:
    ids, sizes, _ = _densify_with(keys, key_space, want_ids=True, want_inverse=False, consume_keys=consume_keys)
    return ids, sizes


def _densify_with(keys: np.ndarray, key_space: int, *, want_ids: bool, want_inverse: bool, consume_keys: bool):
    """(ids or None, sizes, 1/size per row or None) of int64 keys in [0, key_space).

    With ``consume_keys`` the keys' memory may be reused (as scratch space and as the 1/size
    output) by the partitioned path.
    """
    n = keys.shape[0]
    if key_space <= _DIRECT_SMALL or key_space <= _DIRECT_PER_ROW * n:
        ids = np.empty(n, dtype=np.int64)
        sizes = np.zeros(min(n, key_space), dtype=np.int64)
        n_classes = _group_direct(keys, np.full(key_space, -1, dtype=np.int64), ids, sizes)
        sizes = _used(sizes, n_classes)
    elif n < _PARTITION_MIN_ROWS:  # one small table is faster than partitioning
        capacity = 16
        while capacity < 2 * min(n, key_space):
            capacity *= 2
        ids = np.empty(n, dtype=np.int64)
        sizes = np.zeros(min(n, key_space), dtype=np.int64)
        n_classes = _group_hashed(keys, np.full(2 * capacity, -1, dtype=np.int64), ids, sizes)
        sizes = _used(sizes, n_classes)
    else:
        # about 2**15 rows per partition keeps each partition's table in cache
        part_bits = max(1, min(12, int(np.ceil(np.log2(n / 32768)))))
        if n >= 2**31:  # local ids and sizes no longer pack into one int64
            ids, sizes = _group_partitioned_rows.for_rows(n)(keys, part_bits, 16, np.empty(n, np.int64),
                                                             np.empty(n, np.int64))
        else:
            ids = np.empty(n if want_ids else 1, dtype=np.int32)
            if want_inverse:
                inverse = keys.view(np.float64) if consume_keys else np.empty(n, dtype=np.float64)
                scratch = inverse.view(np.int64)
            else:
                inverse = np.empty(1, dtype=np.float64)
                scratch = keys if consume_keys else np.empty(n, dtype=np.int64)
            parts = np.empty(n, dtype=np.uint16)
            packed = np.empty(n, dtype=np.int64)
            sizes = np.empty(n, dtype=np.int64)
            n_classes = _group_partitioned.for_rows(n)(keys, part_bits, 16, parts, packed, sizes, want_ids, ids, scratch,
                                                       want_inverse, inverse)
            del packed, parts
            return (ids if want_ids else None), _used(sizes, n_classes), (inverse if want_inverse else None)
    inverse = gather_inverse_size(ids, sizes) if want_inverse else None
    return ids, sizes, inverse


def group_codes(codes: list[np.ndarray], cardinalities: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Equivalence classes of the rows over several integer-coded columns.

    Parameters
    ----------
    codes : list of numpy arrays
        One array of non-negative integer codes per column, all of the same length.
    cardinalities : list of int
        Exclusive upper bound of each column's codes.

    Returns
    -------
    class_ids : numpy.ndarray of int32 or int64
        Dense class id of every row (numbered in order of first appearance, partition by
        partition for large inputs).
    class_sizes : numpy.ndarray of int64
        Number of rows in each class.

    >>> ids, sizes = group_codes([np.array([0, 1, 0]), np.array([2, 2, 2])], [2, 3])
    >>> ids.tolist(), sizes.tolist()
    ([0, 1, 0], [2, 1])
    """
    if not codes:
        raise ValueError("group_codes needs at least one column")
    return group_columns(zip(codes, cardinalities))


def group_columns(columns) -> tuple[np.ndarray, np.ndarray]:
    """:func:`group_codes` over an iterable of (codes, cardinality) pairs, consumed lazily.

    Each column is folded into the running key as soon as it arrives, so a generator that
    encodes one column at a time keeps a single column's codes in memory.
    """
    keys, radix = _fold_columns(columns)
    return _densify(keys, radix, consume_keys=True)


def group_columns_with_risk(columns, *, want_ids: bool = True):
    """:func:`group_columns` plus the per-row risk 1/f, computed in the grouping's last pass.

    Returns ``(class_ids or None, class_sizes, inverse_size)``; without ``want_ids`` the
    class of every row is not materialised (a full report needs only sizes and 1/f).

    >>> ids, sizes, risk = group_columns_with_risk([(np.array([0, 1, 0]), 2)])
    >>> ids.tolist(), sizes.tolist(), risk.tolist()
    ([0, 1, 0], [2, 1], [0.5, 1.0, 0.5])
    """
    keys, radix = _fold_columns(columns)
    return _densify_with(keys, radix, want_ids=want_ids, want_inverse=True, consume_keys=True)


def _fold_columns(columns) -> tuple[np.ndarray, int]:
    """Mixed-radix int64 key per row over the columns, and its exclusive bound."""
    keys = None
    radix = 1
    for column, card in columns:
        card = int(max(card, 1))
        if keys is None:
            keys = np.empty(column.shape[0], dtype=np.int64)
            _fold_first(column, keys)
            radix = card
            continue
        if radix * card > _MAX_RADIX:
            # re-densify the partial key so the next multiplication cannot overflow
            keys, sizes = _densify(keys, radix, consume_keys=True)
            keys = keys.astype(np.int64, copy=False)
            radix = int(sizes.shape[0])
        _fold_next(keys, column, np.int64(card))
        radix *= card
    if keys is None:
        raise ValueError("group_codes needs at least one column")
    return keys, radix


@nb.njit(cache=True, nogil=True)
def size_histogram(class_sizes):
    """(distinct class sizes ascending, number of classes of each size)."""
    if class_sizes.shape[0] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    largest = class_sizes.max()
    counts = np.zeros(largest + 1, dtype=np.int64)
    for s in class_sizes:
        counts[s] += 1
    n_sizes = 0
    for s in range(largest + 1):
        if counts[s] > 0:
            n_sizes += 1
    sizes = np.empty(n_sizes, dtype=np.int64)
    multiplicity = np.empty(n_sizes, dtype=np.int64)
    j = 0
    for s in range(largest + 1):
        if counts[s] > 0:
            sizes[j] = s
            multiplicity[j] = counts[s]
            j += 1
    return sizes, multiplicity


@dual()
def gather_inverse_size(class_ids, class_sizes):
    """1 / (size of the record's class) for every record."""
    out = np.empty(class_ids.shape[0], dtype=np.float64)
    for i in nb.prange(class_ids.shape[0]):
        out[i] = 1.0 / class_sizes[class_ids[i]]
    return out


@nb.njit(cache=True, nogil=True)
def map_classes(class_ids_a, class_ids_b, n_classes_a):
    """For each class of partition A, the class of partition B of (any of) its records.

    Used when B refines or equals A on the same rows (e.g. a joint sample+population
    grouping restricted to the sample rows).
    """
    out = np.full(n_classes_a, -1, dtype=np.int64)
    for i in range(class_ids_a.shape[0]):
        out[class_ids_a[i]] = class_ids_b[i]
    return out


@nb.njit(cache=True, nogil=True)
def weighted_class_counts(class_ids, weights, n_classes):
    out = np.zeros(n_classes, dtype=np.int64)
    for i in range(class_ids.shape[0]):
        out[class_ids[i]] += weights[i]
    return out


@nb.njit(cache=True, nogil=True)
def _csr_from_pairs(pair_keys_first, pair_counts, value_radix, n_classes):
    """Sort (class, value) pairs by class: offsets[c]..offsets[c+1] index class c's values."""
    n_pairs = pair_keys_first.shape[0]
    offsets = np.zeros(n_classes + 1, dtype=np.int64)
    for p in range(n_pairs):
        offsets[pair_keys_first[p] // value_radix + 1] += 1
    for c in range(n_classes):
        offsets[c + 1] += offsets[c]
    fill = offsets[:-1].copy()
    values = np.empty(n_pairs, dtype=np.int64)
    counts = np.empty(n_pairs, dtype=np.int64)
    for p in range(n_pairs):
        c = pair_keys_first[p] // value_radix
        j = fill[c]
        values[j] = pair_keys_first[p] % value_radix
        counts[j] = pair_counts[p]
        fill[c] += 1
    return offsets, values, counts


@nb.njit(cache=True, nogil=True)
def _first_key_of_group(keys, ids, n_groups):
    out = np.empty(n_groups, dtype=np.int64)
    seen = np.zeros(n_groups, dtype=np.bool_)
    for i in range(keys.shape[0]):
        g = ids[i]
        if not seen[g]:
            seen[g] = True
            out[g] = keys[i]
    return out


def class_value_pairs(
    class_ids: np.ndarray, n_classes: int, value_codes: np.ndarray, value_cardinality: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-class histogram of a coded attribute in CSR layout.

    Returns ``(offsets, values, counts)``: the values present in class ``c`` are
    ``values[offsets[c]:offsets[c+1]]`` with their frequencies in ``counts``.
    """
    radix = int(max(value_cardinality, 1))
    n = class_ids.shape[0]
    keys = np.empty(n, dtype=np.int64)
    _fold_first(class_ids, keys)
    _fold_next(keys, value_codes, np.int64(radix))
    pair_ids, pair_counts = _densify(keys, int(n_classes) * radix)
    first_keys = _first_key_of_group(keys, pair_ids, pair_counts.shape[0])
    return _csr_from_pairs(first_keys, pair_counts, np.int64(radix), np.int64(n_classes))

"""numba kernels of the linkage attack: per-record match counts without materializing pairs.

Both tables arrive as integer codes per quasi-identifier. Every auxiliary code has already
been translated into the *released* code space (the released value it equals, or the
generalized released value it falls into at a given hierarchy level; -1 when no released
record holds that value), so a released record and an auxiliary record are consistent
exactly when their mixed-radix keys over the compared columns are equal.

The join is a hash join that never lists pairs: the keys of the side with fewer rows go into
an open-addressing table (dense id per distinct key), the other side is probed against it in
parallel, the auxiliary side's ids are counted, and every released record reads the count of
its own id. Memory is one int64 key per row of each side plus the table.

Key -1 means "cannot match" and is sticky through the folds.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from deid.risk._encode import _mix64
from deid.risk._jit import dual


@nb.njit(cache=True, nogil=True)
def first_rows(codes, cardinality):
    """Row of the first occurrence of every code (-1 for codes that never occur)."""
    out = np.full(cardinality, -1, dtype=np.int64)
    for i in range(codes.shape[0]):
        c = codes[i]
        if out[c] < 0:
            out[c] = i
    return out


@nb.njit(cache=True, nogil=True)
def code_counts(codes, cardinality):
    """Rows per code."""
    out = np.zeros(cardinality, dtype=np.int64)
    for i in range(codes.shape[0]):
        out[codes[i]] += 1
    return out


@nb.njit(cache=True, nogil=True)
def build_table(keys):
    """Dense ids (first appearance) of the non-negative keys, and the table to probe.

    The table interleaves key and id (slot s at [2s, 2s+1]) so a probe touches one cache
    line; it is at most half full. Negative keys get id -1.
    """
    n = keys.shape[0]
    n_valid = 0
    for i in range(n):
        if keys[i] >= 0:
            n_valid += 1
    capacity = 16
    while capacity < 2 * n_valid:
        capacity *= 2
    mask = capacity - 1
    table = np.full(2 * capacity, -1, dtype=np.int64)
    n_ids = 0
    for i in range(n):
        k = keys[i]
        if k < 0:
            continue
        h = np.int64(_mix64(k) & np.uint64(mask))
        while True:
            c = table[2 * h + 1]
            if c == -1:
                c = n_ids
                table[2 * h] = k
                table[2 * h + 1] = c
                n_ids += 1
                break
            if table[2 * h] == k:
                break
            h = (h + 1) & mask
        keys[i] = c  # the build side's keys become their ids, in place
    return table, mask, n_ids


@dual()
def probe_table(table, mask, keys):
    """Replace every key by its id in ``table``, or -1 when absent (in place, in parallel)."""
    for i in nb.prange(keys.shape[0]):
        k = keys[i]
        if k < 0:
            continue
        h = np.int64(_mix64(k) & np.uint64(mask))
        while True:
            c = table[2 * h + 1]
            if c == -1:
                keys[i] = -1
                break
            if table[2 * h] == k:
                keys[i] = c
                break
            h = (h + 1) & mask


@nb.njit(cache=True, nogil=True)
def count_ids(ids, n_ids):
    """How many rows carry each id (negative ids are skipped)."""
    out = np.zeros(n_ids, dtype=np.int64)
    for i in range(ids.shape[0]):
        d = ids[i]
        if d >= 0:
            out[d] += 1
    return out


@dual()
def add_counts(matches, rows, use_rows, ids, counts):
    """matches[row j] += counts[ids[j]] for every released row with an id (rows are distinct)."""
    for j in nb.prange(ids.shape[0]):
        d = ids[j]
        if d >= 0:
            i = np.int64(rows[j]) if use_rows else np.int64(j)
            matches[i] += counts[d]


@dual()
def add_constant(matches, rows, use_rows, n_rows, value):
    """matches[row j] += value for j < n_rows (every auxiliary record matches)."""
    for j in nb.prange(n_rows):
        i = np.int64(rows[j]) if use_rows else np.int64(j)
        matches[i] += value


@nb.njit(cache=True, nogil=True, inline="always")
def _part_of(key, part_bits):
    if part_bits == 0:
        return np.int64(0)
    return np.int64(_mix64(key) >> np.uint64(64 - part_bits))


@dual()
def partitioned_match_counts(rel_keys, aux_keys, part_bits, n_chunks, out):
    """out[j] = number of auxiliary keys equal to rel_keys[j] (0 for negative keys).

    A radix-partitioned hash join: both sides are scattered into 2**part_bits partitions by
    the high bits of their hash (streaming passes), then every partition is joined with its
    own small table that stays in cache, partitions in parallel. Each partition builds on
    its smaller side: the released keys (and counts the auxiliary keys that hit them) or
    the auxiliary keys with their multiplicities (and looks the released keys up). No pair
    is ever listed.
    """
    n_r = rel_keys.shape[0]
    n_a = aux_keys.shape[0]
    n_parts = 1 << part_bits
    chunk_r = (n_r + n_chunks - 1) // n_chunks
    chunk_a = (n_a + n_chunks - 1) // n_chunks
    hist_r = np.zeros((n_chunks, n_parts), dtype=np.int64)
    hist_a = np.zeros((n_chunks, n_parts), dtype=np.int64)
    for t in nb.prange(n_chunks):
        for i in range(t * chunk_r, min(n_r, (t + 1) * chunk_r)):
            k = rel_keys[i]
            if k >= 0:
                hist_r[t, _part_of(k, part_bits)] += 1
        for i in range(t * chunk_a, min(n_a, (t + 1) * chunk_a)):
            k = aux_keys[i]
            if k >= 0:
                hist_a[t, _part_of(k, part_bits)] += 1
    start_r = np.zeros(n_parts + 1, dtype=np.int64)
    start_a = np.zeros(n_parts + 1, dtype=np.int64)
    at_r = np.zeros((n_chunks, n_parts), dtype=np.int64)
    at_a = np.zeros((n_chunks, n_parts), dtype=np.int64)
    run_r = 0
    run_a = 0
    for b in range(n_parts):
        start_r[b] = run_r
        start_a[b] = run_a
        for t in range(n_chunks):
            at_r[t, b] = run_r
            run_r += hist_r[t, b]
            at_a[t, b] = run_a
            run_a += hist_a[t, b]
    start_r[n_parts] = run_r
    start_a[n_parts] = run_a
    part_rel_keys = np.empty(run_r, dtype=np.int64)
    part_rel_rows = np.empty(run_r, dtype=np.int64)
    part_aux_keys = np.empty(run_a, dtype=np.int64)
    for t in nb.prange(n_chunks):
        for i in range(t * chunk_r, min(n_r, (t + 1) * chunk_r)):
            k = rel_keys[i]
            if k >= 0:
                b = _part_of(k, part_bits)
                j = at_r[t, b]
                part_rel_keys[j] = k
                part_rel_rows[j] = i
                at_r[t, b] = j + 1
        for i in range(t * chunk_a, min(n_a, (t + 1) * chunk_a)):
            k = aux_keys[i]
            if k >= 0:
                b = _part_of(k, part_bits)
                j = at_a[t, b]
                part_aux_keys[j] = k
                at_a[t, b] = j + 1
    for i in nb.prange(n_r):
        out[i] = 0
    for b in nb.prange(n_parts):
        lo_r = start_r[b]
        hi_r = start_r[b + 1]
        lo_a = start_a[b]
        hi_a = start_a[b + 1]
        if hi_r == lo_r or hi_a == lo_a:
            continue
        build_released = hi_r - lo_r <= hi_a - lo_a
        m = hi_r - lo_r if build_released else hi_a - lo_a
        capacity = 16
        while capacity < 2 * m:
            capacity *= 2
        mask = capacity - 1
        slot_key = np.full(capacity, -1, dtype=np.int64)  # keys are non-negative
        slot_count = np.zeros(capacity, dtype=np.int64)
        if build_released:
            for j in range(lo_r, hi_r):
                k = part_rel_keys[j]
                h = np.int64(_mix64(k) & np.uint64(mask))
                while slot_key[h] != -1 and slot_key[h] != k:
                    h = (h + 1) & mask
                slot_key[h] = k
            for j in range(lo_a, hi_a):
                k = part_aux_keys[j]
                h = np.int64(_mix64(k) & np.uint64(mask))
                while True:
                    s = slot_key[h]
                    if s == k:
                        slot_count[h] += 1
                        break
                    if s == -1:
                        break
                    h = (h + 1) & mask
        else:
            for j in range(lo_a, hi_a):
                k = part_aux_keys[j]
                h = np.int64(_mix64(k) & np.uint64(mask))
                while slot_key[h] != -1 and slot_key[h] != k:
                    h = (h + 1) & mask
                slot_key[h] = k
                slot_count[h] += 1
        for j in range(lo_r, hi_r):
            k = part_rel_keys[j]
            h = np.int64(_mix64(k) & np.uint64(mask))
            while True:
                s = slot_key[h]
                if s == k:
                    out[part_rel_rows[j]] = slot_count[h]
                    break
                if s == -1:
                    break
                h = (h + 1) & mask


@nb.njit(cache=True, nogil=True)
def build_bitmap(keys, log2_bits):
    """A one-hash Bloom filter of the non-negative keys (2**log2_bits bits)."""
    words = np.zeros(1 << (log2_bits - 6), dtype=np.uint64)
    shift = np.uint64(64 - log2_bits)
    for i in range(keys.shape[0]):
        k = keys[i]
        if k >= 0:
            h = _mix64(k) >> shift
            words[np.int64(h >> np.uint64(6))] |= np.uint64(1) << (h & np.uint64(63))
    return words


@dual()
def filter_by_bitmap(keys, words, log2_bits):
    """Set to -1 every key the filter proves absent from the other side (in place, parallel).

    With 16 bits per key of the other side about 6% of the absent keys pass; the rest never
    reach the partitioning passes of the join.
    """
    shift = np.uint64(64 - log2_bits)
    for i in nb.prange(keys.shape[0]):
        k = keys[i]
        if k >= 0:
            h = _mix64(k) >> shift
            if (words[np.int64(h >> np.uint64(6))] >> (h & np.uint64(63))) & np.uint64(1) == 0:
                keys[i] = -1


# ----------------------------------------------------------------------------- fused passes
#
# The codes of all compared columns sit in one 2-D array (column, row), and ``maps``
# concatenates the per-column code -> value-id translations (column t's from ``starts[t]``).
# Rows are taken in blocks of _BLOCK: each column of the run is folded into the block's keys
# (a buffer that stays in L1), then the block's keys are stored or counted. Folding row by
# row, all columns at once, was measured 5x slower: the loads of four code streams and the
# scattered count increments of one row then wait on each other.

_BLOCK = 2048


@nb.njit(cache=True, nogil=True, inline="always")
def _fold_block(buffer, lo, hi, mat, cols, maps, starts, radices, rows, use_rows, first):
    """buffer[0:hi-lo] = keys of rows lo..hi (folded onto the buffer unless ``first``)."""
    for t in range(cols.shape[0]):
        c = cols[t]
        s = starts[t]
        r = radices[t]
        if first and t == 0:
            for j in range(lo, hi):
                i = np.int64(rows[j]) if use_rows else np.int64(j)
                buffer[j - lo] = maps[s + np.int64(mat[c, i])]
        else:
            for j in range(lo, hi):
                i = np.int64(rows[j]) if use_rows else np.int64(j)
                k = buffer[j - lo]
                m = maps[s + np.int64(mat[c, i])]
                buffer[j - lo] = -1 if (k < 0 or m < 0) else k * r + m


@dual()
def fused_keys(keys, mat, cols, maps, starts, radices, rows, use_rows, first):
    """keys[j] = (keys[j] if not first else nothing) folded with the value ids of columns
    ``cols`` of row ``rows[j]`` (or j): k = k * radix + id; -1 when a column has no id (sticky)."""
    n = keys.shape[0]
    n_blocks = (n + _BLOCK - 1) // _BLOCK
    for b in nb.prange(n_blocks):
        lo = b * _BLOCK
        hi = min(n, lo + _BLOCK)
        _fold_block(keys[lo:hi], lo, hi, mat, cols, maps, starts, radices, rows, use_rows, first)


@dual()
def fused_count(mat, cols, maps, starts, radices, rows, use_rows, n_rows, n_keys, n_parts):
    """How many of the rows carry each key (keys as :func:`fused_keys` with ``first``, all
    below ``n_keys``): one pass, ``n_parts`` private tallies summed at the end."""
    partial = np.zeros((n_parts, n_keys), dtype=np.int64)
    n_blocks = (n_rows + _BLOCK - 1) // _BLOCK
    per_part = (n_blocks + n_parts - 1) // n_parts
    for p in nb.prange(n_parts):
        buffer = np.empty(_BLOCK, dtype=np.int64)
        tally = partial[p]
        for b in range(p * per_part, min(n_blocks, (p + 1) * per_part)):
            lo = b * _BLOCK
            hi = min(n_rows, lo + _BLOCK)
            _fold_block(buffer, lo, hi, mat, cols, maps, starts, radices, rows, use_rows, True)
            for j in range(hi - lo):
                k = buffer[j]
                if k >= 0:
                    tally[k] += 1
    if n_parts == 1:
        return partial[0]
    out = np.empty(n_keys, dtype=np.int64)
    for k in nb.prange(n_keys):
        s = np.int64(0)
        for p in range(n_parts):
            s += partial[p, k]
        out[k] = s
    return out


@dual()
def fused_add_counts(matches, mat, cols, maps, starts, radices, rows, use_rows, n_rows, counts):
    """matches[row] += counts[key of the row] (keys as :func:`fused_keys` with ``first``)."""
    n_blocks = (n_rows + _BLOCK - 1) // _BLOCK
    for b in nb.prange(n_blocks):
        lo = b * _BLOCK
        hi = min(n_rows, lo + _BLOCK)
        buffer = np.empty(hi - lo, dtype=np.int64)
        _fold_block(buffer, lo, hi, mat, cols, maps, starts, radices, rows, use_rows, True)
        for j in range(lo, hi):
            k = buffer[j - lo]
            if k >= 0:
                i = np.int64(rows[j]) if use_rows else np.int64(j)
                matches[i] += counts[k]

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


@dual()
def fold_keys(keys, codes, rows, use_rows, mapping, radix, first):
    """keys[j] = keys[j] * radix + mapping[codes[row j]] (just the mapped code for the first
    column). ``mapping`` translates a table's codes into the released value ids (-1: no
    such released value, or missing); -1 is sticky. ``rows`` selects the rows of a group
    when ``use_rows``."""
    for j in nb.prange(keys.shape[0]):
        i = rows[j] if use_rows else j
        m = np.int64(mapping[codes[i]])
        if first:
            keys[j] = m
        else:
            k = keys[j]
            keys[j] = -1 if (k < 0 or m < 0) else k * radix + m


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
            i = rows[j] if use_rows else j
            matches[i] += counts[d]


@dual()
def add_constant(matches, rows, use_rows, n_rows, value):
    """matches[row j] += value for j < n_rows (every auxiliary record matches)."""
    for j in nb.prange(n_rows):
        i = rows[j] if use_rows else j
        matches[i] += value

"""l-diversity and t-closeness from per-class histograms of a sensitive attribute.

Input is the CSR layout built by :func:`deid.risk._kernels.class_value_pairs` (for class
``c`` the sensitive codes ``values[offsets[c]:offsets[c+1]]`` with frequencies ``counts``),
so the same functions run on counts merged from elsewhere. Each metric is the value that the
whole table satisfies, i.e. the worst class, following ARX's privacy-model definitions
(``org.deidentifier.arx.criteria``):

* distinct l (``DistinctLDiversity``): fewest distinct sensitive values in a class;
* entropy l (``EntropyLDiversity``): a class satisfies l when its Shannon entropy is at least
  log(l) (ARX works in base 2, comparing log2 values; the base cancels), so the table's
  entropy l is ``exp(min over classes of the entropy in nats)``;
* recursive (c, l) (``RecursiveCLDiversity``): with the class's frequencies sorted
  descending r1 >= r2 >= ... >= rm, a class satisfies l when r1 < c * (rl + ... + rm);
  per class the largest such l (0 if none), and the table's value is the smallest;
* t-closeness with equal ground distance (``EqualDistanceTCloseness``): half the L1
  distance between the class distribution and the table's; the table's t is the largest;
* t-closeness with ordered distance (``OrderedDistanceTCloseness``): the EMD over the m
  distinct values in sorted order, sum_i |sum_{j<=i} (p_j - q_j)| / (m - 1); largest over
  classes (0 when m = 1).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np


@nb.njit(cache=True, nogil=True, error_model="numpy")
def distinct_l(offsets):
    n_classes = offsets.shape[0] - 1
    if n_classes == 0:
        return 0
    best = offsets[1] - offsets[0]
    for c in range(1, n_classes):
        d = offsets[c + 1] - offsets[c]
        if d < best:
            best = d
    return best


@nb.njit(cache=True, nogil=True, error_model="numpy")
def entropy_l(offsets, counts):
    """exp(smallest class entropy in nats): the largest l for which entropy l-diversity holds."""
    n_classes = offsets.shape[0] - 1
    smallest = math.inf
    for c in range(n_classes):
        total = 0.0
        weighted = 0.0
        for j in range(offsets[c], offsets[c + 1]):
            x = float(counts[j])
            total += x
            weighted += x * math.log(x)
        h = math.log(total) - weighted / total
        if h < smallest:
            smallest = h
    if n_classes == 0:
        return 0.0
    # rounding can make a one-valued class's entropy a hair negative
    return math.exp(max(smallest, 0.0))


@nb.njit(cache=True, nogil=True, error_model="numpy")
def recursive_cl(offsets, counts, c):
    """Largest l such that every class satisfies recursive (c, l)-diversity (0 if none)."""
    n_classes = offsets.shape[0] - 1
    if n_classes == 0:
        return 0
    worst = np.iinfo(np.int64).max
    widest = 0
    for k in range(n_classes):
        widest = max(widest, offsets[k + 1] - offsets[k])
    desc = np.empty(widest, dtype=np.int64)  # one buffer for every class
    for k in range(n_classes):
        start = offsets[k]
        m = offsets[k + 1] - start
        if m <= 32:  # insertion sort, descending: classes hold few distinct values
            for i in range(m):
                v = counts[start + i]
                j = i
                while j > 0 and desc[j - 1] < v:
                    desc[j] = desc[j - 1]
                    j -= 1
                desc[j] = v
        else:
            desc[:m] = np.sort(counts[start:start + m])[::-1]
        top = float(desc[0])
        best = 0
        tail = 0.0  # r_l + ... + r_m, grown from l = m downwards
        for l in range(m, 0, -1):
            tail += float(desc[l - 1])
            if top < c * tail:
                best = l
                break
        if best < worst:
            worst = best
    return worst


@nb.njit(cache=True, nogil=True, error_model="numpy")
def equal_distance_t(offsets, values, counts, global_share):
    """Largest equal-distance EMD of any class to the table's distribution."""
    n_classes = offsets.shape[0] - 1
    worst = 0.0
    for k in range(n_classes):
        size = 0.0
        for j in range(offsets[k], offsets[k + 1]):
            size += counts[j]
        # 1/2 * (1 + sum over values present in the class of (|q - p| - q))
        d = 1.0
        for j in range(offsets[k], offsets[k + 1]):
            q = global_share[values[j]]
            d += abs(q - counts[j] / size) - q
        d /= 2.0
        if d > worst:
            worst = d
    return worst


@nb.njit(cache=True, nogil=True, error_model="numpy")
def _run_abs_sum(level, start, stop, cum, prefix):
    """sum_{i=start}^{stop-1} |level - cum[i]| for non-decreasing cum, via prefix sums."""
    if stop <= start:
        return 0.0
    # first index in [start, stop) with cum[i] > level
    lo = start
    hi = stop
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] > level:
            hi = mid
        else:
            lo = mid + 1
    below = level * (lo - start) - (prefix[lo] - prefix[start])
    above = (prefix[stop] - prefix[lo]) - level * (stop - lo)
    return below + above


@nb.njit(cache=True, nogil=True, error_model="numpy")
def ordered_distance_t(offsets, values, counts, position, global_share_by_position):
    """Largest ordered-distance EMD of any class to the table's distribution.

    ``position[code]`` is the rank of the code among the m values present in the table,
    ``global_share_by_position`` the table's distribution in that order. Between two values
    present in a class the class's cumulative share is constant, so each run of absent
    values is summed in O(log m) with prefix sums of the table's cumulative shares.
    """
    m = global_share_by_position.shape[0]
    n_classes = offsets.shape[0] - 1
    if m <= 1 or n_classes == 0:
        return 0.0
    cum = np.empty(m, dtype=np.float64)
    acc = 0.0
    for i in range(m):
        acc += global_share_by_position[i]
        cum[i] = acc
    prefix = np.zeros(m + 1, dtype=np.float64)
    for i in range(m):
        prefix[i + 1] = prefix[i] + cum[i]
    worst = 0.0
    for k in range(n_classes):
        start = offsets[k]
        r = offsets[k + 1] - start
        pos = np.empty(r, dtype=np.int64)
        share = np.empty(r, dtype=np.float64)
        size = 0.0
        for j in range(r):
            size += counts[start + j]
        for j in range(r):
            pos[j] = position[values[start + j]]
            share[j] = counts[start + j] / size
        order = np.argsort(pos)
        total = _run_abs_sum(0.0, 0, pos[order[0]], cum, prefix)
        level = 0.0
        for idx in range(r):
            j = order[idx]
            level += share[j]
            stop = pos[order[idx + 1]] if idx + 1 < r else m
            total += _run_abs_sum(level, pos[j], stop, cum, prefix)
        d = total / (m - 1.0)
        if d > worst:
            worst = d
    return worst

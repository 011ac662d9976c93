"""numba kernels of the lattice search: roll-ups, class criteria, metric terms, tagging.

A *class table* holds the equivalence classes of one transformation (a lattice node): the
generalized code of every quasi-identifier per class (``codes``, one row per class), the
class sizes, and optionally the per-class histogram of the sensitive attribute in CSR
layout (``hist_offsets``, ``hist_values``, ``hist_counts``), the layout of
:mod:`deid.risk._diversity`.

Roll-up: the classes of a coarser node are unions of the classes of any finer node (the
hierarchies are functional), so a node's table is computed from the smallest table already
known below it, never from the raw rows again. ``jump`` tables map a code at one level
straight to the code at any higher level of the same column.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from deid.risk._encode import _mix64

# ----------------------------------------------------------------------------- small helpers


@nb.njit(cache=True, nogil=True)
def first_row_of_code(codes, cardinality):
    """Index of the first record carrying each code (-1 when the code does not occur)."""
    first = np.full(cardinality, -1, dtype=np.int64)
    for i in range(codes.shape[0]):
        c = codes[i]
        if first[c] == -1:
            first[c] = i
    return first


@nb.njit(cache=True, nogil=True)
def gather_cards(cards_pad, levels):
    out = np.empty(levels.shape[0], dtype=np.int64)
    for c in range(levels.shape[0]):
        out[c] = cards_pad[c, levels[c]]
    return out


@nb.njit(cache=True, nogil=True)
def value_counts(codes, cardinality):
    out = np.zeros(cardinality, dtype=np.int64)
    for i in range(codes.shape[0]):
        out[codes[i]] += 1
    return out


# ----------------------------------------------------------------------------- roll-up


@nb.njit(cache=True, nogil=True, inline="always")
def _dst_code(jump, jump_off, src_levels, dst_levels, src_codes, i, c):
    return jump[dst_levels[c], jump_off[c, src_levels[c]] + src_codes[i, c]]


@nb.njit(cache=True, nogil=True)
def rollup(src_codes, src_counts, jump, jump_off, src_levels, dst_levels, cards):
    """Group the classes of a finer node into the classes of ``dst_levels``.

    ``jump[b, jump_off[c, a] + code]`` is the code at level ``b`` of column ``c`` for a code
    at level ``a``. The destination codes fold into one int64 mixed-radix key when the
    product of the cardinalities ``cards`` fits in 62 bits; otherwise into a 64-bit hash,
    and colliding classes are told apart by comparing their code tuples. Two passes (keys
    column by column, then one hash table) keep the inner loops simple and fast.

    Returns ``(dst_of_src, dst_codes, dst_counts)``.
    """
    n = src_codes.shape[0]
    q = src_codes.shape[1]
    space = 1.0
    for c in range(q):
        space *= float(cards[c])
    exact = space < 4.0e18
    keys = np.zeros(n, dtype=np.int64)
    if exact:
        mult = np.int64(1)
        for c in range(q - 1, -1, -1):
            if cards[c] == 1:
                continue  # fully generalized: adds nothing to the key
            row = jump[dst_levels[c]]
            base = jump_off[c, src_levels[c]]
            for i in range(n):
                keys[i] += np.int64(row[base + src_codes[i, c]]) * mult
            mult *= np.int64(cards[c])
    else:
        for c in range(q):
            row = jump[dst_levels[c]]
            base = jump_off[c, src_levels[c]]
            salt = np.uint64(c + 1) * np.uint64(0x9E3779B97F4A7C15)
            for i in range(n):
                mixed = np.uint64(keys[i]) ^ (np.uint64(row[base + src_codes[i, c]]) + salt)
                keys[i] = np.int64(_mix64(np.int64(mixed)))
    dst_of_src = np.empty(n, dtype=np.int64)
    dst_counts = np.zeros(n, dtype=np.int64)
    first = np.empty(n, dtype=np.int64)
    m = 0
    if exact and space <= max(4.0 * n, 65536.0):
        # small key space: address it directly
        id_of_key = np.full(np.int64(space), -1, dtype=np.int64)
        for i in range(n):
            key = keys[i]
            g = id_of_key[key]
            if g == -1:
                g = m
                id_of_key[key] = g
                first[m] = i
                m += 1
            dst_of_src[i] = g
            dst_counts[g] += src_counts[i]
    else:
        capacity = 16
        while capacity < 2 * n:
            capacity *= 2
        mask = capacity - 1
        slot_key = np.empty(capacity, dtype=np.int64)
        slot_id = np.full(capacity, -1, dtype=np.int64)
        for i in range(n):
            key = keys[i]
            s = np.int64(_mix64(key) & np.uint64(mask))
            while True:
                g = slot_id[s]
                if g == -1:
                    g = m
                    slot_id[s] = g
                    slot_key[s] = key
                    first[m] = i
                    m += 1
                    break
                if slot_key[s] == key:
                    if exact:
                        break
                    j = first[g]
                    same = True
                    for c in range(q):
                        if (_dst_code(jump, jump_off, src_levels, dst_levels, src_codes, i, c)
                                != _dst_code(jump, jump_off, src_levels, dst_levels, src_codes, j, c)):
                            same = False
                            break
                    if same:
                        break
                s = (s + 1) & mask
            dst_of_src[i] = g
            dst_counts[g] += src_counts[i]
    dst_codes = np.empty((m, q), dtype=np.int32)
    for g in range(m):
        i = first[g]
        for c in range(q):
            dst_codes[g, c] = _dst_code(jump, jump_off, src_levels, dst_levels, src_codes, i, c)
    return dst_of_src, dst_codes, dst_counts[:m].copy()


@nb.njit(cache=True, nogil=True)
def _group_exact_keys(keys, src_counts, space):
    """Dense ids (first appearance) for exact int64 keys in [0, space)."""
    n = keys.shape[0]
    dst_of_src = np.empty(n, dtype=np.int64)
    dst_counts = np.zeros(n, dtype=np.int64)
    first = np.empty(n, dtype=np.int64)
    m = 0
    if space <= max(4.0 * n, 65536.0):
        id_of_key = np.full(np.int64(space), -1, dtype=np.int64)
        for i in range(n):
            key = keys[i]
            g = id_of_key[key]
            if g == -1:
                g = m
                id_of_key[key] = g
                first[m] = i
                m += 1
            dst_of_src[i] = g
            dst_counts[g] += src_counts[i]
    else:
        capacity = 16
        while capacity < 2 * n:
            capacity *= 2
        mask = capacity - 1
        slot_key = np.empty(capacity, dtype=np.int64)
        slot_id = np.full(capacity, -1, dtype=np.int64)
        for i in range(n):
            key = keys[i]
            s = np.int64(_mix64(key) & np.uint64(mask))
            while True:
                g = slot_id[s]
                if g == -1:
                    g = m
                    slot_id[s] = g
                    slot_key[s] = key
                    first[m] = i
                    m += 1
                    break
                if slot_key[s] == key:
                    break
                s = (s + 1) & mask
            dst_of_src[i] = g
            dst_counts[g] += src_counts[i]
    return dst_of_src, dst_counts[:m].copy(), first[:m].copy()


@nb.njit(cache=True, nogil=True)
def rollup_from_levels(level_codes, level_off, src_counts, dst_levels, cards):
    """:func:`rollup` from a table whose codes are stored at every level (``level_codes[level_off[c] + lv]``
    is column c's code at level lv for every class): the keys are streamed, no jump look-ups.
    Only for key spaces that fit 62 bits (the caller checks)."""
    q = dst_levels.shape[0]
    n = level_codes.shape[1]
    space = 1.0
    for c in range(q):
        space *= float(cards[c])
    keys = np.zeros(n, dtype=np.int64)
    mult = np.int64(1)
    for c in range(q - 1, -1, -1):
        if cards[c] == 1:
            continue
        column = level_codes[level_off[c] + dst_levels[c]]
        for i in range(n):
            keys[i] += np.int64(column[i]) * mult
        mult *= np.int64(cards[c])
    dst_of_src, dst_counts, first = _group_exact_keys(keys, src_counts, space)
    m = first.shape[0]
    dst_codes = np.empty((m, q), dtype=np.int32)
    for c in range(q):
        column = level_codes[level_off[c] + dst_levels[c]]
        for g in range(m):
            dst_codes[g, c] = column[first[g]]
    return dst_of_src, dst_codes, dst_counts


@nb.njit(cache=True, nogil=True)
def codes_at_every_level(codes, jump, jump_off, heights):
    """For every class and column, the code at each level of that column (rows: column-level pairs)."""
    n = codes.shape[0]
    q = codes.shape[1]
    total = 0
    for c in range(q):
        total += heights[c] + 1
    out = np.empty((total, n), dtype=np.int32)
    r = 0
    for c in range(q):
        base = jump_off[c, 0]
        for lv in range(heights[c] + 1):
            row = jump[lv]
            for i in range(n):
                out[r, i] = row[base + codes[i, c]]
            r += 1
    return out


@nb.njit(cache=True, nogil=True)
def best_source(slot_levels, slot_classes, slot_valid, target):
    """Cached slot with the fewest classes among those at or below ``target`` (-1 if none)."""
    best = -1
    q = target.shape[0]
    for s in range(slot_levels.shape[0]):
        if not slot_valid[s]:
            continue
        if best != -1 and slot_classes[s] >= slot_classes[best]:
            continue
        below = True
        for c in range(q):
            if slot_levels[s, c] > target[c]:
                below = False
                break
        if below:
            best = s
    return best


@nb.njit(cache=True, nogil=True)
def merge_histograms(dst_of_src, n_dst, offsets, values, counts, n_values):
    """Per-class histograms of the destination classes, merged from the source classes.

    With few sensitive values a dense (class x value) tally is one sequential pass over the
    source entries; otherwise the sources are counting-sorted by destination first.
    """
    n_src = dst_of_src.shape[0]
    total = offsets[n_src]
    if float(n_dst) * float(n_values) <= max(8.0 * total, 1048576.0):
        tally = np.zeros(n_dst * n_values, dtype=np.int64)
        for i in range(n_src):
            row = dst_of_src[i] * n_values
            for j in range(offsets[i], offsets[i + 1]):
                tally[row + values[j]] += counts[j]
        out_offsets = np.zeros(n_dst + 1, dtype=np.int64)
        w = 0
        for g in range(n_dst):
            for v in range(n_values):
                if tally[g * n_values + v] != 0:
                    w += 1
            out_offsets[g + 1] = w
        out_values = np.empty(w, dtype=np.int32)
        out_counts = np.empty(w, dtype=np.int64)
        w = 0
        for g in range(n_dst):
            for v in range(n_values):
                x = tally[g * n_values + v]
                if x != 0:
                    out_values[w] = v
                    out_counts[w] = x
                    w += 1
        return out_offsets, out_values, out_counts
    # counting sort of the source classes by destination
    start = np.zeros(n_dst + 1, dtype=np.int64)
    for i in range(n_src):
        start[dst_of_src[i] + 1] += 1
    for g in range(n_dst):
        start[g + 1] += start[g]
    fill = start[:-1].copy()
    order = np.empty(n_src, dtype=np.int64)
    for i in range(n_src):
        g = dst_of_src[i]
        order[fill[g]] = i
        fill[g] += 1
    out_values = np.empty(total, dtype=np.int32)
    out_counts = np.empty(total, dtype=np.int64)
    out_offsets = np.zeros(n_dst + 1, dtype=np.int64)
    mark = np.full(n_values, -1, dtype=np.int64)
    pos = np.zeros(n_values, dtype=np.int64)
    w = 0
    for g in range(n_dst):
        for k in range(start[g], start[g + 1]):
            i = order[k]
            for j in range(offsets[i], offsets[i + 1]):
                v = values[j]
                if mark[v] != g:
                    mark[v] = g
                    pos[v] = w
                    out_values[w] = v
                    out_counts[w] = counts[j]
                    w += 1
                else:
                    out_counts[pos[v]] += counts[j]
        out_offsets[g + 1] = w
    return out_offsets, out_values[:w].copy(), out_counts[:w].copy()


# ----------------------------------------------------------------------------- criteria

# l-diversity variants
L_NONE = 0
L_DISTINCT = 1
L_ENTROPY = 2
L_RECURSIVE = 3
# t-closeness ground distances
T_NONE = 0
T_EQUAL = 1
T_HIERARCHICAL = 2
T_ORDERED = 3


EULER_GAMMA = 0.5772156649015329


def grassberger_table(size: int = 101) -> np.ndarray:
    """G_n for n < size: G_1 = -gamma - ln 2, G_2m = G_2m+1 = -gamma - ln 2 + sum_{j<=m} 2/(2j-1)."""
    out = np.zeros(size, dtype=np.float64)
    base = -EULER_GAMMA - math.log(2.0)
    acc = 0.0
    for n in range(1, size):
        m = n // 2
        if n % 2 == 0:
            acc += 2.0 / (2 * m - 1)
        out[n] = base + acc
    return out


@nb.njit(cache=True, nogil=True)
def _psi(n, estimator, g_table):
    # the logarithm of Shannon's estimator, or Grassberger's G_n (Grassberger 2003), as ARX's EntropyEstimator
    if estimator == 0:
        return math.log(n)
    if n < g_table.shape[0]:
        return g_table[n]
    even = n - n % 2
    half = even // 2
    m = 1.0 / (float(half) * float(half))
    return math.log(even) + m * (1.0 / 24.0 - m * (7.0 / 960.0 - m * (31.0 / 8064.0)))


@nb.njit(cache=True, nogil=True)
def _entropy_ok(lo, hi, hist_counts, total, l, min_distinct, estimator, g_table):
    # ARX's EntropyLDiversity: sum f psi(f) <= N (psi(N) - ln l). ARX stops as soon as a
    # partial sum passes the bound; with Grassberger's G_1 < 0 the partial sums are not
    # monotone, so that shortcut depends on the order of values in its hash table. The full
    # sum is compared here (the same verdict as ARX's for Shannon, whose terms are >= 0).
    if hi - lo < min_distinct:
        return False
    bound = total * (_psi(total, estimator, g_table) - math.log(l))
    acc = 0.0
    for j in range(lo, hi):
        f = hist_counts[j]
        acc += float(f) * _psi(f, estimator, g_table)
    return not (bound < acc)


@nb.njit(cache=True, nogil=True)
def _recursive_ok(lo, hi, hist_counts, c, min_distinct, scratch):
    # ARX's RecursiveCLDiversity: sort ascending; r1 < c * (sum of the m - l + 1 smallest)
    m = hi - lo
    if m < min_distinct:
        return False
    for j in range(m):
        scratch[j] = hist_counts[lo + j]
    buf = np.sort(scratch[:m])
    threshold = 0.0
    for j in range(m - min_distinct, -1, -1):
        threshold += buf[j]
    threshold *= c
    return buf[m - 1] < threshold


@nb.njit(cache=True, nogil=True)
def _equal_t(lo, hi, hist_values, hist_counts, total, global_share):
    # ARX's EqualDistanceTCloseness: 1/2 (1 + sum_{v in class} (|q_v - p_v| - q_v))
    val = 1.0
    for j in range(lo, hi):
        q = global_share[hist_values[j]]
        val += abs(q - hist_counts[j] / total) - q
    return val / 2.0


@nb.njit(cache=True, nogil=True)
def _hierarchical_t(lo, hi, hist_values, hist_counts, total, global_counts, n_records, parent, parent_off,
                    level_card, height, net, pos, neg):
    # ARX's HierarchicalDistanceTCloseness: leaves carry P_v * Q - Q_v * P, every inner node
    # at level j adds (j / height) * min(positive, negative) of its children's extras
    n_leaves = level_card[0]
    for v in range(n_leaves):
        net[v] = global_counts[v] * total
    for j in range(lo, hi):
        net[hist_values[j]] -= hist_counts[j] * n_records
    cost = 0.0
    for level in range(1, height + 1):
        card = level_card[level]
        for u in range(card):
            pos[u] = 0
            neg[u] = 0
        below = level_card[level - 1]
        base = parent_off[level - 1]
        for child in range(below):
            x = net[child]
            u = parent[base + child]
            if x > 0:
                pos[u] += x
            else:
                neg[u] -= x
        step = 0.0
        for u in range(card):
            step += float(min(pos[u], neg[u]))
            net[u] = pos[u] - neg[u]
        cost += (level / height) * step
    return cost / (float(n_records) * float(total))


@nb.njit(cache=True, nogil=True)
def _ordered_t(lo, hi, hist_values, hist_counts, total, position, global_by_position, scratch):
    m = global_by_position.shape[0]
    if m <= 1:
        return 0.0
    for i in range(m):
        scratch[i] = 0.0
    for j in range(lo, hi):
        scratch[position[hist_values[j]]] += hist_counts[j] / total
    acc = 0.0
    d = 0.0
    for i in range(m):
        acc += scratch[i] - global_by_position[i]
        d += abs(acc)
    return d / (m - 1.0)


@nb.njit(cache=True, nogil=True)
def class_status(counts, kmin, l_kind, l, min_distinct, c, estimator, g_table, t_kind, t,
                 hist_offsets, hist_values, hist_counts,
                 global_share, global_counts, n_records,
                 parent, parent_off, level_card, s_height,
                 position, global_by_position):
    """Which classes must be suppressed, and how many records that is.

    ``status[i]`` is 0 (kept), 1 (smaller than ``kmin``) or 2 (fails l-diversity or
    t-closeness). Returns ``(status, records_below_kmin, records_failing_any)``.
    """
    n = counts.shape[0]
    status = np.zeros(n, dtype=np.uint8)
    below = 0
    failing = 0
    widest = 1
    if l_kind == L_RECURSIVE:
        for i in range(n):
            widest = max(widest, hist_offsets[i + 1] - hist_offsets[i])
    scratch_i = np.empty(widest, dtype=np.int64)
    n_leaves = level_card[0] if t_kind == T_HIERARCHICAL else 1
    widest_level = 1
    if t_kind == T_HIERARCHICAL:
        for j in range(level_card.shape[0]):
            widest_level = max(widest_level, level_card[j])
    net = np.zeros(max(n_leaves, widest_level), dtype=np.int64)
    pos = np.zeros(widest_level, dtype=np.int64)
    neg = np.zeros(widest_level, dtype=np.int64)
    scratch_f = np.zeros(max(global_by_position.shape[0], 1), dtype=np.float64)
    for i in range(n):
        f = counts[i]
        if f < kmin:
            status[i] = 1
            below += f
            failing += f
            continue
        ok = True
        if l_kind != L_NONE:
            lo = hist_offsets[i]
            hi = hist_offsets[i + 1]
            if l_kind == L_DISTINCT:
                ok = hi - lo >= min_distinct
            elif l_kind == L_ENTROPY:
                ok = _entropy_ok(lo, hi, hist_counts, f, l, min_distinct, estimator, g_table)
            else:
                ok = _recursive_ok(lo, hi, hist_counts, c, min_distinct, scratch_i)
        if ok and t_kind != T_NONE:
            lo = hist_offsets[i]
            hi = hist_offsets[i + 1]
            if t_kind == T_EQUAL:
                d = _equal_t(lo, hi, hist_values, hist_counts, float(f), global_share)
            elif t_kind == T_HIERARCHICAL:
                d = _hierarchical_t(lo, hi, hist_values, hist_counts, f, global_counts, n_records, parent,
                                    parent_off, level_card, s_height, net, pos, neg)
            else:
                d = _ordered_t(lo, hi, hist_values, hist_counts, float(f), position, global_by_position, scratch_f)
            ok = d <= t
        if not ok:
            status[i] = 2
            failing += f
    return status, below, failing


@nb.njit(cache=True, nogil=True)
def size_status(counts, kmin):
    """:func:`class_status` for k-anonymity alone (no histograms)."""
    n = counts.shape[0]
    status = np.zeros(n, dtype=np.uint8)
    below = 0
    for i in range(n):
        if counts[i] < kmin:
            status[i] = 1
            below += counts[i]
    return status, below, below


# ----------------------------------------------------------------------------- metric terms


@nb.njit(cache=True, nogil=True)
def suppressed_entropy_terms(codes, counts, status, cards):
    """Per column: sum over the suppressed records' generalized values w of s_w log2(s_w / S)."""
    n = codes.shape[0]
    q = codes.shape[1]
    out = np.zeros(q, dtype=np.float64)
    total = 0
    for i in range(n):
        if status[i] != 0:
            total += counts[i]
    if total == 0:
        return out, 0
    widest = 1
    for c in range(q):
        widest = max(widest, cards[c])
    acc = np.zeros(widest, dtype=np.int64)
    log2 = math.log(2.0)
    for c in range(q):
        for v in range(cards[c]):
            acc[v] = 0
        for i in range(n):
            if status[i] != 0:
                acc[codes[i, c]] += counts[i]
        s = 0.0
        for v in range(cards[c]):
            if acc[v] > 0:
                x = float(acc[v])
                s += x * (math.log(x / total) / log2)
        out[c] = s
    return out, total


@nb.njit(cache=True, nogil=True)
def loss_sums(codes, counts, status, share, share_off):
    """Per column: sum over kept classes of f * share(code) plus f for suppressed classes
    (ARX's Loss with gs-factor 0.5), and the same sum over all classes (its lower bound)."""
    n = codes.shape[0]
    q = codes.shape[1]
    result = np.zeros(q, dtype=np.float64)
    bound = np.zeros(q, dtype=np.float64)
    for i in range(n):
        f = float(counts[i])
        for c in range(q):
            s = f * share[share_off[c] + codes[i, c]]
            bound[c] += s
            result[c] += s if status[i] == 0 else f
    return result, bound


@nb.njit(cache=True, nogil=True)
def class_size_terms(counts, status):
    """(sum f^2 over kept, sum f over suppressed, sum f^2 over all, kept classes, all classes)."""
    kept_sq = 0.0
    suppressed = 0
    all_sq = 0.0
    kept = 0
    for i in range(counts.shape[0]):
        f = float(counts[i])
        all_sq += f * f
        if status[i] == 0:
            kept_sq += f * f
            kept += 1
        else:
            suppressed += counts[i]
    return kept_sq, suppressed, all_sq, kept, counts.shape[0]


# ----------------------------------------------------------------------------- lattice tagging


@nb.njit(cache=True, nogil=True)
def tag_down(state, start, value, dims, strides, stack):
    """Set ``state`` to ``value`` on ``start`` and every node below it.

    Tags are only ever applied to whole down-sets, so the walk stops at nodes that already
    carry ``value``: their down-set does too. Returns how many nodes were newly tagged.
    """
    q = dims.shape[0]
    tagged = 0
    top = 0
    if state[start] != value:
        state[start] = value
        tagged += 1
    stack[0] = start
    top = 1
    while top > 0:
        top -= 1
        x = stack[top]
        for c in range(q):
            if (x // strides[c]) % dims[c] > 0:
                y = x - strides[c]
                if state[y] != value:
                    state[y] = value
                    tagged += 1
                    stack[top] = y
                    top += 1
    return tagged


@nb.njit(cache=True, nogil=True)
def tag_up(state, start, value, dims, strides, stack):
    """Set ``state`` to ``value`` on ``start`` and every node above it (see :func:`tag_down`)."""
    q = dims.shape[0]
    tagged = 0
    if state[start] != value:
        state[start] = value
        tagged += 1
    stack[0] = start
    top = 1
    while top > 0:
        top -= 1
        x = stack[top]
        for c in range(q):
            if (x // strides[c]) % dims[c] < dims[c] - 1:
                y = x + strides[c]
                if state[y] != value:
                    state[y] = value
                    tagged += 1
                    stack[top] = y
                    top += 1
    return tagged


@nb.njit(cache=True, nogil=True)
def upward_path(start, state, pruned, priority, bound, dims, strides, out):
    """Greedy path upwards from ``start`` through untagged, unpruned nodes.

    At each step the successor with the lowest ``priority`` (ties: lowest index) whose
    ``priority`` is below ``bound`` is taken. Returns the path length (``out[:length]``).
    """
    q = dims.shape[0]
    length = 0
    x = start
    out[length] = x
    length += 1
    while True:
        best = -1
        best_p = 0.0
        for c in range(q):
            if (x // strides[c]) % dims[c] < dims[c] - 1:
                y = x + strides[c]
                if state[y] == 0 and not pruned[y] and priority[y] < bound:
                    if best == -1 or priority[y] < best_p or (priority[y] == best_p and y < best):
                        best = y
                        best_p = priority[y]
        if best == -1:
            break
        out[length] = best
        length += 1
        x = best
    return length

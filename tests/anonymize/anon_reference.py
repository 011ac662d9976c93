"""Brute-force reference for the lattice search: every node, plain pandas and Python floats.

Written from ARX's definitions (see docs/anonymize.md), independently of deid.anonymize's
kernels: classes come from a pandas groupby of the generalized labels, criteria and metrics
from per-class Python loops. Used by the property tests on small lattices.
"""

from __future__ import annotations

import itertools
import math


def arx_round(x: float) -> float:
    return math.floor(x * 1e10) / 1e10


def class_fails(counts_by_value: dict, size: int, spec: dict) -> bool:
    """Whether one class must be suppressed (ARX's per-class checks)."""
    l = spec.get("l")
    kmin = spec.get("k") or 1
    if l is not None:
        kmin = max(kmin, math.ceil(l))
    if size < kmin:
        return True
    freqs = list(counts_by_value.values())
    if l is not None:
        variant = spec["l_variant"]
        if len(freqs) < math.ceil(l):
            return True
        if variant == "entropy":
            if spec.get("estimator", "shannon") == "shannon":
                h = -sum((f / size) * math.log(f / size) for f in freqs)
            else:  # Grassberger: G(N) - (1/N) sum f G(f)
                h = grassberger(size) - sum(f * grassberger(f) for f in freqs) / size
            if h < math.log(l) - 1e-12:
                return True
        elif variant == "recursive":
            desc = sorted(freqs, reverse=True)
            if not desc[0] < spec["c"] * sum(desc[int(l) - 1:]):
                return True
    t = spec.get("t")
    if t is not None:
        dist = spec["t_distance_fn"](counts_by_value, size)
        if dist > t + 1e-12:
            return True
    return False


def grassberger(n: int) -> float:
    """G_n (Grassberger 2003): -gamma - ln 2 + sum_{j <= n // 2} 2 / (2j - 1); an asymptotic series above 100."""
    if n <= 100:
        return -0.5772156649015329 - math.log(2) + sum(2 / (2 * j - 1) for j in range(1, n // 2 + 1))
    even = n - n % 2
    m = 1 / (even // 2) ** 2
    return math.log(even) + m * (1 / 24 - m * (7 / 960 - m * 31 / 8064))


def equal_distance(global_share: dict):
    def fn(counts, size):
        values = set(global_share) | set(counts)
        return 0.5 * sum(abs(counts.get(v, 0) / size - global_share.get(v, 0.0)) for v in values)

    return fn


def ordered_distance(global_share: dict):
    order = sorted(global_share)
    m = len(order)

    def fn(counts, size):
        if m <= 1:
            return 0.0
        acc = 0.0
        total = 0.0
        for v in order:
            acc += counts.get(v, 0) / size - global_share[v]
            total += abs(acc)
        return total / (m - 1)

    return fn


def hierarchical_distance(global_share: dict, hierarchy):
    """Li et al.'s EMD with hierarchical ground distance, written as a recursion over labels."""
    height = hierarchy.height
    raw = hierarchy.values
    path = {v: [hierarchy.generalize([v], lv)[0] for lv in range(height + 1)] for v in raw}

    def fn(counts, size):
        extra = {}
        for v in raw:
            extra[(0, path[v][0])] = global_share.get(v, 0.0) - counts.get(v, 0) / size
        cost = 0.0
        for lv in range(1, height + 1):
            children = {}
            for v in raw:
                children.setdefault(path[v][lv], set()).add(path[v][lv - 1])
            nxt = {}
            for node, kids in children.items():
                p = sum(max(extra[(lv - 1, k)], 0.0) for k in kids)
                n = sum(max(-extra[(lv - 1, k)], 0.0) for k in kids)
                cost += lv / height * min(p, n)
                nxt[(lv, node)] = p - n
            extra = nxt
        return cost

    return fn


def exhaustive(df, qis, hierarchies, spec, metric="entropy", monotonic=True, max_suppression=0.0):
    """Evaluate every node; return a list of dicts (node, anonymous, suppressed, loss), in index order.

    Plain Python on lists: the tables here are tiny, and the point is independence from the
    numba kernels, not speed.
    """
    n = len(df)
    limit = int(n * float(max_suppression))
    heights = [hierarchies[q].height for q in qis]
    sens = spec.get("sensitive")
    sens_values = df[sens].tolist() if sens is not None else [None] * n
    if spec.get("t") is not None:
        shares = {}
        for v in sens_values:
            shares[v] = shares.get(v, 0) + 1 / n
        kind = spec["t_distance"]
        if kind == "equal":
            spec["t_distance_fn"] = equal_distance(shares)
        elif kind == "ordered":
            spec["t_distance_fn"] = ordered_distance(shares)
        else:
            spec["t_distance_fn"] = hierarchical_distance(shares, spec["sensitive_hierarchy"])
    raw = {q: df[q].tolist() for q in qis}
    labels = {q: [hierarchies[q].generalize(raw[q], lv) for lv in range(hierarchies[q].height + 1)] for q in qis}
    out = []
    for node in itertools.product(*[range(h + 1) for h in heights]):
        keys = list(zip(*[labels[q][lv] for q, lv in zip(qis, node)]))
        classes = {}
        for i, key in enumerate(keys):
            classes.setdefault(key, []).append(i)
        suppressed_rows = set()
        kept_sizes, suppressed_sizes = [], []
        for key, rows in classes.items():
            counts = {}
            if sens is not None:
                for i in rows:
                    counts[sens_values[i]] = counts.get(sens_values[i], 0) + 1
            if class_fails(counts, len(rows), spec):
                suppressed_rows.update(rows)
                suppressed_sizes.append(len(rows))
            else:
                kept_sizes.append(len(rows))
        loss = _loss(metric, monotonic, qis, hierarchies, node, raw, labels, suppressed_rows, kept_sizes,
                     suppressed_sizes, n)
        out.append({"node": tuple(node), "anonymous": len(suppressed_rows) <= limit,
                    "suppressed": len(suppressed_rows), "loss": loss})
    return out


def _loss(metric, monotonic, qis, hierarchies, node, raw, labels, suppressed_rows, kept_sizes, suppressed_sizes, n):
    """ARX's information loss of one node (see docs/anonymize.md)."""
    q = len(qis)
    n_sup = len(suppressed_rows)
    if metric == "entropy":
        total = 0.0
        for j, col in enumerate(qis):
            level = node[j]
            a, b = {}, {}
            for v, w in zip(raw[col], labels[col][level]):
                a[v] = a.get(v, 0) + 1
                b[w] = b.get(w, 0) + 1
            gen_of = dict(zip(raw[col], labels[col][level]))
            value = sum(c * math.log(c / b[gen_of[v]]) / math.log(2) for v, c in a.items())
            if not monotonic and n_sup:
                s = {}
                for i in suppressed_rows:
                    w = labels[col][level][i]
                    s[w] = s.get(w, 0) + 1
                value += sum(c * math.log(c / n_sup) / math.log(2) for c in s.values())
            total += arx_round(-value if value != 0 else value)
        return total
    if metric == "precision":
        result = 0.0
        for j, col in enumerate(qis):
            height = hierarchies[col].height
            frac = 0.0 if height == 0 else node[j] / height
            result += (frac if monotonic else ((n - n_sup) * frac + n_sup) / n) / q
        return result
    if metric == "loss":
        result = 1.0
        for j, col in enumerate(qis):
            h = hierarchies[col]
            all_labels = h.generalize(h.values, node[j])
            share = {lab: all_labels.count(lab) / len(all_labels) for lab in set(all_labels)}
            total = sum(1.0 if i in suppressed_rows else share[lab] for i, lab in enumerate(labels[col][node[j]]))
            lo = n / len(all_labels)
            value = (total - lo) / (n - lo) if n != lo else 0.0
            result *= (arx_round(max(value, 0.0)) + 1.0) ** (1.0 / q)
        return result - 1.0
    if metric == "discernibility":
        if monotonic:
            return float(sum(f * f for f in kept_sizes + suppressed_sizes))
        return float(sum(f * f for f in kept_sizes) + n * sum(suppressed_sizes))
    if metric == "aecs":
        return n / (len(kept_sizes) + (1 if n_sup else 0))
    raise ValueError(metric)


def optimum(rows):
    """The reference optimum: least loss, then fewest generalization steps, then index order."""
    candidates = [(r["loss"], sum(r["node"]), i) for i, r in enumerate(rows) if r["anonymous"]]
    if not candidates:
        return None
    return rows[min(candidates)[2]]


def sanity_unique(rows, best, rel=1e-9) -> bool:
    """Whether the optimum is unique by a margin (so the node, not just the loss, must match)."""
    others = [r["loss"] for r in rows if r["anonymous"] and r is not best]
    return all(abs(x - best["loss"]) > rel * max(1.0, abs(best["loss"])) for x in others)


__all__ = ["arx_round", "exhaustive", "optimum", "sanity_unique"]

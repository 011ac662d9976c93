"""The per-class l-diversity and t-closeness tests of deid.anonymize (deid/anonymize/_kernels.py,
which decide what a transformation suppresses) agree with the measurements of deid.risk
(deid/risk/_diversity.py, which report what a table satisfies), class by class, on random
histograms: two implementations of ARX's definitions that must not drift apart."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deid.anonymize import _kernels as anon
from deid.risk import _diversity as risk

EMPTY_G = np.zeros(1, dtype=np.float64)


def random_histograms(seed: int, n_classes: int = 200, n_values: int = 12):
    """CSR histograms (offsets, values, counts) of a sensitive attribute, one per class."""
    rng = np.random.default_rng(seed)
    offsets, values, counts = [0], [], []
    for _ in range(n_classes):
        m = int(rng.integers(1, n_values + 1))
        chosen = np.sort(rng.choice(n_values, m, replace=False))
        skew = rng.uniform(0.2, 3.0)
        values.extend(chosen.tolist())
        counts.extend((1 + rng.pareto(skew, m) * rng.integers(1, 20)).astype(np.int64).tolist())
        offsets.append(len(values))
    return (np.asarray(offsets, dtype=np.int64), np.asarray(values, dtype=np.int64),
            np.asarray(counts, dtype=np.int64), n_values)


def one_class(offsets, values, counts, k):
    lo, hi = offsets[k], offsets[k + 1]
    return np.array([0, hi - lo], dtype=np.int64), values[lo:hi].copy(), counts[lo:hi].copy()


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_distinct_entropy_and_recursive_l_agree(seed):
    offsets, values, counts, _ = random_histograms(seed)
    scratch = np.empty(64, dtype=np.int64)
    checked = {"entropy": 0, "recursive": 0}
    for k in range(offsets.shape[0] - 1):
        o, v, c = one_class(offsets, values, counts, k)
        lo, hi = int(offsets[k]), int(offsets[k + 1])
        total = int(c.sum())
        distinct = int(risk.distinct_l(o))
        entropy_l = float(risk.entropy_l(o, c))
        for l in (1.0, 1.5, 2.0, 2.7, 3.0, 4.0, 6.0):
            need = math.ceil(l)
            assert (hi - lo >= need) == (distinct >= need)
            if abs(entropy_l - l) > 1e-9:  # away from the boundary, where rounding decides
                got = anon._entropy_ok(lo, hi, counts, total, l, need, 0, EMPTY_G)
                assert got == (entropy_l >= l), (k, l, entropy_l)
                checked["entropy"] += 1
        for c_value in (1.0, 2.0, 3.5):
            largest = int(risk.recursive_cl(o, c, c_value))
            for l in range(1, 7):
                got = anon._recursive_ok(lo, hi, counts, c_value, l, scratch)
                assert got == (largest >= l), (k, c_value, l, largest)
                checked["recursive"] += 1
    assert checked["entropy"] > 500 and checked["recursive"] > 500


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_equal_and_ordered_t_agree(seed):
    offsets, values, counts, n_values = random_histograms(seed)
    global_counts = np.bincount(values, weights=counts, minlength=n_values)
    share = global_counts / global_counts.sum()
    present = np.flatnonzero(global_counts > 0)
    position = np.full(n_values, -1, dtype=np.int64)
    position[present] = np.arange(present.shape[0])
    by_position = share[present]
    scratch = np.zeros(present.shape[0], dtype=np.float64)
    for k in range(offsets.shape[0] - 1):
        o, v, c = one_class(offsets, values, counts, k)
        lo, hi = int(offsets[k]), int(offsets[k + 1])
        total = float(c.sum())
        assert anon._equal_t(lo, hi, values, counts, total, share) == pytest.approx(
            risk.equal_distance_t(o, v, c, share), abs=1e-12)
        assert anon._ordered_t(lo, hi, values, counts, total, position, by_position, scratch) == pytest.approx(
            risk.ordered_distance_t(o, v, c, position, by_position), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 40), min_size=1, max_size=8), st.floats(1.0, 6.0), st.floats(0.5, 4.0))
def test_one_class_any_counts(class_counts, l, c_value):
    counts = np.asarray(class_counts, dtype=np.int64)
    o = np.array([0, counts.shape[0]], dtype=np.int64)
    m = counts.shape[0]
    entropy_l = float(risk.entropy_l(o, counts))
    if abs(entropy_l - l) > 1e-9:
        assert anon._entropy_ok(0, m, counts, int(counts.sum()), l, math.ceil(l), 0, EMPTY_G) == (entropy_l >= l)
    largest = int(risk.recursive_cl(o, counts, c_value))
    scratch = np.empty(m, dtype=np.int64)
    for whole in range(1, m + 2):
        assert anon._recursive_ok(0, m, counts, c_value, whole, scratch) == (largest >= whole)

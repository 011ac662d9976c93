"""Properties of deid.anonymize on random small tables, against a brute-force reference.

Every node of the lattice is evaluated by ``anon_reference.exhaustive`` (plain Python, ARX's
definitions); the search must return a node the reference finds anonymous, whose loss is the
reference optimum, and the same node when the optimum is unique.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anon_reference import exhaustive, optimum, sanity_unique
from deid.anonymize import Hierarchy, anonymize

METRICS = ["entropy", "loss", "precision", "discernibility", "aecs"]


@st.composite
def hierarchy_for(draw, values):
    """A random functional hierarchy over ``values``: each level groups the labels below it."""
    height = draw(st.integers(1, 3))
    rows = {v: [v] for v in values}
    current = {v: f"{v}" for v in values}  # raw -> label at the current level
    for level in range(1, height + 1):
        labels = sorted(set(current.values()))
        if level == height:
            group = {lab: "*" for lab in labels}
        else:
            n_groups = draw(st.integers(1, max(1, len(labels))))
            group = {lab: f"g{level}_{draw(st.integers(0, n_groups - 1))}" for lab in labels}
        for v in values:
            current[v] = group[current[v]]
            rows[v].append(current[v])
    return Hierarchy(list(rows.values()))


@st.composite
def problems(draw):
    n = draw(st.integers(2, 30))
    q = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    data, hierarchies, qis = {}, {}, []
    for j in range(q):
        m = draw(st.integers(1, 5))
        as_int = draw(st.booleans())
        values = list(range(10, 10 + m)) if as_int else [f"v{i}" for i in range(m)]
        column = [values[i] for i in rng.integers(0, m, n)]
        name = f"q{j}"
        data[name] = column
        qis.append(name)
        hierarchies[name] = draw(hierarchy_for(sorted(set(column))))
    s = draw(st.integers(1, 4))
    data["s"] = [int(x) for x in rng.integers(0, s, n)]
    df = pd.DataFrame(data)
    kind = draw(st.sampled_from(["k", "l", "t", "k+l", "k+t"]))
    spec = {}
    kwargs = {}
    if "k" in kind:
        spec["k"] = kwargs["k"] = draw(st.integers(1, min(5, n)))
    if "l" in kind:
        variant = draw(st.sampled_from(["distinct", "entropy", "recursive"]))
        # non-integer entropy l and odd c/t values keep classes off exact floating-point ties
        l = draw(st.sampled_from([1.7, 2.3, 2.9])) if variant == "entropy" else draw(st.integers(1, 3))
        kwargs.update(l=l, l_variant=variant, sensitive="s")
        spec.update(l=l, l_variant=variant, sensitive="s")
        if variant == "entropy" and draw(st.booleans()):
            kwargs["entropy_estimator"] = spec["estimator"] = "grassberger"
        if variant == "recursive":
            kwargs["c"] = spec["c"] = draw(st.sampled_from([1.5, 2.0, 3.0]))
    if "t" in kind:
        distance = draw(st.sampled_from(["equal", "ordered", "hierarchical"]))
        t = draw(st.sampled_from([0.137, 0.291, 0.43, 0.61]))
        kwargs.update(t=t, t_distance=distance, sensitive="s")
        spec.update(t=t, t_distance=distance, sensitive="s")
        if distance == "hierarchical":
            h = draw(hierarchy_for(sorted(set(data["s"]))))
            hierarchies["s"] = h
            spec["sensitive_hierarchy"] = h
    metric = draw(st.sampled_from(METRICS))
    monotonic = draw(st.booleans())
    suppression = draw(st.sampled_from([0.0, 0.1, 0.25, 0.5, 1.0]))
    return df, qis, hierarchies, spec, kwargs, metric, monotonic, suppression


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_search_finds_the_exhaustive_optimum(problem):
    df, qis, hierarchies, spec, kwargs, metric, monotonic, suppression = problem
    qi_h = {q: hierarchies[q] for q in qis}
    rows = exhaustive(df, qis, qi_h, dict(spec), metric=metric, monotonic=monotonic, max_suppression=suppression)
    best = optimum(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        result = anonymize(df, qis, hierarchies, metric=metric, monotonic=monotonic, max_suppression=suppression,
                           **kwargs)
    by_node = {r["node"]: r for r in rows}
    if best is None:
        assert not result.satisfied
        return
    assert result.satisfied
    got = by_node[result.transformation]
    assert got["anonymous"]
    tol = 1e-9 * max(1.0, abs(best["loss"]))
    assert abs(got["loss"] - best["loss"]) <= tol
    assert abs(result.information_loss - got["loss"]) <= tol
    assert result.suppressed == got["suppressed"]
    if sanity_unique(rows, best):
        assert result.transformation == best["node"]
    assert 1 <= result.nodes_checked <= len(rows) + 1


@settings(max_examples=60, deadline=None)
@given(problems())
def test_released_data_meets_the_criteria(problem):
    df, qis, hierarchies, spec, kwargs, metric, monotonic, suppression = problem
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        result = anonymize(df, qis, hierarchies, metric=metric, monotonic=monotonic, max_suppression=suppression,
                           suppressed_records="remove", **kwargs)
    assert len(result.data) == len(df) - result.suppressed
    if result.satisfied:
        assert result.suppressed <= result.suppression_limit
    if len(result.data):
        sizes = result.data.groupby(qis).size()
        assert sizes.min() >= max(kwargs.get("k", 1), math.ceil(kwargs.get("l", 1)))
        assert result.risk.k == sizes.min()
        if kwargs.get("l_variant", "distinct") == "distinct" and "l" in kwargs:
            assert result.data.groupby(qis)["s"].nunique().min() >= kwargs["l"]
    for q in qis:  # every released label belongs to the chosen level
        level = result.levels[q]
        allowed = set(hierarchies[q].labels(level)) | {"*"}
        assert set(result.data[q]) <= allowed


@settings(max_examples=40, deadline=None)
@given(problems(), st.sampled_from([0.0, 0.1, 0.3]))
def test_optimal_loss_never_grows_with_the_suppression_limit(problem, extra):
    df, qis, hierarchies, spec, kwargs, metric, monotonic, suppression = problem
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        tight = anonymize(df, qis, hierarchies, metric=metric, monotonic=monotonic, max_suppression=suppression,
                          **kwargs)
        loose = anonymize(df, qis, hierarchies, metric=metric, monotonic=monotonic,
                          max_suppression=min(1.0, suppression + extra), **kwargs)
    if tight.satisfied:
        assert loose.satisfied
        assert loose.information_loss <= tight.information_loss + 1e-9 * max(1.0, abs(tight.information_loss))


@pytest.mark.parametrize("metric", ["entropy", "precision", "discernibility"])
def test_monotonic_optimum_grows_with_k(metric):
    rng = np.random.default_rng(7)
    df = pd.DataFrame({"age": rng.integers(20, 80, 400), "zip": rng.choice(["02139", "02138", "02141", "02142"], 400),
                       "sex": rng.choice(["F", "M"], 400)})
    h = {"age": Hierarchy.intervals(df["age"], widths=(5, 10, 20)), "zip": Hierarchy.redaction(df["zip"])}
    losses = [anonymize(df, ["age", "zip", "sex"], h, k=k, max_suppression=0.02, metric=metric).information_loss
              for k in (1, 2, 5, 10, 25, 50)]
    assert losses == sorted(losses)
    assert losses[-1] > losses[0]  # k=1 keeps the raw data; k=50 must generalize


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 7), st.lists(st.tuples(st.integers(0, 5), st.integers(1, 4)),
                                                      min_size=1, max_size=4)), min_size=1, max_size=30))
def test_histogram_merge_paths_agree(sources):
    """The dense tally and the sort-based merge give the same per-class histograms."""
    from deid.anonymize import _kernels as K

    dst = np.array([d for d, _ in sources], dtype=np.int64)
    _, dst = np.unique(dst, return_inverse=True)
    n_dst = int(dst.max()) + 1
    offsets = np.zeros(len(sources) + 1, dtype=np.int64)
    values, counts = [], []
    for i, (_, entries) in enumerate(sources):
        merged = {}
        for v, c in entries:
            merged[v] = merged.get(v, 0) + c
        values += list(merged)
        counts += list(merged.values())
        offsets[i + 1] = len(values)
    values = np.array(values, dtype=np.int32)
    counts = np.array(counts, dtype=np.int64)
    expected = {}
    for g, (_, entries) in zip(dst, sources):
        for v, c in entries:
            expected[(int(g), v)] = expected.get((int(g), v), 0) + c
    for n_values in (6, 1_100_000):  # a small value space takes the dense path, a huge one the sort
        out_offsets, out_values, out_counts = K.merge_histograms(dst, n_dst, offsets, values, counts, n_values)
        got = {}
        for g in range(n_dst):
            for j in range(out_offsets[g], out_offsets[g + 1]):
                got[(g, int(out_values[j]))] = int(out_counts[j])
        assert got == expected

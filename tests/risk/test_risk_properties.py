"""Hypothesis properties of deid.risk, and agreement with a pandas.groupby reference."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deid.risk import assess_risk
from deid.risk._kernels import group_codes

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _column(kind: str, raw: list[int]) -> pd.Series:
    """A column of the given dtype family from small integers (-1 means missing)."""
    if kind == "int":
        return pd.Series(raw, dtype="int64")
    if kind == "nullable_int":
        return pd.Series([None if v < 0 else v for v in raw], dtype="Int64")
    if kind == "float":
        return pd.Series([math.nan if v < 0 else v / 2 for v in raw], dtype="float64")
    if kind == "str":
        return pd.Series([None if v < 0 else f"v{v}" for v in raw], dtype="str")
    if kind == "object":
        return pd.Series([None if v < 0 else ("x" if v % 2 else v) for v in raw], dtype=object)
    if kind == "category":
        return pd.Series(pd.Categorical([None if v < 0 else f"c{v}" for v in raw]))
    if kind == "datetime":
        base = pd.Timestamp("2000-01-01")
        return pd.Series([pd.NaT if v < 0 else base + pd.Timedelta(days=v) for v in raw], dtype="datetime64[ns]")
    if kind == "bool":
        return pd.Series([v % 2 == 0 for v in raw], dtype=bool)
    raise AssertionError(kind)


KINDS = ["int", "nullable_int", "float", "str", "object", "category", "datetime", "bool"]


@st.composite
def tables(draw, min_rows=1, max_rows=40):
    n = draw(st.integers(min_rows, max_rows))
    n_qi = draw(st.integers(1, 3))
    data = {}
    for j in range(n_qi):
        kind = draw(st.sampled_from(KINDS))
        high = draw(st.integers(0, 5))
        raw = draw(st.lists(st.integers(-1, high), min_size=n, max_size=n))
        data[f"q{j}"] = _column(kind, raw)
    data["s"] = _column(draw(st.sampled_from(["int", "str", "float"])), draw(st.lists(st.integers(-1, 4), min_size=n, max_size=n)))
    return pd.DataFrame(data)


def _qis(df):
    return [c for c in df.columns if c.startswith("q")]


def _close(a, b):
    """Recursive equality of to_dict() outputs, floats compared to 1e-12 relative."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-12, abs=1e-15)
    return a == b


@SETTINGS
@given(df=tables(), seed=st.integers(0, 2**32 - 1))
def test_row_order_does_not_change_any_metric(df, seed):
    kwargs = dict(sensitive="s", sampling_fraction=0.3)
    before = assess_risk(df, _qis(df), **kwargs)
    order = np.random.default_rng(seed).permutation(len(df))
    after = assess_risk(df.iloc[order].reset_index(drop=True), _qis(df), **kwargs)
    assert _close(before.to_dict(), after.to_dict())
    np.testing.assert_array_equal(after.record_risk, before.record_risk[order])
    assert before.quasi_identifier_analysis(2).equals(after.quasi_identifier_analysis(2))


@SETTINGS
@given(df=tables())
def test_duplicating_every_row_doubles_class_sizes(df):
    once = assess_risk(df, _qis(df))
    twice = assess_risk(pd.concat([df, df], ignore_index=True), _qis(df))
    assert twice.n_classes == once.n_classes
    assert twice.k == 2 * once.k
    assert twice.class_size_histogram == {2 * s: c for s, c in once.class_size_histogram.items()}
    np.testing.assert_allclose(twice.record_risk, np.tile(once.record_risk, 2) / 2)
    assert twice.sample_uniqueness == 0.0


@SETTINGS
@given(df=tables())
def test_agrees_with_a_pandas_groupby_reference(df):
    qis = _qis(df)
    report = assess_risk(df, qis, sensitive="s", thresholds=(0.2, 0.5))
    grouped = df.groupby(qis, dropna=False, observed=True, sort=False)
    sizes = grouped.size()
    ref_risk = 1.0 / grouped[qis[0]].transform("size").to_numpy(dtype=float)
    np.testing.assert_allclose(report.record_risk, ref_risk)
    assert report.n_classes == len(sizes)
    assert report.k == sizes.min()
    assert report.class_size_histogram == sizes.value_counts().sort_index().to_dict()
    n = len(df)
    assert report.prosecutor.average == pytest.approx(len(sizes) / n)
    for t in (0.2, 0.5):
        assert report.prosecutor.records_at_risk[t] == pytest.approx(sizes[1.0 / sizes > t].sum() / n)
    assert report.sample_uniqueness == pytest.approx((sizes == 1).sum() / n)
    # l-diversity and t-closeness straight from their definitions
    sens = df["s"]
    s_key = sens.astype(object).where(sens.notna(), "<NA>")
    glob = s_key.value_counts(normalize=True)
    ordered = pd.api.types.is_numeric_dtype(sens.dtype)
    values = sorted(glob.index, key=lambda v: (v == "<NA>", v if v != "<NA>" else 0)) if ordered else list(glob.index)
    distinct, entropies, t_worst = [], [], 0.0
    group_of_row = grouped.ngroup().to_numpy()  # (.indices drops a NaN categorical group)
    for g in np.unique(group_of_row):
        idx = np.flatnonzero(group_of_row == g)
        local = s_key.iloc[idx].value_counts(normalize=True)
        distinct.append(len(local))
        entropies.append(-(local * np.log(local)).sum())
        p = np.array([local.get(v, 0.0) for v in values])
        q = np.array([glob[v] for v in values])
        if ordered:
            d = np.abs(np.cumsum(p - q)).sum() / (len(values) - 1) if len(values) > 1 else 0.0
        else:
            d = np.abs(p - q).sum() / 2
        t_worst = max(t_worst, d)
    s = report.sensitive["s"]
    assert s.distinct_l == min(distinct)
    assert s.entropy_l == pytest.approx(math.exp(max(min(entropies), 0.0)), rel=1e-9)
    assert s.t_closeness == pytest.approx(t_worst, abs=1e-12)
    assert s.t_distance == ("ordered" if ordered else "equal")


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_cols=st.integers(2, 6))
def test_group_codes_all_paths_match_pandas(seed, n_cols):
    # wide cardinalities force the overflow re-densify and the hashed/partitioned paths
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400_000)) if n_cols == 2 else int(rng.integers(1, 3000))
    cards = [int(c) for c in rng.choice([2, 50, 10_000, 2**31 - 1], size=n_cols)]
    codes = [rng.integers(0, min(c, 40), n) * (c // 40 or 1) % c for c in cards]
    ids, sizes = group_codes(codes, cards)
    frame = pd.DataFrame({f"c{j}": c for j, c in enumerate(codes)})
    ref = frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy()
    # same partition: a bijection between our ids and pandas' group numbers
    pairs = pd.DataFrame({"a": ids, "b": ref}).drop_duplicates()
    assert pairs["a"].is_unique and pairs["b"].is_unique
    np.testing.assert_array_equal(np.bincount(ids), sizes)
    assert sizes.sum() == n


def test_partitioned_parallel_grouping_matches_pandas_on_a_million_rows():
    # above 2**20 rows the parallel kernels and the radix-partitioned hash table take over
    rng = np.random.default_rng(3)
    n = (1 << 20) + 12_345
    a = rng.integers(0, 5_000, n)
    b = rng.integers(0, 3_000, n) * 1_000_003  # sparse codes: a key space far above 4 per row
    ids, sizes = group_codes([a, b], [5_000, 3_000 * 1_000_003])
    ref = pd.DataFrame({"a": a, "b": b}).groupby(["a", "b"], sort=False).ngroup().to_numpy()
    assert sizes.shape[0] == ref.max() + 1
    pairs = pd.DataFrame({"ours": ids, "ref": ref}).drop_duplicates()
    assert len(pairs) == sizes.shape[0]  # one-to-one
    np.testing.assert_array_equal(np.bincount(ids, minlength=sizes.shape[0]), sizes)

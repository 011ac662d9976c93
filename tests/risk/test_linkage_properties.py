"""Hypothesis properties of deid.risk.linkage_attack against a brute-force pairwise reference.

The reference walks every (released, auxiliary) pair and applies the definition literally:
consistent when on every column the auxiliary value is missing, or the released value is
missing, or the released value is the auxiliary value or one of its generalizations.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deid.risk import linkage_attack

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def reference(released, auxiliary, on, generalize=None, released_id=None, auxiliary_id=None):
    """Per released record: (number of consistent auxiliary records, own record consistent)."""
    generalize = generalize or {}
    rel_rows = released[on].astype(object).to_numpy()
    aux_rows = auxiliary[on].astype(object).to_numpy()

    def covers(column, released_value, aux_value):
        if _missing(aux_value) or _missing(released_value):
            return True
        if column in generalize:
            return released_value in generalize[column](aux_value)
        return released_value == aux_value

    counts, own = [], []
    for i, r in enumerate(rel_rows):
        consistent = [all(covers(c, r[j], a[j]) for j, c in enumerate(on)) for a in aux_rows]
        counts.append(sum(consistent))
        if released_id is not None:
            rid = released[released_id].iloc[i]
            own.append(not _missing(rid) and any(
                ok and auxiliary[auxiliary_id].iloc[k] == rid for k, ok in enumerate(consistent)))
    return np.array(counts, dtype=np.int64), (np.array(own, dtype=bool) if released_id is not None else None)


# ----------------------------------------------------------------------------- columns


def _column(kind: str, raw: list[int]) -> pd.Series:
    """A column of one dtype family from small integers (-1 means missing)."""
    if kind == "int":
        return pd.Series([max(v, 0) for v in raw], dtype="int64")
    if kind == "nullable_int":
        return pd.Series([None if v < 0 else v for v in raw], dtype="Int64")
    if kind == "float":
        return pd.Series([math.nan if v < 0 else float(v) for v in raw], dtype="float64")
    if kind == "str":
        return pd.Series([None if v < 0 else f"v{v}" for v in raw], dtype="str")
    if kind == "object_str":
        return pd.Series([None if v < 0 else f"v{v}" for v in raw], dtype=object)
    if kind == "category":
        return pd.Series(pd.Categorical([None if v < 0 else f"v{v}" for v in raw]))
    if kind == "datetime":
        base = pd.Timestamp("2000-01-01")
        return pd.Series([pd.NaT if v < 0 else base + pd.Timedelta(days=v) for v in raw], dtype="datetime64[ns]")
    if kind == "datetime_us":
        base = pd.Timestamp("2000-01-01")
        return pd.Series([pd.NaT if v < 0 else base + pd.Timedelta(days=v) for v in raw], dtype="datetime64[us]")
    raise AssertionError(kind)


# kinds whose values compare equal across the two tables (same family)
FAMILIES = {
    "number": ["int", "nullable_int", "float"],
    "text": ["str", "object_str", "category"],
    "date": ["datetime", "datetime_us"],
}


@st.composite
def table_pairs(draw, max_released=12, max_auxiliary=25):
    n_rel = draw(st.integers(1, max_released))
    n_aux = draw(st.integers(0, max_auxiliary))
    n_cols = draw(st.integers(1, 3))
    released, auxiliary = {}, {}
    for j in range(n_cols):
        family = draw(st.sampled_from(sorted(FAMILIES)))
        high = draw(st.integers(0, 4))
        low = -1 if draw(st.booleans()) else 0  # with or without missing values
        rel_raw = draw(st.lists(st.integers(low, high), min_size=n_rel, max_size=n_rel))
        aux_raw = draw(st.lists(st.integers(low, high), min_size=n_aux, max_size=n_aux))
        released[f"q{j}"] = _column(draw(st.sampled_from(FAMILIES[family])), rel_raw)
        auxiliary[f"q{j}"] = _column(draw(st.sampled_from(FAMILIES[family])), aux_raw)
    return pd.DataFrame(released), pd.DataFrame(auxiliary, index=pd.RangeIndex(n_aux))


@SETTINGS
@given(table_pairs())
def test_match_counts_equal_the_pairwise_definition(pair):
    released, auxiliary = pair
    on = list(released.columns)
    report = linkage_attack(released, auxiliary, on)
    expected, _ = reference(released, auxiliary, on)
    np.testing.assert_array_equal(report.match_counts, expected)
    # the totals are functions of the counts
    assert report.unique_links == int((expected == 1).sum())
    assert report.expected_correct == pytest.approx(sum(1 / m for m in expected if m > 0))
    assert report.match_count_histogram["records"].sum() == len(released)


@SETTINGS
@given(table_pairs(), st.randoms(use_true_random=False))
def test_row_order_and_index_do_not_matter(pair, rnd):
    released, auxiliary = pair
    on = list(released.columns)
    base = linkage_attack(released, auxiliary, on).match_counts
    rel_order = list(range(len(released)))
    aux_order = list(range(len(auxiliary)))
    rnd.shuffle(rel_order)
    rnd.shuffle(aux_order)
    shuffled = linkage_attack(released.iloc[rel_order], auxiliary.iloc[aux_order], on)
    np.testing.assert_array_equal(shuffled.match_counts, base[rel_order])
    assert list(shuffled.per_record().index) == list(released.index[rel_order])


@SETTINGS
@given(table_pairs())
def test_more_columns_never_add_matches(pair):
    released, auxiliary = pair
    on = list(released.columns)
    full = linkage_attack(released, auxiliary, on).match_counts
    fewer = linkage_attack(released, auxiliary, on[:1]).match_counts
    assert (full <= fewer).all()


# ----------------------------------------------------------------------------- hierarchies


def _band(v: int) -> str:
    lo = v // 5 * 5
    return f"{lo}-{lo + 4}"


AGE_TABLE = pd.DataFrame({"raw": range(0, 15), "band": [_band(v) for v in range(15)], "top": ["*"] * 15})


@st.composite
def generalized_pairs(draw):
    """Ages 0-14 (text in released); released values at a random level per record."""
    n_rel = draw(st.integers(1, 10))
    n_aux = draw(st.integers(0, 20))
    rel_age = draw(st.lists(st.integers(-1, 14), min_size=n_rel, max_size=n_rel))
    levels = draw(st.lists(st.integers(0, 2), min_size=n_rel, max_size=n_rel))
    labels = []
    for v, level in zip(rel_age, levels):
        labels.append(None if v < 0 else [str(v), _band(v), "*"][level])
    aux_age = draw(st.lists(st.integers(-1, 14), min_size=n_aux, max_size=n_aux))
    sex_rel = draw(st.lists(st.sampled_from(["F", "M"]), min_size=n_rel, max_size=n_rel))
    sex_aux = draw(st.lists(st.sampled_from(["F", "M"]), min_size=n_aux, max_size=n_aux))
    released = pd.DataFrame({"age": pd.Series(labels, dtype="str"), "sex": sex_rel, "id": range(n_rel)})
    auxiliary = pd.DataFrame({
        "age": pd.Series([None if v < 0 else v for v in aux_age], dtype="Int64"),
        "sex": sex_aux,
        "id": draw(st.lists(st.integers(0, n_rel + 2), min_size=n_aux, max_size=n_aux)),
    })
    return released, auxiliary


def _age_generalizations(value) -> set:
    v = int(value)
    return {str(v), _band(v), "*"}


@SETTINGS
@given(generalized_pairs(), st.sampled_from(["table", "callables", "file"]))
def test_generalized_values_match_the_raw_values_they_cover(tmp_path_factory, pair, form):
    released, auxiliary = pair
    if form == "table":
        hierarchy = AGE_TABLE
    elif form == "callables":
        hierarchy = [lambda s: s.astype(int).map(_band), lambda s: pd.Series(["*"] * len(s))]
        # a generalizer compares raw values in their own type: raw ages stay numbers
        released = released.assign(age=pd.Series(
            [int(x) if isinstance(x, str) and x.isdigit() else (x if isinstance(x, str) else None)
             for x in released["age"]], dtype=object))
    else:
        path = tmp_path_factory.mktemp("h") / "age.csv"
        AGE_TABLE.to_csv(path, sep=";", header=False, index=False)
        hierarchy = str(path)
    report = linkage_attack(released, auxiliary, ["age", "sex"], hierarchies={"age": hierarchy},
                            released_id="id", auxiliary_id="id")
    covers = _age_generalizations if form != "callables" else (lambda v: {int(v), _band(int(v)), "*"})
    expected, own = reference(released, auxiliary, ["age", "sex"], {"age": covers}, "id", "id")
    np.testing.assert_array_equal(report.match_counts, expected)
    np.testing.assert_array_equal(report.true_match_found, own)
    assert report.correct_links == int((own & (expected == 1)).sum())


@SETTINGS
@given(table_pairs(max_released=10, max_auxiliary=15), st.data())
def test_ground_truth_equals_the_pairwise_definition(pair, data):
    released, auxiliary = pair
    on = list(released.columns)
    released = released.assign(pid=data.draw(st.lists(st.one_of(st.none(), st.integers(0, 8)),
                                                       min_size=len(released), max_size=len(released))))
    released["pid"] = released["pid"].astype("Int64")
    auxiliary = auxiliary.assign(pid=data.draw(st.lists(st.integers(0, 8), min_size=len(auxiliary),
                                                        max_size=len(auxiliary))))
    report = linkage_attack(released, auxiliary, on, released_id="pid", auxiliary_id="pid")
    expected, own = reference(released, auxiliary, on, None, "pid", "pid")
    np.testing.assert_array_equal(report.match_counts, expected)
    np.testing.assert_array_equal(report.true_match_found, own)
    unique = expected == 1
    assert report.correct_links == int((own & unique).sum())
    if unique.any():
        assert report.unique_link_precision == pytest.approx((own & unique).sum() / unique.sum())
    assert report.expected_correct_given_truth == pytest.approx(sum(1 / m for m, o in zip(expected, own) if o))

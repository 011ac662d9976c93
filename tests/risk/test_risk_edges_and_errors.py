"""Edge cases and every bad-input ValueError of deid.risk."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from deid.risk import EquivalenceClasses, RiskReport, assess_risk


def test_one_row():
    r = assess_risk(pd.DataFrame({"a": ["x"], "b": [1]}), ["a", "b"], sampling_fraction=0.5)
    assert (r.n_records, r.n_classes, r.k) == (1, 1, 1)
    assert r.record_risk.tolist() == [1.0] and r.sample_uniqueness == 1.0
    assert r.prosecutor.highest == r.prosecutor.lowest == r.prosecutor.average == 1.0
    qa = r.quasi_identifier_analysis()
    assert qa["separation"].tolist() == [0.0, 0.0, 0.0]  # ARX: no pair of records
    # Pitman has nothing to fit on one record: flagged, explained, and NaN-free in JSON
    assert not r.population_uniqueness.pitman.converged
    assert r.population_uniqueness.pitman.note
    assert any(note.startswith("pitman:") for note in r.notes)
    assert json.loads(r.to_json())["population_uniqueness"]["pitman"]["fraction"] is None


def test_all_rows_identical():
    df = pd.DataFrame({"a": ["x"] * 7, "b": [3] * 7, "s": list("abcabca")})
    r = assess_risk(df, ["a", "b"], sensitive="s", population_size=700)
    assert (r.n_classes, r.k) == (1, 7)
    assert r.sample_uniqueness == 0.0
    assert r.population_uniqueness.dankar.fraction == 0.0
    assert r.sensitive["s"].distinct_l == 3 and r.sensitive["s"].t_closeness == pytest.approx(0.0, abs=1e-15)
    np.testing.assert_allclose(r.record_risk, 1 / 7)


def test_all_rows_unique():
    df = pd.DataFrame({"id": np.arange(50), "s": np.arange(50) % 3})
    r = assess_risk(df, ["id"], sensitive="s")
    assert r.n_classes == 50 and r.k == 1 and r.sample_uniqueness == 1.0
    assert r.prosecutor.lowest == 1.0 and r.class_size_histogram == {1: 50}
    assert r.sensitive["s"].distinct_l == 1 and r.sensitive["s"].entropy_l == 1.0
    assert r.sensitive["s"].recursive_l == 1  # one value: r1 < 2 * r1


def test_a_column_entirely_missing_is_one_category():
    df = pd.DataFrame({"a": [1, 1, 2, 3], "empty": [np.nan] * 4, "none": pd.Series([None] * 4, dtype="str")})
    with_missing = assess_risk(df, ["a", "empty", "none"])
    without = assess_risk(df, ["a"])
    assert with_missing.class_size_histogram == without.class_size_histogram == {1: 2, 2: 1}
    s = assess_risk(df, ["a"], sensitive="empty").sensitive["empty"]
    assert s.distinct_l == 1 and s.t_closeness == 0.0


def test_missing_values_are_one_more_category():
    df = pd.DataFrame({"a": ["x", None, np.nan, "x", pd.NA]}, dtype=object)
    r = assess_risk(df, ["a"])
    assert r.class_size_histogram == {2: 1, 3: 1}


def test_datetime_and_timezone_columns():
    stamps = pd.to_datetime(["2020-01-01", "2020-01-02", None, "2020-01-01"])
    df = pd.DataFrame({"d": stamps, "tz": stamps.tz_localize("UTC"), "td": stamps - stamps.min()})
    for col in df:
        assert assess_risk(df, [col]).class_size_histogram == {1: 2, 2: 1}


# ------------------------------------------------------------------ errors


@pytest.fixture()
def small():
    return pd.DataFrame({"a": [1, 2, 2], "b": ["x", "y", "y"], "s": [0, 1, 0]})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(quasi_identifiers=["nope"]), r"unknown quasi-identifier column\(s\) \['nope'\]"),
        (dict(quasi_identifiers=["a"], sensitive="gone"), r"unknown sensitive column\(s\) \['gone'\]"),
        (dict(quasi_identifiers=[]), "quasi_identifiers is empty"),
        (dict(quasi_identifiers=["a", "a"]), "more than once"),
        (dict(quasi_identifiers=["a"], sensitive="a"), "both quasi-identifier and sensitive"),
        (dict(quasi_identifiers=["a"], population_size=2), "smaller than the sample"),
        (dict(quasi_identifiers=["a"], population_size=-5), "population_size must be a positive"),
        (dict(quasi_identifiers=["a"], population_size=math.inf), "population_size must be a positive"),
        (dict(quasi_identifiers=["a"], sampling_fraction=0), r"sampling_fraction must lie in \(0, 1\]"),
        (dict(quasi_identifiers=["a"], sampling_fraction=1.5), r"sampling_fraction must lie in \(0, 1\]"),
        (dict(quasi_identifiers=["a"], sampling_fraction=-0.1), r"sampling_fraction must lie in \(0, 1\]"),
        (dict(quasi_identifiers=["a"], sampling_fraction=math.nan), r"sampling_fraction must lie in \(0, 1\]"),
        (dict(quasi_identifiers=["a"], sampling_fraction=0.5, population_size=10), "not both"),
        (dict(quasi_identifiers=["a"], thresholds=(0.1, 0)), r"threshold must lie in \(0, 1\]"),
        (dict(quasi_identifiers=["a"], thresholds="abc"), "thresholds must be a sequence"),
        (dict(quasi_identifiers=["a"], recursive_c=0), "recursive_c must be a positive"),
        (dict(quasi_identifiers=["a"], population_table=[1, 2]), "population_table must be a DataFrame"),
        (dict(quasi_identifiers=["a"], population_table=pd.DataFrame({"z": [1]})), "lacks the quasi-identifier"),
        (dict(quasi_identifiers=["a"], population_table=pd.DataFrame({"a": [1, 2]})), "fewer records than the sample"),
        (dict(quasi_identifiers=["a"], population_table=pd.Series([5], index=pd.Index([1], name="b"))),
         "indexed by exactly the quasi-identifiers"),
    ],
)
def test_bad_input_raises_a_value_error_naming_the_problem(small, kwargs, message):
    with pytest.raises(ValueError, match=message):
        assess_risk(small, **kwargs)


def test_empty_frame(small):
    with pytest.raises(ValueError, match="DataFrame is empty"):
        assess_risk(small.iloc[:0], ["a"])


def test_not_a_frame():
    with pytest.raises(ValueError, match="must be a pandas DataFrame"):
        assess_risk({"a": [1]}, ["a"])


def test_error_messages_never_contain_cell_values():
    df = pd.DataFrame({"name": ["Jane Roe", "Jane Roe"]})
    population = pd.DataFrame({"name": ["Jane Roe"]})
    with pytest.raises(ValueError) as info:
        assess_risk(df, ["name"], population_table=population)
    assert "Jane" not in str(info.value)


def test_quasi_identifier_analysis_max_size(small):
    with pytest.raises(ValueError, match="max_size must be a positive integer"):
        assess_risk(small, ["a", "b"]).quasi_identifier_analysis(max_size=0)


def test_equivalence_classes_validation():
    with pytest.raises(ValueError, match="non-empty one-dimensional"):
        EquivalenceClasses(np.array([], dtype=np.int64))
    with pytest.raises(ValueError, match="must all be positive"):
        EquivalenceClasses(np.array([2, 0]))
    with pytest.raises(ValueError, match="one entry per class"):
        EquivalenceClasses(np.array([2, 1]), population_sizes=np.array([5]))
    with pytest.raises(ValueError, match="not both"):
        RiskReport.from_classes(EquivalenceClasses(np.array([1])), population_size=5, sampling_fraction=0.5)


def test_arrow_strings_long_short_chunked_and_null_encode_like_factorize():
    from deid.risk._encode import encode_column

    rng = np.random.default_rng(7)
    middles = ["x", "y", "é", ""]
    values = [
        None if r == 0 else "p" * 9 + middles[r % 4] + "s" * (8 + r % 3) if r % 2 else "ab"[: r % 3]
        for r in rng.integers(0, 12, 500)
    ]
    left = pd.Series(values[:250], dtype="str")
    right = pd.Series(values[250:], dtype="str")
    chunked = pd.concat([left, right], ignore_index=True)  # two Arrow chunks
    for series in (pd.Series(values, dtype="str"), chunked, chunked.iloc[3:]):
        enc = encode_column(series)
        ref, uniques = pd.factorize(series, use_na_sentinel=False)
        pairs = pd.DataFrame({"a": np.asarray(enc.codes, dtype=np.int64), "b": ref}).drop_duplicates()
        assert pairs["a"].is_unique and pairs["b"].is_unique  # same partition of the rows
        assert enc.cardinality == len(uniques)

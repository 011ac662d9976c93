"""deid.dask.assess_risk on a two-process LocalCluster equals deid.assess_risk on the computed frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import deid.risk

dd = pytest.importorskip("dask.dataframe", reason="the dask extra is not installed")

from deid.dask import assess_risk, class_counts  # noqa: E402

# few examples: every example runs on the cluster
SETTINGS = settings(deadline=None, max_examples=6, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _figures(report) -> dict:
    out = report.to_dict()
    out.pop("record_risk")  # per-row risk needs the rows in one process: None from Dask
    return out


def _same(ddf, qis, split_out=None, shuffle_method="tasks", **kwargs):
    # a task shuffle: faster than Dask's default p2p on tiny data (p2p is tested below)
    got = assess_risk(ddf, qis, split_out=split_out, shuffle_method=shuffle_method, **kwargs)
    expected = deid.risk.assess_risk(ddf.compute(), qis, **kwargs)
    assert _figures(got) == _figures(expected)
    assert got.record_risk is None
    return got, expected


ADULT_QIS = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "occupation"]


@pytest.mark.parametrize(
    "qis, kwargs",
    [
        (ADULT_QIS + ["salary-class"], {}),
        (ADULT_QIS + ["salary-class"], {"sampling_fraction": 0.1}),  # Pitman, as ARX
        (ADULT_QIS + ["salary-class"], {"sampling_fraction": 0.2}),  # Zayatz
        (ADULT_QIS, {"sensitive": "salary-class", "sampling_fraction": 0.01}),
        (["sex", "race", "workclass"], {"sensitive": ["age", "occupation"], "recursive_c": 3.0}),
        (["age"], {"sensitive": ["education", "salary-class"], "population_size": 400_000}),
    ],
)
def test_adult_equals_pandas(client, adult, qis, kwargs):
    ddf = dd.from_pandas(adult, npartitions=4)  # split_out 1: a tree reduction (shuffles: below)
    got, expected = _same(ddf, qis, **kwargs)
    if qis == ADULT_QIS + ["salary-class"]:
        assert got.n_classes == 19_502  # ARX's figure for adult with all nine columns
    if "sensitive" in kwargs:
        for name, risk in got.sensitive.items():
            assert risk == expected.sensitive[name]  # exactly, floats included


def test_adult_many_output_partitions(client, adult):
    # split_out > 1: classes are spread over several reduction outputs, then merged
    ddf = dd.from_pandas(adult, npartitions=8)
    qis = ["age", "education", "occupation", "native-country"]
    _same(ddf, qis, sensitive=["salary-class", "race"], sampling_fraction=0.05, split_out=3, shuffle_method=None)
    merged = class_counts(ddf, qis, split_out=4, shuffle_method="tasks")
    assert merged.n_classes == deid.risk.assess_risk(adult, qis).n_classes


def test_adult_population_table(client, adult):
    # the population: the sample and more people like them (pandas, Series of counts, or Dask)
    population = pd.concat([adult, adult.sample(20_000, random_state=3)], ignore_index=True)
    qis = ["sex", "age", "race", "education"]
    ddf = dd.from_pandas(adult, npartitions=5)
    for table in (population, population.value_counts(qis), dd.from_pandas(population, npartitions=4)):
        got = assess_risk(ddf, qis, sensitive="occupation", population_table=table, shuffle_method="tasks")
        pandas_table = table.compute() if hasattr(table, "dask") else table
        expected = deid.risk.assess_risk(adult, qis, sensitive="occupation", population_table=pandas_table)
        assert _figures(got) == _figures(expected)
        assert got.journalist.source == "population_table"
        assert got.population_uniqueness.population_size == len(population)


def test_unordered_partitions_change_nothing(client, adult):
    # the same rows in another partitioning: same classes; the report equals the pandas one
    # on the rows in that order too
    shuffled = adult.sample(frac=1.0, random_state=5).reset_index(drop=True)
    for frame, parts in ((adult, 3), (shuffled, 7)):
        _same(dd.from_pandas(frame, npartitions=parts), ["sex", "race", "age"], sensitive="education")


def test_report_has_no_rows(client, adult):
    report = assess_risk(dd.from_pandas(adult, npartitions=2), ["sex", "race"])
    with pytest.raises(ValueError, match="needs the rows"):
        report.quasi_identifier_analysis()
    assert "journalist and marketer risk use the sample" in " ".join(report.notes)


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "qis, kwargs, message",
    [
        (["nope"], {}, r"unknown quasi-identifier column\(s\) \['nope'\]"),
        ([], {}, "quasi_identifiers is empty"),
        (["sex", "sex"], {}, "more than once"),
        (["sex"], {"sensitive": "sex"}, "cannot be both"),
        (["sex"], {"sensitive": "nope"}, r"unknown sensitive column"),
        (["sex"], {"sampling_fraction": 1.5}, r"sampling_fraction must lie in \(0, 1\]"),
        (["sex"], {"sampling_fraction": 0.5, "population_size": 10}, "not both"),
        (["sex"], {"thresholds": (0.0,)}, "threshold"),
        (["sex"], {"population_size": 10}, "smaller than the sample"),
    ],
)
def test_bad_arguments_raise_the_pandas_messages(client, adult, qis, kwargs, message):
    ddf = dd.from_pandas(adult, npartitions=2)
    with pytest.raises(ValueError, match=message):
        assess_risk(ddf, qis, **kwargs)
    with pytest.raises(ValueError, match=message):
        deid.risk.assess_risk(adult, qis, **kwargs)


def test_empty_frame_and_wrong_input(client, adult):
    empty = dd.from_pandas(adult.iloc[:0], npartitions=1)
    for kwargs in ({}, {"sensitive": "occupation"}):
        with pytest.raises(ValueError, match="empty"):
            assess_risk(empty, ["sex"], **kwargs)
    with pytest.raises(ValueError, match="dask DataFrame"):
        assess_risk(adult, ["sex"])
    with pytest.raises(ValueError, match="population_table lacks"):
        assess_risk(dd.from_pandas(adult, npartitions=2), ["sex", "age"],
                    population_table=dd.from_pandas(adult[["sex"]], npartitions=1))


def test_population_missing_a_sample_record(client, adult):
    population = adult[adult["sex"] != "Female"]
    with pytest.raises(ValueError, match="population must contain every sample record"):
        assess_risk(dd.from_pandas(adult, npartitions=2), ["sex"], population_table=population)


# ----------------------------------------------------------------------------- properties


@st.composite
def frames(draw):
    n = draw(st.integers(1, 60))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    small = draw(st.integers(1, 4))  # few distinct values, so classes repeat
    columns = {
        "i": rng.integers(0, small, n),
        "s": pd.array(rng.choice(np.array(["a", "b", "ab", None], dtype=object)[: small + 1], n), dtype="str"),
        "f": rng.choice(np.array([0.0, -0.0, 1.5, np.nan])[: small + 1], n),
        "c": pd.Categorical(rng.choice(["x", "y", "z"], n), categories=["z", "y", "x", "w"]),
        "d": pd.to_datetime(rng.choice(np.array(["2020-01-01", "2021-06-30", None], dtype=object), n)),
        "o": rng.choice(np.array([1, 2, "t", None], dtype=object)[:small], n),
        "b": rng.integers(0, 2, n).astype(bool),
        "n": pd.array(rng.choice(np.array([3, 7, None], dtype=object), n), dtype="Int64"),
        "v": rng.integers(0, 5, n),  # numeric sensitive: ordered distance
        "w": rng.choice(np.array(["p", "q", "r", "s"], dtype=object), n),  # categorical sensitive
    }
    frame = pd.DataFrame(columns)
    names = ["i", "s", "f", "c", "d", "o", "b", "n"]
    qis = draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True))
    sensitive = draw(st.lists(st.sampled_from(["v", "w"]), max_size=2, unique=True))
    parts = draw(st.integers(1, min(n, 5)))
    split_out = draw(st.sampled_from([1, 2]))
    return frame, qis, sensitive, parts, split_out


@SETTINGS
@given(frames(), st.sampled_from([None, 0.3, 1.0]))
def test_random_frames_equal_pandas(client, case, fraction):
    frame, qis, sensitive, parts, split_out = case
    # sort=False keeps the rows as given; from_pandas keeps object columns as objects here
    ddf = dd.from_pandas(frame, npartitions=parts, sort=False)
    _same(ddf, qis, sensitive=sensitive or None, sampling_fraction=fraction, split_out=split_out)


# ----------------------------------------------------------------------------- order of sums


def test_value_order_within_a_class_is_the_pandas_order(client):
    # one class per q, 40 sensitive values with uneven counts in shuffled rows: the class's
    # equal-distance sum depends on the order of its values; the pandas path takes them in
    # order of first appearance, and so must the merged counts
    rng = np.random.default_rng(0)
    values = np.repeat(np.arange(40), rng.integers(1, 60, 40)).astype(float) * 1.37
    rng.shuffle(values)
    frame = pd.DataFrame({
        "q": rng.integers(0, 2, len(values)),
        "s": values,
        "w": np.array([f"v{int(v * 100)}" for v in values], dtype=object),
    })
    _same(dd.from_pandas(frame, npartitions=5, sort=False), ["q"], sensitive=["s", "w"])


def test_class_order_is_the_pandas_order(client):
    # marketer and journalist averages sum f/F over classes (numpy's pairwise sum): the
    # class order of the pandas path (first appearance) gives its last bits
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"q": rng.integers(0, 500, 3000)})
    population = pd.concat([frame, pd.DataFrame({"q": rng.integers(0, 500, 20_000)})], ignore_index=True)
    got, _ = _same(dd.from_pandas(frame, npartitions=5, sort=False), ["q"], population_table=population)
    assert got.marketer.source == "population_table"

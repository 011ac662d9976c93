"""deid.anonymize: errors for bad input, the no-solution report, and the shape of the result."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from deid.anonymize import AnonymizationResult, Hierarchy, anonymize


@pytest.fixture
def table():
    rng = np.random.default_rng(3)
    n = 120
    return pd.DataFrame({
        "age": rng.integers(18, 90, n),
        "zip": rng.choice(["02139", "02138", "02141", "02142", "02143"], n),
        "sex": rng.choice(["F", "M"], n),
        "dx": rng.choice(["flu", "asthma", "gout", "copd"], n),
    })


@pytest.fixture
def hierarchies(table):
    return {"age": Hierarchy.intervals(table["age"], widths=(5, 10, 20, 40)),
            "zip": Hierarchy.redaction(table["zip"])}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"k": 121}, "larger than the table"),
        ({"k": 0}, "positive integer"),
        ({"k": 2.5}, "positive integer"),
        ({}, "no privacy criterion"),
        ({"k": 5, "max_risk": 0.5}, "contradict"),
        ({"max_risk": 0.0}, r"\(0, 1\]"),
        ({"l": 2}, "needs a sensitive column"),
        ({"l": 2, "sensitive": "dx", "c": 2.0}, "only applies to recursive"),
        ({"l": 2, "sensitive": "dx", "l_variant": "recursive"}, "needs c"),
        ({"l": 2, "sensitive": "dx", "l_variant": "fancy"}, "l_variant"),
        ({"l": 2.5, "sensitive": "dx"}, "whole number"),
        ({"l": 0.5, "sensitive": "dx", "l_variant": "entropy"}, ">= 1"),
        ({"t": 1.5, "sensitive": "dx"}, r"\[0, 1\]"),
        ({"t": 0.2}, "needs a sensitive column"),
        ({"k": 2, "sensitive": "dx"}, "only used by l-diversity"),
        ({"k": 2, "t_distance": "equal"}, "give t too"),
        ({"k": 2, "max_suppression": 1.5}, r"\[0, 1\]"),
        ({"k": 2, "metric": "utility"}, "metric must be one of"),
        ({"k": 2, "suppressed_records": "hide"}, "suppressed_records"),
        ({"t": 0.2, "sensitive": "dx", "t_distance": "hierarchical"}, "needs a hierarchy"),
        ({"t": 0.2, "sensitive": "dx", "t_distance": "ordered"}, "orderable"),
        ({"k": 2, "entropy_estimator": "grassberger"}, "entropy l-diversity only"),
        ({"l": 2, "sensitive": "dx", "l_variant": "entropy", "entropy_estimator": "miller"}, "shannon"),
    ],
)
def test_bad_criteria_raise_value_error(table, hierarchies, kwargs, message):
    with pytest.raises(ValueError, match=message):
        anonymize(table, ["age", "zip", "sex"], hierarchies, **kwargs)


@pytest.mark.parametrize(
    "qis, kwargs, message",
    [
        ([], {"k": 2}, "empty"),
        (["age", "age"], {"k": 2}, "more than once"),
        (["age", "height"], {"k": 2}, "unknown quasi-identifier"),
        (["age"], {"l": 2, "sensitive": "age"}, "both quasi-identifier and sensitive"),
        (["age"], {"l": 2, "sensitive": "weight"}, "unknown sensitive"),
    ],
)
def test_bad_columns_raise_value_error(table, hierarchies, qis, kwargs, message):
    with pytest.raises(ValueError, match=message):
        anonymize(table, qis, hierarchies, **kwargs)


def test_other_bad_input(table, hierarchies):
    with pytest.raises(ValueError, match="empty"):
        anonymize(table.iloc[:0], ["age"], hierarchies, k=1)
    with pytest.raises(ValueError, match="DataFrame"):
        anonymize(table.to_dict(), ["age"], hierarchies, k=1)
    with pytest.raises(ValueError, match="unknown column"):
        anonymize(table, ["age"], {"height": hierarchies["age"]}, k=1)
    with pytest.raises(ValueError, match="must be a Hierarchy"):
        anonymize(table, ["age"], {"age": 42}, k=1)


def test_max_risk_is_k(table, hierarchies):
    a = anonymize(table, ["age", "zip", "sex"], hierarchies, max_risk=0.2)
    b = anonymize(table, ["age", "zip", "sex"], hierarchies, k=5)
    assert a.levels == b.levels and a.information_loss == b.information_loss
    assert a.risk.prosecutor.highest <= 0.2


def test_no_solution_reports_the_closest_node(table, hierarchies):
    with pytest.warns(UserWarning, match="no transformation meets the criteria"):
        result = anonymize(table, ["age", "zip", "sex"], hierarchies, l=5, sensitive="dx", max_suppression=0.05)
    assert not result.satisfied
    assert "closest" in result.message
    assert result.suppressed > result.suppression_limit
    # the criteria hold on what is released: every class of the masked output is suppressed
    assert (result.data[["age", "zip", "sex"]] == "*").all().all()


def test_a_lattice_with_a_solution_only_at_the_top(table, hierarchies):
    result = anonymize(table, ["age", "zip", "sex"], hierarchies, k=120)
    assert result.satisfied
    # every zip shares "021", so zip level 2 is as good as suppressing it
    assert result.levels == {"age": 5, "zip": 2, "sex": 1}
    assert result.suppressed == 0


def test_result_shape_masking_and_removal(table, hierarchies):
    masked = anonymize(table, ["age", "zip", "sex"], hierarchies, k=4, max_suppression=0.1)
    removed = anonymize(table, ["age", "zip", "sex"], hierarchies, k=4, max_suppression=0.1,
                        suppressed_records="remove")
    assert isinstance(masked, AnonymizationResult)
    assert masked.levels == removed.levels and masked.suppressed == removed.suppressed
    assert len(masked.data) == len(table) and len(removed.data) == len(table) - removed.suppressed
    assert masked.data.index.equals(table.index)
    is_masked = (masked.data[["age", "zip", "sex"]] == "*").all(axis=1)
    assert int(is_masked.sum()) >= masked.suppressed
    assert (masked.data["dx"] == table["dx"]).all()  # other columns untouched
    assert table["age"].dtype.kind == "i"  # the input is not modified
    assert masked.risk.k >= 4 and masked.risk.n_records == len(table) - masked.suppressed
    for q in ("age", "zip", "sex"):
        assert pd.api.types.is_string_dtype(masked.data[q])


def test_to_dict_holds_figures_only(table, hierarchies):
    result = anonymize(table, ["age", "zip", "sex"], hierarchies, k=3, l=2, sensitive="dx", max_suppression=0.05)
    text = json.dumps(result.to_dict())
    for value in ("02139", "flu", "asthma"):
        assert value not in text
    assert result.to_dict()["transformation"] == list(result.transformation)


def test_missing_hierarchy_means_suppress_or_keep(table, hierarchies):
    result = anonymize(table, ["age", "sex"], {"age": hierarchies["age"]}, k=2)
    assert result.levels["sex"] in (0, 1)
    assert set(result.data["sex"]) <= {"F", "M", "*"}


def test_missing_values_are_one_more_value():
    df = pd.DataFrame({"a": ["x", None, "x", None, "y", "y"], "b": [1, 2, 1, 2, 1, 1]})
    h = {"a": Hierarchy([["x", "*"], ["y", "*"], [None, "*"]])}
    result = anonymize(df, ["a", "b"], h, k=2)
    assert result.satisfied and result.suppressed == 0 and result.levels == {"a": 0, "b": 0}
    # a missing raw value kept at level 0 stays missing in the output
    out = result.data["a"]
    assert out.isna().tolist() == [False, True, False, True, False, False]
    assert out.dropna().tolist() == ["x", "x", "y", "y"]


def test_level_zero_labels_read_back_as_raw_values():
    """Kept raw values are written as hierarchy files write them (41 for 41.0), so the output
    links back to the raw data through the same hierarchy (deid.risk.linkage_attack)."""
    from deid.risk import linkage_attack

    df = pd.DataFrame({"age": [41.0, 43.0, None, 41.0, 43.0, None], "sex": list("FMFFMF")})
    h = {"age": Hierarchy.intervals(df["age"], widths=(10,)), "sex": Hierarchy.flat(df["sex"])}
    result = anonymize(df, ["age", "sex"], h, k=1)
    assert result.levels == {"age": 0, "sex": 0}
    assert result.data["age"].tolist()[:2] == ["41", "43"] and result.data["age"].isna().tolist()[2]
    report = linkage_attack(result.data, df, ["age", "sex"], hierarchies=h)
    # (41, F): two (41, F) and two (missing, F) -> 4; (43, M) -> 2; (missing, F): every F -> 4
    assert report.match_counts.tolist() == [4, 2, 4, 4, 2, 4]


def test_search_is_deterministic(table, hierarchies):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        runs = [anonymize(table, ["age", "zip", "sex"], hierarchies, k=3, l=2, l_variant="entropy", sensitive="dx",
                          max_suppression=0.1, metric="loss") for _ in range(2)]
    assert runs[0].levels == runs[1].levels and runs[0].nodes_checked == runs[1].nodes_checked


def test_a_lattice_too_large_to_search_is_refused():
    df = pd.DataFrame({f"c{i}": ["a", "b"] for i in range(25)})  # 2**25 transformations
    with pytest.raises(ValueError, match="transformations"):
        anonymize(df, list(df.columns), k=2)


@pytest.mark.parametrize("variant, extra", [("distinct", {}), ("entropy", {}), ("recursive", {"c": 3.0})])
@pytest.mark.parametrize("max_suppression", [0.0, 0.5])
def test_l_above_the_number_of_sensitive_values_has_no_solution(table, hierarchies, variant, extra, max_suppression):
    """dx has 4 distinct values: no class can hold 5, at any level. anonymize warns, reports
    satisfied=False and the closest node (the top: nothing is closer) with every record
    suppressed, and no risk report (no record is released)."""
    assert table["dx"].nunique() == 4
    with pytest.warns(UserWarning, match="no transformation meets the criteria"):
        result = anonymize(table, ["age", "zip", "sex"], hierarchies, l=5, l_variant=variant, sensitive="dx",
                           max_suppression=max_suppression, **extra)
    assert not result.satisfied
    assert result.suppressed == len(table) > result.suppression_limit
    assert result.transformation == (hierarchies["age"].height, hierarchies["zip"].height, 1)  # the top
    assert result.nodes_checked == 1
    assert result.risk is None
    assert (result.data[["age", "zip", "sex"]] == "*").all().all()
    assert f"at most {result.suppression_limit} suppressed" in result.message
    assert json.loads(json.dumps(result.to_dict()))["satisfied"] is False


def test_l_above_the_number_of_sensitive_values_with_everything_suppressible(table, hierarchies):
    """With max_suppression=1 suppressing every record is within the limit: a solution (as in
    ARX), with nothing released."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = anonymize(table, ["age", "zip", "sex"], hierarchies, l=5, sensitive="dx", max_suppression=1.0)
    assert result.satisfied and result.suppressed == len(table) and result.risk is None

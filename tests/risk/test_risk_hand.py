"""Hand-computed small tables for every metric of deid.risk."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from deid.risk import EquivalenceClasses, RiskReport, assess_risk


@pytest.fixture()
def three_classes() -> pd.DataFrame:
    # classes: (30, F) x3, (40, M) x2, (50, F) x1
    return pd.DataFrame(
        {
            "age": [30, 30, 30, 40, 40, 50],
            "sex": ["F", "F", "F", "M", "M", "F"],
        }
    )


def test_class_structure_and_prosecutor(three_classes):
    r = assess_risk(three_classes, ["age", "sex"], thresholds=(0.05, 0.33, 0.4, 0.5))
    assert (r.n_records, r.n_classes, r.k) == (6, 3, 1)
    assert r.class_size_histogram == {1: 1, 2: 1, 3: 1}
    assert r.prosecutor.highest == 1.0
    assert r.prosecutor.lowest == pytest.approx(1 / 3)
    assert r.prosecutor.average == 0.5  # u / n
    # strictly above: 1/3 > 0.33 counts, 1/2 > 0.5 does not
    assert r.prosecutor.records_at_risk == {0.05: 1.0, 0.33: 1.0, 0.4: 0.5, 0.5: pytest.approx(1 / 6)}
    assert r.prosecutor.records_affected_by_highest == pytest.approx(1 / 6)
    assert r.sample_uniqueness == pytest.approx(1 / 6)
    np.testing.assert_allclose(r.record_risk, [1 / 3, 1 / 3, 1 / 3, 1 / 2, 1 / 2, 1.0])


def test_without_population_journalist_and_marketer_fall_back_to_sample(three_classes):
    r = assess_risk(three_classes, ["age", "sex"])
    assert r.journalist.source == "sample" and r.marketer.source == "sample"
    assert r.journalist.highest == r.prosecutor.highest
    assert r.journalist.records_at_risk == r.prosecutor.records_at_risk
    assert r.marketer.average == 0.5
    assert r.population_uniqueness is None
    assert any("population uniqueness not estimated" in note for note in r.notes)


def test_journalist_and_marketer_from_population_records():
    sample = pd.DataFrame({"zip": ["a", "a", "b"]})
    population = pd.DataFrame({"zip": ["a"] * 4 + ["b"] * 3 + ["c"] * 10})
    r = assess_risk(sample, ["zip"], population_table=population, thresholds=(0.3,))
    assert r.journalist.source == "population_table"
    assert r.journalist.highest == pytest.approx(1 / 3)
    # max(u / sum F = 2/7, mean f/F = (2/4 + 1/3) / 3 = 5/18)
    assert r.journalist.average == pytest.approx(2 / 7)
    assert r.journalist.records_at_risk == {0.3: pytest.approx(1 / 3)}  # only class b: 1/3 > 0.3
    assert r.marketer.average == pytest.approx(5 / 18)
    # the table's total is the population size
    assert r.population_uniqueness.population_size == 17.0


def test_population_table_as_counts_equals_records():
    sample = pd.DataFrame({"zip": ["a", "a", "b"], "sex": ["F", "F", "M"]})
    population = pd.DataFrame({"zip": list("aaaabbbc"), "sex": list("FFFFMMMF")})
    counts = population.value_counts(["zip", "sex"])
    by_rows = assess_risk(sample, ["zip", "sex"], population_table=population)
    by_counts = assess_risk(sample, ["zip", "sex"], population_table=counts)
    assert by_rows.to_dict() == by_counts.to_dict()


def test_diversity_and_closeness_categorical():
    # class x: a a b ; class y: a b c c ; global a:3 b:2 c:2
    df = pd.DataFrame({"qi": list("xxxyyyy"), "dx": list("aababcc")})
    r = assess_risk(df, ["qi"], sensitive="dx")
    s = r.sensitive["dx"]
    assert s.distinct_l == 2
    assert s.entropy_l == pytest.approx(3 / 2 ** (2 / 3))  # class x: exp(H) with p = (2/3, 1/3)
    assert s.recursive_c == 2.0 and s.recursive_l == 1  # x: 2 < 2*1 fails for l=2
    assert s.t_distance == "equal"
    assert s.t_closeness == pytest.approx(2 / 7)  # class x: (5/21 + 1/21 + 6/21) / 2
    r3 = assess_risk(df, ["qi"], sensitive="dx", recursive_c=3)
    assert r3.sensitive["dx"].recursive_l == 2  # x: 2 < 3*1 holds for l=2; y: l=3 holds


def test_ordered_closeness_for_numbers():
    df = pd.DataFrame({"qi": list("xxxyyyy"), "lab": [1, 1, 2, 1, 2, 3, 3]})
    s = assess_risk(df, ["qi"], sensitive="lab").sensitive["lab"]
    assert s.t_distance == "ordered"
    # class x: cumulative p-q = 5/21, 6/21, 0 -> 11/21 over m-1 = 2
    assert s.t_closeness == pytest.approx(11 / 42)


def test_ordered_closeness_skips_values_absent_from_the_table():
    # codes 1..100 leave gaps; only the 3 present values count (m = 3)
    df = pd.DataFrame({"qi": list("xxxyyyy"), "lab": [10, 10, 50, 10, 50, 100, 100]})
    s = assess_risk(df, ["qi"], sensitive="lab").sensitive["lab"]
    assert s.t_closeness == pytest.approx(11 / 42)


def test_quasi_identifier_analysis_matches_arx_hand_values():
    # ARX's TestRiskQuasiIdentifiers table and hand-computed expectations
    df = pd.DataFrame(
        {
            "age": ["20", "30", "40", "20", "40"],
            "sex": ["Female", "Female", "Female", "Male", "Male"],
            "state": ["CA", "CA", "TX", "NY", "CA"],
        }
    )
    table = assess_risk(df, ["age", "sex", "state"]).quasi_identifier_analysis(max_size=3)
    got = [
        ("[" + ", ".join(q) + "]", d, s)
        for q, d, s in zip(table["quasi_identifiers"], table["distinction"], table["separation"])
    ]
    assert got == [
        ("[sex]", 0.4, 0.6),
        ("[state]", 0.6, 0.7),
        ("[age]", 0.6, 0.8),
        ("[sex, state]", 0.8, 0.9),
        ("[age, sex]", 1.0, 1.0),
        ("[age, state]", 1.0, 1.0),
        ("[age, sex, state]", 1.0, 1.0),
    ]
    assert table["uniqueness"].tolist() == [0.0, 0.4, 0.2, 0.6, 1.0, 1.0, 1.0]
    assert len(assess_risk(df, ["age", "sex", "state"]).quasi_identifier_analysis(max_size=1)) == 3


def test_zayatz_matches_hypergeometric_definition():
    from deid.risk._population import zayatz_uniques

    sizes, counts = np.array([1, 2, 4]), np.array([3, 2, 1])
    n, big_n = 11, 40

    def p1(i):
        return i * math.comb(big_n - i, n - 1) / math.comb(big_n, n)

    u = counts.sum()
    total = sum(c / u * p1(i) for i, c in zip(sizes, counts))
    share = (3 / u * p1(1)) / total
    expected = 3 * share / (n / big_n)
    assert zayatz_uniques(sizes, counts, n, big_n) == pytest.approx(expected, rel=1e-12)


def test_pitman_solution_solves_the_score_equations():
    from deid.risk import _population as pop

    sizes, counts = np.array([1, 2, 3, 5]), np.array([40, 12, 5, 2])
    n = float((sizes * counts).sum())
    big_n = n * 20
    est = pop.pitman_uniques(sizes, counts, n, big_n)
    assert 0 < est < big_n
    # re-solve to get (theta, alpha) and check the score is ~0 by explicit sums
    u = float(counts.sum())
    c1, c2 = 40.0, 12.0
    c = c1 * (c1 - 1) / c2
    t0 = (n * u * c - c1 * (n - 1) * (2 * u + c)) / (2 * c1 * u + c1 * c - n * c)
    a0 = (t0 * (c1 - n) + (n - 1) * c1) / (n * u)
    t, a, _ = pop._newton(pop._PITMAN_CLOSED, t0, a0, sizes, counts.astype(float), u, n, 0.0, 0.0, 0.0, 0.0,
                          pop.ACCURACY, pop.ITERATIONS_PER_TRY, pop.ITERATIONS_TOTAL, 1)
    score = pop._pitman_summed(t, a, sizes, counts.astype(float), u, n)
    assert abs(score[0]) < 1e-6 and abs(score[1]) < 1e-6
    assert est == pytest.approx(math.gamma(t + 1) / math.gamma(t + a) * big_n**a, rel=1e-9)


def test_no_sample_uniques_means_zero_population_uniques():
    df = pd.DataFrame({"a": [1, 1, 2, 2, 3, 3]})
    p = assess_risk(df, ["a"], population_size=600).population_uniqueness
    for e in (p.pitman, p.zayatz, p.snb, p.dankar):
        assert e.converged and e.fraction == 0.0
    assert p.dankar.used_model == "dankar"


def test_sampling_fraction_one_makes_population_uniques_the_sample_uniques():
    df = pd.DataFrame({"a": [1, 1, 2, 3, 4, 4, 4, 5]})
    p = assess_risk(df, ["a"], sampling_fraction=1.0).population_uniqueness
    assert p.population_size == 8.0
    assert p.zayatz.fraction == pytest.approx(3 / 8)


def test_report_from_counts_equals_report_from_rows(three_classes):
    from_rows = assess_risk(three_classes, ["age", "sex"], sampling_fraction=0.05)
    from_counts = RiskReport.from_classes(
        EquivalenceClasses(np.array([3, 2, 1]), quasi_identifiers=("age", "sex")), sampling_fraction=0.05
    )
    a, b = from_rows.to_dict(), from_counts.to_dict()
    assert a.pop("record_risk") is not None and b.pop("record_risk") is None
    assert a == b
    with pytest.raises(ValueError, match="needs the rows"):
        from_counts.quasi_identifier_analysis()


def test_to_json_is_strict_json_without_cell_values(three_classes):
    import json

    df = three_classes.assign(name=["Alice Smith"] * 6)
    r = assess_risk(df, ["age", "sex"], sensitive="name", population_size=10)
    text = r.to_json()
    assert "Alice" not in text
    data = json.loads(text)
    assert data["k"] == 1 and data["class_size_histogram"] == {"1": 1, "2": 1, "3": 1}
    assert data["sensitive"]["name"]["distinct_l"] == 1
    assert set(data["population_uniqueness"]) >= {"pitman", "zayatz", "snb", "dankar"}

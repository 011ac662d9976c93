"""Journalist and marketer risk without a population table, from the population size alone
(``source == "estimated"``): hand-computed cases, the limits, and a simulation that samples a
known synthetic population and compares with the true figures (which the population table
gives)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deid.risk import EquivalenceClasses, PopulationUniqueness, RiskReport, UniquenessEstimate, assess_risk
from deid.risk._report import _estimated_population_risk

THRESHOLDS = (0.02, 0.05, 0.2, 0.5)


def test_sources_say_where_the_population_sizes_came_from():
    df = pd.DataFrame({"zip": ["a", "a", "b", "c", "c", "c"]})
    population = pd.concat([df] * 10, ignore_index=True)
    assert assess_risk(df, ["zip"]).journalist.source == "sample"
    assert assess_risk(df, ["zip"]).marketer.source == "sample"
    estimated = assess_risk(df, ["zip"], sampling_fraction=0.1)
    assert (estimated.journalist.source, estimated.marketer.source) == ("estimated", "estimated")
    assert any("estimated without a population table" in note for note in estimated.notes)
    counted = assess_risk(df, ["zip"], population_table=population)
    assert (counted.journalist.source, counted.marketer.source) == ("population_table", "population_table")
    # the table wins over the estimate when both are possible
    both = assess_risk(df, ["zip"], population_table=population, population_size=len(population))
    assert both.journalist.source == "population_table"


def test_without_sample_uniques_by_hand():
    """Classes 2, 2, 4 at sampling fraction 0.1: each holds f / 0.1 people, risk 0.1 / f."""
    r = RiskReport.from_classes(EquivalenceClasses(np.array([2, 2, 4])), sampling_fraction=0.1,
                                thresholds=THRESHOLDS)
    assert r.marketer.average == pytest.approx(3 * 0.1 / 8)
    assert r.journalist.highest == pytest.approx(0.05)
    # u / ΣF = 3 / 80 equals the marketer figure here
    assert r.journalist.average == pytest.approx(max(3 / 80, 3 * 0.1 / 8))
    # risks 0.05, 0.05, 0.025: strictly above 0.02 all 8 records, above 0.05 none
    assert r.journalist.records_at_risk == pytest.approx({0.02: 1.0, 0.05: 0.0, 0.2: 0.0, 0.5: 0.0})


def _population(n_uniques: float, n: int, big_n: float) -> PopulationUniqueness:
    fraction = n_uniques / big_n
    dankar = UniquenessEstimate("dankar", n_uniques, fraction, True, "pitman")
    other = UniquenessEstimate("pitman", n_uniques, fraction, True)
    return PopulationUniqueness(big_n, n / big_n, other, other, other, dankar)


def test_sample_uniques_split_by_the_uniqueness_estimate_by_hand():
    """4 sample uniques and 2 classes of 3 (n = 10) from N = 100 (π = 0.1); Dankar estimates
    20 population uniques, so π·20 = 2 of the 4 sample uniques are population uniques (risk 1)
    and the other 2 belong to classes of max(2, 1/π) = 10 (risk 0.1)."""
    sizes, counts = np.array([1, 3]), np.array([4, 2])
    journalist, marketer, note = _estimated_population_risk(sizes, counts, 10, _population(20.0, 10, 100.0),
                                                            THRESHOLDS)
    assert marketer.average == pytest.approx((2 * 0.1 + 2 * 1.0 + 2 * 0.1) / 10)
    assert journalist.highest == 1.0
    # population records: 2 classes x 30 + 2 x 1 + 2 x 10 = 82; u / 82 < marketer
    assert journalist.average == pytest.approx(max(6 / 82, 0.24))
    # risks: 6 records at 0.1/3, 2 at 1, 2 at 0.1
    assert journalist.records_at_risk == pytest.approx({0.02: 1.0, 0.05: 0.4, 0.2: 0.2, 0.5: 0.2})
    assert "2 of the 4 sample uniques" in note

    # fewer than half a population unique expected: nobody is certainly unique
    journalist, marketer, _ = _estimated_population_risk(sizes, counts, 10, _population(2.0, 10, 100.0), THRESHOLDS)
    rho = 0.1 * 2.0 / 4
    assert journalist.highest == pytest.approx(0.1)
    assert marketer.average == pytest.approx((2 * 0.1 + 4 * (rho + (1 - rho) * 0.1)) / 10)

    # more population uniques expected than there are sample uniques: all of them
    _, marketer, _ = _estimated_population_risk(sizes, counts, 10, _population(90.0, 10, 100.0), THRESHOLDS)
    assert marketer.average == pytest.approx((2 * 0.1 + 4 * 1.0) / 10)


def test_a_large_sampling_fraction_keeps_unique_classes_at_two():
    """π = 0.8: a sample unique that is not a population unique belongs to a class of at least 2."""
    sizes, counts = np.array([1]), np.array([10])
    journalist, marketer, _ = _estimated_population_risk(sizes, counts, 10, _population(0.0, 10, 12.5), THRESHOLDS)
    assert marketer.average == pytest.approx(0.5)
    assert journalist.records_at_risk[0.2] == 1.0 and journalist.records_at_risk[0.5] == 0.0


def test_the_whole_population_gives_the_sample_figures():
    """Sampling fraction 1: the sample is the population (every model finds the sample uniques
    to be population uniques), so the estimate is ARX's sample-based figures."""
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"a": rng.integers(0, 30, 400), "b": rng.integers(0, 4, 400)})
    estimated = assess_risk(df, ["a", "b"], sampling_fraction=1.0)
    sample = assess_risk(df, ["a", "b"])
    assert estimated.journalist.source == "estimated"
    assert estimated.marketer.average == pytest.approx(sample.marketer.average)
    assert estimated.journalist.average == pytest.approx(sample.journalist.average)
    assert estimated.journalist.highest == sample.journalist.highest
    assert estimated.journalist.records_at_risk == pytest.approx(sample.journalist.records_at_risk)


def _synthetic_population(kind: str, size: int, rng: np.random.Generator) -> pd.DataFrame:
    """People with skewed quasi-identifiers: 'mixed' (many classes of every size) or 'sparse'
    (most people unique)."""
    if kind == "mixed":
        weights = 1.0 / (1.0 + np.arange(400)) ** 1.0
        return pd.DataFrame({
            "zip": rng.choice(400, size, p=weights / weights.sum()),
            "age": np.minimum(rng.gamma(4.0, 10.0, size).astype(int), 99),
            "sex": rng.integers(0, 2, size),
            "race": rng.choice(5, size, p=[0.6, 0.15, 0.1, 0.1, 0.05]),
        })
    weights = 1.0 / (1.0 + np.arange(1000)) ** 0.7
    return pd.DataFrame({
        "zip": rng.choice(1000, size, p=weights / weights.sum()),
        "year": rng.integers(0, 90, size),
        "month": rng.integers(0, 12, size),
        "sex": rng.integers(0, 2, size),
    })


@pytest.mark.parametrize(("kind", "fraction"), [("mixed", 0.1), ("mixed", 0.3), ("sparse", 0.1), ("sparse", 0.3)])
def test_estimate_is_close_to_the_truth_on_a_sampled_population(kind, fraction):
    """Draw a sample from a known population; the population table gives the true journalist
    and marketer risk. The estimate must be within 25% of the truth, and closer to it than
    the sample-based upper bound (which is 2-3x the truth on the mixed population)."""
    rng = np.random.default_rng(20)
    population = _synthetic_population(kind, 200_000, rng)
    qis = list(population.columns)
    sample = population[rng.random(len(population)) < fraction].reset_index(drop=True)
    truth = assess_risk(sample, qis, population_table=population)
    estimate = assess_risk(sample, qis, population_size=len(population))
    upper = assess_risk(sample, qis)
    assert estimate.marketer.source == "estimated" and truth.marketer.source == "population_table"
    for figure in ("marketer", "journalist"):
        true_value = getattr(truth, figure).average
        got = getattr(estimate, figure).average
        bound = getattr(upper, figure).average
        assert got == pytest.approx(true_value, rel=0.25), figure
        assert abs(got - true_value) < abs(bound - true_value), figure
    assert estimate.journalist.highest == truth.journalist.highest == 1.0
    # records above the highest threshold (population uniques): as good as the uniqueness
    # model, and no worse than the sample's own uniques
    true_share = truth.journalist.records_at_risk[0.5]
    got_share = estimate.journalist.records_at_risk[0.5]
    assert abs(got_share - true_share) <= abs(upper.journalist.records_at_risk[0.5] - true_share)
    assert got_share == pytest.approx(true_share, abs=0.2)

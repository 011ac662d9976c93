"""SNB (Chen & Keller-McNulty's slide negative binomial, ARX's ModelSNB): its parameters solve
its moment equations, it does not converge on adult at sampling fraction 0.1, and Dankar's rule
picks it when it converges below Zayatz at fractions above 0.1."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deid.risk import EquivalenceClasses, RiskReport, assess_risk
from deid.risk._kernels import size_histogram
from deid.risk._population import ACCURACY, population_uniqueness, snb_equations, snb_fit

ADULT = Path(__file__).resolve().parents[3] / "shared" / "data" / "adult" / "adult.csv"
needs_adult = pytest.mark.skipif(not ADULT.exists(), reason="shared/data/adult/adult.csv not present")


def negative_binomial_population(seed: int, size: int = 20_000) -> np.ndarray:
    """Class sizes of a population drawn from SNB's own model (negative binomial sizes)."""
    rng = np.random.default_rng(seed)
    sizes = np.maximum(1, rng.negative_binomial(0.76, 1 / (1 + 3.91), int(size / (0.76 * 3.91)) + 1))
    return np.repeat(np.arange(sizes.shape[0]), sizes)


def sample_histogram(population: np.ndarray, fraction: float, seed: int):
    rng = np.random.default_rng(seed)
    sample = population[rng.random(population.shape[0]) < fraction]
    _, sizes = np.unique(sample, return_counts=True)
    return sizes, sample.shape[0]


@pytest.fixture(scope="module")
def snb_case():
    population = negative_binomial_population(3)
    _, population_sizes = np.unique(population, return_counts=True)
    sizes, n = sample_histogram(population, 0.8, 4)
    return sizes, n, population.shape[0], int((population_sizes == 1).sum())


def test_snb_parameters_solve_the_moment_equations(snb_case):
    class_sizes, n, big_n, _ = snb_case
    hist_sizes, hist_counts = size_histogram(class_sizes)
    k, alpha, beta = snb_fit(hist_sizes, hist_counts, n, big_n)
    assert np.isfinite([k, alpha, beta]).all()
    assert k >= hist_counts.sum()  # at least the classes seen
    assert alpha > 0 and 0 < beta < 1  # inside the model's domain on data drawn from it
    c1 = float(hist_counts[hist_sizes == 1].sum())
    c2 = float(hist_counts[hist_sizes == 2].sum())
    residuals = snb_equations(k, alpha, beta, n / big_n, c1, c2)
    assert max(abs(r) for r in residuals) <= ACCURACY
    # the residuals are not trivially small: away from the root they are not
    assert max(abs(r) for r in snb_equations(k, alpha * 1.1, beta, n / big_n, c1, c2)) > 1.0
    estimate = population_uniqueness(hist_sizes, hist_counts, n, big_n)["snb"]
    assert estimate.converged and estimate.n_uniques == pytest.approx(k * beta**alpha)


def test_dankar_picks_snb_when_it_is_below_zayatz(snb_case):
    class_sizes, n, big_n, true_uniques = snb_case
    report = RiskReport.from_classes(EquivalenceClasses(class_sizes), population_size=big_n)
    pop = report.population_uniqueness
    assert pop.sampling_fraction > 0.1
    assert pop.snb.converged and pop.zayatz.converged
    assert pop.snb.n_uniques < pop.zayatz.n_uniques
    assert pop.dankar.used_model == "snb"
    assert pop.dankar.n_uniques == pop.snb.n_uniques
    # on data from its own model the estimate is close to the truth
    assert pop.snb.n_uniques == pytest.approx(true_uniques, rel=0.2)


def test_dankar_never_picks_snb_at_or_below_a_tenth(snb_case):
    class_sizes, n, _, _ = snb_case
    report = RiskReport.from_classes(EquivalenceClasses(class_sizes), population_size=n / 0.1)
    assert report.population_uniqueness.dankar.used_model in ("pitman", "zayatz")


@needs_adult
def test_snb_does_not_converge_on_adult_at_a_tenth():
    """ARX's TestRiskMetrics.testDecisionRule2 asserts that at 0.1 Dankar's rule takes Pitman
    (0.27684993883653597) or, failing that, Zayatz (0.3207402393466189), never SNB (the rule
    cannot pick SNB at fractions <= 0.1). SNB itself does not converge there in deid."""
    adult = pd.read_csv(ADULT, sep=";")
    report = assess_risk(adult, list(adult.columns), sampling_fraction=0.1)
    pop = report.population_uniqueness
    assert not pop.snb.converged and np.isnan(pop.snb.fraction)
    assert any(note.startswith("snb:") for note in report.notes)
    assert pop.dankar.used_model == "pitman"
    # ARX's Zayatz alternative for this case, to its four decimals
    assert int(pop.zayatz.fraction * 10000) == int(0.3207402393466189 * 10000)
    assert pop.zayatz.fraction == pytest.approx(0.3207402393466189, rel=1e-9)


@needs_adult
def test_snb_outside_its_domain_is_still_reported_as_arx_does():
    """ARX keeps whatever root its solver finds: on adult (age, sex, race) at 0.8 SNB converges
    with alpha < 0 and beta > 1 (outside the negative binomial's domain), and Dankar's rule
    picks it because it is below Zayatz. deid reproduces that (docs/risk.md)."""
    adult = pd.read_csv(ADULT, sep=";")
    classes = EquivalenceClasses.from_frame(adult, ["age", "sex", "race"])
    hist_sizes, hist_counts = size_histogram(classes.class_sizes)
    k, alpha, beta = snb_fit(hist_sizes, hist_counts, classes.n_records, classes.n_records / 0.8)
    assert alpha < 0 and beta > 1
    report = RiskReport.from_classes(classes, sampling_fraction=0.8)
    assert report.population_uniqueness.dankar.used_model == "snb"
    assert report.population_uniqueness.snb.n_uniques == pytest.approx(k * beta**alpha)

"""deid.risk against ARX's own published figures on the Adult data set.

ARX's test suite (``TestRiskMetrics``) asserts these values for ``adult.csv`` with all nine
columns as quasi-identifiers, comparing uniqueness to four decimals (truncated).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from deid.risk import assess_risk

ADULT = Path(__file__).resolve().parents[3] / "shared" / "data" / "adult" / "adult.csv"

pytestmark = pytest.mark.skipif(not ADULT.exists(), reason="shared/data/adult/adult.csv not present")


@pytest.fixture(scope="module")
def adult():
    return pd.read_csv(ADULT, sep=";")


def _four_decimals(x: float) -> int:
    return int(x * 10000)  # ARX's compareUniqueness truncates to 4 decimals


def test_classes_and_average_risk(adult):
    r = assess_risk(adult, list(adult.columns))
    assert (r.n_records, r.n_classes) == (30162, 19502)
    assert r.prosecutor.average == 0.6465751607983555  # ARX asserts exact equality
    assert r.prosecutor.highest == 1.0


@pytest.mark.parametrize(
    ("fraction", "expected", "model"),
    [
        (0.1, 0.27684993883653597, "pitman"),
        (0.2, 0.3577099234829125, "zayatz"),
        (0.01, 0.1446083531167384, "pitman"),
        (1.0, 0.5142895033485844, None),
    ],
)
def test_dankar_population_uniqueness(adult, fraction, expected, model):
    r = assess_risk(adult, list(adult.columns), sampling_fraction=fraction)
    dankar = r.population_uniqueness.dankar
    assert dankar.converged
    assert _four_decimals(dankar.fraction) == _four_decimals(expected)
    assert dankar.fraction == pytest.approx(expected, rel=1e-9)
    if model:
        assert dankar.used_model == model
    assert _four_decimals(dankar.fraction) <= _four_decimals(r.sample_uniqueness)

"""deid.anonymize against ARX's own expected results on the adult data set.

The cases come from ARX's test suite (``TestAnonymizationKAnonymity``,
``TestAnonymizationLDiversity``, ``TestAnonymizationEntropyLDiversity``,
``TestAnonymizationTCloseness``, ``TestAnonymizationCombinations``): the optimal
transformation (levels in column order) and its information loss, which must match to 1e-9.
``adult.csv`` and its nine hierarchies are the files ARX ships; all nine columns are
quasi-identifiers, or the eight other than ``occupation`` when it is the sensitive attribute.

One hierarchy differs: ARX's copy of ``adult_hierarchy_native-country.csv`` used by its
tests maps England to ``Europa`` (a typo: a continent of its own), the shared copy to
``Europe``. Only transformations at native-country level 1 feel it; the one ARX case that
selects such a node is checked with ARX's variant of the file.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from deid.anonymize import Hierarchy, anonymize

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "adult"
COLUMNS = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "occupation",
           "salary-class"]
WITHOUT_OCCUPATION = [c for c in COLUMNS if c != "occupation"]

pytestmark = pytest.mark.skipif(not (DATA / "adult.csv").exists(), reason="shared adult data not available")


@pytest.fixture(scope="module")
def adult():
    df = pd.read_csv(DATA / "adult.csv", sep=";")
    hierarchies = {c: Hierarchy.from_csv(DATA / f"adult_hierarchy_{c}.csv") for c in COLUMNS}
    return df, hierarchies


def _check(result, expected_loss, expected_levels):
    assert result.satisfied
    assert list(result.transformation) == expected_levels
    assert abs(result.information_loss - expected_loss) <= 1e-9, (result.information_loss, expected_loss)


# TestAnonymizationKAnonymity: Metric.createEntropyMetric(true) (monotonic), all nine columns
@pytest.mark.parametrize(
    "suppression, k, loss, levels",
    [
        (0.04, 5, 255559.85455731067, [1, 0, 1, 1, 3, 2, 2, 0, 1]),
        (0.04, 100, 379417.3460570988, [1, 1, 1, 1, 3, 2, 2, 1, 1]),
        (0.0, 5, 407289.5388925293, [1, 2, 1, 1, 3, 2, 2, 1, 1]),
        (0.0, 100, 453196.8932458743, [0, 4, 1, 1, 3, 2, 2, 1, 1]),
    ],
)
def test_k_anonymity_monotonic_entropy(adult, suppression, k, loss, levels):
    df, h = adult
    result = anonymize(df, COLUMNS, h, k=k, max_suppression=suppression, metric="entropy", monotonic=True)
    _check(result, loss, levels)
    assert result.suppressed <= int(len(df) * suppression)
    assert result.risk.k >= k


def test_k5_four_percent_details(adult):
    df, h = adult
    result = anonymize(df, COLUMNS, h, k=5, max_suppression=0.04)
    assert result.suppression_limit == 1206  # ARX: (int) (30162 * 0.04)
    assert result.suppressed == 906
    assert result.lattice_size == 2 * 5 * 2 * 3 * 4 * 3 * 3 * 3 * 2
    assert 0 < result.nodes_checked < result.lattice_size
    assert result.levels == dict(zip(COLUMNS, [1, 0, 1, 1, 3, 2, 2, 0, 1]))
    assert sum(result.loss_by_column.values()) == pytest.approx(result.information_loss, rel=1e-15)
    masked = result.data["age"] == "*"
    assert int(masked.sum()) == 906 and (result.data.loc[masked, COLUMNS] == "*").all().all()


# TestAnonymizationLDiversity / TestAnonymizationEntropyLDiversity (Shannon):
# Metric.createNMEntropyMetric(), EntropyLDiversity("occupation", l), eight quasi-identifiers
@pytest.mark.parametrize(
    "suppression, l, loss, levels",
    [
        (0.04, 5, 228878.2039109519, [1, 0, 1, 1, 2, 2, 2, 1]),
        (0.0, 5, 324620.5269918695, [1, 1, 1, 1, 3, 2, 2, 1]),
        (0.04, 100, None, None),
        (0.0, 100, None, None),
    ],
)
def test_entropy_l_diversity_non_monotonic_entropy(adult, suppression, l, loss, levels):
    df, h = adult
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = anonymize(df, WITHOUT_OCCUPATION, h, l=l, l_variant="entropy", sensitive="occupation",
                           max_suppression=suppression, metric="entropy", monotonic=False)
    if loss is None:  # ARX: no global optimum
        assert not result.satisfied
        assert any("no transformation meets" in str(w.message) for w in caught)
        return
    _check(result, loss, levels)
    assert result.risk.sensitive["occupation"].entropy_l >= l - 1e-9


# TestAnonymizationEntropyLDiversity with EntropyEstimator.GRASSBERGER (createPrecomputedEntropyMetric(0.1, false)).
# ARX aborts its sum of f G(f) as soon as a partial sum passes the bound; G_1 < 0, so with
# suppression its verdicts depend on the order of values in its hash table and it misses
# better transformations. Without suppression the verdict and the optimum are ARX's; with it,
# deid's optimum (full sums, the estimator's definition) is at least as good as ARX's.
@pytest.mark.parametrize(
    "suppression, l, arx_loss, arx_levels",
    [
        (0.0, 5, 324620.5269918692, [1, 1, 1, 1, 3, 2, 2, 1]),
        (0.04, 5, 216092.124036387, [1, 0, 1, 0, 3, 2, 2, 0]),
        (0.05, 3, 180347.4325366015, [0, 0, 1, 1, 2, 2, 2, 0]),
    ],
)
def test_grassberger_entropy_l_diversity(adult, suppression, l, arx_loss, arx_levels):
    df, h = adult
    result = anonymize(df, WITHOUT_OCCUPATION, h, l=l, l_variant="entropy", entropy_estimator="grassberger",
                       sensitive="occupation", max_suppression=suppression, metric="entropy", monotonic=False)
    assert result.satisfied
    if suppression == 0.0:
        _check(result, arx_loss, arx_levels)
    else:
        assert result.information_loss < arx_loss


# TestAnonymizationCombinations: 0 % suppression, entropy metric, eight quasi-identifiers
@pytest.mark.parametrize(
    "criteria, loss, levels",
    [
        ({"k": 5}, 324620.5269918695, [1, 1, 1, 1, 3, 2, 2, 1]),
        ({"l": 5, "l_variant": "recursive", "c": 4.0, "sensitive": "occupation"}, 324620.5269918695,
         [1, 1, 1, 1, 3, 2, 2, 1]),
        ({"t": 0.2, "t_distance": "hierarchical", "sensitive": "occupation"}, 398400.07418064494,
         [0, 4, 1, 1, 3, 2, 2, 1]),
        ({"k": 5, "t": 0.2, "t_distance": "hierarchical", "sensitive": "occupation"}, 398400.07418064494,
         [0, 4, 1, 1, 3, 2, 2, 1]),
    ],
)
def test_combinations_without_suppression(adult, criteria, loss, levels):
    df, h = adult
    result = anonymize(df, WITHOUT_OCCUPATION, h, max_suppression=0.0, metric="entropy", monotonic=False, **criteria)
    _check(result, loss, levels)


# TestAnonymizationTCloseness: k-anonymity plus 0.2-closeness of occupation
@pytest.mark.parametrize(
    "suppression, metric, k, distance, loss, levels",
    [
        (0.04, "discernibility", 5, "equal", 3.11880088e8, [1, 4, 1, 0, 3, 2, 2, 1]),
        (0.04, "discernibility", 100, "equal", 3.11880088e8, [1, 4, 1, 0, 3, 2, 2, 1]),
        (0.0, "discernibility", 5, "equal", 4.56853172e8, [1, 4, 1, 1, 3, 2, 2, 1]),
        (0.0, "discernibility", 100, "equal", 4.56853172e8, [1, 4, 1, 1, 3, 2, 2, 1]),
        (0.04, "entropy", 5, "hierarchical", 377622.78458729305, [1, 4, 0, 0, 3, 2, 2, 1]),
        (0.0, "entropy", 5, "hierarchical", 398400.0741806447, [0, 4, 1, 1, 3, 2, 2, 1]),
        (0.0, "entropy", 100, "hierarchical", 398400.0741806447, [0, 4, 1, 1, 3, 2, 2, 1]),
    ],
)
def test_t_closeness(adult, suppression, metric, k, distance, loss, levels):
    df, h = adult
    result = anonymize(df, WITHOUT_OCCUPATION, h, k=k, t=0.2, t_distance=distance, sensitive="occupation",
                       max_suppression=suppression, metric=metric, monotonic=True)
    _check(result, loss, levels)
    assert result.risk.k >= k


def test_t_closeness_with_arx_native_country_hierarchy(adult, tmp_path):
    df, h = adult
    rows = [line.split(";") for line in (DATA / "adult_hierarchy_native-country.csv").read_text().splitlines() if line]
    arx_rows = [["England", "Europa", "*"] if r[0] == "England" else r for r in rows]
    h = dict(h, **{"native-country": Hierarchy(arx_rows)})
    result = anonymize(df, WITHOUT_OCCUPATION, h, k=100, t=0.2, t_distance="hierarchical", sensitive="occupation",
                       max_suppression=0.04, metric="entropy", monotonic=True)
    _check(result, 390436.40440636466, [1, 4, 1, 0, 3, 1, 2, 1])


@pytest.mark.parametrize(
    "metric, monotonic",
    [("loss", False), ("precision", True), ("precision", False), ("discernibility", True),
     ("discernibility", False), ("aecs", False)],
)
def test_other_metrics_meet_the_criteria(adult, metric, monotonic):
    df, h = adult
    result = anonymize(df, COLUMNS, h, k=5, max_suppression=0.04, metric=metric, monotonic=monotonic)
    assert result.satisfied and result.suppressed <= 1206 and result.risk.k >= 5
    assert result.information_loss > 0

"""linkage_attack with the project's own generalizers as ``hierarchies``: deid.anonymize's
Hierarchy builders (redaction for ZIP, intervals for age, dates for birth dates, missing values
included) and deid.tabular's Safe Harbor policy through ``scrub_frame`` (as docs/linkage.md
and examples/linkage_attack.py use them), each against a brute-force reference that checks
every (released, auxiliary) pair in plain Python."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deid.anonymize import Hierarchy, anonymize
from deid.risk import linkage_attack

REFERENCE = "2025-01-01"


def _missing(value) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def brute_force_counts(released: pd.DataFrame, auxiliary: pd.DataFrame, on, accepts) -> np.ndarray:
    """Per released record, the auxiliary records consistent with it, pair by pair.

    ``accepts[column](released_value, auxiliary_value)`` says whether a released value is the
    raw auxiliary value or one of its generalizations; a missing value on either side matches.
    """
    out = np.zeros(len(released), dtype=np.int64)
    rel_rows = released[on].astype(object).to_numpy()
    aux_rows = auxiliary[on].astype(object).to_numpy()
    for i, rel in enumerate(rel_rows):
        for aux in aux_rows:
            if all(_missing(r) or _missing(a) or accepts[c](r, a) for c, r, a in zip(on, rel, aux)):
                out[i] += 1
    return out


def hierarchy_accepts(hierarchy: Hierarchy):
    """released label in {the raw value's label at every level} (labels are text)."""
    cache: dict = {}

    def accepts(rel, aux) -> bool:
        key = aux if not isinstance(aux, float) else float(aux)
        if key not in cache:
            cache[key] = {hierarchy.generalize([aux], level)[0] for level in range(hierarchy.height + 1)}
        return str(rel) in cache[key]

    return accepts


def people(n: int, rng: np.random.Generator) -> pd.DataFrame:
    zips = np.array(["02138", "02139", "02141", "02142", "02460", "03601", "10001", "10002"])
    return pd.DataFrame({
        "zip": pd.Series(zips[rng.integers(0, len(zips), n)], dtype="str"),
        "age": rng.integers(20, 95, n).astype(np.float64),
        "birth": (np.datetime64("1950-01-01", "D") + rng.integers(0, 3 * 365, n)).astype("datetime64[us]"),
        "sex": pd.Series(np.where(rng.random(n) < 0.5, "F", "M"), dtype="str"),
    })


def with_holes(frame: pd.DataFrame, rng: np.random.Generator, share: float) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        holes = rng.random(len(out)) < share
        out.loc[holes, column] = None
    return out


# ----------------------------------------------------------------------------- deid.anonymize.Hierarchy


def test_intervals_hierarchy_with_a_missing_value_is_usable():
    """The audit's case: the builder gives NaN a row of its own (raw value None); that row is
    dropped (a missing auxiliary value matches anything) instead of refusing the hierarchy."""
    ages = pd.Series([41, 43, 67, np.nan])
    hierarchy = Hierarchy.intervals(ages, widths=(10,))
    released = pd.DataFrame({"age": ["40-49", "60-69", "*", None]})
    auxiliary = pd.DataFrame({"age": ages})
    report = linkage_attack(released, auxiliary, ["age"], hierarchies={"age": hierarchy})
    # 40-49: 41, 43 and the missing age; 60-69: 67 and the missing one; * and None: all four
    assert report.match_counts.tolist() == [3, 2, 4, 4]
    assert any("missing auxiliary" in note for note in report.notes)


def test_a_label_only_missing_values_reach_stands_for_a_missing_value():
    hierarchy = Hierarchy([["a1", "a", "*"], ["a2", "a", "*"], [None, "unknown", "*"]])
    released = pd.DataFrame({"x": ["a", "unknown", "a1"]})
    auxiliary = pd.DataFrame({"x": ["a1", "a2", "a2", None]})
    report = linkage_attack(released, auxiliary, ["x"], hierarchies={"x": hierarchy})
    assert report.match_counts.tolist() == [4, 4, 2]
    assert any("1 missing released value" in note for note in report.notes)


def test_a_label_of_a_missing_row_that_other_rows_use_keeps_its_meaning():
    hierarchy = Hierarchy([["a1", "a", "*"], ["b1", "b", "*"], [None, "a", "*"]])
    released = pd.DataFrame({"x": ["a", "b"]})
    auxiliary = pd.DataFrame({"x": ["a1", "b1", "b1"]})
    report = linkage_attack(released, auxiliary, ["x"], hierarchies={"x": hierarchy})
    assert report.match_counts.tolist() == [1, 2]


def test_a_hierarchy_of_only_missing_values_still_reports_uncovered_values():
    hierarchy = Hierarchy([[None, "*"]])
    with pytest.raises(ValueError, match=r"does not cover 1 distinct auxiliary value\(s\) \(2 record"):
        linkage_attack(pd.DataFrame({"x": ["*"]}), pd.DataFrame({"x": ["v", "v", None]}), ["x"],
                       hierarchies={"x": hierarchy})


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_anonymize_builders_at_mixed_levels_agree_with_brute_force(seed):
    """Released records generalized record by record to random levels of redaction (ZIP),
    intervals (age) and dates (birth date) hierarchies, with missing values on both sides."""
    rng = np.random.default_rng(seed)
    population = people(300, rng)
    population.loc[rng.random(len(population)) < 0.05, "age"] = np.nan
    hierarchies = {
        "zip": Hierarchy.redaction(population["zip"]),
        "age": Hierarchy.intervals(population["age"], widths=(5, 10, 20)),
        "birth": Hierarchy.dates(population["birth"], levels=("month", "year")),
    }
    on = ["zip", "age", "birth", "sex"]
    sample = population.iloc[rng.choice(len(population), 60, replace=False)].reset_index(drop=True)
    released = pd.DataFrame(index=sample.index)
    for column, hierarchy in hierarchies.items():
        levels = rng.integers(0, hierarchy.height + 1, len(sample))
        released[column] = [None if _missing(v) else hierarchy.generalize([v], int(level))[0]
                            for v, level in zip(sample[column], levels)]
    released["sex"] = sample["sex"]
    released = with_holes(released, rng, 0.03)
    auxiliary = with_holes(population.iloc[rng.choice(len(population), 150, replace=False)], rng, 0.05)

    report = linkage_attack(released, auxiliary, on, hierarchies=hierarchies)
    accepts = {c: hierarchy_accepts(h) for c, h in hierarchies.items()}
    accepts["sex"] = lambda r, a: r == a
    expected = brute_force_counts(released, auxiliary, on, accepts)
    np.testing.assert_array_equal(report.match_counts, expected)
    assert report.match_counts.max() > 1 and (report.match_counts == 1).any()  # the data exercises both


def test_anonymize_output_links_through_its_own_hierarchies():
    """The output of deid.anonymize (full-domain levels, suppressed records masked with *)
    attacked with the hierarchies that produced it: every released record is consistent with
    its own raw record, and the counts agree with brute force."""
    rng = np.random.default_rng(5)
    population = people(400, rng)
    population.loc[rng.random(len(population)) < 0.03, "age"] = np.nan
    hierarchies = {
        "zip": Hierarchy.redaction(population["zip"]),
        "age": Hierarchy.intervals(population["age"], widths=(5, 10, 20)),
        "birth": Hierarchy.dates(population["birth"], levels=("month", "year")),
        "sex": Hierarchy.flat(population["sex"]),
    }
    on = ["zip", "age", "birth", "sex"]
    sample = population.iloc[rng.choice(len(population), 80, replace=False)].reset_index(drop=True)
    result = anonymize(sample, on, hierarchies, k=3, max_suppression=0.1)
    assert result.satisfied
    released = result.data[on]
    report = linkage_attack(released.assign(pid=np.arange(80)), sample.assign(pid=np.arange(80)), on,
                            hierarchies=hierarchies, released_id="pid", auxiliary_id="pid")
    assert report.true_match_found.all()
    assert report.match_counts.min() >= 3  # k-anonymous against its own raw records

    auxiliary = population.iloc[rng.choice(len(population), 120, replace=False)]
    report = linkage_attack(released, auxiliary, on, hierarchies=hierarchies)
    accepts = {c: hierarchy_accepts(h) for c, h in hierarchies.items()}
    np.testing.assert_array_equal(report.match_counts, brute_force_counts(released, auxiliary, on, accepts))


# ----------------------------------------------------------------------------- deid.tabular's generalizers


def _safe_harbor():
    from deid.tabular import Policy

    return Policy.safe_harbor(dates="year", reference=REFERENCE)


def safe_harbor_zip3(zips: pd.Series) -> pd.Series:
    from deid.tabular import scrub_frame

    return scrub_frame(zips.to_frame("zip"), _safe_harbor().with_columns(zip="zip"))["zip"]


def safe_harbor_year(dates: pd.Series) -> pd.Series:
    from deid.tabular import scrub_frame

    return scrub_frame(dates.to_frame("birth"), _safe_harbor().with_columns(birth="birth_date"))["birth"]


def test_safe_harbor_generalizers_agree_with_brute_force():
    """The release is scrub_frame(Policy.safe_harbor()) of the sample (ZIP3 with restricted
    prefixes as 000, birth year top-coded over 89); the attacker's raw ZIPs and birth dates go
    through the same scrub_frame as callables."""
    pytest.importorskip("deid.tabular")
    from deid.tabular import scrub_frame

    rng = np.random.default_rng(11)
    population = people(250, rng)
    population["birth"] = (np.datetime64("1925-01-01", "D")
                           + rng.integers(0, 12 * 365, len(population))).astype("datetime64[us]")
    on = ["zip", "birth", "sex"]
    policy = _safe_harbor().with_columns(zip="zip", birth="birth_date", sex="attribute")
    sample = population.iloc[rng.choice(len(population), 70, replace=False)].reset_index(drop=True)
    released = scrub_frame(sample[on], policy)
    assert set(released["zip"].dropna()) <= {"021", "024", "000", "100"}  # 036 is a restricted prefix
    auxiliary = with_holes(population.iloc[rng.choice(len(population), 160, replace=False)][on], rng, 0.05)

    generalizers = {"zip": safe_harbor_zip3, "birth": safe_harbor_year}
    report = linkage_attack(released, auxiliary, on, hierarchies=generalizers)

    def generalizer_accepts(function):
        cache: dict = {}

        def accepts(rel, aux) -> bool:
            if aux not in cache:
                generalized = function(pd.Series([aux], dtype=auxiliary[column_of[function]].dtype)).iloc[0]
                cache[aux] = {aux, generalized}
            return any(rel == v for v in cache[aux])

        return accepts

    column_of = {safe_harbor_zip3: "zip", safe_harbor_year: "birth"}
    accepts = {"zip": generalizer_accepts(safe_harbor_zip3), "birth": generalizer_accepts(safe_harbor_year),
               "sex": lambda r, a: r == a}
    expected = brute_force_counts(released, auxiliary, on, accepts)
    np.testing.assert_array_equal(report.match_counts, expected)
    assert expected.max() > 1

    # the sample's own records (raw) are always consistent with their Safe Harbor release
    own = linkage_attack(released.assign(pid=np.arange(70)), sample[on].assign(pid=np.arange(70)), on,
                         hierarchies=generalizers, released_id="pid", auxiliary_id="pid")
    assert own.true_match_found.all()

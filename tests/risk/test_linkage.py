"""deid.risk.linkage_attack: hand-checked cases, ARX hierarchies on adult, bad input, and the
hash-join paths (direct address, partitioned, re-densified keys, parallel) against pandas."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deid.risk import LinkageReport, linkage_attack

ADULT_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "adult"
needs_adult = pytest.mark.skipif(not (ADULT_DIR / "adult.csv").exists(), reason="shared/data/adult not present")


def pandas_counts(released: pd.DataFrame, auxiliary: pd.DataFrame, on: list[str]) -> np.ndarray:
    """Per released record, auxiliary records with equal values on `on` (no missing values)."""
    counts = auxiliary.groupby(on, sort=False, observed=True).size().rename("n")
    merged = released[on].merge(counts, left_on=on, right_index=True, how="left")
    return merged["n"].fillna(0).to_numpy(dtype=np.int64)


# ----------------------------------------------------------------------------- by hand


@pytest.fixture
def sweeney():
    """Six hospital records and a voter list of seven people (ids give the ground truth)."""
    released = pd.DataFrame(
        {
            "zip": ["02138", "02138", "02139", "02139", "02141", "02142"],
            "birth": pd.to_datetime(["1945-07-31", "1960-01-02", "1960-01-02", "1971-03-04", "1980-05-06",
                                     "1990-01-01"]),
            "sex": ["F", "M", "M", "F", "F", "M"],
            "person": [1, 2, 3, 4, 99, 6],
        },
        index=[10, 11, 12, 13, 14, 15],
    )
    voters = pd.DataFrame(
        {
            "zip": ["02138", "02138", "02139", "02139", "02139", "02141", "02142"],
            "birth": pd.to_datetime(["1945-07-31", "1960-01-02", "1960-01-02", "1960-01-02", "1971-03-04",
                                     "1980-05-06", "1991-01-01"]),
            "sex": ["F", "M", "M", "M", "F", "F", "M"],
            "person": [1, 2, 3, 7, 4, 5, 6],
        }
    )
    return released, voters


def test_hand_checked_counts_and_totals(sweeney):
    released, voters = sweeney
    report = linkage_attack(released, voters, ["zip", "birth", "sex"])
    assert report.match_counts.tolist() == [1, 1, 2, 1, 1, 0]
    assert (report.n_released, report.n_auxiliary) == (6, 7)
    assert report.unique_links == 4
    assert report.unmatched == 1
    assert report.expected_correct == pytest.approx(4.5)
    assert report.unique_link_rate == pytest.approx(4 / 6)
    assert report.guess_probability.tolist() == [1.0, 1.0, 0.5, 1.0, 1.0, 0.0]
    hist = report.match_count_histogram
    assert hist["match_count"].tolist() == [0, 1, 2]
    assert hist["records"].tolist() == [1, 4, 1]
    assert hist["share"].sum() == pytest.approx(1.0)
    shares = report.match_count_shares(bins=(0, 1, 2))
    assert shares["matches"].tolist() == ["0", "1", "2+"]
    assert shares["records"].tolist() == [1, 4, 1]
    per_record = report.per_record()
    assert list(per_record.index) == [10, 11, 12, 13, 14, 15]
    assert per_record.loc[12, "match_count"] == 2
    assert not report.has_ground_truth and report.correct_links is None
    assert isinstance(report, LinkageReport) and "unique_links=4" in repr(report)


def test_ground_truth_precision_of_unique_links(sweeney):
    released, voters = sweeney
    report = linkage_attack(released, voters, ["zip", "birth", "sex"], released_id="person", auxiliary_id="person")
    # person 99 (row 14) is not on the voter list, yet links uniquely to person 5: a false link
    assert report.true_match_found.tolist() == [True, True, True, True, False, False]
    assert report.correct_links == 3
    assert report.correct_link_rate == pytest.approx(3 / 6)
    assert report.unique_link_precision == pytest.approx(3 / 4)
    assert report.true_match_rate == pytest.approx(4 / 6)
    assert report.expected_correct_given_truth == pytest.approx(3.5)
    per_record = report.per_record()
    assert per_record["correctly_linked"].tolist() == [True, True, False, True, False, False]


def test_json_holds_figures_never_values(sweeney):
    released, voters = sweeney
    report = linkage_attack(released, voters, ["zip", "birth", "sex"], released_id="person", auxiliary_id="person")
    text = report.to_json()
    data = json.loads(text)
    assert data["unique_links"] == 4 and data["correct_links"] == 3
    for value in ("02138", "1945", "02141"):
        assert value not in text


def test_missing_auxiliary_values_match_anything_and_missing_released_values_too():
    released = pd.DataFrame({"zip": ["02138", "02139", None], "sex": ["F", "F", "M"]})
    auxiliary = pd.DataFrame({"zip": ["02138", None, "02139", "02140"], "sex": ["F", "F", None, "M"]})
    report = linkage_attack(released, auxiliary, ["zip", "sex"])
    # row 0: (02138,F) exact + (None,F) + none else -> 2; row 1: (None,F) + (02139,None) -> 2
    # row 2: zip suppressed: any zip with sex M or missing -> (02139,None), (02140,M) -> 2
    assert report.match_counts.tolist() == [2, 2, 2]
    assert any("missing auxiliary" in note for note in report.notes)
    assert any("missing released" in note for note in report.notes)


def test_on_may_be_one_name_and_the_auxiliary_table_may_be_empty():
    released = pd.DataFrame({"zip": ["1", "2"]})
    assert linkage_attack(released, pd.DataFrame({"zip": ["1", "1"]}), "zip").match_counts.tolist() == [2, 0]
    empty = linkage_attack(released, pd.DataFrame({"zip": pd.Series([], dtype="str")}), "zip")
    assert empty.match_counts.tolist() == [0, 0] and empty.expected_correct == 0.0


def test_values_compare_across_dtypes_of_one_kind():
    released = pd.DataFrame({
        "age": pd.Series([40, 41, None], dtype="Int64"),
        "sex": pd.Categorical(["F", "M", "F"]),
        "day": pd.to_datetime(["2001-01-01", "2001-01-02", "2001-01-03"]).as_unit("s"),
    })
    auxiliary = pd.DataFrame({
        "age": [40.0, 41.0, 41.0, 7.5],
        "sex": pd.Series(["F", "M", "M", "F"], dtype=object),
        "day": pd.to_datetime(["2001-01-01", "2001-01-02", "2001-01-09", "2001-01-03"]).as_unit("ns"),
    })
    assert linkage_attack(released, auxiliary, ["age", "sex", "day"]).match_counts.tolist() == [1, 1, 1]


def test_time_zones_compare_by_instant():
    released = pd.DataFrame({"t": pd.to_datetime(["2020-01-01 12:00"]).tz_localize("UTC")})
    auxiliary = pd.DataFrame({"t": pd.to_datetime(["2020-01-01 07:00", "2020-01-01 12:00"]).tz_localize("America/New_York")})
    assert linkage_attack(released, auxiliary, ["t"]).match_counts.tolist() == [1]


# ----------------------------------------------------------------------------- hierarchies


RESTRICTED_ZIP3 = {"036", "059", "102"}


def safe_harbor_zip3(zips: pd.Series) -> pd.Series:
    prefix = zips.str[:3]
    return prefix.where(~prefix.isin(RESTRICTED_ZIP3), "000")


def test_callable_generalizers_zip3_and_birth_year():
    rng = np.random.default_rng(1)
    n = 3000
    zips = np.array(["02138", "02139", "03601", "05901", "10201", "94110", "94115"])
    aux = pd.DataFrame({
        "zip": pd.Series(zips[rng.integers(0, len(zips), n)], dtype="str"),
        "birth": pd.Timestamp("1950-01-01") + pd.to_timedelta(rng.integers(0, 3 * 365, n), unit="D"),
        "sex": pd.Series(rng.choice(["F", "M"], n), dtype="str"),
    })
    sample = aux.sample(500, random_state=2)
    released = pd.DataFrame({"zip": safe_harbor_zip3(sample["zip"]), "birth": sample["birth"].dt.year,
                             "sex": sample["sex"]})
    report = linkage_attack(released, aux, ["zip", "birth", "sex"],
                            hierarchies={"zip": safe_harbor_zip3, "birth": lambda d: d.dt.year})
    generalized = aux.assign(zip=safe_harbor_zip3(aux["zip"]), birth=aux["birth"].dt.year)
    np.testing.assert_array_equal(report.match_counts, pandas_counts(released, generalized, ["zip", "birth", "sex"]))
    assert (report.match_counts >= 1).all()


def _adult():
    return pd.read_csv(ADULT_DIR / "adult.csv", sep=";")


def _hierarchy(column: str) -> pd.DataFrame:
    return pd.read_csv(ADULT_DIR / f"adult_hierarchy_{column}.csv", sep=";", header=None, dtype=str)


def _generalize(values: pd.Series, hierarchy: pd.DataFrame, level: int) -> pd.Series:
    mapping = dict(zip(hierarchy[0], hierarchy[level]))
    return values.astype(str).map(mapping)


@needs_adult
def test_adult_with_arx_hierarchies_at_mixed_levels():
    """Released: adult with age at level 2 and education at level 1, and 300 records fully
    suppressed to '*' in both; auxiliary: the raw adult table. Checked against pandas, one
    level pattern at a time."""
    adult = _adult()
    on = ["age", "education", "sex", "race"]
    age_h, edu_h = _hierarchy("age"), _hierarchy("education")
    released = adult[on].copy()
    released["age"] = _generalize(adult["age"], age_h, 2)
    released["education"] = _generalize(adult["education"], edu_h, 1)
    suppressed = np.random.default_rng(3).choice(len(adult), 300, replace=False)
    released.loc[suppressed, ["age", "education"]] = "*"
    report = linkage_attack(
        released, adult, on,
        hierarchies={"age": ADULT_DIR / "adult_hierarchy_age.csv", "education": str(ADULT_DIR / "adult_hierarchy_education.csv")},
    )
    aux_generalized = adult[on].assign(age=_generalize(adult["age"], age_h, 2),
                                       education=_generalize(adult["education"], edu_h, 1))
    expected = pandas_counts(released, aux_generalized, on)
    expected[suppressed] = pandas_counts(released.iloc[suppressed], adult, ["sex", "race"])
    np.testing.assert_array_equal(report.match_counts, expected)
    # generalizing can only add candidates
    raw = linkage_attack(adult[on], adult, on).match_counts
    assert (report.match_counts >= raw).all()


@needs_adult
def test_hierarchy_as_frame_mapping_or_object_with_to_frame():
    adult = _adult().head(2000)
    sex_h = _hierarchy("sex")
    released = adult[["sex", "race"]].copy()
    released.loc[:99, "sex"] = "*"

    class Hierarchy:  # stands in for deid.anonymize.Hierarchy
        def to_frame(self):
            return sex_h

    results = [
        linkage_attack(released, adult, ["sex", "race"], hierarchies={"sex": h}).match_counts
        for h in (sex_h, Hierarchy(), ADULT_DIR / "adult_hierarchy_sex.csv")
    ]
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_array_equal(results[0], results[2])
    mapping = linkage_attack(released, adult, ["sex", "race"], hierarchies={"sex": {"Male": "*", "Female": "*"}})
    # with a one-level mapping raw values still match themselves and '*' matches both
    np.testing.assert_array_equal(mapping.match_counts, results[0])
    by_race = adult.groupby("race").size()
    assert results[0][0] == by_race[released["race"].iloc[0]]


# ----------------------------------------------------------------------------- bad input


def test_missing_columns_are_named():
    released = pd.DataFrame({"zip": ["1"], "sex": ["F"]})
    auxiliary = pd.DataFrame({"zip": ["1"]})
    with pytest.raises(ValueError, match=r"\['sex'\].*auxiliary"):
        linkage_attack(released, auxiliary, ["zip", "sex"])
    with pytest.raises(ValueError, match=r"\['age'\].*released"):
        linkage_attack(released, auxiliary, ["age"])
    with pytest.raises(ValueError, match="empty"):
        linkage_attack(released, auxiliary, [])
    with pytest.raises(ValueError, match="more than once"):
        linkage_attack(released, auxiliary, ["zip", "zip"])
    with pytest.raises(ValueError, match="released table is empty"):
        linkage_attack(released.iloc[:0], auxiliary, ["zip"])
    with pytest.raises(ValueError, match="DataFrame"):
        linkage_attack({"zip": ["1"]}, auxiliary, ["zip"])


def test_values_that_cannot_be_compared():
    released = pd.DataFrame({"zip": ["02138"], "when": pd.to_datetime(["2020-01-01"])})
    auxiliary = pd.DataFrame({"zip": [2138], "when": pd.to_datetime(["2020-01-01"]).tz_localize("UTC")})
    with pytest.raises(ValueError, match=r"column 'zip' cannot be compared: released values are text, auxiliary values are numbers") as err:
        linkage_attack(released, auxiliary, ["zip"])
    assert "02138" not in str(err.value) and "2138" not in str(err.value)
    with pytest.raises(ValueError, match=r"column 'when' cannot be compared.*time-zone"):
        linkage_attack(released, auxiliary, ["when"])
    with pytest.raises(ValueError, match=r"column 'when' cannot be compared.*generalized: numbers"):
        linkage_attack(released.assign(when=["x"]), auxiliary, ["when"], hierarchies={"when": lambda s: s.dt.year})


def test_uncovered_hierarchy_values_are_counted_never_shown():
    hierarchy = pd.DataFrame({0: ["02138", "02139"], 1: ["021**", "021**"], 2: ["*", "*"]})
    released = pd.DataFrame({"zip": ["021**", "021**"]})
    auxiliary = pd.DataFrame({"zip": ["02138", "94110", "94110", "10001"]})
    with pytest.raises(ValueError) as err:
        linkage_attack(released, auxiliary, ["zip"], hierarchies={"zip": hierarchy})
    message = str(err.value)
    assert "'zip'" in message and "2 distinct auxiliary value(s) (3 record(s))" in message
    assert "94110" not in message and "10001" not in message
    with pytest.raises(ValueError, match=r"1 distinct released value\(s\) \(1 record") as err:
        linkage_attack(pd.DataFrame({"zip": ["021**", "946**"]}), auxiliary.head(1), ["zip"], hierarchies={"zip": hierarchy})
    assert "946" not in str(err.value)
    with pytest.raises(ValueError, match=r"generalizer of level 1 returns a missing value for them"):
        linkage_attack(released, auxiliary, ["zip"],
                       hierarchies={"zip": lambda s: s.str[:3].where(s.str.startswith("0")) + "**"})


def test_malformed_hierarchies(tmp_path):
    released = pd.DataFrame({"zip": ["02138"]})
    auxiliary = pd.DataFrame({"zip": ["02138"]})
    with pytest.raises(ValueError, match="not in `on`"):
        linkage_attack(released, auxiliary, ["zip"], hierarchies={"age": lambda s: s})
    with pytest.raises(ValueError, match="must be a hierarchy CSV path"):
        linkage_attack(released, auxiliary, ["zip"], hierarchies={"zip": 3})
    with pytest.raises(ValueError, match="not found"):
        linkage_attack(released, auxiliary, ["zip"], hierarchies={"zip": tmp_path / "absent.csv"})
    with pytest.raises(ValueError, match="one value per input value"):
        linkage_attack(released, auxiliary, ["zip"], hierarchies={"zip": lambda s: s[:0]})
    with pytest.raises(ValueError, match="failed on the auxiliary values"):
        linkage_attack(released, auxiliary, ["zip"], hierarchies={"zip": lambda s: s + 1})
    with pytest.raises(ValueError, match="more than one path"):
        linkage_attack(released, auxiliary, ["zip"],
                       hierarchies={"zip": pd.DataFrame({0: ["02138", "02138"], 1: ["021**", "022**"]})})
    with pytest.raises(ValueError, match="empty cell"):
        linkage_attack(released, auxiliary, ["zip"], hierarchies={"zip": pd.DataFrame({0: ["02138"], 1: [None]})})
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("02138;021**;*\n02139;021**\n")
    with pytest.raises(ValueError, match="ragged.csv"):
        linkage_attack(released, auxiliary, ["zip"], hierarchies={"zip": ragged})


def test_labels_with_two_meanings_are_refused():
    # "B" is a raw value and, elsewhere, the group of A and C: no level holds both meanings
    hierarchy = pd.DataFrame({0: ["A", "B", "C"], 1: ["B", "X", "B"], 2: ["*", "*", "*"]})
    with pytest.raises(ValueError, match="several hierarchy levels with different meanings"):
        linkage_attack(pd.DataFrame({"v": ["B"]}), pd.DataFrame({"v": ["A"]}), ["v"], hierarchies={"v": hierarchy})
    # a raw value that is also the name of its own group means the group
    nested = pd.DataFrame({0: ["90", "91"], 1: ["90", "90"]})
    report = linkage_attack(pd.DataFrame({"age": ["90"]}), pd.DataFrame({"age": [90, 91, 91]}), ["age"],
                            hierarchies={"age": nested})
    assert report.match_counts.tolist() == [3]


def test_ids_must_come_in_pairs_and_compare():
    released = pd.DataFrame({"zip": ["1"], "pid": [1]})
    auxiliary = pd.DataFrame({"zip": ["1"], "pid": ["1"]})
    with pytest.raises(ValueError, match="both released_id and auxiliary_id"):
        linkage_attack(released, auxiliary, ["zip"], released_id="pid")
    with pytest.raises(ValueError, match="auxiliary_id column 'person'"):
        linkage_attack(released, auxiliary, ["zip"], released_id="pid", auxiliary_id="person")
    with pytest.raises(ValueError, match="released ids are numbers, auxiliary ids are text"):
        linkage_attack(released, auxiliary, ["zip"], released_id="pid", auxiliary_id="pid")


# ----------------------------------------------------------------------------- join paths vs pandas


def _random_people(n: int, rng, n_zip: int, n_days: int) -> pd.DataFrame:
    return pd.DataFrame({
        "zip": pd.Series([f"{z:05d}" for z in rng.integers(0, n_zip, n)], dtype="str"),
        "birth": pd.Timestamp("1940-01-01") + pd.to_timedelta(rng.integers(0, n_days, n), unit="D"),
        "sex": pd.Series(rng.choice(["F", "M"], n), dtype="str"),
    })


def test_partitioned_join_builds_on_either_side_with_the_bloom_filter_on_the_larger():
    import deid.risk._linkage as linkage

    assert 300_000 >= linkage._FILTER_MIN_ROWS and 300_000 >= 4 * 60_000
    rng = np.random.default_rng(5)
    big = _random_people(300_000, rng, 3000, 20_000)  # key space 1.2e8: the partitioned hash join
    small = pd.concat([big.sample(50_000, random_state=6), _random_people(10_000, rng, 3000, 20_000)])
    on = ["zip", "birth", "sex"]
    for released, auxiliary in ((small, big), (big, small)):
        report = linkage_attack(released, auxiliary, on)
        np.testing.assert_array_equal(report.match_counts, pandas_counts(released, auxiliary, on))


def test_wide_keys_are_redensified_before_they_overflow(monkeypatch):
    import deid.risk._linkage as linkage

    calls = []
    original = linkage._densify
    monkeypatch.setattr(linkage, "_densify", lambda r, a: calls.append(1) or original(r, a))
    rng = np.random.default_rng(7)
    n = 30_000
    on = [f"c{j}" for j in range(6)]
    auxiliary = pd.DataFrame({c: rng.integers(0, 20_000, n) for c in on})  # ~6,000 released values each
    released = pd.concat([auxiliary.sample(6_000, random_state=8),
                          pd.DataFrame({c: rng.integers(0, 20_000, 1_000) for c in on})], ignore_index=True)
    report = linkage_attack(released, auxiliary, on)
    assert calls, "6 columns of ~6,000 values (a 2**75 key space) must be re-densified"
    np.testing.assert_array_equal(report.match_counts, pandas_counts(released, auxiliary, on))
    assert report.unique_links >= 6_000


@pytest.mark.slow
def test_parallel_kernels_on_a_million_rows_with_partial_knowledge():
    """2**20+ auxiliary rows (parallel kernels), 3% of them without a ZIP (they match any ZIP)."""
    rng = np.random.default_rng(9)
    on = ["zip", "birth", "sex"]
    auxiliary = _random_people(1_100_000, rng, 30_000, 30_000)
    no_zip = rng.random(len(auxiliary)) < 0.03
    auxiliary.loc[no_zip, "zip"] = None
    released = auxiliary[~no_zip].sample(60_000, random_state=10)
    report = linkage_attack(released, auxiliary, on)
    exact = pandas_counts(released, auxiliary[~no_zip], on)
    partial = pandas_counts(released, auxiliary[no_zip], ["birth", "sex"])
    np.testing.assert_array_equal(report.match_counts, exact + partial)


# ----------------------------------------------------------------------------- encoding routes


def test_dates_and_integers_translate_by_direct_address_or_hash():
    """Released dates a day apart (a dense table of days) and integers spread over 2**40 (a hash
    table); auxiliary values between the steps, outside the range, or missing match nothing,
    or anything."""
    import deid.risk._linkage_encode as enc

    released = pd.DataFrame({
        "day": pd.to_datetime(["2020-01-01", "2020-01-03", "2020-01-03", "2021-06-30"]).astype("datetime64[us]"),
        "big": [0, 2**40, 7, 2**40],
    })
    auxiliary = pd.DataFrame({
        "day": pd.to_datetime(["2020-01-01", "2020-01-01 00:00:01", "2019-12-31", "2020-01-03", None,
                               "2021-06-30", "2030-01-01"], format="mixed").astype("datetime64[us]"),
        "big": pd.array([0, 0, 7, 2**40, 2**40, 5, 2**40], dtype="Int64"),
    })
    assert enc._dense_targets(np.array([0, 86_400_000_000 * 2], dtype=np.int64), np.arange(2)) is not None
    assert enc._dense_targets(np.array([0, 2**40, 7], dtype=np.int64), np.arange(3)) is None
    report = linkage_attack(released, auxiliary, ["day", "big"])
    # (2020-01-01, 0): row 0; (2020-01-03, 2**40): rows 3 and 4 (day missing); (2020-01-03, 7):
    # none (row 2 is a day early); (2021-06-30, 2**40): row 4 (day missing; row 6 is out of range)
    assert report.match_counts.tolist() == [1, 2, 0, 1]
    assert report.match_counts.tolist() == [
        sum((a_day is pd.NaT or a_day == r_day) and a_big == r_big
            for a_day, a_big in zip(auxiliary["day"], auxiliary["big"]))
        for r_day, r_big in zip(released["day"], released["big"])]


def test_strings_longer_than_a_word_translate_exactly():
    """Strings of 8 to 40 bytes are hashed, then confirmed word by word: values that share
    their first and last 8 bytes, or differ in one middle byte, stay apart."""
    base = "x" * 12
    values = ["AmIndian", "PacIsland", base + "a" + base, base + "b" + base, "0123456789abcdef",
              "0123456789abcdeF", "short", "a" * 40]
    released = pd.DataFrame({"v": pd.Series(values[::2] + ["absent-from-aux!"], dtype="str")})
    rng = np.random.default_rng(2)
    auxiliary = pd.DataFrame({"v": pd.Series(rng.choice(values, 500), dtype="str")})
    report = linkage_attack(released, auxiliary, ["v"])
    expected = [int((auxiliary["v"] == v).sum()) for v in released["v"]]
    assert report.match_counts.tolist() == expected and expected[-1] == 0


def test_few_target_strings_get_a_table_without_collisions():
    import pyarrow as pa

    import deid.risk._linkage_encode as enc

    targets = pa.array(["F", "M", "U", "White", "Black", "AmIndian", "PacIsland"], type=pa.large_string())
    _, offsets, data = targets.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int64)[: len(targets) + 1]
    data = np.frombuffer(data, dtype=np.uint8)
    table = enc.build_string_table(offsets, data)
    bits = int(table[-1])
    keys = np.array([enc._string_key(data, np.int64(len(data)), np.int64(offsets[i]),
                                     np.int64(offsets[i + 1] - offsets[i])) for i in range(len(targets))])
    homes = [int(enc._slot_of(k, np.uint64(64 - bits))) for k in keys]
    assert len(set(homes)) == len(homes)  # every target sits in its home slot
    assert all(table[2 * h + 1] == i for i, h in enumerate(homes))

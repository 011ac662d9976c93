"""Hierarchy: ARX's CSV format, the builders, lookups, and the errors for malformed input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deid.anonymize import Hierarchy, anonymize


def test_from_csv_reads_arx_format(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("Bachelors;Undergraduate;Higher education;*\nMasters;Graduate;Higher education;*\n"
                    "11th;High School;Secondary education;*\n")
    h = Hierarchy.from_csv(path)
    assert h.height == 3 and len(h) == 3
    assert h.labels(1) == ["Undergraduate", "Graduate", "High School"]
    assert h.generalize(["Masters", "11th"], 2) == ["Higher education", "Secondary education"]
    out = tmp_path / "round.csv"
    h.to_csv(out)
    assert out.read_text() == path.read_text()


def test_unequal_depth_is_rejected_with_counts_only(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("secret-a;x;*\nsecret-b;*\n")
    with pytest.raises(ValueError, match="unequal depth") as err:
        Hierarchy.from_csv(path)
    assert "secret" not in str(err.value)
    assert "1 row(s) with 2 level(s)" in str(err.value)


def test_inconsistent_levels_are_rejected():
    with pytest.raises(ValueError, match="not consistent"):
        Hierarchy([["a", "g1", "x"], ["b", "g1", "y"]])


def test_duplicate_raw_values_are_rejected():
    with pytest.raises(ValueError, match="more than once"):
        Hierarchy([["a", "*"], ["a", "*"]])


def test_unreadable_file_names_the_file(tmp_path):
    with pytest.raises(ValueError, match="missing.csv"):
        Hierarchy.from_csv(tmp_path / "missing.csv")


def test_intervals_nest_and_label_integers_closed():
    h = Hierarchy.intervals([23, 37, 38, 61, 99], widths=(5, 10, 20))
    assert h.height == 4
    assert h.generalize([37, 38], 1) == ["35-39", "35-39"]
    assert h.generalize([61], 2) == ["60-69"]
    assert h.generalize([23, 37], 3) == ["20-39", "20-39"]
    assert h.generalize([99], 4) == ["*"]
    floats = Hierarchy.intervals([0.5, 1.25], widths=(0.5,))
    assert floats.generalize([1.25], 1) == ["[1, 1.5)"]
    with pytest.raises(ValueError, match="multiple"):
        Hierarchy.intervals([1, 2], widths=(5, 7))
    with pytest.raises(ValueError, match="numeric"):
        Hierarchy.intervals(["a"], widths=(5,))


def test_redaction_pads_and_masks_from_the_right():
    h = Hierarchy.redaction([2139, 2141], width=5)
    assert [h.generalize([2139], i)[0] for i in range(h.height + 1)] == ["2139", "0213*", "021**", "02***",
                                                                        "0****", "*"]
    short = Hierarchy.redaction(["123", "45"])
    assert short.generalize(["45"], 2) == ["**"]
    assert short.generalize(["123"], 2) == ["1**"]


def test_dates_truncate_step_by_step():
    stamps = pd.to_datetime(["2021-03-14", "2019-12-01", "2021-03-02"])
    h = Hierarchy.dates(stamps, levels=("month", "quarter", "year", "decade"))
    assert h.generalize([stamps[0]], 1) == ["2021-03"]
    assert h.generalize([stamps[0], stamps[1]], 2) == ["2021-Q1", "2019-Q4"]
    assert h.generalize([stamps[1]], 4) == ["2010s"]
    with pytest.raises(ValueError, match="fine to coarse"):
        Hierarchy.dates(stamps, levels=("year", "month"))


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_dates_look_up_their_stamps_whatever_the_unit(unit):
    # pandas 3 parses text to microseconds, Parquet gives nanoseconds: every unit looks up alike
    stamps = pd.Series(pd.to_datetime(["2021-03-14 00:00", "2019-12-01 08:30"])).dt.as_unit(unit)
    h = Hierarchy.dates(stamps, levels=("month", "year"))
    assert h.lookup(stamps).tolist() == [0, 1]
    assert h.generalize(stamps, 1) == ["2021-03", "2019-12"]
    assert h.generalize([pd.Timestamp("2019-12-01 08:30")], 2) == ["2019"]


def test_groupings_from_mappings_in_both_directions():
    by_member = Hierarchy.from_groups([{"flu": "respiratory", "asthma": "respiratory", "gout": "joint"}])
    by_group = Hierarchy.from_groups([{"respiratory": ["flu", "asthma"], "joint": ["gout"]}])
    assert by_member.generalize(["asthma", "gout"], 1) == by_group.generalize(["asthma", "gout"], 1)
    assert by_member.height == 2
    with pytest.raises(ValueError, match="no group"):
        Hierarchy.from_groups([{"a": "g"}, {"h": "top"}])
    mapped = Hierarchy.from_mapping({"flu": ["respiratory"], "gout": "joint"})
    assert mapped.generalize(["gout"], 2) == ["*"]


def test_lookup_matches_numbers_written_as_text_and_missing_values():
    h = Hierarchy([["39", "30-39", "*"], ["40", "40-49", "*"], [None, "*", "*"]])
    assert h.lookup([39, 39.0, "40", np.nan, None, 41]).tolist() == [0, 0, 1, 2, 2, -1]


def test_builders_give_missing_values_their_own_row():
    h = Hierarchy.intervals(pd.Series([1.0, None, 7.0]), widths=(5,))
    assert h.generalize([None], 1) == ["*"]
    assert h.generalize([7.0], 1) == ["5-9"]


def test_missing_data_values_are_counted_not_named():
    df = pd.DataFrame({"dx": ["secret-1", "secret-2", "flu", "secret-2"]})
    h = Hierarchy([["flu", "*"]])
    with pytest.raises(ValueError) as err:
        anonymize(df, ["dx"], {"dx": h}, k=1)
    message = str(err.value)
    assert "lacks 2 value(s)" in message and "3 record(s)" in message and "'dx'" in message
    assert "secret" not in message

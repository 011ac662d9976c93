"""date_shift: per-patient keyed offsets; dates keep their written form."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, strategies as st
from presidio_anonymizer.entities import OperatorConfig

from deid.transform import DateShift, Key, date_shift_days, date_shift_offsets, shift_date, shift_dates

from .conftest import SETTINGS, anonymize_with_presidio

HYP_KEY = Key("hypothesis key for date shift tests!!")
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


# -- offsets --------------------------------------------------------------------------------
def test_offset_is_keyed_consistent_and_normalized(key, same_key, other_key):
    d = date_shift_days(key, "MRN0012")
    assert d != 0 and -365 <= d <= 365
    assert d == date_shift_days(same_key, "MRN0012") == date_shift_days(key, "  mrn0012")
    patients = [f"P{i}" for i in range(40)]
    assert sum(date_shift_days(key, p) == date_shift_days(other_key, p) for p in patients) <= 2
    assert len({date_shift_days(key, p) for p in patients}) > 30


def test_without_patient_one_offset_per_key(key, other_key):
    d = date_shift_days(key)
    assert d == date_shift_days(key, None) == date_shift_days(key, "  ") != 0
    assert d == date_shift_days(key, float("nan")) == date_shift_days(key, pd.NA)
    assert date_shift_days(other_key) != d or date_shift_days(other_key, "x") != date_shift_days(key, "x")


@SETTINGS
@given(st.text(max_size=12), st.integers(-400, 0), st.integers(0, 400))
def test_offset_never_zero_and_in_range(patient, low, high):
    assume((low, high) != (0, 0))
    d = date_shift_days(HYP_KEY, patient, low, high)
    assert d != 0 and low <= d <= high


def test_zero_is_skipped_uniformly():
    # range [-2, 2]: four non-zero offsets, each about a quarter of the patients
    counts = {}
    for i in range(2000):
        d = date_shift_days(HYP_KEY, f"patient-{i}", -2, 2)
        counts[d] = counts.get(d, 0) + 1
    assert set(counts) == {-2, -1, 1, 2}
    assert all(400 <= c <= 600 for c in counts.values())
    # a range without 0 is used whole
    assert {date_shift_days(HYP_KEY, f"p{i}", 5, 6) for i in range(50)} == {5, 6}


def test_bad_ranges_are_rejected(key):
    with pytest.raises(ValueError, match="min_days"):
        date_shift_days(key, "p", 10, -10)
    with pytest.raises(ValueError, match="non-zero"):
        date_shift_days(key, "p", 0, 0)


# -- written forms --------------------------------------------------------------------------
@pytest.mark.parametrize("value,days,expected", [
    ("7/22", 12, "8/3"),
    ("07/22/2019", 12, "08/03/2019"),
    ("7/22/19", 12, "8/3/19"),
    ("2019-07-22", -200, "2019-01-03"),
    ("2019-07-22 14:03:11", 12, "2019-08-03 14:03:11"),
    ("2019-07-22T14:03", 12, "2019-08-03T14:03"),
    ("2019-07-22T14:03:11.123Z", 1, "2019-07-23T14:03:11.123Z"),
    ("July 11th", 12, "July 23rd"),
    ("July 11th", 10, "July 21st"),
    ("JULY 11", 12, "JULY 23"),
    ("july 4th, 1999", 12, "july 16th, 1999"),
    ("11 Jul 2019", -200, "23 Dec 2018"),
    ("Jul. 11, 2019", -200, "Dec. 23, 2018"),
    ("11-Jul-19", 12, "23-Jul-19"),
    ("3rd of May", 12, "15th of May"),
    ("the 1st of March", 1, "the 2nd of March"),
    ("Sept. 3", 12, "Sept. 15"),
    ("December 25", 12, "January 6"),
    ("May 2019", -200, "October 2018"),
    ("5/2019", -200, "10/2018"),
    ("2019-05", -200, "2018-10"),
    ("'92", 200, "'93"),
    ("'92", 100, "'92"),
    ("1992", -200, "1991"),
    ("Thursday", 12, "Tuesday"),
    ("THU", 1, "FRI"),
    ("22.07.2019", 12, "03.08.2019"),
    ("2/29", 1, "3/1"),
    ("2/28", 1, "2/29"),
    ("Thursday, July 11, 2019 at 2:30 PM", 12, "Tuesday, July 23, 2019 at 2:30 PM"),
    ("THU 7/22/19 14:03 EST", -200, "SUN 1/3/19 14:03 EST"),
    ("20190722", 12, "20190803"),
    (" 7/22 ", 12, " 8/3 "),
    ("today", 12, "today"),
    ("14:03", 12, "14:03"),
])
def test_written_form_is_kept(value, days, expected):
    assert shift_date(value, days) == expected


def test_day_first_when_unambiguous_or_asked():
    assert shift_date("05.07.2019", 1) == "05.08.2019"  # month first by default
    assert shift_date("05.07.2019", 1, dayfirst=True) == "06.07.2019"
    assert shift_date("25/7", 7) == "1/8"
    assert shift_date("25/12", 7) == "01/01"  # two two-digit fields read as zero-padded


@pytest.mark.parametrize("value", ["13/13/2019", "July 32", "spring", "Christmas", "2/30/2019", "the 3rd", "", "???"])
def test_unparseable_dates_become_the_tag(value, key):
    assert shift_date(value, 5) is None
    assert DateShift().operate(value, {"entity_type": "DATE", "key": key}) == "[DATE]"
    assert DateShift().operate(value, {"entity_type": "DATE", "key": key, "unparsed": "[REDACTED]"}) == "[REDACTED]"


# -- properties over random dates and formats -----------------------------------------------
def _sfx(n):
    return "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


FORMATS = {
    "iso": lambda d: d.strftime("%Y-%m-%d"),
    "iso_time": lambda d: d.strftime("%Y-%m-%d") + " 14:03:11",
    "iso_t": lambda d: d.strftime("%Y-%m-%dT") + "08:15",
    "us_padded": lambda d: d.strftime("%m/%d/%Y"),
    "us_short": lambda d: f"{d.month}/{d.day}/{d.year % 100:02d}",
    "long": lambda d: f"{d:%B} {d.day}, {d.year}",
    "long_upper": lambda d: f"{d:%B} {d.day}, {d.year}".upper(),
    "abbr_dot": lambda d: f"{d:%b}. {d.day}, {d.year}",
    "day_month": lambda d: f"{d.day} {d:%b} {d.year}",
    "weekday": lambda d: f"{d:%A}, {d:%B} {d.day}, {d.year}",
    "ordinal": lambda d: f"{d:%B} {d.day}{_sfx(d.day)} {d.year}",
    "of": lambda d: f"{d.day}{_sfx(d.day)} of {d:%B} {d.year}",
    "dotted_dayfirst": lambda d: d.strftime("%d.%m.%Y"),
}
# "May" is its own abbreviation: without a dot it is read as the full name, so formats that
# abbreviate month names are not asked to reproduce "May 1" -> "Apr 30".
ABBREVIATED = {"day_month", "upper_md"}

NO_YEAR = {
    "md": lambda d: f"{d.month}/{d.day}",
    "month_day": lambda d: f"{d:%B} {d.day}{_sfx(d.day)}",
    "upper_md": lambda d: f"{d:%b} {d.day}".upper(),
}


@SETTINGS
@given(st.dates(dt.date(1930, 1, 1), dt.date(2070, 12, 31)), st.sampled_from(sorted(FORMATS)),
       st.integers(-365, 365))
def test_random_dates_keep_format_and_move_by_the_offset(date, fmt, days):
    render = FORMATS[fmt]
    assume(not (fmt in ABBREVIATED and date.month == 5))
    if fmt == "us_short":
        assume(not (date.month >= 10 and date.day >= 10))  # 12/15/19 reads as zero-padded
        assume(1969 <= date.year <= 2068 and 1969 <= (date + dt.timedelta(days)).year <= 2068)
    out = shift_date(render(date), days, dayfirst=fmt == "dotted_dayfirst")
    assert out == render(date + dt.timedelta(days=days))


@SETTINGS
@given(st.dates(dt.date(2000, 1, 1), dt.date(2000, 12, 31)), st.sampled_from(sorted(NO_YEAR)),
       st.integers(-365, 365))
def test_month_day_without_year_uses_a_leap_reference_year(date, fmt, days):
    render = NO_YEAR[fmt]
    assume(not (fmt in ABBREVIATED and date.month == 5))
    assume(not (fmt == "md" and date.month >= 10 and date.day >= 10))  # 10/10 reads as zero-padded
    assert shift_date(render(date), days) == render(date + dt.timedelta(days=days))


PARSERS = {  # written form -> how to read it back
    "iso": lambda t: dt.datetime.strptime(t, "%Y-%m-%d").date(),
    "iso_time": lambda t: dt.datetime.strptime(t, "%Y-%m-%d %H:%M:%S").date(),
    "us_padded": lambda t: dt.datetime.strptime(t, "%m/%d/%Y").date(),
    "long": lambda t: dt.datetime.strptime(t, "%B %d, %Y").date(),
    "weekday": lambda t: dt.datetime.strptime(t, "%A, %B %d, %Y").date(),
}


@SETTINGS
@given(st.lists(st.tuples(st.dates(dt.date(1950, 1, 1), dt.date(2050, 12, 31)), st.sampled_from(sorted(PARSERS))),
                min_size=2, max_size=6),
       st.text(min_size=1, max_size=8))
def test_intervals_between_a_patients_dates_are_kept(dated, patient):
    op = DateShift().bind({"entity_type": "DATE", "key": HYP_KEY})
    shifted = [PARSERS[fmt](op(FORMATS[fmt](date), patient)) for date, fmt in dated]
    dates = [date for date, _ in dated]
    for i in range(1, len(dates)):
        assert shifted[i] - shifted[0] == dates[i] - dates[0]
    assert shifted[0] != dates[0]


@SETTINGS
@given(st.integers(1001, 9000), st.integers(-365, 365))
def test_year_alone_moves_by_the_whole_year_part(year, days):
    expected = (dt.date(year, 7, 2) + dt.timedelta(days=days)).year
    assert shift_date(str(year), days) == str(expected)
    assert abs(expected - year) <= 1


@SETTINGS
@given(st.sampled_from(WEEKDAYS), st.integers(-365, 365), st.sampled_from(["title", "upper", "lower"]))
def test_weekday_alone_moves_by_offset_mod_7(day, days, style):
    out = shift_date(getattr(day, style)(), days)
    assert out == getattr(WEEKDAYS[(WEEKDAYS.index(day) + days) % 7], style)()


# -- tables ---------------------------------------------------------------------------------
@pytest.mark.parametrize("unit", ["ns", "us", "s"])
def test_shift_dates_vectorized_keeps_dtype_and_nat(unit, key):
    s = pd.Series(pd.to_datetime(["2019-07-22 14:03", None, "2020-02-28 00:00"]).as_unit(unit), name="admit")
    offsets = date_shift_offsets(key, ["p1", "p2", "p1"])
    out = shift_dates(s, offsets)
    assert out.dtype == s.dtype and out.name == "admit" and out.isna().tolist() == [False, True, False]
    d = date_shift_days(key, "p1")
    assert out[0] == s[0] + pd.Timedelta(days=d) and out[2] == s[2] + pd.Timedelta(days=d)
    assert (out[2] - out[0]) == (s[2] - s[0])


def test_shift_dates_time_zone_keeps_wall_clock():
    s = pd.Series(pd.to_datetime(["2019-03-09 09:00"])).dt.tz_localize("America/New_York")
    out = shift_dates(s, 1)  # across the spring DST change
    assert out.dtype == s.dtype and out[0].hour == 9 and out[0].day == 10


def test_shift_dates_rejects_text_and_fractional_offsets():
    with pytest.raises(TypeError, match="datetime"):
        shift_dates(pd.Series(["2019-07-22"]), 1)
    with pytest.raises(TypeError, match="whole numbers"):
        shift_dates(pd.Series(pd.to_datetime(["2019-07-22"])), [1.5])


def test_offsets_for_a_column_match_the_scalar_function(key):
    ids = pd.Series(["A1", "b2", None, "a1 ", "B2"])
    offsets = date_shift_offsets(key, ids)
    assert offsets.dtype == np.int64
    assert offsets.tolist() == [date_shift_days(key, "A1"), date_shift_days(key, "B2"), date_shift_days(key),
                                date_shift_days(key, "A1"), date_shift_days(key, "B2")]


# -- operator, Presidio, hygiene ------------------------------------------------------------
def test_operator_parameters(key):
    op = DateShift()
    assert op.operate("7/22", {"entity_type": "DATE", "key": key, "days": 12}) == "8/3"
    d = date_shift_days(key, "p1", 1, 30)
    assert op.operate("2019-07-22", {"entity_type": "DATE", "key": key, "patient_id": "p1", "min_days": 1,
                                     "max_days": 30}) == (dt.date(2019, 7, 22) + dt.timedelta(d)).isoformat()
    with pytest.raises(ValueError, match="dayfirst"):
        op.validate({"entity_type": "DATE", "key": key, "dayfirst": "yes"})


def test_presidio_engine_uses_date_shift_with_a_patient(key):
    text = "Admitted 7/22/2019, discharged 7/30/2019."
    params = {"key": key, "patient_id": "MRN0012"}
    out = anonymize_with_presidio(text, [("DATE", 9, 18), ("DATE", 31, 40)], {"DATE": OperatorConfig("date_shift", params)})
    d = date_shift_days(key, "MRN0012")
    a, b = (dt.date(2019, 7, 22) + dt.timedelta(d)), (dt.date(2019, 7, 30) + dt.timedelta(d))
    assert out == f"Admitted {a.month}/{a.day}/{a.year}, discharged {b.month}/{b.day}/{b.year}."


def test_errors_do_not_contain_the_value(key):
    with pytest.raises(TypeError) as info:
        DateShift().operate(20190722, {"entity_type": "DATE", "key": key})
    assert "20190722" not in str(info.value)

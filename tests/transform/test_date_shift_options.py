"""Date-shift options: never_zero, keep_weekday, a steward's offsets table, a date window."""

from __future__ import annotations

import datetime as dt
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, strategies as st

from deid.transform import DateShift, Key, Transformer, date_shift_days, date_shift_offsets, shift_date
from deid.transform._date_shift import DateWindowWarning, OffsetTable

from .conftest import SETTINGS

HYP_KEY = Key("hypothesis key for date shift options")


def _old_offset(key: Key, patient: str, low: int, high: int) -> int:
    """The derivation before the options existed (docs/transform.md), written out."""
    r = key.integer("date_shift", "patient\x1f" + " ".join(patient.split()).casefold())
    if low <= 0 <= high:
        value = low + r % (high - low)
        return value + 1 if value >= 0 else value
    return low + r % (high - low + 1)


# -- never_zero -----------------------------------------------------------------------------
@SETTINGS
@given(st.text(alphabet="abcXYZ019 -", min_size=1, max_size=10), st.integers(-400, 0), st.integers(0, 400))
def test_default_offsets_are_those_of_the_original_derivation(patient, low, high):
    assume((low, high) != (0, 0) and patient.strip())
    expected = _old_offset(HYP_KEY, patient, low, high)
    assert date_shift_days(HYP_KEY, patient, low, high) == expected
    assert date_shift_days(HYP_KEY, patient, low, high, never_zero=True) == expected


def test_never_zero_off_draws_zero_like_any_other_offset():
    counts: dict[int, int] = {}
    for i in range(2500):
        d = date_shift_days(HYP_KEY, f"patient-{i}", -2, 2, never_zero=False)
        counts[d] = counts.get(d, 0) + 1
    assert set(counts) == {-2, -1, 0, 1, 2}
    assert all(400 <= c <= 600 for c in counts.values())
    # and the default never does
    assert 0 not in {date_shift_days(HYP_KEY, f"patient-{i}", -2, 2) for i in range(2500)}


@SETTINGS
@given(st.text(max_size=8), st.integers(-60, 60), st.integers(0, 60), st.booleans())
def test_never_zero_off_stays_in_range(patient, low, width, never_zero):
    high = low + width
    assume((low, high) != (0, 0))  # [0, 0] is refused whatever the options: it shifts nothing
    d = date_shift_days(HYP_KEY, patient, low, high, never_zero=never_zero)
    assert low <= d <= high
    if never_zero and low <= 0 <= high and (low, high) != (0, 0):
        assert d != 0


# -- keep_weekday ---------------------------------------------------------------------------
@SETTINGS
@given(st.text(max_size=8), st.integers(-400, -7), st.integers(7, 400), st.booleans(),
       st.dates(dt.date(1900, 1, 1), dt.date(2090, 12, 31)))
def test_keep_weekday_offsets_are_non_zero_multiples_of_seven(patient, low, high, never_zero, date):
    d = date_shift_days(HYP_KEY, patient, low, high, keep_weekday=True, never_zero=never_zero)
    assert d % 7 == 0 and low <= d <= high
    if never_zero:
        assert d != 0
    assert (date + dt.timedelta(days=d)).weekday() == date.weekday()


def test_keep_weekday_uses_every_allowed_multiple_about_equally():
    counts: dict[int, int] = {}
    for i in range(4000):
        d = date_shift_days(HYP_KEY, f"p{i}", -30, 30, keep_weekday=True)
        counts[d] = counts.get(d, 0) + 1
    assert set(counts) == {-28, -21, -14, -7, 7, 14, 21, 28}
    assert all(400 <= c <= 600 for c in counts.values())


def test_keep_weekday_needs_a_multiple_of_seven_in_the_range():
    with pytest.raises(ValueError, match="multiple of 7"):
        date_shift_days(HYP_KEY, "p", -6, 6, keep_weekday=True)
    with pytest.raises(ValueError, match="multiple of 7"):
        Transformer(HYP_KEY, date_shift_range=(1, 6), keep_weekday=True)
    assert date_shift_days(HYP_KEY, "p", -6, 6, keep_weekday=True, never_zero=False) == 0


def test_keep_weekday_in_text_keeps_weekday_names_and_times():
    t = Transformer(HYP_KEY, keep_weekday=True)
    out = t.transform("Thursday, July 11, 2019 at 2:30 PM", "DATE", patient_id="MRN7")
    assert out.startswith("Thursday, ") and out.endswith(" at 2:30 PM")
    d = date_shift_days(HYP_KEY, "MRN7", keep_weekday=True)
    assert out == shift_date("Thursday, July 11, 2019 at 2:30 PM", d)
    assert t.transform("THU 7/22/19 14:03 EST", "DATE", "MRN7").startswith("THU ")
    assert t.date_offset("MRN7") == d


def test_keep_weekday_as_an_operator_parameter_and_through_presidio():
    from presidio_anonymizer import AnonymizerEngine
    from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

    engine = AnonymizerEngine()
    Transformer.register(engine)
    text = "seen Monday 3/4/2019"
    params = {"key": HYP_KEY, "patient_id": "p9", "keep_weekday": True}
    result = engine.anonymize(text, [RecognizerResult("DATE", 5, 20, 0.9)],
                              operators={"DATE": OperatorConfig("date_shift", params)})
    d = date_shift_days(HYP_KEY, "p9", keep_weekday=True)
    assert result.text == "seen " + shift_date("Monday 3/4/2019", d)
    assert result.text.startswith("seen Monday ")
    with pytest.raises(ValueError, match="keep_weekday"):
        DateShift().operate("2019-03-04", {"key": HYP_KEY, "keep_weekday": "yes"})


# -- an offsets table -----------------------------------------------------------------------
def test_offsets_table_replaces_derived_offsets_in_every_form():
    table = {"MRN1": 10, "mrn2": -35, 3: 14}
    assert date_shift_days(HYP_KEY, " mrn1 ", offsets=table) == 10
    assert date_shift_days(HYP_KEY, "MRN2", offsets=pd.Series(table)) == -35
    frame = pd.DataFrame({"patient": ["MRN1", "mrn2", "3"], "days": [10, -35, 14]})
    assert date_shift_days(HYP_KEY, 3, offsets=frame) == 14
    assert date_shift_days(HYP_KEY, "3", offsets=OffsetTable(frame, patient_column="patient", days_column="days")) == 14
    offs = date_shift_offsets(HYP_KEY, pd.Series(["MRN1", "3", "mrn1", "MRN2"]), offsets=table)
    assert offs.tolist() == [10, 14, 10, -35]


def test_offsets_table_drives_text_and_datetime_columns():
    table = {"A": 5, "B": -7}
    t = Transformer(HYP_KEY, date_offsets=table)
    text = pd.Series(["2020-01-10 08:30", "01/10/2020", None], dtype="str")
    out = t.transform_many(text, "DATE", patient_ids=["A", "B", "A"])
    assert out.tolist()[:2] == ["2020-01-15 08:30", "01/03/2020"] and pd.isna(out.iloc[2])
    when = pd.Series(pd.to_datetime(["2020-01-10 08:30:15", "2021-06-01 23:59:59"]))
    shifted = t.transform_many(when, "DATE", patient_ids=pd.Series(["B", "A"]))
    assert shifted.dt.strftime("%Y-%m-%d %H:%M:%S").tolist() == ["2020-01-03 08:30:15", "2021-06-06 23:59:59"]
    assert t.transform("March 3rd", "DATE", "a") == "March 8th"


def test_a_patient_missing_from_the_offsets_table_is_an_error_without_the_id():
    table = {"MRN-4471": 10}
    with pytest.raises(ValueError, match="not in the offsets table") as exc:
        date_shift_days(HYP_KEY, "MRN-9902", offsets=table)
    assert "9902" not in str(exc.value)
    with pytest.raises(ValueError, match="1 patient id") as exc:
        date_shift_offsets(HYP_KEY, ["MRN-4471", "MRN-9902", "MRN-9902"], offsets=table)
    assert "9902" not in str(exc.value)
    with pytest.raises(ValueError, match="no patient id"):
        date_shift_offsets(HYP_KEY, ["MRN-4471", None], offsets=table)
    with pytest.raises(ValueError, match="patient id"):
        date_shift_days(HYP_KEY, None, offsets=table)
    t = Transformer(HYP_KEY, date_offsets=table)
    with pytest.raises(ValueError, match="not in the offsets table"):
        t.transform("2020-01-01", "DATE", patient_id="MRN-9902")
    with pytest.raises(ValueError, match="not in the offsets table"):
        t.transform_many(pd.Series(["2020-01-01", "2020-01-02"]), "DATE", patient_ids=["MRN-4471", "x"])


@pytest.mark.parametrize("offsets,problem", [
    ({"MRN-1": 3, " mrn-1": 4}, "more than once"),
    (pd.Series([3, 4], index=["MRN-1", "MRN-1"]), "more than once"),
    ({"MRN-1": 2.5}, "whole number"),
    ({"MRN-1": None}, "whole number"),
    ({"MRN-1": "soon"}, "whole number"),
    ({"MRN-1": True}, "whole number"),
    ({None: 3}, "patient id"),
    ({"  ": 3}, "patient id"),
    (pd.DataFrame({"a": ["MRN-1"], "b": [1], "c": [2]}), "two columns"),
])
def test_bad_offsets_tables_are_refused_naming_the_problem_not_the_value(offsets, problem):
    with pytest.raises(ValueError, match=problem) as exc:
        date_shift_days(HYP_KEY, "MRN-1", offsets=offsets)
    assert "MRN-1" not in str(exc.value) and "mrn-1" not in str(exc.value)


def test_offsets_table_must_obey_never_zero_and_keep_weekday():
    with pytest.raises(ValueError, match="are 0 and never_zero"):
        date_shift_days(HYP_KEY, "a", offsets={"a": 0, "b": 4})
    assert date_shift_days(HYP_KEY, "a", offsets={"a": 0}, never_zero=False) == 0
    with pytest.raises(ValueError, match="1 offset.*not multiples of 7"):
        date_shift_days(HYP_KEY, "a", offsets={"a": 14, "b": 4}, keep_weekday=True)
    assert date_shift_days(HYP_KEY, "a", offsets={"a": 14, "b": -28}, keep_weekday=True) == 14
    with pytest.raises(TypeError):
        date_shift_days(HYP_KEY, "a", offsets=[("a", 3)])


def test_offsets_table_repr_hides_its_content_and_it_pickles():
    table = OffsetTable({"MRN-5555": 12})
    assert "5555" not in repr(table) and "12" not in repr(table)
    t = Transformer(HYP_KEY, date_offsets=table, keep_weekday=False, date_window=("2000-01-01", None))
    clone = pickle.loads(pickle.dumps(t))
    assert clone.transform("2020-01-01", "DATE", "mrn-5555") == "2020-01-13"
    assert clone.date_window == (dt.date(2000, 1, 1), None)


# -- the date window ------------------------------------------------------------------------
def test_a_shifted_date_outside_the_window_is_reported_not_clipped():
    op = {"key": HYP_KEY, "patient_id": "p1", "days": 30, "window": (None, "2020-01-31")}
    with pytest.warns(DateWindowWarning, match=r"outside the date window \[\.\.\., 2020-01-31\]") as record:
        out = DateShift().operate("2020-01-15 10:42", op)
    assert out == "2020-02-14 10:42"  # moved by 30 days, time kept, not clipped to the window
    assert "2020-02-14" not in str(record[0].message) and "2020-01-15" not in str(record[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DateWindowWarning)
        assert DateShift().operate("2019-12-01", op) == "2019-12-31"  # inside: silent
        assert DateShift().operate("1/15", op) == "2/14"  # no year: no window to check against
        with pytest.raises(DateWindowWarning):  # the steward's switch to make it fatal
            DateShift().operate("January 20, 2020", op)


def test_window_today_and_the_column_path_counts_once():
    t = Transformer(HYP_KEY, operators={"DATE": ("date_shift", {"days": 400})}, date_window=("1990-01-01", "today"))
    soon = (dt.date.today() - dt.timedelta(days=10)).isoformat()
    texts = pd.Series([soon, "2001-01-01", soon, None], dtype="str")
    with pytest.warns(DateWindowWarning, match="2 shifted date") as record:
        out = t.transform_many(texts, "DATE", patient_ids=["a", "b", "c", "d"])
    assert len(record) == 1
    assert out.iloc[1] == shift_date("2001-01-01", 400)
    when = pd.Series(pd.to_datetime([soon, "1989-01-01"]))
    with pytest.warns(DateWindowWarning, match="1 shifted date"):
        t.transform_many(when, "DATE", patient_ids=["a", "b"])


def test_bad_windows_are_refused():
    for window in [("2020-01-01", "2019-01-01"), ("2020-13-01", None), ("2020-01-01",), "2020-01-01", (3, None)]:
        with pytest.raises(ValueError, match="window"):
            Transformer(HYP_KEY, date_window=window)


@SETTINGS
@given(st.dates(dt.date(1950, 1, 1), dt.date(2040, 1, 1)), st.times(), st.text(max_size=6), st.booleans())
def test_times_of_day_are_kept_under_every_option(date, time, patient, keep_weekday):
    when = dt.datetime.combine(date, time).replace(microsecond=0)
    t = Transformer(HYP_KEY, keep_weekday=keep_weekday, never_zero=not keep_weekday)
    out = t.transform(when.strftime("%Y-%m-%d %H:%M:%S"), "DATE", patient_id=patient)
    moved = dt.datetime.strptime(out, "%Y-%m-%d %H:%M:%S")
    assert moved.time() == when.time()
    assert (moved.date() - when.date()).days == t.date_offset(patient)
    series = t.transform_many(pd.Series([pd.Timestamp(when)]), "DATE", patient_ids=[patient])
    assert series.iloc[0].to_pydatetime() == moved
    assert np.issubdtype(series.dtype, np.datetime64)

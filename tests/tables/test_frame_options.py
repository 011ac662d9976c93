"""scrub_frame with the date-shift options of its policy (never_zero, keep_weekday,
date_window) and a steward's offsets=: rows and notes move alike."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from deid.tabular import Policy, scrub_frame
from deid.text import Scrubber
from deid.transform import Key, date_shift_days, shift_date
from deid.transform._date_shift import DateWindowWarning

from .conftest import KEY

FRAME = pd.DataFrame({
    "mrn": ["MRN-4471", "MRN-4471", "MRN-5502"],
    "admit": pd.to_datetime(["2020-01-06 08:15", "2020-03-02 23:59", "2021-07-05 00:00"]),
    "discharge": ["01/09/2020", "03/05/2020", "07/09/2021"],
    "note": ["Seen on 01/07/2020.", "Back on 03/03/2020.", "Admitted 07/05/2021."],
})
COLUMNS = {"mrn": "pseudonym", "admit": "date_shift", "discharge": "date_shift", "note": "free_text"}


def test_keep_weekday_moves_rows_and_notes_by_whole_weeks():
    out = scrub_frame(FRAME, Policy(COLUMNS, keep_weekday=True), key=KEY, patient_column="mrn")
    key = Key(KEY)
    for i, mrn in enumerate(FRAME["mrn"]):
        d = date_shift_days(key, mrn, keep_weekday=True)
        assert d % 7 == 0 and d != 0
        assert (out["admit"].iat[i] - FRAME["admit"].iat[i]).days == d
        assert out["admit"].iat[i].time() == FRAME["admit"].iat[i].time()
        assert out["discharge"].iat[i] == shift_date(FRAME["discharge"].iat[i], d)
    d = date_shift_days(key, "MRN-4471", keep_weekday=True)
    assert out["note"].iat[0] == f"Seen on {shift_date('01/07/2020', d)}."
    assert pd.Timestamp(out["note"].iat[1][8:-1]).day_name() == "Tuesday"


def test_never_zero_off_and_the_default_give_the_documented_offsets():
    key = Key(KEY)
    for never_zero in (True, False):
        out = scrub_frame(FRAME, Policy(COLUMNS, never_zero=never_zero, date_shift_range=(-3, 3)), key=KEY,
                          patient_column="mrn")
        for i, mrn in enumerate(FRAME["mrn"]):
            d = date_shift_days(key, mrn, -3, 3, never_zero=never_zero)
            assert (out["admit"].iat[i] - FRAME["admit"].iat[i]).days == d


def test_a_stewards_offsets_drive_rows_and_notes():
    offsets = {"MRN-4471": -14, "mrn-5502": 28}
    out = scrub_frame(FRAME, Policy(COLUMNS), key=KEY, patient_column="mrn", offsets=offsets)
    assert ((out["admit"] - FRAME["admit"]).dt.days.tolist()) == [-14, -14, 28]
    assert out["discharge"].tolist() == ["12/26/2019", "02/20/2020", "08/06/2021"]
    assert out["note"].iat[2] == "Admitted 08/02/2021."
    with pytest.raises(ValueError, match="1 patient id") as exc:
        scrub_frame(FRAME, Policy(COLUMNS), key=KEY, patient_column="mrn", offsets={"MRN-4471": 7})
    assert "5502" not in str(exc.value)
    with pytest.raises(ValueError, match="needs a patient column"), pytest.warns(UserWarning):
        scrub_frame(FRAME, Policy(COLUMNS), key=KEY, offsets=offsets)


def test_a_scrubber_with_other_date_settings_is_refused():
    plain = Scrubber(key=KEY)
    with pytest.raises(ValueError, match="date_shift settings .* differ"):
        scrub_frame(FRAME, Policy(COLUMNS, keep_weekday=True), key=KEY, patient_column="mrn", scrubber=plain)
    same = Scrubber(key=KEY, operators={"DATE": ("date_shift", {"keep_weekday": True})})
    out = scrub_frame(FRAME, Policy(COLUMNS, keep_weekday=True), key=KEY, patient_column="mrn", scrubber=same)
    assert pd.Timestamp(out["note"].iat[1][8:-1]).day_name() == "Tuesday"


def test_the_window_is_reported_per_column_and_never_clips():
    policy = Policy(COLUMNS, date_window=("2019-01-01", "2020-12-31"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = scrub_frame(FRAME, policy, key=KEY, patient_column="mrn", offsets={"MRN-4471": 7, "MRN-5502": 7})
    messages = [str(w.message) for w in caught if issubclass(w.category, DateWindowWarning)]
    assert any(m.startswith("column 'admit': 1 shifted date(s) fall outside the date window "
                            "[2019-01-01, 2020-12-31]") for m in messages)
    assert any(m.startswith("column 'discharge': 1 shifted date(s)") for m in messages)
    assert any(m.startswith("a shifted date falls outside") for m in messages)  # the note, from the text engine
    assert out["admit"].iat[2] == pd.Timestamp("2021-07-12 00:00")  # not clipped
    assert not any("2021" in m.split("window")[0] for m in messages)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DateWindowWarning)
        with pytest.raises(DateWindowWarning):
            scrub_frame(FRAME, policy, key=KEY, patient_column="mrn")

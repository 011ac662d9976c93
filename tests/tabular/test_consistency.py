"""One key, one set of operators: a patient's surrogate name, pseudonym and shifted dates
are the same in their notes (scrubbed by deid.Scrubber) and in their rows (scrub_frame)."""

from __future__ import annotations

import pandas as pd
import pytest

from deid.tabular import Policy, scrub_frame
from deid.text import Scrubber

from .conftest import KEY, TODAY


@pytest.fixture(scope="module")
def patients(corpus):
    return list(corpus.records.values())[:20]


def _table(patients) -> pd.DataFrame:
    return pd.DataFrame({
        "patient_id": [r.patient_id for r in patients],
        "mrn": [r.mrn for r in patients],
        "name": [f"{r.first_name} {r.last_name}" for r in patients],
        "admitted": pd.to_datetime([r.admission_date for r in patients]),
        "admitted_text": [f"{r.admission_date:%m/%d/%Y}" for r in patients],
        "sex": [r.sex for r in patients],
    })


def _note(r) -> str:
    return (f"Patient {r.first_name} {r.last_name} (MRN: {r.mrn}) was admitted on "
            f"{r.admission_date:%m/%d/%Y} with chest pain.")


@pytest.mark.parametrize("text_in_frame", [False, True])
def test_note_and_row_of_a_patient_match(patients, text_in_frame):
    policy = Policy.safe_harbor(dates="shift").with_columns(
        patient_id="mrn", mrn="mrn", name="name", admitted="date", admitted_text="date", sex="attribute")
    df = _table(patients)
    if text_in_frame:
        # the notes scrubbed as a free-text column of the same frame
        df["note"] = [_note(r) for r in patients]
        policy = policy.with_columns(note="text")
    rows = scrub_frame(df, policy, key=KEY, patient_column="patient_id", today=TODAY)
    # the notes scrubbed on their own, by a Scrubber with the same key and operators
    scrubber = Scrubber(key=KEY, operators=policy.text_operators, date_shift_range=policy.date_shift_range)
    names_found = 0
    for i, r in enumerate(patients):
        # in the frame, the row's identifier columns are known identifiers of its note
        known = {"MRN": [r.patient_id, r.mrn], "NAME": [f"{r.first_name} {r.last_name}"]}
        note = scrubber.scrub(_note(r), patient_id=r.patient_id, known=known if text_in_frame else None).text
        if text_in_frame:
            assert rows["note"][i] == note
        # the pseudonym of the MRN and the shifted admission date, in both written forms
        assert f"(MRN: {rows['mrn'][i]})" in note
        assert f"admitted on {rows['admitted'][i]:%m/%d/%Y} " in note
        assert f"admitted on {rows['admitted_text'][i]} " in note
        assert rows["admitted"][i] != pd.Timestamp(r.admission_date)
        # the surrogate name: wherever the text engine found the whole name
        if r.last_name not in note and r.first_name not in note:
            names_found += 1
            assert f"Patient {rows['name'][i]} (MRN" in note
    assert names_found >= 0.75 * len(patients)


def test_other_key_other_outputs(patients):
    policy = Policy({"mrn": "pseudonym", "name": "surrogate:name", "admitted": "date_shift"}, default="keep")
    a = scrub_frame(_table(patients), policy, key=KEY, patient_column="patient_id")
    b = scrub_frame(_table(patients), policy, key="a different key, also long enough", patient_column="patient_id")
    assert (a["mrn"] != b["mrn"]).all()
    assert (a["admitted"] != b["admitted"]).mean() > 0.9

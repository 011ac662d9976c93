"""classify_columns: roles from names, dtypes and sampled values; a report that never quotes
a value; a policy scrub_frame accepts as it is."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deid.tabular import Policy, classify_columns, scrub_frame
from deid.tabular._classify import normalize_column_name, role_from_name

from .conftest import KEY, TODAY


@pytest.mark.parametrize("name, role", [
    ("PatientDOB", "birth_date"), ("date_of_birth", "birth_date"), ("Zip Code", "zip"), ("patient_zip", "zip"),
    ("email_address", "email"), ("ip_address", "ip_address"), ("street_address", "address"),
    ("patient_id", "mrn"), ("MRN", "mrn"), ("encounter_id", "id"), ("note_id", "id"), ("visit_number", "id"),
    ("note_date", "date"), ("admit_dt", "date"), ("created_at", "date"), ("age_at_admission", "age"),
    ("AGE", "age"), ("patient_name", "name"), ("FirstName", "name"), ("mother_maiden_name", "name"),
    ("home_phone", "phone"), ("fax_number", "fax"), ("SSN", "ssn"), ("member_id", "health_plan_id"),
    ("provider_npi", "license"), ("hospital_name", "location"), ("city", "location"), ("comments", "text"),
    ("clinical_notes", "text"), ("sex", "attribute"), ("state", "attribute"),
    ("drug_name", None), ("stage", None), ("first_dose", None), ("lab_value", None), ("dx_code", None),
])
def test_roles_from_column_names(name, role):
    assert role_from_name(name)[0] == role


def test_normalize_column_name():
    assert normalize_column_name("PatientDOB") == "patient_dob"
    assert normalize_column_name("HTTPServerIP") == "http_server_ip"
    assert normalize_column_name(" Zip-Code (5) ") == "zip_code_5"


@pytest.fixture(scope="module")
def anonymous_columns(encounters, corpus):
    """The encounter table plus columns whose names say nothing: only values can tell."""
    notes = {n.patient_id: n.text for n in corpus.notes}
    rng = np.random.default_rng(3)
    df = encounters.copy()
    df["c1"] = df["patient_name"]
    df["c2"] = [f"({p[:3]}) {p[3:6]}-{p[6:]}" for p in df["phone"]]
    df["c3"] = df["discharge_date"]
    df["c4"] = df["email"]
    df["c5"] = [notes.get(p, "Seen today, no complaints, follow up in two weeks as planned.")
                      for p in df["patient_id"]]
    df["c6"] = rng.choice(["E11.9", "I10", "J45.909", "Z00.00"], len(df))
    df["c7"] = [f"A{rng.integers(10**9, 10**10)}X" for _ in range(len(df))]
    df["flag"] = df["age"] > 60
    return df


def test_classify_a_realistic_table(anonymous_columns):
    df = anonymous_columns
    policy = classify_columns(df, sample_rows=200)
    roles = dict(zip(policy.report["column"], policy.report["role"]))
    expected = {
        "encounter_id": "id", "patient_id": "mrn", "mrn": "mrn", "patient_name": "name", "dob": "birth_date",
        "admit_time": "date", "discharge_date": "date", "zip": "zip", "street": "address", "city": "location",
        "state": "attribute", "phone": "phone", "email": "email", "ssn": "ssn", "sex": "attribute",
        "age": "age", "hba1c": "attribute",
        "c1": "name", "c2": "phone", "c3": "date", "c4": "email", "c5": "text",
        "c6": "attribute", "c7": "id", "flag": "attribute",
    }
    assert roles == expected
    report = policy.report
    assert list(report.columns) == ["column", "dtype", "role", "action", "evidence", "reason", "sampled", "findings"]
    assert report.set_index("column").loc["c1", "evidence"] == "values"
    assert report.set_index("column").loc["dob", "evidence"] == "name+dtype"
    assert (report["reason"].str.len() > 10).all()
    # a Safe Harbor policy, usable directly
    assert policy.action_for("zip") == Policy.safe_harbor().roles["zip"]
    out = scrub_frame(df, policy, key=KEY, patient_column="patient_id", today=TODAY)
    assert not set(df["ssn"]) & set(out["ssn"]) and set(out["zip"]) <= {z[:3] for z in df["zip"]} | {"000"}


def test_report_never_quotes_a_value(anonymous_columns):
    df = anonymous_columns
    report = classify_columns(df, sample_rows=100).report
    text = " ".join(report.astype(str).to_numpy().ravel())
    for column in ("patient_name", "mrn", "phone", "ssn", "email", "street", "c7", "zip"):
        for value in df[column].dropna().unique():
            if len(str(value)) >= 5:
                assert str(value) not in text, column


def test_preset_and_determinism(encounters):
    shift = Policy.safe_harbor(dates="shift")
    a = classify_columns(encounters, sample_rows=50, preset=shift, random_state=1)
    b = classify_columns(encounters, sample_rows=50, preset=shift, random_state=1)
    pd.testing.assert_frame_equal(a.report, b.report)
    assert a.action_for("admit_time") == shift.roles["date"]
    assert a.text_operators == shift.text_operators


def test_edge_cases():
    df = pd.DataFrame({"empty": [None, None], "years_of_birth": [1950, 1961], "count": [3, 4]})
    policy = classify_columns(df)
    roles = dict(zip(policy.report["column"], policy.report["role"]))
    assert roles == {"empty": "attribute", "years_of_birth": "birth_date", "count": "attribute"}
    assert "every value is missing" in policy.report["reason"][0]
    with pytest.raises(TypeError):
        classify_columns([1, 2])
    with pytest.raises(ValueError, match="sample_rows"):
        classify_columns(df, sample_rows=0)
    with pytest.raises(ValueError, match="no action for role"):
        classify_columns(df, preset=Policy(roles={"zip": "keep"}))

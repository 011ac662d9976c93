"""Linked tables for the scrub_tables tests: patients, encounters, labs, medications and
notes of the synthetic corpus's patients (all PHI in them is fake)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

from deid.synth import generate_corpus
from deid.tabular import Policy

KEY = "deid scrub_tables tests: a fixed key, long enough"
CROSSWALK_KEY = "deid crosswalk tests: a separate secret, 32+ bytes"
TODAY = dt.date(2026, 1, 15)

SETTINGS = settings(
    deadline=None,
    max_examples=40,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

RELATIONS = {
    "patient": ["patients.patient_id", "encounters.patient_id", "medications.patient_id", "notes.patient_id"],
    "encounter": ["encounters.encounter_id", "labs.encounter_id", "medications.encounter_id", "notes.encounter_id"],
}


@pytest.fixture(scope="session")
def corpus():
    return generate_corpus(30, seed=11)


def linked_tables(corpus, n_encounters: int = 90, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Five linked tables. Patient ids are the records' MRNs written as "MRN-<digits>",
    encounter ids "ENC-<6 digits>"; labs reach their patient only through the encounter."""
    rng = np.random.default_rng(seed)
    records = list(corpus.records.values())
    patients = pd.DataFrame({
        "patient_id": [f"MRN-{r.mrn}" for r in records],
        "name": [f"{r.first_name} {r.last_name}" for r in records],
        "dob": pd.to_datetime([r.date_of_birth for r in records]),
        "sex": [r.sex for r in records],
        "zip": [r.address.zip for r in records],
    })
    owner = rng.integers(0, len(records), n_encounters)
    admit = (pd.to_datetime([records[i].admission_date for i in owner])
             + pd.to_timedelta(rng.integers(0, 300, n_encounters), "D")
             + pd.to_timedelta(rng.integers(0, 86400, n_encounters), "s"))
    encounters = pd.DataFrame({
        "encounter_id": [f"ENC-{700000 + 13 * i}" for i in range(n_encounters)],
        "patient_id": patients["patient_id"].to_numpy()[owner],
        "admit_time": admit,
        "discharge_date": [(a + pd.Timedelta(days=int(d))).strftime("%m/%d/%Y")
                           for a, d in zip(admit, rng.integers(1, 15, n_encounters))],
        "dept": rng.choice(["ICU", "MED", "SURG"], n_encounters),
    })
    n_labs = 4 * n_encounters
    lab_enc = rng.integers(0, n_encounters, n_labs)
    labs = pd.DataFrame({
        "encounter_id": encounters["encounter_id"].to_numpy()[lab_enc],
        "charttime": admit[lab_enc] + pd.to_timedelta(rng.integers(0, 5 * 86400, n_labs), "s"),
        "test": rng.choice(["HGB", "NA", "K", "CREAT"], n_labs),
        "value": rng.normal(5, 1, n_labs).round(2),
    })
    n_meds = 2 * n_encounters
    med_enc = rng.integers(0, n_encounters, n_meds)
    medications = pd.DataFrame({
        "encounter_id": encounters["encounter_id"].to_numpy()[med_enc],
        "patient_id": encounters["patient_id"].to_numpy()[med_enc],
        "start_date": [d.strftime("%Y-%m-%d") for d in admit[med_enc]],
        "drug": rng.choice(["heparin", "insulin", "metoprolol"], n_meds),
    })
    notes = []
    for i, note in enumerate(corpus.notes):
        record = corpus.records[note.patient_id]
        mine = np.flatnonzero(owner == records.index(record))
        encounter = encounters["encounter_id"].iat[int(mine[0])] if len(mine) and i % 3 else None
        notes.append({
            "note_id": f"N{i:05d}",
            "patient_id": f"MRN-{record.mrn}",
            "encounter_id": encounter,
            "note_date": f"{record.admission_date:%Y-%m-%d}",
            "text": note.text + f"\nFollow-up on 2021-05-06. MRN-{record.mrn}.",
        })
    notes = pd.DataFrame(notes)
    return {"patients": patients, "encounters": encounters, "labs": labs, "medications": medications,
            "notes": notes}


def linked_policies() -> dict[str, Policy]:
    sh = Policy.safe_harbor(dates="shift", reference=TODAY.isoformat())
    return {
        "patients": sh.with_columns(name="name", dob="birth_date", sex="attribute", zip="zip"),
        "encounters": sh.with_columns(admit_time="date", discharge_date="date", dept="attribute"),
        "labs": sh.with_columns(charttime="date", test="attribute", value="attribute"),
        "medications": sh.with_columns(start_date="date", drug="attribute"),
        "notes": sh.with_columns(note_id="id", note_date="date", text="text"),
    }


@pytest.fixture(scope="session")
def tables(corpus):
    return linked_tables(corpus)


@pytest.fixture(scope="session")
def scrubbed(tables):
    from deid.tabular import scrub_tables

    return scrub_tables(tables, linked_policies(), key=KEY, relations=RELATIONS, today=TODAY)

"""Shared fixtures for the deid.tabular tests: realistic encounter tables built from the
synthetic corpus's patient records (all PHI in them is fake)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

from deid.synth import generate_corpus
from deid.transform import Key

KEY = "deid.tabular tests: a fixed key, long enough"
OTHER_KEY = "deid.tabular tests: another key, also long"
TODAY = dt.date(2026, 1, 15)  # a fixed reference date for age top-coding

SETTINGS = settings(
    deadline=None,
    max_examples=60,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="session")
def key() -> Key:
    return Key(KEY)


@pytest.fixture(scope="session")
def corpus():
    return generate_corpus(120, seed=7)


def encounter_table(records, n_rows: int, seed: int = 0) -> pd.DataFrame:
    """``n_rows`` encounters of the given patients: demographics repeat per patient, dates
    and record ids vary per encounter."""
    rng = np.random.default_rng(seed)
    recs = list(records)
    pick = rng.integers(0, len(recs), n_rows)
    rows = [recs[i] for i in pick]
    admit = pd.to_datetime([r.admission_date for r in rows]) + pd.to_timedelta(rng.integers(0, 400, n_rows), "D")
    return pd.DataFrame({
        "encounter_id": [f"E{100000 + i}" for i in range(n_rows)],
        "patient_id": [r.patient_id for r in rows],
        "mrn": [r.mrn for r in rows],
        "patient_name": [f"{r.first_name} {r.last_name}" for r in rows],
        "dob": pd.to_datetime([r.date_of_birth for r in rows]),
        "admit_time": admit + pd.to_timedelta(rng.integers(0, 86400, n_rows), "s"),
        "discharge_date": [(a + pd.Timedelta(days=int(d))).strftime("%m/%d/%Y")
                           for a, d in zip(admit, rng.integers(1, 20, n_rows))],
        "zip": [r.address.zip for r in rows],
        "street": [r.address.street for r in rows],
        "city": [r.address.city for r in rows],
        "state": [r.address.state for r in rows],
        "phone": [r.phone for r in rows],
        "email": [r.email or None for r in rows],
        "ssn": [r.ssn for r in rows],
        "sex": [r.sex for r in rows],
        "age": rng.integers(18, 104, n_rows),
        "hba1c": rng.normal(6.5, 1.2, n_rows).round(1),
    })


@pytest.fixture(scope="session")
def encounters(corpus) -> pd.DataFrame:
    return encounter_table(corpus.records.values(), 400)


@pytest.fixture(scope="session")
def scrubber():
    from deid.text import Scrubber

    s = Scrubber(key=KEY)
    s.detect("warm up: Dr. Kowalski")
    return s

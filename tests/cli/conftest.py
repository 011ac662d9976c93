"""Fixtures for the `deid` command tests: the command runs in-process (the text engine loads
once per test session), in a temporary folder, with a fixed key or none.

All data here is fake (made-up names, numbers and places)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from deid.cli import main

KEY = "deid cli tests: a fixed key that is long enough"
OTHER_KEY = "deid cli tests: another key, also long enough"
REPO = Path(__file__).resolve().parents[2]

SETTINGS = settings(deadline=None, max_examples=25, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# A note with PHI, and the values a test may check never appear in output.
PHI_NOTE = (
    "Discharge summary\n"
    "Patient: Andrea Velez   MRN: 00482913\n"
    "Seen on 7/22/2019 by Dr. Omobuwa; call 617-555-0142.\n"
    "Plan: continue lisinopril 10 mg daily.\n"
)
PHI_VALUES = ["Andrea Velez", "00482913", "7/22/2019", "Omobuwa", "617-555-0142"]
CLEAN_NOTE = "Plan: continue lisinopril 10 mg daily. BP 120/80, HR 88. Pain 3/10.\n"


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def deid(capsys, monkeypatch, tmp_path):
    """Run `deid ARGS...` in tmp_path (no key in the environment unless a test sets one)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DEID_KEY", raising=False)
    monkeypatch.delenv("DEID_KEY_FILE", raising=False)

    def run(*args) -> Run:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def keyed(monkeypatch):
    monkeypatch.setenv("DEID_KEY", KEY)
    return KEY


def assert_no_values(text: str, values=PHI_VALUES) -> None:
    for value in values:
        assert value not in text, f"a PHI value was printed: {value!r}"

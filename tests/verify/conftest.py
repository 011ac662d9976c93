"""Shared fixtures for the deid.verify tests (all PHI in them is synthetic)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

KEY = "deid.verify tests: a fixed key, long enough"

SETTINGS = settings(
    deadline=None,
    max_examples=50,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="session")
def corpus():
    from deid.synth import generate_corpus

    return generate_corpus(60, seed=11)


@pytest.fixture(scope="session")
def scrubber():
    from deid.text import Scrubber

    s = Scrubber(key=KEY)
    s.detect("warm up: Dr. Kowalski, 617-555-0142")
    return s

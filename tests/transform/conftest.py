"""Shared fixtures for the deid.transform tests."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from deid.transform import Key

# Operators take microseconds, but a shared, loaded machine must not make a property test
# flaky: no deadline. Applied per test, so other packages' hypothesis settings are untouched.
SETTINGS = settings(deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow])

SECRET = "test secret for deid.transform, 32+ bytes"
OTHER_SECRET = "another secret for deid.transform tests!!"


@pytest.fixture
def key() -> Key:
    return Key(SECRET)


@pytest.fixture
def same_key() -> Key:
    """A second Key object with the same secret: outputs must not depend on the object."""
    return Key(SECRET)


@pytest.fixture
def other_key() -> Key:
    return Key(OTHER_SECRET)


def anonymize_with_presidio(text: str, spans, operators: dict) -> str:
    """Run Presidio's AnonymizerEngine with deid's operators registered."""
    from presidio_anonymizer import AnonymizerEngine
    from presidio_anonymizer.entities import RecognizerResult

    from deid.transform import Transformer

    engine = AnonymizerEngine()
    Transformer.register(engine)
    results = [RecognizerResult(entity, start, end, 0.9) for entity, start, end in spans]
    return engine.anonymize(text, results, operators=operators).text

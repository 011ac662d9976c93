"""redact: a value becomes the empty string (Presidio's meaning)."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st
from presidio_anonymizer.entities import OperatorConfig

from deid.transform import Redact

from .conftest import SETTINGS, anonymize_with_presidio


@SETTINGS
@given(st.text(max_size=40))
def test_every_value_becomes_empty(value):
    assert Redact().operate(value, {"entity_type": "PHONE"}) == ""


def test_redact_takes_no_parameters():
    with pytest.raises(ValueError, match="unknown parameter"):
        Redact().validate({"entity_type": "PHONE", "masking_char": "*"})


def test_presidio_engine_uses_redact():
    text = "call 617-555-0142 now"
    out = anonymize_with_presidio(text, [("PHONE", 5, 17)], {"PHONE": OperatorConfig("redact")})
    assert out == "call  now"

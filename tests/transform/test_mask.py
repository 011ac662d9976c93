"""mask: letters and digits hidden, separators kept by default."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st
from presidio_anonymizer.entities import OperatorConfig

from deid.transform import Mask, mask

from .conftest import SETTINGS, anonymize_with_presidio


def test_separators_kept_by_default():
    assert mask("(617) 555-0142") == "(***) ***-****"
    assert mask("John Smith", "#") == "#### #####"


def test_mask_everything_and_partial_masks():
    assert mask("617-555-0142", keep_separators=False) == "*" * 12
    assert mask("617-555-0142", chars_to_mask=3) == "***-555-0142"
    assert mask("617-555-0142", chars_to_mask=4, from_end=True) == "617-555-****"
    assert mask("12", chars_to_mask=10) == "**"
    assert mask("12", chars_to_mask=0) == "12"


@SETTINGS
@given(st.text(max_size=40), st.sampled_from("*#X"))
def test_shape_kept_and_no_letter_or_digit_left(value, char):
    out = mask(value, char)
    assert len(out) == len(value)
    for a, b in zip(value, out):
        assert b == (char if a.isalnum() else a)


def test_presidio_mask_configuration_keeps_working():
    # a configuration written for Presidio's own mask
    params = {"entity_type": "PHONE", "masking_char": "*", "chars_to_mask": 12, "from_end": False}
    assert Mask().operate("617-555-0142", params) == "***-***-****"
    params["keep_separators"] = False
    assert Mask().operate("617-555-0142", params) == "************"


def test_bad_parameters_name_the_parameter_not_the_value():
    with pytest.raises(ValueError, match="masking_char") as info:
        Mask().operate("617-555-0142", {"entity_type": "PHONE", "masking_char": "**"})
    assert "617" not in str(info.value)
    with pytest.raises(ValueError, match="chars_to_mask"):
        Mask().validate({"entity_type": "PHONE", "chars_to_mask": -1})
    with pytest.raises(TypeError) as info:
        Mask().operate(6175550142, {"entity_type": "PHONE"})
    assert "6175550142" not in str(info.value)


def test_presidio_engine_uses_mask():
    text = "SSN 123-45-6789."
    out = anonymize_with_presidio(text, [("SSN", 4, 15)], {"SSN": OperatorConfig("mask", {"masking_char": "X"})})
    assert out == "SSN XXX-XX-XXXX."

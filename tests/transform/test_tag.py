"""tag: a value becomes its entity type in brackets."""

from __future__ import annotations

import pytest
from presidio_anonymizer.entities import OperatorConfig

from deid.transform import OperatorParamError, Tag, tag

from .conftest import anonymize_with_presidio


def test_default_and_custom_formats():
    assert tag("NAME") == "[NAME]"
    assert tag("PHONE", "<{entity_type}>") == "<PHONE>"
    # only the placeholder is substituted: other braces are text, not str.format fields
    assert tag("MRN", "{0} {entity_type} {x}") == "{0} MRN {x}"


def test_operator_maps_presidio_names_to_deid_names():
    assert Tag().operate("John Smith", {"entity_type": "PERSON"}) == "[NAME]"
    assert Tag().operate("John Smith", {"entity_type": "NAME", "format": "**{entity_type}**"}) == "**NAME**"


def test_operator_is_constructible_without_arguments_and_named():
    op = Tag()
    assert op.operator_name() == "tag"
    assert op.operator_type().name == "Anonymize"


def test_bad_parameters_are_named():
    with pytest.raises(OperatorParamError, match="format"):
        Tag().validate({"entity_type": "NAME", "format": 3})
    with pytest.raises(ValueError, match="frmat"):
        Tag().validate({"entity_type": "NAME", "frmat": "x"})


def test_presidio_engine_uses_tag():
    text = "Seen by Dr. Jane Doe today."
    out = anonymize_with_presidio(text, [("NAME", 12, 20)], {"NAME": OperatorConfig("tag")})
    assert out == "Seen by Dr. [NAME] today."

"""age_cap: ages over 89 become "90+", younger ages stay."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st
from presidio_anonymizer.entities import OperatorConfig

from deid.transform import AgeCap, cap_age, parse_age_years

from .conftest import SETTINGS, anonymize_with_presidio

_WORDS = {90: "ninety", 91: "ninety-one", 94: "ninety-four", 99: "ninety nine", 102: "one hundred and two",
          45: "forty-five", 89: "eighty-nine"}


@pytest.mark.parametrize("value", [
    "94", "94yo", "94 y/o", "94-year-old", "94 years old", "ninety-four", "Ninety Four",
    "one hundred and two", "90", "101 yrs", "in her 90s", "nineties", "nonagenarian", "1200 months",
])
def test_over_89_becomes_label(value):
    assert cap_age(value) == "90+"
    assert AgeCap().operate(value, {"entity_type": "AGE", "label": ">89"}) == ">89"


@pytest.mark.parametrize("value", ["89", "89.9", "45 y/o", "forty-five", "18 months", "95 m/o", "3 wks", "late 80s"])
def test_up_to_89_unchanged(value):
    assert cap_age(value) == value


@SETTINGS
@given(st.integers(min_value=0, max_value=130), st.sampled_from(["", "yo", " y/o", "-year-old", " years old", " yrs"]))
def test_numeric_ages_with_units(age, unit):
    value = f"{age}{unit}"
    assert cap_age(value) == ("90+" if age > 89 else value)


@pytest.mark.parametrize("age,words", sorted(_WORDS.items()))
def test_number_words(age, words):
    assert parse_age_years(words) == age


def test_unreadable_age_is_not_left_as_is():
    assert cap_age("elderly") == "[AGE]"
    assert cap_age("elderly", unparsed=None) == "elderly"
    assert AgeCap().operate("elderly", {"entity_type": "AGE"}) == "[AGE]"
    assert AgeCap().operate("elderly", {"entity_type": "AGE", "unparsed": None}) == "elderly"


def test_presidio_engine_uses_age_cap():
    text = "a 94 yo woman and her 60 yo son"
    out = anonymize_with_presidio(text, [("AGE", 2, 7), ("AGE", 22, 27)], {"AGE": OperatorConfig("age_cap")})
    assert out == "a 90+ woman and her 60 yo son"

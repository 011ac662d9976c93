"""AgeRecognizer: ages over 89 only; ages of 89 and under and numbers that are not ages are
not reported."""

from __future__ import annotations

import pytest

from deid.text.recognizers.ages import AgeRecognizer

from .conftest import NEGATIVE_NOTES, assert_finds, case_styles, check_presidio_compat, run_doctests, values


@pytest.fixture(scope="module")
def rec() -> AgeRecognizer:
    return AgeRecognizer()


POSITIVE = [
    ("94 yo F admitted with CHF exacerbation.", ["94"]),
    ("Pt is a 92 y/o male with hx of AFib.", ["92"]),
    ("Age 97, lives alone.", ["97"]),
    ("A ninety-two year old woman.", ["ninety-two"]),
    ("A 101-year-old man, DNR/DNI.", ["101"]),
    ("91F with urosepsis.", ["91"]),
    ("Aged 99 and fully independent.", ["99"]),
    ("He is 90 years of age.", ["90"]),
]


@pytest.mark.parametrize("style", ["mixed", "upper", "lower"])
@pytest.mark.parametrize(("note", "ages"), POSITIVE, ids=[p[0][:30] for p in POSITIVE])
def test_finds_ages_over_89_in_every_case_style(rec, note, ages, style):
    restyle = {"mixed": str, "upper": str.upper, "lower": str.lower}[style]
    assert_finds(rec, restyle(note), [restyle(a) for a in ages], "AGE")


def test_exact_values(rec):
    text = "94 yo F, her husband is 88 y/o; age 97; ninety-two year old."
    assert values(rec, text) == ["94", "97", "ninety-two"]


@pytest.mark.parametrize(
    "note",
    [
        "45 yo male with CP.",
        "Pt is an 89 y/o female.",  # 89 is not over 89
        "Age 67.",
        "2 yo grandson visiting.",
        "90 units insulin glargine.",
        "SpO2 92% on RA, sats 94 on 2L.",
        "HR 95 bpm, RR 22.",
        "Weight 95 kg, 99 mg ASA.",
        "Temp 98.6, afebrile.",
    ],
)
def test_numbers_that_are_not_ages_over_89(rec, note):
    for _, styled in case_styles(note):
        assert values(rec, styled) == [], styled


@pytest.mark.parametrize("note", NEGATIVE_NOTES)
def test_nothing_in_clinical_text_without_phi(rec, note):
    assert values(rec, note) == []


def test_fahrenheit_temperature_is_not_an_age(rec):
    assert values(rec, "Tmax 101 F overnight, afebrile now.") == []


def test_presidio_compatibility(rec):
    text = "94 yo F; husband 88 y/o."
    check_presidio_compat(rec, text, [("94", "AGE")])


def test_docstring_examples():
    result = run_doctests("deid.text.recognizers.ages")
    assert result.attempted > 0 and result.failed == 0

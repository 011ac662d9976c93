"""SsnRecognizer: Social Security numbers whether or not they look valid (Presidio's own
recognizer drops 123-45-6789), bare nine digits after a label, and kept last fours."""

from __future__ import annotations

import pytest

from deid.text.recognizers.ssn import SsnRecognizer

from .conftest import NEGATIVE_NOTES, assert_finds, case_styles, check_presidio_compat, run_doctests, values


@pytest.fixture(scope="module")
def rec() -> SsnRecognizer:
    return SsnRecognizer()


POSITIVE = [
    ("SSN 123-45-6789 on file.", ["123-45-6789"]),  # "invalid" by Presidio's rules
    ("ss# 078051120 per registration.", ["078051120"]),  # bare digits after a label
    ("Social security number 219-09-9999.", ["219-09-9999"]),
    ("SSN: 000-12-3456 (typo?)", ["000-12-3456"]),
    ("SSN 666-12-3456 per wife.", ["666-12-3456"]),
    ("Pt gave SSN ending in 2315.", ["2315"]),
    ("SSN xxx-xx-0255 verified.", ["0255"]),
    ("SSN 123 45 6789 per pt.", ["123 45 6789"]),  # spaces need the label
    ("Pt's number is 987-65-4329.", ["987-65-4329"]),  # dashes need none
]


@pytest.mark.parametrize("style", ["mixed", "upper", "lower"])
@pytest.mark.parametrize(("note", "ssns"), POSITIVE, ids=[p[0][:30] for p in POSITIVE])
def test_finds_ssns_in_every_case_style(rec, note, ssns, style):
    restyle = {"mixed": str, "upper": str.upper, "lower": str.lower}[style]
    assert_finds(rec, restyle(note), [restyle(s) for s in ssns], "SSN")


def test_whole_engine_types_a_labelled_ssn_as_ssn(detect_values):
    # the phone and long-number recognizers also match; the SSN reading must win
    assert detect_values("SSN 123-45-6789, social security number 219-09-9999.") == [
        ("123-45-6789", "SSN"),
        ("219-09-9999", "SSN"),
    ]


@pytest.mark.parametrize(
    "note",
    [
        "123 45 6789 units.",  # spaced digits without a label
        "Pt 123456789 on the lot.",  # nine bare digits without a label
        "Call 617-555-0142.",
        "Drawn 2019-07-22.",
        "Room 123-45, bed 2.",
        "Lot 12-34-5678A expired.",
    ],
)
def test_numbers_that_are_not_ssns(rec, note):
    for _, styled in case_styles(note):
        assert values(rec, styled) == [], styled


@pytest.mark.parametrize("note", NEGATIVE_NOTES)
def test_nothing_in_clinical_text_without_phi(rec, note):
    assert values(rec, note) == []


def test_presidio_compatibility(rec):
    text = "SSN 123-45-6789; ss# 078051120"
    check_presidio_compat(rec, text, [("123-45-6789", "SSN"), ("078051120", "SSN")])


def test_docstring_examples():
    result = run_doctests("deid.text.recognizers.ssn")
    assert result.attempted > 0 and result.failed == 0

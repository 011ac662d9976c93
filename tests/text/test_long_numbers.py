"""LongNumberRecognizer: unlabelled long numbers and codes (ID), but not decimals, counts
with thousands separators, doses with a unit or 24-hour shift times."""

from __future__ import annotations

import pytest

from deid.text.recognizers.long_numbers import LongNumberRecognizer

from .conftest import NEGATIVE_NOTES, assert_finds, case_styles, check_presidio_compat, run_doctests, spans, values


@pytest.fixture(scope="module")
def rec() -> LongNumberRecognizer:
    return LongNumberRecognizer()


POSITIVE = [
    ("Ref 8812734 on file.", ["8812734"]),
    ("Order 99812734512 placed.", ["99812734512"]),
    ("Claim 123-4567-890 submitted.", ["123-4567-890"]),
    ("Specimen 00123456 to lab.", ["00123456"]),
    ("Old chart number 20190722 in the margin.", ["20190722"]),
]


@pytest.mark.parametrize("style", ["mixed", "upper", "lower"])
@pytest.mark.parametrize(("note", "ids"), POSITIVE, ids=[p[0][:30] for p in POSITIVE])
def test_finds_long_numbers_in_every_case_style(rec, note, ids, style):
    restyle = {"mixed": str, "upper": str.upper, "lower": str.lower}[style]
    assert_finds(rec, restyle(note), [restyle(i) for i in ids], "ID")


def test_finds_a_code_of_capitals_and_digits(rec):
    for text in ("Code A7731285X on the wristband.", "CODE A7731285X ON THE WRISTBAND."):
        assert values(rec, text) == ["A7731285X"]


def test_finds_a_code_in_a_lower_case_note(rec):
    assert values(rec, "code a7731285x on the wristband.") == ["a7731285x"]


def test_exact_spans(rec):
    t = "acc 8812734, plt 250,000, wbc 12.5, ref A7731285X"
    assert values(rec, t) == ["8812734", "A7731285X"]


def test_scored_below_specific_recognizers(rec):
    # phone, date, SSN and labelled-id recognizers must win where they match too
    found = spans(rec, "ref 8812734, A7731285X")
    assert len(found) == 2 and all(score < 0.5 for _, _, _, score in found)


@pytest.mark.parametrize(
    "note",
    [
        "Plt 250,000, WBC 12.5.",
        "Heparin 1000000 units total.",  # a unit after the number
        "Count 5000000 cells/ul.",
        "Tylenol 1234567 mg (typo).",
        "Shift 0700-1900 then 2300-0700.",
        "Hgb 9.8, Na 138, K 4.2, INR 1.2.",
        "Bill $1500000 disputed.",
        "Only 123456 digits here.",  # six digits is not long
    ],
)
def test_numbers_that_are_not_identifiers(rec, note):
    for _, styled in case_styles(note):
        assert values(rec, styled) == [], styled


@pytest.mark.parametrize("note", NEGATIVE_NOTES)
def test_nothing_in_clinical_text_without_phi(rec, note):
    assert values(rec, note) == []


def test_word_starting_like_a_unit_does_not_hide_a_number(rec):
    assert values(rec, "Ref 8812734 given to pt.") == ["8812734"]
    assert values(rec, "Ref 8812734 used for billing.") == ["8812734"]


def test_presidio_compatibility(rec):
    text = "acc 8812734, plt 250,000, ref A7731285X"
    check_presidio_compat(rec, text, [("8812734", "ID"), ("A7731285X", "ID")])


def test_docstring_examples():
    result = run_doctests("deid.text.recognizers.long_numbers")
    assert result.attempted > 0 and result.failed == 0

"""PhoneRecognizer: telephone (PHONE) and fax (FAX) numbers in every common layout; numbers
that are measurements, ranges or dates are not phones."""

from __future__ import annotations

import pytest

from deid.text.recognizers.phones import PhoneRecognizer

from .conftest import NEGATIVE_NOTES, assert_finds, case_styles, check_presidio_compat, run_doctests, typed_values, values


@pytest.fixture(scope="module")
def rec() -> PhoneRecognizer:
    return PhoneRecognizer()


POSITIVE = [
    ("Daughter's cell 617-555-0142, call anytime.", ["617-555-0142"]),
    ("Call (617) 555-0199 with questions.", ["(617) 555-0199"]),
    ("Home phone 617.555.0100.", ["617.555.0100"]),
    ("Reached wife at 6175550142.", ["6175550142"]),
    ("Son can be reached at +1 617 555 0142.", ["+1 617 555 0142"]),
    ("Tel 617 555 0142 (home).", ["617 555 0142"]),
    ("Pager #3-6244 for the covering resident.", ["3-6244"]),
    ("Nursing station 555-0142 x123.", ["555-0142 x123"]),
    ("Sister lives in London, call her at +44 20 7946 0958.", ["+44 20 7946 0958"]),
]


@pytest.mark.parametrize("style", ["mixed", "upper", "lower"])
@pytest.mark.parametrize(("note", "phones"), POSITIVE, ids=[p[0][:30] for p in POSITIVE])
def test_finds_phones_in_every_case_style(rec, note, phones, style):
    restyle = {"mixed": str, "upper": str.upper, "lower": str.lower}[style]
    assert_finds(rec, restyle(note), [restyle(p) for p in phones], "PHONE")


@pytest.mark.parametrize(
    "note",
    ["Fax to (617) 555-0111 attn records.", "fax: 617.555.0111", "Records faxed, FAX # 617-555-0111."],
)
def test_fax_when_fax_comes_before(rec, note):
    for _, styled in case_styles(note):
        assert [ent for _, ent in typed_values(rec, styled)] == ["FAX"], styled


def test_exact_spans_and_types(rec):
    text = "Call (617) 555-0142 x12; fax: 617.555.0199."
    assert typed_values(rec, text) == [("(617) 555-0142 x12", "PHONE"), ("617.555.0199", "FAX")]


@pytest.mark.parametrize(
    "note",
    [
        "BP 120/80, HR 80s, plt 150000, Na 138.",
        "Wt 72.5 kg, UOP 30-50 cc/hr, SBP 90-100s.",
        "Percocet 1-2 tabs q4-6h prn pain.",
        "Shift 0700-1900, then 1900-0700.",
        "ABG 7.38/42/88, INR 1.2-1.5.",
        "Drawn 2019-07-22, resulted 07/23/2019.",
        "Daughter will call back tomorrow.",
        "NS 1000 ml bolus, then 125 ml/hr.",
    ],
)
def test_numbers_that_are_not_phones(rec, note):
    for _, styled in case_styles(note):
        assert values(rec, styled) == [], styled


@pytest.mark.parametrize("note", NEGATIVE_NOTES)
def test_nothing_in_clinical_text_without_phi(rec, note):
    assert values(rec, note) == []


def test_presidio_compatibility(rec):
    text = "Call (617) 555-0142; fax: 617.555.0199."
    check_presidio_compat(rec, text, [("(617) 555-0142", "PHONE"), ("617.555.0199", "FAX")])


def test_docstring_examples():
    result = run_doctests("deid.text.recognizers.phones")
    assert result.attempted > 0 and result.failed == 0

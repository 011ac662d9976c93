"""PaymentCardRecognizer: card numbers (Luhn-valid or not) and IBANs, as ACCOUNT."""

from __future__ import annotations

import pytest

from deid.text.recognizers.payment_cards import PaymentCardRecognizer, luhn_ok

from .conftest import NEGATIVE_NOTES, assert_finds, case_styles, check_presidio_compat, run_doctests, spans, values


@pytest.fixture(scope="module")
def rec() -> PaymentCardRecognizer:
    return PaymentCardRecognizer()


POSITIVE = [
    ("Copay on card 4111 1111 1111 1111, approved.", ["4111 1111 1111 1111"]),
    ("Card 4111-1111-1111-1112 declined.", ["4111-1111-1111-1112"]),  # fails Luhn: still reported
    ("Amex 378282246310005 on file.", ["378282246310005"]),
    ("Paid with 6011111111111117 yesterday.", ["6011111111111117"]),
    ("Refund to IBAN DE89 3704 0044 0532 0130 00 requested.", ["DE89 3704 0044 0532 0130 00"]),
    ("Transfer from GB82WEST12345698765432.", ["GB82WEST12345698765432"]),
]


CASES = [
    pytest.param(note, cards, style, id=f"{note[:30]}-{style}")
    for note, cards in POSITIVE
    for style in ("mixed", "upper", "lower")
]


@pytest.mark.parametrize(("note", "cards", "style"), CASES)
def test_finds_cards_in_every_case_style(rec, note, cards, style):
    restyle = {"mixed": str, "upper": str.upper, "lower": str.lower}[style]
    assert_finds(rec, restyle(note), [restyle(c) for c in cards], "ACCOUNT")


def test_lower_case_iban(rec):
    assert values(rec, "transfer from gb82west12345698765432.") == ["gb82west12345698765432"]


def test_whole_engine_covers_a_labelled_lower_case_iban(detect_values):
    text = "refund to iban de89 3704 0044 0532 0130 00 requested."
    assert detect_values(text) == [("de89 3704 0044 0532 0130 00", "ACCOUNT")]


def test_a_luhn_valid_number_scores_higher(rec):
    good = spans(rec, "card 4111 1111 1111 1111")
    bad = spans(rec, "card 4111 1111 1111 1112")
    assert len(good) == len(bad) == 1 and good[0][3] > bad[0][3]
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")


def test_exact_spans(rec):
    t = "card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00"
    assert values(rec, t) == ["4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00"]


@pytest.mark.parametrize(
    "note",
    [
        "Plt 150000, NS 1000 ml.",
        "Call 617-555-0142.",
        "MRN 00482913.",
        "Ratio 4111 1111 (two groups only).",
        "Lot 1234-5678-9012 expired.",  # 12 digits is too short for a card
        "Drawn 2019-07-22 14:03:11.",
    ],
)
def test_numbers_that_are_not_cards(rec, note):
    for _, styled in case_styles(note):
        assert values(rec, styled) == [], styled


@pytest.mark.parametrize("note", NEGATIVE_NOTES)
def test_nothing_in_clinical_text_without_phi(rec, note):
    assert values(rec, note) == []


def test_presidio_compatibility(rec):
    text = "card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00"
    check_presidio_compat(rec, text, [("4111 1111 1111 1111", "ACCOUNT"), ("DE89 3704 0044 0532 0130 00", "ACCOUNT")])


def test_docstring_examples():
    result = run_doctests("deid.text.recognizers.payment_cards")
    assert result.attempted > 0 and result.failed == 0

"""ZipRecognizer: ZIP codes after a state, after a ZIP label or after a place name; a
five-digit number alone is a count or a code, not a ZIP."""

from __future__ import annotations

import pytest

from deid.text.recognizers.zip_codes import ZipRecognizer

from .conftest import NEGATIVE_NOTES, assert_finds, case_styles, check_presidio_compat, run_doctests, values


@pytest.fixture(scope="module")
def rec() -> ZipRecognizer:
    return ZipRecognizer()


POSITIVE = [
    ("Lives in Boston, MA 02139 with wife.", ["02139"]),
    ("Boston, MA 02139-4307", ["02139-4307"]),
    ("Home address zip: 01105.", ["01105"]),
    ("Zip code is 90210, per registration.", ["90210"]),
    ("Moved to Springfield, Massachusetts 01105.", ["01105"]),
    ("Postal code: 02139, apt 4.", ["02139"]),
]


@pytest.mark.parametrize("style", ["mixed", "upper", "lower"])
@pytest.mark.parametrize(("note", "zips"), POSITIVE, ids=[p[0][:30] for p in POSITIVE])
def test_finds_zip_codes_in_every_case_style(rec, note, zips, style):
    restyle = {"mixed": str, "upper": str.upper, "lower": str.lower}[style]
    assert_finds(rec, restyle(note), [restyle(z) for z in zips], "ZIP")


def test_exact_spans(rec):
    t = "Boston, MA 02139-4307; zip: 01105; plt 15000"
    assert values(rec, t) == ["02139-4307", "01105"]


@pytest.mark.parametrize(
    "note",
    [
        "Plt 15000, WBC 15000.",
        "NS 1000 ml, 20000 units heparin.",
        "Walked 12345 steps.",
        "Room 4512, rm 12345.",
        "Code 02139 alone on the line.",
        "Received 5000 units heparin SQ.",
        "SBP 90s-100s, HR 100-110.",
    ],
)
def test_numbers_that_are_not_zip_codes(rec, note):
    for _, styled in case_styles(note):
        assert values(rec, styled) == [], styled


@pytest.mark.parametrize("note", NEGATIVE_NOTES)
def test_nothing_in_clinical_text_without_phi(rec, note):
    assert values(rec, note) == []


def test_doses_and_lot_numbers_after_words_that_are_places(rec):
    assert values(rec, "Given 5000 units heparin SQ.") == []
    assert values(rec, "Pt given 500 mg tylenol.") == []
    assert values(rec, "Flu vaccine given, Lot 12345.") == []


def test_other_countries_postal_codes_after_a_label(rec):
    assert values(rec, "Postal code: 7412 SL (Netherlands).") == ["7412 SL"]
    assert values(rec, "Postal code 880, Iceland.") == ["880"]
    assert values(rec, "Postal code: 53-320 (Poland).") == ["53-320"]


def test_presidio_compatibility(rec):
    text = "Boston, MA 02139-4307; zip: 01105; plt 15000"
    check_presidio_compat(rec, text, [("02139-4307", "ZIP"), ("01105", "ZIP")])


def test_docstring_examples():
    result = run_doctests("deid.text.recognizers.zip_codes")
    assert result.attempted > 0 and result.failed == 0

"""AddressRecognizer: street addresses, P.O. boxes, military addresses and units (ADDRESS),
with the city and ZIP lines of an address block (LOCATION, ZIP)."""

from __future__ import annotations

import pytest

from deid.text.recognizers.addresses import AddressRecognizer

from .conftest import NEGATIVE_NOTES, assert_finds, case_styles, check_presidio_compat, run_doctests, typed_values, values


@pytest.fixture(scope="module")
def rec() -> AddressRecognizer:
    return AddressRecognizer()


POSITIVE = [
    ("Pt lives at 12 Main St Apt 4B with her son.", ["12 Main St Apt 4B"]),
    ("Lives at 4880 Cedar Lane, Apt 12.", ["4880 Cedar Lane, Apt 12"]),
    ("Home: 221B Baker Street, 2nd floor.", ["221B Baker Street"]),
    ("Lives at 1600 Pennsylvania Avenue NW with wife.", ["1600 Pennsylvania Avenue NW"]),
    ("Mailing address P.O. Box 123, same as before.", ["P.O. Box 123"]),
    ("Son in the army: PSC 9009, Box 9725, APO AE 09001", ["PSC 9009, Box 9725", "APO AE 09001"]),
    ("Sister at Koskikatu 25 in Finland.", ["Koskikatu 25"]),  # street name, then number
    ("Moved from Apt 591 to Suite 501.", ["Apt 591", "Suite 501"]),
]


@pytest.mark.parametrize("style", ["mixed", "upper", "lower"])
@pytest.mark.parametrize(("note", "addresses"), POSITIVE, ids=[p[0][:30] for p in POSITIVE])
def test_finds_addresses_in_every_case_style(rec, note, addresses, style):
    restyle = {"mixed": str, "upper": str.upper, "lower": str.lower}[style]
    assert_finds(rec, restyle(note), [restyle(a) for a in addresses], "ADDRESS")


@pytest.mark.parametrize("style", ["mixed", "upper"])
def test_address_block_gives_city_and_zip(rec, style):
    restyle = {"mixed": str, "upper": str.upper}[style]
    text = restyle("Address:\n45 Elm Road\nSpringfield, MA 01105\n")
    assert typed_values(rec, text) == [
        (restyle("45 Elm Road"), "ADDRESS"),
        (restyle("Springfield"), "LOCATION"),
        ("01105", "ZIP"),
    ]


def test_exact_spans(rec):
    t = "lives at 12 Main St Apt 4B; mail to P.O. Box 123; 2 L via NC."
    assert values(rec, t) == ["12 Main St Apt 4B", "P.O. Box 123"]


@pytest.mark.parametrize(
    "note",
    [
        "Given 2 L via NC.",
        "Walked 100 ft with walker.",
        "2 units PRBC, 3 beats of NSVT.",
        "20 Fr catheter placed.",
        "Received 2000 units heparin.",
        "Room 12 East, bed 4 West.",
        "Insulin 10 units with meals.",
        "Pt went 3 times to the bathroom.",
    ],
)
def test_numbers_before_words_that_are_not_addresses(rec, note):
    for _, styled in case_styles(note):
        assert values(rec, styled) == [], styled


@pytest.mark.parametrize("note", NEGATIVE_NOTES)
def test_nothing_in_clinical_text_without_phi(rec, note):
    assert values(rec, note) == []


def test_subcutaneous_dose_is_not_an_address(rec):
    assert values(rec, "HEPARIN 2000 UNITS SQ Q8H.") == []
    assert values(rec, "heparin 2000 units sq q8h.") == []


def test_dose_in_units_after_a_frequency_is_not_an_address(rec):
    assert values(rec, "Heparin SQ q8h. Insulin 10 units with meals.") == []


def test_ecg_intervals_are_not_an_address(rec):
    assert values(rec, "ECG: PR 160 QRS 90 QTc 440.") == []


def test_street_type_before_the_name(rec):
    assert_finds(rec, "Moved to 33 avenue de Provence last year.", ["33 avenue de Provence"], "ADDRESS")


def test_city_after_the_street_on_the_same_line(rec):
    text = "Address: 771 Maple Brook Ct, Pittsburgh"
    assert ("Pittsburgh", "LOCATION") in typed_values(rec, text)


def test_presidio_compatibility(rec):
    text = "lives at 12 Main St Apt 4B; mail to P.O. Box 123."
    check_presidio_compat(rec, text, [("12 Main St Apt 4B", "ADDRESS"), ("P.O. Box 123", "ADDRESS")])


def test_docstring_examples():
    result = run_doctests("deid.text.recognizers.addresses")
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    ("note", "street"),
    [
        ("pt lives alone @ 3113 highland curve, lee.", "3113 highland curve"),
        ("reason: lives at 7180 beacon passage, galatia, asks for vna", "7180 beacon passage"),
    ],
)
def test_lower_case_street_after_an_address_phrase(rec, note, street):
    assert_finds(rec, note, [street], "ADDRESS")


def test_lower_case_words_after_a_number_without_an_address_phrase(rec):
    assert values(rec, "Gave 2 units prbc over 2 hours, 3 more units passage pending.", "ADDRESS") == []

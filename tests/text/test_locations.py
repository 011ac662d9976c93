"""LocationRecognizer: cities, counties and facilities (LOCATION); states, countries and
generic facility words ("the ED", "GI clinic", "nursing home") are not reported."""

from __future__ import annotations

import pytest

from deid.text.recognizers.locations import LocationRecognizer

from .conftest import NEGATIVE_NOTES, assert_finds, case_styles, check_presidio_compat, run_doctests, values


@pytest.fixture(scope="module")
def rec() -> LocationRecognizer:
    return LocationRecognizer()


POSITIVE = [
    ("Transferred from Mercy Hospital for higher level of care.", ["Mercy Hospital"]),
    ("Returned to Stone View Nursing Home today.", ["Stone View Nursing Home"]),
    ("Went to Boston Children's Hospital for the consult.", ["Boston Children's Hospital"]),
    ("Follows at Lahey Clinic for her heart.", ["Lahey Clinic"]),
    ("Lives in Espoo with her daughter.", ["Espoo"]),  # a single-word city
    ("She grew up in New Bedford.", ["New Bedford"]),  # a multi-word place
    ("Lives in San Juan Capistrano with son.", ["San Juan Capistrano"]),
    ("Resides in Essex County.", ["Essex County"]),  # a county
]


@pytest.mark.parametrize("style", ["mixed", "upper", "lower"])
@pytest.mark.parametrize(("note", "places"), POSITIVE, ids=[p[0][:30] for p in POSITIVE])
def test_finds_places_in_every_case_style(rec, note, places, style):
    restyle = {"mixed": str, "upper": str.upper, "lower": str.lower}[style]
    assert_finds(rec, restyle(note), [restyle(p) for p in places], "LOCATION")


def test_a_city_that_is_also_a_word_in_mixed_case(rec):
    assert values(rec, "Lives in Worcester alone.") == ["Worcester"]


def test_a_city_that_is_also_a_word_in_upper_and_lower_case(rec):
    assert values(rec, "LIVES IN WORCESTER ALONE.") == ["WORCESTER"]
    assert values(rec, "lives in worcester alone.") == ["worcester"]


def test_went_home_is_not_a_facility(rec):
    assert values(rec, "PT WENT HOME.") == []


def test_a_city_with_a_state_after_it(rec):
    assert values(rec, "Pt from Springfield, MA.") == ["Springfield"]


def test_room_number_in_a_named_facility(rec):
    text = "Returned to Stone View Nursing Home, room 812."
    assert values(rec, text) == ["Stone View Nursing Home", "812"]


def test_exact_spans(rec):
    t = "Transferred from St. Elsewhere Hospital; lives in Espoo; Springfield, MA; Essex County."
    assert values(rec, t) == ["St. Elsewhere Hospital", "Espoo", "Springfield", "Essex County"]


@pytest.mark.parametrize(
    "note",
    [
        "Pt is from Texas, moved from Canada.",  # states and countries are not PHI
        "Brief Hospital Course: uneventful.",
        "GI clinic f/u in 2 weeks. Follow up in cardiology clinic.",
        "Admitted to the ICU. Seen in the emergency department.",
        "Pt lives in a nursing home. House officer notified. Medical center policy.",
        "Came from home. Home with services. Discharged home.",
        "Pt in normal sinus rhythm. Pt is mobile with assistance.",
        "Reading glasses at bedside. Orange juice given for low BG.",
        "Pt to cath lab, back from IR, sent to MRI.",
        "Pt has Parkinson's disease, on levodopa.",
    ],
)
def test_words_that_are_not_places(rec, note):
    for _, styled in case_styles(note):
        assert values(rec, styled) == [], styled


@pytest.mark.parametrize("note", NEGATIVE_NOTES)
def test_nothing_in_clinical_text_without_phi(rec, note):
    assert values(rec, note) == []


def test_facility_name_does_not_cross_a_sentence_end(rec):
    assert values(rec, "Pt admitted from the ED. Brief Hospital Course: uneventful.") == []
    assert values(rec, "Admitted from the ED. GI clinic f/u.") == []


def test_generic_rehab_is_not_a_place(rec):
    assert values(rec, "Discharged to Rehab.") == []


def test_docstring_facility_in_upper_case(rec):
    assert values(rec, "TRANSFERRED FROM ST. ELSEWHERE HOSPITAL.") == ["ST. ELSEWHERE HOSPITAL"]


def test_presidio_compatibility(rec):
    text = "Transferred from Mercy Hospital; lives in Espoo."
    check_presidio_compat(rec, text, [("Mercy Hospital", "LOCATION"), ("Espoo", "LOCATION")])


def test_docstring_examples():
    result = run_doctests("deid.text.recognizers.locations")
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    ("note", "unit"),
    [
        ("Pt transferred from Saint Jude's ICU to West 7 on 11/14.", "West 7"),
        ("Report given to RN Jodi on Harper 11 at 10:00.", "Harper 11"),
        ("plan:remains in ross 6,rm 17. tylenol prn", "ross 6"),
        ("PT IN RM 14 ON WARD 12, BED 2.", "WARD 12"),
    ],
)
def test_hospital_unit_named_by_a_word_and_a_number(rec, note, unit):
    assert_finds(rec, note, [unit], "LOCATION")


@pytest.mark.parametrize(
    "note",
    ["Started on lasix 40 mg daily.", "Pt is on day 3 of antibiotics.", "Moved to bed 2 at 14:00.",
     "Weaned to peep 5 overnight.", "Titrated to level 3 sedation."],
)
def test_numbers_after_a_word_are_not_units_without_a_name(rec, note):
    assert values(rec, note, "LOCATION") == []

"""LabelledIdRecognizer: identifiers found by their label (MRN, health plan, account,
licence, vehicle, device and other ids); a label word without an identifier after it is
not one."""

from __future__ import annotations

import pytest

from deid.text.recognizers.labelled_ids import LabelledIdRecognizer

from .conftest import NEGATIVE_NOTES, assert_finds, case_styles, check_presidio_compat, run_doctests, typed_values, values


@pytest.fixture(scope="module")
def rec() -> LabelledIdRecognizer:
    return LabelledIdRecognizer()


# (note, value, entity type)
POSITIVE = [
    ("MRN: 00482913, admitted from ED.", "00482913", "MRN"),
    ("Med Rec # 4829-13 on the label.", "4829-13", "MRN"),
    ("mr no. 00482913 verified with two identifiers.", "00482913", "MRN"),
    ("Chart # 3341-22 reviewed.", "3341-22", "MRN"),
    ("Unit No. 0048291 on armband.", "0048291", "MRN"),
    ("Billing: acct 99812, self-pay.", "99812", "ACCOUNT"),
    ("Acct#: 55-81234 for the copay.", "55-81234", "ACCOUNT"),
    ("Insurance member ID XJH7712345 verified.", "XJH7712345", "HEALTH_PLAN_ID"),
    ("Policy # 8812-22 with BCBS.", "8812-22", "HEALTH_PLAN_ID"),
    ("Medicare ID 1EG4-TE5-MK73 on card.", "1EG4-TE5-MK73", "HEALTH_PLAN_ID"),
    ("Prescriber DEA #AB1234563.", "AB1234563", "LICENSE"),
    ("Attending NPI 1234567893.", "1234567893", "LICENSE"),
    ("Lic # C12345678 (RN).", "C12345678", "LICENSE"),
    ("Pacemaker serial PJN123456 interrogated.", "PJN123456", "DEVICE_ID"),
    ("Pump serial # PM-77812 returned to biomed.", "PM-77812", "DEVICE_ID"),
    ("Car towed, VIN 1HGCM82633A004352.", "1HGCM82633A004352", "VEHICLE_ID"),
    ("Hit-and-run, plate 7ABC123 given to police.", "7ABC123", "VEHICLE_ID"),
    ("Accession # S19-12345 sent to path.", "S19-12345", "ID"),
]


@pytest.mark.parametrize("style", ["mixed", "upper", "lower"])
@pytest.mark.parametrize(("note", "value", "entity"), POSITIVE, ids=[p[0][:30] for p in POSITIVE])
def test_finds_labelled_ids_in_every_case_style(rec, note, value, entity, style):
    restyle = {"mixed": str, "upper": str.upper, "lower": str.lower}[style]
    assert_finds(rec, restyle(note), [restyle(value)], entity)


def test_exact_spans_and_types(rec):
    t = "MRN: 00482913, member ID XJH7712345, DEA #AB1234563"
    assert typed_values(rec, t) == [("00482913", "MRN"), ("XJH7712345", "HEALTH_PLAN_ID"), ("AB1234563", "LICENSE")]


def test_unlabelled_dea_and_vin_by_their_form(rec):
    # a DEA number with a valid check digit and a 17-character VIN need no label
    assert typed_values(rec, "Rx signed AB1234563.") == [("AB1234563", "LICENSE")]
    assert typed_values(rec, "Car 1HGCM82633A004352 towed.") == [("1HGCM82633A004352", "VEHICLE_ID")]
    assert values(rec, "Rx signed AB1234560.") == []  # wrong check digit, no label


def test_trailing_punctuation_is_not_part_of_the_id(rec):
    assert values(rec, "MRN 00482913.") == ["00482913"]


@pytest.mark.parametrize(
    "note",
    [
        "Pt ID band checked. ID: pending.",
        "Hospital day 3. Unit 5 West.",
        "Member of the choir. Policy reviewed with family.",
        "Plate and screws removed. Account for I/O.",
        "ID 2 large bore IVs. Serial exams q2h. MRN pending.",
    ],
)
def test_label_words_without_an_identifier(rec, note):
    for _, styled in case_styles(note):
        assert values(rec, styled) == [], styled


@pytest.mark.parametrize("note", NEGATIVE_NOTES)
def test_nothing_in_clinical_text_without_phi(rec, note):
    assert values(rec, note) == []


def test_presidio_compatibility(rec):
    text = "MRN: 00482913, acct 99812"
    check_presidio_compat(rec, text, [("00482913", "MRN"), ("99812", "ACCOUNT")])


def test_docstring_examples():
    result = run_doctests("deid.text.recognizers.labelled_ids")
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    ("note", "value", "entity"),
    [
        ("Billing question re: visa ending in 9398, transferred.", "9398", "ACCOUNT"),
        ("BILLING QUESTION RE: CARD ENDING 9781, TRANSFERRED", "9781", "ACCOUNT"),
        ("driver of vehicle reg 8sfb888 per police", "8sfb888", "VEHICLE_ID"),
        ("DRIVER OF VEHICLE REG ZCY 2151 PER POLICE", "ZCY 2151", "VEHICLE_ID"),
    ],
)
def test_card_endings_and_vehicle_registrations(rec, note, value, entity):
    assert_finds(rec, note, [value], entity)

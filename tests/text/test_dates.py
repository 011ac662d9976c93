"""DateRecognizer: dates in every common form, without fractions, scores, blood pressures,
doses or shift times."""

from __future__ import annotations

import pytest

from deid.text.recognizers.dates import DateRecognizer

from .conftest import NEGATIVE_NOTES, assert_finds, case_styles, check_presidio_compat, run_doctests, values


@pytest.fixture(scope="module")
def rec() -> DateRecognizer:
    return DateRecognizer()


POSITIVE = [
    ("Admitted 07/22/2019, seen again 7/22.", ["07/22/2019", "7/22"]),
    ("DOB 3/4/1941", ["3/4/1941"]),
    ("Follow up on July 11th.", ["July 11th"]),
    ("Surgery on the 3rd of May, recovered well.", ["3rd of May"]),
    ("MI back in '92, CABG after.", ["'92"]),
    ("Specimen collected 2019-07-22 14:03:11.", ["2019-07-22 14:03:11"]),
    ("Line placed 2019-07-22T14:03, confirmed by CXR.", ["2019-07-22T14:03"]),
    ("Discharged 22-Jul-2019 to home.", ["22-Jul-2019"]),
    ("Seen Jul. 11, 2019 in clinic.", ["Jul. 11, 2019"]),
    ("Seen 11 July 2019 in clinic.", ["11 July 2019"]),
    ("Next appt Mon, 7/22.", ["Mon, 7/22"]),
    ("Last colonoscopy in May 2019.", ["May 2019"]),
    ("Fell on Christmas Eve at home.", ["Christmas Eve"]),
    ("Plan to recheck on Thursday.", ["Thursday"]),
    ("Dx with DM2 in 1992, on metformin since.", ["1992"]),
    ("Vaccinated 5/2019.", ["5/2019"]),
]


@pytest.mark.parametrize("style", ["mixed", "upper", "lower"])
@pytest.mark.parametrize(("note", "dates"), POSITIVE, ids=[p[0][:30] for p in POSITIVE])
def test_finds_dates_in_every_case_style(rec, note, dates, style):
    restyle = {"mixed": str, "upper": str.upper, "lower": str.lower}[style]
    assert_finds(rec, restyle(note), [restyle(d) for d in dates], "DATE")


def test_exact_spans(rec):
    text = "Seen 7/22, again on July 11th and 3rd of May '92; strength 5/5, 1/2 NS."
    assert values(rec, text) == ["7/22", "July 11th", "3rd of May '92"]


def test_timestamp_is_one_span(rec):
    text = "Drawn 2019-07-22 14:03:11 and resulted."
    assert values(rec, text) == ["2019-07-22 14:03:11"]


@pytest.mark.parametrize(
    "note",
    [
        "Started 1/2 NS at 100 ml/hr.",
        "Given 1/2 tab, then 3/4 tab.",
        "Strength 5/5 bilaterally, motor 4/5 LUE.",
        "BP 120/80, HR 80s.",
        "Pain 7/10, GCS 3/15 on arrival.",
        "Murmur 2/6 at the apex.",
        "Heparin 2000 units SQ.",
        "Diet 1800 kcal.",
        "Shift 0700-1900.",
        "UOP 30-50 cc/hr.",
        "Na 138, K 4.2, Cr 1.1, WBC 12.5, Hgb 9.8, Plt 250.",
        "ABG 7.38/42/88.",
        "Pt may need PT consult.",
        "Family will march in support of him.",
    ],
)
def test_numbers_that_are_not_dates(rec, note):
    for _, styled in case_styles(note):
        assert values(rec, styled) == [], styled


@pytest.mark.parametrize("note", NEGATIVE_NOTES)
def test_nothing_in_clinical_text_without_phi(rec, note):
    assert values(rec, note) == []


def test_sentence_period_after_full_month_is_not_part_of_the_date(rec):
    text = "Surgery on the 3rd of May."
    assert values(rec, text) == ["3rd of May"]


def test_presidio_compatibility(rec):
    text = "Admitted 07/22/2019, seen 7/22; BP 120/80."
    check_presidio_compat(rec, text, [("07/22/2019", "DATE"), ("7/22", "DATE")])


def test_docstring_examples():
    result = run_doctests("deid.text.recognizers.dates")
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    ("note", "date"),
    [
        ("S/P CARDIAC CATH 4/8, R/O UROSEPSIS.", "4/8"),
        ("Family meeting held 7/10 with guardian.", "7/10"),
        ("Last BM 1/4, last dose vanco at 0900.", "1/4"),
        ("Compared to 4/8, the opacity has worsened.", "4/8"),
        ("Victor Eaton, MD in person at 10:15AM on 11-23.", "11-23"),
        ("nursing note 6-23\nd: nebs q4h", "6-23"),
        ("Pt s/p mvc 5-20, driver of vehicle.", "5-20"),
        ("NPN: 10-28 7a-3p", "10-28"),
        ("Sputum cx snt 10-20, gram stain pending.", "10-20"),
        ("Ms. Jennings s/p TEE 4-3, R/O afib.", "4-3"),
        ("Pt's hus called, will visit mon.", "mon"),
        ("OT EVAL SAT. N. ALBUQUERQUE RN", "SAT"),
    ],
)
def test_month_day_and_weekday_after_a_clinical_event(rec, note, date):
    assert_finds(rec, note, [date], "DATE")


@pytest.mark.parametrize(
    "note",
    ["Strength 4/5 in both arms.", "Give 1/2 NS at 75 cc/hr.", "Pain 7/10 after meds.", "NPN 11-7 shift.",
     "7-3 shift: pt slept.", "Pt on 2-3 L NC.", "Sats in the 90s."],
)
def test_numbers_that_only_look_like_dates(rec, note):
    assert values(rec, note, "DATE") == []

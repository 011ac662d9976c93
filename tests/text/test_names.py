"""NameRecognizer: people's names by lexicon plus context, in any case style; eponyms and
ordinary words that are also names are left alone."""

from __future__ import annotations

import pytest

from deid.text.recognizers.names import NameRecognizer

from .conftest import NEGATIVE_NOTES, assert_finds, case_styles, check_presidio_compat, run_doctests, spans, values


@pytest.fixture(scope="module")
def rec() -> NameRecognizer:
    return NameRecognizer()


# (note, names in it): each kind of evidence the recognizer documents
POSITIVE = [
    ("Daughter Margie called at 4pm.", ["Margie"]),  # relation before
    ("Seen by Dr. Omobuwa this am.", ["Omobuwa"]),  # title before, a name no list knows
    ("Mrs. Kowalski refused am meds.", ["Kowalski"]),
    ("Spoke with wife (Jane) at bedside.", ["Jane"]),
    ("Signed: Maria Garcia, MD", ["Maria Garcia"]),  # label, credential
    ("Pt seen with attending Dr. K. Lamb.", ["K. Lamb"]),  # title over an initial
    ("Report given to Yolanda Pierce RN.", ["Yolanda Pierce"]),  # credential after
    ("Patient: Smith, John", ["Smith, John"]),  # reversed order after a label
    ("Pt's husband Tomasz Wisniewski at bedside.", ["Tomasz Wisniewski"]),
    ("Discussed with Dr Nguyen and Dr Okafor.", ["Nguyen", "Okafor"]),
    ("Pt is followed by Dr. Rose Kowalski, her PCP.", ["Rose Kowalski"]),  # "rose" is also a word
    ("Rose called to ask about visiting hours.", ["Rose"]),  # a verb of people after it
]


@pytest.mark.parametrize("style", ["mixed", "upper", "lower"])
@pytest.mark.parametrize(("note", "names"), POSITIVE, ids=[p[0][:30] for p in POSITIVE])
def test_finds_names_in_every_case_style(rec, note, names, style):
    styled = dict(case_styles(note))[style]
    restyle = {"mixed": str, "upper": str.upper, "lower": str.lower}[style]
    assert_finds(rec, styled, [restyle(n) for n in names], "NAME")


def test_reports_only_name_entities(rec):
    text = "Daughter Margie called; seen by Dr. Omobuwa."
    assert {ent for _, _, ent, _ in spans(rec, text)} == {"NAME"}


def test_signature_initials(rec):
    # initials signing a note at the end of a line
    text = "Pt resting comfortably, will continue to monitor.\n-- CL/RB\n"
    found = values(rec, text, "NAME")
    assert "CL" in found and "RB" in found


def test_full_name_is_one_span(rec):
    text = "Seen by Dr. Rose Kowalski today."
    assert values(rec, text) == ["Rose Kowalski"]


@pytest.mark.parametrize(
    "note",
    [
        "Pt has Parkinson's disease and a Foley catheter; hx Hodgkin lymphoma.",
        "Crohn's disease, Graves disease, Cushing syndrome, Wilson disease, Bell's palsy.",
        "Swan-Ganz catheter and Guillain-Barre syndrome; Cheyne-Stokes respirations.",
        "Babinski sign negative, Homans sign negative, Kernig sign negative.",
        "Daughter will call back. Pt may need PT consult.",
        "Family will visit tomorrow; son may bring clothes.",
        "Mark the site with a pen. Patient will rest.",
    ],
)
def test_eponyms_and_words_are_not_names(rec, note):
    for _, styled in case_styles(note):
        assert values(rec, styled) == [], styled


@pytest.mark.parametrize("note", NEGATIVE_NOTES)
def test_nothing_in_clinical_text_without_phi(rec, note):
    assert values(rec, note) == []


def test_relation_before_common_word_name_in_upper_case(rec):
    assert_finds(rec, "SON BILL WILL VISIT.", ["BILL"], "NAME")


def test_plural_abbreviations_are_not_names(rec):
    assert values(rec, "Serial ABGs and EKGs ordered, CXRs reviewed.") == []


def test_walker_is_not_a_name(rec):
    assert values(rec, "Pt ambulated with walker in hallway.") == []
    assert values(rec, "Ambulating with a walker, steady gait.") == []


def test_two_capitalized_names_that_are_also_words(rec):
    # in mixed case, capitalization in mid-sentence is evidence
    assert_finds(rec, "We met with Grace Hall about the plan.", ["Grace Hall"], "NAME")
    assert_finds(rec, "Spoke with Mark Long at length.", ["Mark Long"], "NAME")


def test_presidio_compatibility(rec):
    text = "Daughter Margie called; seen by Dr. Omobuwa."
    check_presidio_compat(rec, text, [("Margie", "NAME"), ("Omobuwa", "NAME")])


def test_docstring_examples():
    result = run_doctests("deid.text.recognizers.names")
    assert result.attempted > 0 and result.failed == 0


# Evidence that nursing notes give and a lexicon alone misses: abbreviated relations, a
# role or service in parentheses, "report called to", the nickname a patient prefers,
# dotted credentials, a "Last, First" heading with the record number, signature pairs.
NURSING_CONTEXT = [
    ("PLAN DISCUSSED WITH PT AND HUS REKWIABIN.", ["REKWIABIN"]),
    ("husband oliver asks that the team call back.", ["oliver"]),
    ("Home wifi set up per dad hotaando for telehealth.", ["hotaando"]),
    ("RT (Ward) aware, will wean in AM.", ["Ward"]),
    ("Pulses palp x4. Cardiology (Paris) aware of afib.", ["Paris"]),
    ("Opens eyes to name (rick), does not track.", ["rick"]),
    ("REPORT CALLED TO LONAISAIX AT 1-447-807-8040.", ["LONAISAIX"]),
    ("ASKED TO CALL HER JOBREE, PT'S GRANDSON, WITH NEWS.", ["JOBREE"]),
    ("Pt prefers to be called Hope, oriented to place.", ["Hope"]),
    ("Plan for CT abd/pelvis with Stone M.D. tomorrow.", ["Stone"]),
    ("Extubation in AM per fiaboton md.", ["fiaboton"]),
    ("PLAN: BROMEND AWARE OF PLAN, AGREES.", ["BROMEND"]),
    ("Belongings sent home with Ifomtuton.", ["Ifomtuton"]),
    ("plan- cont current plan, dr.story aware of events.", ["story"]),
    ("CHEST (PA & LAT)  Clip # 9877020\nGLASS, SANDY   MRN#20076653\nReason: line", ["GLASS, SANDY"]),
    ("COLL, MARK  21716560\nNURSING NOTE 1/25", ["COLL, MARK"]),
    ("Lines checked.\n--pm/cd\n", ["pm", "cd"]),
    ("Lines checked.\n-- BP\nJules Paris MD", ["BP"]),
    ("last dose metoprolol 5 mg IV.\n- JC, lic # RN897726\n", ["JC"]),
]


@pytest.mark.parametrize(("note", "names"), NURSING_CONTEXT, ids=[p[0][:30] for p in NURSING_CONTEXT])
def test_nursing_note_context(rec, note, names):
    assert_finds(rec, note, names, "NAME")


@pytest.mark.parametrize(
    "note",
    [
        "Outside hospital MRN 00598893, transferred for care.",  # a heading of words, not a name
        "FAMILY: CHAPLAIN VISITED.",
        "Family:Questions re: hospital bill referred to billing.",
        "GI-UO 17cc/hr, Lesperance MD awre, bolus 250 cc LR.",  # a misspelling after a credential
        "daughter may call back tomorrow.",  # "may" needs more than a relation in lower case
        "Pt asking for water and a blanket.",
        "Update labs and plan after rounds.",
        "Pt to be called back with results.",
        "Lines checked.\nPO/IV\n",  # two abbreviations, not a typist pair
    ],
)
def test_nursing_context_does_not_take_words(rec, note):
    found = values(rec, note)
    assert not [v for v in found if v.lower() not in ("lesperance",)], found

"""Known identifiers: a patient's own values (``Scrubber.detect / scrub(..., known=...)``,
``KnownIdentifiers``) found in their notes in every usual variant, under the common-word rule.

Tested at the text level through the whole engine. All names and numbers are made up.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deid.text import KnownIdentifiers, Scrubber
from deid.text.recognizers.dates import DateRecognizer

from .conftest import KEY, NEGATIVE_NOTES, SETTINGS, run_doctests

PATIENT = {
    "NAME": ["Ilse Marta Quorvik", "Tobek Quorvik"],  # the patient and her son
    "MRN": ["00482913"],
    "SSN": ["123-45-6789"],
    "PHONE": ["617-555-0142"],
    "DATE": ["1931-03-14"],
    "ADDRESS": ["12 Main Street"],
    "EMAIL": ["Ilse.Quorvik@example.org"],
    "HEALTH_PLAN_ID": ["XJH-7712345"],
}


def found(scrubber, text, known, recognizer=None):
    """[(value, entity_type)] of the findings (of one recognizer, if given)."""
    return [(text[f.start : f.end], f.entity_type) for f in scrubber.detect(text, known=known)
            if recognizer is None or f.recognizer == recognizer]


def known_at(scrubber, text, known, value, entity="NAME"):
    """Whether a finding from the known values, of ``entity``, covers ``value`` (first occurrence)."""
    start = text.index(value)
    end = start + len(value)
    return any(f.recognizer == "known" and f.entity_type == entity and f.start <= start and end <= f.end
               for f in scrubber.detect(text, known=known))


def test_doctests():
    assert run_doctests("deid.text._known").failed == 0


# -- names ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, value",
    [
        ("Pt Ilse Marta Quorvik seen today.", "Ilse Marta Quorvik"),
        ("Pt Ilse Quorvik seen today.", "Ilse Quorvik"),  # without the middle name
        ("Pt Ilse M. Quorvik seen today.", "Ilse M. Quorvik"),  # with its initial
        ("QUORVIK, ILSE M.   MRN 00482913", "QUORVIK, ILSE M."),  # "Last, First", upper case
        ("re: quorvik, ilse", "quorvik, ilse"),  # lower case
        ("ILSE QUORVIK admitted", "ILSE QUORVIK"),
        ("Spoke with Ilse about the plan.", "Ilse"),  # first name alone
        ("ilse ambulated in the hall", "ilse"),
        ("Mrs. Quorvik seen.", "Quorvik"),  # last name alone
        ("quorvik tolerated diet", "quorvik"),
        ("I. Quorvik seen in clinic", "I. Quorvik"),  # initial plus surname
        ("I Quorvik seen in clinic", "I Quorvik"),
        ("Ms. Quorvik's son called.", "Quorvik"),  # possessive
        ("Son Tobek called.", "Tobek"),  # another person of the record
        ("Tobek Quorvik (son) at bedside", "Tobek Quorvik"),
    ],
)
def test_name_variants_are_found(scrubber, text, value):
    assert known_at(scrubber, text, PATIENT, value), found(scrubber, text, PATIENT)


def test_possessive_is_not_part_of_the_finding(scrubber):
    text = "Quorvik's daughter called"
    assert ("Quorvik", "NAME") in found(scrubber, text, PATIENT, "known")


def test_nickname_in_the_record_is_found(scrubber):
    known = {"NAME": ["Margaret Quorvik", "Peggy"]}
    assert known_at(scrubber, "Pt prefers Peggy, oriented x3", known, "Peggy")


def test_hyphenated_surname_parts_and_whole(scrubber):
    known = {"NAME": ["Dana Friel-Neubauer"]}
    assert known_at(scrubber, "Ms. Friel-Neubauer is 59 y/o", known, "Friel-Neubauer")
    assert known_at(scrubber, "neubauer ambulated", known, "neubauer")
    # her initials use the first part of the surname too
    assert known_at(scrubber, "Pt is 59 y/o woman, DF, s/p CVVH line", known, "DF")


@pytest.mark.parametrize(
    "text, value",
    [
        ("Plan discussed.\n--IQ\n", "IQ"),  # a signature at a line end
        ("Seen and examined ...IMQ\n", "IMQ"),  # with the middle initial
        ("Msg taken by AB/tq\n", "tq"),  # the typist's
        ("Transfer note: 79 y/o woman, IQ, s/p fall.", "IQ"),
        ("I.Q. seen in clinic, f/u 2 weeks", "I.Q."),
        ("IQ is a 79 yo woman with CHF", "IQ"),
    ],
)
def test_initials_where_initials_stand(scrubber, text, value):
    assert known_at(scrubber, text, PATIENT, value), found(scrubber, text, PATIENT)


@pytest.mark.parametrize("text", ["BUN/Cr 46/4.2", "neo at 0.5 mcg/kg/min", "Cr 1.1, K 4.0", "C&DB encouraged\n"])
def test_initials_that_are_units_or_labs_are_not_names(scrubber, text):
    known = {"NAME": ["Cy Ross", "Kim Green", "Dana Bell"]}  # initials CR, KG, DB
    assert found(scrubber, text, known, "known") == []


# -- the common-word rule --------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, known",
    [
        # in mixed-case text, where a capital is evidence for unknown words
        ("Vitals stable, Dr. Ostrega aware. Mark the chart. Continue Lasix.", {"NAME": ["Mark Lee"]}),
        ("Mark the chart.", {"NAME": ["Mark Lee"]}),
        ("MARK THE CHART. mark the chart.", {"NAME": ["Mark Lee"]}),
        ("Reviewed with Dr. Ostrega. The Bill was paid by the family.", {"NAME": ["Bill Quorvik"]}),
        ("Daughter will call back tomorrow. Pt may need PT consult.", {"NAME": ["Will May"]}),
        ("Bed in the rose garden room; hope to extubate.", {"NAME": ["Rose Hope"]}),
        ("a brown stool noted", {"NAME": ["Alice Brown"]}),  # "a brown": not "A. Brown"
        ("foley catheter draining", {"NAME": ["Ann Foley"]}),
    ],
)
def test_a_common_word_alone_is_not_a_name_without_a_person_context(scrubber, text, known):
    assert [f for f in scrubber.detect(text, known=known) if f.recognizer == "known"] == []
    assert scrubber.detect(text, known=known) == scrubber.detect(text)


def test_a_known_name_never_overrides_a_month():
    scrubber = Scrubber(key=KEY)
    text = "Vitals stable overnight. Follow up in May for labs. Continue Lasix."
    findings = scrubber.detect(text, known={"NAME": ["May Chen"]})
    assert [(text[f.start : f.end], f.entity_type, f.recognizer) for f in findings] == [
        ("May", "DATE", "DateRecognizer")]
    # so the month is date-shifted like any date, not replaced by a surrogate name
    plain = scrubber.scrub(text, patient_id="p1")
    assert scrubber.scrub(text, patient_id="p1", known={"NAME": ["May Chen"]}).text == plain.text


@pytest.mark.parametrize(
    "text, known, value",
    [
        ("Mark Lee called.", {"NAME": ["Mark Lee"]}, "Mark Lee"),  # the other part of the name
        ("Lee, Mark seen", {"NAME": ["Mark Lee"]}, "Lee, Mark"),  # "Last, First"
        ("Mark A. Lee seen", {"NAME": ["Mark Lee"]}, "Mark A. Lee"),
        ("Dr. May saw him.", {"NAME": ["May Chen"]}, "May"),  # a title
        ("Bill called at noon.", {"NAME": ["Bill Quorvik"]}, "Bill"),  # a person verb
        ("son Will called; pt will need rehab", {"NAME": ["Will Quorvik"]}, "Will"),  # a relation
        ("daughter May visited", {"NAME": ["May Chen"]}, "May"),
        ("Mark (son) at bedside", {"NAME": ["Mark Quorvik"]}, "Mark"),
        ("MAY, PT'S DTR, AT BEDSIDE", {"NAME": ["May Chen"]}, "MAY"),
        ("pt prefers to be called Hope", {"NAME": ["Hope Chen"]}, "Hope"),
        ("Spoke with Mark about discharge.", {"NAME": ["Mark Lee"]}, "Mark"),  # with + a capital
        ("Son, MD at bedside", {"NAME": ["Tran Son"]}, "Son"),  # a relation word as a name: credential
        ("Will is a 79 yo man", {"NAME": ["Will Quorvik"]}, "Will"),  # an age
    ],
)
def test_a_common_word_in_a_person_context_is_found(scrubber, text, known, value):
    assert known_at(scrubber, text, known, value), found(scrubber, text, known)


def test_the_verb_after_a_relation_is_not_the_person(scrubber):
    text = "son will call back; pt will need rehab"
    assert found(scrubber, text, {"NAME": ["Will Quorvik"]}, "known") == []


def test_known_common_word_names_add_nothing_to_notes_without_phi(scrubber):
    known = {"NAME": ["Will May", "Bill Mark", "Grant Hill", "Rose Brown", "Frank Long", "Hope Day"]}
    for note in NEGATIVE_NOTES:
        assert [f for f in scrubber.detect(note, known=known) if f.recognizer == "known"] == [], note


# -- numbers, dates, addresses, e-mail and web addresses -----------------------------------
@pytest.mark.parametrize(
    "text, value, entity",
    [
        ("call 617 555 0142 today", "617 555 0142", "PHONE"),
        ("call 6175550142 today", "6175550142", "PHONE"),
        ("call (617) 555-0142 today", "(617) 555-0142", "PHONE"),
        ("call 617.555.0142 today", "617.555.0142", "PHONE"),
        ("mrn 482913 on file", "482913", "MRN"),  # without its leading zeros
        ("MRN 0048-2913 on file", "0048-2913", "MRN"),
        ("ssn 123456789", "123456789", "SSN"),
        ("ssn 123 45 6789", "123 45 6789", "SSN"),
        ("plan xjh7712345 active", "xjh7712345", "HEALTH_PLAN_ID"),  # letters: any case and separators
    ],
)
def test_numbers_with_other_separators_or_none(scrubber, text, value, entity):
    assert known_at(scrubber, text, PATIENT, value, entity), found(scrubber, text, PATIENT)


@pytest.mark.parametrize(
    "text, value",
    [
        ("DOB 03/14/1931.", "03/14/1931"),
        ("DOB 3/14/31.", "3/14/31"),
        ("born March 14th, 1931.", "March 14th, 1931"),
        ("born 14 Mar 1931.", "14 Mar 1931"),
        ("born 1931-03-14.", "1931-03-14"),
        ("birthday 3/14 celebrated", "3/14"),  # month and day without the year
    ],
)
def test_a_date_of_birth_in_other_formats(scrubber, text, value):
    assert known_at(scrubber, text, PATIENT, value, "DATE"), found(scrubber, text, PATIENT)


def test_another_date_is_not_the_known_one(scrubber):
    text = "seen 3/15/1931 and 3/14/1932"
    assert [f for f in scrubber.detect(text, known=PATIENT) if f.recognizer == "known"] == []
    assert [f.entity_type for f in scrubber.detect(text, known=PATIENT)] == ["DATE", "DATE"]


def test_a_known_date_given_in_another_format(scrubber):
    known = {"DATE": ["March 14, 1931"]}
    assert known_at(scrubber, "DOB 3/14/1931", known, "3/14/1931", "DATE")


@pytest.mark.parametrize(
    "text, value",
    [
        ("lives at 12 Main St with son", "12 Main St"),
        ("lives at 12 MAIN ST. with son", "12 MAIN ST."),
        ("lives at 12 main street with son", "12 main street"),
    ],
)
def test_street_address_abbreviated(scrubber, text, value):
    assert known_at(scrubber, text, PATIENT, value, "ADDRESS"), found(scrubber, text, PATIENT)


def test_street_with_unit_and_po_box(scrubber):
    known = {"ADDRESS": ["40 Oak Avenue Apartment 2", "P.O. Box 0077"]}
    assert known_at(scrubber, "moved to 40 Oak Ave last year", known, "40 Oak Ave", "ADDRESS")
    assert known_at(scrubber, "mail to PO Box 77", known, "PO Box 77", "ADDRESS")


def test_email_and_url_any_case(scrubber):
    known = {"EMAIL": ["Ilse.Quorvik@example.org"], "URL": ["https://quorvik-family.org"]}
    text = "wrote from ILSE.QUORVIK@EXAMPLE.ORG; photos at www.Quorvik-Family.org/album"
    assert known_at(scrubber, text, known, "ILSE.QUORVIK@EXAMPLE.ORG", "EMAIL")
    assert known_at(scrubber, text, known, "www.Quorvik-Family.org/album", "URL")


def test_email_and_url_win_over_a_known_name_inside_them(scrubber):
    text = "wrote from ilse.quorvik@mailbox.org, see https://quorvik.example.com/ilse"
    findings = scrubber.detect(text, known=PATIENT)
    assert [(text[f.start : f.end], f.entity_type) for f in findings] == [
        ("ilse.quorvik@mailbox.org", "EMAIL"), ("https://quorvik.example.com/ilse", "URL")]


def test_a_known_name_inside_a_facility_keeps_the_facility(scrubber):
    text = "Transferred from St. Anthony's Hospital on 3/4."
    plain = scrubber.detect(text)
    assert [(f.start, f.end, f.entity_type) for f in scrubber.detect(text, known={"NAME": ["Anthony Quorvik"]})] == [
        (f.start, f.end, f.entity_type) for f in plain]


# -- what is ignored, errors -----------------------------------------------------------------
def test_empty_one_letter_and_punctuation_values_are_ignored(scrubber):
    known = KnownIdentifiers({"NAME": ["", " ", "A", "--", None, float("nan")], "MRN": ["1", "12"], "EMAIL": [""]})
    assert known.n_values == 0 and not known
    text = "A pt seen at 1 pm, bed 12 -- plan A."
    assert scrubber.detect(text, known=known) == scrubber.detect(text)
    assert scrubber.detect(text, known={"NAME": ["A", ""], "MRN": ["12"]}) == scrubber.detect(text)


def test_a_single_string_or_number_is_one_value(scrubber):
    known = KnownIdentifiers({"NAME": "Ilse Quorvik", "MRN": 482913})
    assert known.n_values == 2
    assert found(scrubber, "quorvik, mrn 0048 2913", known, "known") == [("quorvik", "NAME"), ("0048 2913", "MRN")]


@pytest.mark.parametrize("bad", ["PERSON_NAME", "phone_number"])
def test_unknown_entity_type_is_a_value_error_naming_it(scrubber, bad):
    with pytest.raises(ValueError, match=bad):
        KnownIdentifiers({"NAME": ["Ilse Quorvik"], bad: ["617-555-0142"]})
    with pytest.raises(ValueError, match=bad) as err:
        scrubber.scrub("Ilse Quorvik called 617-555-0142", patient_id="p1", known={bad: ["617-555-0142"]})
    assert "617" not in str(err.value)


@pytest.mark.parametrize("bad", [{"Ilse Quorvik": ["NAME"]}, {"Quorvik": ["x"]}, {482913: ["MRN"]}])
def test_no_value_in_any_error(scrubber, bad):
    with pytest.raises(ValueError) as err:
        scrubber.detect("text", known=bad)
    message = str(err.value)
    assert "unknown entity type" in message
    assert "Quorvik" not in message and "482913" not in message


def test_known_must_be_a_mapping(scrubber):
    with pytest.raises(TypeError, match="mapping") as err:
        scrubber.detect("Ilse Quorvik", known=["Ilse Quorvik"])
    assert "Quorvik" not in str(err.value)
    with pytest.raises(TypeError, match="mapping"):
        KnownIdentifiers("Ilse Quorvik")


def test_repr_holds_no_value():
    known = KnownIdentifiers(PATIENT)
    assert repr(known) == f"KnownIdentifiers(<{known.n_values} values>)" and "Quorvik" not in repr(known)
    assert known.n_values == 9


# -- findings, scrubbing, the engine ---------------------------------------------------------
def test_findings_from_known_values_say_so(scrubber):
    text = "quorvik seen; number 482913"
    assert scrubber.detect(text) == []  # nothing here without the record
    findings = scrubber.detect(text, known=PATIENT)
    assert [(text[f.start : f.end], f.entity_type, f.recognizer, f.score) for f in findings] == [
        ("quorvik", "NAME", "known", 1.0), ("482913", "MRN", "known", 1.0)]


def test_scrub_replaces_every_variant(scrubber):
    text = ("QUORVIK, ILSE M. MRN 0048-2913. Ilse seen with son Tobek; quorvik's phone 6175550142, "
            "DOB 3/14/1931, lives at 12 Main St.\n--IMQ\n")
    out = scrubber.scrub(text, patient_id="p1", known=PATIENT).text
    for gone in ("quorvik", "ilse", "tobek", "2913", "0142", "1931", "main st", "imq"):
        assert gone not in out.lower(), gone
    # the same known values as a compiled object give the same result
    assert scrubber.scrub(text, patient_id="p1", known=KnownIdentifiers(PATIENT)).text == out


def test_scrub_many_takes_one_mapping_per_text(scrubber):
    texts = ["quorvik seen", "quorvik seen", "ostrega seen"]
    known = [PATIENT, None, {"NAME": ["Anna Ostrega"]}]
    results = list(scrubber.scrub_many(texts, patient_ids=["p1", "p2", "p3"], known=known))
    assert "quorvik" not in results[0].text and results[1].text == "quorvik seen"
    assert "ostrega" not in results[2].text


def test_known_dates_reuse_the_engines_date_spans(monkeypatch):
    """The date recognizer runs once per note, with or without known dates."""
    scrubber = Scrubber(key=KEY)
    scrubber.detect("warm up 3/4")
    calls = []
    original = DateRecognizer.find
    monkeypatch.setattr(DateRecognizer, "find", lambda self, view: calls.append(1) or original(self, view))
    text = "DOB 3/14/1931, seen 3/15/1931 by Dr. Ostrega"
    assert [f.recognizer for f in scrubber.detect(text, known=PATIENT) if f.entity_type == "DATE"] == [
        "known", "DateRecognizer"]
    assert len(calls) == 1


def test_entities_limit_known_findings_too():
    scrubber = Scrubber(key=KEY, entities=["NAME"])
    text = "quorvik, mrn 482913, DOB 3/14/1931"
    assert [(text[f.start : f.end], f.entity_type) for f in scrubber.detect(text, known=PATIENT)] == [
        ("quorvik", "NAME")]


def test_a_thousand_values_find_the_ones_in_the_note(scrubber):
    phones = [f"617-{a:03d}-{b:04d}" for a, b in zip(range(200, 700), range(1000, 9000, 16))]
    names = [f"Ann Zz{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}quorv" for i in range(500)]
    known = {"PHONE": phones, "NAME": names}
    assert KnownIdentifiers(known).n_values == 1000
    text = f"call (617) {phones[123][4:7]} {phones[123][8:]} or {phones[456].replace('-', '')}; ZZKBQUORV seen"
    got = found(scrubber, text, known, "known")
    assert [v for v, _ in got] == [f"(617) {phones[123][4:7]} {phones[123][8:]}", phones[456].replace("-", ""),
                                   "ZZKBQUORV"]


# -- properties --------------------------------------------------------------------------------
FILLER = ("pt", "seen", "today", "on", "the", "unit", "with", "stable", "vitals", "plan", "to", "continue",
          "lasix", "and", "monitor", "overnight", "no", "acute", "distress", "labs", "pending")
SURNAMES = ("Quorvik", "Ostrega", "Zelmanoff", "Brakwiese", "Tuvanski")


def _random_case(draw, word):
    flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.upper() if up else c.lower() for c, up in zip(word, flips))


@SETTINGS
@given(st.data())
def test_property_a_known_surname_anywhere_in_any_case_is_found(scrubber, data):
    surname = data.draw(st.sampled_from(SURNAMES))
    words = data.draw(st.lists(st.sampled_from(FILLER), min_size=0, max_size=25))
    position = data.draw(st.integers(0, len(words)))
    written = _random_case(data.draw, surname)
    words.insert(position, written)
    text = " ".join(words) + data.draw(st.sampled_from(["", ".", "'s", ",", "\n"]))
    start = len(" ".join(words[:position])) + (1 if position else 0)
    findings = scrubber.detect(text, known={"NAME": [f"Ilse {surname}"]})
    assert any(f.recognizer == "known" and f.entity_type == "NAME" and f.start == start
               and f.end == start + len(surname) for f in findings), (text, findings)
    assert surname.lower() not in scrubber.scrub(text, patient_id="p", known={"NAME": [f"Ilse {surname}"]}).text.lower()


@SETTINGS
@given(
    digits=st.text(alphabet="0123456789", min_size=10, max_size=10).filter(lambda d: d[0] not in "01"),
    separators=st.lists(st.sampled_from(["", " ", "-", ".", "  "]), min_size=2, max_size=2),
    parens=st.booleans(),
)
def test_property_a_known_phone_with_any_separators_is_found(scrubber, digits, separators, parens):
    area = f"({digits[:3]})" if parens else digits[:3]
    written = f"{area}{separators[0]}{digits[3:6]}{separators[1]}{digits[6:]}"
    text = f"pt called from {written} at noon"
    known = {"PHONE": [f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"]}
    start = text.index(written)
    findings = [f for f in scrubber.detect(text, known=known) if f.recognizer == "known"]
    assert findings and findings[0].entity_type == "PHONE"
    assert findings[0].start <= start + (1 if parens else 0) and findings[0].end == start + len(written)
    assert not re.search(digits[6:], scrubber.scrub(text, patient_id="p", known=known).text)


@SETTINGS
@given(note=st.sampled_from(NEGATIVE_NOTES), surname=st.sampled_from(SURNAMES))
def test_property_known_values_only_add_to_what_the_engine_finds(scrubber, note, surname):
    """Known values never remove or shrink a finding: every span found without them is
    still covered with them."""
    text = f"{note} {surname} seen."
    plain = scrubber.detect(text)
    with_known = scrubber.detect(text, known={"NAME": [f"Tobek {surname}"], "MRN": ["00482913"]})
    for f in plain:
        assert any(g.start <= f.start and f.end <= g.end for g in with_known)

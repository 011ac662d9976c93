"""How a raw value is found in the scrubbed data: verbatim, case-folded, digits reformatted,
dates in another format, tokens together; and what does not count (ordinary words, numbers
inside longer numbers, short values out of their context, years, weekdays, "90+")."""

from __future__ import annotations

import pandas as pd
import pytest

from deid.verify import verify


def leaks_of(value: str, entity: str, scrubbed_note: str) -> list[tuple[str, str]]:
    """(surviving text, match) for one raw identifier value and one scrubbed note."""
    raw = pd.DataFrame({"id": [1], "value": [value], "note": ["(raw note: not compared)"]})
    out = pd.DataFrame({"id": [1], "value": ["[REMOVED]"], "note": [scrubbed_note]})
    result = verify(raw, out, row_key="id", identifiers={"value": entity}, detect=False)
    assert set(result.leaks["source"]) <= {"identifier"}
    return [(scrubbed_note[s:e], m) for s, e, m in result.leaks[["start", "end", "match"]].itertuples(index=False)]


@pytest.mark.parametrize("value, entity, note, expected", [
    # verbatim and case-folded
    ("Ann Lee", "NAME", "seen with Ann Lee today", [("Ann Lee", "verbatim")]),
    ("Ann Lee", "NAME", "SEEN WITH ANN LEE", [("ANN LEE", "casefold")]),
    ("Ann Lee", "NAME", "with ann\nlee", [("ann\nlee", "casefold")]),
    ("ann.lee@gmail.com", "EMAIL", "mail ANN.LEE@GMAIL.COM.", [("ANN.LEE@GMAIL.COM", "casefold")]),
    # numbers with other separators or none
    ("123-45-6789", "SSN", "ssn 123456789 on file", [("123456789", "digits")]),
    ("123456789", "SSN", "ssn 123 45 6789", [("123 45 6789", "digits")]),
    ("6175550142", "PHONE", "call (617) 555-0142 or 617.555.0142", [("617) 555-0142", "digits"),
                                                                        ("617.555.0142", "digits")]),
    ("00482913", "MRN", "mrn 482913, old 0048-2913", [("482913", "digits"), ("0048-2913", "digits")]),
    ("XJH-771-2345", "HEALTH_PLAN_ID", "member xjh7712345", [("xjh7712345", "digits")]),
    # dates of birth in other formats
    ("1931-03-14", "DATE", "dob March 14th, 1931 (3/14/31); 14 Mar 1931",
     [("March 14th, 1931", "date"), ("3/14/31", "date"), ("14 Mar 1931", "date")]),
    ("03/14/1931", "DATE", "born 1931-03-14", [("1931-03-14", "date")]),
    # multi-token values whose tokens survive together
    ("Ann Marie Lee", "NAME", "LEE, Ann Marie called", [("LEE, Ann Marie", "tokens")]),
    ("12 Main Street", "ADDRESS", "lives at 12 main st.", [("12 main st", "tokens")]),
    ("12 Main Street, Apt 4, Boston MA 02139", "ADDRESS", "lives at 12 MAIN ST in town",
     [("12 MAIN ST", "tokens")]),
    # a distinctive word of a name survives alone (a scrubber replaced only part of the name)
    ("Zebulon Quatermain", "NAME", "Q., Zebulon called", [("Zebulon", "part")]),
    ("Zebulon Quatermain", "NAME", "QUATERMAIN, Z.", [("QUATERMAIN", "part")]),
    # ordinary words count only as written (or in capitals, for names of one word)
    ("Will", "NAME", "pt will call back. Will called.", [("Will", "verbatim")]),
    ("Lee", "NAME", "LEE, seen; on the lee side", [("LEE", "casefold")]),
    ("Rose Hill", "LOCATION", "temp rose; rose hill; Hill, Rose", [("Hill, Rose", "tokens")]),
])
def test_survivals_are_found(value, entity, note, expected):
    assert leaks_of(value, entity, note) == expected


@pytest.mark.parametrize("value, entity, note", [
    ("123-45-6789", "SSN", "ref 1123-45-67890 and 9123456789"),  # inside longer numbers
    ("6175550142", "PHONE", "call 617-555-0143"),
    ("Ann Lee", "NAME", "Annie Leeds was here"),  # not whole words
    ("Ann Lee", "NAME", "Ann was seen. " + "word " * 12 + "Lee later"),  # tokens far apart
    ("Li", "NAME", "li and LI"),  # two letters: only as written
    ("May", "NAME", "pt may go home, MAY 2"),
    ("1931-03-14", "DATE", "born in 1931; seen 3/14"),  # a year or a month/day alone is not the date
    ("Rose Hill", "LOCATION", "temp rose, hill walking"),
    ("Ricky Smith", "NAME", "Ricky called"),  # a frequent name alone identifies no one
    ("2 Spring Court", "ADDRESS", "lives at 7 Spring Court"),  # another house
    ("00482913", "MRN", "dose 4829 mg"),
    ("", "NAME", "anything at all"),
    ("x", "NAME", "x marks"),
])
def test_what_does_not_count(value, entity, note):
    assert leaks_of(value, entity, note) == []


def test_detector_spans_unchanged_in_the_scrubbed_text():
    raw = ["Ms. Lee called from 617-555-0142 about Dr. Omobuwa; pt is 92 yo, seen Monday in 1992."]
    out = ["Ms. Lee called from 617 555 0142 about Dr. [NAME]; pt is 90+ yo, sat 92%, seen Monday in 1992."]
    result = verify(raw, out)
    got = [(out[0][s:e], t, m) for s, e, t, m in result.leaks[["start", "end", "entity_type", "match"]].itertuples(index=False)]
    # the age was top-coded (90+), "92%" is not the age, a weekday and a year identify no one
    assert got == [("Lee", "NAME", "verbatim"), ("617 555 0142", "PHONE", "digits")]
    assert (result.leaks["source"] == "detector").all()
    # where each came from in the raw text
    assert [raw[0][s:e] for s, e in result.leaks[["raw_start", "raw_end"]].itertuples(index=False)] == \
        ["Lee", "617-555-0142"]


def test_short_detector_values_need_their_context():
    raw = ["Ms. Lee called re: meds"]
    assert verify(raw, ["Ms. Kim called re: meds. Lee"]).ok  # "Lee" elsewhere, out of context
    assert not verify(raw, ["Ms. Lee phoned"]).ok  # the words before it survive
    assert not verify(raw, ["Mrs Lee called re: meds"]).ok  # the words after it survive
    assert not verify(["seen by Dr. Lee"], ["seen by [NAME] Lee"]).ok  # the end of the cell


def test_any_scrubber_output_is_accepted():
    raw = ["Pt John Smith (MRN 00482913) seen 7/22/2019, call 617-555-0142."]
    assert verify(raw, ["Pt **** ***** (MRN ********) seen ********, call ************."]).ok
    assert verify(raw, ["Pt <PERSON> (MRN <ID>) seen <DATE_TIME>, call <PHONE_NUMBER>."]).ok
    partly = verify(raw, ["Pt <PERSON> (MRN 482913) seen <DATE_TIME>, call <PHONE_NUMBER>."])
    assert partly.counts().to_dict() == {"MRN": 1}


def test_identical_output_leaks_every_finding(scrubber):
    text = "Pt John Smith (MRN 00482913) seen 7/22/2019 at Mercy Hospital, call 617-555-0142."
    findings = scrubber.detect(text)
    result = verify([text], [text], scrubber=scrubber)
    assert sorted(zip(result.leaks["start"], result.leaks["end"])) == [(f.start, f.end) for f in findings]
    assert (result.leaks["match"] == "verbatim").all()

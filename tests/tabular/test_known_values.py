"""A record's own identifiers (and a lookup table's) are known identifiers for the patient's
free text: scrub_frame hands them to the text engine (deid.text.KnownIdentifiers), which
finds them in their usual variants; the findings are replaced by the scrubber's operators."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from deid.tabular import Policy, scrub_frame
from deid.tabular._known import KnownByPatient, column_entity, id_text
from deid.tabular._policy import _safe_harbor_roles
from deid.text import KnownIdentifiers, Scrubber
from deid.transform import Key, pseudonym, surrogate

from .conftest import KEY, SETTINGS, TODAY

# "nesaeth" and "quorvik" are in no lexicon and written in lower case without context: the
# text engine alone cannot know they are names
NOTES = [
    "nesaeth stable overnight, plan home.",
    "Pt ref 00482913 in chart. Call back 617 555 0142. Seen 7/22/2019.",
    "quorvik brought clothes. She will call back tomorrow.",
    "NESAETH, JONAS seen; dob 3/14/1931.",
]


def frame() -> pd.DataFrame:
    # the structured cells of the last rows are empty: the patient's values still apply there
    return pd.DataFrame({
        "patient_id": ["p1"] * 4,
        "mrn": ["00482913", "00482913", None, None],
        "patient_name": ["Jonas Nesaeth", None, None, None],
        "dob": pd.to_datetime(["1931-03-14", None, None, None]),
        "phone": ["617-555-0142", None, None, None],
        "contact": ["Ilse Quorvik", None, None, None],
        "note": NOTES,
    })


def policy() -> Policy:
    return Policy.safe_harbor(dates="shift").with_columns(
        patient_id="id", mrn="mrn", patient_name="name", dob="birth_date", phone="phone", contact="name",
        note="text")


def scrub(df=None, pol=None, **kw):
    kw.setdefault("key", KEY)
    kw.setdefault("patient_column", "patient_id")
    kw.setdefault("today", TODAY)
    return scrub_frame(frame() if df is None else df, pol or policy(), **kw)


def test_known_values_off_gives_the_text_engine_nothing(monkeypatch):
    # (whether the text engine alone finds a lower-case name is deid.text's business; what
    # the table adds is the record's values, and without known_values it adds none)
    given = []
    real = Scrubber.detect_many

    def spy(self, texts, *args, known=None, **kwargs):
        known = None if known is None else list(known)
        given.append(known)
        return real(self, texts, *args, known=known, **kwargs)

    monkeypatch.setattr(Scrubber, "detect_many", spy)
    scrub(known_values=False)
    scrub()
    assert given[0] is None
    assert len(given[1]) == 4 and all(isinstance(k, KnownIdentifiers) for k in given[1])


def test_the_patients_values_are_found_in_every_row_of_the_patient():
    out = scrub()["note"].tolist()
    k = Key(KEY)
    joined = " ".join(out).lower()
    for value in ("nesaeth", "quorvik", "00482913", "617 555 0142", "3/14/1931", "jonas"):
        assert value not in joined, value
    # replaced as findings of their type, by the scrubber's operators: the same surrogate and
    # pseudonym as the row's own columns get
    assert out[0] == f"{surrogate('nesaeth', k)} stable overnight, plan home."
    assert pseudonym("00482913", k) in out[1]
    assert "will call back" in out[2]  # the verb stays
    assert out[3].startswith(surrogate("NESAETH, JONAS", k) + " seen")


def test_other_patients_values_are_not_searched():
    df = pd.concat([frame().iloc[:1], frame().iloc[[2]].assign(patient_id="p2")], ignore_index=True)
    df.loc[1, ["mrn", "patient_name", "contact"]] = ["11111111", "Ann Lee", "Bob Lee"]
    from deid.tabular._scrub import _known_identifiers

    pol = policy()
    known = _known_identifiers(df, pol.plan(df.columns), pol, df["patient_id"], ["note"], True, None)
    assert "Ilse Quorvik" in known.values_of("p1")["NAME"]
    assert known.values_of("p2")["NAME"] == ["Ann Lee", "Bob Lee"]  # p1's relative is not p2's
    out = scrub(df)["note"].tolist()
    assert "nesaeth" not in out[0]


def test_known_values_off_uses_only_the_lookup():
    lookup = pd.DataFrame({"pid": ["p1"], "rel": ["Ilse Quorvik"]})
    out = scrub(known_values=False, known=lookup, known_columns={"rel": "NAME"}, known_patient_column="pid")
    notes = out["note"].tolist()
    assert "quorvik" not in notes[2]
    assert notes[0].startswith("nesaeth")  # the frame's own name column is not used


def test_lookup_table_one_row_per_contact_with_joined_columns():
    notes = pd.DataFrame({"patient_id": [101, 101, 202], "note": [
        "dtr margie lathrup called re: discharge",
        "zorvath aware of plan; pt born 03/14/1931",
        "margie lathrup is not this patient's daughter",
    ]})
    lookup = pd.DataFrame({  # patient ids as text, as read from a CSV: they match by text
        "patient_id": ["101", "101", "101"],
        "first": ["Margie", "Zorvath", None],
        "last": ["Lathrup", "Rask", None],
        "dob": [None, None, "1931-03-14"],
    })
    pol = Policy({"patient_id": "keep", "note": "free_text"})
    out = scrub_frame(notes, pol, key=KEY, patient_column="patient_id", known=lookup,
                      known_columns={("first", "last"): "name", "dob": "birth_date"})["note"].tolist()
    assert "lathrup" not in out[0] and "margie" not in out[0]
    assert "zorvath" not in out[1] and "03/14/1931" not in out[1]
    assert "lathrup" in out[2]  # patient 202 has no known identifiers
    from deid.tabular._scrub import _check_lookup, _known_identifiers

    lookup = _check_lookup(lookup, {("first", "last"): "name", "dob": "birth_date"}, "patient_id")
    known = _known_identifiers(notes, pol.plan(notes.columns), pol, notes["patient_id"], ["note"], True, lookup)
    assert known.values_of(101) == {"MRN": ["101"], "NAME": ["Margie Lathrup", "Zorvath Rask"],
                                    "DATE": ["1931-03-14"]}
    assert known.values_of(202) == {"MRN": ["202"]}


def test_lookup_as_a_mapping():
    out = scrub(known_values=False, known={"p1": {"NAME": ["Ilse Quorvik"], "MRN": "00482913"}})["note"]
    assert "quorvik" not in out[2] and "00482913" not in out[1]


def test_known_by_patient_collects_the_union_of_rows_and_only_wanted_patients():
    known = KnownByPatient({"1", "2"})
    ids = id_text(pd.Series([1, 1, 2, 3]))
    assert ids.tolist() == ["1", "1", "2", "3"]
    known.add(ids, pd.Series(["Ann Lee", None, "Bo Li", "Cy Wu"]), "NAME")
    known.add(ids, pd.Series(pd.to_datetime(["1931-03-14", "1931-03-14", None, None])), "DATE")
    assert known.values_of(1) == {"NAME": ["Ann Lee"], "DATE": ["1931-03-14"]}
    assert known.values_of("3") == {} and known.get("3") is None
    compiled = known.get(1.0)
    assert isinstance(compiled, KnownIdentifiers) and known.get("1") is compiled  # cached
    found = Scrubber(key=KEY).detect("LEE, ANN born March 14th, 1931", known=compiled)
    assert [(f.entity_type, f.recognizer) for f in found] == [("NAME", "known"), ("DATE", "known")]


def test_column_entities():
    roles = _safe_harbor_roles("shift", None, "suppress")
    assert column_entity(roles["name"], "name", {}) == "NAME"
    assert column_entity(roles["birth_date"], "birth_date", {}) == "DATE"
    assert column_entity(roles["date"], "date", {}) is None  # admissions: not the person's identifier
    assert column_entity(roles["text"], "text", {}) is None
    from deid.tabular import Action

    assert column_entity(Action("surrogate", kind="phone"), None, {"phone": "PHONE"}) == "PHONE"
    assert column_entity(Action("keep"), None, {}) is None


@pytest.mark.parametrize("action, column, entity", [
    ("drop", "name", "NAME"),
    ("drop", "patient_name", "NAME"),
    ("suppress", "ssn", "SSN"),
    ("date_shift", "dob", "DATE"),
    ("generalize:year", "date_of_birth", "DATE"),
    ("generalize:zip3", "zip", "ZIP"),
    ("keep", "mrn", "MRN"),
    ("keep", "email", "EMAIL"),
    ("drop", "note_id", "ID"),           # dropped: a record number the notes may quote
    ("keep", "note_id", None),           # kept record numbers: not inferred (doses, lab values)
    ("keep", "sex", None),               # an attribute
    ("date_shift", "admit_date", None),  # a date of the stay, not of the person
    ("generalize:age_cap", "age", None),
    ("keep", "hba1c", None),             # the name says nothing
    ("free_text", "name", None),         # free text is scrubbed, not searched for
])
def test_column_entity_from_the_name_when_there_is_no_role(action, column, entity):
    from deid.tabular import Action

    assert column_entity(Action.parse(action), None, {}, column) == entity
    # a role given wins over the name; without the column name nothing is inferred
    assert column_entity(Action.parse(action), "attribute", {}, column) is None
    if action in ("drop", "suppress", "keep", "date_shift"):
        assert column_entity(Action.parse(action), None, {}) is None


def test_dropped_and_role_less_identifier_columns_are_known_values():
    # no roles at all: a dropped name, a shifted date of birth, a suppressed phone number
    pol = Policy({"patient_id": "keep", "mrn": "suppress", "patient_name": "drop", "dob": "date_shift",
                  "phone": "suppress", "contact_name": "drop", "note": "free_text"})
    df = frame().rename(columns={"contact": "contact_name"})  # "contact" alone names no role
    out = scrub(df, pol)
    assert "patient_name" not in out.columns
    joined = " ".join(out["note"]).lower()
    for value in ("nesaeth", "quorvik", "00482913", "617 555 0142", "3/14/1931", "jonas"):
        assert value not in joined, value
    # what made them known: the columns, by name (the text engine alone may or may not find
    # a lower-case name; these do not depend on it)
    from deid.tabular._scrub import _known_identifiers

    plan = pol.plan(df.columns)
    known = _known_identifiers(df, plan, pol, df["patient_id"], ["note"], True, None)
    assert known.values_of("p1") == {"MRN": ["p1", "00482913"], "NAME": ["Jonas Nesaeth", "Ilse Quorvik"],
                                     "DATE": ["1931-03-14"], "PHONE": ["617-555-0142"]}
    assert _known_identifiers(df, plan, Policy.safe_harbor(dates="shift").with_columns(
        patient_id="attribute", mrn="attribute", patient_name="attribute", dob="attribute", phone="attribute",
        contact_name="attribute", note="text"), df["patient_id"], ["note"], True, None).values_of("p1") == {}


@pytest.mark.parametrize("kwargs, message", [
    ({"known": {"p1": {"NAME": ["x"]}}, "patient_column": None}, "need a patient column"),
    ({"known": pd.DataFrame({"patient_id": ["p1"], "n": ["Secret Value"]})}, "give known_columns"),
    ({"known": pd.DataFrame({"patient_id": ["p1"], "n": ["Secret Value"]}), "known_columns": {"n": "PERSON"}},
     "'PERSON' is neither"),
    ({"known": pd.DataFrame({"patient_id": ["p1"], "n": ["Secret Value"]}), "known_columns": {"m": "NAME"}},
     "'m' are not in the lookup"),
    ({"known": pd.DataFrame({"pid": ["p1"], "n": ["Secret Value"]}), "known_columns": {"n": "NAME"}},
     "no patient column 'patient_id'"),
    ({"known": pd.DataFrame({"patient_id": [None], "n": ["Secret Value"]}), "known_columns": {"n": "NAME"}},
     "1 missing value"),
    ({"known_columns": {"n": "NAME"}}, "pass the table as known"),
    ({"known": {"p1": {"SECRET": ["Secret Value"]}}}, "'SECRET' is neither"),
])
def test_bad_known_input_is_a_clear_error_without_values(kwargs, message):
    kwargs.setdefault("patient_column", "patient_id")
    df = frame()
    if kwargs["patient_column"] is None:
        df = df.drop(columns="patient_id")
        pol = policy().without_columns("patient_id")
        with pytest.raises(ValueError, match=message) as err:
            scrub(df, pol, **kwargs)
    else:
        with pytest.raises(ValueError, match=message) as err:
            scrub(df, **kwargs)
    assert "Secret Value" not in str(err.value) and "Nesaeth" not in str(err.value)


def test_known_of_the_wrong_type():
    with pytest.raises(TypeError, match="list"):
        scrub(known=[("p1", "x")])


def test_nothing_known_for_patients_without_free_text():
    df = frame()
    df.loc[len(df)] = ["p9", "99999999", "Zed Orm", dt.datetime(1950, 1, 1), None, None, None]
    out = scrub(df)
    assert out["note"].isna().tolist() == [False] * 4 + [True]


_WORD = st.text("bcdfghjklmnprstvz", min_size=2, max_size=3).map(lambda c: "".join(x + "ae"[i % 2] for i, x in enumerate(c)) + "th")


@SETTINGS
@given(own=_WORD, other=_WORD, case=st.sampled_from([str.lower, str.upper, str.title]))
def test_a_patients_value_never_survives_in_their_notes_and_others_are_untouched(own, other, case):
    if own == other:
        return
    df = pd.DataFrame({
        "patient_id": ["a", "a", "b"],
        "name": [f"Ann {own.title()}", None, f"Bob {other.title()}"],
        "note": [f"seen by {case(own)} today", f"{case(other)} and {case(own)} talked", f"{case(own)} visited"],
    })
    pol = Policy({"patient_id": "keep", "name": "name", "note": "text"}, roles={"name": "surrogate:name",
                                                                            "text": "free_text"})
    on = scrub(df, pol)["note"].tolist()
    off = scrub(df, pol, known_values=False)["note"].tolist()
    assert own not in on[0].lower() and own not in on[1].lower()
    # the other patient's value is treated as without known identifiers
    assert (other in on[1].lower()) == (other in off[1].lower())
    assert on[2] == off[2]  # b's note holds only a's value: b's known identifiers change nothing


def test_word_like_known_name_is_not_matched_as_a_verb_after_pt():
    df = pd.DataFrame({"patient_id": ["p"], "name": ["Will Harlow"], "note": ["pt will need PT eval"]})
    pol = Policy({"patient_id": "keep", "name": "name", "note": "text"}, roles={"name": "surrogate:name",
                                                                            "text": "free_text"})
    assert scrub(df, pol)["note"][0] == "pt will need PT eval"


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["1", "2", "3", "4"]),
                          st.one_of(st.none(), st.integers(-5, 2000), st.sampled_from(["Ann Lee", "Bo Li", " "]))),
                max_size=40))
def test_known_by_patient_add_keeps_each_patients_values_in_row_order(rows):
    # the reference: one value at a time, in row order, missing and blank cells skipped
    expected: dict = {}
    for patient, value in rows:
        if patient == "4" or value is None or (isinstance(value, str) and not value.strip()):
            continue
        expected.setdefault(patient, {}).setdefault("ID", {})[str(value)] = None
    numbers = [v for _, v in rows if not isinstance(v, str)]
    known = KnownByPatient({"1", "2", "3"})
    patients = pd.Series([p for p, _ in rows], dtype=object).to_numpy()
    if len(numbers) == len(rows):  # all numbers (or missing): a nullable integer column
        values = pd.Series(numbers, dtype="Int64")
    else:
        values = pd.Series([v for _, v in rows], dtype=object)
    known.add(patients, values, "ID")
    for patient in ("1", "2", "3", "4"):
        assert known.values_of(patient).get("ID", []) == list(expected.get(patient, {}).get("ID", {}))


def test_value_text_of_integer_ids_is_vectorized_and_keeps_missing():
    from deid.tabular._known import value_text

    def texts(series):
        return [None if pd.isna(v) else v for v in value_text(series).tolist()]

    assert texts(pd.Series([12, 7, 12])) == ["12", "7", "12"]
    assert texts(pd.Series([12, None, 3], dtype="Int64")) == ["12", None, "3"]
    assert texts(pd.Series([12.0, None])) == ["12", None]

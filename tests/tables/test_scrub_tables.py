"""scrub_tables: joins survive, one token per id in every table, one date offset per patient
in every table and note, and every bad input fails before anything is scrubbed."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st

from deid.tabular import Policy, TablesResult, scrub_tables
from deid.transform import Key, date_shift_days, pseudonym, shift_date
from deid.transform._date_shift import DateWindowWarning

from .conftest import KEY, RELATIONS, SETTINGS, TODAY, linked_policies

JOINS = [  # (left table, right table, column): every raw join of the five tables
    ("encounters", "patients", "patient_id"),
    ("medications", "patients", "patient_id"),
    ("notes", "patients", "patient_id"),
    ("labs", "encounters", "encounter_id"),
    ("medications", "encounters", "encounter_id"),
    ("notes", "encounters", "encounter_id"),
]


def test_every_join_gives_the_same_rows_as_on_the_raw_data(tables, scrubbed):
    assert isinstance(scrubbed, TablesResult) and set(scrubbed) == set(tables)
    for left, right, column in JOINS:
        raw = tables[left].merge(tables[right], on=column, how="inner")
        out = scrubbed[left].merge(scrubbed[right], on=column, how="inner")
        assert len(raw) == len(out) > 0, (left, right)
        # and the same rows: the joined row keeps its left row's position
        raw_rows = tables[left].reset_index().merge(tables[right], on=column)["index"].sort_values().tolist()
        out_rows = scrubbed[left].reset_index().merge(scrubbed[right], on=column)["index"].sort_values().tolist()
        assert raw_rows == out_rows
    # labs -> encounters -> patients, two hops
    raw = tables["labs"].merge(tables["encounters"], on="encounter_id").merge(tables["patients"], on="patient_id")
    out = scrubbed["labs"].merge(scrubbed["encounters"], on="encounter_id").merge(scrubbed["patients"], on="patient_id")
    assert len(raw) == len(out) == len(tables["labs"])


def test_one_token_per_id_in_every_table(tables, scrubbed):
    key = Key(KEY)
    for space, columns in RELATIONS.items():
        pairs = pd.concat([
            pd.DataFrame({"raw": tables[t][c].to_numpy(dtype=object), "token": scrubbed[t][c].to_numpy(dtype=object)})
            for t, c in (col.split(".") for col in columns)
        ]).dropna()
        assert (pairs.groupby("raw")["token"].nunique() == 1).all(), space
        assert (pairs.groupby("token")["raw"].nunique() == 1).all(), space
    # the patient key space's token is deid.transform.pseudonym of the id (as in notes)
    first = tables["patients"]["patient_id"].iat[0]
    assert scrubbed["patients"]["patient_id"].iat[0] == pseudonym(first, key)
    # other key spaces are keyed in their own namespace: not the column's own hash_id space
    enc = tables["encounters"]["encounter_id"].iat[0]
    assert scrubbed["encounters"]["encounter_id"].iat[0] == pseudonym(enc, key, prefix="", namespace="encounter")


def _offsets(raw: pd.Series, out: pd.Series) -> np.ndarray:
    a = pd.to_datetime(raw, format="mixed")
    b = pd.to_datetime(out, format="mixed")
    return (b.dt.normalize() - a.dt.normalize()).dt.days.to_numpy()


def test_each_patient_moves_by_one_offset_in_every_table_and_note(tables, scrubbed):
    key = Key(KEY)
    per_row = []
    enc_patient = tables["encounters"].set_index("encounter_id")["patient_id"]
    for table, column, patients in [
        ("patients", "dob", tables["patients"]["patient_id"]),
        ("encounters", "admit_time", tables["encounters"]["patient_id"]),
        ("encounters", "discharge_date", tables["encounters"]["patient_id"]),
        ("labs", "charttime", tables["labs"]["encounter_id"].map(enc_patient)),
        ("medications", "start_date", tables["medications"]["patient_id"]),
        ("notes", "note_date", tables["notes"]["patient_id"]),
    ]:
        offsets = _offsets(tables[table][column], scrubbed[table][column])
        if table == "patients":  # dates of birth over 89 are top-coded, not shifted
            young = (pd.Timestamp(TODAY) - tables["patients"]["dob"]).dt.days < 89 * 365
            offsets, patients = offsets[young.to_numpy()], patients[young]
        per_row.append(pd.DataFrame({"patient": patients.to_numpy(), "offset": offsets, "table": table}))
    rows = pd.concat(per_row)
    assert rows["table"].nunique() >= 5
    by_patient = rows.groupby("patient")["offset"]
    assert (by_patient.nunique() == 1).all()
    for patient, offset in by_patient.first().items():
        assert offset == date_shift_days(key, patient)
    # the date written into each note moved by its patient's offset, in its own form
    for raw, out, patient in zip(tables["notes"]["text"], scrubbed["notes"]["text"], tables["notes"]["patient_id"]):
        assert "2021-05-06" in raw
        assert f"Follow-up on {shift_date('2021-05-06', date_shift_days(key, patient))}." in out


def test_times_of_day_are_kept(tables, scrubbed):
    for table, column in [("encounters", "admit_time"), ("labs", "charttime")]:
        raw, out = tables[table][column], scrubbed[table][column]
        assert out.dtype == raw.dtype
        assert (raw.dt.time == out.dt.time).all()


def test_no_original_id_survives_in_any_table(tables, scrubbed):
    ids = set(tables["patients"]["patient_id"]) | set(tables["encounters"]["encounter_id"])
    digits = {i.split("-")[1] for i in ids}
    for name, frame in scrubbed.items():
        text = frame.astype(str).to_csv(index=False)
        for value in ids | digits:
            assert value not in text, name


def test_report_names_tables_and_counts(scrubbed):
    report = scrubbed.report.set_index("table")
    assert report.loc["labs", "patient_column"] == "encounter_id -> encounters"
    assert report.loc["notes", "patient_column"] == "patient_id"
    assert report.loc["labs", "rows"] == len(scrubbed["labs"])
    spaces = scrubbed.key_spaces.set_index("key_space")
    assert spaces.loc["patient", "key"] == "patients.patient_id"
    assert spaces.loc["encounter", "distinct_ids"] == 90
    assert spaces.loc["patient", "token"] == "PAT-<16 hex digits>"


# -- bad input: a ValueError naming table and column, never a value ----------------------------
def _raises(tables, match, *, relations=RELATIONS, policies=None, **kwargs) -> str:
    with pytest.raises(ValueError, match=match) as exc:
        scrub_tables(tables, policies or linked_policies(), key=KEY, relations=relations, today=TODAY, **kwargs)
    message = str(exc.value)
    for frame in tables.values():
        for column in frame.columns:
            if frame[column].dtype == object or isinstance(frame[column].dtype, pd.StringDtype):
                for value in frame[column].dropna().astype(str).unique()[:200]:
                    if len(value) >= 4:
                        assert value not in message, "a value leaked into the message"
    return message


def _with(tables, **changes):
    out = dict(tables)
    out.update(changes)
    return out


def test_a_dangling_foreign_key_names_table_and_column(tables):
    labs = tables["labs"].copy()
    labs.loc[5, "encounter_id"] = "ENC-999999"
    message = _raises(_with(tables, labs=labs), "dangling foreign key")
    assert "'labs'" in message and "'encounter_id'" in message and "1 row(s)" in message
    assert "999999" not in message


def test_a_missing_foreign_key_is_allowed_but_a_missing_key_is_not(tables, scrubbed):
    # notes without an encounter: fine (see the fixture); a patient without an id: not
    assert tables["notes"]["encounter_id"].isna().any()
    assert scrubbed["notes"]["encounter_id"].isna().sum() == tables["notes"]["encounter_id"].isna().sum()
    patients = tables["patients"].copy()
    patients.loc[0, "patient_id"] = None
    _raises(_with(tables, patients=patients), r"key column 'patients.patient_id' has 1 missing")


@pytest.mark.parametrize("relations,match", [
    ({**RELATIONS, "patient": ["patients.patient_id", "visits.patient_id"]}, r"'visits.patient_id' names no table"),
    ({**RELATIONS, "patient": ["patients.patient_id", "encounters.pid"]}, r"table 'encounters' has no column 'pid'"),
    ({**RELATIONS, "patient": ["patients.patient_id", ("labs", "patient_id")]}, r"table 'labs' has no column"),
    ({**RELATIONS, "extra": ["labs.encounter_id"]}, r"already in key space 'encounter'"),
    ({"patient": ["patients.patient_id", "patients.patient_id"]}, r"listed twice"),
    ({"patient": []}, r"lists no column"),
    ({"patient": {"columns": ["patients.patient_id"], "salt": 3}}, r"unknown setting"),
    ({"patient": {"columns": ["patients.patient_id"], "length": 0}}, r"length"),
    ({"patient": ["patients.patient_id"], "encounter": {"columns": ["encounters.encounter_id"], "namespace": ""}},
     r"share the namespace"),
    ({}, r"relations must map"),
])
def test_bad_relations_are_refused(tables, relations, match):
    _raises(tables, match, relations=relations)


def test_incompatible_key_types_name_both_columns(tables):
    patients = tables["patients"].copy()
    encounters = tables["encounters"].copy()
    codes = {p: i for i, p in enumerate(patients["patient_id"])}
    patients["patient_id"] = patients["patient_id"].map(codes).astype("int64")
    message = _raises(_with(tables, patients=patients, encounters=encounters), "incompatible types")
    assert "'patients.patient_id' (integer)" in message and "(text)" in message
    dates = tables["encounters"].assign(encounter_id=tables["encounters"]["admit_time"])
    _raises(_with(tables, encounters=dates), r"'encounters.encounter_id' holds datetime")


def test_integer_keys_in_every_table_work(tables):
    codes = {p: 1000 + i for i, p in enumerate(tables["patients"]["patient_id"])}
    changed = {t: tables[t].assign(patient_id=tables[t]["patient_id"].map(codes)) for t in
               ("patients", "encounters", "medications", "notes")}
    changed["notes"] = changed["notes"].assign(text="seen")
    out = scrub_tables(_with(tables, **changed), linked_policies(), key=KEY, relations=RELATIONS, today=TODAY)
    assert len(out["encounters"].merge(out["patients"], on="patient_id")) == len(tables["encounters"])
    assert out["patients"]["patient_id"].iat[0] == pseudonym(1000, Key(KEY))


def test_ids_that_differ_only_in_case_are_refused(tables):
    encounters = tables["encounters"].copy()
    encounters.loc[0, "patient_id"] = encounters.loc[0, "patient_id"].lower()
    _raises(_with(tables, encounters=encounters), "case or spacing")
    notes = tables["notes"].assign(patient_id=tables["notes"]["patient_id"].str.lower())
    _raises(_with(tables, notes=notes), "written in another case or spacing in one table")
    patients = pd.concat([tables["patients"], tables["patients"].iloc[:1].assign(
        patient_id=lambda f: " " + f["patient_id"])], ignore_index=True)
    _raises(_with(tables, patients=patients), "only in case or spacing")


def test_token_collisions_are_detected(tables):
    relations = {**RELATIONS, "encounter": {"columns": RELATIONS["encounter"], "length": 1}}
    _raises(tables, r"key space 'encounter': \d+ token collision", relations=relations)


def test_a_policy_that_drops_a_key_column_is_refused(tables):
    policies = linked_policies()
    policies["labs"] = policies["labs"].with_columns(encounter_id="drop")
    _raises(tables, r"table 'labs' column 'encounter_id' is in key space 'encounter', but its policy says drop",
            policies=policies)


def test_policies_must_agree_on_date_settings(tables):
    policies = linked_policies()
    policies["labs"] = policies["labs"].with_options(keep_weekday=True)
    _raises(tables, r"'patients' and 'labs' differ in their date-shift settings", policies=policies)


def test_missing_and_extra_policies_and_tables(tables):
    policies = linked_policies()
    del policies["labs"]
    _raises(tables, r"no policy for table\(s\) 'labs'", policies=policies)
    _raises(tables, r"not given: 'ghost'", policies={**linked_policies(), "ghost": {}})
    with pytest.raises(TypeError, match="not a pandas DataFrame"):
        scrub_tables({**tables, "labs": [1]}, linked_policies(), key=KEY, relations=RELATIONS)


def test_a_table_with_dates_and_no_way_to_its_patients_is_refused(tables):
    relations = {"patient": RELATIONS["patient"], "encounter": ["encounters.encounter_id"]}
    _raises(tables, r"table 'labs': column\(s\) 'encounter_id' are not in the policy", relations=relations)
    policies = linked_policies()
    for table in ("labs", "medications", "notes"):
        policies[table] = policies[table].with_columns(encounter_id="id")
    _raises(tables, r"table 'labs' has dates to shift or free text, but no column in key space 'patient'",
            relations=relations, policies=policies)


def test_an_encounter_of_two_patients_cannot_date_its_labs(tables):
    encounters = pd.concat([tables["encounters"], tables["encounters"].iloc[:1].assign(
        patient_id=tables["patients"]["patient_id"].iat[-1]
        if tables["encounters"]["patient_id"].iat[0] != tables["patients"]["patient_id"].iat[-1]
        else tables["patients"]["patient_id"].iat[0])], ignore_index=True)
    _raises(_with(tables, encounters=encounters), r"table 'labs' reaches its patients through "
                                                   r"'encounters.encounter_id', but 1 of its ids belong")


# -- date-shift options through scrub_tables -----------------------------------------------------
def test_keep_weekday_and_a_stewards_offsets_table(tables):
    policies = {t: p.with_options(keep_weekday=True) for t, p in linked_policies().items()}
    out = scrub_tables(tables, policies, key=KEY, relations=RELATIONS, today=TODAY)
    for table, column in [("encounters", "admit_time"), ("labs", "charttime")]:
        assert (out[table][column].dt.day_of_week == tables[table][column].dt.day_of_week).all()
    moved = pd.to_datetime(out["encounters"]["discharge_date"], format="%m/%d/%Y")
    written = pd.to_datetime(tables["encounters"]["discharge_date"], format="%m/%d/%Y")
    assert (moved.dt.day_of_week == written.dt.day_of_week).all()

    ids = tables["patients"]["patient_id"].tolist()
    offsets = pd.DataFrame({"id": ids, "days": [7 * (i + 1) for i in range(len(ids))]})
    out = scrub_tables(tables, linked_policies(), key=KEY, relations=RELATIONS, today=TODAY, offsets=offsets)
    enc = tables["encounters"]
    days = (out["encounters"]["admit_time"] - enc["admit_time"]).dt.days
    assert (days == enc["patient_id"].map(dict(zip(ids, offsets["days"])))).all()
    lab_days = (out["labs"]["charttime"] - tables["labs"]["charttime"]).dt.days
    expected = tables["labs"]["encounter_id"].map(enc.set_index("encounter_id")["patient_id"]).map(
        dict(zip(ids, offsets["days"])))
    assert (lab_days == expected).all()
    for raw, new, patient in zip(tables["notes"]["text"], out["notes"]["text"], tables["notes"]["patient_id"]):
        assert shift_date("2021-05-06", int(offsets.set_index("id").loc[patient, "days"])) in new


def test_an_offsets_table_missing_a_patient_or_with_a_duplicate_is_refused(tables):
    ids = tables["patients"]["patient_id"].tolist()
    message = _raises(tables, r"1 patient id\(s\) are not in the offsets table",
                      offsets={i: 14 for i in ids[1:]})
    assert ids[0] not in message
    dupes = pd.DataFrame({"id": ids + [ids[0].lower()], "days": [14] * (len(ids) + 1)})
    _raises(tables, "listed more than once", offsets=dupes)


def test_dates_outside_the_window_are_reported_per_table_and_column(tables):
    last = tables["encounters"]["admit_time"].quantile(0.5).date().isoformat()
    policies = {t: p.with_options(date_window=("1900-01-01", last)) for t, p in linked_policies().items()}
    with pytest.warns(DateWindowWarning) as record:
        out = scrub_tables(tables, policies, key=KEY, relations=RELATIONS, today=TODAY)
    messages = [str(w.message) for w in record if issubclass(w.category, DateWindowWarning)]
    assert any(m.startswith("table 'encounters': column 'admit_time': ") and "outside the date window" in m
               for m in messages)
    assert not any(re.search(r"\d{4}-\d{2}-\d{2} \d{2}:", m) for m in messages)  # no date of the data
    report = out.report.set_index("table")
    assert report.loc["encounters", "dates_outside_window"] > 0
    # not clipped: the shift is the patient's offset, whatever the window
    days = (out["encounters"]["admit_time"] - tables["encounters"]["admit_time"]).dt.days
    assert (days == tables["encounters"]["patient_id"].map(lambda p: date_shift_days(Key(KEY), p))).all()


# -- properties ------------------------------------------------------------------------------
@st.composite
def relational(draw):
    n_patients = draw(st.integers(1, 12))
    pids = draw(st.lists(st.text("ABCDEFGHJK0123456789", min_size=3, max_size=6), min_size=n_patients,
                         max_size=n_patients, unique=True))
    n_enc = draw(st.integers(1, 25))
    owner = draw(st.lists(st.integers(0, n_patients - 1), min_size=n_enc, max_size=n_enc))
    n_labs = draw(st.integers(0, 40))
    lab_enc = draw(st.lists(st.integers(0, n_enc - 1), min_size=n_labs, max_size=n_labs))
    days = draw(st.lists(st.integers(0, 20000), min_size=n_enc, max_size=n_enc))
    patients = pd.DataFrame({"pid": pids, "sex": ["F"] * n_patients})
    encounters = pd.DataFrame({
        "eid": [f"E{i}" for i in range(n_enc)],
        "pid": [pids[o] for o in owner],
        "when": pd.Timestamp("1980-01-01") + pd.to_timedelta(days, "D"),
    })
    labs = pd.DataFrame({"eid": [f"E{i}" for i in lab_enc],
                         "at": pd.Timestamp("1990-06-01 08:00") + pd.to_timedelta(lab_enc, "h")})
    return {"patients": patients, "encounters": encounters, "labs": labs}


PROP_RELATIONS = {"patient": ["patients.pid", "encounters.pid"], "encounter": ["encounters.eid", "labs.eid"]}
PROP_POLICIES = {"patients": {"sex": "keep"}, "encounters": {"when": "date_shift"}, "labs": {"at": "date_shift"}}


@SETTINGS
@given(relational(), st.booleans())
def test_property_joins_and_offsets_survive(data, keep_weekday):
    policies = {t: Policy(p, keep_weekday=keep_weekday) for t, p in PROP_POLICIES.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = scrub_tables(data, policies, key=KEY, relations=PROP_RELATIONS)
    for left, right, col in [("encounters", "patients", "pid"), ("labs", "encounters", "eid")]:
        assert len(data[left].merge(data[right], on=col)) == len(out[left].merge(out[right], on=col))
    key = Key(KEY)
    expected = data["encounters"]["pid"].map(lambda p: date_shift_days(key, p, keep_weekday=keep_weekday))
    assert ((out["encounters"]["when"] - data["encounters"]["when"]).dt.days == expected).all()
    lab_patient = data["labs"]["eid"].map(data["encounters"].set_index("eid")["pid"])
    lab_days = (out["labs"]["at"] - data["labs"]["at"]).dt.days
    assert (lab_days == lab_patient.map(lambda p: date_shift_days(key, p, keep_weekday=keep_weekday))).all()


@SETTINGS
@given(relational(), st.data())
def test_property_any_dangling_key_is_refused_without_its_value(data, draw):
    labs = data["labs"]
    if not len(labs):
        labs = pd.DataFrame({"eid": ["E0"], "at": [pd.Timestamp("2000-01-01")]})
    row = draw.draw(st.integers(0, len(labs) - 1))
    labs = labs.copy()
    labs.loc[row, "eid"] = "Q-NOT-AN-ENCOUNTER"
    with pytest.raises(ValueError, match=r"table 'labs' column 'eid': \d+ row\(s\)") as exc:
        scrub_tables({**data, "labs": labs}, PROP_POLICIES, key=KEY, relations=PROP_RELATIONS)
    assert "NOT-AN" not in str(exc.value)


def test_offsets_is_the_one_name_of_the_stewards_table(tables):
    from deid.tabular import scrub_frame

    ids = tables["patients"]["patient_id"].tolist()
    with pytest.raises(TypeError, match="date_offsets"):
        scrub_tables(tables, linked_policies(), key=KEY, relations=RELATIONS, date_offsets={i: 7 for i in ids})
    with pytest.raises(TypeError, match="date_offsets"):
        scrub_frame(tables["encounters"], {"admit_time": "date_shift"}, key=KEY, date_offsets={})


# -- a patient's identifiers from every table, in every table's free text --------------------------
def _people():
    """The name and the phone number are only in ``patients``; the note mentions the
    surname alone in lower case and the phone number without separators."""
    patients = pd.DataFrame({"patient_id": ["Q-1", "Q-2"], "full_name": ["Wendell Brackhurst", "Ottilie Marchbanks"],
                             "phone": ["617-555-0199", "508-555-0123"], "sex": ["M", "F"]})
    visits = pd.DataFrame({"visit_id": ["V1", "V2", "V3"], "patient_id": ["Q-1", "Q-1", "Q-2"],
                           "admit": pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01"])})
    notes = pd.DataFrame({"visit_id": ["V1", "V2", "V3"], "text": [
        "brackhurst stable overnight. call 6175550199 if worse.",
        "Seen with wife; brackhurst asks about rehab.",
        "marchbanks stable; brackhurst is not this patient.",
    ]})
    policies = {"patients": {"full_name": "drop", "phone": "suppress", "sex": "keep"},
                "visits": {"admit": "date_shift"}, "notes": {"text": "free_text"}}
    relations = {"patient": ["patients.patient_id", "visits.patient_id"], "visit": ["visits.visit_id", "notes.visit_id"]}
    return {"patients": patients, "visits": visits, "notes": notes}, policies, relations


def test_notes_know_the_patients_identifiers_from_other_tables(monkeypatch):
    import deid.tabular._scrub as scrub_module

    tables, policies, relations = _people()
    seen = {}
    real = scrub_module.scrub_frame

    def spy(frame, policy, **kwargs):
        seen[tuple(frame.columns)] = kwargs
        return real(frame, policy, **kwargs)

    monkeypatch.setattr(scrub_module, "scrub_frame", spy)
    out = scrub_tables(tables, policies, key=KEY, relations=relations)
    # the notes table's free text got every table's values of its patients (and nothing else
    # did: tables without free text need none)
    notes_call = next(kw for cols, kw in seen.items() if "text" in cols)
    store = notes_call["known"]
    assert store.values_of("Q-1") == {"MRN": ["Q-1"], "NAME": ["Wendell Brackhurst"], "PHONE": ["617-555-0199"],
                                      "ID": ["V1", "V2"]}
    assert store.values_of("Q-2")["NAME"] == ["Ottilie Marchbanks"]
    assert all(kw.get("known") is None for cols, kw in seen.items() if "text" not in cols)
    assert len(seen) == 3
    notes = out["notes"]["text"].tolist()
    # the patients table's dropped name and suppressed phone, found through notes -> visits -> patients
    assert "brackhurst" not in notes[0].lower() and "6175550199" not in notes[0]
    assert "brackhurst" not in notes[1].lower() and notes[1].startswith("Seen with wife; ")
    # only the patient's own values: Q-2's note keeps Q-1's surname, and loses its own
    assert "marchbanks" not in notes[2].lower() and "brackhurst" in notes[2]
    assert "full_name" not in out["patients"].columns and out["patients"]["phone"].isna().all()
    # the tables given are untouched
    assert tables["notes"]["text"].iat[0].startswith("brackhurst")


def test_known_identifiers_from_a_table_with_its_own_patient_column_and_a_role():
    tables, policies, relations = _people()
    tables["notes"] = tables["notes"].assign(patient_id=["Q-1", "Q-1", "Q-2"])
    relations["patient"].append("notes.patient_id")
    policies["patients"] = Policy.safe_harbor().with_columns(full_name="name", phone="phone", sex="attribute")
    out = scrub_tables(tables, policies, key=KEY, relations=relations)
    notes = out["notes"]["text"].tolist()
    assert "brackhurst" not in notes[0].lower() and "brackhurst" not in notes[1].lower()
    assert "brackhurst" in notes[2]


@SETTINGS
@given(st.sampled_from(["Brackhurst", "Quillfeather", "Dunsmore", "Tollemache"]), st.sampled_from([str.lower, str.upper, str.title]))
def test_property_a_surname_of_the_patients_table_never_survives_in_their_notes(surname, case):
    tables, policies, relations = _people()
    tables["patients"].loc[0, "full_name"] = f"Wendell {surname}"
    tables["notes"].loc[1, "text"] = f"Seen with wife; {case(surname)} asks about rehab."
    out = scrub_tables(tables, policies, key=KEY, relations=relations)
    assert surname.lower() not in out["notes"]["text"].iat[1].lower()

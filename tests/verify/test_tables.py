"""deid.verify on tables: realistic raw and scrubbed frames (scrub_frame's output, and outputs
with planted survivals), row alignment, pooling per patient, lookup tables, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deid.tabular import Policy, scrub_frame
from deid.verify import LEAK_COLUMNS, verify

from .conftest import KEY


@pytest.fixture(scope="module")
def notes_table(corpus) -> pd.DataFrame:
    """One row per synthetic note, with its patient's structured identifiers."""
    rows = []
    for n in corpus.notes:
        r = corpus.records[n.patient_id]
        rows.append({
            "note_id": n.note_id, "patient_id": r.patient_id, "mrn": r.mrn,
            "name": f"{r.first_name} {r.last_name}", "dob": r.date_of_birth.isoformat(),
            "phone": r.phone, "ssn": r.ssn, "street": r.address.street, "note": n.text,
        })
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy.safe_harbor(dates="shift").with_columns(
        note_id="id", patient_id="mrn", mrn="mrn", name="name", dob="birth_date", phone="phone", ssn="ssn",
        street="address", note="text")


@pytest.fixture(scope="module")
def scrubbed(notes_table, policy) -> pd.DataFrame:
    out = scrub_frame(notes_table, policy, key=KEY, patient_column="patient_id")
    return out.assign(note_id=notes_table["note_id"])  # the row key stays (it is not searched)


def _locations(result) -> set[tuple]:
    return set(result.leaks[["row", "column", "start", "end", "entity_type"]].itertuples(index=False, name=None))


def test_planted_survivals_are_reported_on_top_of_the_scrubbers_own(notes_table, scrubbed, policy):
    base = verify(notes_table, scrubbed, row_key="note_id", identifiers=policy, patient_column="patient_id")
    assert list(base.leaks.columns) == list(LEAK_COLUMNS)
    planted = scrubbed.copy()
    expected = set()
    rng = np.random.default_rng(3)
    for row in rng.choice(len(planted), 12, replace=False).tolist():
        r = notes_table.iloc[row]
        first, last = r["name"].split(" ", 1)
        phone = f"({r['phone'][:3]}) {r['phone'][3:6]}-{r['phone'][6:]}"
        prefix = f"cc: {last.upper()}, {first.upper()} / tel {phone} / mrn {r['mrn']} / "
        planted.loc[row, "note"] = prefix + planted.loc[row, "note"]
        i = prefix.index(last.upper())
        expected.add((row, "note", i, i + len(last) + 2 + len(first), "NAME"))
        i = prefix.index(phone)
        expected.add((row, "note", i + 1, i + len(phone), "PHONE"))  # digit groups: the "(" is not one
        i = prefix.index(r["mrn"])
        expected.add((row, "note", i, i + len(r["mrn"]), "MRN"))
    # a structured column left as it was, in two rows
    planted.loc[[0, 5], "ssn"] = notes_table.loc[[0, 5], "ssn"]
    expected |= {(0, "ssn", 0, len(notes_table["ssn"][0]), "SSN"), (5, "ssn", 0, len(notes_table["ssn"][5]), "SSN")}
    result = verify(notes_table, planted, row_key="note_id", identifiers=policy, patient_column="patient_id")
    got = _locations(result)
    # the base leaks lie in the notes: shifted by the planted prefix where one was added
    assert expected <= got
    assert len(got - expected) == len(_locations(base))
    assert result.exit_code == 1 and not result.ok


def test_structured_columns_left_unscrubbed_leak_row_by_row(notes_table):
    raw = notes_table.drop(columns="note")
    out = raw.assign(name="[NAME]", phone=raw["phone"].str[:3] + ".xxx")
    ids = {"name": "NAME", "mrn": "MRN", "phone": "PHONE", "ssn": "SSN"}
    result = verify(raw, out, identifiers=ids, detect=False)
    counts = result.counts("column").to_dict()
    assert counts == {"mrn": len(out), "ssn": len(out)}
    assert (result.leaks["start"] == 0).all() and (result.leaks["match"] == "verbatim").all()
    assert result.leaks["row"].tolist() == result.leaks["raw_row"].tolist()
    # the other text columns go through the detector: an unchanged street or date of birth is found
    detected = verify(raw, out, identifiers=ids).counts("column").to_dict()
    assert detected["street"] >= 0.9 * len(out) and detected["dob"] >= 0.9 * len(out)


def test_rows_match_by_key_in_any_order_and_unmatched_rows_are_counted():
    raw = pd.DataFrame({"key": [10, 11, 12, 13], "name": ["Ann Lee", "Bo Chen", "Cy Wu", "Di Ek"],
                        "note": ["x", "y", "z", "w"]})
    out = pd.DataFrame({"key": ["13", "11", "10", "99"],  # text keys match integer keys
                        "name": ["[N]", "[N]", "[N]", "[N]"],
                        "note": ["Di Ek here", "nothing", "ANN LEE", "Ann Lee"]})
    result = verify(raw, out, row_key="key", identifiers={"name": "NAME"}, detect=False)
    assert (result.raw_only, result.scrubbed_only, result.n_records) == (1, 1, 3)
    assert result.leaks[["row", "raw_row", "match"]].values.tolist() == [[0, 3, "verbatim"], [2, 0, "casefold"]]
    # by position the rows are other records: no row holds its own raw name
    assert verify(raw, out, identifiers={"name": "NAME"}, detect=False).ok


def test_a_key_of_several_columns():
    raw = pd.DataFrame({"a": [1, 1], "b": ["x", "y"], "name": ["Ann Lee", "Bo Chen"]})
    out = pd.DataFrame({"a": [1, 1], "b": ["y", "x"], "name": ["Bo Chen", "[N]"]})
    result = verify(raw, out, row_key=["a", "b"], identifiers={"name": "NAME"}, detect=False)
    assert result.leaks[["row", "raw_row"]].values.tolist() == [[0, 1]]


def test_patient_values_are_looked_for_in_every_row_of_the_patient():
    raw = pd.DataFrame({"id": [1, 2, 3], "pid": ["p", "p", "q"], "name": ["Ann Quorvik", None, "Bo Chen"],
                        "note": ["a", "b", "c"]})
    out = raw.assign(name="[N]", note=["seen", "Quorvik, Ann called", "Ann Quorvik"])
    pooled = verify(raw, out, row_key="id", identifiers={"name": "NAME"}, patient_column="pid", detect=False)
    assert pooled.leaks[["row", "raw_row", "match"]].values.tolist() == [[1, 0, "tokens"]]
    alone = verify(raw, out, row_key="id", identifiers={"name": "NAME"}, detect=False)
    assert alone.ok  # row 2 has no name of its own; row 3 is another patient's


def test_lookup_table_and_mapping_of_known_identifiers():
    raw = pd.DataFrame({"id": [1, 2], "pid": [7, 8], "note": ["x", "y"]})
    out = raw.assign(note=["daughter Margie Lathrup called, dob 3/14/1931", "Margie Lathrup"])
    lookup = pd.DataFrame({"pid": ["7", "7"], "first": ["Margie", None], "last": ["Lathrup", None],
                           "dob": [None, "1931-03-14"]})
    result = verify(raw, out, row_key="id", patient_column="pid", known=lookup,
                    known_columns={("first", "last"): "name", "dob": "birth_date"}, detect=False)
    assert result.leaks[["row", "entity_type", "match", "source", "raw_column"]].values.tolist() == [
        [0, "NAME", "verbatim", "known", "first+last"], [0, "DATE", "date", "known", "dob"]]
    mapping = verify(raw, out, row_key="id", patient_column="pid", known={7: {"NAME": ["Margie Lathrup"]}},
                     detect=False)
    assert mapping.leaks[["row", "source"]].values.tolist() == [[0, "known"]]


def test_known_identifiers_help_the_detector_in_the_raw_text():
    # "quorvik" alone in a lower-case note: the detector finds it only as a known identifier
    raw = pd.DataFrame({"id": [1], "pid": ["p"], "name": ["Ilse Quorvik"], "note": ["clothes and quorvik"]})
    out = raw.assign(name="[N]", note="clothes and quorvik")
    plain = verify(raw, out, row_key="id", text_columns=["note"])
    assert plain.ok
    known = verify(raw, out, row_key="id", identifiers={"name": "NAME"}, patient_column="pid")
    assert known.leaks[["column", "start", "end", "source"]].values.tolist() == [["note", 12, 19, "detector"]]


def test_policy_as_identifiers_and_typed_columns(policy):
    raw = pd.DataFrame({"note_id": [1], "patient_id": [482913], "dob": pd.to_datetime(["1931-03-14"]),
                        "note": ["dob 3/14/1931"]})
    out = pd.DataFrame({"note_id": [1], "patient_id": [482913], "dob": pd.to_datetime(["1931-03-14"]),
                        "note": ["born 14 March 1931"]})
    result = verify(raw, out, row_key="note_id", identifiers=policy, detect=False)
    assert sorted(result.leaks[["column", "entity_type", "match"]].values.tolist()) == [
        ["dob", "DATE", "verbatim"], ["note", "DATE", "date"], ["patient_id", "MRN", "verbatim"]]
    assert verify(raw, out, row_key="note_id", identifiers=policy, detect=False, entities=["MRN"]).n_leaks == 1


def test_chunks_give_the_same_result(notes_table, scrubbed, policy):
    a = verify(notes_table, scrubbed, row_key="note_id", identifiers=policy, patient_column="patient_id")
    b = verify(notes_table, scrubbed, row_key="note_id", identifiers=policy, patient_column="patient_id",
               chunk_size=7)
    pd.testing.assert_frame_equal(a.leaks, b.leaks)


SECRET = "Zebulon Quatermain"


@pytest.mark.parametrize("kwargs, message", [
    ({"row_key": "nope"}, "row key column.*'nope'"),
    ({"identifiers": {"nope": "NAME"}}, "column 'nope' is not in the raw data"),
    ({"identifiers": {"name": "PERSON"}}, "'PERSON' is neither"),
    ({"text_columns": ["nope"]}, "'nope' not in the raw data"),
    ({"patient_column": "nope"}, "patient column 'nope'"),
    ({"known": {"p": {"NAME": [SECRET]}}}, "need a patient column"),
    ({"known_columns": {"name": "NAME"}}, "pass the table as known"),
    ({"entities": ["PERSON"]}, "PERSON"),
    ({"chunk_size": 0}, "chunk_size"),
    ({"patients": {"1": "p"}}, "patients is for folders"),
])
def test_bad_input_names_the_problem_never_a_value(kwargs, message):
    raw = pd.DataFrame({"id": [1, 2], "name": [SECRET, "Bo Chen"]})
    out = pd.DataFrame({"id": [1, 2], "name": ["[N]", "[N]"]})
    with pytest.raises(ValueError, match=message) as err:
        verify(raw, out, **kwargs)
    assert SECRET not in str(err.value)


def test_duplicate_keys_and_lengths():
    raw = pd.DataFrame({"id": [1, 1], "name": [SECRET, SECRET]})
    with pytest.raises(ValueError, match="raw: row key 'id' has 1 duplicate") as err:
        verify(raw, raw.iloc[:1], row_key="id")
    assert SECRET not in str(err.value)
    with pytest.raises(ValueError, match="raw has 2 rows and scrubbed 1"):
        verify(raw, raw.iloc[:1])
    with pytest.raises(TypeError, match="two DataFrames"):
        verify(raw, "a/path")


def test_reports_hold_no_values(notes_table, scrubbed, policy):
    leaky = scrubbed.assign(note=notes_table["note"])
    result = verify(notes_table, leaky, row_key="note_id", identifiers=policy, patient_column="patient_id")
    assert result.n_leaks > 100
    text = result.summary(max_locations=10_000) + result.to_json() + repr(result) + result.leaks.to_csv()
    for value in notes_table[["name", "mrn", "ssn", "phone", "street"]].stack().tolist():
        assert value not in text

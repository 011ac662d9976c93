"""Determinism, the patient records and their re-use across notes, JSONL, arguments."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from deid.synth import Corpus, CorpusGenerator, generate_corpus

ROOT = Path(__file__).resolve().parents[2]


def _fingerprint(corpus) -> str:
    h = hashlib.sha256()
    for n in corpus:
        h.update(json.dumps([n.note_id, n.patient_id, n.style, n.case, n.text,
                             [(s.start, s.end, s.entity_type, s.form) for s in n.spans],
                             [(d.start, d.end, d.kind) for d in n.decoys]]).encode())
    for r in corpus.records.values():
        h.update(json.dumps(r.to_dict(), sort_keys=True).encode())
    return h.hexdigest()


def test_same_seed_same_corpus_and_other_seed_other_corpus():
    a, b = generate_corpus(60, seed=3), generate_corpus(60, seed=3)
    assert _fingerprint(a) == _fingerprint(b)
    assert _fingerprint(a) != _fingerprint(generate_corpus(60, seed=4))


def test_same_corpus_in_another_process_with_other_hash_seed():
    """Set and dict orders differ between processes (PYTHONHASHSEED); the corpus must not."""
    code = ("import sys, json; sys.path.insert(0, sys.argv[1]);"
            "from tests.synth.test_synth_corpus import _fingerprint;"
            "from deid.synth import generate_corpus;"
            "print(_fingerprint(generate_corpus(40, seed=9)))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True,
                         env=env, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == _fingerprint(generate_corpus(40, seed=9))


def test_a_smaller_corpus_is_a_prefix_of_a_larger_one():
    small, large = generate_corpus(25, seed=2), generate_corpus(70, seed=2)
    # the last patient of the small corpus may be cut short; all notes before it match
    last = small.notes[-1].patient_id
    for a, b in zip(small.notes, large.notes):
        if a.patient_id == last:
            break
        assert (a.note_id, a.text, a.spans) == (b.note_id, b.text, b.spans)


def test_records_cover_exactly_the_patients_with_notes(corpus500):
    ids = {n.patient_id for n in corpus500}
    assert ids == set(corpus500.records)
    assert len({n.note_id for n in corpus500}) == len(corpus500)
    per_patient = defaultdict(int)
    for n in corpus500:
        per_patient[n.patient_id] += 1
    assert max(per_patient.values()) >= 5 and sum(v >= 2 for v in per_patient.values()) > 40


def test_record_fields_are_filled_and_well_formed(corpus500):
    for r in corpus500.records.values():
        assert r.first_name and r.last_name and r.sex in "FM"
        assert re.fullmatch(r"\d{7,8}", r.mrn) and re.fullmatch(r"\d{9}", r.ssn)
        assert re.fullmatch(r"[2-9]\d{9}", r.phone)
        assert re.fullmatch(r"\d{5}(-\d{4})?", r.address.zip) and len(r.address.state) == 2
        assert r.address.street and r.address.city and r.health_plan_id
        assert r.contacts and all(c.first_name and c.relation and c.phone for c in r.contacts)
        assert r.clinicians and r.date_of_birth < r.admission_date


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def test_identifiers_in_notes_are_the_patients_own(corpus500):
    """MRN, SSN, plan id, ZIP, e-mail and name spans re-use the record's values."""
    checked = defaultdict(int)
    for n in corpus500:
        r = corpus500.records[n.patient_id]
        names = {x.lower() for x in (r.first_name, r.last_name, r.nickname) if x}
        for s in n.spans:
            text = n.text[s.start:s.end]
            if s.entity_type == "MRN" and s.form != "outside":
                assert _digits(text).lstrip("0") == r.mrn.lstrip("0")
                checked["MRN"] += 1
            elif s.entity_type == "SSN":
                assert r.ssn.endswith(_digits(text))
                checked["SSN"] += 1
            elif s.entity_type == "HEALTH_PLAN_ID":
                assert text.upper() == r.health_plan_id.upper()
                checked["PLAN"] += 1
            elif s.entity_type == "ZIP":
                assert text.upper() == r.address.zip.upper()
                checked["ZIP"] += 1
            elif s.entity_type == "EMAIL" and s.form == "patient" and r.email:
                assert text.lower() == r.email.lower()
                checked["EMAIL"] += 1
            elif s.entity_type == "NAME" and s.form.startswith("patient."):
                if s.form.split(".")[1] == "initials":
                    assert text.replace(".", "").lower() == (r.first_name[0] + r.last_name[0]).lower()
                else:
                    tokens = {t for t in re.split(r"[^a-z'-]+", text.lower()) if len(t) > 1}
                    assert tokens & names, "a patient NAME span does not use the record's name"
                checked["NAME"] += 1
    assert min(checked.values()) > 0 and len(checked) == 6


def test_patient_values_recur_across_notes_in_varied_forms(corpus500):
    mrn_notes, mrn_forms, name_notes, name_forms = (defaultdict(set) for _ in range(4))
    for n in corpus500:
        for s in n.spans:
            if s.entity_type == "MRN" and s.form != "outside":
                mrn_notes[n.patient_id].add(n.note_id)
                mrn_forms[n.patient_id].add(n.text[s.start:s.end])
            if s.entity_type == "NAME" and s.form.startswith("patient."):
                name_notes[n.patient_id].add(n.note_id)
                name_forms[n.patient_id].add(s.form.split(".")[1])
    assert sum(len(v) >= 2 for v in mrn_notes.values()) >= 10
    assert sum(len(v) >= 2 for v in mrn_forms.values()) >= 5      # "00482913" and "482913"
    assert sum(len(v) >= 2 for v in name_notes.values()) >= 20
    assert sum(len(v) >= 3 for v in name_forms.values()) >= 10     # "Ms. Lee", "Lee, Ann", "ann"


@pytest.mark.parametrize("name", ["corpus.jsonl", "corpus.jsonl.gz"])
def test_jsonl_round_trip(tmp_path, name):
    corpus = generate_corpus(30, seed=5)
    path = corpus.to_jsonl(tmp_path / "sub" / name)
    assert path.exists() and not list(path.parent.glob("*.tmp"))
    back = Corpus.from_jsonl(path)
    assert _fingerprint(back) == _fingerprint(corpus)
    assert back.records == corpus.records and back.seed == 5
    assert [[s.form for s in n.spans] for n in back] == [[s.form for s in n.spans] for n in corpus]


def test_from_jsonl_reads_plain_notes_and_names_bad_lines_without_content(tmp_path):
    path = tmp_path / "notes.jsonl"
    path.write_text(json.dumps({"note_id": "a", "patient_id": "p", "style": "short",
                                "text": "Ann Lee seen", "spans": [[0, 7, "NAME"]]}) + "\n")
    c = Corpus.from_jsonl(path)
    assert len(c) == 1 and c[0].spans[0].entity_type == "NAME" and not c.records

    path.write_text('{"kind": "note", "text": "John Smith 617-555-0142"\n')
    with pytest.raises(ValueError) as err:
        Corpus.from_jsonl(path)
    assert "line 1" in str(err.value) and "notes.jsonl" in str(err.value)
    assert "John" not in str(err.value) and "555" not in str(err.value)


def test_style_weights_are_respected():
    only = generate_corpus(40, seed=1, styles={"radiology": 1.0})
    assert {n.style for n in only} == {"radiology"}
    two = generate_corpus(120, seed=1, styles=["short", "transfer"])
    assert {n.style for n in two} == {"short", "transfer"}
    skewed = generate_corpus(200, seed=1, styles={"short": 9, "discharge": 1})
    counts = {s: sum(n.style == s for n in skewed) for s in ("short", "discharge")}
    assert counts["short"] > 3 * counts["discharge"] > 0


@pytest.mark.parametrize("kwargs", [
    {"styles": {"poetry": 1}}, {"styles": {"nursing": 0}}, {"styles": []},
    {"styles": {"nursing": -1}}, {"seed": "x"}, {"notes_per_patient": 0.5},
])
def test_bad_arguments_raise(kwargs):
    with pytest.raises(ValueError):
        generate_corpus(5, **kwargs)


@pytest.mark.parametrize("n", [-1, 2.5, True])
def test_bad_note_count_raises(n):
    with pytest.raises(ValueError):
        CorpusGenerator().generate(n)


def test_zero_notes_and_iteration():
    assert len(generate_corpus(0)) == 0 and generate_corpus(0).records == {}
    c = generate_corpus(3, seed=8)
    assert list(c) == c.notes and c[0] is c.notes[0]
    assert c.notes_of(c[0].patient_id)[0] is c[0]


def test_span_table_has_no_text():
    table = generate_corpus(10, seed=2).span_table()
    assert list(table.columns) == ["note_id", "patient_id", "style", "case", "start", "end",
                                   "entity_type", "form"]
    assert len(table) > 0 and (table["end"] > table["start"]).all()

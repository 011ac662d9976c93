"""The public text API: Finding, ScrubResult, Scrubber.detect / detect_many / scrub /
scrub_many, deid.detect and deid.scrub_text."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import warnings

import pytest
from presidio_analyzer import Pattern, PatternRecognizer

import deid
from deid.text import Finding, Scrubber, ScrubResult, detect, scrub_text
from deid.transform import Key, date_shift_days

from .conftest import KEY, NEGATIVE_NOTES, OTHER_KEY, run_doctests

NOTE = (
    "Pt John Kowalski seen 7/22/2019 by Dr. Omobuwa. Daughter Margie called from 617-555-0142. "
    "MRN: 00482913. 94 yo F."
)


def _clear_key_env(monkeypatch):
    monkeypatch.delenv("DEID_KEY", raising=False)
    monkeypatch.delenv("DEID_KEY_FILE", raising=False)


def _texts(n: int = 50) -> list[str]:
    """Short notes with varied PHI (and a few without any)."""
    first = ["Margie", "Tomasz", "Yolanda", "Rose", "Omar", "Ingrid", "Kwame"]
    last = ["Kowalski", "Omobuwa", "Nguyen", "Okafor", "Lindqvist", "Garcia"]
    out = []
    for i in range(n):
        if i % 7 == 3:
            out.append("Strength 5/5, BP 120/80, 1/2 NS at 75 ml/hr.")
            continue
        out.append(
            f"Daughter {first[i % len(first)]} {last[i % len(last)]} called on {i % 12 + 1}/{i % 28 + 1}/20{10 + i % 14} "
            f"from 617-555-{1000 + i:04d}; MRN: {48291300 + i}. Seen by Dr. {last[(i + 2) % len(last)]}."
        )
    return out


# -- Finding and ScrubResult ----------------------------------------------------------------
def test_finding_fields_and_repr_without_text(scrubber):
    findings = scrubber.detect(NOTE)
    assert findings, "the note has PHI"
    for f in findings:
        assert isinstance(f, Finding)
        assert f.entity_type in deid.ENTITY_TYPES
        assert 0 <= f.start < f.end <= len(NOTE)
        assert 0.0 < f.score <= 1.0
        assert isinstance(f.recognizer, str) and f.recognizer
        value = NOTE[f.start : f.end]
        assert value not in repr(f) and value not in str(f)
    assert [f.entity_type for f in findings] == ["NAME", "DATE", "NAME", "NAME", "PHONE", "MRN", "AGE"]


def test_finding_is_immutable():
    f = Finding("NAME", 0, 4, 0.9, "NameRecognizer")
    with pytest.raises(AttributeError):
        f.start = 1  # type: ignore[misc]


def test_scrub_result_repr_shows_no_text(scrubber):
    result = scrubber.scrub(NOTE, patient_id="p1")
    assert isinstance(result, ScrubResult)
    assert result.text not in repr(result) and "Pt " not in repr(result)
    assert f"findings={len(result.findings)}" in repr(result)


# -- detect -----------------------------------------------------------------------------------
def test_empty_text_has_no_findings(scrubber):
    assert scrubber.detect("") == []
    assert detect("") == []
    assert scrubber.scrub("").text == ""


@pytest.mark.parametrize(
    ("value", "type_name"),
    [(42, "int"), (None, "NoneType"), (b"Dr. Kowalski 617-555-0142", "bytes"), (["Dr. Kowalski"], "list"), (3.5, "float")],
)
def test_non_str_raises_type_error_naming_the_type_only(scrubber, value, type_name):
    for call in (scrubber.detect, detect, lambda v: scrubber.scrub(v), lambda v: scrub_text(v, key=KEY)):
        with pytest.raises(TypeError) as info:
            call(value)
        message = str(info.value)
        assert type_name in message
        assert "Kowalski" not in message and "617" not in message and "42" not in message


def test_detect_many_item_type_error_names_position_and_type_only(scrubber):
    texts = ["Dr. Kowalski called.", 7, "Margie"]
    with pytest.raises(TypeError) as info:
        list(scrubber.detect_many(texts))
    assert str(info.value) == "texts[1] must be str, not int"


def test_detect_many_rejects_a_single_string_without_echoing_it(scrubber):
    with pytest.raises(TypeError) as info:
        list(scrubber.detect_many("Dr. Kowalski called"))
    assert "Kowalski" not in str(info.value)


def test_findings_in_order_non_overlapping(scrubber):
    findings = scrubber.detect(NOTE * 3)
    assert all(a.end <= b.start for a, b in zip(findings, findings[1:]))


@pytest.mark.parametrize("note", NEGATIVE_NOTES)
def test_no_findings_in_clinical_text_without_phi(scrubber, note):
    found = [(note[f.start : f.end], f.entity_type) for f in scrubber.detect(note)]
    assert found == []


def test_module_level_functions():
    assert [(f.entity_type, f.start, f.end) for f in detect("call 617-555-0142")] == [("PHONE", 5, 17)]
    assert deid.detect is detect and deid.scrub_text is scrub_text and deid.Scrubber is Scrubber
    result = scrub_text("Daughter Margie, call 617-555-0142", key=KEY)
    assert result.consistent and result.text.startswith("Daughter ") and result.text.endswith("call [PHONE]")
    assert "Margie" not in result.text


# -- detect_many ------------------------------------------------------------------------------
def test_detect_many_matches_detect_in_order(scrubber):
    texts = _texts(20)
    assert list(scrubber.detect_many(texts)) == [scrubber.detect(t) for t in texts]


def test_detect_many_is_lazy_on_a_generator(scrubber):
    pulled = []

    def gen():
        for i, t in enumerate(_texts(10)):
            pulled.append(i)
            yield t

    it = scrubber.detect_many(gen())
    assert pulled == []  # nothing is read before the first result is asked for
    first = next(it)
    assert first == scrubber.detect(_texts(10)[0])
    assert len(pulled) == 1
    assert len(list(it)) == 9


def test_detect_many_in_two_processes_gives_identical_findings(scrubber):
    texts = _texts(50)
    one = list(scrubber.detect_many(iter(texts), n_process=1))
    two = list(scrubber.detect_many(iter(texts), n_process=2, batch_size=7))
    assert two == one
    assert sum(map(len, one)) > 100


def test_detect_many_in_two_processes_streams_an_endless_iterator(scrubber):
    texts = _texts(10)
    endless = (texts[i % 10] for i in itertools.count())
    it = scrubber.detect_many(endless, n_process=2, batch_size=4)
    got = list(itertools.islice(it, 25))
    it.close()  # shuts the worker pool down
    assert got == [scrubber.detect(texts[i % 10]) for i in range(25)]


@pytest.mark.parametrize(("n_process", "batch_size"), [(0, 8), (-2, 8), (1.5, 8), (True, 8), (1, 0), (2, -1)])
def test_parallel_parameters_are_checked(scrubber, n_process, batch_size):
    with pytest.raises(ValueError):
        list(scrubber.detect_many(["x"], n_process=n_process, batch_size=batch_size))


# -- scrub_many -------------------------------------------------------------------------------
def test_scrub_many_with_patient_ids_matches_scrub(scrubber):
    texts = _texts(12)
    ids = [f"p{i % 3}" for i in range(12)]
    many = list(scrubber.scrub_many(texts, patient_ids=ids))
    assert [r.text for r in many] == [scrubber.scrub(t, p).text for t, p in zip(texts, ids)]
    assert [r.findings for r in many] == [scrubber.detect(t) for t in texts]


def test_scrub_many_in_two_processes_gives_identical_results(scrubber):
    texts = _texts(30)
    ids = [i % 4 for i in range(30)]
    one = [(r.text, r.findings) for r in scrubber.scrub_many(texts, patient_ids=ids)]
    two = [(r.text, r.findings) for r in scrubber.scrub_many(iter(texts), patient_ids=iter(ids), n_process=2, batch_size=4)]
    assert two == one


def test_workers_share_the_parents_random_key(monkeypatch):
    _clear_key_env(monkeypatch)
    s = Scrubber()
    texts = _texts(8)
    with pytest.warns(UserWarning):
        sequential = [s.scrub(t, "p1").text for t in texts]
    parallel = [r.text for r in s.scrub_many(texts, patient_ids=["p1"] * 8, n_process=2, batch_size=2)]
    assert parallel == sequential


@pytest.mark.parametrize("n_process", [1, 2])
def test_scrub_many_patient_ids_length_mismatch(scrubber, n_process):
    texts = _texts(4)
    with pytest.raises(ValueError, match="shorter"):
        list(scrubber.scrub_many(texts, patient_ids=["a", "b"], n_process=n_process))
    with pytest.raises(ValueError, match="longer"):
        list(scrubber.scrub_many(texts, patient_ids=["a"] * 5, n_process=n_process))


def test_scrub_many_without_patient_ids_matches_scrub(scrubber):
    texts = _texts(5)
    assert [r.text for r in scrubber.scrub_many(texts)] == [scrubber.scrub(t).text for t in texts]


# -- entities, threshold, extra recognizers ---------------------------------------------------
def test_entities_filter():
    s = Scrubber(key=KEY, entities=["PHONE", "MRN"])
    types = [f.entity_type for f in s.detect(NOTE)]
    assert types == ["PHONE", "MRN"]
    # a single string is one entity type
    assert [f.entity_type for f in Scrubber(key=KEY, entities="AGE").detect(NOTE)] == ["AGE"]


def test_unknown_entity_raises_value_error_naming_it():
    with pytest.raises(ValueError, match="PERSON_NAME"):
        Scrubber(entities=["NAME", "PERSON_NAME"]).detect("x")


def test_threshold_drops_weaker_findings(scrubber):
    all_findings = scrubber.detect(NOTE)
    strong = Scrubber(key=KEY, threshold=0.9).detect(NOTE)
    assert strong and all(f.score >= 0.9 for f in strong)
    assert {(f.start, f.end) for f in strong} < {(f.start, f.end) for f in all_findings}
    assert Scrubber(key=KEY, threshold=1.0).detect("Call 617-555-0142") == []


@pytest.mark.parametrize("threshold", [-0.1, 1.5])
def test_threshold_out_of_range(threshold):
    with pytest.raises(ValueError, match="threshold"):
        Scrubber(threshold=threshold).detect("x")


def test_user_presidio_recognizer_for_person_maps_to_name():
    zorblax = PatternRecognizer(supported_entity="PERSON", patterns=[Pattern("nick", r"\bZorblax\b", 0.9)])
    text = "Covering resident Zorblax, then Dr. Kowalski."
    s = Scrubber(key=KEY, recognizers=[zorblax])
    found = [(text[f.start : f.end], f.entity_type, f.recognizer) for f in s.detect(text)]
    assert ("Zorblax", "NAME", "PatternRecognizer") in found
    assert ("Kowalski", "NAME", "NameRecognizer") in found
    assert "Zorblax" not in s.scrub(text).text


def test_user_recognizer_for_a_deid_entity_and_an_unknown_one():
    mrn = PatternRecognizer(supported_entity="MRN", patterns=[Pattern("mrn", r"\bQ\d{6}\b", 0.9)])
    widget = PatternRecognizer(supported_entity="WIDGET", patterns=[Pattern("w", r"\bW\d{6}\b", 0.9)])
    text = "ref Q123456 and W123456"
    s = Scrubber(key=KEY, recognizers=[mrn, widget])
    # WIDGET is not in deid's vocabulary: dropped
    assert [(text[f.start : f.end], f.entity_type) for f in s.detect(text)] == [("Q123456", "MRN")]
    assert s.scrub(text).text == "ref [MRN] and W123456"


def test_user_recognizer_offsets_map_back_through_zero_width_characters():
    mrn = PatternRecognizer(supported_entity="MRN", patterns=[Pattern("mrn", r"\bQ\d{6}\b", 0.9)])
    text = "note\u200b\u200b ref Q123456 end"
    found = Scrubber(key=KEY, entities=["MRN"], recognizers=[mrn]).detect(text)
    assert [text[f.start : f.end] for f in found] == ["Q123456"]


def test_extra_recognizer_must_be_a_recognizer():
    with pytest.raises(TypeError, match="dict"):
        Scrubber(recognizers=[{"entity": "NAME"}]).detect("x")


# -- scrubbing, consistency, date shifts --------------------------------------------------------
def test_default_operators(scrubber):
    result = scrubber.scrub(NOTE, patient_id="p1")
    out = result.text
    for value in ("John", "Kowalski", "Omobuwa", "Margie", "617-555-0142", "00482913", "7/22/2019"):
        assert value not in out
    assert "[PHONE]" in out and "[MRN]" in out and "90+" in out
    assert out.startswith("Pt ") and "Dr. " in out and "Daughter " in out  # context is kept
    assert result.findings == scrubber.detect(NOTE)  # offsets refer to the input


def test_same_key_and_patient_give_identical_output_across_scrubbers():
    a = Scrubber(key=KEY).scrub(NOTE, patient_id="MRN0012")
    b = Scrubber(key=KEY).scrub(NOTE, patient_id="MRN0012")
    assert a.text == b.text and a.findings == b.findings
    c = Scrubber(key=OTHER_KEY).scrub(NOTE, patient_id="MRN0012")
    assert c.text != a.text


def test_patients_dates_shift_by_their_own_offset(scrubber):
    key = Key(KEY)
    text = "Admitted 07/22/2019."
    shifted = {}
    for pid in ("p1", "p2", "p3"):
        out = scrubber.scrub(text, patient_id=pid).text
        m = re.fullmatch(r"Admitted (\d\d/\d\d/\d{4})\.", out)
        assert m, out
        got = dt.datetime.strptime(m.group(1), "%m/%d/%Y").date()
        assert got - dt.date(2019, 7, 22) == dt.timedelta(days=date_shift_days(key, pid))
        shifted[pid] = got
    assert len(set(shifted.values())) == 3


def test_month_day_keeps_its_form(scrubber):
    out = scrubber.scrub("Seen 7/22, next visit 8/5.", patient_id="p1").text
    m = re.fullmatch(r"Seen (\d{1,2})/(\d{1,2}), next visit (\d{1,2})/(\d{1,2})\.", out)
    assert m, out
    a = dt.date(2000, int(m.group(1)), int(m.group(2)))
    b = dt.date(2000 if int(m.group(3)) >= int(m.group(1)) else 2001, int(m.group(3)), int(m.group(4)))
    assert (a.month, a.day) != (7, 22)
    assert (b - a).days == 14  # the interval is kept


def test_without_a_key_results_are_not_consistent_and_warn(monkeypatch):
    _clear_key_env(monkeypatch)
    s = Scrubber()
    with pytest.warns(UserWarning, match="no key") as record:
        result = s.scrub(NOTE, patient_id="p1")
    assert result.consistent is False
    for w in record:
        assert "Kowalski" not in str(w.message) and "617" not in str(w.message)
    assert Scrubber(key=KEY).scrub(NOTE).consistent is True


def test_key_from_the_environment(monkeypatch):
    _clear_key_env(monkeypatch)
    monkeypatch.setenv("DEID_KEY", KEY)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from_env = Scrubber().scrub(NOTE, patient_id="p1")
    assert from_env.consistent is True
    assert from_env.text == Scrubber(key=KEY).scrub(NOTE, patient_id="p1").text


def test_no_key_warning_points_at_the_caller(monkeypatch):
    _clear_key_env(monkeypatch)
    with pytest.warns(UserWarning) as record:
        Scrubber().scrub(NOTE)
    assert record[0].filename == __file__


@pytest.mark.parametrize(
    "module", ["deid.text", "deid.text._scrubber", "deid.text._finding", "deid.text.recognizers"]
)
def test_docstring_examples(module):
    result = run_doctests(module)
    assert result.attempted > 0 and result.failed == 0

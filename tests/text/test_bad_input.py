"""Bad input: NUL bytes, mixed newlines, odd Unicode. PHI is still found, offsets point into
the original text, and no exception or warning message carries text from the input."""

from __future__ import annotations

import unicodedata
import warnings

import pytest

from deid.text import Scrubber, detect

from .conftest import KEY

FULL_WIDTH = str.maketrans("0123456789/-", "０１２３４５６７８９／－")


def _found(scrubber, text):
    return [(text[f.start : f.end], f.entity_type) for f in scrubber.detect(text)]


# (case id, text, the PHI in it exactly as written, with its type)
CASES = [
    (
        "nul-bytes",
        "Pt seen by Dr. Kowalski\x00 on 7/22/2019.\x00\x00 Call 617-555-0142.\x00",
        [("Kowalski", "NAME"), ("7/22/2019", "DATE"), ("617-555-0142", "PHONE")],
    ),
    (
        "crlf-and-cr",
        "Line one\r\nDaughter Margie called\r\nDr. Kowalski\rphone 617-555-0142\rdate 07/22/2019\r\n",
        [("Margie", "NAME"), ("Kowalski", "NAME"), ("617-555-0142", "PHONE"), ("07/22/2019", "DATE")],
    ),
    (
        "zero-width-in-name-and-phone",
        "Daughter Mar\u200bgie called from 617-\u200b555-0142 on 7/22.",
        [("Mar\u200bgie", "NAME"), ("617-\u200b555-0142", "PHONE"), ("7/22", "DATE")],
    ),
    (
        "zero-width-joiner-bom-soft-hyphen",
        "\ufeffSeen by Dr. Ko\u200dwal\u00adski; daughter Mar\u2060gie at 617-555-0142.",
        [("Ko\u200dwal\u00adski", "NAME"), ("Mar\u2060gie", "NAME"), ("617-555-0142", "PHONE")],
    ),
    (
        "many-zero-widths-before-phi",
        "\u200b" * 500 + "Seen by Dr. Kowalski on 7/22/2019, call 617-555-0142.",
        [("Kowalski", "NAME"), ("7/22/2019", "DATE"), ("617-555-0142", "PHONE")],
    ),
    (
        "non-breaking-spaces",
        "Seen by Dr.\u00a0Kowalski on\u00a007/22/2019, call 617\u00a0555\u00a00142.\u202fMRN:\u00a000482913",
        [("Kowalski", "NAME"), ("07/22/2019", "DATE"), ("617\u00a0555\u00a00142", "PHONE"), ("00482913", "MRN")],
    ),
    (
        "full-width-digits",
        "Seen on " + "07/22/2019".translate(FULL_WIDTH) + ", call " + "617-555-0142".translate(FULL_WIDTH) + ".",
        [("07/22/2019".translate(FULL_WIDTH), "DATE"), ("617-555-0142".translate(FULL_WIDTH), "PHONE")],
    ),
    (
        "full-width-month-day-and-ssn",
        "Seen " + "7/22".translate(FULL_WIDTH) + ", SSN " + "123-45-6789".translate(FULL_WIDTH),
        [("7/22".translate(FULL_WIDTH), "DATE"), ("123-45-6789".translate(FULL_WIDTH), "SSN")],
    ),
    (
        "unicode-dashes-and-quotes",
        "Dr. O\u2019Brien: call 617\u2013555\u20130142 \u2014 urgent.",
        [("O\u2019Brien", "NAME"), ("617\u2013555\u20130142", "PHONE")],
    ),
    (
        "everything-at-once",
        "\ufeff\x00Daughter Mar\u200bgie\r\ncalled\u00a0Dr.\u00a0Ko\u200bwalski\rat "
        + "617-555-0142".translate(FULL_WIDTH)
        + "\x00 on 7/22/2019\r\n",
        [
            ("Mar\u200bgie", "NAME"),
            ("Ko\u200bwalski", "NAME"),
            ("617-555-0142".translate(FULL_WIDTH), "PHONE"),
            ("7/22/2019", "DATE"),
        ],
    ),
]


@pytest.mark.parametrize(("text", "phi"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_phi_found_with_offsets_into_the_original_text(scrubber, text, phi):
    found = _found(scrubber, text)
    for value, entity in phi:
        assert (value, entity) in found, (value, found)


@pytest.mark.parametrize(("text", "phi"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_scrubbed_text_keeps_no_phi_and_keeps_the_odd_characters(scrubber, text, phi):
    out = scrubber.scrub(text, patient_id="p1").text
    for value, _ in phi:
        assert value not in out
        assert value.replace("\u200b", "") not in out
    # control characters and line breaks outside the PHI are kept as they were
    for odd in ("\x00", "\r\n", "\r", "\ufeff"):
        assert out.count(odd) == text.count(odd)


def test_empty_and_blank_texts(scrubber):
    for text in ("", " ", "\n\r\n", "\x00", "\u200b\u200b", "\ufeff", "\u00a0"):
        assert scrubber.detect(text) == []
        assert scrubber.scrub(text).text == text


def test_text_of_only_zero_width_characters_and_one_name(scrubber):
    text = "x\u200b" * 1000 + "Dr. Kowalski"
    assert _found(scrubber, text) == [("Kowalski", "NAME")]


def test_no_whitespace_at_all(scrubber):
    assert scrubber.detect("a" * 200_000) == []
    assert scrubber.detect("." * 10_000) == []


def test_emoji_and_right_to_left_marks_around_phi(scrubber):
    text = "\u202eDr. O\u2019Brien\u202c \U0001f600 called 617-555-0142 \U0001f600"
    assert _found(scrubber, text) == [("O\u2019Brien", "NAME"), ("617-555-0142", "PHONE")]


def test_decomposed_accents(scrubber):
    text = unicodedata.normalize("NFD", "Seen by Dr. José Núñez on 7/22.")
    assert _found(scrubber, text)[0] == (unicodedata.normalize("NFD", "José Núñez"), "NAME")
    out = scrubber.scrub(text, patient_id="p1").text
    assert unicodedata.normalize("NFD", "Núñez") not in out


# -- messages carry no input text ---------------------------------------------------------------
SECRET_NOTE = "Dr. Zbigniewa Kowalska 617-555-0142 7/22/2019"


@pytest.mark.parametrize("bad", [SECRET_NOTE.encode(), [SECRET_NOTE], {"note": SECRET_NOTE}, (SECRET_NOTE,)])
def test_type_errors_carry_no_input_text(scrubber, bad):
    for call in (scrubber.detect, detect, scrubber.scrub, lambda t: list(scrubber.detect_many([t]))):
        with pytest.raises(TypeError) as info:
            call(bad)
        message = str(info.value)
        assert "Kowalska" not in message and "Zbigniewa" not in message and "617" not in message
        assert type(bad).__name__ in message


def test_value_errors_carry_no_input_text(scrubber):
    with pytest.raises(ValueError) as info:
        list(scrubber.scrub_many([SECRET_NOTE, SECRET_NOTE], patient_ids=["Kowalska-MRN"]))
    assert "Kowalska" not in str(info.value)
    with pytest.raises(TypeError) as info2:
        list(scrubber.detect_many(SECRET_NOTE))
    assert "Kowalska" not in str(info2.value)


def test_warnings_carry_no_input_text(monkeypatch):
    monkeypatch.delenv("DEID_KEY", raising=False)
    monkeypatch.delenv("DEID_KEY_FILE", raising=False)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        Scrubber(nlp="no_such_spacy_model_installed").scrub(SECRET_NOTE, patient_id="Kowalska-MRN")
    assert len(record) >= 2  # the missing model, and the missing key
    for w in record:
        assert "Kowalska" not in str(w.message) and "617" not in str(w.message)


def test_odd_input_scrubs_without_warnings_under_a_key():
    s = Scrubber(key=KEY)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _, text, _ in CASES:
            s.scrub(text, patient_id="p1")

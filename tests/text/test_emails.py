"""EmailRecognizer: e-mail addresses; an "@" in clinical shorthand is not one."""

from __future__ import annotations

import pytest

from deid.text.recognizers.emails import EmailRecognizer

from .conftest import NEGATIVE_NOTES, assert_finds, case_styles, check_presidio_compat, run_doctests, values


@pytest.fixture(scope="module")
def rec() -> EmailRecognizer:
    return EmailRecognizer()


POSITIVE = [
    ("Write to ann.lee+icu@example.org.", ["ann.lee+icu@example.org"]),
    ("Daughter email: maria_garcia99@gmail.com, prefers email.", ["maria_garcia99@gmail.com"]),
    ("Son's email j.o'neil@mail.hospital.co.uk per chart.", ["j.o'neil@mail.hospital.co.uk"]),
    ("Contact (jdoe@example.com) for records.", ["jdoe@example.com"]),
    ("Emails: a.b@example.net; c-d@example.edu", ["a.b@example.net", "c-d@example.edu"]),
]


@pytest.mark.parametrize("style", ["mixed", "upper", "lower"])
@pytest.mark.parametrize(("note", "emails"), POSITIVE, ids=[p[0][:30] for p in POSITIVE])
def test_finds_emails_in_every_case_style(rec, note, emails, style):
    restyle = {"mixed": str, "upper": str.upper, "lower": str.lower}[style]
    assert_finds(rec, restyle(note), [restyle(e) for e in emails], "EMAIL")


def test_exact_span_excludes_trailing_period(rec):
    assert values(rec, "write to ann.lee+icu@example.org.") == ["ann.lee+icu@example.org"]


@pytest.mark.parametrize(
    "note",
    [
        "O2 sat @ 95%, seen @ 0800.",
        "Tylenol 650 mg @ hs.",
        "Met dr@ bedside.",
        "Error in user@localhost config.",  # no top-level domain
    ],
)
def test_at_signs_that_are_not_emails(rec, note):
    for _, styled in case_styles(note):
        assert values(rec, styled) == [], styled


@pytest.mark.parametrize("note", NEGATIVE_NOTES)
def test_nothing_in_clinical_text_without_phi(rec, note):
    assert values(rec, note) == []


def test_presidio_compatibility(rec):
    text = "Email ann.lee@example.org or jdoe@example.com."
    check_presidio_compat(rec, text, [("ann.lee@example.org", "EMAIL"), ("jdoe@example.com", "EMAIL")])


def test_docstring_examples():
    result = run_doctests("deid.text.recognizers.emails")
    assert result.attempted > 0 and result.failed == 0

"""UrlRecognizer: web addresses and domain names; abbreviations with periods and missing
spaces ("walked.to") are not domains."""

from __future__ import annotations

import pytest

from deid.text.recognizers.urls import UrlRecognizer

from .conftest import NEGATIVE_NOTES, assert_finds, case_styles, check_presidio_compat, run_doctests, values


@pytest.fixture(scope="module")
def rec() -> UrlRecognizer:
    return UrlRecognizer()


POSITIVE = [
    ("Portal https://portal.example.org/x?id=7, log in there.", ["https://portal.example.org/x?id=7"]),
    ("See www.clinic.com.", ["www.clinic.com"]),
    ("Results on mychart.example.com today.", ["mychart.example.com"]),
    ("Read about it on bbc.co.uk.", ["bbc.co.uk"]),
    ("Upload to ftp://files.example.net/a.pdf now.", ["ftp://files.example.net/a.pdf"]),
    ("Fundraiser page: gofundme.com/f/help-for-ann", ["gofundme.com/f/help-for-ann"]),
]


@pytest.mark.parametrize("style", ["mixed", "upper", "lower"])
@pytest.mark.parametrize(("note", "urls"), POSITIVE, ids=[p[0][:30] for p in POSITIVE])
def test_finds_urls_in_every_case_style(rec, note, urls, style):
    restyle = {"mixed": str, "upper": str.upper, "lower": str.lower}[style]
    assert_finds(rec, restyle(note), [restyle(u) for u in urls], "URL")


def test_exact_spans_drop_trailing_punctuation(rec):
    text = "see https://portal.example.org/x?id=7, or www.clinic.com."
    assert sorted(values(rec, text)) == ["https://portal.example.org/x?id=7", "www.clinic.com"]


def test_domain_inside_an_email_is_not_a_url(rec):
    assert values(rec, "email ann.lee@example.org") == []


@pytest.mark.parametrize(
    "note",
    [
        "Pt walked.to the door, then back to bed.",
        "Pt.in bed, resting.",
        "Tylenol 5.0 mg given.",
        "e.g. q.d. b.i.d. vs. a.m. p.m. i.e.",
        "Tol.well, d/c.home.",
    ],
)
def test_periods_that_are_not_domains(rec, note):
    for _, styled in case_styles(note):
        assert values(rec, styled) == [], styled


@pytest.mark.parametrize("note", NEGATIVE_NOTES)
def test_nothing_in_clinical_text_without_phi(rec, note):
    assert values(rec, note) == []


def test_presidio_compatibility(rec):
    text = "see https://portal.example.org/x?id=7 or www.clinic.com"
    check_presidio_compat(rec, text, [("https://portal.example.org/x?id=7", "URL"), ("www.clinic.com", "URL")])


def test_docstring_examples():
    result = run_doctests("deid.text.recognizers.urls")
    assert result.attempted > 0 and result.failed == 0

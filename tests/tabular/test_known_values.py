"""A record's own identifiers are known values for its patient's free text: what the text
engine misses there is still replaced, as a finding of its type would be."""

from __future__ import annotations

import pandas as pd
import pytest

from deid.tabular import Policy, scrub_frame
from deid.tabular._known import KnownValues, merge
from deid.text import Finding, Scrubber
from deid.transform import Key, pseudonym, surrogate

from .conftest import KEY, TODAY

NOTES = [
    "nesaeth stable overnight, plan home. Young family at bedside.",
    "Petersham resident; will call back.",
    "Pt ref 00482913 in chart, zip 01366 on file. Seen 7/22/2019.",
]


def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "mrn": ["00482913"] * 3,
        "patient_name": ["Jonas Nesaeth"] * 3,
        "city": ["Petersham"] * 3,
        "zip": ["01366"] * 3,
        "relative": ["Will Young"] * 3,
        "note": NOTES,
    })


def policy() -> Policy:
    return Policy.safe_harbor(dates="shift").with_columns(
        mrn="mrn", patient_name="name", city="location", zip="zip", relative="name", note="text")


@pytest.fixture(scope="module")
def dates_only():
    """A text engine that finds dates only: everything else must come from known values."""
    return Scrubber(key=KEY, entities=["DATE"], operators=policy().text_operators)


def test_known_values_are_replaced_consistently(dates_only):
    df = frame()
    out = scrub_frame(df, policy(), key=KEY, patient_column="mrn", scrubber=dates_only, today=TODAY)
    k = Key(KEY)
    first, second, third = out["note"]
    assert first.startswith(surrogate("nesaeth", k) + " stable")
    # "Young" is also a word: replaced where capitalized, as a name
    assert "Young" not in first and surrogate("Young", k) in first
    assert second == f"{surrogate('Petersham', k, 'location')} resident; will call back."  # "will" stays
    assert "00482913" not in third and pseudonym("00482913", k) in third
    assert "01366" not in third and "[ZIP]" in third
    assert "7/22/2019" not in third  # the text engine's own findings still apply
    # the row's own columns carry the same surrogates
    assert out["patient_name"][0] == surrogate("Jonas Nesaeth", k)
    assert out["mrn"][0] == pseudonym("00482913", k)


def test_known_values_off_and_per_patient(dates_only):
    df = frame()
    off = scrub_frame(df, policy(), key=KEY, patient_column="mrn", scrubber=dates_only, known_values=False,
                      today=TODAY)
    assert off["note"][1] == NOTES[1]
    # another patient's values are not searched for in this patient's notes
    two = pd.concat([df.iloc[[0]], df.iloc[[1]].assign(mrn="11111111", city="Boston", zip="02139")])
    out = scrub_frame(two.reset_index(drop=True), policy(), key=KEY, patient_column="mrn", scrubber=dates_only,
                      today=TODAY)
    assert out["note"][1] == NOTES[1]


def test_with_the_full_text_engine_nothing_known_survives():
    out = scrub_frame(frame(), policy(), key=KEY, patient_column="mrn", today=TODAY)
    text = " ".join(out["note"]).lower()
    for value in ("nesaeth", "petersham", "00482913", "01366", "young"):
        assert value not in text


def test_spans_and_merge():
    known = KnownValues()
    known.add_column(pd.Series(["p", "p", "q"]), pd.Series(["Will Li", "Ann  Marie Lee", "Bob Q Smith"]), "NAME")
    known.add_column(pd.Series(["p", "q"]), pd.Series(["12 Elm  St", "99"]), "ADDRESS")
    text = "Will said li and Li came; ann-marie lee will visit 12 elm st. Smith"
    found = [(text[s:e], ent) for s, e, ent in known.spans(text, "p")]
    # "li" and "lee" in lower case are not searched: a two-letter token and an English word
    assert found == [("Will", "NAME"), ("Li", "NAME"), ("marie", "NAME"), ("12 elm st", "ADDRESS")]
    assert known.spans(text, "q") == [(len(text) - 5, len(text), "NAME")]  # "99" is too short to search
    assert known.spans(text, "nobody") == []
    findings = [Finding("NAME", 0, 4, 0.9, "x"), Finding("DATE", 30, 40, 0.9, "x")]
    assert merge(findings, [(2, 6, "NAME"), (10, 12, "ID"), (35, 38, "ID")]) == \
        [(0, 4, "NAME"), (10, 12, "ID"), (30, 40, "DATE")]

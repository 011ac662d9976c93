"""Properties of deid.verify (hypothesis): a planted survival is always found where it was
planted, in whatever form; a different value never is; locations are always inside the text;
other records change nothing."""

from __future__ import annotations

import pandas as pd
from hypothesis import assume, given
from hypothesis import strategies as st

from deid.verify import verify

from .conftest import SETTINGS

_FILLER = st.text(alphabet="abcdefghij klmnop,.;:\n", max_size=40).map(lambda t: f"x {t} x")


def _formatted(draw, digits: str) -> str:
    """The digits in groups with separators ("617-555 0142", "(617)5550142", ...)."""
    out, i = [], 0
    while i < len(digits):
        size = draw(st.integers(2, 5))
        out.append(digits[i:i + size])
        i += size
    seps = draw(st.lists(st.sampled_from(["", " ", "-", ".", "/", " - "]), min_size=len(out) - 1,
                         max_size=len(out) - 1))
    text = out[0]
    for sep, group in zip(seps, out[1:]):
        text += sep + group
    return text


@st.composite
def number_cases(draw):
    digits = draw(st.text(alphabet="0123456789", min_size=7, max_size=11).filter(lambda d: d[0] != "0"))
    return digits, _formatted(draw, digits), draw(_FILLER), draw(_FILLER)


def _run(value: str, entity: str, note: str):
    raw = pd.DataFrame({"value": [value], "note": ["-"]})
    out = pd.DataFrame({"value": ["[X]"], "note": [note]})
    return verify(raw, out, identifiers={"value": entity}, detect=False)


@SETTINGS
@given(number_cases())
def test_a_number_in_any_grouping_is_found_where_it_was_planted(case):
    digits, written, before, after = case
    note = f"{before} {written} {after}"
    result = _run(digits, "PHONE", note)
    start = len(before) + 1
    spans = list(zip(result.leaks["start"], result.leaks["end"]))
    assert (start, start + len(written)) in spans
    for s, e in spans:
        assert 0 <= s < e <= len(note)


@SETTINGS
@given(number_cases(), st.integers(0, 6))
def test_another_number_is_not_found(case, position):
    digits, written, before, after = case
    other = digits[:position] + str((int(digits[position]) + 1) % 10) + digits[position + 1:]
    assert _run(other, "PHONE", f"{before} {written} {after}").ok


_NAME = st.text(alphabet="bcdfghklmnprstvz", min_size=3, max_size=4).map(
    lambda c: "".join(x + "aeiou"[i % 5] for i, x in enumerate(c)) + "th")


@SETTINGS
@given(first=_NAME, last=_NAME, case=st.sampled_from([str.lower, str.upper, str.title, lambda s: s]),
       order=st.booleans(), before=_FILLER)
def test_a_name_in_any_case_and_order_is_found(first, last, case, order, before):
    assume(first != last)
    value = f"{first.title()} {last.title()}"
    written = case(f"{last}, {first}" if order else f"{first} {last}")
    note = f"{before} {written}."
    result = _run(value, "NAME", note)
    start = len(before) + 1
    assert (start, start + len(written)) in set(zip(result.leaks["start"], result.leaks["end"]))


@SETTINGS
@given(st.lists(st.tuples(_NAME, st.booleans()), min_size=1, max_size=6))
def test_other_records_change_nothing(rows):
    """Each row leaks exactly when its own value was planted in its own note."""
    names = [n.title() for n, _ in rows]
    raw = pd.DataFrame({"id": range(len(rows)), "name": names, "note": ["-"] * len(rows)})
    notes = [f"seen {n.upper()} today" if leak else "seen [NAME] today" for n, leak in rows]
    out = pd.DataFrame({"id": range(len(rows)), "name": ["[NAME]"] * len(rows), "note": notes})
    result = verify(raw, out, row_key="id", identifiers={"name": "NAME"}, detect=False)
    assert set(result.leaks["row"].tolist()) == {i for i, (_, leak) in enumerate(rows) if leak}

"""Long notes: a multi-megabyte note is processed in one call and every planted PHI value is
found, including values planted across 65,536- and 100,000-character boundaries (the sizes
at which text is sampled or cut into chunks internally)."""

from __future__ import annotations

import bisect

import pytest

from deid.text import Scrubber

from .conftest import KEY

FIRST = ["Margie", "Tomasz", "Yolanda", "Ingrid", "Kwame", "Dolores", "Bartholomew", "Priya", "Svetlana", "Oluwaseun"]
LAST = ["Kowalski", "Omobuwa", "Nguyen", "Okafor", "Lindqvist", "Garcia", "Abernathy", "Castellanos", "Fitzgerald",
        "Wisniewski"]

# One nursing note; {placeholders} are PHI, everything else is clinical text without PHI.
NOTE = (
    "NPN 0700-1900. Pt is a 67 yo M with hx of Parkinson's disease, CHF and Hodgkin lymphoma in remission.\n"
    "Neuro: A&Ox3, strength 5/5 all extremities, pain 3/10. Foley catheter draining clear yellow urine.\n"
    "CV: BP 120/80, HR 80s NSR. Heparin 2000 units given. 1/2 NS at 75 ml/hr. Labs: Na 138, K 4.2, Cr 1.1.\n"
    "Social: Daughter {first} {last} visited on {date} and asked about discharge; she will call back.\n"
    "She can be reached at {phone}. Seen by Dr. {doc} this am. MRN: {mrn}.\n"
    "Plan: continue to monitor, OOB to chair, may need PT consult. Family meeting tomorrow.\n\n"
)
FILLER_LINE = "Pt resting comfortably in bed, no acute distress noted.\n"
# Lines planted across a boundary: (text before the value, value, text after, entity type)
STRADDLERS = [
    ("Seen by Dr. ", "{doc}", " at bedside.", "NAME"),
    ("Son's cell ", "{phone}", ", call after 5.", "PHONE"),
    ("Admitted ", "{date}", " from the ED.", "DATE"),
    ("MRN: ", "{mrn}", " verified.", "MRN"),
    ("Email ", "{email}", " for records.", "EMAIL"),
    ("SSN ", "{ssn}", " on file.", "SSN"),
]


def _phi(i: int) -> dict[str, str]:
    return {
        "first": FIRST[i % 10],
        "last": LAST[(i // 10) % 10],
        "date": f"{i % 12 + 1:02d}/{i % 28 + 1:02d}/{2000 + i % 24}",
        "phone": f"617-555-{i % 10000:04d}",
        "doc": LAST[(i + 3) % 10],
        "mrn": f"{10000000 + i * 7919 % 89999999:08d}",
        "email": f"{FIRST[i % 10].lower()}.{LAST[(i + 1) % 10].lower()}{i}@example.org",
        "ssn": f"{100 + i % 800:03d}-{10 + i % 89:02d}-{1000 + i % 9000:04d}",
    }


def build_note(size: int, boundaries_every=(65_536, 100_000)):
    """A note of about ``size`` characters and the PHI planted in it: (start, value, type).

    Repeats NOTE with different PHI each time; before each boundary it pads with a PHI-free
    line or two and plants one value so that it starts before the boundary and ends after it."""
    boundaries = sorted({b for step in boundaries_every for b in range(step, size, step)})
    parts: list[str] = []
    planted: list[tuple[int, str, str]] = []
    length = 0
    i = 0

    def emit(s: str) -> None:
        nonlocal length
        parts.append(s)
        length += len(s)

    while length < size:
        phi = _phi(i)
        if boundaries and length + len(NOTE) + 200 > boundaries[0]:
            boundary = boundaries.pop(0)
            before, value, after, entity = STRADDLERS[i % len(STRADDLERS)]
            value = value.format(**phi)
            target = boundary - len(value) // 2  # where the value must start
            while length + len(FILLER_LINE) + len(before) <= target:
                emit(FILLER_LINE)
            emit(" " * (target - length - len(before)) + before)
            assert length == target
            planted.append((length, value, entity))
            emit(value + after + "\n")
            i += 1
            continue
        block_start = length
        emit(NOTE.format(**phi))
        block = parts[-1]
        for key, entity in (("first", "NAME"), ("last", "NAME"), ("date", "DATE"), ("phone", "PHONE"),
                            ("doc", "NAME"), ("mrn", "MRN")):
            planted.append((block_start + block.index(phi[key]), phi[key], entity))
        i += 1
    return "".join(parts), planted


def _missing(text, planted, findings):
    """Planted values not covered by one finding of their type."""
    starts = [f.start for f in findings]
    missing = []
    for start, value, entity in planted:
        end = start + len(value)
        k = bisect.bisect_right(starts, start) - 1
        f = findings[k] if k >= 0 else None
        if f is None or not (f.start <= start and end <= f.end and f.entity_type == entity):
            missing.append((start, value, entity))
    return missing


def test_builder_plants_values_across_boundaries():
    text, planted = build_note(210_000)
    assert 200_000 < len(text) < 215_000
    for start, value, _ in planted:
        assert text[start : start + len(value)] == value
    for boundary in (65_536, 100_000, 131_072, 196_608, 200_000):
        assert any(s < boundary < s + len(v) for s, v, _ in planted), boundary


def test_long_note_with_values_across_boundaries():
    text, planted = build_note(210_000)
    findings = Scrubber(key=KEY).detect(text)
    assert _missing(text, planted, findings) == []
    assert all(a.end <= b.start for a, b in zip(findings, findings[1:]))


@pytest.mark.slow
def test_five_megabyte_note():
    text, planted = build_note(5_000_000)
    assert len(text) >= 5_000_000
    scrubber = Scrubber(key=KEY)
    findings = scrubber.detect(text)
    assert _missing(text, planted, findings) == []
    straddling = [p for p in planted if any(p[0] < b < p[0] + len(p[1]) for b in range(100_000, len(text), 100_000))]
    assert len(straddling) >= 49

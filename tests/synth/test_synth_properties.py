"""Invariants that hold for any seed, size and style mix."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from deid.entities import ENTITY_TYPES
from deid.synth import STYLES, generate_corpus


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**40), n=st.integers(0, 25),
       weights=st.dictionaries(st.sampled_from(STYLES), st.floats(0.1, 5.0), min_size=1),
       per_patient=st.floats(1.0, 12.0))
def test_invariants(seed, n, weights, per_patient):
    corpus = generate_corpus(n, seed=seed, styles=weights, notes_per_patient=per_patient)
    assert len(corpus) == n
    assert {note.style for note in corpus} <= set(weights)
    assert {note.patient_id for note in corpus} == set(corpus.records)
    assert len({note.note_id for note in corpus}) == n
    for note in corpus:
        note.check()
        assert note.text.strip()
        for s in note.spans:
            assert s.entity_type in ENTITY_TYPES
        occupied = sorted([(s.start, s.end) for s in note.spans] + [(d.start, d.end) for d in note.decoys])
        assert all(a[1] <= b[0] for a, b in zip(occupied, occupied[1:]))
        assert all(note.text[d.start:d.end].strip() for d in note.decoys)

"""Labelled synthetic clinical notes, for measuring PHI detection without real PHI.

``generate_corpus`` writes clinical-style notes (ICU nursing notes, discharge summaries,
radiology reports, social work notes and phone messages, progress notes with signature
blocks, transfer notes, short texts) for a world of synthetic patients, and records the
exact character span and entity type of every identifier it plants. It also plants, and
records as :class:`Decoy`, text that is not PHI but that a naive detector would tag
(eponyms, lab values, times, scores, ages under 90). See ``docs/synth.md``.

>>> from deid.synth import generate_corpus
>>> corpus = generate_corpus(50, seed=0)
>>> note = corpus.notes[0]
>>> {s.entity_type for s in note.spans} <= set(__import__("deid.entities").entities.ENTITY_TYPES)
True
>>> corpus.records[note.patient_id].patient_id == note.patient_id
True
"""

from ._generator import DEFAULT_STYLE_WEIGHTS, STYLES, CorpusGenerator, generate_corpus
from ._model import (
    Address,
    Clinician,
    Contact,
    Corpus,
    Decoy,
    LabelledNote,
    PatientRecord,
    Span,
)

__all__ = [
    "Address",
    "Clinician",
    "Contact",
    "Corpus",
    "CorpusGenerator",
    "DEFAULT_STYLE_WEIGHTS",
    "Decoy",
    "LabelledNote",
    "PatientRecord",
    "STYLES",
    "Span",
    "generate_corpus",
]

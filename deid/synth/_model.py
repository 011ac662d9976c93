"""Plain data objects of the synthetic corpus: spans, notes, patient records, the corpus.

All of them are small frozen or slotted dataclasses that round-trip through JSON Lines, so a
benchmark can generate a corpus once, write it, and score any detector against it later.
"""

from __future__ import annotations

import datetime as _dt
import gzip
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from deid.entities import ENTITY_TYPES

#: Version of the JSON Lines layout written by :meth:`Corpus.to_jsonl`.
JSONL_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Span:
    """One labelled PHI span: ``note.text[start:end]`` is exactly the identifier.

    ``form`` says how the identifier was written (``"patient.last_first"``, ``"md"``,
    ``"paren"``...), so that a benchmark can break recall down by surface form; it takes no
    part in equality, so spans compare by ``(start, end, entity_type)`` only.

    >>> Span(0, 3, "NAME", "patient.first") == Span(0, 3, "NAME")
    True
    """

    start: int
    end: int
    entity_type: str
    form: str = field(default="", compare=False)

    def __post_init__(self):
        if self.entity_type not in ENTITY_TYPES:
            raise ValueError(f"unknown entity type {self.entity_type!r}")
        if not 0 <= self.start < self.end:
            raise ValueError(f"a span needs 0 <= start < end, got ({self.start}, {self.end})")


@dataclass(frozen=True, slots=True)
class Decoy:
    """A stretch of text that is NOT PHI but that a naive detector is likely to tag.

    ``kind`` names the trap: ``EPONYM`` (Parkinson's disease, Foley catheter), ``LAB``
    (``K 4.2``, ``7.38/42/98``), ``VITAL`` (``BP 120/80``), ``TIME`` (``0400``), ``DOSE``,
    ``SCORE`` (``GCS 3/15``), ``RATIO`` (``I:E 1:2``), ``FRACTION`` (``1/2 NS``),
    ``AGE_UNDER_90``, ``ABBREVIATION``, ``MONTH_WORD`` (``may`` as a verb),
    ``COMMON_WORD`` (``brown`` stool, ``will``), ``STATE``, ``COUNTRY``, ``WARD`` (``MICU``,
    ``7 North``), ``ROOM`` (a room or bed number without a named facility), ``MEASURE``
    (height, weight), ``YEAR_COUNT`` (``x3 years``).
    """

    start: int
    end: int
    kind: str


@dataclass(slots=True)
class LabelledNote:
    """One synthetic clinical note with its exact PHI spans.

    ``case`` is ``"upper"``, ``"lower"`` or ``"mixed"`` (the whole note's casing).
    ``decoys`` lists non-PHI traps (see :class:`Decoy`); they never overlap a span.
    """

    note_id: str
    patient_id: str
    style: str
    text: str
    spans: list[Span]
    decoys: list[Decoy] = field(default_factory=list)
    case: str = "mixed"

    def check(self) -> None:
        """Raise ``ValueError`` if a span is outside the text, empty, padded or overlapping."""
        last_end = -1
        for span in sorted(self.spans, key=lambda s: s.start):
            if span.end > len(self.text):
                raise ValueError(f"note {self.note_id}: span ends past the text")
            piece = self.text[span.start:span.end]
            if not piece.strip() or piece != piece.strip():
                raise ValueError(f"note {self.note_id}: empty or whitespace-padded span")
            if span.start < last_end:
                raise ValueError(f"note {self.note_id}: overlapping spans")
            last_end = span.end


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address; ``unit`` (``"Apt 4B"``) and ``po_box`` may be empty."""

    street: str
    unit: str
    city: str
    county: str
    state: str
    zip: str
    po_box: str = ""


@dataclass(frozen=True, slots=True)
class Contact:
    """A relative or other contact of a patient."""

    first_name: str
    last_name: str
    relation: str
    phone: str


@dataclass(frozen=True, slots=True)
class Clinician:
    """A clinician: ``credential`` is ``"MD"``, ``"RN"``, ``"NP"``, ``"PA"``, ``"LICSW"``..."""

    first_name: str
    last_name: str
    credential: str


@dataclass(slots=True)
class PatientRecord:
    """The structured record of one synthetic patient; their notes re-use these values.

    ``mrn`` is written with its leading zeros (``"00482913"``); notes also write it without
    them or with a dash. ``phone`` is 10 digits without punctuation; notes format it.
    """

    patient_id: str
    first_name: str
    last_name: str
    middle_name: str
    nickname: str
    sex: str
    date_of_birth: _dt.date
    mrn: str
    ssn: str
    address: Address
    phone: str
    email: str
    health_plan_id: str
    contacts: list[Contact]
    clinicians: list[Clinician]
    admission_date: _dt.date

    def to_dict(self) -> dict:
        return {
            "patient_id": self.patient_id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "middle_name": self.middle_name,
            "nickname": self.nickname,
            "sex": self.sex,
            "date_of_birth": self.date_of_birth.isoformat(),
            "mrn": self.mrn,
            "ssn": self.ssn,
            "address": {k: getattr(self.address, k) for k in Address.__slots__},
            "phone": self.phone,
            "email": self.email,
            "health_plan_id": self.health_plan_id,
            "contacts": [{k: getattr(c, k) for k in Contact.__slots__} for c in self.contacts],
            "clinicians": [
                {k: getattr(c, k) for k in Clinician.__slots__} for c in self.clinicians
            ],
            "admission_date": self.admission_date.isoformat(),
        }

    @classmethod
    def from_dict(cls, d: dict) -> "PatientRecord":
        return cls(
            patient_id=d["patient_id"],
            first_name=d["first_name"],
            last_name=d["last_name"],
            middle_name=d["middle_name"],
            nickname=d["nickname"],
            sex=d["sex"],
            date_of_birth=_dt.date.fromisoformat(d["date_of_birth"]),
            mrn=d["mrn"],
            ssn=d["ssn"],
            address=Address(**d["address"]),
            phone=d["phone"],
            email=d["email"],
            health_plan_id=d["health_plan_id"],
            contacts=[Contact(**c) for c in d["contacts"]],
            clinicians=[Clinician(**c) for c in d["clinicians"]],
            admission_date=_dt.date.fromisoformat(d["admission_date"]),
        )


@dataclass(slots=True)
class Corpus:
    """A labelled synthetic corpus: notes, and the patient records they were written from.

    Iterating a corpus yields its notes.

    >>> from deid.synth import generate_corpus
    >>> corpus = generate_corpus(20, seed=1)
    >>> len(corpus), len(corpus.records) <= 20
    (20, True)
    >>> all(n.patient_id in corpus.records for n in corpus)
    True
    """

    notes: list[LabelledNote]
    records: dict[str, PatientRecord]
    seed: int | None = None

    def __iter__(self) -> Iterator[LabelledNote]:
        return iter(self.notes)

    def __len__(self) -> int:
        return len(self.notes)

    def __getitem__(self, i):
        return self.notes[i]

    def notes_of(self, patient_id: str) -> list[LabelledNote]:
        """The notes of one patient, in the order they were written."""
        return [n for n in self.notes if n.patient_id == patient_id]

    def span_table(self):
        """One row per span, without the PHI text: a pandas DataFrame with columns
        ``note_id, patient_id, style, case, start, end, entity_type, form``."""
        import pandas as pd

        rows = [
            (n.note_id, n.patient_id, n.style, n.case, s.start, s.end, s.entity_type, s.form)
            for n in self.notes
            for s in n.spans
        ]
        return pd.DataFrame(
            rows,
            columns=["note_id", "patient_id", "style", "case", "start", "end", "entity_type", "form"],
        )

    # -- JSON Lines ---------------------------------------------------------------------
    def to_jsonl(self, path: str | os.PathLike) -> Path:
        """Write the corpus as JSON Lines (gzip when the name ends in ``.gz``), atomically.

        Layout: a first line ``{"kind": "meta", ...}``, then one ``{"kind": "record", ...}``
        line per patient, then one ``{"kind": "note", ...}`` line per note, whose ``spans``
        are ``[start, end, entity_type, form]`` lists and ``decoys`` ``[start, end, kind]``.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        opener = gzip.open if path.suffix == ".gz" else open
        try:
            with opener(tmp, "wt", encoding="utf-8", newline="\n") as fh:
                meta = {"kind": "meta", "format": JSONL_FORMAT, "seed": self.seed,
                        "n_notes": len(self.notes), "n_records": len(self.records)}
                fh.write(json.dumps(meta) + "\n")
                for rec in self.records.values():
                    fh.write(json.dumps({"kind": "record", **rec.to_dict()}) + "\n")
                for n in self.notes:
                    fh.write(json.dumps({
                        "kind": "note",
                        "note_id": n.note_id,
                        "patient_id": n.patient_id,
                        "style": n.style,
                        "case": n.case,
                        "text": n.text,
                        "spans": [[s.start, s.end, s.entity_type, s.form] for s in n.spans],
                        "decoys": [[d.start, d.end, d.kind] for d in n.decoys],
                    }) + "\n")
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    @classmethod
    def from_jsonl(cls, path: str | os.PathLike) -> "Corpus":
        """Read a corpus written by :meth:`to_jsonl`.

        Lines without a ``kind`` are read as notes, so a plain notes-only file also loads.
        """
        path = Path(path)
        opener = gzip.open if path.suffix == ".gz" else open
        notes: list[LabelledNote] = []
        records: dict[str, PatientRecord] = {}
        seed = None
        with opener(path, "rt", encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    d = json.loads(line)
                    kind = d.pop("kind", "note")
                    if kind == "meta":
                        seed = d.get("seed")
                    elif kind == "record":
                        rec = PatientRecord.from_dict(d)
                        records[rec.patient_id] = rec
                    elif kind == "note":
                        notes.append(LabelledNote(
                            note_id=d["note_id"],
                            patient_id=d["patient_id"],
                            style=d["style"],
                            text=d["text"],
                            spans=[Span(s[0], s[1], s[2], s[3] if len(s) > 3 else "")
                                   for s in d["spans"]],
                            decoys=[Decoy(*x) for x in d.get("decoys", [])],
                            case=d.get("case", "mixed"),
                        ))
                    else:
                        raise ValueError(f"unknown line kind {kind!r}")
                except (ValueError, KeyError, TypeError, IndexError) as exc:
                    # name the file and line, never the line's content (it is PHI-like)
                    raise ValueError(
                        f"{path}: line {lineno} is not a valid corpus line "
                        f"({type(exc).__name__})"
                    ) from None
        return cls(notes=notes, records=records, seed=seed)

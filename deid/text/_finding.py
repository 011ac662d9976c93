"""What detection returns: findings (type, place, score — never the text) and scrub results."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of PHI found in a text.

    Attributes
    ----------
    entity_type : str
        One of :data:`deid.entities.ENTITY_TYPES` ("NAME", "DATE", ...).
    start, end : int
        Character offsets into the text that was analysed (``text[start:end]`` is the PHI).
    score : float
        Confidence in [0, 1].
    recognizer : str
        Name of the recognizer that found it (the strongest one when several agreed).

    A finding holds no text, so it can be logged, stored and reported safely.

    >>> Finding("NAME", 9, 15, 0.9, "NameRecognizer")
    Finding(entity_type='NAME', start=9, end=15, score=0.9, recognizer='NameRecognizer')
    """

    entity_type: str
    start: int
    end: int
    score: float
    recognizer: str


@dataclass(frozen=True, slots=True)
class ScrubResult:
    """The scrubbed text and the findings it was scrubbed of.

    Attributes
    ----------
    text : str
        The text with every finding replaced by its operator's output.
    findings : list[Finding]
        Offsets refer to the *input* text, in order.
    consistent : bool
        False when no key was configured: surrogates, pseudonyms and date shifts came from
        a random key for this run and will differ in the next run.
    """

    text: str
    findings: list[Finding] = field(default_factory=list)
    consistent: bool = True

    def __repr__(self) -> str:  # the scrubbed text is safe, but keep reprs short
        return f"ScrubResult(<{len(self.text)} chars>, findings={len(self.findings)}, consistent={self.consistent})"

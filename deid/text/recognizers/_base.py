"""The base of deid's recognizers: Presidio ``EntityRecognizer``s with a fast path.

Each recognizer implements :meth:`DeidRecognizer.find`, which returns plain tuples
``(start, end, entity_type, score)`` for a :class:`~deid.text._view.TextView`. deid's engine
calls ``find`` directly (one shared view per text, no per-result objects); Presidio's
``AnalyzerEngine`` calls :meth:`analyze`, which wraps ``find`` into ``RecognizerResult``s.
"""

from __future__ import annotations

import re

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

from deid.text._view import TextView

Span = tuple[int, int, str, float]


class DeidRecognizer(EntityRecognizer):
    """Base class. Subclasses set ``ENTITIES`` and implement ``find``."""

    ENTITIES: tuple[str, ...] = ()

    def __init__(self, supported_entities=None, name=None, supported_language="en", context=None):
        super().__init__(
            supported_entities=list(supported_entities or self.ENTITIES),
            name=name or type(self).__name__,
            supported_language=supported_language,
            context=context,
        )

    def load(self) -> None:  # lexicons load lazily on first use
        pass

    def find(self, view: TextView) -> list[Span]:  # pragma: no cover - abstract
        raise NotImplementedError

    def analyze(self, text, entities, nlp_artifacts=None):
        view = nlp_artifacts if isinstance(nlp_artifacts, TextView) else TextView(text)
        wanted = set(entities) if entities else None
        out = []
        for start, end, entity, score in self.find(view):
            if wanted is None or entity in wanted:
                out.append(
                    RecognizerResult(
                        entity,
                        start,
                        end,
                        score,
                        analysis_explanation=AnalysisExplanation(
                            recognizer=self.name, original_score=score
                        ),
                        recognition_metadata={
                            RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                        },
                    )
                )
        return out


def keyword_before(text: str, start: int, pattern: re.Pattern, window: int = 40) -> bool:
    """Whether ``pattern`` matches in the ``window`` characters before ``start``
    (on the same line)."""
    lo = max(0, start - window)
    chunk = text[lo:start]
    nl = chunk.rfind("\n")
    if nl >= 0:
        chunk = chunk[nl + 1 :]
    return pattern.search(chunk) is not None

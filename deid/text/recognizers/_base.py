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


class SpanSet:
    """Non-overlapping spans kept sorted, so each overlap test is a binary search (a text with
    thousands of matches stays linear-logarithmic, not quadratic).

    ``add`` refuses a span that overlaps one already held; ``merge`` grows the held span
    instead (union), keeping the highest score.

    >>> spans = SpanSet()
    >>> spans.add(0, 5, 0.9), spans.add(3, 8, 0.5), spans.add(5, 8, 0.5)
    (True, False, True)
    >>> spans.merge(4, 6, 0.95); spans.items()
    [(0, 8, 0.95)]
    """

    __slots__ = ("_starts", "_items")

    def __init__(self):
        self._starts: list[int] = []
        self._items: list[list] = []  # [start, end, score]

    def _first_overlap(self, s: int, e: int) -> int:
        """Index of the first held span overlapping [s, e), or -1."""
        from bisect import bisect_left

        i = bisect_left(self._starts, s)
        if i > 0 and self._items[i - 1][1] > s:
            return i - 1
        if i < len(self._items) and self._items[i][0] < e:
            return i
        return -1

    def overlaps(self, s: int, e: int) -> bool:
        return self._first_overlap(s, e) >= 0

    def add(self, s: int, e: int, score: float = 0.0) -> bool:
        if self._first_overlap(s, e) >= 0:
            return False
        from bisect import bisect_left

        i = bisect_left(self._starts, s)
        self._starts.insert(i, s)
        self._items.insert(i, [s, e, score])
        return True

    def merge(self, s: int, e: int, score: float = 0.0) -> None:
        while True:
            i = self._first_overlap(s, e)
            if i < 0:
                break
            a, b, sc = self._items.pop(i)
            self._starts.pop(i)
            s, e, score = min(a, s), max(b, e), max(sc, score)
        self.add(s, e, score)

    def items(self) -> list[tuple[int, int, float]]:
        return [tuple(x) for x in self._items]

    def __len__(self) -> int:
        return len(self._items)

"""The detection engine: normalize once, run every recognizer on one shared view, resolve
overlaps, map offsets back to the input.

deid drives the recognizers itself instead of through Presidio's ``AnalyzerEngine``: one
shared tokenisation per text, no per-result objects for its own recognizers and no spaCy
pipeline unless a model is configured. A user's own Presidio recognizers run through their
``analyze`` method and their entity names are mapped to deid's vocabulary.
"""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer

from deid.entities import from_presidio
from deid.text._finding import Finding
from deid.text._normalize import normalize, to_original
from deid.text._view import TextView
from deid.text.recognizers._base import DeidRecognizer


def check_text(text, where: str = "text") -> None:
    if not isinstance(text, str):
        raise TypeError(f"{where} must be str, not {type(text).__name__}")


class DetectionEngine:
    """Runs a list of recognizers over texts; see :class:`deid.Scrubber` for the public API."""

    def __init__(self, recognizers: list[EntityRecognizer], entities: tuple[str, ...], threshold: float):
        self.entities = frozenset(entities)
        self.threshold = threshold
        self._fast: list[DeidRecognizer] = []
        self._foreign: list[EntityRecognizer] = []
        for r in recognizers:
            if isinstance(r, DeidRecognizer):
                if set(r.supported_entities) & self.entities:
                    self._fast.append(r)
            else:
                self._foreign.append(r)

    def detect(self, text: str, known=None) -> list[Finding]:
        """Findings in ``text``; ``known`` (a :class:`KnownIdentifiers`) adds the patient's own
        values, reported with ``recognizer="known"``."""
        check_text(text)
        if not text:
            return []
        norm, index_map = normalize(text)
        view = TextView(norm)
        wanted = self.entities
        threshold = self.threshold
        spans: list[tuple[int, int, str, float, str]] = []
        found = [] if known else None  # every recognizer span, for the known values to reuse
        for r in self._fast:
            name = r.name
            got = r.find(view)
            if found is not None:
                found.extend(got)
            for s, e, ent, score in got:
                if score >= threshold and ent in wanted and e > s:
                    spans.append((s, e, ent, score, name))
        if known:
            # the known values first, as they were before the recognizers' spans (ties in
            # resolve_overlaps go to the first); they reuse the DATE spans found above
            spans[:0] = [(s, e, ent, score, "known") for s, e, ent, score in known.find(view, found)
                         if ent in wanted and e > s]
        for r in self._foreign:
            for res in r.analyze(norm, list(r.supported_entities), None) or ():
                ent = from_presidio(res.entity_type)
                if ent in wanted and res.score >= threshold and res.end > res.start:
                    spans.append((res.start, res.end, ent, float(res.score), r.name))
        if not spans:
            return []
        return [
            Finding(ent, *to_original(s, e, index_map), round(float(score), 4), name)
            for s, e, ent, score, name in resolve_overlaps(spans)
        ]


def resolve_overlaps(spans):
    """Merge overlapping spans into their union (recall first: no character of any finding is
    dropped); the merged span takes the type, score and recognizer of its strongest member
    (ties: the longer one)."""
    spans.sort(key=lambda x: (x[0], -x[1]))
    out = []
    cur_s, cur_e, best = None, None, None
    for sp in spans:
        s, e = sp[0], sp[1]
        if cur_e is not None and s < cur_e:
            if e > cur_e:
                cur_e = e
            if sp[3] > best[3] or (sp[3] == best[3] and (sp[1] - sp[0]) > (best[1] - best[0])):
                best = sp
            continue
        if best is not None:
            out.append((cur_s, cur_e, best[2], best[3], best[4]))
        cur_s, cur_e, best = s, e, sp
    if best is not None:
        out.append((cur_s, cur_e, best[2], best[3], best[4]))
    return out

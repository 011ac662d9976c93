"""AGE: ages over 89 ("94 yo", "92 y/o", "age 97", "aged 101", "ninety-one year old").

Ages of 89 and under are not PHI under Safe Harbor and are not reported.
"""

from __future__ import annotations

import re

from deid.text._view import TextView
from deid.text.recognizers._base import DeidRecognizer, Span

_UNIT = (
    r"(?:y\.?\s?o\.?\b|y/o|yo\b|yrs?\.?(?:\s+old)?|years?(?:[\s-]+old)?|year[\s-]old|-year-old|yr[\s-]old"
    r"|-y/o|-yo\b|y\b|yr\b|yoa\b|years?\s+of\s+age)"
)
_NUM = r"(?:9\d|1[01]\d)"
_WORD_TENS = r"(?:ninety|one\s+hundred(?:\s+and)?)"
_WORD_UNITS = r"(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve))?"
_AGE = re.compile(
    rf"(?<![\d.,/])(?P<n>{_NUM})(?=\s?-?\s?{_UNIT})"
    rf"|\bage[ds]?[\s:]{{1,2}}(?:of[ \t]+)?(?P<n2>{_NUM})\b(?![.,/]\d)"
    rf"|\b(?P<w>{_WORD_TENS}{_WORD_UNITS})(?=[\s-]+(?:year|yr|y/o|yo\b))"
    rf"|(?<![\d.,/])(?P<n5>{_NUM})(?=\s?(?:m|f|male|female|man|woman|gentleman|lady|w|wm|wf|bm|bf)\b)",
    re.IGNORECASE,
)


_TEMPERATURE_BEFORE = re.compile(r"(?:t|temp|tmax|tm|t\s?max|febrile\s+to|fever\s+(?:of|to))[\s:=]*\Z", re.IGNORECASE)


class AgeRecognizer(DeidRecognizer):
    """Find ages over 89 (AGE).

    >>> from deid.text._view import TextView
    >>> t = "94 yo F, her husband is 88 y/o; age 97; ninety-two year old."
    >>> [t[s:e] for s, e, _, _ in AgeRecognizer().find(TextView(t))]
    ['94', '97', 'ninety-two']
    """

    ENTITIES = ("AGE",)

    def find(self, view: TextView) -> list[Span]:
        out: list[Span] = []
        text = view.text
        for m in _AGE.finditer(text):
            g = m.lastgroup or 0
            if g == "n5" and _TEMPERATURE_BEFORE.search(text, max(0, m.start() - 12), m.start()):
                continue  # "Tmax 101 F": a temperature in Fahrenheit
            out.append((m.start(g), m.end(g), "AGE", 0.85))
        return out

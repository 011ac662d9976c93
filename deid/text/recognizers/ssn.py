"""SSN: Social Security numbers, whether or not they look valid.

Presidio's default recognizer drops numbers it considers invalid (123-45-6789, 000-...,
666-...); in notes such numbers are still someone's identifier or a typo of one, so every
``ddd-dd-dddd`` / ``ddd dd dddd`` is reported, and nine bare digits after an SSN label.
"""

from __future__ import annotations

import re

from deid.text._view import TextView
from deid.text.recognizers._base import DeidRecognizer, Span, keyword_before

_DASHED = re.compile(r"(?<![\w/.-])\d{3}(?P<sep>[-\s.])\d{2}(?P=sep)\d{4}(?![\w-]|\.\d)")
_BARE = re.compile(r"(?<![\w/.-])\d{9}(?![\w-]|\.\d)")
# The last four digits, which notes often keep: "SSN ending in 2315", "SSN xxx-xx-0255".
_LAST_FOUR = re.compile(
    r"\b(?:ssn|ss\s?#|ss\s+no|social\s+security(?:\s+(?:number|no|#))?)[^\n\d]{0,25}?(?:ending\s+(?:in|with)\s+|(?:xxx|\*\*\*)-?(?:xx|\*\*)-?)(?P<d>\d{4})\b"
    r"|\b(?:xxx|\*\*\*)-(?:xx|\*\*)-(?P<d2>\d{4})\b",
    re.IGNORECASE,
)
_LABEL = re.compile(r"\b(?:ssn|ss#|ss\s?no|soc\.?\s?sec|social\s+security(?:\s+(?:number|no|#))?|ssn#)[\s.:#-]*(?:number|no\.?|#)?[\s.:#-]*\Z", re.IGNORECASE)


class SsnRecognizer(DeidRecognizer):
    """Find Social Security numbers (SSN).

    >>> from deid.text._view import TextView
    >>> t = "SSN 123-45-6789; ss# 078051120"
    >>> [t[s:e] for s, e, _, _ in SsnRecognizer().find(TextView(t))]
    ['123-45-6789', '078051120']
    """

    ENTITIES = ("SSN",)

    def find(self, view: TextView) -> list[Span]:
        text = view.text
        out = []
        for m in _DASHED.finditer(text):
            labelled = keyword_before(text, m.start(), _LABEL, 30)
            if m.group("sep") != "-" and not labelled:
                continue  # "123 45 6789" without a label is too often something else
            out.append((m.start(), m.end(), "SSN", 0.9 if labelled else 0.8))
        for m in _LAST_FOUR.finditer(text):
            g = "d" if m.group("d") else "d2"
            out.append((m.start(g), m.end(g), "SSN", 0.8))
        for m in _BARE.finditer(text):
            if keyword_before(text, m.start(), _LABEL, 30):
                out.append((m.start(), m.end(), "SSN", 0.85))
        return sorted(out)

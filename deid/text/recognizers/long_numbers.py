"""ID: unlabelled long numbers and codes ("any other unique identifying number").

Seven or more digits in a row (optionally split by single dashes), or a code of eight or
more capital letters and digits with at least five digits, is an identifier unless it is a
decimal, a thousands-separated count or followed by a unit. Scored low: other recognizers
(phone, date, SSN, labelled ids) win where they also match.
"""

from __future__ import annotations

import re

from deid.text._view import TextView
from deid.text.recognizers._base import DeidRecognizer, Span

_DIGITS = re.compile(r"(?<![\w.,$\-/])\d(?:-?\d){6,}(?![\w]|[.,]\d|-\d)")
_CODE = re.compile(r"(?<![\w.\-/])(?=(?:[A-Za-z]*\d){5})(?=[0-9]*[A-Za-z])[A-Za-z0-9]{8,}(?![\w-])")
# a shift written as two 24-hour times: "0700-1900", "2300-0700"
_TIME_RANGE = re.compile(r"(?:[01]\d|2[0-3])[0-5]\d-(?:[01]\d|2[0-3])[0-5]\d")
_UNIT_AFTER = re.compile(r"\s*(?:(?:mg|mcg|g|kg|ml|cc|units?|u|iu|meq|mmol|cells|copies|k)\b|/(?:ul|mm3|ml)|%)", re.IGNORECASE)


class LongNumberRecognizer(DeidRecognizer):
    """Find unlabelled long numbers and codes (ID).

    >>> from deid.text._view import TextView
    >>> t = "acc 8812734, plt 250,000, wbc 12.5, ref A7731285X"
    >>> [t[s:e] for s, e, _, _ in LongNumberRecognizer().find(TextView(t))]
    ['8812734', 'A7731285X']
    """

    ENTITIES = ("ID",)

    def find(self, view: TextView) -> list[Span]:
        text = view.text
        out: list[Span] = []
        for m in _DIGITS.finditer(text):
            if _UNIT_AFTER.match(text, m.end()) or _TIME_RANGE.fullmatch(m.group()):
                continue
            out.append((m.start(), m.end(), "ID", 0.45))
        for m in _CODE.finditer(text):
            out.append((m.start(), m.end(), "ID", 0.4))
        return out

"""ACCOUNT: payment card numbers (13-19 digits, in groups or not) and IBANs.

Every well-formed card number is reported, whether or not its Luhn check digit is right
(a mistyped number is still someone's account); a passing Luhn check scores higher.
"""

from __future__ import annotations

import re

from deid.text._view import TextView
from deid.text.recognizers._base import DeidRecognizer, Span, SpanSet

_CARD = re.compile(
    r"(?<![\w.\-])(?:\d{4}(?P<sep>[ \-]?)\d{4}(?P=sep)\d{4}(?P=sep)\d{1,7}|\d{4}[ \-]?\d{6}[ \-]?\d{5})(?![\w]|[.\-]\d)"
)
_IBAN = re.compile(r"\b[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]{4}){2,7}(?:[ ]?[A-Za-z0-9]{1,3})?\b")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = ord(c) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _iban_ok(value: str) -> bool:
    v = value.replace(" ", "").upper()
    v = v[4:] + v[:4]
    num = "".join(str(int(c, 36)) for c in v)
    return int(num) % 97 == 1


class PaymentCardRecognizer(DeidRecognizer):
    """Find payment card numbers and IBANs (ACCOUNT).

    >>> from deid.text._view import TextView
    >>> t = "card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00"
    >>> [t[s:e] for s, e, _, _ in PaymentCardRecognizer().find(TextView(t))]
    ['4111 1111 1111 1111', 'DE89 3704 0044 0532 0130 00']
    """

    ENTITIES = ("ACCOUNT",)

    def find(self, view: TextView) -> list[Span]:
        text = view.text
        out: list[Span] = []
        taken = SpanSet()
        for m in _IBAN.finditer(text):
            taken.add(m.start(), m.end())
            out.append((m.start(), m.end(), "ACCOUNT", 0.9 if _iban_ok(m.group()) else 0.5))
        for m in _CARD.finditer(text):
            digits = re.sub(r"\D", "", m.group())
            s, e = m.span()
            if 13 <= len(digits) <= 19 and taken.add(s, e):
                out.append((s, e, "ACCOUNT", 0.9 if luhn_ok(digits) else 0.6))
        return sorted(out)

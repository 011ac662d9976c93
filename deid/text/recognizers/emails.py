"""EMAIL: e-mail addresses."""

from __future__ import annotations

import re

from deid.text._view import TextView
from deid.text.recognizers._base import DeidRecognizer, Span

_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+%'-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}\b"
)


class EmailRecognizer(DeidRecognizer):
    """Find e-mail addresses (EMAIL).

    >>> from deid.text._view import TextView
    >>> t = "write to ann.lee+icu@example.org."
    >>> [t[s:e] for s, e, _, _ in EmailRecognizer().find(TextView(t))]
    ['ann.lee+icu@example.org']
    """

    ENTITIES = ("EMAIL",)

    def find(self, view: TextView) -> list[Span]:
        text = view.text
        if "@" not in text:
            return []
        return [(m.start(), m.end(), "EMAIL", 0.95) for m in _EMAIL.finditer(text)]

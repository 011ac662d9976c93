"""URL: web addresses ("https://...", "www.example.org") and bare domain names
("portal.example.com", "bbc.co.uk")."""

from __future__ import annotations

import re

from deid.text._view import TextView
from deid.text.recognizers._base import DeidRecognizer, Span, SpanSet

_GENERIC_TLDS = (
    "com|org|net|edu|gov|mil|int|info|biz|io|app|dev|ai|health|care|clinic|hospital|doctor|"
    "med|healthcare|online|site|web|cloud|tech|me|tv|us|uk|ca|au|de|fr|nl|eu|ch|se|no|dk|fi|"
    "es|it|pt|br|mx|jp|cn|in|ru|pl|be|at|cz|ie|nz|za|kr|sg|hk|il|gr|hu|ro|tr|ar|cl|co"
)
_SCHEME = re.compile(r"\b(?:https?|ftp|sftp|file)://[^\s<>\"'()\[\]{}]+", re.IGNORECASE)
_WWW = re.compile(r"\bwww\d{0,3}\.[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/[^\s<>\"'()\[\]{}]*)?", re.IGNORECASE)
_BARE = re.compile(
    r"(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:" + _GENERIC_TLDS + r")"
    r"(?:/[^\s<>\"'()\[\]{}]*)?(?![\w@-])",
    re.IGNORECASE,
)
_TRAIL = ".,;:!?)]}'\""


class UrlRecognizer(DeidRecognizer):
    """Find web addresses and domain names (URL).

    >>> from deid.text._view import TextView
    >>> t = "see https://portal.example.org/x?id=7, or www.clinic.com."
    >>> [t[s:e] for s, e, _, _ in UrlRecognizer().find(TextView(t))]
    ['https://portal.example.org/x?id=7', 'www.clinic.com']
    """

    ENTITIES = ("URL",)

    def find(self, view: TextView) -> list[Span]:
        text = view.text
        if "." not in text:
            return []
        out: list[Span] = []
        taken = SpanSet()
        for pattern, score in ((_SCHEME, 0.95), (_WWW, 0.9), (_BARE, 0.6)):
            for m in pattern.finditer(text):
                s, e = m.span()
                while e > s and text[e - 1] in _TRAIL:
                    e -= 1
                if taken.overlaps(s, e):
                    continue
                if pattern is _BARE and not self._plausible_domain(text[s:e]):
                    continue
                taken.add(s, e)
                out.append((s, e, "URL", score))
        out.sort()
        return out

    @staticmethod
    def _plausible_domain(value: str) -> bool:
        host = value.split("/", 1)[0]
        labels = host.split(".")
        if len(labels) < 2:
            return False
        # "walked.to", "pt.in": two-letter endings after a single short word are typos of a
        # missing space, not domains; a domain has a longer name or more labels.
        if len(labels) == 2 and len(labels[-1]) == 2 and "/" not in value:
            return False  # "muscles.Pt", "unit.Pt's": a missing space before a sentence, not a domain
        if all(lbl.isdigit() for lbl in labels):
            return False
        return any(c.isalpha() for c in labels[0])

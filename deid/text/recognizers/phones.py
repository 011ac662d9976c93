"""PHONE and FAX: telephone and fax numbers in every common layout.

"(617) 555-0142", "617-555-0142", "617.555.0142", "617 555 0142", "6175550142" (with a
phone word before it), "+1 617 555 0142", "555-0142", "x1234" extensions, and
international numbers ("+44 20 7946 0958"). A number is FAX when "fax" comes shortly
before it.
"""

from __future__ import annotations

import re

from deid.text._view import TextView
from deid.text.recognizers._base import DeidRecognizer, Span, SpanSet, keyword_before

_EXT = r"(?:\s*(?:x|ext\.?|extension|#)\s*\d{1,6})?"
_NANP = re.compile(
    r"(?<![\w/.+-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-]|\d{3}/)\d{3}[\s.-]\d{4}" + _EXT + r"(?![\w-]|\.\d)",
    re.IGNORECASE,
)
_INTL = re.compile(
    r"(?<![\w/.+-])(?:\+|00)\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]\d{2,5}){1,4}" + _EXT + r"(?![\w-]|\.\d)"
)
_LOCAL = re.compile(r"(?<![\w/.:-])\d{3}-\d{4}" + _EXT + r"(?![\w-]|\.\d)", re.IGNORECASE)
_BARE10 = re.compile(r"(?<![\w/.-])(?:1?\d{10})(?![\w-]|\.\d)")
# Any run of digit groups (8 to 15 digits in all) — a phone when a phone word is near.
_GROUPED = re.compile(
    r"(?<![\w/.+-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,5}(?:[\s.-]\d{2,5}){1,5}" + _EXT + r"(?![\w-]|\.\d)",
    re.IGNORECASE,
)
_SHORT = re.compile(r"(?<![\w/.+-])(?:\(\d{2,4}\)[\s.-]?)?\d{3,4}[\s.-]\d{3,4}(?![\w-]|\.\d)")
_PHONE_AFTER = re.compile(r"[\s-]{0,2}(?:office|fax|mobile|cell|home|work|desk|phone|tel)\b", re.IGNORECASE)
# Pager numbers: "pager #3-6244", "pgr 27803", "beeper 22856", "pg 9-4731".
_PAGER = re.compile(
    r"\b(?:pager|pgr|pg|beeper|bpr|page)[ \t]*(?:#|no\.?|number)?[ \t:]*(?P<n>\d[\d-]{3,9}\d)(?![\w]|[.,]\d)",
    re.IGNORECASE,
)
# "(P22856)", "p85245": a pager written with a P
_P_PAGER = re.compile(r"(?<![\w#-])[Pp](?:\d{4,6}|\d{1,3}-\d{4})\b")
_EXT_ALONE = re.compile(r"(?<![\w])(?:x|ext\.?|extension)\s?\d{3,6}\b", re.IGNORECASE)
_PHONE_WORD = re.compile(
    r"(?:phone|ph|tel|telephone|cell|cellphone|mobile|mob|home|work|desk|office|pager|page|paged|beeper|bpr|call|called"
    r"|contact|number|no|#|fax|cb|callback|reach|reached|text|texted|whatsapp|sms|messages?|answering|registered"
    r"|dial|dialed|ring|me\s+(?:at|on)|at|on)\b[\s.:#-]*(?:number|no\.?|#|at|on)?[\s.:#-]*\Z",
    re.IGNORECASE,
)
_STRONG_PHONE_WORD = re.compile(
    r"(?:phone|ph|tel|telephone|cell|cellphone|mobile|mob|pager|beeper|fax|cb|callback|desk|office|home|work)\b"
    r"[\s.:#-]*(?:number|no\.?|#)?[\s.:#-]*\Z|\b(?:call|reach|text|contact)\s+(?:me|him|her|them|us)?\s*(?:at|on)\s+\Z"
    r"|\b(?:answering|messages?|registered|number)\s+(?:at|to|on|is)?\s*\Z",
    re.IGNORECASE,
)
_FAX_WORD = re.compile(r"\bfax\b|\bfacsimile\b|\bf\s*[:#]", re.IGNORECASE)


class PhoneRecognizer(DeidRecognizer):
    """Find telephone (PHONE) and fax (FAX) numbers.

    >>> from deid.text._view import TextView
    >>> t = "Call (617) 555-0142 x12; fax: 617.555.0199."
    >>> [(t[s:e], ent) for s, e, ent, _ in PhoneRecognizer().find(TextView(t))]
    [('(617) 555-0142 x12', 'PHONE'), ('617.555.0199', 'FAX')]
    """

    ENTITIES = ("PHONE", "FAX")

    def find(self, view: TextView) -> list[Span]:
        text = view.text
        taken = SpanSet()
        add = taken.add

        for m in _NANP.finditer(text):
            add(m.start(), m.end(), 0.85)
        for m in _INTL.finditer(text):
            digits = sum(c.isdigit() for c in m.group())
            if 8 <= digits <= 15:
                add(m.start(), m.end(), 0.7)
        for m in _LOCAL.finditer(text):
            add(m.start(), m.end(), 0.6 if keyword_before(text, m.start(), _PHONE_WORD, 25) else 0.4)
        for m in _BARE10.finditer(text):
            if keyword_before(text, m.start(), _PHONE_WORD, 25):
                add(m.start(), m.end(), 0.6)
        for m in _GROUPED.finditer(text):
            digits = sum(c.isdigit() for c in m.group())
            if not 7 <= digits <= 15:
                continue
            labelled = keyword_before(text, m.start(), _STRONG_PHONE_WORD, 40) or _PHONE_AFTER.match(text, m.end())
            if labelled:
                add(m.start(), m.end(), 0.7)
            elif digits >= 9 and m.group().count(" ") + m.group().count(".") >= 2:
                add(m.start(), m.end(), 0.4)
        for m in _SHORT.finditer(text):
            if keyword_before(text, m.start(), _STRONG_PHONE_WORD, 40) or _PHONE_AFTER.match(text, m.end()):
                add(m.start(), m.end(), 0.6)
        for m in _P_PAGER.finditer(text):
            add(m.start(), m.end(), 0.5)
        for m in _PAGER.finditer(text):
            add(m.start("n"), m.end("n"), 0.7)
        for m in _EXT_ALONE.finditer(text):
            add(m.start(), m.end(), 0.5)
        out = []
        for s, e, score in taken.items():
            entity = "FAX" if keyword_before(text, s, _FAX_WORD, 30) else "PHONE"
            out.append((s, e, entity, score))
        return out

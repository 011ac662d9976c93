"""Identifiers found by their label: MRN, HEALTH_PLAN_ID, ACCOUNT, LICENSE, VEHICLE_ID,
DEVICE_ID and ID ("MRN: 00482913", "Med Rec # 4829-13", "acct 99812", "member ID
XJH7712345", "policy # 8812-22", "DEA #AB1234563", "NPI 1234567893", "serial # PM-77812",
"VIN 1HGCM82633A004352", "plate 7ABC123").

A label is followed by optional punctuation and "no."/"number"/"#", then a value of three
or more letters, digits and dashes that contains at least one digit.
"""

from __future__ import annotations

import re

from deid.text._view import TextView
from deid.text.recognizers._base import DeidRecognizer, Span, SpanSet

# label pattern -> entity type (first match wins, so longer labels come first)
_LABELS: list[tuple[str, str]] = [
    (r"medical\s+record(?:\s+(?:number|no|num))?|med(?:ical)?\.?\s*rec(?:ord)?\.?|mrn|m\.r\.n\.?|mr\s*#|mr\s+no|mr\s+number"
     r"|unit\s+(?:no|number|#)|hospital\s+(?:no|number|#|id)|hosp\s*(?:no|#)|chart\s*(?:no|number|#)"
     r"|patient\s+(?:id|number|no|#)|pt\s+(?:id|#)|record\s+(?:no|number|#)|emr\s*(?:no|#|id)?", "MRN"),
    (r"member\s*(?:id|no|number|#)|subscriber\s*(?:id|no|number|#)|policy(?:\s+(?:holder\s+)?(?:no|number|id|#))?"
     r"|group\s+(?:no|number|#|id)|medicaid(?:\s+(?:id|no|number|#))?|medicare(?:\s+(?:id|no|number|#))?"
     r"|mbi|hicn|insurance\s+(?:id|no|number|#)|plan\s+(?:id|no|number|#)|beneficiary(?:\s+(?:id|no|number|#))?"
     r"|health\s+plan(?:\s+(?:id|no|number|#))?|ins\.?\s+(?:id|#)", "HEALTH_PLAN_ID"),
    (r"account(?:\s+(?:no|number|#))?|acct\.?|acc\s*(?:no|#)|a/c|billing\s+(?:no|number|#|id)|invoice\s*(?:no|#)?"
     r"|card\s+(?:no|number|#)|credit\s+card(?:\s+(?:no|number|#))?|cc\s*#|bank\s+account|routing(?:\s+(?:no|number|#))?"
     r"|iban|swift|(?:card|visa|mastercard|amex|discover|account|acct)\s+ending(?:\s+in)?", "ACCOUNT"),
    (r"dea(?:\s+(?:no|number|#))?|npi|upin|licen[cs]e(?:\s+(?:no|number|#))?|lic\.?\s*(?:no|#)?|dl\s*#?|driver'?s\s+licen[cs]e"
     r"|certificate(?:\s+(?:no|number|#))?|cert\.?\s*(?:no|#)|state\s+licen[cs]e|board\s+certification", "LICENSE"),
    (r"vin|vehicle\s+reg(?:istration)?(?:\s+(?:no|number|#))?|registration\s+(?:no|number|#)"
     r"|vehicle\s+(?:id|identification(?:\s+number)?|no|#)|licen[cs]e\s+plate|plate(?:\s+(?:no|number|#))?|tag\s+#", "VEHICLE_ID"),
    (r"serial(?:\s+(?:no|number|#))?|s/n|sn|device\s+(?:id|no|number|#)|udi|imei|mac\s+address"
     r"|(?:pacemaker|icd|defibrillator|pump|implant|device)\s+(?:serial|id|#)", "DEVICE_ID"),
    (r"passport(?:\s+(?:no|number|#))?|case\s*(?:no|number|#)|accession(?:\s+(?:no|number|#))?|acc#|specimen\s*(?:no|#|id)"
     r"|order\s*(?:no|#)|requisition(?:\s+(?:no|#))?|encounter\s*(?:no|#|id)|visit\s*(?:no|#|id)|csn|fin(?:\s+(?:no|#))?"
     r"|claim\s*(?:no|number|#)|employee\s*(?:id|no|#)|badge\s*(?:no|#)|ref(?:erence)?\s*(?:no|number|#)"
     r"|confirmation\s*(?:no|number|#)|id\s*(?:no|number|#)|identifier|id", "ID"),
]
_VALUE = r"(?P<value>(?=[A-Za-z0-9/-]*\d)[A-Za-z0-9](?:[A-Za-z0-9/-]|\.(?=\d)){2,29}(?:[ ](?:\d{2,6}|[A-Z]{1,3}\d+)){0,2})"
# licence plates may be written with a space: "CUH 4197"
_PLATE_VALUE = r"(?P<value>(?=[A-Za-z0-9/-]*\d)[A-Za-z0-9](?:[A-Za-z0-9/-]){2,29}|[A-Z]{1,4}[ -]\d{2,6}[A-Z]{0,2})"
_PATTERNS = [
    (
        re.compile(
            rf"\b(?:{label})(?![a-z])[\s.:#=\-]{{0,4}}(?:(?:no|number|num|#)\b\.?[\s.:#=\-]{{0,3}})?"
            rf"{_PLATE_VALUE if entity == 'VEHICLE_ID' else _VALUE}(?![\w-])",
            re.IGNORECASE,
        ),
        entity,
    )
    for label, entity in _LABELS
]
# DEA numbers have a fixed form (two letters, seven digits) and a check digit.
_DEA = re.compile(r"\b[ABCDEFGHJKLMPRSTUX][A-Z9]\d{7}\b")
# A 17-character VIN (no I, O or Q) mixing letters and digits.
_VIN = re.compile(r"\b(?=[A-HJ-NPR-Z0-9]*\d)(?=[A-HJ-NPR-Z0-9]*[A-HJ-NPR-Z])[A-HJ-NPR-Z0-9]{17}\b")


def _dea_valid(value: str) -> bool:
    d = [int(c) for c in value[2:]]
    return (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 == d[6]


class LabelledIdRecognizer(DeidRecognizer):
    """Find identifiers by their label (MRN, HEALTH_PLAN_ID, ACCOUNT, LICENSE, VEHICLE_ID,
    DEVICE_ID, ID).

    >>> from deid.text._view import TextView
    >>> t = "MRN: 00482913, member ID XJH7712345, DEA #AB1234563"
    >>> [(t[s:e], ent) for s, e, ent, _ in LabelledIdRecognizer().find(TextView(t))]
    [('00482913', 'MRN'), ('XJH7712345', 'HEALTH_PLAN_ID'), ('AB1234563', 'LICENSE')]
    """

    ENTITIES = ("MRN", "HEALTH_PLAN_ID", "ACCOUNT", "LICENSE", "VEHICLE_ID", "DEVICE_ID", "ID")

    def find(self, view: TextView) -> list[Span]:
        text = view.text
        out: list[Span] = []
        taken = SpanSet()
        for pattern, entity in _PATTERNS:
            for m in pattern.finditer(text):
                s, e = m.span("value")
                while e > s and text[e - 1] in ".-/":
                    e -= 1
                if taken.add(s, e):
                    out.append((s, e, entity, 0.85))
        for m in _DEA.finditer(text):
            s, e = m.span()
            if not taken.overlaps(s, e) and _dea_valid(m.group()) and taken.add(s, e):
                out.append((s, e, "LICENSE", 0.7))
        for m in _VIN.finditer(text):
            s, e = m.span()
            if taken.add(s, e):
                out.append((s, e, "VEHICLE_ID", 0.7))
        out.sort()
        return out

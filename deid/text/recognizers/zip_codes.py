"""ZIP: US ZIP codes ("02139", "02139-4307") after a state ("Boston, MA 02139"), after a
ZIP label ("zip: 02139"), or at the end of an address line. A five-digit number on its
own is not reported: in notes it is more often a count or a code.
"""

from __future__ import annotations

import re

from deid.text._view import TextView
from deid.text.recognizers._base import DeidRecognizer, Span

_ZIP = re.compile(r"(?<![\w.,$/-])\d{5}(?:-\d{4})?(?![\w]|[.,]\d|-\d)")
_STATE_BEFORE = re.compile(
    r"(?:\b(?:A[KLRZ]|C[AOT]|D[CE]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[AT]|W[AIVY])"
    r"|\b(?:alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|florida|georgia|hawaii|idaho"
    r"|illinois|indiana|iowa|kansas|kentucky|louisiana|maine|maryland|massachusetts|michigan|minnesota|mississippi"
    r"|missouri|montana|nebraska|nevada|new\s+hampshire|new\s+jersey|new\s+mexico|new\s+york|north\s+carolina"
    r"|north\s+dakota|ohio|oklahoma|oregon|pennsylvania|rhode\s+island|south\s+carolina|south\s+dakota|tennessee"
    r"|texas|utah|vermont|virginia|washington|west\s+virginia|wisconsin|wyoming|mass|calif|penn)\.?)[ \t,]{1,3}\Z",
    re.IGNORECASE,
)
_LABEL_BEFORE = re.compile(r"\b(?:zip|zipcode|zip\s+code|postal\s+code|postcode|post\s+code)(?:\s+is)?[\s.:#-]*\Z", re.IGNORECASE)
# After a label, postal codes of other countries too: "880", "53-320", "7412 SL", "394 13".
_LABEL = re.compile(r"\b(?:zip|zipcode|zip\s+code|postal\s+code|postcode|post\s+code)(?:\s+is)?[ \t.:#-]*", re.IGNORECASE)
_LABELLED_CODE = re.compile(
    r"\d{2,5}(?:[- ]\d{2,4})?(?:[ ]?[A-Z]{2}\b)?(?![\w-])|[A-Z]\d[A-Z][ ]?\d[A-Z]\d\b|[A-Z]{1,2}\d[A-Z\d]?[ ]?\d[A-Z]{2}\b"
)
_DOSE_AFTER = re.compile(r"\s*(?:mg|mcg|g|ml|cc|units?|u|iu|meq|mmol|tabs?|%)\b", re.IGNORECASE)
# A postal code right after a place word at the end of an address: "Estonia 62488", "Aalborg 9100".
_AFTER_WORD = re.compile(r"(?<![\w-])([^\W\d_][\w'.-]*)[ \t,]{1,3}(\d{3,5}(?:-\d{3,4})?)(?![\w]|[.,]\d|-\d)")
# "..., Springfield 01105" / a line that is only the ZIP after an address line
_AFTER_PLACE = re.compile(r"[A-Za-z][A-Za-z.'-]+,?[ \t]{1,3}\Z")


class ZipRecognizer(DeidRecognizer):
    """Find ZIP codes (ZIP).

    >>> from deid.text._view import TextView
    >>> t = "Boston, MA 02139-4307; zip: 01105; plt 15000"
    >>> [t[s:e] for s, e, _, _ in ZipRecognizer().find(TextView(t))]
    ['02139-4307', '01105']
    """

    ENTITIES = ("ZIP",)

    def find(self, view: TextView) -> list[Span]:
        text = view.text
        out: list[Span] = []
        for lab in _LABEL.finditer(text):
            code = _LABELLED_CODE.match(text, lab.end())
            if code is not None:
                out.append((code.start(), code.end(), "ZIP", 0.85))
        from deid.text._lexicons import CITY, CLINICAL, COMMON, COUNTRY, DICT, DRUG, STATE, STOP, load_lexicons

        lex = load_lexicons().tokens
        for m in _AFTER_WORD.finditer(text):
            word = m.group(1).lower().rstrip(".")
            f = lex.get(word, 0)
            if f & (DICT | COMMON | CLINICAL | DRUG | STOP) and not f & (COUNTRY | STATE):
                continue  # "given 500", "Lot 12345", "Insulin 10": words and drugs, not places
            if _DOSE_AFTER.match(text, m.end(2)):
                continue
            if f & (COUNTRY | STATE | CITY) and not (f & STATE and len(m.group(2)) != 5):
                out.append((m.start(2), m.end(2), "ZIP", 0.6))
        for m in _ZIP.finditer(text):
            s = m.start()
            before = text[max(0, s - 30) : s]
            if _STATE_BEFORE.search(before):
                out.append((s, m.end(), "ZIP", 0.9))
            elif _LABEL_BEFORE.search(before):
                out.append((s, m.end(), "ZIP", 0.9))
            elif "-" in m.group():
                out.append((s, m.end(), "ZIP", 0.6))
        out.sort()
        dedup: list[Span] = []
        for sp in out:
            if dedup and sp[0] < dedup[-1][1]:
                continue
            dedup.append(sp)
        return dedup

"""DATE: dates in every common form, month/day without a year, years, weekdays, holidays.

Forms: "07/22/2019", "7/22/19", "2019-07-22", "2019-07-22 14:03:11", "2019-07-22T14:03",
"22.07.2019", "7/22", "July 11th", "JULY 11", "Jul. 11, 2019", "11 July 2019",
"3rd of May", "22-Jul-2019", "22JUL2019", "May 2019", "5/2019", "'92", "in 1992",
"1990s", "Thursday", "Christmas". A weekday name before a date joins it ("Mon, 7/22").

Numbers that look like a month/day but are not dates are left alone: fractions ("1/2 NS",
"3/4"), scores ("strength 5/5", "GCS 3/15", "pain 7/10"), blood pressures ("120/80"), and
years followed by a unit ("2000 units", "1800 kcal").
"""

from __future__ import annotations

import re

from deid.text._view import TextView
from deid.text.recognizers._base import DeidRecognizer, Span, SpanSet

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_ORD = r"(?:st|nd|rd|th)"
_YEAR4 = r"(?:1[89]\d\d|20\d\d)"
_YEAR = r"(?:(?:1[89]|20)\d\d|['\u2019]\d\d|\d\d)"
_TIME = (
    r"(?:(?:[T ]|\s?@\s?|,?\s+at\s+)\d{1,2}:\d\d(?::\d\d(?:\.\d+)?)?(?:\s?[AaPp]\.?[Mm]\.?)?"
    r"(?:Z|[+-]\d\d:?\d\d)?)"
)
_WEEKDAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?"
_HOLIDAYS = (
    r"(?:christmas(?:\s+(?:eve|day))?|xmas|thanksgiving(?:\s+day)?|easter(?:\s+sunday)?"
    r"|new\s+year['\u2019]?s(?:\s+(?:eve|day))?|halloween|hanukk?ah|chanukah|passover|yom\s+kippur"
    r"|rosh\s+hashanah|memorial\s+day|labor\s+day|labour\s+day|independence\s+day|veterans['\u2019]?\s+day"
    r"|valentine['\u2019]?s\s+day|mother['\u2019]?s\s+day|father['\u2019]?s\s+day|martin\s+luther\s+king\s+day"
    r"|mlk\s+day|presidents['\u2019]?\s+day|columbus\s+day|good\s+friday|ash\s+wednesday|st\.?\s+patrick['\u2019]?s\s+day)"
)

_F = re.IGNORECASE
_NUMERIC_FULL = re.compile(
    r"(?<![\d/.\-])(?:"
    rf"(?:0?[1-9]|1[0-2])(?P<s1>[/.\-])(?:0?[1-9]|[12]\d|3[01])(?P=s1)(?:\d{{4}}|\d{{2}})"
    rf"|(?:0?[1-9]|[12]\d|3[01])(?P<s2>[/.\-])(?:0?[1-9]|1[0-2])(?P=s2)\d{{4}}"
    rf"|(?:1[89]|20)\d\d(?P<s3>[/.\-])(?:0?[1-9]|1[0-2])(?P=s3)(?:0?[1-9]|[12]\d|3[01])"
    rf"){_TIME}?(?![\d/]|\.\d|-\d)",
    _F,
)
_MONTH_DAY = re.compile(r"(?<![\d/.\-+])(?P<m>0?[1-9]|1[0-2])/(?P<d>0?[1-9]|[12]\d|3[01])(?![\d/]|\.\d)")
_MONTH_DAY_DASH = re.compile(r"(?<![\d/.\-+:])(?P<m>0?[1-9]|1[0-2])-(?P<d>0?[1-9]|[12]\d|3[01])(?![\d/\-]|\.\d)")
_DASH_NEG_AFTER = re.compile(
    r"[ \t]*(?:mg|mcg|g|ml|cc|l|units?|u|meq|mmol|days?|d|weeks?|wks?|months?|mos?|years?|yrs?|hours?|hrs?|h|minutes?|mins?"
    r"|times|x|tabs?|tablets?|caps?|capsules?|puffs?|sprays?|drops?|liters?|lpm|beats|breaths|%|cm|mm|in|lbs?|kg|more"
    r"|per|over|out|of|point|to|units?|amps?|vials?|bags?|doses?)\b",
    re.IGNORECASE,
)
# Events and tests that nurses date with a bare month/day: "cath 4/8", "Last BM 1/4", "MRI 12-18".
_PROCEDURES = (
    r"\bsnt|\bappt|\bed|\ber|\bcath|\bbronch|\bmri|\bct|\bcxr|\becho|\begd|colonoscopy|\beeg|\bekg|\becg|\bbm"
    r"|surgery|procedure|thoracentesis|paracentesis|\bir|biopsy|cultured|planned|scheduled|performed|inserted|changed"
    r"|obtained|held|placed|sent|\btee|\bhd|meeting|compared\s+to|\bs/p(?:\s+\w+)?"
)
# Nursing shifts written like a month-day: "NPN 11-7", "7-3 shift".
_SHIFTS = frozenset({(7, 3), (3, 11), (11, 7), (7, 7), (7, 11), (11, 11), (12, 12), (7, 19), (3, 7), (7, 12)})
_DASH_CONTEXT_BEFORE = re.compile(
    r"(?:\bon|since|until|till|held|compared\s+to|sent|placed(?:\s+on)?|removed(?:\s+on)?|started(?:\s+on)?"
    r"|stopped(?:\s+on)?|dated?|\bnote|\bnpn|admit(?:ted)?|discharged?|\bdc|d/c|\bdob|seen|drawn|done|\bof|\(|from"
    r"|{procedures})[ \t:]*\Z".format(procedures=_PROCEDURES),
    re.IGNORECASE,
)
_WEEKDAY_ABBR_ALONE = re.compile(
    r"\b(?:on|until|till|since|by|before|after|next|last|this|from|thru|through|eval|visit|tee|paracentesis"
    r"|thoracentesis|planned\s+for|scheduled\s+for|in)[ \t]+(?P<w>mon|tues?|weds?|thu(?:rs?)?|fri|sat|sun)\b\.?(?![ \t]*\d)",
    re.IGNORECASE,
)
# "EGD Mon", "npn 7a-3p tues": Mon/Tue/Wed/Thu/Fri capitalized in mixed text, or tues/thurs/weds anywhere
_WEEKDAY_ABBR_ANY = re.compile(r"\b(?:mon|tues?|weds?|thu(?:rs?)?|fri|sat|sun)\b\.?(?![ \t]*\d)(?![ \t]*(?:am|pm|@))", re.IGNORECASE)
# "tee wed", "NPN 0700-1900 SAT": an abbreviation at the end of a line or before punctuation
_WEEKDAY_ABBR_EOL = re.compile(r"(?<=[ \t])(?P<w>(?i:mon|tues?|weds?|thu(?:rs?)?|fri)|SAT|SUN)\.?(?=[ \t]*(?:\n|$|[,;)]))", re.MULTILINE)
_MONTH_YEAR = re.compile(r"(?<![\d/.\-])(?:0?[1-9]|1[0-2])[/\-](?:19|20)\d\d(?![\d/]|\.\d)")
_TEXTUAL = re.compile(
    r"\b(?:"
    # July 11th, Jul. 11, 2019, JULY 11 2019, Jul-22-2019
    rf"{_MONTH}\.?[ \t\-]{{0,2}}{_DAY}{_ORD}?\b(?:,?[ \t\-]{{0,2}}{_YEAR}\b)?"
    # 11 July 2019, 3rd of May, 22-Jul-2019, 22JUL2019
    rf"|{_DAY}{_ORD}?(?:[ \t]+of[ \t]+|[ \t\-]{{0,2}}){_MONTH}\b(?:(?<=jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec)\.|(?<=sept)\.)?(?:,?[ \t\-]{{0,2}}{_YEAR}\b)?"
    rf"|{_DAY}{_MONTH}{_YEAR}\b"
    # May 2019, May of 2019, Dec '92
    rf"|{_MONTH}\.?,?[ \t]+(?:of[ \t]+)?(?:{_YEAR4}|['\u2019]\d\d)\b"
    rf"){_TIME}?",
    _F,
)
# A month name alone is a date element; "may" and "march" (verbs) and abbreviations
# only after a preposition of time.
_MONTH_ALONE = re.compile(
    r"\b(?P<m>january|february|april|june|july|august|september|october|november|december)\b"
    r"|\b(?:in|since|of|during|early|mid|late|last|next|this|until|till|before|after|from|through|by)[ \t]"
    r"(?P<m2>may|march|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b(?!\s+(?:be|have|need|require|go))",
    _F,
)
_APOS_YEAR = re.compile(r"(?<![\w'\u2019])['\u2019](?:\d\d)(?![\d'\u2019]|\s?(?:mg|ml|cc|kg|lbs?|%))")
_YEAR_ALONE = re.compile(r"(?<![\d.$#/\-:,])(?:(?:19|20)\d\d)(?:['\u2019]?s)?(?![\d/:%]|[.,]\d|\s*-\s*\d|\s*(?:[a-z]*/|x\b))", _F)
_TIME_BEFORE = re.compile(r"(?:\bat|@|~|\baround|\bapprox\.?|\buntil|\btill|\bby|\bfrom|\bbetween|-)[ \t]*\Z", _F)
_LAB_BEFORE = re.compile(
    r"\b(?:ck|cpk|plts?|wbc|bnp|ldh|ast|alt|glu|glucose|bs|fs|trop|tbili|alk\s?phos|amylase|lipase|ferritin|uop|u/o"
    r"|i/o|intake|output|ins|outs|total|weight|wt|vol|volume|kcal|cal|calories|ml|cc|na|k|cl|bun|cr|hct|hgb|inr|ptt)"
    r"[ \t:=]*\Z",
    _F,
)
_WEEKDAY = re.compile(rf"\b{_WEEKDAYS}\b", _F)
_WEEKDAY_ABBR = re.compile(r"\b(?:mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\.?,?[ \t]+\Z", _F)
_HOLIDAY = re.compile(rf"\b{_HOLIDAYS}\b", _F)

_UNIT_AFTER = re.compile(
    r"\s*(?:mg|mcg|ug|g|gm|grams?|kg|ml|mls|cc|l|liters?|units?|u|iu|meq|mmol|kcal|cal|calories|calorie"
    r"|mmhg|cm|mm|m|ft|feet|in|inch|inches|lbs?|pounds?|oz|%|hrs?|hours?|mins?|minutes?|secs?|seconds?"
    r"|bpm|puffs?|tabs?|tablets?|caps?|capsules?|doses?|pts|patients|cells|copies|ng|pg|mosm|ms|msec"
    r"|beds?|steps?|feet|meters?|miles?|dollars|usd|x\b|times)\b",
    _F,
)
# Before a month/day: scores, ratios and measurements that use a slash.
_MD_NEG_BEFORE = re.compile(
    r"(?:\bbp|b/p|blood\s+pressure|\bgcs|strength|motor|\bpain|scale|score|ratio|i:e|\bx|reflexes"
    r"|pulses?|murmur|grade|apgar|vision|visual|acuity|\bsbp|\bdbp|\babp|\bnbp|\bart|\bcvp|\bpap|\bpa"
    r"|\bmap|rate|\bhr|\brr|\bo2|peep|\bps|\bfio2|\bvt|\btv|sats?|\bsao2|\bspo2|tid|bid|qid|\bq|/|\d|\+"
    r"|\bpsv|c?pap|bipap|\bipap|\bepap|vent|simv|\bac|prvc|\bpsv?|settings?|rsbi|weaned\s+to|wean\s+to)"
    r"[\s:=]*\Z",
    _F,
)
_MD_NEG_AFTER = re.compile(
    r"\s*(?:strength|pulses?|ns\b|nss\b|normal\s+saline|tabs?\b|tablets?|mg|ml|cc|times|x\b|scale"
    r"|%|strength|motor|power|reflex|of\s+(?:the|a|an|his|her|their|pt)\b|cup|glass|dose|liter|lpm|l\b|nc\b|fm\b"
    r"|\+|/)",
    _F,
)
_DATE_CONTEXT_BEFORE = re.compile(
    r"(?:\bon|since|from|until|till|thru|through|dated?|\bby|\bof|@|d/c|\bdc|admit(?:ted)?|discharged?"
    r"|seen|last|next|before|after|\bdob|\bdos|\bdoa|born|appt|appointment|visit|surgery|f/u|follow[\s-]?up"
    r"|day|\bs/p|status\s+post|between|and|-|\bnote|\bnpn|meeting|\(|{wd}|{procedures})[\s:,]*\Z".format(
        wd=_WEEKDAYS, procedures=_PROCEDURES),
    _F,
)


class DateRecognizer(DeidRecognizer):
    """Find dates and date elements (DATE).

    >>> from deid.text._view import TextView
    >>> t = "Seen 7/22, again on July 11th and 3rd of May '92; strength 5/5, 1/2 NS."
    >>> [t[s:e] for s, e, _, _ in DateRecognizer().find(TextView(t))]
    ['7/22', 'July 11th', "3rd of May '92"]
    """

    ENTITIES = ("DATE",)

    def find(self, view: TextView) -> list[Span]:
        text = view.text
        taken = SpanSet()
        add = taken.add

        # Longest, most certain forms first; later forms skip what is already taken.
        for m in _NUMERIC_FULL.finditer(text):
            if _UNIT_AFTER.match(text, m.end()) and not m.group().count(":"):
                continue
            add(m.start(), m.end(), 0.9)
        for m in _TEXTUAL.finditer(text):
            s, e = m.span()
            add(s, e, 0.9)
        for m in _MONTH_YEAR.finditer(text):
            add(m.start(), m.end(), 0.8)
        for m in _MONTH_DAY.finditer(text):
            s, e = m.span()
            if taken.overlaps(s, e):
                continue
            before = text[max(0, s - 25) : s]
            if _MD_NEG_BEFORE.search(before) or _MD_NEG_AFTER.match(text, e):
                continue
            mo, d = int(m.group("m")), int(m.group("d"))
            padded = m.group("m").startswith("0") or m.group("d").startswith("0")
            if mo < d and d in (2, 3, 4, 8) and not padded and not _DATE_CONTEXT_BEFORE.search(before):
                continue  # a fraction: "1/2", "3/4"
            if d == 10 and not padded and not _DATE_CONTEXT_BEFORE.search(before):
                continue  # a pain score: "7/10 after meds"
            add(s, e, 0.75 if _DATE_CONTEXT_BEFORE.search(before) else 0.6)
        for m in _MONTH_DAY_DASH.finditer(text):
            s, e = m.span()
            if taken.overlaps(s, e) or _DASH_NEG_AFTER.match(text, e):
                continue
            before = text[max(0, s - 25) : s]
            mo, d = int(m.group("m")), int(m.group("d"))
            if (mo, d) in _SHIFTS:
                continue  # a nursing shift: "NPN 11-7", "7-3"
            if _DASH_CONTEXT_BEFORE.search(before) or text[e : e + 1] == ")":
                add(s, e, 0.6)
        for m in _WEEKDAY_ABBR_ANY.finditer(text):
            w = m.group()
            mixed = view.line_style_at(m.start()) == "mixed"
            if (mixed and w[0].isupper() and not w.isupper() and w.lower() not in ("sat", "sun")) or w.lower().rstrip(".") in ("tues", "thurs", "weds"):
                add(m.start(), m.end(), 0.55)
        for m in _WEEKDAY_ABBR_EOL.finditer(text):
            add(m.start("w"), m.end("w"), 0.5)
        for m in _WEEKDAY_ABBR_ALONE.finditer(text):
            w = m.group("w")
            if view.line_style_at(m.start("w")) == "mixed" and w.islower():
                continue  # "on sat" in mixed text: oxygen saturation, not Saturday
            add(m.start("w"), m.end("w"), 0.6)
        for m in _HOLIDAY.finditer(text):
            add(m.start(), m.end(), 0.8)
        for m in _WEEKDAY.finditer(text):
            add(m.start(), m.end(), 0.7)
        for m in _MONTH_ALONE.finditer(text):
            g = "m" if m.group("m") else "m2"
            add(m.start(g), m.end(g), 0.6)
        for m in _APOS_YEAR.finditer(text):
            add(m.start(), m.end(), 0.7)
        for m in _YEAR_ALONE.finditer(text):
            s, e = m.span()
            if _UNIT_AFTER.match(text, e):
                continue
            before = text[max(0, s - 12) : s]
            if int(m.group()[2:4]) <= 59 and _TIME_BEFORE.search(before):
                continue  # a 24-hour time: "at 1902", "@ 2015"
            if _LAB_BEFORE.search(before):
                continue  # a lab value: "CK 2003", "plt 1950"
            add(s, e, 0.5)
        # A weekday abbreviation right before a date joins it: "Mon, 7/22".
        out: list[Span] = []
        for s, e, score in taken.items():
            w = _WEEKDAY_ABBR.search(text, max(0, s - 12), s)
            if w is not None and w.end() == s:
                s = w.start()
            out.append((s, e, "DATE", score))
        return out

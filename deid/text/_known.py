"""Known identifiers: a patient's own values (from the structured record) found in their notes,
wherever and however they are written.

``KnownIdentifiers({"NAME": ["Ann Lee"], "MRN": ["00482913"], "PHONE": ["617-555-0142"],
"DATE": ["1931-03-14"], "ADDRESS": ["12 Main Street"]})`` compiles the values once into
lookup tables (token sequences, digit strings, dates), and :meth:`find` scans a note's shared
token view: no regular expression per value, so a patient with a thousand values costs about
as much as one with ten.

Variants that are matched (the rule for each is documented in ``docs/text.md``):

- NAME: the full name in any case and spacing; "Last, First"; the first or the last name
  alone; an initial plus the surname ("A. Lee"); a possessive ("Lee's"). A lone name word
  that is also an ordinary English word ("Will", "May", "Bill", "Mark") or has fewer than
  three letters is matched only next to a name context: a title before it ("Dr.", "Mrs"), a
  relation ("daughter"), or a capital letter inside mixed-case text.
- numbers (MRN, SSN, PHONE, FAX, HEALTH_PLAN_ID, ACCOUNT, LICENSE, ID, ZIP, ...): the same
  digits with any separators or none ("617 555 0142", "6175550142", "(617) 555-0142"), and
  without leading zeros ("00482913" / "482913"); values with letters match case-insensitively
  with any separators.
- DATE: the same calendar date in any format deid reads ("3/14/1931", "March 14th, 1931",
  "14 Mar 1931"); a known date with a year also matches a month/day without one.
- ADDRESS: the street with its type written in full or abbreviated ("12 Main St").
- EMAIL, URL: case-insensitive.
Values that are empty, a single character, or only punctuation are ignored.

>>> from deid.text._view import TextView
>>> known = KnownIdentifiers({"NAME": ["Ann Lee"], "MRN": ["00482913"]})
>>> t = "LEE, ANN seen; mrn 482-913. Ms. Lee's son called."
>>> [(t[s:e], ent) for s, e, ent, _ in known.find(TextView(t))]
[('LEE, ANN', 'NAME'), ('482-913', 'MRN'), ('Lee', 'NAME')]
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

from deid.entities import ENTITY_TYPES
from deid.text._lexicons import CLINICAL, COMMON, STOP, VERY_COMMON, load_lexicons
from deid.text._normalize import normalize
from deid.text._view import STYLE_MIXED, TITLE, TextView

Span = tuple[int, int, str, float]

_NUMBER_TYPES = frozenset(
    {"MRN", "SSN", "PHONE", "FAX", "HEALTH_PLAN_ID", "ACCOUNT", "LICENSE", "VEHICLE_ID", "DEVICE_ID",
     "ID", "ZIP", "IP_ADDRESS", "AGE"}
)
_TEXT_TYPES = frozenset({"EMAIL", "URL"})
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]{2,})*")
# runs of digit groups with separators ("617-555-0142", "(617) 555 0142", "0048-2913"), and
# codes that mix letters and digits ("XJH7712345", "AB-1234")
_DIGIT_RUN = re.compile(r"(?<![\w.])\(?\d+\)?(?:[ .\-]{1,2}\(?\d+\)?)*(?![\w])")
_CODE = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*(?![\w-])")
_GROUP = re.compile(r"\(?\d+\)?")
# two- and three-letter abbreviations that are initials only where a note is signed
_ABBREVIATIONS = frozenset(
    """rn md do pa np pm am hr dr ma ms mr cr on no ac nc fs lr iv im po pr sq bp rr ct ot pt us
    gi gu ed er or ob dc mg ng og tf ns bs ls hx dx rx tx sx ap cc id""".split()
)
_INITIALS = re.compile(r"(?<![\w.])(?P<v>[A-Za-z]\.?[A-Za-z]\.?(?:[A-Za-z]\.?)?)(?![\w])")
_STREET_TYPES = {
    "street": "st", "str": "st", "avenue": "ave", "av": "ave", "road": "rd", "boulevard": "blvd",
    "drive": "dr", "lane": "ln", "court": "ct", "place": "pl", "terrace": "ter", "parkway": "pkwy",
    "highway": "hwy", "circle": "cir", "square": "sq", "trail": "trl", "way": "wy", "north": "n",
    "south": "s", "east": "e", "west": "w", "apartment": "apt", "suite": "ste", "unit": "apt",
}
_TITLES = frozenset("dr doctor mr mrs ms miss mister prof".split())
_RELATIONS = frozenset(
    """daughter son wife husband mother mom father dad sister brother niece nephew grandson
    granddaughter aunt uncle cousin friend partner spouse name named dtr bro sis""".split()
)


def _digits_key(value: str) -> str | None:
    """Alphanumerics of a code, upper-cased, leading zeros of a pure number dropped."""
    chars = "".join(c for c in value if c.isalnum()).upper()
    if len(chars) < 3:
        return None
    if chars.isdigit():
        chars = chars.lstrip("0") or "0"
    return chars


def _street_key(word: str) -> str:
    w = word.lower().strip(".")
    return _STREET_TYPES.get(w, w)


class KnownIdentifiers:
    """One patient's known values, compiled for fast matching in their notes.

    Parameters
    ----------
    known : mapping of entity type to an iterable of values
        Types from :data:`deid.entities.ENTITY_TYPES`; an unknown type is a ``ValueError``
        naming it. Values are never kept in reprs or errors.
    """

    __slots__ = ("_names", "_first_words", "_codes", "_dates", "_texts", "_addresses", "_initials", "n_values")

    def __init__(self, known: Mapping[str, Iterable[str]]):
        if not isinstance(known, Mapping):
            raise TypeError(f"known must be a mapping of entity type to values, not {type(known).__name__}")
        self._names: dict[tuple[str, ...], tuple[str, bool]] = {}  # token seq -> (type, needs context)
        self._first_words: dict[str, list[tuple[str, ...]]] = {}
        self._codes: dict[str, str] = {}
        self._dates: dict[tuple, str] = {}
        self._texts: dict[str, str] = {}
        self._addresses: dict[tuple[str, ...], str] = {}
        self._initials: set[str] = set()
        self.n_values = 0
        lex = None
        for entity, values in known.items():
            if entity not in ENTITY_TYPES:
                raise ValueError(f"unknown entity type {entity!r} in known identifiers; known types: {', '.join(ENTITY_TYPES)}")
            if isinstance(values, str) or not isinstance(values, Iterable):
                values = [values]
            for value in values:
                if value is None or (isinstance(value, float) and value != value):
                    continue
                value = normalize(str(value))[0].strip()
                if len(value) < 2 or not any(c.isalnum() for c in value):
                    continue  # empty, one character or punctuation: nothing to match safely
                self.n_values += 1
                if entity == "NAME":
                    if lex is None:
                        lex = load_lexicons().tokens
                    self._add_name(value, lex)
                elif entity == "DATE":
                    self._add_date(value)
                elif entity == "ADDRESS":
                    # street words only (numbers are not tokens); the house number joins on match
                    toks = tuple(_street_key(w) for w in _WORD.findall(value))
                    if len(toks) >= 2:
                        self._addresses[toks] = entity
                        self._first_words.setdefault(toks[0], []).append(toks)
                elif entity in _TEXT_TYPES:
                    self._texts[value.lower()] = entity
                else:
                    key = _digits_key(value)
                    if key is not None:
                        self._codes[key] = entity

    # -- compilation ----------------------------------------------------------------------
    def _add_seq(self, seq: tuple[str, ...], needs_context: int = 0):
        if not seq:
            return
        old = self._names.get(seq)
        # a sequence known both with and without a context requirement needs the lesser one
        self._names[seq] = ("NAME", needs_context if old is None else min(old[1], needs_context))
        self._first_words.setdefault(seq[0], []).append(seq)

    def _add_name(self, value: str, lex) -> None:
        words = [w.lower() for w in _WORD.findall(value)]
        words = [w for w in words if w not in _TITLES]
        if not words:
            return
        if "," in value and len(words) >= 2:  # "Lee, Ann" given as the value: last name first
            first_at = value.index(",")
            before = [w.lower() for w in _WORD.findall(value[:first_at]) if w.lower() not in _TITLES]
            words = [w for w in words if w not in before] + before
        self._add_seq(tuple(words))
        if len(words) >= 2:
            # initials that sign a note or stand for the patient: "AL", "A.L.", "AML"
            self._initials.add(words[0][0] + words[-1][0])
            if len(words) >= 3:
                self._initials.add("".join(w[0] for w in words[:3]))
            first, last = words[0], words[-1]
            self._add_seq((last, first))  # "Lee, Ann" / "LEE ANN"
            self._add_seq((first[0], last))  # "A. Lee", "A Lee"
            self._add_seq((first, last))  # without middle names
        for w in set(words):
            f = lex.get(w, 0)
            # 2: only in a name context; 1: also when capitalized in mixed-case text
            level = 2 if (len(w) < 3 or f & VERY_COMMON) else 1 if f & COMMON else 0
            self._add_seq((w,), level)

    def _add_date(self, value: str) -> None:
        from deid.transform._date_shift import parse_date

        parsed = parse_date(value)
        if parsed is None or parsed.base is None:
            return
        kinds = {k for k, _ in parsed.fields}
        d = parsed.base
        if "y4" in kinds or "y2" in kinds:
            self._dates[(d.year, d.month, d.day)] = "DATE"
            self._dates[("yy", d.year % 100, d.month, d.day)] = "DATE"  # "3/14/31"
        self._dates[(None, d.month, d.day)] = "DATE"  # a month/day without year in a note

    # -- matching -------------------------------------------------------------------------
    def find(self, view: TextView) -> list[Span]:
        """Spans ``(start, end, entity_type, score)`` of the known values in the view's text."""
        text = view.text
        out: list[Span] = []
        if self._names or self._addresses:
            out.extend(self._find_words(view))
        if self._initials:
            out.extend(self._find_initials(view))
        if self._codes:
            for m in _DIGIT_RUN.finditer(text):
                self._match_digits(text, m, out)
            for m in _CODE.finditer(text):
                key = _digits_key(m.group())
                if key is not None and key in self._codes:
                    out.append((m.start(), m.end(), self._codes[key], 1.0))
        if self._texts:
            low = text.lower()
            for value, entity in self._texts.items():
                start = low.find(value)
                while start >= 0:
                    out.append((start, start + len(value), entity, 1.0))
                    start = low.find(value, start + len(value))
        if self._dates:
            out.extend(self._find_dates(view))
        out.sort()
        return out

    def _match_digits(self, text: str, m: re.Match, out: list[Span]) -> None:
        """A run of digit groups matches when the digits of some consecutive groups equal a
        known number: "call 617 555 0142", "mrn 0048-2913 617 555 0142" (longest first)."""
        groups = [(g.start(), g.end()) for g in _GROUP.finditer(text, m.start(), m.end())]
        n = len(groups)
        i = 0
        while i < n:
            hit = None
            for j in range(min(n, i + 6), i, -1):
                key = _digits_key(text[groups[i][0] : groups[j - 1][1]])
                if key is not None and key in self._codes:
                    hit = j
                    break
            if hit is None:
                i += 1
                continue
            s, e = groups[i][0], groups[hit - 1][1]
            if text[s] == "(" and ")" not in text[s:e]:
                s += 1  # "(617 555-0142": the parenthesis is not part of the number
            if text[e - 1] == ")" and "(" not in text[s:e]:
                e -= 1  # "(MRN: 00482913)": nor is the closing one
            out.append((s, e, self._codes[_digits_key(text[groups[i][0] : e])], 1.0))
            i = hit

    def _find_words(self, view: TextView) -> list[Span]:
        toks = view.tokens
        text = view.text
        out: list[Span] = []
        n = len(toks)
        i = 0
        while i < n:
            t = toks[i]
            cands = self._first_words.get(t.lower)
            if cands is None and len(t.lower) > 1:
                cands = self._first_words.get(t.lower[0]) if _is_initial(text, t) else None
            if not cands:
                i += 1
                continue
            best = None
            for seq in sorted(cands, key=len, reverse=True):
                k = len(seq)
                if i + k > n:
                    continue
                ok = True
                for j in range(k):
                    tj = toks[i + j]
                    if tj.lower != seq[j] and not (len(seq[j]) == 1 and tj.lower == seq[j]) and _street_key(tj.lower) != seq[j]:
                        ok = False
                        break
                    if j and (("\n" in text[toks[i + j - 1].end : tj.start]) or len(text[toks[i + j - 1].end : tj.start].strip(" ,.")) > 0):
                        ok = False
                        break
                if not ok:
                    continue
                if seq in self._addresses:
                    best = (seq, "ADDRESS", False)
                    break
                entity, level = self._names.get(seq, ("NAME", 0))
                if level and not _name_context(view, i, level):
                    continue
                best = (seq, entity, level)
                break
            if best is None:
                i += 1
                continue
            seq, entity, _ = best
            start, end = t.start, toks[i + len(seq) - 1].end
            if entity == "ADDRESS":
                # the house number before the street words belongs to the address
                m = re.search(r"\d+[A-Za-z]?[ \t]+\Z", text[max(0, start - 10) : start])
                if m:
                    start -= len(m.group())
            out.append((start, end, entity, 1.0))
            i += len(seq)
        return out

    def _find_initials(self, view: TextView) -> list[Span]:
        """A person's initials ("AL", "a.l.") where initials stand: after "--", "/" or "-",
        at a line end, or between commas; any initials that are not a clinical word."""
        text = view.text
        lex = load_lexicons().tokens
        out: list[Span] = []
        for m in _INITIALS.finditer(text):
            v = m.group("v")
            key = v.replace(".", "").lower()
            if key not in self._initials:
                continue
            before = text[max(0, m.start() - 3) : m.start()]
            after = text[m.end() : m.end() + 1]
            signed = before.endswith(("--", "-- ", "/")) or (before.endswith(("\n-", "\n- ")) and after in ("", "\n", "/"))
            ambiguous = key in _ABBREVIATIONS or lex.get(key, 0) & (CLINICAL | STOP | COMMON | VERY_COMMON)
            if signed or (not ambiguous and (before.endswith((", ", "(")) or after in ("", "\n", ",", "/", ")"))):
                out.append((m.start(), m.end(), "NAME", 1.0))
        return out

    def _find_dates(self, view: TextView) -> list[Span]:
        from deid.text.recognizers.dates import DateRecognizer
        from deid.transform._date_shift import parse_date

        out: list[Span] = []
        for s, e, _, _ in _date_recognizer(DateRecognizer).find(view):
            parsed = parse_date(view.text[s:e])
            if parsed is None or parsed.base is None:
                continue
            kinds = {k for k, _ in parsed.fields}
            d = parsed.base
            if "y4" in kinds:
                key = (d.year, d.month, d.day)
            elif "y2" in kinds:
                key = ("yy", d.year % 100, d.month, d.day)
            else:
                key = (None, d.month, d.day)
            if key in self._dates and "d" in kinds:
                out.append((s, e, "DATE", 1.0))
        return out

    def __repr__(self) -> str:
        return f"KnownIdentifiers(<{self.n_values} values>)"

    def __bool__(self) -> bool:
        return self.n_values > 0


_DATE_RECOGNIZER = None


def _date_recognizer(cls):
    global _DATE_RECOGNIZER
    if _DATE_RECOGNIZER is None:
        _DATE_RECOGNIZER = cls()
    return _DATE_RECOGNIZER


def _is_initial(text: str, tok) -> bool:
    return len(tok.lower) == 1


def _name_context(view: TextView, i: int, level: int) -> bool:
    """Whether token ``i`` stands where a person's name stands: a title, relation or label
    before it ("Dr.", "daughter", "asking for"), a credential, relation or person verb after
    it ("small md", "Bill (son)", "MILES, PT'S NEIGHBOR", "Young lives with", "don is a 79 yo");
    at level 1 also a capital letter in mixed-case text (at level 2 — "Will", "May" — only
    inside a sentence)."""
    from deid.text.recognizers.names import _AFTER_NAME, _AUXILIARIES, _IS_AGE, _PERSON_PHRASES, CREDENTIALS, RELATIONS

    toks = view.tokens
    text = view.text
    t = toks[i]
    capitalized_inside = t.style == STYLE_MIXED and t.shape == TITLE and not t.initial_pos
    if (
        level == 2
        and t.lower in _AUXILIARIES
        and i + 1 < len(toks)
        and toks[i + 1].shape in ("L", "U")
        and not capitalized_inside
        and not (i > 0 and toks[i - 1].lower in _TITLES)
    ):
        return False  # "pt will need", "WILL CALL BACK": the verb, not the patient named Will
    if t.style == STYLE_MIXED and t.shape == TITLE and (level == 1 or not t.initial_pos):
        return True
    if i > 0:
        prev = toks[i - 1]
        gap = text[prev.end : t.start]
        if "\n" not in gap and len(gap) <= 4 and (
            prev.lower in _TITLES or prev.lower in _RELATIONS or (prev.lower in RELATIONS and prev.lower not in ("pt", "patient"))
        ):
            return True
        if i > 1 and gap == " " and (toks[i - 2].lower, prev.lower) in _PERSON_PHRASES:
            return True
    if i + 1 < len(toks):
        nxt = toks[i + 1]
        gap = text[t.end : nxt.start]
        if "\n" not in gap and len(gap) <= 3:
            if nxt.lower in CREDENTIALS or (nxt.lower in RELATIONS and nxt.lower not in ("pt", "patient")):
                return True
            if gap == " " and nxt.lower in _AFTER_NAME and nxt.lower not in ("will", "may", "is", "was", "has", "had"):
                return True
            if nxt.lower in ("pt", "patient") and i + 2 < len(toks) and toks[i + 2].lower in RELATIONS:
                return True  # "MILES, PT'S NEIGHBOR"
        if _IS_AGE.match(text[t.end : t.end + 16].lower()):
            return True
    return level == 1 and t.style != STYLE_MIXED and i > 0 and toks[i - 1].lower in ("by", "with", "per", "to", "for")

"""Known identifiers: a patient's own values (from the structured record) found in their notes,
wherever and however they are written.

``KnownIdentifiers({"NAME": ["Ann Lee"], "MRN": ["00482913"], "PHONE": ["617-555-0142"],
"DATE": ["1931-03-14"], "ADDRESS": ["12 Main Street"]})`` compiles the values once into
lookup tables (each person's name words, street and place word sequences, digit strings,
calendar dates, e-mail and web addresses), and :meth:`find` scans a note's shared token view
and reuses the engine's date spans: no regular expression and no search per value, so a
patient with a thousand values costs about as much as one with ten.

Variants that are matched (the rules are documented in ``docs/text.md``, "Known identifiers"):

- NAME: the full name in any case and spacing; without the middle name or with its initial;
  "Last, First" ("LEE, ANN M."); the first or the last name alone; an initial plus the surname
  ("A. Lee"); a possessive ("Lee's"); the person's initials where initials stand ("--AL",
  ", AL,", "AL is a 79 yo"). A lone name word that is also an ordinary English word ("Will",
  "May", "Bill", "Mark", "Brown") is matched only in a person context: a title or relation
  before it ("Dr.", "daughter"), a phrase ("asking for", "prefers to be called"), a
  credential, relation, age or person verb after it ("Bill called", "May (dtr)"), or another
  part of the same person's name beside it. Capitalization alone is not a context ("Mark the
  chart."), and a lone month name that the date recognizer reads as a date stays a DATE.
- numbers (MRN, SSN, PHONE, FAX, HEALTH_PLAN_ID, ACCOUNT, LICENSE, ID, ZIP, ...): the same
  digits with any separators or none ("617 555 0142", "6175550142", "(617) 555-0142"), and
  without leading zeros ("00482913" / "482913"); values with letters match case-insensitively
  with any separators.
- DATE: the same calendar date in any format deid reads ("3/14/1931", "March 14th, 1931",
  "14 Mar 1931"); a known date with a year also matches a month/day without one.
- ADDRESS: the street with its type written in full or abbreviated ("12 Main St"), with or
  without the unit; a P.O. box by its number.
- EMAIL, URL: case-insensitive (a URL also without its scheme or "www."). A known value of
  another type inside an e-mail or web address found in the note does not override it.
- other types without digits (a LOCATION such as a city): the words in any case; a single
  ordinary English word only when capitalized inside a sentence.
Values that are empty, a single character, or only punctuation are ignored.

>>> from deid.text._view import TextView
>>> known = KnownIdentifiers({"NAME": ["Ann Lee"], "MRN": ["00482913"]})
>>> t = "LEE, ANN seen; mrn 482-913. Ms. Lee's son called."
>>> [(t[s:e], ent) for s, e, ent, _ in known.find(TextView(t))]
[('LEE, ANN', 'NAME'), ('482-913', 'MRN'), ('Lee', 'NAME')]
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from typing import Iterable, Mapping

from deid.entities import ENTITY_TYPES
from deid.text._lexicons import CLINICAL, COMMON, EPONYM, FIRST, LAST, STOP, VERY_COMMON, load_lexicons
from deid.text._normalize import normalize
from deid.text._view import INITIAL, LOWER, STYLE_MIXED, TITLE, TextView

Span = tuple[int, int, str, float]

_TEXT_TYPES = frozenset({"EMAIL", "URL"})
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]{2,})*")
_NON_ALNUM = re.compile(r"[\W_]+")
# runs of digit groups with separators ("617-555-0142", "(617) 555 0142", "0048-2913"), and
# codes that mix letters and digits ("XJH7712345", "AB-1234")
_DIGIT_RUN = re.compile(r"(?<![\w.])\(?\d+\)?(?:(?:[ .\-]{1,2}|(?<=\)))\(?\d+\)?)*(?![\w])")
_CODE = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*(?![\w-])")
_GROUP = re.compile(r"\(?\d+\)?")
_HAS_DIGIT = re.compile(r"\d")
_HOUSE_NUMBER = re.compile(r"\d+[A-Za-z]?[ \t]+\Z")
# the first initials of a signature pair before "/": alone ("--ls/"), or in capitals ("by JC/")
_SIGNATURE_HEAD = re.compile(r"(?:\A[ \t]*(?:--?|\.\.\.)?[ \t]?[A-Za-z]{2,3}|(?<![\w.])[A-Z]{2,3})\Z")
_TYPIST = re.compile(r"/[A-Za-z]{2,3}(?![\w/])[ \t]*")
_PO_BOX = re.compile(r"(?i)\bp\.?[ \t]?o\.?[ \t]*box[ \t#:]*(\d+)\b")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# e-mail and web addresses in a note: the candidates a known EMAIL / URL is looked up in
_EMAIL_LOCAL = re.compile(r"(?<![\w.+\-'])[\w.+\-']+\Z")
_EMAIL_DOMAIN = re.compile(r"[\w\-]+(?:\.[\w\-]+)+")
_URL_CAND = re.compile(
    r"(?i)(?:(?:https?|ftp)://|www\.)[^\s<>\"'()\[\]{}]+"
    r"|\b[\w\-]+(?:\.[\w\-]+)*\.(?:com|org|net|edu|gov|mil|int|io|us|info|biz|co|uk|ca|de|fr|health|care)"
    r"(?:/[^\s<>\"'()\[\]{}]*)?"
)
_URL_PREFIX = re.compile(r"(?i)\A(?:(?:https?|ftp)://)?(?:www\.)?")
# two- and three-letter abbreviations that are initials only where a note is signed
_ABBREVIATIONS = frozenset(
    """rn md do pa np pm am hr dr ma ms mr cr on no ac nc fs lr iv im po pr sq bp rr ct ot pt us
    gi gu ed er or ob dc mg ng og tf ns bs ls hx dx rx tx sx ap cc id rm mi af as ar tr pe pd ua ca
    cp sb le ue lv rv ra la av tb ho uc cv hb hs qd ok re vs kg cm mm ml yo sw rt st slp rd pca cna""".split()
)
# abbreviations also written in capitals with periods ("P.O.", "A.M.", "M.D.")
_DOTTED_ABBREVIATIONS = frozenset("am pm po us uk md do rn np pa dc pr ok ie eg bid tid qid prn npo".split())
# what follows a patient's initials used as their name: "AL is a 79 yo", "A.L. seen in clinic"
_INITIALS_AS_SUBJECT = re.compile(
    r"(?i)[ \t]+(?:(?:is|was)[ \t]+an?[ \t]+(?:\d|[a-z][a-z\- ]{2,30}?year)"
    r"|(?:seen|presented|presents|admitted|reports|states|denies|called|returns|aware|agrees|tearful)\b)"
    r"|[ \t]*\(\d{1,3}[ \t-]?(?:y|yo|y/o|yr)"
)
# initials in apposition after a description of the patient: "72 y/o man, TB, s/p ..."
_AFTER_PATIENT = re.compile(
    r"(?i)\b(?:y/?o|yo|yrs?[ -]old|years?[ -]old)[ \t]+(?:man|woman|male|female|gentleman|lady|m|f)[ \t]*,[ \t]*\Z")
_STREET_TYPES = {
    "street": "st", "str": "st", "avenue": "ave", "av": "ave", "road": "rd", "boulevard": "blvd",
    "drive": "dr", "lane": "ln", "court": "ct", "place": "pl", "terrace": "ter", "parkway": "pkwy",
    "highway": "hwy", "circle": "cir", "square": "sq", "trail": "trl", "way": "wy", "north": "n",
    "south": "s", "east": "e", "west": "w", "apartment": "apt", "suite": "ste", "unit": "apt",
}
_STREET_TYPE_KEYS = frozenset(
    "st ave rd blvd dr ln ct pl ter pkwy hwy cir sq trl wy".split()
)
_TITLES = frozenset("dr doctor mr mrs ms miss mister prof".split())
_RELATIONS = frozenset(
    """daughter son wife husband mother mom father dad sister brother niece nephew grandson
    granddaughter aunt uncle cousin friend partner spouse name named dtr bro sis""".split()
)
# name-value words that are not part of a name ("Ann Lee MD", "Lee Jr.")
_NAME_SUFFIXES = frozenset("md rn np phd jr sr ii iii iv do pa dds esq".split())
_MONTHS = frozenset(
    """january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
# levels of a lone name word: what context it needs
_ANYWHERE, _COMMON_WORD, _VERY_COMMON_WORD, _TITLE_ONLY = 0, 1, 2, 3


def _digits_key(value: str) -> str | None:
    """Alphanumerics of a code, upper-cased, leading zeros of a pure number dropped."""
    chars = _NON_ALNUM.sub("", value).upper()
    if len(chars) < 3:
        return None
    if chars.isdigit():
        chars = chars.lstrip("0") or "0"
    return chars


def _street_key(word: str) -> str:
    w = word.lower().strip(".")
    return _STREET_TYPES.get(w, w)


def _url_key(value: str) -> str:
    return _URL_PREFIX.sub("", value.lower()).rstrip("/.")


class KnownIdentifiers:
    """One patient's known values, compiled for fast matching in their notes.

    Parameters
    ----------
    known : mapping of entity type to an iterable of values
        Types from :data:`deid.entities.ENTITY_TYPES`; an unknown type is a ``ValueError``
        naming it. A single string (or number) counts as one value. Values are never kept in
        reprs or errors.

    Build once per patient and reuse for all of the patient's notes (``Scrubber`` caches the
    compiled object per mapping). ``n_values`` is the number of values kept.

    >>> k = KnownIdentifiers({"NAME": ["Mark Lee"], "PHONE": "617-555-0142"})
    >>> k
    KnownIdentifiers(<2 values>)
    >>> from deid.text._view import TextView
    >>> t = "Mark the chart. Mark called from 6175550142."
    >>> [(t[s:e], ent) for s, e, ent, _ in k.find(TextView(t))]
    [('Mark', 'NAME'), ('6175550142', 'PHONE')]
    """

    __slots__ = ("_persons", "_name_index", "_seqs", "_first_words", "_codes", "_dates", "_emails", "_urls",
                 "_po_boxes", "_initials", "_codes_with_letters", "_shortest", "n_values")

    def __init__(self, known: Mapping[str, Iterable[str]]):
        if not isinstance(known, Mapping):
            raise TypeError(f"known must be a mapping of entity type to values, not {type(known).__name__}")
        for entity in known:
            if entity not in ENTITY_TYPES:
                raise ValueError(
                    f"unknown entity type {_shown_type(entity)} in known identifiers; "
                    f"known types: {', '.join(ENTITY_TYPES)}"
                )
        # names: each person's words, and for each word the persons it belongs to. Variants
        # ("Lee, Ann", "A. Lee", "Ann M. Lee") are read at match time from the words around a
        # hit, so compiling a name costs a few dictionary operations.
        self._persons: list[tuple[str, ...]] = []
        self._name_index: dict[str, tuple[int, ...]] = {}
        # other word values (streets, places): token sequence -> (entity, needs a capital)
        self._seqs: dict[tuple[str, ...], tuple[str, bool]] = {}
        self._first_words: dict[str, tuple[tuple[str, ...], ...]] = {}
        self._codes: dict[str, str] = {}
        self._dates: set[tuple] = set()
        self._emails: dict[str, str] = {}
        self._urls: dict[str, str] = {}
        self._po_boxes: dict[str, str] = {}
        self._initials: set[str] = set()
        self._codes_with_letters: bool | None = None
        self._shortest: int | None = None
        self.n_values = 0
        for entity, values in known.items():
            if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
                values = [values]
            if entity == "NAME":
                add = self._add_name
            elif entity == "DATE":
                add = self._add_date
            elif entity == "ADDRESS":
                add = self._add_address
            elif entity in _TEXT_TYPES:
                add = self._add_text
            else:
                add = self._add_other
            kept = 0
            for value in values:
                if type(value) is not str:
                    if value is None or (isinstance(value, float) and value != value):
                        continue  # a missing value
                    value = str(value)
                if not (value.isascii() and value.isprintable()):
                    value = normalize(value)[0]
                value = value.strip()
                # empty, one character or punctuation: nothing to match safely
                if len(value) >= 2 and add(value, entity):
                    kept += 1
            self.n_values += kept

    # -- compilation ----------------------------------------------------------------------
    def _add_name(self, value: str, entity: str) -> bool:
        words = [w for w in _WORD.findall(value.lower()) if w not in _TITLES]
        while len(words) > 1 and words[-1] in _NAME_SUFFIXES:
            words.pop()  # "Ann Lee MD", "Lee Jr."
        if not words:
            return False
        if len(words) >= 2:
            if "," in value:  # "Lee, Ann M" given as the value: last name first
                head = len([w for w in _WORD.findall(value[: value.index(",")].lower()) if w not in _TITLES])
                if 0 < head < len(words):
                    words = words[head:] + words[:head]
            first, last = words[0], words[-1]
            # initials that sign a note or stand for the person: "AL", "A.L.", "AML"; a
            # hyphenated surname gives its first part's too ("Friel-Neubauer": "DF")
            initials = self._initials
            initials.add(first[0] + last[0])
            if len(words) >= 3:
                initials.add(first[0] + words[1][0] + last[0])
            if "-" in value and "," not in value:
                last_part = value.split()[-1]
                if "-" in last_part and last_part[:1].isalpha():
                    initials.add(first[0] + last_part[0].lower())
        # tuples, not lists or sets: the garbage collector stops tracking tuples of strings and
        # numbers, so thousands of compiled patients kept in memory do not slow every collection
        person = len(self._persons)
        self._persons.append(tuple(words))
        index = self._name_index
        for w in words:
            got = index.get(w)
            if got is None:
                index[w] = (person,)
            elif got[-1] != person:
                index[w] = got + (person,)
        return True

    def _add_seq(self, seq: tuple[str, ...], entity: str, needs_capital: bool = False) -> None:
        old = self._seqs.get(seq)
        if old is None:
            self._seqs[seq] = (entity, needs_capital)
            first = self._first_words.get(seq[0])
            self._first_words[seq[0]] = (seq,) if first is None else first + (seq,)
        elif old[1] and not needs_capital:
            self._seqs[seq] = (old[0], False)

    def _add_other(self, value: str, entity: str) -> bool:
        if _HAS_DIGIT.search(value):  # numbers and codes: by their alphanumerics
            key = _digits_key(value)
            if key is None:
                return False
            self._codes[key] = entity
            return True
        words = tuple(_WORD.findall(value.lower()))  # a place, or a code of letters only: its words
        if not words:
            return False
        self._add_seq(words, entity, len(words) == 1 and _word_level(words[0]) > _ANYWHERE)
        return True

    def _add_text(self, value: str, entity: str) -> bool:
        if entity == "EMAIL":
            self._emails[value.lower()] = entity
        else:
            key = _url_key(value)
            if not key:
                return False
            self._urls[key] = entity
        return True

    def _add_address(self, value: str, entity: str) -> bool:
        m = _PO_BOX.search(value)
        if m:
            self._po_boxes[m.group(1).lstrip("0") or "0"] = entity
            return True
        # street words only (numbers are not tokens); the house number joins on match
        toks = tuple(_STREET_TYPES.get(w, w) for w in _WORD.findall(value.lower()))
        if len(toks) < 2:
            return False
        self._add_seq(toks, entity)
        # the street without what follows its type (unit, city): "12 Oak Ave" of "12 Oak Ave Apt 3"
        for j in range(1, len(toks) - 1):
            if toks[j] in _STREET_TYPE_KEYS:
                self._add_seq(toks[: j + 1], entity)
                break
        return True

    def _add_date(self, value: str, entity: str) -> bool:
        m = _ISO_DATE.fullmatch(value)
        if m:  # the usual form of a record's date: no need for the general parser
            y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if not (1 <= mo <= 12 and 1 <= d <= 31):
                return False
            has_year = True
        else:
            from deid.transform._date_shift import parse_date

            parsed = parse_date(value)
            if parsed is None or parsed.base is None:
                return False
            kinds = {k for k, _ in parsed.fields}
            if "d" not in kinds:
                return False  # a month or a year alone says too little to look for
            y, mo, d = parsed.base.year, parsed.base.month, parsed.base.day
            has_year = "y4" in kinds or "y2" in kinds
        if has_year:
            self._dates.add((y, mo, d))
            self._dates.add(("yy", y % 100, mo, d))  # "3/14/31"
        self._dates.add((None, mo, d))  # a month/day without year in a note
        return True

    # -- matching -------------------------------------------------------------------------
    def find(self, view: TextView, found: list[Span] | None = None) -> list[Span]:
        """Spans ``(start, end, entity_type, score)`` of the known values in the view's text.

        ``found``: the spans the detection engine's recognizers found in the same view (any
        score). Its DATE spans are the candidates a known date is looked up in (without it,
        deid's date recognizer runs here), its EMAIL and URL spans are not overridden, and a
        known value strictly inside a longer span of another type yields that span its type.
        """
        text = view.text
        out: list[Span] = []
        date_cands = protected = None
        if found is not None:
            date_cands = [(s, e) for s, e, ent, _ in found if ent == "DATE"]
            protected = sorted((s, e) for s, e, ent, _ in found if ent in _TEXT_TYPES)
        if self._emails or self._urls or found is None:
            # without the engine's spans, every e-mail or web address in the text is protected
            texts, cands = self._find_texts(text, found is None)
            out.extend(texts)
            if found is None:
                protected = cands
            elif texts:
                protected = sorted(protected + [(s, e) for s, e, _, _ in texts])
        if self._name_index or self._seqs:
            if date_cands is None and not self._name_index.keys().isdisjoint(_MONTHS):
                date_cands = self._date_candidates(view)
            out.extend(self._find_words(view, protected, date_cands))
        if self._initials:
            out.extend(self._find_initials(view))
        if self._codes:
            for m in _DIGIT_RUN.finditer(text):
                self._match_digits(text, m, out)
            if self._has_code_with_letters():
                for m in _CODE.finditer(text):
                    key = _digits_key(m.group())
                    if key is not None and key in self._codes:
                        out.append((m.start(), m.end(), self._codes[key], 1.0))
        if self._po_boxes:
            for m in _PO_BOX.finditer(text):
                if (m.group(1).lstrip("0") or "0") in self._po_boxes:
                    out.append((m.start(), m.end(), "ADDRESS", 1.0))
        if self._dates:
            if date_cands is None:
                date_cands = self._date_candidates(view)
            out.extend(self._find_dates(text, date_cands))
        if protected:
            # what lies in an e-mail or web address is that address, not a name or a number
            out = [sp for sp in out if sp[2] in _TEXT_TYPES or not _overlaps(protected, sp[0], sp[1])]
        if found and out:
            out = _yield_inside(out, found)
        out.sort()
        return out

    def _shortest_code(self) -> int:
        """The fewest digits a known number has (leading zeros dropped)."""
        if self._shortest is None:
            self._shortest = min((len(key) for key in self._codes), default=0)
        return self._shortest

    def _has_code_with_letters(self) -> bool:
        """Whether a known code has letters ("XJH7712345"): only then are the note's codes read."""
        if self._codes_with_letters is None:
            self._codes_with_letters = any(not key.isdigit() for key in self._codes)
        return self._codes_with_letters

    @staticmethod
    def _date_candidates(view: TextView) -> list[tuple[int, int]]:
        from deid.text.recognizers.dates import DateRecognizer

        return [(s, e) for s, e, _, _ in _date_recognizer(DateRecognizer).find(view)]

    def _find_texts(self, text: str, every: bool) -> tuple[list[Span], list[tuple[int, int]]]:
        """Known e-mail and web addresses: one pass over the note's address-like candidates,
        each looked up by its key; also the candidates' spans (``every``: all of them, else
        those the known values need)."""
        out: list[Span] = []
        cands: list[tuple[int, int]] = []
        if every or self._emails:
            # from each "@" ("@ 2145" is no address): the local part before it, the domain after
            at = text.find("@")
            while at >= 0:
                after = _EMAIL_DOMAIN.match(text, at + 1)
                before = _EMAIL_LOCAL.search(text, max(0, at - 64), at) if after else None
                if before is not None:
                    s, e = before.start(), after.end()
                    cands.append((s, e))
                    entity = self._emails.get(text[s:e].lower())
                    if entity is not None:
                        out.append((s, e, entity, 1.0))
                at = text.find("@", at + 1)
        if "." in text and (every or self._urls):
            for m in _URL_CAND.finditer(text):
                s, e = m.span()
                if cands and _overlaps(cands, s, e):
                    continue  # the domain of an e-mail address
                cands.append((s, e))
                if self._urls:
                    key = _url_key(m.group())
                    # the known address, or a page under it ("portal.org/ann" under "portal.org")
                    while key:
                        if key in self._urls:
                            out.append((s, e, self._urls[key], 1.0))
                            break
                        cut = key.rfind("/")
                        key = key[:cut] if cut > 0 else ""
        cands.sort()
        return out, cands

    def _match_digits(self, text: str, m: re.Match, out: list[Span]) -> None:
        """A run of digit groups matches when the digits of some consecutive groups equal a
        known number: "call 617 555 0142", "mrn 0048-2913 617 555 0142" (longest first)."""
        run = m.group()
        codes = self._codes
        if run.isdigit():  # the common case: one group
            key = run.lstrip("0") or "0"
            if len(run) >= 3 and key in codes:
                out.append((m.start(), m.end(), codes[key], 1.0))
            return
        if len(_NON_ALNUM.sub("", run)) < self._shortest_code():
            return  # "0.5", "7.38": fewer digits than any known number has
        groups = [(g.start(), g.end()) for g in _GROUP.finditer(text, m.start(), m.end())]
        n = len(groups)
        i = 0
        while i < n:
            hit = None
            for j in range(min(n, i + 6), i, -1):
                key = _digits_key(text[groups[i][0] : groups[j - 1][1]])
                if key is not None and key in codes:
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
            out.append((s, e, codes[_digits_key(text[groups[i][0] : e])], 1.0))
            i = hit

    def _find_words(self, view: TextView, protected, date_cands) -> list[Span]:
        """Names (a run of one person's words) and other word values (token sequences)."""
        toks = view.tokens
        text = view.text
        name_index = self._name_index
        first_words = self._first_words
        out: list[Span] = []
        n = len(toks)
        i = 0
        free = 0  # the first token not inside a match (an initial before a hit must be free)
        while i < n:
            t = toks[i]
            persons = name_index.get(t.lower)
            seqs = first_words.get(t.lower)
            if (persons is None and seqs is None) or (protected and _overlaps(protected, t.start, t.end)):
                i += 1
                continue
            best = None  # (first token, end token, entity)
            if persons is not None:
                best = self._match_name(view, i, free, persons, protected, date_cands)
            if seqs is not None:
                got = self._match_seq(view, i, seqs, protected)
                if got is not None and (best is None or got[1] - got[0] > best[1] - best[0]):
                    best = got
            if best is None:
                i += 1
                continue
            a, b, entity = best
            start, end = toks[a].start, toks[b - 1].end
            if entity == "ADDRESS":
                # the house number before the street words belongs to the address
                m = _HOUSE_NUMBER.search(text, max(0, start - 10), start)
                if m:
                    start = m.start()
            out.append((start, end, entity, 1.0))
            i = free = b
        return out

    def _match_name(self, view: TextView, i: int, free: int, persons: tuple[int, ...], protected, date_cands):
        """The longest run from token ``i`` of one person's words (any order, any case, with
        initials between: "Lee, Ann", "ANN M. LEE"), with an initial of theirs before it ("A.
        Lee"); a lone word only under the common-word rule."""
        toks = view.tokens
        text = view.text
        n = len(toks)
        best_end, best_words = i + 1, 1
        best_person = persons[0]
        for p in persons:
            words = self._persons[p]
            seen = {toks[i].lower}
            j = i + 1
            end = j
            while j < n and _gap_ok(text, toks[j - 1].end, toks[j].start):
                tj = toks[j]
                if tj.lower in words:
                    seen.add(tj.lower)
                    j += 1
                    end = j
                elif tj.shape == INITIAL and j + 1 < n and toks[j + 1].lower in words and _gap_ok(
                        text, tj.end, toks[j + 1].start):
                    j += 1  # a middle initial: "Ann M. Lee"
                else:
                    break
            if protected and end > i + 1 and _overlaps(protected, toks[i].start, toks[end - 1].end):
                end = i + 1
                seen = {toks[i].lower}
            if len(seen) > best_words or (len(seen) == best_words and end > best_end):
                best_end, best_words, best_person = end, len(seen), p
        t = toks[i]
        if best_words >= 2:
            run = range(i, best_end)
            if any(toks[k].shape == LOWER for k in run) and all(
                    _word_level(toks[k].lower) >= _VERY_COMMON_WORD for k in run if toks[k].shape != INITIAL):
                # very common words only ("a small bill" of Bill Small): capitalized, or in a person context
                if not self._person_context(view, i, _COMMON_WORD, best_end - i):
                    return None
            return (self._with_initial_before(view, i, free, best_person), best_end, "NAME")
        # one word: "A. Lee" (an initial of the person before it), or the word alone
        start = self._with_initial_before(view, i, free, best_person)
        level = _word_level(t.lower)
        if start < i:
            if level == _ANYWHERE or text[toks[start].end : toks[start].end + 1] == "." or t.shape != LOWER:
                return (start, i + 1, "NAME")  # not "a brown stool"
        if level and not self._person_context(view, i, level):
            return None
        if date_cands and t.lower in _MONTHS and _overlaps(date_cands, t.start, t.end):
            return None  # "in May": the date recognizer's month, not the person
        return (i, i + 1, "NAME")

    def _with_initial_before(self, view: TextView, i: int, free: int, person: int) -> int:
        """``i - 1`` when the token before ``i`` is a capital initial of the person ("A. Lee")."""
        if i - 1 < free:
            return i
        toks = view.tokens
        prev = toks[i - 1]
        if prev.shape != INITIAL or not _gap_ok(view.text, prev.end, toks[i].start):
            return i
        letter = prev.lower
        for w in self._persons[person]:
            if w[0] == letter and w != toks[i].lower:
                return i - 1
        return i

    def _match_seq(self, view: TextView, i: int, seqs, protected):
        toks = view.tokens
        text = view.text
        n = len(toks)
        for seq in sorted(seqs, key=len, reverse=True) if len(seqs) > 1 else seqs:
            k = len(seq)
            if i + k > n:
                continue
            ok = True
            for j in range(1, k):
                tj = toks[i + j]
                if (tj.lower != seq[j] and _street_key(tj.lower) != seq[j]) or not _gap_ok(
                        text, toks[i + j - 1].end, tj.start) or (protected and _overlaps(protected, tj.start, tj.end)):
                    ok = False
                    break
            if not ok:
                continue
            entity, needs_capital = self._seqs[seq]
            t = toks[i]
            if needs_capital and not (t.shape in (TITLE, "U") and t.style == STYLE_MIXED and not t.initial_pos):
                continue  # a place that is also a word: only capitalized inside a sentence
            return (i, i + k, entity)
        return None

    def _person_context(self, view: TextView, i: int, level: int, width: int = 1) -> bool:
        """Whether tokens ``i .. i + width - 1`` stand where a person's name stands (see the
        module docstring); capitalization alone never counts."""
        from deid.text.recognizers.names import _AUXILIARIES, CREDENTIALS, PERSON_VERBS

        toks = view.tokens
        text = view.text
        n = len(toks)
        t = toks[i]
        last = toks[i + width - 1]
        prev = toks[i - 1] if i > 0 else None
        nxt = toks[i + width] if i + width < n else None
        gap_before = text[prev.end : t.start] if prev is not None else ""
        gap_after = text[last.end : nxt.start] if nxt is not None else ""
        if prev is not None and prev.lower in _ALL_TITLES and "\n" not in gap_before and len(gap_before) <= 3:
            return True  # "Dr. May", "Mr. Son"
        credential_after = (
            nxt is not None and "\n" not in gap_after and len(gap_after) <= 3
            and nxt.lower in CREDENTIALS and nxt.lower not in _NOT_CREDENTIALS_AFTER
        ) or _DOTTED_CREDENTIAL.match(text, last.end) is not None
        if level >= _TITLE_ONLY or credential_after:
            return credential_after  # "Son, MD", "Lo M.D."
        if _AGE_AFTER.match(text, last.end):
            return True  # "Will is a 79 yo", "bill (79 yo)"
        if (
            t.lower in _AUXILIARIES
            and nxt is not None
            and gap_after == " "
            and nxt.shape in (LOWER, "U")
            and nxt.lower not in ("and", "or")
            and not (t.shape == TITLE and not t.initial_pos)
        ):
            return False  # "pt will need", "son may call", "WILL CALL BACK": the verb
        if prev is not None and len(gap_before) <= 4 and gap_before.count("\n") <= 1:  # "wife,\nSophia": wrapped
            if prev.lower in _PERSON_BEFORE:
                return True  # "daughter May", "hus, Sandy"
            if (i > 1 and (toks[i - 2].lower, prev.lower) in _PERSON_PHRASES_ALL
                    and len(text[toks[i - 2].end : prev.start]) <= 2):
                return True  # "asking for Mark", "prefers to be called\nHope"
            if (
                level == _COMMON_WORD
                and prev.lower in ("with", "per", "by", "from", "to", "for")
                and (prev.lower == "per" or t.style == STYLE_MIXED and t.shape == TITLE and not t.initial_pos)
            ):
                return True  # "spoke with Mark", "PER HILL": a preposition before a capital, or "per"
        if nxt is not None and "\n" not in gap_after and len(gap_after) <= 3:
            if nxt.lower in _PERSON_BEFORE and nxt.lower not in ("name", "named"):
                return True  # "Bill (son)", "May, dtr"
            if gap_after == " " and (nxt.lower in PERSON_VERBS or nxt.lower in _PERSON_AFTER):
                return True  # "Bill called", "Fletcher asking for"
            if nxt.lower in ("pt", "patient") and i + width + 1 < n and toks[i + width + 1].lower in _PERSON_BEFORE:
                return True  # "MAY, PT'S DTR"
            if nxt.lower in ("and", "&") and i + width + 1 < n:
                after = toks[i + width + 1]
                if after.lower in _PERSON_BEFORE or after.lower in _ALL_TITLES:
                    return True  # "update Hope and dtr Nicole"
        return False

    def _initial_candidates(self, view: TextView):
        """Spans of the person's initials as written in the text: a word of two or three
        letters ("AL", "aml"), or single letters each followed by a period ("A.L.", "A.L"),
        with no letter, digit, apostrophe or "&" around them (not "C&DB", "AL's")."""
        text = view.text
        toks = view.tokens
        initials = self._initials
        n = len(text)
        for k, t in enumerate(toks):
            low = t.lower
            if len(low) == 1:
                # dotted initials: "A.L.", "a.l", "A.M.L."
                e = t.end
                if (e + 1 >= n or text[e] != "." or k + 1 >= len(toks) or toks[k + 1].start != e + 1
                        or len(toks[k + 1].lower) != 1):
                    continue
                key = low + toks[k + 1].lower
                e = toks[k + 1].end
                if (k + 3 <= len(toks) and text[e : e + 1] == "." and toks[k + 2].start == e + 1
                        and len(toks[k + 2].lower) == 1):
                    if key + toks[k + 2].lower in initials:
                        key += toks[k + 2].lower
                        e = toks[k + 2].end
                if key not in initials:
                    continue
                if text[e : e + 1] == ".":
                    e += 1
            elif len(low) <= 3 and low in initials:
                e = t.end
            else:
                continue
            s = t.start
            if s and (text[s - 1].isalnum() or text[s - 1] in "'&_"
                      or (text[s - 1] == "." and s > 1 and text[s - 2].isalnum())):
                continue
            if e < n and (text[e].isalnum() or text[e] in "'_"):
                continue
            yield s, e

    def _find_initials(self, view: TextView) -> list[Span]:
        """A person's initials where initials stand: signing a note ("--AL", "...AL", "AL/km"
        or "/al" at a line end), or in capitals or with periods between commas or in
        parentheses (", AL,") or before what is said of a patient ("AL is a 79 yo", "A.L.
        seen in clinic"); never an abbreviation or an ordinary word, except where signed."""
        text = view.text
        lex = load_lexicons().tokens
        out: list[Span] = []
        for s, e in self._initial_candidates(view):
            v = text[s:e]
            key = v.replace(".", "").lower()
            before = text[text.rfind("\n", 0, s) + 1 : s]
            nl = text.find("\n", e, e + 200)
            rest = text[e : nl if nl >= 0 else e + 200]
            lead = before.strip()
            if not rest.strip():  # at a line end
                signed = lead in ("", "-", "--", "/", "...") or before.rstrip().endswith(("--", "...")) or (
                    before.endswith("/") and _signature_slash_ok(before)) or (
                    before.endswith(" - ") and v.isupper() and key not in _ABBREVIATIONS)  # "... stable. - AL"
            elif lead in ("-", "--", "..."):  # "--AB/cd", "--AB/cd RN lic 123": a signature pair
                signed = _TYPIST.match(rest) is not None
            else:  # "AB/cd" alone on a line
                signed = lead == "" and _TYPIST.fullmatch(rest) is not None
            if signed:
                out.append((s, e, "NAME", 1.0))
                continue
            if _AFTER_PATIENT.search(before):
                out.append((s, e, "NAME", 1.0))  # "72 y/o man, TB, s/p": the patient's initials
                continue
            if not (v.isupper() or "." in v[:-1]):
                continue  # unsigned initials: in capitals or with periods ("A.L", not "yo.")
            if _INITIALS_AS_SUBJECT.match(text, e):
                out.append((s, e, "NAME", 1.0))  # "AS is a 38-year-old": no abbreviation is
                continue
            if key in (_DOTTED_ABBREVIATIONS if v.isupper() and v.count(".") == len(key) else _ABBREVIATIONS):
                continue  # "CR", "h.s.", "P.O.": an abbreviation ("H.S." is no usual one)
            flags = lex.get(key, 0)
            if flags & (STOP | VERY_COMMON) or (flags & CLINICAL and "." not in v):
                continue  # an ordinary or clinical word: not without a stronger context
            between = (before.endswith((", ", ",")) and rest[:1] in (",", ";")) or (
                before.endswith("(") and rest[:1] == ")")
            if between or not rest.strip():  # ", AL," "(AL)", or at a line end
                out.append((s, e, "NAME", 1.0))
        return out

    def _find_dates(self, text: str, date_cands) -> list[Span]:
        from deid.transform._date_shift import parse_date

        out: list[Span] = []
        dates = self._dates
        for s, e in date_cands:
            parsed = parse_date(text[s:e])
            if parsed is None or parsed.base is None:
                continue
            kinds = {k for k, _ in parsed.fields}
            if "d" not in kinds:
                continue
            d = parsed.base
            if "y4" in kinds:
                key = (d.year, d.month, d.day)
            elif "y2" in kinds:
                key = ("yy", d.year % 100, d.month, d.day)
            else:
                key = (None, d.month, d.day)
            if key in dates:
                out.append((s, e, "DATE", 1.0))
        return out

    def __repr__(self) -> str:
        return f"KnownIdentifiers(<{self.n_values} values>)"

    def __bool__(self) -> bool:
        return self.n_values > 0


def _shown_type(entity) -> str:
    """An unknown entity type for an error message: quoted when it looks like a type name
    (all capitals or all lower case), else not shown, since it may be a value given by mistake."""
    if isinstance(entity, str) and re.fullmatch(r"[A-Z][A-Z0-9_]{0,39}|[a-z][a-z0-9_]{0,39}", entity):
        return repr(entity)
    if isinstance(entity, str):
        return "(not shown: it does not look like a type name)"
    return f"(not shown: of type {type(entity).__name__})"


@lru_cache(maxsize=1 << 16)
def _word_level(word: str) -> int:
    """What a lone ``word`` of a known name needs to be matched (see ``_person_context``)."""
    if word in _ALL_TITLES or word in _PERSON_BEFORE:
        return _TITLE_ONLY  # "Son", "Nurse": only after a title or before a credential
    f = load_lexicons().tokens.get(word, 0)
    if f & STOP:  # "the", "day": a person's only after a title, unless a census name of 3+ letters
        return _VERY_COMMON_WORD if len(word) >= 3 and f & (FIRST | LAST) else _TITLE_ONLY
    if f & VERY_COMMON:
        return _VERY_COMMON_WORD
    if len(word) < 3:
        return _COMMON_WORD  # "Lo", "Ng": too short to match alone without a context
    if f & (COMMON | EPONYM | CLINICAL):
        return _COMMON_WORD  # "Mark", "Foley" (catheter), "Cath": a word unless a person's
    return _ANYWHERE


def _yield_inside(out: list[Span], found: list[Span]) -> list[Span]:
    """A known value strictly inside a longer span of another type that a recognizer found
    ("Anthony" in "St. Anthony's Hospital", "Eve" in "New Year's Eve") still covers its
    characters, with a score just below that span's, so the merged finding keeps the longer
    span's type."""
    by_start = sorted(found)
    starts = [f[0] for f in by_start]
    res = []
    for s, e, ent, score in out:
        j = bisect_left(starts, s + 1)
        while j > 0:
            j -= 1
            fs, fe, fent, fscore = by_start[j]
            if fs < s - 300:
                break
            if fe >= e and fe - fs > e - s and fent != ent:
                score = min(score, max(0.0, fscore - 0.001))
        res.append((s, e, ent, score))
    return res


def _gap_ok(text: str, a: int, b: int) -> bool:
    """Whether two words of one name may stand ``text[a:b]`` apart: at most three spaces,
    commas, periods or hyphens ("Lee, Ann", "A. Lee", "Jusino-Burnett"), never a line end."""
    return b - a <= 3 and not text[a:b].strip(" ,.-")


def _signature_slash_ok(before: str) -> bool:
    """'/' before initials at a line end signs a note at a line start ("/al") or after other
    initials ("--AB/al", "taken by JC/ss"), not after a unit ("2 mg/kg") or a lab ("BUN/Cr")."""
    if not before.endswith("/"):
        return True
    head = before[:-1].rstrip()
    return head in ("", "-", "--", "...") or _SIGNATURE_HEAD.search(head) is not None


def _overlaps(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    """Whether ``[s, e)`` overlaps a span of the sorted, mostly disjoint ``spans``."""
    j = bisect_left(spans, (e,))
    # spans are few per note: scan back over the ones starting before e
    while j > 0:
        j -= 1
        a, b = spans[j]
        if b > s:
            return True
        if a < s - 2000:
            break
    return False


_DATE_RECOGNIZER = None


def _date_recognizer(cls):
    global _DATE_RECOGNIZER
    if _DATE_RECOGNIZER is None:
        _DATE_RECOGNIZER = cls()
    return _DATE_RECOGNIZER


def _build_context_words():
    from deid.text.recognizers.names import _NAME_PHRASES, _PERSON_PHRASES, RELATIONS, TITLES

    titles = frozenset(TITLES | _TITLES)
    # relations, roles and labels before (or after) a person's name
    before = frozenset(
        (RELATIONS | _RELATIONS | {"hus", "husb", "gdtr", "gson", "stepdtr"})
        - {"do", "law", "md", "pt", "patient", "kid", "kids", "child", "baby", "infant", "twin"}
    )
    phrases = frozenset(
        _PERSON_PHRASES
        | _NAME_PHRASES
        | {("be", "called"), ("goes", "by"), ("go", "by"), ("going", "by"), ("known", "as"), ("ask", "for"),
           ("asking", "about"), ("message", "for"), ("message", "from"), ("call", "from"), ("wants", "to")}
    )
    return titles, before, phrases


_ALL_TITLES, _PERSON_BEFORE, _PERSON_PHRASES_ALL = _build_context_words()
# verbs after a person's name beyond the name recognizer's
_PERSON_AFTER = frozenset(
    """asking asks asked aware awre ambulated ambulating lives lived says said went came wants loves likes
    told arrived stated states reports reported agrees agreed declined refused died passed tearful upset
    visiting verbalized verbalizes understands understood prefers preferred""".split()
)
_DOTTED_CREDENTIAL = re.compile(r"(?i),?[ \t](?:M\.D\.|R\.N\.|D\.O\.|N\.P\.|P\.A\.|Ph\.D\.)")
# credentials that are also words or numerals after a word: "will do", "small IV", "Pat II"
_NOT_CREDENTIALS_AFTER = frozenset({"do", "pa", "ii", "iii", "iv"})
_AGE_AFTER = re.compile(
    r"(?i)(?:,? (?:is|was) an? |,? ?\(|, | )\d{1,3}[ -]?(?:y\b|yo\b|y/o|yr|year)"
    r"|,? (?:is|was) an? [a-z]+(?:[ -][a-z]+)?[ -](?:year|yr|y/o|yo\b)")  # "is a twenty-four year old"

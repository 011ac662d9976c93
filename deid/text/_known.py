"""Known identifiers: a patient's own values (from the structured record) found in their notes,
wherever and however they are written.

``KnownIdentifiers({"NAME": ["Ann Lee"], "MRN": ["00482913"], "PHONE": ["617-555-0142"],
"DATE": ["1931-03-14"], "ADDRESS": ["12 Main Street"]})`` compiles the values once into
lookup tables (token sequences, digit strings, calendar dates, e-mail and web addresses), and
:meth:`find` scans a note's shared token view: no regular expression and no search per value,
so a patient with a thousand values costs about as much as one with ten.

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
_DIGIT_RUN = re.compile(r"(?<![\w.])\(?\d+\)?(?:[ .\-]{1,2}\(?\d+\)?)*(?![\w])")
_CODE = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*(?![\w-])")
_GROUP = re.compile(r"\(?\d+\)?")
# the first initials of a signature pair before "/": alone ("--ls/"), or in capitals ("by JC/")
_SIGNATURE_HEAD = re.compile(r"(?:\A[ \t]*(?:--?|\.\.\.)?[ \t]?[A-Za-z]{2,3}|(?<![\w.])[A-Z]{2,3})\Z")
_TYPIST = re.compile(r"/[A-Za-z]{2,3}(?![\w/])[ \t]*")
_PO_BOX = re.compile(r"(?i)\bp\.?[ \t]?o\.?[ \t]*box[ \t#:]*(\d+)\b")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# e-mail and web addresses in a note: the candidates a known EMAIL / URL is looked up in
_EMAIL_CAND = re.compile(r"[\w.+\-']+@[\w\-]+(?:\.[\w\-]+)+")
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
_INITIALS = re.compile(r"(?<![\w'&])(?<!\w\.)(?P<v>[A-Za-z]\.?[A-Za-z]\.?(?:[A-Za-z]\.?)?)(?![\w'])")
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
_INITIAL_FIRST = 1  # a sequence starting with a first-name initial ("A. Lee")
_ALL_COMMON = 2  # a sequence of ordinary words only ("Will Young")


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

    __slots__ = ("_seqs", "_first_words", "_person_of", "_codes", "_dates", "_emails", "_urls", "_po_boxes",
                 "_initials", "n_values")

    def __init__(self, known: Mapping[str, Iterable[str]]):
        if not isinstance(known, Mapping):
            raise TypeError(f"known must be a mapping of entity type to values, not {type(known).__name__}")
        for entity in known:
            if entity not in ENTITY_TYPES:
                raise ValueError(
                    f"unknown entity type {_shown_type(entity)} in known identifiers; "
                    f"known types: {', '.join(ENTITY_TYPES)}"
                )
        # token sequence -> (entity, level of a lone word, flags)
        self._seqs: dict[tuple[str, ...], tuple[str, int, int]] = {}
        self._first_words: dict[str, list[tuple[str, ...]]] = {}
        self._person_of: dict[str, set[int]] = {}  # name word -> the persons (values) it belongs to
        self._codes: dict[str, str] = {}
        self._dates: set[tuple] = set()
        self._emails: dict[str, str] = {}
        self._urls: dict[str, str] = {}
        self._po_boxes: dict[str, str] = {}
        self._initials: set[str] = set()
        self.n_values = 0
        lex = None
        for entity, values in known.items():
            if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
                values = [values]
            for value in values:
                if value is None or (isinstance(value, float) and value != value):
                    continue
                value = value if isinstance(value, str) else str(value)
                if not (value.isascii() and value.isprintable()):
                    value = normalize(value)[0]
                value = value.strip()
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
                    self._add_address(value)
                elif entity == "EMAIL":
                    self._emails[value.lower()] = entity
                elif entity == "URL":
                    self._urls[_url_key(value)] = entity
                elif any(c.isdigit() for c in value):
                    key = _digits_key(value)
                    if key is not None:
                        self._codes[key] = entity
                else:  # a place or a code of letters only: its words
                    if lex is None:
                        lex = load_lexicons().tokens
                    self._add_words(value, entity, lex)

    # -- compilation ----------------------------------------------------------------------
    def _add_seq(self, seq: tuple[str, ...], entity: str, level: int = 0, flags: int = 0) -> None:
        old = self._seqs.get(seq)
        if old is None:
            self._seqs[seq] = (entity, level, flags)
            first = self._first_words.get(seq[0])
            if first is None:
                self._first_words[seq[0]] = [seq]
            else:
                first.append(seq)
        elif level < old[1] or flags < old[2]:
            # a sequence known both with and without a requirement needs the lesser one
            self._seqs[seq] = (old[0], min(level, old[1]), min(flags, old[2]))

    def _add_name(self, value: str, lex) -> None:
        words = [w.lower() for w in _WORD.findall(value)]
        words = [w for w in words if w not in _TITLES]
        if "," in value and len(words) >= 2:  # "Lee, Ann M" given as the value: last name first
            before = {w.lower() for w in _WORD.findall(value[: value.index(",")])}
            words = [w for w in words if w not in before] + [w for w in words if w in before]
        while len(words) > 1 and words[-1] in _NAME_SUFFIXES:
            words.pop()
        if not words:
            return
        add = self._add_seq
        person = len(self._person_of)  # a number for this value's person
        for w in words:
            got = self._person_of.get(w)
            if got is None:
                self._person_of[w] = {person}
            else:
                got.add(person)
        levels = [_word_level(w, lex) for w in words]
        all_common = 0 if min(levels) == _ANYWHERE else _ALL_COMMON
        add(tuple(words), "NAME", 0, all_common)
        if len(words) >= 2:
            first, last = words[0], words[-1]
            # initials that sign a note or stand for the person: "AL", "A.L.", "AML"; a
            # hyphenated surname gives its first part's ("Friel-Neubauer": "DF")
            self._initials.add(first[0] + last[0])
            last_part = value.split()[-1] if "," not in value else ""
            if "-" in last_part and last_part[:1].isalpha():
                self._initials.add(first[0] + last_part[0].lower())
            if len(words) >= 3:
                self._initials.add(first[0] + words[1][0] + last[0])
                add((first, last), "NAME", 0, 0 if levels[0] == 0 or levels[-1] == 0 else _ALL_COMMON)
                add((first, words[1][0], last), "NAME")  # "Ann M. Lee"
                add((last, first, words[1][0]), "NAME")  # "LEE, ANN M"
                add((last, *words[:-1]), "NAME")  # "Lee, Ann Marie"
            add((last, first), "NAME", 0, 0 if levels[0] == 0 or levels[-1] == 0 else _ALL_COMMON)
            add((first[0], last), "NAME", 0, _INITIAL_FIRST)  # "A. Lee", "A Lee"
        for w, level in zip(words, levels):
            add((w,), "NAME", level)

    def _add_words(self, value: str, entity: str, lex) -> None:
        words = tuple(w.lower() for w in _WORD.findall(value))
        if not words:
            return
        level = _word_level(words[0], lex) if len(words) == 1 else 0
        self._add_seq(words, entity, _COMMON_WORD if level else 0)

    def _add_address(self, value: str) -> None:
        m = _PO_BOX.search(value)
        if m:
            self._po_boxes[m.group(1).lstrip("0") or "0"] = "ADDRESS"
            return
        # street words only (numbers are not tokens); the house number joins on match
        toks = tuple(_street_key(w) for w in _WORD.findall(value))
        if len(toks) >= 2:
            self._add_seq(toks, "ADDRESS")
            # the street without what follows its type (unit, city): "12 Oak Ave" of "12 Oak Ave Apt 3"
            for j in range(1, len(toks) - 1):
                if toks[j] in _STREET_TYPE_KEYS:
                    self._add_seq(toks[: j + 1], "ADDRESS")
                    break

    def _add_date(self, value: str) -> None:
        m = _ISO_DATE.fullmatch(value)
        if m:  # the usual form of a record's date: no need for the general parser
            y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if not (1 <= mo <= 12 and 1 <= d <= 31):
                return
            has_year = True
        else:
            from deid.transform._date_shift import parse_date

            parsed = parse_date(value)
            if parsed is None or parsed.base is None:
                return
            kinds = {k for k, _ in parsed.fields}
            if "d" not in kinds:
                return  # a month or a year alone says too little to look for
            y, mo, d = parsed.base.year, parsed.base.month, parsed.base.day
            has_year = "y4" in kinds or "y2" in kinds
        if has_year:
            self._dates.add((y, mo, d))
            self._dates.add(("yy", y % 100, mo, d))  # "3/14/31"
        self._dates.add((None, mo, d))  # a month/day without year in a note

    # -- matching -------------------------------------------------------------------------
    def find(self, view: TextView, found: list[Span] | None = None) -> list[Span]:
        """Spans ``(start, end, entity_type, score)`` of the known values in the view's text.

        ``found``: the spans the detection engine's recognizers found in the same view (any
        score). Its DATE spans are the candidates a known date is looked up in (without it,
        deid's date recognizer runs here), and its EMAIL and URL spans are not overridden.
        """
        text = view.text
        out: list[Span] = []
        date_cands = protected = None
        if found is not None:
            date_cands = [(s, e) for s, e, ent, _ in found if ent == "DATE"]
            protected = sorted((s, e) for s, e, ent, _ in found if ent in _TEXT_TYPES) or None
        if self._emails or self._urls or protected is None:
            texts, cands = self._find_texts(text)
            out.extend(texts)
            if protected is None:
                protected = cands
            elif texts:
                protected = sorted(protected + [(s, e) for s, e, _, _ in texts])
        if self._seqs:
            if date_cands is None and self._has_month_word():
                date_cands = self._date_candidates(view)
            out.extend(self._find_words(view, protected, date_cands))
        if self._initials:
            out.extend(self._find_initials(text))
        if self._codes:
            for m in _DIGIT_RUN.finditer(text):
                self._match_digits(text, m, out)
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

    def _has_month_word(self) -> bool:
        return any((m,) in self._seqs for m in _MONTHS)

    @staticmethod
    def _date_candidates(view: TextView) -> list[tuple[int, int]]:
        from deid.text.recognizers.dates import DateRecognizer

        return [(s, e) for s, e, _, _ in _date_recognizer(DateRecognizer).find(view)]

    def _find_texts(self, text: str) -> tuple[list[Span], list[tuple[int, int]]]:
        """Known e-mail and web addresses: one pass over the note's address-like candidates,
        each looked up by its key; also every candidate's span."""
        out: list[Span] = []
        cands: list[tuple[int, int]] = []
        if "@" in text:
            for m in _EMAIL_CAND.finditer(text):
                cands.append(m.span())
                entity = self._emails.get(m.group().lower())
                if entity is not None:
                    out.append((m.start(), m.end(), entity, 1.0))
        if "." in text:
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
        toks = view.tokens
        text = view.text
        first_words = self._first_words
        seqs = self._seqs
        out: list[Span] = []
        n = len(toks)
        i = 0
        while i < n:
            t = toks[i]
            cands = first_words.get(t.lower)
            if cands is None:
                i += 1
                continue
            if protected and _overlaps(protected, t.start, t.end):
                i += 1
                continue
            best = None
            for seq in sorted(cands, key=len, reverse=True) if len(cands) > 1 else cands:
                k = len(seq)
                if i + k > n:
                    continue
                ok = True
                for j in range(1, k):
                    tj = toks[i + j]
                    if tj.lower != seq[j] and _street_key(tj.lower) != seq[j]:
                        ok = False
                        break
                    gap = text[toks[i + j - 1].end : tj.start]
                    if len(gap) > 3 or gap.strip(" ,.-") or (protected and _overlaps(protected, tj.start, tj.end)):
                        ok = False
                        break
                if not ok:
                    continue
                entity, level, flags = seqs[seq]
                if flags and not self._seq_allowed(view, i, k, seq, flags):
                    continue
                if k == 1 and entity == "NAME":
                    if level and not self._person_context(view, i, level):
                        continue
                    if date_cands and t.lower in _MONTHS and _overlaps(date_cands, t.start, t.end):
                        continue  # "in May": the date recognizer's month, not the person
                elif k == 1 and level and not (t.shape in (TITLE, "U") and t.style == STYLE_MIXED and not t.initial_pos):
                    continue  # a place that is also a word: only capitalized inside a sentence
                best = (seq, entity)
                break
            if best is None:
                i += 1
                continue
            seq, entity = best
            start, end = t.start, toks[i + len(seq) - 1].end
            if entity == "ADDRESS":
                # the house number before the street words belongs to the address
                m = re.search(r"\d+[A-Za-z]?[ \t]+\Z", text[max(0, start - 10) : start])
                if m:
                    start -= len(m.group())
            out.append((start, end, entity, 1.0))
            i += len(seq)
        return out

    def _seq_allowed(self, view: TextView, i: int, k: int, seq, flags: int) -> bool:
        toks = view.tokens
        if flags & _INITIAL_FIRST:
            # "A. Lee": a capital initial; before a surname that is also a word ("A brown
            # stool"), a period or a capitalized surname too
            t = toks[i]
            if t.shape != INITIAL:
                return False
            last_level = self._seqs.get((seq[-1],), ("NAME", 0, 0))[1]
            if last_level and view.text[t.end : t.end + 1] != "." and toks[i + k - 1].shape == LOWER:
                return False
        if flags & _ALL_COMMON:
            # "Will Young", "will young": ordinary words only, so each capitalized, or a context
            if any(toks[i + j].shape == LOWER for j in range(k)) and not self._person_context(view, i, _COMMON_WORD, k):
                return False
        return True

    def _person_context(self, view: TextView, i: int, level: int, width: int = 1) -> bool:
        """Whether tokens ``i .. i + width - 1`` stand where a person's name stands (see the
        module docstring); capitalization alone never counts."""
        from deid.text.recognizers.names import _AUXILIARIES, _PERSON_PHRASES, CREDENTIALS, PERSON_VERBS, TITLES

        toks = view.tokens
        text = view.text
        n = len(toks)
        t = toks[i]
        last = toks[i + width - 1]
        prev = toks[i - 1] if i > 0 else None
        nxt = toks[i + width] if i + width < n else None
        gap_before = text[prev.end : t.start] if prev is not None else ""
        gap_after = text[last.end : nxt.start] if nxt is not None else ""
        title_before = prev is not None and prev.lower in _ALL_TITLES and "\n" not in gap_before and len(gap_before) <= 3
        if title_before:
            return True
        if level >= _TITLE_ONLY:  # "Mr. Son", "Son, MD", "Nurse Lee"
            return (nxt is not None and nxt.lower in CREDENTIALS and nxt.lower not in _NOT_CREDENTIALS_AFTER
                    and "\n" not in gap_after and len(gap_after) <= 3) or self._beside_same_person(view, i, width)
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
                return True
            if i > 1 and (toks[i - 2].lower, prev.lower) in _PERSON_PHRASES_ALL and len(text[toks[i - 2].end : prev.start]) <= 2:
                return True  # "asking for Mark", "prefers to be called\nHope"
            if (
                level == _COMMON_WORD
                and prev.lower in ("with", "per", "by", "from", "to", "for")
                and (prev.lower == "per" or t.style == STYLE_MIXED and t.shape == TITLE and not t.initial_pos)
            ):
                return True  # "spoke with Mark", "PER HILL": a preposition before a capital, or "per"
        if nxt is not None and "\n" not in gap_after and len(gap_after) <= 3:
            if (nxt.lower in CREDENTIALS and nxt.lower not in _NOT_CREDENTIALS_AFTER) or (
                nxt.lower in _PERSON_BEFORE and nxt.lower not in ("name", "named")
            ):
                return True  # "Lo MD", "Bill (son)", "May, dtr"
            if _DOTTED_CREDENTIAL.match(text, last.end):
                return True  # "Lo M.D."
            if gap_after == " " and (nxt.lower in PERSON_VERBS or nxt.lower in _PERSON_AFTER):
                return True  # "Bill called", "Fletcher asking for"
            if nxt.lower in ("pt", "patient") and i + width + 1 < n and toks[i + width + 1].lower in _PERSON_BEFORE:
                return True  # "MAY, PT'S DTR"
            if nxt.lower in ("and", "&") and i + width + 1 < n:
                after = toks[i + width + 1]
                if after.lower in _PERSON_BEFORE or after.lower in _ALL_TITLES:
                    return True  # "update Hope and dtr Nicole"
        if _AGE_AFTER.match(text, last.end):
            return True  # "Will is a 79 yo", "bill (79 yo)"
        return self._beside_same_person(view, i, width)

    def _beside_same_person(self, view: TextView, i: int, width: int) -> bool:
        """Another word of the same person's name right before or after, or after an initial:
        "Mark A. Lee" when only "Mark Lee" is known."""
        toks = view.tokens
        persons = self._person_of.get(toks[i].lower)
        if not persons:
            return False
        n = len(toks)
        j = i + width
        if j < n and toks[j].shape == INITIAL and _joined(view, j - 1, j) and j + 1 < n:
            j += 1  # "Mark A. Lee"
        for left, right in ((i - 1, i), (i + width - 1, j)):
            if left < 0 or right >= n or not _joined(view, left, right):
                continue
            other = toks[left if left < i else right]
            if other.lower != toks[i].lower and self._person_of.get(other.lower, _NOBODY) & persons:
                return True
        return False

    def _find_initials(self, text: str) -> list[Span]:
        """A person's initials where initials stand: signing a note ("--AL", "...AL", "AL/km"
        or "/al" at a line end), or in capitals or with periods between commas or in
        parentheses (", AL,") or before what is said of a patient ("AL is a 79 yo", "A.L.
        seen in clinic"); never an abbreviation or an ordinary word, except where signed."""
        lex = load_lexicons().tokens
        out: list[Span] = []
        for m in _INITIALS.finditer(text):
            v = m.group("v")
            key = v.replace(".", "").lower()
            if key not in self._initials:
                continue
            s, e = m.span()
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
            if (before.endswith((", ", ",")) and rest[:1] in (",", ";")) or (before.endswith("(") and rest[:1] == ")") or (
                    not rest.strip()):
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
    return f"(a {type(entity).__name__} that is not a type name, not shown)"


def _word_level(word: str, lex) -> int:
    """What a lone ``word`` of a known name needs to be matched (see ``_person_context``)."""
    if word in _ALL_TITLES or word in _PERSON_BEFORE:
        return _TITLE_ONLY  # "Son", "Nurse": only after a title or beside the rest of the name
    f = lex.get(word, 0)
    if f & STOP:  # "the", "day": a person's only after a title, unless a census name of 3+ letters
        return _VERY_COMMON_WORD if len(word) >= 3 and f & (FIRST | LAST) else _TITLE_ONLY
    if f & VERY_COMMON:
        return _VERY_COMMON_WORD
    if len(word) < 3:
        return _COMMON_WORD  # "Lo", "Ng": too short to match alone without a context
    if f & (COMMON | EPONYM | CLINICAL):
        return _COMMON_WORD  # "Mark", "Foley" (catheter), "Cath": a word unless a person's
    return _ANYWHERE


_NOBODY: frozenset = frozenset()


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


def _joined(view: TextView, a: int, b: int) -> bool:
    """Whether only spaces, a comma, a period or a hyphen (at most three characters) separate
    token ``a`` from token ``b`` (all tokens between them, if any, are joined too)."""
    toks = view.tokens
    text = view.text
    for k in range(a, b):
        gap = text[toks[k].end : toks[k + 1].start]
        if len(gap) > 3 or gap.strip(" ,.-"):
            return False
    return True


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

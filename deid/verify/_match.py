"""Where a raw identifier value survives in a scrubbed record.

Two passes, so that the common case (nothing survived) costs a few substring tests per value:

1. **Screen** (per record, vectorized where pandas can): every scrubbed field of a record is
   folded (lower case, runs of white space as one space) and joined into one search string
   ``folded``; ``joined`` is the same with the separators of numbers and codes (space, ``.``,
   ``-``, ``/``, parentheses) removed. A value is a candidate when its folded text, its
   alphanumeric key, one of its date forms, or all of its tokens are substrings there
   (``in`` on Python strings: C speed, no regular expression per value).
2. **Confirm** (candidates only): the value is looked for in each field of the record with
   word boundaries, and the match says how it survived:

   - ``verbatim``: exactly as in the raw record;
   - ``casefold``: in another case (or other white space);
   - ``digits``: a number or code with other separators or none ("123-45-6789" as
     "123456789", "(617) 555-0142" as "617.555.0142", "00482913" as "482913");
   - ``date``: a date written in another common format ("1931-03-14" as "3/14/1931",
     "March 14, 1931", "14 Mar 1931");
   - ``tokens``: a multi-token value whose tokens all survive together, in any order, within a
     few tokens of each other ("Ann Marie Lee" as "LEE, Ann Marie"; "12 Main Street" as
     "12 main st").

Rules that keep ordinary words from counting as leaks: a one-token value that is an ordinary
English word or shorter than three letters ("Will", "May", "Li") counts only verbatim (same
case); tokens of a value that are all ordinary words must keep their capitals. A short value
found by the detector (fewer than five letters and digits: "Lee", "92", "7/22") counts only
where it keeps a piece of its raw context (the words before or after it, or the edge of the
cell), so "sat 92%" is not the age "92" of "92 yo".
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from deid.verify import _kernels

# between the fields of one record in the screening strings: a private-use character, neither
# white space nor a word character, taken out of the fields first so that no field holds it
FIELD_SEP = "\ue000"

_WS = re.compile(r"\s+")
_SEPARATORS = r"[ .\-/()]"
_SEPARATOR_RE = re.compile(_SEPARATORS)
# alphanumeric groups and the separators between them ("(617) 555-0142", "AB-1234")
_GROUP = re.compile(r"[^\W_]+")
_GROUP_GAP = re.compile(r"[ .\-/()]{0,3}\Z")
_TOKEN = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)?")
_MAX_GROUPS = 6  # a number is written in at most this many groups ("+1 (617) 555 01 42")
_SHORT = 5  # detector values with fewer letters and digits need their context
_CONTEXT_CHARS = 24

_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december"]


def fold(text: str) -> str:
    """Lower case, white space runs as one space (edges kept): the screening form."""
    return _WS.sub(" ", text).lower()


#: record numbers written with or without their leading zeros ("00482913" / "482913"); a
#: ZIP code, phone or SSN keeps its zeros ("01951" is not "1951")
ZERO_PADDED = frozenset({"MRN", "ID", "ACCOUNT", "HEALTH_PLAN_ID", "LICENSE", "DEVICE_ID", "VEHICLE_ID"})


def alnum_key(value: str, entity: str = "MRN") -> str | None:
    """The letters and digits of a number or code, lower case, leading zeros of a pure record
    number dropped; None when the value is not mostly digits (names, streets) or too short."""
    chars = "".join(c for c in value if c.isalnum()).lower()
    n_digits = sum(c.isdigit() for c in chars)
    if n_digits < 4 or n_digits * 5 < len(chars) * 2:  # at least 4 digits, 40% of the characters
        return None
    if chars.isdigit() and entity in ZERO_PADDED:
        chars = chars.lstrip("0")
    return chars if len(chars) >= 4 else None


def date_forms(value: str) -> list[str] | None:
    """Common written forms of a full date (lower case, longest first), or None when ``value``
    is not a full date.

    Month-first and day-first numeric forms, two- and four-digit years, ISO, month names in
    full and abbreviated, ordinals. A year alone or a month/day without a year is not a full
    date (a year is not an identifier under Safe Harbor)."""
    key = _date_key(value)
    return None if key is None else _forms(*key)


def _date_key(value: str) -> tuple[tuple[int, ...], int, int] | None:
    """(candidate years, month, day) of a full date, or None."""
    from deid.transform._date_shift import parse_date

    parsed = parse_date(value.strip())
    if parsed is None or parsed.base is None:
        return None
    kinds = {k for k, _ in parsed.fields}
    if "d" not in kinds or not kinds & {"m", "mon"} or not kinds & {"y4", "y2"}:
        return None
    d = parsed.base
    years = (d.year,) if "y4" in kinds else (1900 + d.year % 100, 2000 + d.year % 100)
    return years, d.month, d.day


@functools.lru_cache(maxsize=65536)
def _screen_forms(years: tuple[int, ...], m: int, d: int) -> tuple[tuple[str, ...], list[str]]:
    """(anchors, forms): a text can hold one of the forms only if it holds an anchor (the
    year, or a two-digit year after "/" or "-")."""
    anchors = {str(y) for y in years} | {f"{sep}{y % 100:02d}" for y in years for sep in "/-"}
    return tuple(sorted(anchors)), _forms(years, m, d)


@functools.lru_cache(maxsize=65536)
def _forms(years: tuple[int, ...], m: int, d: int) -> list[str]:
    month, mon = _MONTHS[m - 1], _MONTHS[m - 1][:3]
    suffix = "th" if 11 <= d <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")
    forms: set[str] = set()
    for y in years:
        yy = f"{y % 100:02d}"
        forms.update({
            f"{m}/{d}/{y}", f"{m:02d}/{d:02d}/{y}", f"{m}/{d}/{yy}", f"{m:02d}/{d:02d}/{yy}",
            f"{m}-{d}-{y}", f"{m:02d}-{d:02d}-{y}", f"{m}-{d}-{yy}", f"{m}.{d}.{y}",
            f"{y}-{m:02d}-{d:02d}", f"{y}/{m:02d}/{d:02d}", f"{y}{m:02d}{d:02d}", f"{y}-{m}-{d}",
            f"{d}/{m}/{y}", f"{d:02d}/{m:02d}/{y}", f"{d}.{m}.{y}", f"{d:02d}.{m:02d}.{y}", f"{d}-{m}-{y}",
            f"{month} {d}, {y}", f"{month} {d} {y}", f"{mon} {d}, {y}", f"{mon} {d} {y}",
            f"{mon}. {d}, {y}", f"{month} {d}{suffix}, {y}", f"{mon} {d}{suffix}, {y}",
            f"{month} {d}{suffix} {y}", f"{d} {month} {y}", f"{d} {mon} {y}", f"{d:02d} {mon} {y}",
            f"{d}-{mon}-{y}", f"{d:02d}-{mon}-{y}", f"{d}{mon}{y}", f"{d:02d}{mon}{y}",
            f"{d}{suffix} of {month} {y}", f"{d}{suffix} of {month}, {y}", f"{d:02d}-{mon}-{yy}",
        })
    return sorted(forms, key=len, reverse=True)


@dataclass
class Probe:
    """One raw value to confirm in a scrubbed record (built only for screened candidates)."""

    text: str
    entity: str
    folded: str
    key: str | None = None  # alphanumeric key of a number or code
    dates: list[str] | None = None
    # token sets that must survive together: one per value; an address gives one per part
    # ("12 Main Street, Boston MA 02139": the street line and the city line)
    tokens: tuple[tuple[str, ...], ...] | None = None
    token_case: tuple[tuple[str, ...] | None, ...] | None = None  # as written, when case must match
    # the distinctive words of a name of several words, each a leak alone ("Zebulon" of
    # "Zebulon Quatermain" after a scrubber replaced only the surname)
    parts: tuple[str, ...] | None = None
    # which casings count: None any; "exact" as in the raw only; "upper" as in the raw or all
    # in capitals (values that are also ordinary words: "Will", "Rose Hill")
    case_rule: str | None = None
    context: tuple[str, str, bool, bool] | None = None  # (left, right, at cell start, at cell end)
    # with a context: True, every match needs it; False, a match as written in the raw text
    # needs none (a frequent name: "RICKY" again in the note, not "Ricky" of a surrogate)
    context_strict: bool = True


class Rules:
    """The per-value rules: ordinary words (lexicon), titles and street types, computed once per
    distinct value."""

    def __init__(self):
        self._lex = None
        self._tokens: dict[tuple[str, str], tuple] = {}
        self._dates: dict[str, list[str] | None] = {}
        self._probes: dict[tuple[str, str], Probe | None] = {}
        self._parts: dict[str, tuple[str, ...]] = {}
        self._date_screens: dict[str, tuple | None] = {}
        self._screen_tokens: dict[tuple[str, str], tuple | None] = {}

    def word_level(self, token: str) -> int:
        """2: a very common English word ("will", "may", "main"); 1: an ordinary word
        ("rose", "lee", "boston"); 0: not a word."""
        tokens, common, very, _ = self._lexicon()
        f = tokens.get(token.lower(), 0)
        return 2 if f & very else 1 if f & common else 0

    def _lexicon(self):
        if self._lex is None:
            from deid.text._lexicons import COMMON, COMMON_NAME, VERY_COMMON, load_lexicons

            self._lex = (load_lexicons().tokens, COMMON, VERY_COMMON, COMMON_NAME)
        return self._lex

    def is_common_name(self, token: str) -> bool:
        """Among the most frequent first or last names of the census lists ("Ricky", "Smith"):
        such a word alone identifies no one, and a surrogate may well be it."""
        tokens, _, _, common_name = self._lexicon()
        return bool(tokens.get(token.lower(), 0) & common_name)

    def is_word(self, token: str) -> bool:
        return self.word_level(token) > 0

    def tokens(self, text: str, entity: str) -> tuple:
        """(token sets, the sets as written where all are ordinary words, else None per set);
        (None, None) when no set has two distinct tokens. Addresses give a set per part
        (split at commas, semicolons and line breaks)."""
        cache_key = (text, entity)
        got = self._tokens.get(cache_key)
        if got is None:
            parts = _ADDRESS_PARTS.split(text) if entity == "ADDRESS" else [text]
            sets, cases = [], []
            for part in parts:
                toks, case = self._compute_tokens(part, entity)
                if toks is not None and toks not in sets:
                    sets.append(toks)
                    cases.append(case)
            got = (tuple(sets), tuple(cases)) if sets else (None, None)
            if len(self._tokens) > 500_000:
                self._tokens.clear()
            self._tokens[cache_key] = got
        return got

    def name_parts(self, text: str) -> tuple[str, ...] | None:
        """The words of a name of several words that identify alone: four letters or more, not
        an ordinary English word, not one of the most frequent names, not a title ("Zebulon",
        "Quatermain"; not "Rose", "Lee", "Ricky", "Smith")."""
        got = self._parts.get(text)
        if got is None:
            from deid.text._known import _TITLES

            words = [w for w in _TOKEN.findall(text) if not any(c.isdigit() for c in w)]
            kept = tuple(dict.fromkeys(
                w.lower() for w in words
                if len(w) >= 4 and w.lower() not in _TITLES and self.word_level(w) == 0
                and not self.is_common_name(w))) if len(words) > 1 else ()
            got = self._parts[text] = kept or ()
            if len(self._parts) > 500_000:
                self._parts.clear()
        return got or None

    def screen_tokens(self, text: str, entity: str):
        """The token sets for screening: street types left out (an abbreviation is not a
        substring of the word: "rd" / "road")."""
        cache_key = (text, entity)
        got = self._screen_tokens.get(cache_key, False)
        if got is False:
            sets = self.tokens(text, entity)[0]
            got = None if sets is None else tuple(_screenable(x) for x in sets)
            if len(self._screen_tokens) > 500_000:
                self._screen_tokens.clear()
            self._screen_tokens[cache_key] = got
        return got

    def _compute_tokens(self, text: str, entity: str) -> tuple:
        from deid.text._known import _TITLES, _street_key

        out, written = [], []
        for t in _TOKEN.findall(text):
            low = t.lower()
            if low in _TITLES or (len(low) < 2 and not low.isdigit()):
                continue  # a house number of one digit is kept: "2 Spring Court" is not "7 Spring Court"
            out.append(_street_key(low) if entity == "ADDRESS" else low)
            written.append(t)
        if len(set(out)) < 2:
            return None, None
        # all ordinary words ("Will Young", "Rose Hill"; no house number): only with capitals
        case = tuple(written) if all(not t.isdigit() and self.is_word(t) for t in written) else None
        return tuple(out), case

    def dates(self, text: str) -> list[str] | None:
        if text not in self._dates:
            self._dates[text] = date_forms(text)
        return self._dates[text]

    def date_screen(self, text: str):
        """(anchors, forms) of a date: a record can hold one of the forms only if it holds one
        of the few anchors (the year, or a two-digit year after "/" or "-")."""
        if text not in self._date_screens:
            key = _date_key(text)
            self._date_screens[text] = None if key is None else _screen_forms(*key)
        return self._date_screens[text]

    def probe(self, text: str, entity: str, context=None) -> Probe | None:
        """A probe for ``text``, or None when there is nothing to look for (blank, one
        character, punctuation only, a year or a weekday alone)."""
        if context is None:
            cache_key = (text, entity)
            if cache_key in self._probes:
                return self._probes[cache_key]
            if len(self._probes) > 200_000:
                self._probes.clear()
            got = self._probes[cache_key] = self._probe(text, entity, None)
            return got
        return self._probe(text, entity, context)

    def _probe(self, text: str, entity: str, context) -> Probe | None:
        stripped = text.strip()
        n_alnum = sum(c.isalnum() for c in stripped)
        if n_alnum < 2:
            return None
        if (entity == "DATE" and _YEAR.fullmatch(stripped)) or _WEEKDAY.fullmatch(stripped):
            return None  # a year or a weekday alone identifies no one (Safe Harbor keeps years)
        probe = Probe(stripped, entity, fold(stripped).strip())
        probe.key = alnum_key(stripped, entity)
        if entity == "DATE":
            probe.dates = self.dates(stripped)
        if entity in _TOKEN_TYPES:
            probe.tokens, probe.token_case = self.tokens(stripped, entity)
        if entity == "NAME":
            probe.parts = self.name_parts(stripped)
        words = _TOKEN.findall(stripped)
        if words and not any(c.isdigit() for c in stripped):
            levels = [self.word_level(w) for w in words]
            if len(words) == 1 and (len(words[0]) < 3 or levels[0] == 2):
                probe.case_rule = "exact"  # "Li", "Will", "May"
            elif len(words) == 1 and levels[0] == 1:
                # "Lee", "Rose": as written, or in capitals; "Boston" is a place in any case
                probe.case_rule = "upper" if entity == "NAME" else None
            elif len(words) > 1 and min(levels) >= 1:
                probe.case_rule = "exact" if min(levels) == 2 else "upper"  # "Rose Hill", not "rose hill"
        if context is not None and (n_alnum < _SHORT or probe.case_rule is not None):
            probe.context = context
        elif context is not None and len(words) == 1 and self.is_common_name(words[0]):
            probe.context, probe.context_strict = context, False
        return probe


_ADDRESS_PARTS = re.compile(r"\s*[,;\n]\s*")
_YEAR = re.compile(r"(?:'|\u2019)?\d{2}|\d{4}s?")
_WEEKDAY = re.compile(
    r"(?i)(?:mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\.?|(?:mon|tues|wednes|thurs|fri|satur|sun)days?")


def _screenable(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Tokens without street types (for substring screening), or all when none would remain."""
    keys = _street_type_keys()
    kept = tuple(t for t in tokens if t not in keys)
    return kept or tokens


@functools.lru_cache(maxsize=1)
def _street_type_keys() -> frozenset[str]:
    from deid.text._known import _STREET_TYPES

    return frozenset(_STREET_TYPES.values())


def context_of(raw: str, start: int, end: int) -> tuple[str, str, bool, bool]:
    """The folded raw text just before and after a finding (cut at word edges), and whether it
    starts or ends its cell."""
    left = raw[max(0, start - _CONTEXT_CHARS):start]
    if start > _CONTEXT_CHARS and " " in left:
        left = left[left.find(" ") + 1:]
    right = raw[end:end + _CONTEXT_CHARS]
    if end + _CONTEXT_CHARS < len(raw) and " " in right:
        right = right[: right.rfind(" ")]
    left, right = fold(left), fold(right)
    # a context of white space and punctuation only says nothing
    left = left if sum(c.isalnum() for c in left) >= 2 else ""
    right = right if sum(c.isalnum() for c in right) >= 2 else ""
    return left, right, raw[:start].strip() == "", raw[end:].strip() == ""


# -- screening ----------------------------------------------------------------------------
def to_arrow(series: pd.Series) -> pa.Array:
    """A text column as an Arrow large_string array (no copy for Arrow-backed pandas text)."""
    arr = series.array
    if isinstance(arr, pd.arrays.ArrowStringArray) or hasattr(arr, "_pa_array"):
        out = pa.array(arr)
    else:
        out = pa.array(series.astype(object).where(series.notna(), None).tolist(), type=pa.large_string())
    if isinstance(out, pa.ChunkedArray):
        out = out.combine_chunks()
    return out.cast(pa.large_string()) if out.type != pa.large_string() else out


def screening_strings(fields: list[pd.Series]) -> tuple[list[str], list[str]]:
    """Per record: all fields lower-cased and joined by :data:`FIELD_SEP` (``folded``), and the
    same with number and code separators removed (``joined``). Arrow kernels and a numba byte
    kernel: no Python loop per record."""
    arrays = []
    for f in fields:
        a = pc.fill_null(to_arrow(f), "")
        arrays.append(pc.replace_substring(a, FIELD_SEP, " "))
    sep = pa.scalar(FIELD_SEP, pa.large_string())
    cat = pc.binary_join_element_wise(*arrays, sep) if len(arrays) > 1 else arrays[0]
    low = pc.utf8_lower(cat)
    joined = _kernels.remove_bytes(low, _kernels.SEPARATORS)
    return low.to_pylist(), joined.to_pylist()


def screen(values: pd.Series, recs: np.ndarray, folded: list[str], joined: list[str], entity: str,
           rules: Rules) -> np.ndarray:
    """Which (value, record) pairs are candidates: the value's folded text, its alphanumeric
    key, a date form or all of its tokens occur in the record's screening strings.

    ``values`` (text, aligned with ``recs``) go through Arrow and numba kernels; the per-pair
    work is a few ``in`` tests, and tokens and date forms are computed once per distinct value."""
    arr = to_arrow(values)
    low = pc.utf8_trim_whitespace(pc.utf8_lower(arr))
    fv = low.to_pylist()
    aligned = len(recs) == len(folded) and (len(recs) == 0 or (recs[0] == 0 and bool((np.diff(recs) == 1).all())))
    rec_list = recs.tolist()
    hays = folded if aligned else [folded[r] for r in rec_list]
    # (white space that differs inside a value is the tokens test's business)
    hit = np.array([v is not None and len(v) >= 2 and v in h for v, h in zip(fv, hays)], dtype=bool)
    # numbers and codes: letters and digits only, a pure number without its leading zeros
    alnum = _kernels.remove_bytes(low, _kernels.NOT_ALNUM)
    n_digits = _kernels.count_bytes(alnum, _kernels.DIGITS)
    n_chars = np.asarray(pc.fill_null(pc.binary_length(alnum), 0), dtype=np.int64)
    pure = (n_digits == n_chars) & (entity in ZERO_PADDED)
    keys = pc.if_else(pa.array(pure), pc.utf8_ltrim(alnum, "0"), alnum)
    key_len = np.asarray(pc.fill_null(pc.binary_length(keys), 0), dtype=np.int64)
    key_ok = (n_digits >= 4) & (n_digits * 5 >= n_chars * 2) & (key_len >= 4)
    if key_ok.any():
        idx = np.flatnonzero(key_ok)
        kv = pc.take(keys, pa.array(idx)).to_pylist()
        hit[idx] |= np.array([k in joined[rec_list[i]] for k, i in zip(kv, idx.tolist())], dtype=bool)
    if entity == "DATE" or entity in _TOKEN_TYPES:
        codes, uniques = pd.factorize(pd.Series(arr.to_pylist(), dtype=object))
        uniques = uniques.tolist()
        code_list = codes.tolist()
        if entity == "DATE":
            forms = [rules.date_screen(u) for u in uniques]
            fl = [forms[c] if c >= 0 else None for c in code_list]
            hit |= np.array([f is not None and any(map(h.__contains__, f[0])) and any(map(h.__contains__, f[1]))
                             for f, h in zip(fl, hays)], dtype=bool)
        else:
            # one token set as a tuple, several (an address's parts) as a list of tuples
            toks = [rules.screen_tokens(u, entity) for u in uniques]
            toks = [t if t is None or len(t) > 1 else t[0] for t in toks]
            toks = [list(t) if type(t) is tuple and t and type(t[0]) is tuple else t for t in toks]
            if any(t is not None for t in toks):
                tl = [toks[c] if c >= 0 else None for c in code_list]
                hit |= np.array([t is not None and (all(map(h.__contains__, t)) if type(t) is tuple else
                                                    any(all(map(h.__contains__, x)) for x in t))
                                 for t, h in zip(tl, hays)], dtype=bool)
            if entity == "NAME":
                parts = [rules.name_parts(u) for u in uniques]
                if any(p is not None for p in parts):
                    pl = [parts[c] if c >= 0 else None for c in code_list]
                    hit |= np.array([p is not None and any(map(h.__contains__, p)) for p, h in zip(pl, hays)],
                                    dtype=bool)
    return hit


_TOKEN_TYPES = frozenset({"NAME", "ADDRESS", "LOCATION"})


def may_hold(probe: Probe, folded_field: str) -> bool:
    """The screening test of one probe against one field's screening string."""
    if probe.folded in folded_field:
        return True
    if probe.key is not None and probe.key in _SEPARATOR_RE.sub("", folded_field):
        return True
    if probe.dates is not None and any(f in folded_field for f in probe.dates):
        return True
    if probe.parts is not None and any(p in folded_field for p in probe.parts):
        return True
    return probe.tokens is not None and any(all(t in folded_field for t in _screenable(x)) for x in probe.tokens)


# -- confirming ----------------------------------------------------------------------------
def _boundary_pattern(text: str) -> re.Pattern:
    body = r"\s+".join(re.escape(p) for p in text.split())
    return re.compile(rf"(?<![^\W_]){body}(?![^\W_])", re.IGNORECASE)


def _context_ok(probe: Probe, field_text: str, s: int, e: int) -> bool:
    """Whether a short value found by the detector keeps a piece of its raw context: the words
    before it, the words after it, or the edge of its cell."""
    left, right, at_start, at_end = probe.context
    if left and fold(field_text[max(0, s - 3 * _CONTEXT_CHARS):s]).endswith(left):
        return True
    if right and fold(field_text[e:e + 3 * _CONTEXT_CHARS]).startswith(right):
        return True
    if at_start and field_text[:s].strip() == "":
        return True
    return at_end and field_text[e:].strip() == ""


def confirm(probe: Probe, field_text: str) -> list[tuple[int, int, str]]:
    """``(start, end, match)`` of every place the probe's value survives in one field."""
    out: list[tuple[int, int, str]] = []
    low = field_text.lower()
    folded = _WS.sub(" ", low)
    text_hit = probe.folded in folded
    key_hit = probe.key is not None and probe.key in _SEPARATOR_RE.sub("", folded)
    date_hit = probe.dates is not None and any(f in folded for f in probe.dates)
    tokens_hit = probe.tokens is not None and any(all(t in folded for t in _screenable(x)) for x in probe.tokens)
    if text_hit:
        for m in _boundary_pattern(probe.text).finditer(field_text):
            written = " ".join(m.group().split())
            verbatim = written == " ".join(probe.text.split())
            if not verbatim and probe.case_rule is not None and (
                    probe.case_rule == "exact" or not m.group().isupper()):
                continue
            if probe.context is not None and not (
                    (verbatim and not probe.context_strict) or _context_ok(probe, field_text, m.start(), m.end())):
                continue
            if probe.entity == "AGE" and field_text[m.end():m.end() + 1] == "+":
                continue  # "90+": the top-coded age, not the raw one
            out.append((m.start(), m.end(), "verbatim" if verbatim else "casefold"))
    if key_hit:
        out.extend(_confirm_key(probe, field_text))
    if date_hit:
        for form in probe.dates:
            start = low.find(form)
            while start >= 0:
                end = start + len(form)
                if (start == 0 or not low[start - 1].isalnum()) and (end == len(low) or not low[end].isalnum()):
                    out.append((start, end, "date"))
                start = low.find(form, end)
    if tokens_hit:
        for wanted, case in zip(probe.tokens, probe.token_case):
            out.extend(_confirm_tokens(wanted, case, probe.entity == "ADDRESS", field_text))
    parts_hit = probe.parts is not None and any(p in folded for p in probe.parts)
    if parts_hit:
        for m in _TOKEN.finditer(field_text):
            if m.group().lower() in probe.parts:
                out.append((m.start(), m.end(), "part"))
    if probe.context is not None and (key_hit or date_hit or tokens_hit or parts_hit):
        out = [o for o in out if o[2] in ("verbatim", "casefold") or _context_ok(probe, field_text, o[0], o[1])]
    return out


def _confirm_key(probe: Probe, field_text: str) -> list[tuple[int, int, str]]:
    """Consecutive alphanumeric groups, separated by at most three separator characters, whose
    characters (leading zeros of a number dropped) are the probe's key."""
    key = probe.key
    strip = probe.entity in ZERO_PADDED
    groups = [(m.start(), m.end(), m.group().lower()) for m in _GROUP.finditer(field_text)]
    out = []
    n = len(groups)
    i = 0
    while i < n:
        hit = None
        acc = ""
        for j in range(i, min(n, i + _MAX_GROUPS)):
            if j > i and not _GROUP_GAP.match(field_text[groups[j - 1][1]:groups[j][0]]):
                break
            acc += groups[j][2]
            cand = acc.lstrip("0") if strip and acc.isdigit() else acc
            if cand == key:
                hit = j
                break
            if len(cand) >= len(key):
                break
        if hit is not None:
            out.append((groups[i][0], groups[hit][1], "digits"))
            i = hit + 1
        else:
            i += 1
    return out


def _confirm_tokens(wanted: tuple[str, ...], case, street: bool, field_text: str) -> list[tuple[int, int, str]]:
    """Windows of the field holding every token of ``wanted``, at most ``len(wanted) + 3``
    tokens long (with their capitals, when ``case`` gives them)."""
    from deid.text._known import _street_key

    toks = []
    for m in _TOKEN.finditer(field_text):
        low = m.group().lower()
        toks.append((m.start(), m.end(), _street_key(low) if street else low, m.group()))
    need = set(wanted)
    span = len(wanted) + 3
    written = dict(zip(wanted, case)) if case else None
    out = []
    i = 0
    while i < len(toks):
        if toks[i][2] not in need:
            i += 1
            continue
        seen = {}
        j = i
        while j < len(toks) and j < i + span:
            t = toks[j][2]
            if t in need and (written is None or toks[j][3][:1] == written[t][:1]):
                seen.setdefault(t, j)
            if len(seen) == len(need):
                break
            j += 1
        if len(seen) == len(need):
            out.append((toks[min(seen.values())][0], toks[j][1], "tokens"))
            i = j + 1
        else:
            i += 1
    return out


_STRENGTH = {"verbatim": 0, "casefold": 1, "digits": 2, "date": 3, "tokens": 4, "part": 5}


def strongest(matches: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping matches of one value in one field: the strongest kind, then the longest."""
    matches = sorted(matches, key=lambda m: (m[0], _STRENGTH[m[2]], -(m[1] - m[0])))
    out: list[tuple[int, int, str]] = []
    for m in matches:
        if out and m[0] < out[-1][1]:
            if _STRENGTH[m[2]] < _STRENGTH[out[-1][2]]:
                out[-1] = m
            continue
        out.append(m)
    return out


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def as_search_text(series: pd.Series) -> pd.Series:
    """A scrubbed column as text to search: strings as they are, numbers without a ".0",
    datetimes as ISO text, missing as missing."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    if isinstance(series.dtype, pd.StringDtype):
        return series
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series.astype("str").where(series.notna(), None)
    if pd.api.types.is_float_dtype(series.dtype):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        whole = np.isfinite(values) & (values == np.floor(values)) & (np.abs(values) < 2**53)
        if whole[~np.isnan(values)].all():
            return series.astype("Int64").astype("str")
    if series.dtype == object:
        from deid.tabular._known import value_text

        return value_text(series).astype("str")
    return series.astype("str").where(series.notna(), None)

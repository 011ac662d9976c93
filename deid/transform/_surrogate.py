"""``surrogate``: a realistic fake value of the same kind and shape, consistent under a key.

Every choice derives from ``key.digest("surrogate", message)`` where the message holds the
kind family, the normalized token or value and a retry counter; choices are picks from word
lists or digits/letters drawn from the digest. So the same (key, kind, normalized value)
gives the same surrogate in every note, table and run, and no random generator is seeded
per value. Names map token by token ("John Smith", "Smith" and "SMITH, JOHN" share the
surrogate surname); numbers keep their separators and digit count; case is kept.

A surrogate never equals the original (case-insensitively): a choice that lands on the
original is drawn again with the next counter.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

from deid.transform._base import DeidOperator, OperatorParamError, check_str, check_value, key_param
from deid.transform._key import Key
from deid.transform._lists import WordLists, word_lists
from deid.transform._tag import tag

# kind -> the family whose logic and key space it uses. Kinds of one family share a key
# space on purpose: a number tagged PHONE in one note and FAX in another, or an id tagged
# MRN here and ID there, still gets one surrogate.
KIND_FAMILY: dict[str, str] = {
    "name": "name",
    "first_name": "name",
    "last_name": "name",
    "phone": "phone",
    "fax": "phone",
    "email": "email",
    "address": "address",
    "location": "location",
    "zip": "zip",
    "ssn": "ssn",
    "mrn": "id",
    "id": "id",
    "account": "id",
    "health_plan_id": "id",
    "license": "id",
    "vehicle_id": "id",
    "device_id": "id",
    "url": "url",
    "ip_address": "ip",
}
#: Surrogate kinds, accepted by the ``kind`` parameter.
KINDS: tuple[str, ...] = tuple(KIND_FAMILY)

#: The kind used for each entity type when ``kind`` is not given. DATE (use date_shift)
#: and AGE (use age_cap) have none.
DEFAULT_KIND: dict[str, str] = {
    "NAME": "name",
    "LOCATION": "location",
    "ADDRESS": "address",
    "ZIP": "zip",
    "PHONE": "phone",
    "FAX": "fax",
    "EMAIL": "email",
    "SSN": "ssn",
    "MRN": "mrn",
    "HEALTH_PLAN_ID": "health_plan_id",
    "ACCOUNT": "account",
    "LICENSE": "license",
    "VEHICLE_ID": "vehicle_id",
    "DEVICE_ID": "device_id",
    "URL": "url",
    "IP_ADDRESS": "ip_address",
    "ID": "id",
}

_DIGITS = "0123456789"
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_HEX = "0123456789abcdef"
_ALNUM = re.compile(r"[^\W_]+")
# a place word: letters and digits, with inner apostrophes ("Mary's", "O'Neil")
_PLACE_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_POSSESSIVE = re.compile(r"(.+?)(['’][sS])")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_ORDINAL = re.compile(r"(\d+)(st|nd|rd|th)", re.IGNORECASE)
_IPV4 = re.compile(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})")
_URL = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)?(?P<user>[^@/\s]+@)?"
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[^:/?#\s]+)(?P<port>:\d+)?(?P<rest>[/?#].*)?",
    re.DOTALL,
)

# Titles, honorifics, credentials and suffixes kept as written (case-folded, dots removed).
_TITLES = frozenset(
    "dr mr mrs ms miss mx prof sir dame rev fr sr jr ii iii iv rn md do np pa pac phd dds dmd "
    "lpn lvn cna msw lcsw licsw pt dpt ot rt crna aprn fnp dnp mbbs facs facp mph pharmd rph "
    "cnm mba esq nurse doctor attending resident intern".split()
)
# Titles of address: a single name after one of these is a surname ("Dr. James").

# Lower-case particles inside a capitalized name ("Ludwig van Beethoven") are kept.
_PARTICLES = frozenset("van von de da das dos del della der den di du la le ter ten bin ibn".split())
_VOWELS = frozenset("aeiouy")

_DIRECTIONS = frozenset("n s e w ne nw se sw north south east west northeast northwest southeast southwest".split())
_STREET_ABBRS = frozenset(
    "st str ave av blvd rd dr ln ct pl ter terr way pkwy hwy cir sq trl tr pike plz ctr cres "
    "expy fwy jct mt mtn pt rte rt aly xing hts hl cv".split()
)
_UNIT_WORDS = frozenset(
    "apt apartment unit suite ste room rm floor fl bldg building po p o box pob rr route "
    "lot no number # bed bay wing tower dept".split()
)
_CONNECTORS = frozenset("of the and at for on in".split())
_FACILITY_WORDS = frozenset(
    "hospital hospitals hosp medical med center centre ctr clinic clinics health healthcare "
    "nursing home homes rehab rehabilitation memorial general regional community university "
    "univ childrens children women womens mens care unit ward floor hospice institute school "
    "college campus pavilion wing building bldg tower house manor village assisted living senior "
    "residence facility practice associates group family pediatrics emergency department dept "
    "er ed icu micu sicu ccu nicu picu pacu or lab laboratory pharmacy va veterans county city "
    "saint st mount mt fort ft port lake north south east west new upper lower center's "
    "room rm bed bay suite ste level".split()
)


# -- derivation primitives ----------------------------------------------------------------
def _digest(key: Key, message: str) -> bytes:
    return key.digest("surrogate", message)


def _index(key: Key, message: str, n: int) -> int:
    return int.from_bytes(_digest(key, message)[:8], "big") % n


def _stream(key: Key, message: str, n: int) -> bytes:
    """``n`` pseudo-random bytes derived from ``message``."""
    out = _digest(key, message)
    block = 1
    while len(out) < n:
        out += _digest(key, f"{message}#{block}")
        block += 1
    return out[:n]


def _match_case(source: str, new: str) -> str:
    """``new`` in the case of ``source``: UPPER stays upper, lower stays lower; Title and
    mixed case take the list's own form (Title)."""
    if source.isupper():
        return new.upper()
    if source.islower():
        return new.lower()
    return new


def _pick(key: Key, message: str, choices: tuple[str, ...], avoid: str) -> str:
    """A keyed pick from ``choices`` that differs (case-insensitively) from ``avoid``."""
    for counter in range(64):
        choice = choices[_index(key, f"{message}|{counter}", len(choices))]
        if choice.casefold() != avoid:
            return choice
    # 64 misses in a list of hundreds cannot happen; keep a deterministic answer anyway
    return choices[0] if choices[0].casefold() != avoid else choices[1]


def _fill(text: str, stream: bytes, *, keep_first_nonzero: bool = True, hex_digits: bool = False) -> str:
    """Replace digits with digits and letters with letters (case kept), byte by byte from
    ``stream``; everything else stays. A leading non-zero digit stays non-zero, so a number
    keeps its magnitude."""
    out = []
    i = 0
    for pos, c in enumerate(text):
        if hex_digits and c in "0123456789abcdefABCDEF":
            new = _HEX[stream[i] % 16]
            out.append(new.upper() if c.isupper() else new)
            i += 1
        elif c.isdigit():
            if pos == 0 and keep_first_nonzero and c != "0":
                out.append(_DIGITS[1 + stream[i] % 9])
            else:
                out.append(_DIGITS[stream[i] % 10])
            i += 1
        elif c.isalpha():
            new = _LOWER[stream[i] % 26]
            out.append(new.upper() if c.isupper() else new)
            i += 1
        else:
            out.append(c)
    return "".join(out)


def _alnum_norm(text: str) -> str:
    return "".join(_ALNUM.findall(text)).casefold()


def _segments(text: str, pattern: re.Pattern) -> list[tuple[bool, str]]:
    """``text`` split into (is_token, piece) pairs covering it exactly."""
    out: list[tuple[bool, str]] = []
    pos = 0
    for m in pattern.finditer(text):
        if m.start() > pos:
            out.append((False, text[pos:m.start()]))
        out.append((True, m.group()))
        pos = m.end()
    if pos < len(text):
        out.append((False, text[pos:]))
    return out


@lru_cache(maxsize=64)
def _initials_map(key: Key) -> dict[str, str]:
    """A keyed letter permutation with no fixed point (one 26-cycle): an initial always
    maps to another initial, the same one every time."""
    order = sorted(_LOWER, key=lambda c: _digest(key, f"initial-order|{c}"))
    return {order[i]: order[(i + 1) % 26] for i in range(26)}


def _ordinal_suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


# -- names ----------------------------------------------------------------------------------
@lru_cache(maxsize=1 << 16)
def _given_for(key: Key, folded: str) -> str:
    lists = word_lists()
    female, male = folded in lists.known_female, folded in lists.known_male
    if female and not male:
        choices = lists.first_names_female
    elif male and not female:
        choices = lists.first_names_male
    else:
        choices = lists.first_names
    return _pick(key, f"given|{folded}", choices, folded)


@lru_cache(maxsize=1 << 16)
def _surname_for(key: Key, folded: str) -> str:
    return _pick(key, f"surname|{folded}", word_lists().last_names, folded)


# Tokens repeat far more than whole values (a surname in many full names): cached per token.
def _given_name(key: Key, lists: WordLists, token: str) -> str:
    return _match_case(token, _given_for(key, token.casefold()))


def _surname(key: Key, lists: WordLists, token: str) -> str:
    return _match_case(token, _surname_for(key, token.casefold()))


def _initials(key: Key, token: str) -> str:
    mapping = _initials_map(key)
    out = []
    for c in token:
        new = mapping.get(c.casefold())
        out.append(c if new is None else (new.upper() if c.isupper() else new))
    return "".join(out)


def _is_initials(token: str, whole: str) -> bool:
    if len(token) == 1:
        return True
    # "JS", "JRR": short, upper case in a value that is not all upper case, or vowel-less
    return (
        len(token) <= 3
        and token.isupper()
        and token.isascii()
        and (not whole.isupper() or not (set(token.casefold()) & _VOWELS))
    )


def _name(key: Key, value: str, kind: str, attempt: int) -> str:
    lists = word_lists()
    segs = _segments(value, _WORD)
    # classify word tokens: keep (title, particle), initial, or name
    cls: dict[int, str] = {}
    mixed_case = not value.islower()
    for i, (is_word, text) in enumerate(segs):
        if not is_word:
            continue
        folded = text.casefold()
        if folded in _TITLES and not (len(segs) == 1):
            cls[i] = "keep"
        elif folded in _PARTICLES and text.islower() and mixed_case:
            cls[i] = "keep"
        elif _is_initials(text, value):
            cls[i] = "initial"
        else:
            cls[i] = "name"
    # groups of name tokens joined by a hyphen share a role ("Smith-Jones")
    groups: list[list[int]] = []
    for i in sorted(cls):
        if cls[i] != "name":
            continue
        if groups and i - groups[-1][-1] == 2 and segs[i - 1][1] in ("-", "‐"):
            groups[-1].append(i)
        else:
            groups.append([i])
    role: dict[int, str] = {}
    if kind in ("first_name", "last_name"):
        for g in groups:
            for i in g:
                role[i] = "given" if kind == "first_name" else "surname"
    else:
        # A token's role depends on the token alone, never on its place in the value, so
        # "Ann Lee", "Lee, Ann", "Ms. Lee" and "LEE" all carry the same surrogate for "Lee".
        for g in groups:
            r = _token_role(segs[g[-1]][1].casefold())
            for i in g:
                role[i] = r
    out = []
    for i, (is_word, text) in enumerate(segs):
        if not is_word:
            out.append(_fill(text, _stream(key, f"name-digits|{_alnum_norm(text)}|{attempt}", len(text)))
                       if any(c.isdigit() for c in text) else text)
        elif cls[i] == "keep":
            out.append(text)
        elif cls[i] == "initial":
            out.append(_initials(key, text))
        elif role[i] == "given":
            out.append(_given_name(key, lists, text))
        else:
            out.append(_surname(key, lists, text))
    return "".join(out)


@lru_cache(maxsize=1 << 16)
def _token_role(folded: str) -> str:
    """"given" or "surname" for a name token: the census list where it is the more common
    name wins ("john": given; "lee", "smith": surname); otherwise the lists it is in."""
    first_share, last_share = _census_shares()
    f, l = first_share.get(folded, 0.0), last_share.get(folded, 0.0)
    if f or l:
        return "given" if f > l else "surname"
    lists = word_lists()
    return "given" if folded in lists.known_first and folded not in lists.known_last else "surname"


@lru_cache(maxsize=1)
def _census_shares() -> tuple[dict[str, float], dict[str, float]]:
    """Share of people bearing each first name and each surname (1990 US census lists of
    the ``names`` package; empty when it is not installed)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("names")
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    if spec is None or not spec.origin:
        return first, last
    base = Path(spec.origin).parent
    for fname, target, div in (("dist.female.first", first, 200.0), ("dist.male.first", first, 200.0),
                               ("dist.all.last", last, 100.0)):
        try:
            for line in (base / fname).read_text(encoding="ascii", errors="ignore").splitlines():
                parts = line.split()
                if len(parts) >= 2:
                    target[parts[0].casefold()] = target.get(parts[0].casefold(), 0.0) + float(parts[1]) / div
        except (OSError, ValueError):
            continue
    return first, last


def _phone(key: Key, value: str, attempt: int) -> str:
    positions = [i for i, c in enumerate(value) if c in _DIGITS]
    digits = "".join(value[i] for i in positions)
    n = len(digits)
    if n == 0:
        return _generic(key, "phone", value, attempt)
    stream = _stream(key, f"phone|{digits}|{attempt}", n)
    new = [_DIGITS[b % 10] for b in stream]
    plus = value.lstrip().startswith("+")
    if plus:
        cc = 1 if digits[0] == "1" else max(0, min(3, n - 10))
    else:
        cc = 1 if n == 11 and digits[0] == "1" else 0
    new[:cc] = digits[:cc]  # the country code stays
    if n - cc >= 10:  # a North American number: area code and exchange start with 2-9
        new[cc] = _DIGITS[2 + stream[cc] % 8]
        new[cc + 3] = _DIGITS[2 + stream[cc + 3] % 8]
        if new[cc + 1] == "1" and new[cc + 2] == "1":  # N11 codes are service numbers
            new[cc + 2] = "2"
    elif n - cc == 7:  # a local number: the exchange starts with 2-9
        new[cc] = _DIGITS[2 + stream[cc] % 8]
    elif n > cc and digits[cc] != "0":
        new[cc] = _DIGITS[1 + stream[cc] % 9]
    chars = list(value)
    for pos, d in zip(positions, new):
        chars[pos] = d
    return "".join(chars)


def _ssn(key: Key, value: str, attempt: int) -> str:
    positions = [i for i, c in enumerate(value) if c in _DIGITS]
    digits = "".join(value[i] for i in positions)
    if len(digits) != 9:
        return _generic(key, "ssn", value, attempt)
    r = int.from_bytes(_digest(key, f"ssn|{digits}|{attempt}")[:8], "big")
    # a well-formed SSN: area 001-899 except 666, group 01-99, serial 0001-9999
    area = 1 + r % 898
    area = area + 1 if area >= 666 else area
    r //= 898
    group = 1 + r % 99
    r //= 99
    serial = 1 + r % 9999
    new = f"{area:03d}{group:02d}{serial:04d}"
    chars = list(value)
    for pos, d in zip(positions, new):
        chars[pos] = d
    return "".join(chars)


def _zip(key: Key, value: str, attempt: int) -> str:
    digits = "".join(c for c in value if c in _DIGITS)
    return _fill(value, _stream(key, f"zip|{digits or _alnum_norm(value)}|{attempt}", len(value)),
                 keep_first_nonzero=False)


def _generic(key: Key, family: str, value: str, attempt: int) -> str:
    """Shape-preserving: digits -> digits, letters -> letters (case kept), separators kept.
    Keyed on the letters and digits only, case-folded: "AB-12" and "ab12" map alike."""
    return _fill(value, _stream(key, f"{family}|{_alnum_norm(value)}|{attempt}", len(value)))


def _ip(key: Key, value: str, attempt: int) -> str:
    m = _IPV4.fullmatch(value.strip())
    if m and all(int(g) <= 255 for g in m.groups()):
        canon = ".".join(str(int(g)) for g in m.groups())
        s = _stream(key, f"ip|{canon}|{attempt}", 4)
        first = 11 + s[0] % 213  # 11..223, skipping loopback, link-local and private blocks
        if first in (127, 169, 172, 192):
            first += 1
        octets = (first, s[1], s[2], 1 + s[3] % 254)
        lead = value[: len(value) - len(value.lstrip())]
        return lead + ".".join(map(str, octets)) + value[len(value.rstrip()):]
    try:
        canon = ipaddress.ip_address(value.strip()).exploded
    except ValueError:
        canon = _alnum_norm(value)
    return _fill(value, _stream(key, f"ip|{canon}|{attempt}", len(value)), hex_digits=":" in value)


# -- e-mail and URL -------------------------------------------------------------------------
_PUBLIC_MAIL = frozenset(
    "gmail.com googlemail.com yahoo.com hotmail.com outlook.com live.com msn.com aol.com "
    "icloud.com me.com mac.com comcast.net verizon.net att.net protonmail.com proton.me "
    "mail.com gmx.com ymail.com".split()
)
_LOCAL_PART = re.compile(r"[A-Za-z]+|\d+")


def _safe_domain(key: Key, domain: str, attempt: int) -> str:
    """A reserved domain (RFC 2606: example.com/.org/.net) that keeps the TLD when it can."""
    tld = domain.rsplit(".", 1)[-1].casefold()
    if tld in ("com", "org", "net"):
        return "example." + tld
    lists = word_lists()
    return lists.safe_domains[_index(key, f"domain|{domain.casefold()}|{attempt}", len(lists.safe_domains))]


def _email(key: Key, value: str, attempt: int) -> str:
    at = value.rfind("@")
    if at <= 0:
        return _generic(key, "email", value, attempt)
    local, domain = value[:at], value[at + 1:]
    lists = word_lists()
    out = []
    for is_token, text in _segments(local, _LOCAL_PART):
        if not is_token:
            out.append(text)
        elif text.isdigit():
            out.append(_fill(text, _stream(key, f"email-digits|{text}|{attempt}", len(text))))
        elif len(text) == 1:
            out.append(_initials(key, text))
        elif text.casefold() in lists.known_first:
            out.append(_given_name(key, lists, text))
        else:
            out.append(_surname(key, lists, text))
    new_local = "".join(out)
    if attempt and new_local.casefold() == local.casefold():
        new_local = _generic(key, "email", local, attempt)
    folded = domain.strip().casefold()
    new_domain = domain if folded in _PUBLIC_MAIL else _match_case(domain, _safe_domain(key, folded, attempt))
    return f"{new_local}@{new_domain}"


def _url(key: Key, value: str, attempt: int) -> str:
    stripped = value.strip()
    m = _URL.fullmatch(stripped)
    if not m or "." not in m["host"] and not m["scheme"]:
        return _generic(key, "url", value, attempt)
    host = m["host"]
    if host.startswith("[") or _IPV4.fullmatch(host):
        new_host = "[" + _ip(key, host[1:-1], attempt) + "]" if host.startswith("[") else _ip(key, host, attempt)
    else:
        lists = word_lists()
        labels = host.split(".")
        www = labels[0].casefold() in ("www", "www2", "www3")
        body = ".".join(labels[1:] if www else labels).casefold()
        name = _pick(key, f"url-host|{body}|{attempt}", lists.last_names, "").casefold()
        new_host = (labels[0] + "." if www else "") + name + "." + _safe_domain(key, body, attempt)
        new_host = _match_case(host, new_host)
    parts = [m["scheme"] or ""]
    if m["user"]:
        parts.append(_generic(key, "url-user", m["user"][:-1], attempt) + "@")
    parts.append(new_host)
    if m["port"]:
        parts.append(m["port"])
    if m["rest"]:
        parts.append(_generic(key, "url-path", m["rest"], attempt))
    lead = value[: len(value) - len(value.lstrip())]
    return lead + "".join(parts) + value[len(value.rstrip()):]


# -- places ---------------------------------------------------------------------------------
def _place_words(key: Key, lists: WordLists, run: list[str], attempt: int) -> list[str]:
    """A fake place name with as many words as ``run`` ("Boston" -> "Garciaville",
    "Beth Israel" -> "Carter Smithton")."""
    norm = " ".join(t.casefold() for t in run)
    for counter in range(16):
        s = _digest(key, f"place|{norm}|{attempt}|{counter}")
        words = []
        for i in range(len(run)):
            r = int.from_bytes(s[(i % 4) * 8:(i % 4) * 8 + 8], "big") + i * 7919
            pool = lists.last_names if r % 3 else lists.first_names
            base = pool[(r // 3) % len(pool)]
            if i == len(run) - 1 and (r // 5) % 4:
                base = base + lists.city_suffixes[(r // 7) % len(lists.city_suffixes)]
            words.append(base)
        if " ".join(words).casefold() != norm:
            return [_match_case(t, w) for t, w in zip(run, words)]
    return [_match_case(t, "Springfield") for t in run]  # pragma: no cover


def _is_acronym(token: str, whole: str) -> bool:
    return (
        2 <= len(token) <= 6
        and token.isupper()
        and (not whole.isupper() or len(token) <= 3 or not (set(token.casefold()) & _VOWELS))
    )


def _replace_runs(key: Key, value: str, attempt: int, keep: frozenset[str], street: bool) -> str:
    """Shared by address and location: keep the structural words in ``keep``, replace
    numbers (shape kept), acronyms (letters) and runs of other words (fake names)."""
    lists = word_lists()
    segs = _segments(value, _PLACE_TOKEN)
    n = len(segs)
    action: list[str] = []
    street_segment = True  # address: words before the first comma/newline are the street
    segment_of: list[bool] = []
    for is_token, text in segs:
        if not is_token and ("," in text or "\n" in text):
            street_segment = False
        segment_of.append(street_segment)
        if not is_token:
            action.append("sep")
            continue
        folded = text.casefold()
        if any(c.isdigit() for c in text):
            action.append("ordinal" if _ORDINAL.fullmatch(text) else "number")
        elif (folded in keep or folded.rstrip("s").rstrip("'’") in keep
              or (street and text in lists.state_abbrs and text.isupper())):
            action.append("keep")
        elif _is_acronym(text, value) and not street:
            action.append("acronym")
        else:
            action.append("word")
    if street:
        # full state names ("Massachusetts") are not PHI: keep them outside the street part
        for i in range(n):
            if action[i] == "word" and not segment_of[i] and segs[i][1].casefold() in lists.states:
                action[i] = "keep"
    if not any(a in ("word", "number", "ordinal", "acronym") for a in action):
        # every word is structural ("General Hospital"): replace the first one anyway, so
        # the surrogate never equals the original
        for i in range(n):
            if action[i] == "keep":
                action[i] = "acronym" if _is_acronym(segs[i][1], value) else "word"
                break
    out: list[str] = []
    i = 0
    while i < n:
        is_token, text = segs[i]
        a = action[i]
        if a == "word":
            # a run: consecutive words separated by blanks only
            j, run = i, [i]
            while j + 2 < n and action[j + 2] == "word" and segs[j + 1][1].isspace():
                j += 2
                run.append(j)
            words = [segs[k][1] for k in run]
            # a possessive keeps its "'s": "St. Mary's" -> "St. Carter's"
            possessive = _POSSESSIVE.fullmatch(words[-1])
            if possessive:
                words[-1] = possessive[1]
            if street and segment_of[i]:
                new = [_surname(key, lists, w) if attempt == 0 else
                       _match_case(w, _pick(key, f"street|{w.casefold()}|{attempt}", lists.last_names, w.casefold()))
                       for w in words]
            else:
                new = _place_words(key, lists, words, attempt)
            if possessive:
                new[-1] += possessive[2]
            for k, w in zip(run, new):
                if out and k != run[0]:
                    out.append(segs[k - 1][1])
                out.append(w)
            i = j + 1
            continue
        if a == "number":
            digits = "".join(c for c in text if c in _DIGITS)
            if street and not segment_of[i] and len(digits) in (5, 9) and len(digits) == len(text.replace("-", "")):
                out.append(_zip(key, text, attempt))  # a ZIP code keeps the ZIP surrogate
            else:
                out.append(_fill(text, _stream(key, f"place-number|{text.casefold()}|{attempt}", len(text))))
        elif a == "ordinal":
            m = _ORDINAL.fullmatch(text)
            num = _fill(m[1], _stream(key, f"place-number|{m[1]}|{attempt}", len(m[1])))
            suffix = _ordinal_suffix(int(num))
            out.append(num + (suffix.upper() if m[2].isupper() else suffix))
        elif a == "acronym":
            out.append(_fill(text, _stream(key, f"acronym|{text.casefold()}|{attempt}", len(text))))
        else:
            out.append(text)
        i += 1
    return "".join(out)


_ADDRESS_KEEP = _DIRECTIONS | _STREET_ABBRS | _UNIT_WORDS | _CONNECTORS
_LOCATION_KEEP = _FACILITY_WORDS | _UNIT_WORDS | _CONNECTORS


def _address(key: Key, value: str, attempt: int) -> str:
    keep = _ADDRESS_KEEP | word_lists().street_suffixes
    return _replace_runs(key, value, attempt, keep, street=True)


def _location(key: Key, value: str, attempt: int) -> str:
    return _replace_runs(key, value, attempt, _LOCATION_KEEP, street=False)


_BUILDERS = {
    "phone": _phone,
    "ssn": _ssn,
    "zip": _zip,
    "id": lambda key, value, attempt: _generic(key, "id", value, attempt),
    "ip": _ip,
    "email": _email,
    "url": _url,
    "address": _address,
    "location": _location,
}


@lru_cache(maxsize=1 << 16)
def _surrogate_cached(key: Key, kind: str, value: str) -> str | None:
    family = KIND_FAMILY[kind]
    folded = value.casefold()
    for attempt in range(8):
        if family == "name":
            out = _name(key, value, kind, attempt)
        else:
            out = _BUILDERS[family](key, value, attempt)
        if out.casefold() != folded:
            return out
    # nothing to change (no letter or digit) or eight unlucky draws: shape-fill the whole
    for attempt in range(8, 16):
        out = _generic(key, family, value, attempt)
        if out.casefold() != folded:
            return out
    return None


def surrogate(value: str, key: Key | str | bytes | None = None, kind: str | None = None, *,
              entity_type: str = "NAME") -> str:
    """A fake value of the same kind and shape as ``value``, the same for the same
    (key, kind family, normalized value) everywhere.

    ``kind`` is one of :data:`KINDS`; without it the kind is :data:`DEFAULT_KIND` of
    ``entity_type``. A value with no letter or digit has nothing to imitate and becomes the
    tag of its entity type (``[NAME]``). ``key=None`` uses :func:`deid.transform.default_key`.

    >>> k = Key("an example key, 32 bytes long...")
    >>> a = surrogate("John Smith", k)
    >>> a != "John Smith" and a.split()[1] == surrogate("SMITH, JOHN", k).split(",")[0].title()
    True
    >>> s = surrogate("(617) 555-0142", k, "phone")
    >>> s[0], s[4:6], s[9], len(s)
    ('(', ') ', '-', 14)
    """
    kind = kind_for(entity_type) if kind is None else check_kind(kind)
    key = key_param(key)
    check_value(value, "surrogate")
    out = _surrogate_cached(key, kind, value)
    return tag(entity_type) if out is None else out


def check_kind(kind) -> str:
    if kind not in KIND_FAMILY:
        raise OperatorParamError(
            f"unknown surrogate kind {kind!r}; known kinds: {', '.join(KINDS)}"
        )
    return kind


def kind_for(entity_type: str) -> str:
    """The default surrogate kind of an entity type; ``ValueError`` when it has none."""
    kind = DEFAULT_KIND.get(entity_type)
    if kind is None:
        hint = " (dates use date_shift)" if entity_type == "DATE" else (
            " (ages use age_cap)" if entity_type == "AGE" else "")
        raise OperatorParamError(
            f"no surrogate kind for entity type {entity_type!r}{hint}; give a kind: {', '.join(KINDS)}"
        )
    return kind


class Surrogate(DeidOperator):
    """Presidio operator ``surrogate``: a consistent, realistic fake value.

    Parameters: ``key`` (a :class:`Key`; default :func:`default_key`), ``kind`` (one of
    :data:`KINDS`; default from the entity type, see :data:`DEFAULT_KIND`).

    >>> k = Key("an example key, 32 bytes long...")
    >>> Surrogate().operate("Smith", {"entity_type": "NAME", "key": k}) == surrogate("Smith", k)
    True
    """

    name = "surrogate"
    param_names = frozenset({"kind"})
    uses_key = True

    def _bind(self, entity_type, key, kind=None):
        if kind is None:
            kind = kind_for(entity_type)
        check_str("kind", kind)
        check_kind(kind)
        fallback = tag(entity_type)

        def bound(value, patient_id=None):
            out = _surrogate_cached(key, kind, check_value(value, "surrogate"))
            return fallback if out is None else out

        return bound

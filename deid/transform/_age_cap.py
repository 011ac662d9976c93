"""``age_cap``: ages over 89 become ``90+`` (HIPAA Safe Harbor); younger ages stay."""

from __future__ import annotations

import math
import re
from functools import lru_cache

from deid.transform._base import DeidOperator, check_str, check_value
from deid.transform._tag import tag

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
# "in her nineties", "a centenarian": an age range without a number.
_DECADE_WORDS = {
    "twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60,
    "seventies": 70, "eighties": 80, "nineties": 90, "octogenarian": 80,
    "nonagenarian": 90, "centenarian": 100, "supercentenarian": 110,
}
# years per unit; the unit word follows the number ("18 months", "3 wk old", "94 y/o")
_UNIT_YEARS = {
    "y": 1.0, "yo": 1.0, "yr": 1.0, "yrs": 1.0, "year": 1.0, "years": 1.0, "yearold": 1.0,
    "yoa": 1.0,
    "mo": 1 / 12, "mos": 1 / 12, "month": 1 / 12, "months": 1 / 12, "mth": 1 / 12, "mths": 1 / 12,
    "w": 1 / 52.18, "wk": 1 / 52.18, "wks": 1 / 52.18, "week": 1 / 52.18, "weeks": 1 / 52.18,
    "d": 1 / 365.25, "day": 1 / 365.25, "days": 1 / 365.25, "dy": 1 / 365.25,
    "h": 1 / 8766, "hr": 1 / 8766, "hrs": 1 / 8766, "hour": 1 / 8766, "hours": 1 / 8766,
}
_TOKEN = re.compile(r"\d+(?:\.\d+)?(?:'?s\b)?|[a-z]+")


@lru_cache(maxsize=1 << 14)
def parse_age_years(value: str) -> float | None:
    """The age in years written in ``value``, or ``None`` when there is none.

    Understands digits ("94", "94yo", "94 y/o", "94-year-old", "18 months"), number words
    ("ninety-four", "one hundred and two"), decades ("90s", "nineties") and words such as
    "nonagenarian". A decade counts as its lower bound.

    >>> parse_age_years("ninety-four year old")
    94.0
    >>> parse_age_years("18 mos")
    1.5
    >>> parse_age_years("elderly") is None
    True
    """
    tokens = _TOKEN.findall(value.lower())
    for i, tok in enumerate(tokens):
        if tok[0].isdigit():
            if tok.endswith("s"):  # "90s", "90's"
                return float(tok.rstrip("s").rstrip("'"))
            number = float(tok)
            rest = tokens[i + 1:]
            break
        if tok in _DECADE_WORDS:
            return float(_DECADE_WORDS[tok])
        if tok in _UNITS or tok in _TENS or tok == "hundred":
            number, j = _words_to_number(tokens, i)
            rest = tokens[j:]
            break
    else:
        return None
    unit = rest[0] if rest else "y"
    if unit == "m" and len(rest) > 1 and rest[1] == "o":  # "m/o", "m.o."
        unit = "mo"
    return number * _UNIT_YEARS.get(unit, 1.0)


def _words_to_number(tokens: list[str], start: int) -> tuple[float, int]:
    total, current, j = 0, 0, start
    while j < len(tokens):
        tok = tokens[j]
        if tok in _UNITS:
            current += _UNITS[tok]
        elif tok in _TENS:
            current += _TENS[tok]
        elif tok == "hundred":
            current = max(current, 1) * 100
        elif tok == "and" and j + 1 < len(tokens) and (tokens[j + 1] in _UNITS or tokens[j + 1] in _TENS):
            pass
        else:
            break
        j += 1
    return float(total + current), j


def cap_age(value: str, label: str = "90+", threshold: int = 89, unparsed: str | None = "[AGE]") -> str:
    """``label`` when ``value`` states an age over ``threshold`` years, else ``value``.

    An age that cannot be read (no number in it) becomes ``unparsed`` (``None`` keeps it):
    an unreadable age could be over 89.

    >>> cap_age("94yo"), cap_age("ninety-four"), cap_age("45 y/o"), cap_age("18 months")
    ('90+', '90+', '45 y/o', '18 months')
    """
    years = parse_age_years(value)
    if years is None:
        return value if unparsed is None else unparsed
    # 89.9 years is still "89": HIPAA counts whole years.
    return label if math.floor(years + 1e-9) > threshold else value


class AgeCap(DeidOperator):
    """Presidio operator ``age_cap``: an age over 89 becomes ``"90+"``.

    Parameters: ``label`` (default ``"90+"``), ``unparsed`` (what an unreadable age
    becomes; default the tag ``[AGE]``; ``None`` keeps it).

    >>> AgeCap().operate("94 year old", {"entity_type": "AGE"})
    '90+'
    """

    name = "age_cap"
    param_names = frozenset({"label", "unparsed"})

    def _bind(self, entity_type, label="90+", unparsed=...):
        check_str("label", label)
        if unparsed is ...:
            unparsed = tag(entity_type if entity_type == "AGE" else "AGE")
        elif unparsed is not None:
            check_str("unparsed", unparsed)

        def bound(value, patient_id=None):
            return cap_age(check_value(value, "age_cap"), label, 89, unparsed)

        return bound

"""Word lists for surrogates, read once from installed packages (no network, no files of ours).

Surrogate values are drawn from Faker's en_US provider lists (first names by sex, the 1,000
commonest US surnames, street suffixes, city prefixes and suffixes, states). Deciding
whether a token *is* a first name also uses the US census first-name lists of the ``names``
package when it is installed (5,500 names against Faker's 690), so "margie" is known as a
first name. Everything loads on first use: importing deid.transform stays cheap.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class WordLists:
    """The lists surrogates are drawn from and the sets tokens are classified with."""

    first_names: tuple[str, ...]
    first_names_female: tuple[str, ...]
    first_names_male: tuple[str, ...]
    last_names: tuple[str, ...]
    known_first: frozenset[str]  # case-folded
    known_female: frozenset[str]
    known_male: frozenset[str]
    known_last: frozenset[str]
    faker_first: frozenset[str]  # case-folded Faker first names (the commonest)
    city_prefixes: tuple[str, ...]
    city_suffixes: tuple[str, ...]
    street_suffixes: frozenset[str]  # case-folded
    states: frozenset[str]  # case-folded full names
    state_abbrs: frozenset[str]  # upper case
    safe_domains: tuple[str, ...]


def _census_first_names(filename: str) -> dict[str, float]:
    """Case-folded first name -> frequency (% of people of that sex), from the census
    lists shipped with the ``names`` package; empty when it is not installed."""
    spec = importlib.util.find_spec("names")
    if spec is None or not spec.origin:
        return {}
    path = Path(spec.origin).parent / filename
    out: dict[str, float] = {}
    try:
        with path.open(encoding="ascii", errors="ignore") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) >= 2:
                    out[parts[0].casefold()] = float(parts[1])
    except (OSError, ValueError):
        return {}
    return out


@cache
def word_lists() -> WordLists:
    """The lists, loaded once per process."""
    from faker.providers.address.en_US import Provider as Address
    from faker.providers.internet import Provider as Internet
    from faker.providers.person.en_US import Provider as Person

    female = tuple(Person.first_names_female)
    male = tuple(Person.first_names_male)
    first = tuple(dict.fromkeys(Person.first_names))
    last = tuple(Person.last_names)
    census_female = _census_first_names("dist.female.first")
    census_male = _census_first_names("dist.male.first")
    fold = lambda names: frozenset(n.casefold() for n in names)  # noqa: E731
    # The census lists share many names (Mary is 0.3% of men's names there); a name counts
    # for the sex that uses it more, and Faker's own lists win where they are one-sided.
    faker_female, faker_male = fold(female), fold(male)
    known_female = set(faker_female - faker_male)
    known_male = set(faker_male - faker_female)
    for name in census_female.keys() | census_male.keys():
        if name in known_female or name in known_male:
            continue
        f, m = census_female.get(name, 0.0), census_male.get(name, 0.0)
        if f > m:
            known_female.add(name)
        elif m > f:
            known_male.add(name)
    known_female, known_male = frozenset(known_female), frozenset(known_male)
    return WordLists(
        first_names=first,
        first_names_female=female,
        first_names_male=male,
        last_names=last,
        known_first=known_female | known_male | faker_female | faker_male,
        known_female=known_female,
        known_male=known_male,
        known_last=fold(last),
        faker_first=fold(first),
        city_prefixes=tuple(Address.city_prefixes),
        city_suffixes=tuple(Address.city_suffixes),
        street_suffixes=fold(Address.street_suffixes),
        states=fold(Address.states),
        state_abbrs=frozenset(Address.states_abbr) | frozenset(Address.territories_abbr),
        safe_domains=tuple(Internet.safe_domain_names),
    )

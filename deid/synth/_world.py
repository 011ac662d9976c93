"""The synthetic world a corpus lives in: its hospitals, wards, clinicians, and patients.

A :class:`World` is made once per corpus from the seed; patients are made one at a time,
each from its own random stream, so patient ``i`` does not depend on how many notes were
asked for.
"""

from __future__ import annotations

import datetime as _dt
import random
import re
from dataclasses import dataclass
from functools import lru_cache

from . import _ids as ids
from . import _lexicons as lex
from ._model import Address, Clinician, Contact, PatientRecord

# States with enough ZIP codes and hospitals to host a corpus's home region.
HOME_STATES = ("MA", "NY", "PA", "OH", "IL", "CA", "TX", "MI", "NJ", "GA", "NC", "FL", "MN",
               "WA", "MD", "CT")
_EXCLUDED_STATES = {"PR", "VI", "GU", "AS", "MP", "FM", "MH", "PW", "AA", "AE", "AP"}

COMMON_STREETS = ("Main", "Oak", "Maple", "Pine", "Cedar", "Elm", "Washington", "Park", "Lake",
                  "Hill", "Church", "High", "Pleasant", "Center", "Spring", "School", "Union",
                  "Prospect", "Highland", "Chestnut", "Walnut", "Summer", "Water", "Broad",
                  "Franklin", "Lincoln", "Jefferson", "Adams", "Madison", "Central", "River",
                  "Mill", "North", "South", "Forest", "Winter", "Beacon", "Commonwealth",
                  "Dorchester", "Blue Hill", "Martin Luther King Jr")
STREET_ABBR = {"Street": "St", "Avenue": "Ave", "Road": "Rd", "Drive": "Dr", "Lane": "Ln",
               "Boulevard": "Blvd", "Court": "Ct", "Place": "Pl", "Terrace": "Ter",
               "Circle": "Cir", "Parkway": "Pkwy", "Highway": "Hwy", "Square": "Sq",
               "Way": "Way"}
_SAINTS = ("Mary", "Joseph", "Luke", "Anne", "Elizabeth", "Vincent", "Francis", "John", "Jude",
           "Margaret", "Catherine", "Elsewhere", "Raphael", "Anthony", "Peter", "Agnes")
_TREES = ("Cedar", "Oak", "Maple", "Pine", "Willow", "Birch", "Elm", "Spruce", "Laurel",
          "Briar", "Meadow", "Fox", "River", "Lake", "Sunny", "Golden", "Harbor", "Stone")
_NH_PLACES = ("Ridge", "Hill", "Manor", "Gardens", "Brook", "View", "Crest", "Glen", "Woods")
_NH_KINDS = ("Nursing Home", "Rehabilitation Center", "Nursing and Rehab", "Health Care Center",
             "Skilled Nursing Facility", "Senior Living", "Rehab")
# relation -> plausible abbreviations nurses use for it
RELATIONS = {
    "wife": ("wife",), "husband": ("husband", "hus"), "daughter": ("daughter", "dtr", "dau"),
    "son": ("son",), "sister": ("sister", "sis"), "brother": ("brother", "bro"),
    "niece": ("niece",), "nephew": ("nephew",), "friend": ("friend",),
    "neighbor": ("neighbor",), "mother": ("mother", "mom"), "father": ("father", "dad"),
    "granddaughter": ("granddaughter", "gd"), "grandson": ("grandson",),
    "partner": ("partner",), "daughter-in-law": ("daughter-in-law", "DIL"),
    "son-in-law": ("son-in-law",), "cousin": ("cousin",), "guardian": ("guardian",),
}
_FEMALE_RELATIONS = {"wife", "daughter", "sister", "niece", "mother", "granddaughter",
                     "daughter-in-law"}
_MALE_RELATIONS = {"husband", "son", "brother", "nephew", "father", "grandson", "son-in-law"}

_COMMON_FIRST = set(lex.COMMON_WORD_FIRST)
_COMMON_LAST = set(lex.COMMON_WORD_LAST)
_COMMON_FIRST_UP = {x.upper() for x in _COMMON_FIRST}
_COMMON_LAST_UP = {x.upper() for x in _COMMON_LAST}


@lru_cache(maxsize=65536)
def name_flag(token: str) -> str:
    """'common' for names that are English words, 'oov' for names in no lexicon, else ''.

    Hyphenated and apostrophe names are judged by their parts ("O'Brien" by "Brien" and by
    "OBRIEN", the census spelling)."""
    if token in _COMMON_FIRST or token in _COMMON_LAST:
        return "common"
    lexicon = lex.lexicon_names()
    up = token.upper()
    if up in lexicon or up.replace("'", "") in lexicon:
        return ""
    parts = [p for p in re.split(r"[-']", up) if len(p) > 1]
    if any(p in _COMMON_FIRST_UP or p in _COMMON_LAST_UP for p in parts):
        return "common"
    if parts and all(p in lexicon for p in parts):
        return ""
    return "oov"


@dataclass(frozen=True, slots=True)
class Facility:
    """A named place; ``forms`` are the ways notes write it (all labelled LOCATION)."""

    name: str
    forms: tuple[str, ...]
    city: str
    kind: str  # "hospital", "nursing_home", "rehab"


@dataclass(frozen=True, slots=True)
class Staff:
    """A clinician of the world with the identifiers notes may carry."""

    first_name: str
    last_name: str
    credential: str
    pager: str
    email: str
    npi: str
    dea: str
    license: str

    @property
    def clinician(self) -> Clinician:
        return Clinician(self.first_name, self.last_name, self.credential)


@dataclass(slots=True)
class PatientExtras:
    """What notes need about a patient beyond :class:`PatientRecord`: a cell phone, the
    plan name, the named wards and facilities of this admission."""

    plan_name: str
    cell_phone: str
    area_codes: tuple[str, ...]
    outside_hospital: Facility
    discharge_facility: Facility
    named_ward: str
    age: int
    pcp: Staff
    attending: Staff
    nurses: tuple[Staff, ...]


class World:
    """Hospitals, wards, clinicians and name pools shared by every note of one corpus."""

    def __init__(self, seed: int):
        self.seed = seed
        rng = random.Random(f"deid.synth:{seed}:world")
        zips = lex.zip_rows()
        self.home_state = rng.choice(HOME_STATES)
        self.home_zips = zips[self.home_state]
        self.states = [s for s in zips if s not in _EXCLUDED_STATES]
        self.zips = zips
        self.state_names = lex.us_states()
        self.countries = lex.countries_and_capitals()
        self.oov = lex.out_of_lexicon_names(str(seed))
        self.faker_names = lex.faker_names()
        self.faker_locales = sorted(self.faker_names)
        self.census_last = lex.census_last()
        self.census_first = {"F": lex.census_first("F"), "M": lex.census_first("M")}
        self.suffixes = lex.street_suffixes()
        self.email_domains = lex.email_domains()

        # hospitals of the region; the first is the corpus's own hospital
        self.hospitals = [self._hospital(rng) for _ in range(14)]
        self.home = self.hospitals[0]
        self.nursing_homes = [self._nursing_home(rng) for _ in range(14)]
        acr = "".join(w[0] for w in self.home.name.replace("St. ", "Saint ").split()
                      if w[0].isupper()).lower()
        self.domain = f"{acr}.org"
        self.main_phone = ids.phone_number(rng, self.home_zips[0][4])
        self.fax = ids.phone_number(rng, self.home_zips[0][4])
        # wards named after donors ("Baker 4"); generic ones are decoys
        self.named_wards = sorted({f"{self.census_last.values[rng.randrange(300)]}"
                                   for _ in range(8)})
        self.staff = [self._staff(rng, cred) for cred in
                      ["MD"] * 34 + ["RN"] * 30 + ["NP"] * 5 + ["PA"] * 4 + ["LICSW"] * 4
                      + ["RRT"] * 3 + ["PT"] * 2 + ["CM"] * 2]
        self.mds = [s for s in self.staff if s.credential == "MD"]
        self.rns = [s for s in self.staff if s.credential == "RN"]
        self.sws = [s for s in self.staff if s.credential == "LICSW"]
        self.typists = [self.person_name(rng, rng.choice("FM")) for _ in range(6)]

    # -- names -----------------------------------------------------------------------
    def first_name(self, rng, sex: str, origin: str | None = None) -> str:
        r = rng.random()
        if r < 0.15:
            return rng.choice(self.oov)
        if r < 0.21:
            return rng.choice(lex.COMMON_WORD_FIRST_BY_SEX[sex])
        if origin:
            fem, male, _ = self.faker_names[origin]
            return rng.choice(fem if sex == "F" else male)
        return self.census_first[sex].draw(rng)

    def last_name(self, rng, origin: str | None = None) -> str:
        r = rng.random()
        if r < 0.15:
            return rng.choice(self.oov)
        if r < 0.21:
            return rng.choice(lex.COMMON_WORD_LAST)
        if origin:
            return rng.choice(self.faker_names[origin][2])
        return self.census_last.draw(rng)

    def origin(self, rng) -> str | None:
        return rng.choice(self.faker_locales) if rng.random() < 0.3 else None

    def person_name(self, rng, sex: str) -> tuple[str, str]:
        o = self.origin(rng)
        return self.first_name(rng, sex, o), self.last_name(rng, o)

    # -- places ----------------------------------------------------------------------
    def _hospital(self, rng) -> Facility:
        city = rng.choice(self.home_zips)[1]
        last = self.census_last.values[rng.randrange(2000)]
        saint = rng.choice(_SAINTS)
        r = rng.random()
        if r < 0.25:
            name = f"{city} General Hospital"
            forms = (name, f"{city} General", f"{city} Gen Hosp", _acronym(name))
        elif r < 0.45:
            name = f"St. {saint}'s Hospital"
            forms = (name, f"St. {saint}'s", f"St {saint}", f"St. {saint} Hosp",
                     f"Saint {saint}'s")
        elif r < 0.6:
            name = f"{last} Memorial Hospital"
            forms = (name, f"{last} Memorial", f"{last} Mem Hosp", _acronym(name))
        elif r < 0.8:
            name = f"{city} Medical Center"
            forms = (name, f"{city} Med Ctr", _acronym(name), f"{city} MC")
        elif r < 0.9:
            name = f"{city} Community Hospital"
            forms = (name, f"{city} Community", f"{city} Hosp")
        else:
            name = f"Mercy Hospital of {city}"
            forms = (name, f"Mercy {city}", "Mercy Hosp")
        return Facility(name, forms, city, "hospital")

    def _nursing_home(self, rng) -> Facility:
        city = rng.choice(self.home_zips)[1]
        r = rng.random()
        if r < 0.6:
            base = f"{rng.choice(_TREES)} {rng.choice(_NH_PLACES)}"
            kind = rng.choice(_NH_KINDS)
            forms = (f"{base} {kind}", base, f"{base} NH", f"{base} Rehab")
            return Facility(forms[0], forms, city, "nursing_home")
        if r < 0.8:
            last = self.census_last.values[rng.randrange(1500)]
            forms = (f"{last} House", f"{last} House Nursing Home", f"the {last} House")
            return Facility(forms[0], forms, city, "nursing_home")
        forms = (f"{city} Rehabilitation Hospital", f"{city} Rehab", f"{city} Manor")
        return Facility(forms[0], forms, city, "rehab")

    def zip_row(self, rng):
        if rng.random() < 0.85:
            return rng.choice(self.home_zips)
        return rng.choice(self.zips[rng.choice(self.states)])

    def street(self, rng) -> str:
        r = rng.random()
        if r < 0.5:
            base = rng.choice(COMMON_STREETS)
        elif r < 0.8:
            base = self.census_last.values[rng.randrange(3000)]
        else:
            base = rng.choice(_TREES) + rng.choice(("", " Ridge", " Hill", "wood", " Brook"))
        suffix = rng.choice(("Street", "Street", "Avenue", "Road", "Drive", "Lane", "Court",
                             "Place", "Terrace", "Way", "Circle", "Boulevard", "Parkway")
                            if rng.random() < 0.85 else self.suffixes)
        if suffix in STREET_ABBR and rng.random() < 0.6:
            suffix = STREET_ABBR[suffix] + ("." if rng.random() < 0.2 else "")
        number = rng.choice((rng.randint(1, 99), rng.randint(1, 999), rng.randint(1, 9999)))
        if rng.random() < 0.05:
            number = f"{number}{rng.choice('AB')}"
        return f"{number} {base} {suffix}"

    def unit(self, rng) -> str:
        n = rng.choice((str(rng.randint(1, 40)), f"{rng.randint(1, 9)}{rng.choice('ABCDEF')}",
                        str(rng.randint(100, 820))))
        return rng.choice(("Apt ", "Apt. ", "Unit ", "#", "Apartment ", "Suite ")) + n

    # -- people ----------------------------------------------------------------------
    def _staff(self, rng, credential: str) -> Staff:
        first, last = self.person_name(rng, rng.choice("FM"))
        email = f"{first[0]}{last}".lower().replace("'", "") + f"@{self.domain}"
        return Staff(first, last, credential, ids.pager(rng), email, ids.npi(rng),
                     ids.dea(rng, last), ids.state_license(rng))

    def patient(self, index: int) -> tuple[PatientRecord, PatientExtras]:
        """Patient ``index`` of this world, from its own random stream."""
        rng = random.Random(f"deid.synth:{self.seed}:patient:{index}")
        sex = "F" if rng.random() < 0.48 else "M"
        origin = self.origin(rng)
        first = self.first_name(rng, sex, origin)
        last = self.last_name(rng, origin)
        if rng.random() < 0.07:  # hyphenated and apostrophe surnames break tokenizers
            last = rng.choice((f"{last}-{self.last_name(rng)}", f"O'{last}"))
        middle = self.first_name(rng, rng.choice("FM"))
        nicks = lex.NICKNAMES.get(first)
        if nicks and rng.random() < 0.7:
            nickname = rng.choice(nicks)
        elif rng.random() < 0.15:  # family nicknames that are no form of the given name
            nickname = rng.choice(("Sonny", "Buddy", "Skip", "Babe", "Junior", "Cookie", "Red",
                                   "Butch", "Sis", "Tiny", "Lulu", "Dee"))
        else:
            nickname = ""

        admit = _dt.date(2003, 1, 1) + _dt.timedelta(days=rng.randrange(22 * 365))
        # ICU ages; the share over 89 is raised so AGE spans are not rare
        age = rng.randint(90, 104) if rng.random() < 0.15 else min(
            89, max(18, int(rng.triangular(18, 92, 72))))
        dob = admit - _dt.timedelta(days=age * 365 + age // 4 + rng.randrange(365))

        zrow = self.zip_row(rng)
        po_box = f"P.O. Box {rng.randint(1, 9999)}" if rng.random() < 0.06 else ""
        address = Address(street=self.street(rng),
                          unit=self.unit(rng) if rng.random() < 0.3 else "",
                          city=zrow[1], county=zrow[2], state=zrow[3],
                          zip=zrow[0] + (f"-{ids.digits(rng, 4)}" if rng.random() < 0.1 else ""),
                          po_box=po_box)
        area = zrow[4]
        phone = ids.phone_number(rng, area)
        email = ""
        if rng.random() < 0.65:
            user = rng.choice((f"{first}.{last}", f"{first[0]}{last}", f"{first}{last[0]}",
                               f"{last}{first[0]}", f"{first}{rng.randint(1, 99)}",
                               f"{first[0]}{last}{rng.randint(40, 99)}"))
            email = user.lower().replace("'", "") + "@" + rng.choice(self.email_domains)
        plan_name, plan_id = ids.health_plan_id(rng)
        invalid_ssn = rng.random() < 0.2

        contacts = []
        n_contacts = rng.choice((1, 1, 2, 2, 2, 3, 3, 4))
        relations = list(RELATIONS)
        spouse = "wife" if sex == "M" else "husband"
        if age > 80:
            pool = ["daughter", "son", "niece", "nephew", "granddaughter", "grandson",
                    "daughter-in-law", "friend", "neighbor", spouse, spouse]
        elif age < 35:
            pool = ["mother", "father", "sister", "brother", "partner", "friend", spouse]
        else:
            pool = [spouse, spouse, "daughter", "son", "sister", "brother", "friend", "partner"]
        for _ in range(n_contacts):
            rel = rng.choice(pool if rng.random() < 0.9 else relations)
            rsex = "F" if rel in _FEMALE_RELATIONS else "M" if rel in _MALE_RELATIONS else rng.choice("FM")
            rfirst = self.first_name(rng, rsex, origin)
            same = rel in (spouse, "daughter", "son", "mother", "father", "brother", "sister",
                           "grandson", "granddaughter")
            rlast = last if same and rng.random() < 0.7 else self.last_name(rng, origin)
            contacts.append(Contact(rfirst, rlast, rel, ids.phone_number(rng, area)))

        pcp = rng.choice(self.mds)
        attending = rng.choice(self.mds)
        nurses = tuple(rng.sample(self.rns, 3))
        clinicians = [pcp.clinician, attending.clinician]
        if rng.random() < 0.3:
            clinicians.append(rng.choice(self.staff).clinician)
        record = PatientRecord(
            patient_id=f"P{index:06d}", first_name=first, last_name=last, middle_name=middle,
            nickname=nickname, sex=sex, date_of_birth=dob, mrn=ids.mrn(rng),
            ssn=ids.ssn(rng, invalid=invalid_ssn), address=address, phone=phone, email=email,
            health_plan_id=plan_id, contacts=contacts, clinicians=clinicians,
            admission_date=admit)
        extras = PatientExtras(
            plan_name=plan_name, cell_phone=ids.phone_number(rng, area), area_codes=area,
            outside_hospital=rng.choice(self.hospitals[1:]),
            discharge_facility=rng.choice(self.nursing_homes),
            named_ward=rng.choice(self.named_wards), age=age, pcp=pcp, attending=attending,
            nurses=nurses)
        return record, extras


def _acronym(name: str) -> str:
    return "".join(w[0] for w in name.replace("St. ", "Saint ").split() if w[0].isupper())

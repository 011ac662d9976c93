"""Slots: the surface forms of every identifier and every decoy, for one note.

A :class:`NoteContext` knows the world, the patient, the note's date and author; each
``s_<name>`` method returns the pieces a template field ``{name}`` or ``{name:arg}`` writes:
``(text, entity_type or None, form or decoy kind)``.
"""

from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache

from . import _ids as ids
from ._world import RELATIONS, World, name_flag

# -- decoy vocabularies (not PHI; a naive detector tags them) -------------------------------
EPONYMS = {
    "dx": ("Parkinson's disease", "Parkinson's", "Hodgkin lymphoma", "non-Hodgkin's lymphoma",
           "Alzheimer's dementia", "Alzheimer's", "Cushing's syndrome", "Crohn's disease",
           "Crohn's", "Graves' disease", "Bell's palsy", "Down syndrome", "Guillain-Barre",
           "Hashimoto's thyroiditis", "Addison's disease", "Huntington's disease",
           "Wernicke's encephalopathy", "Korsakoff syndrome", "Barrett's esophagus",
           "Mallory-Weiss tear", "Wolff-Parkinson-White", "Raynaud's", "Sjogren's syndrome",
           "Kaposi sarcoma", "Burkitt lymphoma", "Meniere's disease", "Paget's disease",
           "Lou Gehrig's disease", "Charcot foot", "Dupuytren's contracture", "Baker's cyst",
           "Stevens-Johnson syndrome", "Budd-Chiari", "Whipple's disease", "Lyme disease",
           "West Nile virus", "Norwalk virus", "Legionnaires' disease", "Takotsubo",
           "Ludwig's angina", "Zollinger-Ellison", "Hirschsprung's", "Tourette's",
           "Wegener's granulomatosis", "Marfan syndrome", "Ehlers-Danlos", "Brugada",
           "Fournier's gangrene", "Pott's disease", "Peyronie's", "Osler-Weber-Rendu"),
    "device": ("Foley", "foley catheter", "Foley cath", "Swan-Ganz", "Swan", "Hickman catheter",
               "Groshong", "Quinton catheter", "Jackson-Pratt drain", "JP drain", "Pleur-evac",
               "Ambu bag", "Yankauer", "Dobhoff", "Salem sump", "Miami J collar", "Hoyer lift",
               "Bair Hugger", "Holter monitor", "Penrose drain", "Sengstaken-Blakemore tube",
               "Minnesota tube", "Coude catheter", "Shiley", "Passy-Muir valve", "Doppler",
               "Venodyne boots", "Flexiseal", "Broviac", "Ommaya reservoir"),
    "sign": ("Babinski", "Homans' sign", "Murphy's sign", "Kernig's sign", "Brudzinski",
             "Chvostek's sign", "Trousseau's sign", "Romberg", "Allen test", "Tinel's sign",
             "Phalen's", "McBurney's point", "Rovsing's sign", "Cullen's sign",
             "Grey Turner sign", "Kussmaul respirations", "Cheyne-Stokes respirations",
             "Trendelenburg", "Fowler's position", "semi-Fowler's", "Valsalva", "Heimlich",
             "Epley maneuver", "Korotkoff sounds", "Beck's triad", "Levine sign"),
    "proc": ("Whipple procedure", "Whipple", "Nissen fundoplication", "Roux-en-Y gastric bypass",
             "Billroth II", "Hartmann's procedure", "Bentall", "Ross procedure", "Fontan",
             "Blalock-Taussig shunt", "Ivor Lewis esophagectomy", "Mohs surgery",
             "Lichtenstein repair", "Seldinger technique", "Heller myotomy", "Kasai"),
    "scale": ("Glasgow coma scale", "Apgar", "Braden scale", "Morse fall scale",
              "Ranson criteria", "Child-Pugh class B", "Wells score", "Killip class II",
              "Mallampati III", "Gleason 7", "Hunt-Hess grade 3", "Fisher grade 3",
              "Ramsay score 4", "Bishop score"),
    "drug": ("Lactated Ringer's", "Ringer's lactate", "Dakin's solution", "Lugol's iodine",
             "Gram stain", "gram negative rods", "Coombs test", "Pap smear", "Mantoux",
             "Epsom salt", "Fleet enema", "Wright stain", "Ziehl-Neelsen stain"),
}
_EPONYM_ALL = tuple(x for v in EPONYMS.values() for x in v)
# the classic traps, drawn more often than the rest
CORE_EPONYMS = {
    "dx": ("Parkinson's disease", "Hodgkin lymphoma", "Alzheimer's dementia", "Cushing's syndrome",
           "Crohn's disease", "Graves' disease", "Bell's palsy", "Down syndrome"),
    "device": ("Foley", "Swan-Ganz"),
    "sign": ("Babinski", "Babinski sign"),
    "proc": ("Whipple procedure", "Nissen fundoplication"),
    "scale": ("Glasgow coma scale", "Apgar"),
    "drug": ("Lactated Ringer's",),
}
_CORE_ALL = tuple(x for v in CORE_EPONYMS.values() for x in v)

_LABS = (("K", 2.9, 5.9, 1), ("Na", 126, 149, 0), ("Cl", 94, 112, 0), ("HCO3", 16, 32, 0),
         ("BUN", 6, 88, 0), ("Cr", 0.5, 4.8, 1), ("Glu", 62, 340, 0), ("Hct", 20.0, 45.0, 1),
         ("Hgb", 6.8, 15.2, 1), ("WBC", 1.8, 26.0, 1), ("Plt", 38, 460, 0),
         ("INR", 0.9, 3.8, 1), ("PTT", 24.0, 98.0, 1), ("Mg", 1.3, 2.7, 1), ("Ca", 7.2, 10.6, 1),
         ("Phos", 1.4, 5.9, 1), ("lactate", 0.7, 6.4, 1), ("CK", 40, 2400, 0),
         ("trop", 0.01, 2.8, 2), ("ALT", 9, 480, 0), ("AST", 12, 520, 0), ("Tbili", 0.2, 8.4, 1),
         ("Alb", 1.8, 4.6, 1), ("BNP", 40, 4200, 0), ("iCa", 0.98, 1.32, 2), ("FS", 64, 330, 0))
_LAB_BY_NAME = {x[0].lower(): x for x in _LABS}

_PROCS = ("CT abd/pelvis", "TEE", "EGD", "colonoscopy", "bronch", "IR drainage", "PEG placement",
          "trach", "cardiac cath", "MRI head", "paracentesis", "thoracentesis", "HD", "CVVH line",
          "ERCP", "LP", "ORIF", "EP study")
_DX = ("urosepsis", "CHF exacerbation", "COPD flare", "GI bleed", "PNA", "resp failure",
       "altered mental status", "DKA", "s/p fall", "SBO", "pancreatitis", "CVA", "NSTEMI",
       "afib w/ RVR", "hypotension", "ETOH withdrawal", "PE", "cellulitis", "hyperkalemia",
       "C diff colitis", "s/p CABG", "s/p MVR", "SAH", "hip fx", "ARF", "cholangitis")
_GENERIC_WARDS = ("MICU", "SICU", "CCU", "CVICU", "CSRU", "Neuro ICU", "TSICU", "4 West",
                  "7 North", "6 East", "5 South", "the floor", "step down", "PACU", "the ED",
                  "telemetry", "ICU", "med/surg", "11 West", "the unit")
_SPOUSE_WORD = {"F": ("husband", "hus"), "M": ("wife",)}

_RANGE = re.compile(r"^(\d+)-(\d+)$")


@lru_cache(maxsize=None)
def _range(arg: str) -> tuple[int, int]:
    m = _RANGE.match(arg)
    if not m:
        raise ValueError(f"bad numeric range in template: {arg!r}")
    return int(m.group(1)), int(m.group(2))


_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def number_words(n: int) -> str:
    """1..199 in words, hyphenated: 91 -> 'ninety-one', 104 -> 'one hundred four'."""
    if n >= 100:
        rest = n - 100
        return "one hundred" + (f" {number_words(rest)}" if rest else "")
    if n < 20:
        return _ONES[n]
    t, o = divmod(n, 10)
    return _TENS[t] + (f"-{_ONES[o]}" if o else "")


def _years_between(born: _dt.date, on: _dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def T(text: str):
    return (text, None, "")


def D(text: str, kind: str):
    return (text, None, kind)


class NoteContext:
    """Everything one note's slots need; the note's random stream is ``rng``."""

    def __init__(self, world: World, record, extras, rng, day: _dt.date, style: str,
                 author, case: str):
        self.w = world
        self.rec = record
        self.ex = extras
        self.rng = rng
        self.day = day
        self.style = style
        self.author = author  # a world Staff
        self.case = case
        self.age = _years_between(record.date_of_birth, day)
        # the relative this note is mostly about
        self.focus = record.contacts[0] if rng.random() < 0.6 else rng.choice(record.contacts)

    # -- helpers -----------------------------------------------------------------------
    def pick(self, weighted):
        """Choose from ((weight, value), ...)."""
        r = self.rng.random() * sum(w for w, _ in weighted)
        for w, v in weighted:
            r -= w
            if r < 0:
                return v
        return weighted[-1][1]

    @staticmethod
    def _name(text: str, role: str, shape: str, *tokens: str):
        form = f"{role}.{shape}"
        flags = {name_flag(t) for t in tokens}
        if "oov" in flags:
            form += ".oov"
        elif "common" in flags:
            form += ".common"
        return (text, "NAME", form)

    def _title(self, sex: str) -> str:
        if sex == "F":
            return self.rng.choice(("Mrs. ", "Ms. ", "Ms. ", "Mrs ", "Ms ", "Miss "))
        return self.rng.choice(("Mr. ", "Mr. ", "Mr ", "MR. "))

    # -- patient ---------------------------------------------------------------------
    def person_pieces(self, first: str, last: str, sex: str, role: str, shape: str,
                      middle: str = "", nickname: str = ""):
        n = self._name
        if shape == "full":
            return [n(f"{first} {last}", role, shape, first, last)]
        if shape == "full_middle":
            return [n(f"{first} {middle[0]}. {last}", role, shape, first, last)]
        if shape == "last_first":
            return [n(f"{last}, {first}", role, shape, first, last)]
        if shape == "last_first_upper":
            return [n(f"{last}, {first}".upper(), role, shape, first, last)]
        if shape == "title_last":
            return [T(self._title(sex)), n(last, role, shape, last)]
        if shape == "initial_last":
            sep = ". " if self.rng.random() < 0.7 else " "
            return [n(f"{first[0]}{sep}{last}", role, shape, last)]
        if shape == "last_upper":
            return [n(last.upper(), role, shape, last)]
        if shape == "first_lower":
            return [n(first.lower(), role, shape, first)]
        if shape == "first":
            return [n(first, role, shape, first)]
        if shape == "last":
            return [n(last, role, shape, last)]
        if shape == "initials":
            text = f"{first[0]}.{last[0]}." if self.rng.random() < 0.6 else f"{first[0]}{last[0]}"
            return [n(text, role, shape)]
        if shape == "nickname":
            return [n(nickname or first, role, shape, nickname or first)]
        if shape == "possessive":
            if self.rng.random() < 0.5:
                return [T(self._title(sex)), n(last, role, shape, last), T("'s")]
            return [n(first, role, shape, first), T("'s")]
        raise ValueError(f"unknown name shape {shape!r}")

    _PT_SHAPES = ((20, "title_last"), (10, "first"), (10, "full"), (6, "last"),
                  (8, "initial_last"), (8, "last_upper"), (8, "first_lower"), (4, "full_middle"),
                  (5, "last_first"), (5, "initials"), (6, "nickname"))

    def s_pt(self, shape=None):
        r = self.rec
        shape = shape or self.pick(self._PT_SHAPES)
        if shape == "nickname" and not r.nickname:
            shape = "first"
        if shape == "last_upper" and self.case != "mixed":
            shape = "last"
        return self.person_pieces(r.first_name, r.last_name, r.sex, "patient", shape,
                                  r.middle_name, r.nickname)

    def s_pt_header(self):
        shape = self.pick(((5, "last_first_upper"), (4, "last_first"), (2, "full"),
                           (1, "full_middle")))
        return self.s_pt(shape)

    def s_nick(self):
        """'pt prefers to be called Peggy' (or the first name when there is no nickname)."""
        return self.s_pt("nickname")

    # -- pronouns and plain words -------------------------------------------------------
    def s_he(self):
        return "she" if self.rec.sex == "F" else "he"

    def s_his(self):
        return "her" if self.rec.sex == "F" else "his"

    def s_man(self):
        return ("woman" if self.rec.sex == "F" else "man") if self.rng.random() < 0.7 else (
            "female" if self.rec.sex == "F" else "male")

    def s_MF(self):
        return self.rec.sex

    def s_spouse_word(self):
        return self.rng.choice(_SPOUSE_WORD[self.rec.sex])

    def s_n(self, arg):
        lo, hi = _range(arg)
        return str(self.rng.randint(lo, hi))

    def s_dx(self):
        return self.rng.choice(_DX)

    def s_proc(self):
        return self.rng.choice(_PROCS)

    # -- clinicians ----------------------------------------------------------------------
    def _staff(self, which):
        if which == "att":
            return self.ex.attending
        if which == "pcp":
            return self.ex.pcp
        if which == "author":
            return self.author
        if which == "any":
            return self.rng.choice(self.w.staff)
        r = self.rng.random()
        if r < 0.45:
            return self.ex.attending
        if r < 0.6:
            return self.ex.pcp
        return self.rng.choice(self.w.mds)

    def s_dr(self, which=None):
        s = self._staff(which)
        f, l = s.first_name, s.last_name
        shape = self.pick(((40, "dr_last"), (8, "dr_initial_last"), (8, "dr_full"),
                           (10, "last_md"), (8, "full_cred"), (4, "last"),
                           (5, "initial_last_cred"), (5, "dr_possessive"), (3, "dr_upper")))
        n = self._name
        rng = self.rng
        if shape == "dr_last":
            return [T(rng.choice(("Dr. ", "Dr. ", "Dr ", "dr. ", "Dr.", "dr "))),
                    n(l, "clinician", shape, l)]
        if shape == "dr_upper":
            return [T(rng.choice(("DR ", "DR. "))), n(l.upper(), "clinician", shape, l)]
        if shape == "dr_initial_last":
            return [T("Dr. "), n(f"{f[0]}. {l}", "clinician", shape, l)]
        if shape == "dr_full":
            return [T(rng.choice(("Dr. ", "Dr "))), n(f"{f} {l}", "clinician", shape, f, l)]
        if shape == "last_md":
            if rng.random() < 0.4:
                return [n(l.lower(), "clinician", shape, l), T(" md")]
            return [n(l, "clinician", shape, l), T(rng.choice((", MD", " MD", " M.D.")))]
        if shape == "full_cred":
            return [n(f"{f} {l}", "clinician", shape, f, l), T(f", {s.credential}")]
        if shape == "initial_last_cred":
            return [n(f"{f[0]}. {l}", "clinician", shape, l), T(f" {s.credential}")]
        if shape == "dr_possessive":
            return [T("Dr. "), n(l, "clinician", shape, l), T("'s")]
        return [n(l, "clinician", shape, l)]

    def s_rn(self, which=None):
        """A nurse named the way nurses name each other: 'Kate', 'Kate RN', 'K. Smith RN'."""
        s = self.rng.choice(self.ex.nurses) if which is None else self._staff(which)
        f, l = s.first_name, s.last_name
        n = self._name
        shape = self.pick(((4, "first"), (3, "first_cred"), (2, "initial_last_cred"),
                           (2, "full_cred"), (1, "first_lower"), (1, "last_cred")))
        if shape == "first":
            return [n(f, "nurse", shape, f)]
        if shape == "first_lower":
            return [n(f.lower(), "nurse", shape, f)]
        if shape == "first_cred":
            if self.rng.random() < 0.5:
                return [T("RN "), n(f, "nurse", shape, f)]
            return [n(f, "nurse", shape, f), T(" RN")]
        if shape == "initial_last_cred":
            return [n(f"{f[0]}. {l}", "nurse", shape, l), T(", RN")]
        if shape == "last_cred":
            return [n(l, "nurse", shape, l), T(", RN")]
        return [n(f"{f} {l}", "nurse", shape, f, l), T(" RN")]

    def s_sw(self):
        s = self.rng.choice(self.w.sws)
        return [self._name(f"{s.first_name} {s.last_name}", "clinician", "full", s.first_name,
                           s.last_name), T(", LICSW")] if self.rng.random() < 0.5 else [
            self._name(s.first_name, "clinician", "first", s.first_name)]

    def s_cm(self):
        s = self.rng.choice([x for x in self.w.staff if x.credential in ("CM", "RN")])
        return [self._name(s.first_name, "clinician", "first", s.first_name)]

    def s_rrt(self):
        s = self.rng.choice([x for x in self.w.staff if x.credential == "RRT"])
        return [self._name(s.first_name, "clinician", "first", s.first_name)]

    def _initials(self, first: str, last: str, lower: bool) -> str:
        t = f"{first[0]}{last[0]}"
        return t.lower() if lower else t.upper()

    def s_sig(self, which="author"):
        """Signature blocks and initials at the end of a note."""
        s = self._staff(which)
        f, l, c = s.first_name, s.last_name, s.credential
        n = self._name
        shape = self.pick(((4, "signed"), (3, "initial_last_cred"), (3, "initials_tail"),
                           (2, "initials_typist"), (2, "last_cred"), (2, "esigned"),
                           (2, "full_cred"), (1, "slash_lower"), (1, "first_cred")))
        if shape == "signed":
            return [T(self.rng.choice(("Signed: ", "Signed by ", "Signed- "))),
                    n(f"{f[0]}. {l}", "signature", shape, l), T(f", {c}")]
        if shape == "initial_last_cred":
            return [n(f"{f[0]}. {l}", "signature", shape, l), T(f" {c}")]
        if shape == "initials_tail":
            return [T(self.rng.choice(("--", "- ", "-- ", "..."))),
                    n(self._initials(f, l, False), "signature", shape)]
        if shape == "initials_typist":
            tf, tl = self.rng.choice(self.w.typists)
            return [T(self.rng.choice(("--", ""))), n(self._initials(f, l, False), "signature", shape),
                    T("/"), n(self._initials(tf, tl, True), "typist", "initials")]
        if shape == "slash_lower":
            return [T("/"), n(self._initials(f, l, True), "signature", shape)]
        if shape == "last_cred":
            return [n(l, "signature", shape, l), T(f", {c}")]
        if shape == "esigned":
            d = ids.format_date(self.day, "ts_us", self.rng)
            return [T("Electronically signed by "), n(f"{f} {l}", "signature", shape, f, l),
                    T(f", {c} on "), (d, "DATE", "ts_us")]
        if shape == "first_cred":
            return [n(f, "signature", shape, f), T(f" {c}")]
        return [n(f"{f} {l}", "signature", shape, f, l),
                T(self.rng.choice((f" {c}", f", {c}", f" {c}, BSN" if c == "RN" else f" {c}")))]

    def s_other(self, kind=None):
        """Other people: interpreters, chaplains, roommates, visitors."""
        rng = self.rng
        sex = rng.choice("FM")
        first, last = self.w.person_name(rng, sex)
        kind = kind or rng.choice(("interp", "chaplain", "roommate", "visitor"))
        if kind == "interp":
            if rng.random() < 0.6:
                return [T("interpreter "), self._name(first, "other", "first", first)]
            return [self._name(f"{first} {last}", "other", "full", first, last),
                    T(" (interpreter)")]
        if kind == "chaplain":
            title = rng.choice(("Fr. ", "Rev. ", "Father ", "Rabbi ", "Sister "))
            if rng.random() < 0.5:
                return [T("chaplain " + title), self._name(first, "other", "title_first", first)]
            return [T("chaplain " + title), self._name(last, "other", "title_last", last)]
        if kind == "roommate":
            return [T("roommate "), T(self._title(sex)), self._name(last, "other", "title_last", last)]
        return [T("friend "), self._name(f"{first} {last}", "other", "full", first, last)]

    # -- relatives -----------------------------------------------------------------------
    def _contact(self):
        return self.focus if self.rng.random() < 0.7 else self.rng.choice(self.rec.contacts)

    def s_rel(self):
        c = self._contact()
        rng = self.rng
        rel = rng.choice(RELATIONS.get(c.relation, (c.relation,)))
        f, l = c.first_name, c.last_name
        n = self._name
        shape = self.pick(((10, "rel_first"), (5, "rel_first_lower"), (4, "rel_paren"),
                           (3, "rel_comma"), (3, "first_rel"), (3, "rel_full"), (3, "pts_rel"),
                           (1, "rel_title"), (1, "first_slash")))
        if shape == "rel_first":
            return [T(f"{rel} "), n(f, "relative", "first", f)]
        if shape == "rel_first_lower":
            return [T(f"{rel} "), n(f.lower(), "relative", "first_lower", f)]
        if shape == "rel_paren":
            return [T(f"{rel} ("), n(f, "relative", "first", f), T(")")]
        if shape == "rel_comma":
            return [T(f"{rel}, "), n(f, "relative", "first", f), T(",")]
        if shape == "first_rel":
            return [n(f, "relative", "first", f), T(f" ({rel})" if rng.random() < 0.6 else f", pt's {rel},")]
        if shape == "rel_full":
            return [T(f"{rel} "), n(f"{f} {l}", "relative", "full", f, l)]
        if shape == "pts_rel":
            return [T(f"pt's {rel} "), n(f, "relative", "first", f)]
        if shape == "rel_title":
            sex = "F" if c.relation in ("wife", "daughter", "sister", "niece", "mother") else "M"
            return [T(f"{rel} "), T(self._title(sex)), n(l, "relative", "title_last", l)]
        return [T(f"{rel}/"), n(f.lower(), "relative", "first_lower", f)]

    def s_rel2(self):
        """A second relative, other than the note's main one when the patient has two."""
        others = [c for c in self.rec.contacts if c is not self.focus]
        if not others:
            return self.s_rel()
        c = self.rng.choice(others)
        rel = self.rng.choice(RELATIONS.get(c.relation, (c.relation,)))
        if self.rng.random() < 0.5:
            return [T(f"{rel} "), self._name(c.first_name, "relative", "first", c.first_name)]
        return [self._name(c.first_name, "relative", "first", c.first_name), T(f" ({rel})")]

    def s_rel_name(self):
        c = self._contact()
        if self.rng.random() < 0.3:
            return [self._name(c.first_name.lower(), "relative", "first_lower", c.first_name)]
        return [self._name(c.first_name, "relative", "first", c.first_name)]

    def s_rel_hcp(self):
        c = self.rec.contacts[0]
        rel = self.rng.choice(RELATIONS.get(c.relation, (c.relation,)))
        if self.rng.random() < 0.6:
            return [T(f"{rel} "), self._name(f"{c.first_name} {c.last_name}", "relative", "full",
                                             c.first_name, c.last_name)]
        return [self._name(f"{c.last_name}, {c.first_name}", "relative", "last_first",
                           c.first_name, c.last_name), T(f" ({rel})")]

    # -- dates ---------------------------------------------------------------------------
    def _near(self, lo=-6, hi=6) -> _dt.date:
        return self.day + _dt.timedelta(days=self.rng.randint(lo, hi))

    _BODY_FORMS = ((40, "md"), (10, "md0"), (10, "mdyy"), (5, "month_dth"), (4, "d_month"),
                   (5, "month_d"), (5, "md_dash"), (3, "mon_dth"), (3, "dth_of_month"),
                   (2, "iso"), (4, "mdyyyy"))
    _FULL_FORMS = ((30, "mdyyyy"), (15, "iso"), (12, "mon_d_yyyy"), (10, "month_d_yyyy"),
                   (10, "mdyy"), (6, "dd_mon_yyyy"), (5, "mdyyyy_dash"))

    def _date(self, d: _dt.date, form: str):
        return (ids.format_date(d, form, self.rng), "DATE", form)

    def s_date(self, when=None):
        d = self._near(-8, -1) if when == "past" else self._near(1, 8) if when == "future" else self._near()
        return [self._date(d, self.pick(self._BODY_FORMS))]

    def s_fulldate(self, when=None):
        d = self._near(-8, 0) if when == "past" else self._near(1, 40) if when == "future" else self._near()
        return [self._date(d, self.pick(self._FULL_FORMS))]

    def s_today(self, full=None):
        return [self._date(self.day, self.pick(self._FULL_FORMS if full else self._BODY_FORMS))]

    def s_admit(self):
        return [self._date(self.rec.admission_date, self.pick(self._FULL_FORMS + self._BODY_FORMS[:3]))]

    def s_dob(self):
        form = self.pick(((30, "mdyyyy"), (12, "mdyy"), (10, "iso"), (10, "mon_d_yyyy"),
                          (6, "month_d_yyyy"), (5, "dd_mon_yyyy"), (5, "mdyyyy_dash")))
        return [self._date(self.rec.date_of_birth, form)]

    def s_weekday(self):
        return [self._date(self._near(-3, 3), "weekday" if self.rng.random() < 0.75 else "weekday_abbr")]

    def s_holiday(self):
        return [(self.rng.choice(ids.HOLIDAYS), "DATE", "holiday")]

    def s_ts(self, near=None):
        d = self.day if near is None else self._near(-3, 0)
        form = "ts_iso" if self.rng.random() < 0.55 else "ts_us"
        return [self._date(d, form)]

    def _past(self) -> _dt.date:
        return self.day - _dt.timedelta(days=self.rng.randint(200, 40 * 365))

    def s_year(self):
        """A year alone ('in 1992'): labelled DATE with form 'year' (see docs/synth.md)."""
        return [(str(self._past().year), "DATE", "year")]

    def s_yy(self):
        return [(f"'{self._past().year % 100:02d}", "DATE", "year_apos")]

    def s_month_year(self):
        return [self._date(self._past(), "month_yyyy")]

    def s_pastdate(self):
        form = self.pick(((4, "mdyy"), (3, "mdyyyy"), (3, "month_yyyy"), (2, "year"),
                          (1, "year_apos"), (1, "mon_d_yyyy")))
        if form == "year":
            return self.s_year()
        if form == "year_apos":
            return self.s_yy()
        return [self._date(self._past(), form)]

    def s_date_range(self):
        a = self._near(-6, 0)
        b = a + _dt.timedelta(days=self.rng.randint(1, 5))
        form = "md" if self.rng.random() < 0.7 else "md0"
        sep = self.rng.choice(("-", " - ", " to ", "-"))
        return [self._date(a, form), T(sep), self._date(b, form)]

    def s_time(self):
        return [D(ids.clock_time(self.rng), "TIME")]

    def s_shift(self):
        return [D(self.rng.choice(("7a-7p", "7p-7a", "0700-1900", "1900-0700", "3-11", "11-7",
                                   "7-3", "7a-3p", "2300-0700", "0700-1500")), "TIME")]

    # -- ages ----------------------------------------------------------------------------
    def _age_pieces(self, age: int, shape: str):
        word = number_words(age)
        num, tail, head = str(age), "", ""
        if shape == "yo":
            tail = self.rng.choice((" yo", " y.o.", "yo", " YO"))
        elif shape == "y/o":
            tail = self.rng.choice((" y/o", " y/o", "y/o"))
        elif shape == "year_old":
            tail = self.rng.choice((" year old", "-year-old", " yr old", " years old"))
        elif shape == "age":
            head = self.rng.choice(("age ", "aged ", "Age: ", "age: "))
        elif shape == "words":
            num = word if self.rng.random() < 0.8 else word.capitalize()
            tail = self.rng.choice((" year old", "-year-old", " years old"))
        elif shape == "num":
            pass
        elif shape == "sex_suffix":
            tail = self.rec.sex if self.rng.random() < 0.5 else self.rec.sex.lower()
        piece = (num, "AGE", shape) if age > 89 else D(num, "AGE_UNDER_90")
        return [T(head), piece, T(tail)] if head else [piece, T(tail)]

    _AGE_SHAPES = ((10, "yo"), (7, "y/o"), (6, "year_old"), (4, "words"))

    def s_age(self, shape=None):
        return self._age_pieces(self.age, shape or self.pick(self._AGE_SHAPES))

    def s_age_other(self):
        """Ages of other people: a relative's ('her 93 yo mother'); over 89 is PHI too."""
        age = self.rng.randint(90, 103) if self.rng.random() < 0.5 else self.rng.randint(20, 89)
        return self._age_pieces(age, self.rng.choice(("yo", "y/o", "year_old", "words", "age")))

    # -- places --------------------------------------------------------------------------
    def _facility(self, fac, form: str = ""):
        text = fac.forms[0] if self.rng.random() < 0.4 else self.rng.choice(fac.forms)
        return (text, "LOCATION", form or fac.kind)

    def s_hosp(self):
        return [self._facility(self.ex.outside_hospital if self.rng.random() < 0.7
                               else self.rng.choice(self.w.hospitals[1:]))]

    def s_home(self):
        return [self._facility(self.w.home)]

    def s_nh(self):
        return [self._facility(self.ex.discharge_facility)]

    def s_facility_room(self):
        """A room with a named facility: both are labelled (room numbers alone are not)."""
        room = f"{self.rng.randint(1, 9)}{self.rng.randint(0, 4)}{self.rng.randint(1, 9)}"
        sep = self.rng.choice((" rm ", ", room ", " room ", " Rm. "))
        return [self._facility(self.ex.discharge_facility), T(sep), (room, "LOCATION", "room_at_facility")]

    def s_named_ward(self):
        ward = self.ex.named_ward
        return [(f"{ward} {self.rng.randint(2, 12)}", "LOCATION", "ward_named")]

    def s_ward(self):
        if self.rng.random() < 0.3:
            return self.s_named_ward()
        return [D(self.rng.choice(_GENERIC_WARDS), "WARD")]

    def s_room(self):
        return [D(self.rng.choice(("rm ", "room ", "bed ", "Rm ")) + self.rng.choice(
            (str(self.rng.randint(1, 30)), f"{self.rng.randint(2, 12)}{self.rng.randint(10, 40)}",
             f"{self.rng.randint(1, 20)}{self.rng.choice('AB')}")), "ROOM")]

    def s_city(self):
        return [(self.rec.address.city, "LOCATION", "city")]

    def s_other_city(self):
        return [(self.rng.choice(self.w.home_zips)[1], "LOCATION", "city")]

    def s_county(self):
        return [(self.rec.address.county, "LOCATION", "county")]

    def s_state(self):
        st = self.rec.address.state
        if self.rng.random() < 0.3:
            return [D(self.w.state_names.get(st, st), "STATE")]
        return [D(st, "STATE")]

    def s_city_state(self):
        if self.rng.random() < 0.5:
            return [*self.s_city(), T(", "), *self.s_state()]
        return self.s_city()

    def s_country(self):
        return [D(self.rng.choice(self.w.countries)[0], "COUNTRY")]

    def s_foreign_city(self):
        country, capital = self.rng.choice(self.w.countries)
        if self.rng.random() < 0.6:
            return [(capital, "LOCATION", "foreign_city"), T(", "), D(country, "COUNTRY")]
        return [(capital, "LOCATION", "foreign_city")]

    def s_street(self):
        a = self.rec.address
        if a.unit and self.rng.random() < 0.6:
            return [(f"{a.street}{self.rng.choice((', ', ' '))}{a.unit}", "ADDRESS", "street_unit")]
        return [(a.street, "ADDRESS", "street")]

    def s_unit(self):
        return [(self.rec.address.unit or self.w.unit(self.rng), "ADDRESS", "unit")]

    def s_pobox(self):
        return [(self.rec.address.po_box or f"P.O. Box {self.rng.randint(1, 9999)}", "ADDRESS", "po_box")]

    def s_zip(self):
        return [(self.rec.address.zip, "ZIP", "zip4" if "-" in self.rec.address.zip else "zip5")]

    def s_addr(self):
        """A full address line: ADDRESS for the street, LOCATION for the city, ZIP for the
        zip; the state is not PHI and is a decoy."""
        a = self.rec.address
        rng = self.rng
        street = a.po_box if a.po_box and rng.random() < 0.7 else None
        pieces = [(street, "ADDRESS", "po_box")] if street else self.s_street()
        sep1 = rng.choice((", ", "\n", " ", ", "))
        st = a.state if rng.random() < 0.85 else self.w.state_names.get(a.state, a.state)
        return [*pieces, T(sep1), (a.city, "LOCATION", "city"),
                T(rng.choice((", ", " ", ", "))), D(st, "STATE"),
                T(rng.choice((" ", "  ", " "))), *self.s_zip()]

    # -- identifiers ---------------------------------------------------------------------
    def s_mrn(self, label=None):
        rng = self.rng
        form = self.pick(((5, "full"), (3, "stripped"), (2, "dashed")))
        label = label or rng.choice(("MRN: ", "MRN ", "MRN# ", "MRN#", "Med Rec #", "Med Rec # ",
                                     "MR# ", "MR#", "MR # ", "Unit No: ", "medical record # ",
                                     "mrn "))
        return [T(label), (ids.format_mrn(self.rec.mrn, form), "MRN", form)]

    def s_mrn_bare(self):
        form = "full" if self.rng.random() < 0.7 else "stripped"
        return [(ids.format_mrn(self.rec.mrn, form), "MRN", "bare_" + form)]

    def s_ssn(self):
        rng = self.rng
        s = self.rec.ssn
        invalid = s[:3] in ("000", "666") or s[0] == "9" or s[3:5] == "00" or s in (
            "123456789", "111111111", "078051120")
        label = rng.choice(("SSN: ", "SSN ", "SS# ", "SS #", "social security # ", "Soc Sec # ",
                            "ssn "))
        if rng.random() < 0.2:
            return [T(label + rng.choice(("xxx-xx-", "XXX-XX-", "***-**-", "ending in "))),
                    (s[5:], "SSN", "last4")]
        form = self.pick(((6, "dash"), (2, "space"), (2, "plain")))
        return [T(label), (ids.format_ssn(s, form), "SSN", form + (".invalid" if invalid else ""))]

    def _phone_of(self, whose):
        if whose == "rel":
            return self._contact().phone
        if whose == "clinic":
            return self.w.main_phone
        if whose == "facility":
            return ids.phone_number(self.rng, self.ex.area_codes)
        if whose == "cell":
            return self.ex.cell_phone
        return self.rec.phone if self.rng.random() < 0.7 else self.ex.cell_phone

    _PHONE_WEIGHTS = ((20, "dash"), (14, "paren"), (5, "paren_tight"), (6, "dot"), (3, "space"),
                      (4, "plain"), (6, "local"), (2, "intl"), (3, "one_dash"), (4, "ext"),
                      (2, "slash"))

    def s_phone(self, whose=None):
        form = self.pick(self._PHONE_WEIGHTS)
        if form == "local" and whose == "clinic":
            form = "dash"
        text = ids.format_phone(self._phone_of(whose), form, self.rng)
        return [(text, "PHONE", form)]

    def s_phone_lbl(self, whose=None):
        label = self.rng.choice(("", "#", "tel ", "ph ", "phone ", "cell ", "home ", "c: ",
                                 "h: ", "tel: ", "# "))
        return [T(label), *self.s_phone(whose)]

    def s_fax(self):
        form = self.pick(((5, "dash"), (4, "paren"), (2, "dot"), (1, "plain")))
        number = self.w.fax if self.rng.random() < 0.6 else ids.phone_number(self.rng, self.ex.area_codes)
        label = self.rng.choice(("fax ", "Fax: ", "FAX# ", "fax # ", "F: ", "fax to "))
        return [T(label), (ids.format_phone(number, form, self.rng), "FAX", form)]

    def s_pager(self, which=None):
        s = self._staff(which)
        label = self.rng.choice(("pager ", "pgr ", "p", "beeper ", "pager #", "pg "))
        return [T(label), (s.pager, "PHONE", "pager")]

    def s_email(self, whose=None):
        if whose == "clin":
            email = self._staff(None).email
        elif whose == "rel":
            c = self._contact()
            email = (f"{c.first_name}{c.last_name[:1]}{self.rng.randint(1, 99)}".lower()
                     + "@" + self.rng.choice(self.w.email_domains)).replace("'", "")
        else:
            email = self.rec.email or f"{self.rec.first_name.lower()}{self.rng.randint(10, 99)}@{self.rng.choice(self.w.email_domains)}"
        return [(email, "EMAIL", whose or "patient")]

    def s_plan(self):
        rng = self.rng
        name = self.ex.plan_name
        if name == "Medicare":
            label = rng.choice(("Medicare # ", "Medicare ID ", "MBI ", "Medicare number "))
        elif name in ("Medicaid", "MassHealth", "Medi-Cal"):
            label = f"{name} " + rng.choice(("ID ", "# ", "member ID "))
        else:
            label = f"{name} " + rng.choice(("member ID ", "member ID: ", "policy # ", "ID# ",
                                             "subscriber ID ", "policy number "))
        return [T(label), (self.rec.health_plan_id, "HEALTH_PLAN_ID", "member_id")]

    def s_acct(self):
        rng = self.rng
        if rng.random() < 0.2:
            return [T(rng.choice(("visa ending in ", "card ending ", "credit card x"))),
                    (ids.digits(rng, 4), "ACCOUNT", "card_last4")]
        label = rng.choice(("acct # ", "acct# ", "Account No: ", "account # ", "billing acct ",
                            "HAR # ", "Acct: "))
        return [T(label), (ids.account_number(rng), "ACCOUNT", "account")]

    def s_dea(self, which=None):
        s = self._staff(which if which else None)
        return [T(self.rng.choice(("DEA #", "DEA # ", "DEA ", "DEA: "))), (s.dea, "LICENSE", "dea")]

    def s_npi(self, which=None):
        s = self._staff(which if which else None)
        return [T(self.rng.choice(("NPI ", "NPI: ", "NPI# "))), (s.npi, "LICENSE", "npi")]

    def s_lic(self):
        rng = self.rng
        r = rng.random()
        if r < 0.4:
            return [T(rng.choice(("lic # ", "license # ", "Lic: "))),
                    (self.author.license, "LICENSE", "state_license")]
        if r < 0.7:
            return [D(self.rec.address.state, "STATE"), T(rng.choice((" RN lic ", " license # "))),
                    (ids.state_license(rng), "LICENSE", "state_license")]
        return [T(rng.choice(("driver's license ", "DL# ", "drivers lic "))),
                (ids.letters(rng, 1) + ids.digits(rng, 8), "LICENSE", "drivers_license")]

    def s_vin(self):
        return [T(self.rng.choice(("VIN ", "VIN: ", "VIN# "))), (ids.vin(self.rng), "VEHICLE_ID", "vin")]

    def s_plate(self):
        rng = self.rng
        if rng.random() < 0.4:
            return [D(self.rec.address.state, "STATE"), T(" plate "), (ids.plate(rng), "VEHICLE_ID", "plate")]
        return [T(rng.choice(("plate ", "license plate ", "plate # ", "reg "))),
                (ids.plate(rng), "VEHICLE_ID", "plate")]

    def s_device(self):
        rng = self.rng
        kind = rng.choice(("pacemaker", "PPM", "ICD", "AICD", "insulin pump", "LVAD",
                           "neurostimulator", "CPAP machine"))
        label = rng.choice((" serial # ", " serial ", " SN: ", " S/N ", " model/serial "))
        return [T(kind + label), (ids.device_serial(rng), "DEVICE_ID", "serial")]

    def s_url(self):
        rng = self.rng
        r = self.rec
        slug = f"{r.first_name}{r.last_name}".lower().replace("'", "").replace("-", "")
        choices = (f"www.caringbridge.org/visit/{slug}",
                   f"https://portal.{self.w.domain}/patient/{ids.digits(rng, 7)}",
                   f"mychart.{self.w.domain}",
                   f"facebook.com/{r.first_name.lower()}.{r.last_name.lower().replace(chr(39), '')}.{rng.randint(1, 99)}",
                   f"http://www.gofundme.com/{slug}-{rng.choice(('recovery', 'medical', 'fund'))}",
                   f"www.{slug}.com")
        return [(rng.choice(choices), "URL", "url")]

    def s_ip(self):
        if self.rng.random() < 0.15:
            return [(ids.ipv6(self.rng), "IP_ADDRESS", "ipv6")]
        return [(ids.ipv4(self.rng), "IP_ADDRESS", "ipv4")]

    def s_idcode(self, kind=None):
        rng = self.rng
        kind = kind or rng.choice(("accession", "specimen", "study", "case", "order"))
        y = self.day.year % 100
        if kind == "accession":
            return [T(rng.choice(("Accession # ", "Acc# ", "accession "))),
                    (rng.choice(("RAD", "CT", "MR", "")) + ids.digits(rng, 7), "ID", "accession")]
        if kind == "specimen":
            return [T(rng.choice(("specimen # ", "Specimen: ", "path # "))),
                    (f"{rng.choice('SHC')}{y:02d}-{ids.digits(rng, 5)}", "ID", "specimen")]
        if kind == "study":
            return [T(rng.choice(("study ID ", "research ID ", "protocol subject # "))),
                    (f"{ids.letters(rng, 3)}-{ids.digits(rng, 4)}", "ID", "study")]
        if kind == "case":
            return [T(rng.choice(("case # ", "DPH case # ", "police report # "))),
                    (f"{self.day.year}-{ids.digits(rng, 5)}", "ID", "case")]
        if kind == "clip":
            return [T("Clip # "), (ids.digits(rng, 7), "ID", "clip")]
        return [T(rng.choice(("order # ", "req # ", "Order ID: "))), (ids.digits(rng, 8), "ID", "order")]

    # -- decoys --------------------------------------------------------------------------
    def s_eponym(self, group=None):
        if self.rng.random() < 0.4:
            pool = CORE_EPONYMS[group] if group else _CORE_ALL
        else:
            pool = EPONYMS[group] if group else _EPONYM_ALL
        return [D(self.rng.choice(pool), "EPONYM")]

    def _lab_value(self, spec) -> str:
        name, lo, hi, dec = spec
        v = self.rng.uniform(lo, hi)
        return f"{v:.{dec}f}" if dec else str(int(v))

    def s_lab(self, which=None):
        rng = self.rng
        if which == "abg":
            text = (f"{rng.uniform(7.08, 7.52):.2f}/{rng.randint(24, 78)}/{rng.randint(52, 410)}"
                    + (f"/{rng.randint(14, 34)}" if rng.random() < 0.5 else ""))
            return [D(text, "LAB")]
        if which == "bun_cr":
            text = f"BUN/Cr {rng.randint(6, 90)}/{rng.uniform(0.5, 4.8):.1f}"
            return [D(text, "LAB")]
        if which == "chem":
            vals = [self._lab_value(_LAB_BY_NAME[k]) for k in ("na", "k", "cl", "hco3", "bun", "cr", "glu")]
            return [D("/".join(vals), "LAB")]
        spec = _LAB_BY_NAME.get(which.lower()) if which else rng.choice(_LABS)
        name = spec[0]
        sep = rng.choice((" ", " ", "=", " ", "-", ": "))
        if name == "K" and rng.random() < 0.3:
            name = "K+"
        return [D(f"{name}{sep}{self._lab_value(spec)}", "LAB")]

    def s_labs(self):
        out = []
        for i, spec in enumerate(self.rng.sample(_LABS, self.rng.randint(2, 5))):
            if i:
                out.append(T(self.rng.choice((", ", " ", "; "))))
            out.extend(self.s_lab(spec[0]))
        return out

    def s_vital(self, which=None):
        rng = self.rng
        which = which or rng.choice(("bp", "hr", "rr", "temp", "sat"))
        if which == "bp":
            t = f"{rng.choice(('BP ', 'BP ', 'B/P ', 'bp '))}{rng.randint(78, 188)}/{rng.randint(38, 108)}"
        elif which == "hr":
            t = f"HR {rng.randint(48, 148)}"
        elif which == "rr":
            t = f"RR {rng.randint(10, 34)}"
        elif which == "temp":
            t = rng.choice((f"{rng.uniform(96.4, 103.2):.1f}", f"{rng.uniform(35.8, 39.6):.1f}C"))
        else:
            t = f"{rng.randint(86, 100)}%"
        return [D(t, "VITAL")]

    def s_vitals(self):
        rng = self.rng
        parts = [f"T {rng.uniform(96.4, 102.8):.1f}", f"HR {rng.randint(52, 140)}",
                 f"BP {rng.randint(82, 180)}/{rng.randint(40, 100)}", f"RR {rng.randint(12, 32)}",
                 f"SpO2 {rng.randint(88, 100)}% {rng.choice(('RA', 'on 2L', '4L NC', 'FM', 'vent'))}"]
        out = []
        sep = rng.choice((" ", ", ", "  ", " | "))
        for i, p in enumerate(parts):
            if i:
                out.append(T(sep))
            out.append(D(p, "VITAL"))
        return out

    def s_dose(self, which=None):
        rng = self.rng
        if which == "ivf":
            fluid = rng.choice(("NS", "1/2 NS", "D5 1/2 NS", "D5W", "LR", "D5NS"))
            kind = "FRACTION" if "1/2" in fluid else "DOSE"
            return [D(fluid, kind), T(rng.choice((" @ ", " at "))),
                    D(f"{rng.choice((50, 75, 100, 125, 150))}{rng.choice(('cc/hr', ' cc/hr', 'ml/hr'))}", "DOSE")]
        return [D(rng.choice((
            "20 mEq KCL", "40 meq KCl", "2 units PRBC", "1 unit FFP", "lasix 40mg IV",
            "lasix 20 mg IV", "propofol 30 mcg/kg/min", "insulin gtt 4 u/hr", "2 gm mag sulfate",
            "vanco 1gm q12h", "heparin 1000 u/hr", "tylenol 650mg PO q6h prn",
            "levophed 0.08 mcg/kg/min", "dilaudid 0.5mg IV x1", "haldol 2mg IV",
            "ativan 1 mg IV", "metoprolol 5 mg IV", "1 amp D50", "2 amps bicarb",
            "fentanyl 50 mcg/hr", "morphine 2mg IV", "zosyn 4.5 gm IV q8h")), "DOSE")]

    def s_score(self, which=None):
        rng = self.rng
        which = which or rng.choice(("gcs", "pain", "rass", "strength"))
        if which == "gcs":
            t = rng.choice((f"GCS {rng.randint(3, 15)}/15", f"GCS {rng.randint(3, 15)}",
                            f"GCS {rng.randint(6, 11)} (E{rng.randint(1, 4)}V{rng.randint(1, 5)}M{rng.randint(1, 6)})"))
        elif which == "pain":
            t = f"{rng.randint(0, 10)}/10"
        elif which == "rass":
            v = rng.randint(-4, 2)
            t = f"RASS {v:+d}" if v else "RASS 0"
        elif which == "braden":
            t = f"Braden {rng.randint(9, 22)}"
        else:
            t = f"{rng.randint(2, 5)}/5 strength"
        return [D(t, "SCORE")]

    def s_ratio(self):
        rng = self.rng
        return [D(rng.choice(("I:E 1:2", "I:E 1:3", "1:1 sitter", "epi 1:1000", "2:1 block",
                              f"AC {rng.randint(12, 24)}x{rng.choice((400, 450, 500, 550))}/{rng.randint(5, 15)}/{rng.choice((40, 50, 60, 100))}%",
                              f"PSV {rng.randint(5, 15)}/{rng.randint(5, 10)}")), "RATIO")]

    def s_vent(self):
        rng = self.rng
        return [D(f"{rng.randint(12, 24)}x{rng.choice((400, 450, 500, 550))}/{rng.randint(5, 15)}/{rng.choice((40, 50, 60, 100))}%", "RATIO")]

    def s_measure(self):
        rng = self.rng
        return [D(rng.choice((f"wt {rng.uniform(42, 140):.1f} kg", f"{rng.randint(98, 310)} lbs",
                              f"ht {rng.randint(4, 6)}'{rng.randint(0, 11)}\"", f"{rng.randint(148, 195)} cm",
                              f"admit wt {rng.uniform(42, 140):.1f}kg")), "MEASURE")]

    # -- small helpers used by templates ---------------------------------------------------
    def s_He(self):
        return "She" if self.rec.sex == "F" else "He"

    def s_pcp_last(self):
        l = self.ex.pcp.last_name
        return [self._name(l, "clinician", "dr_last", l)]

    def s_res_last(self):
        l = self.rng.choice(self.w.mds).last_name
        return [self._name(l, "clinician", "dr_last", l)]

    def s_dr_upper_last(self):
        l = self._staff(None).last_name
        return [self._name(l.upper(), "clinician", "dr_upper", l)]

    def s_typist(self):
        f, l = self.rng.choice(self.w.typists)
        return [self._name(self._initials(f, l, True), "typist", "initials")]

    def s_initials_pair(self):
        s = self.author
        f, l = self.rng.choice(self.w.typists)
        return [self._name(self._initials(s.first_name, s.last_name, False), "signature", "initials_typist"),
                T("/"), self._name(self._initials(f, l, True), "typist", "initials")]

    def s_sig_block(self):
        s = self.author
        if self.rng.random() < 0.5:
            return [self._name(f"{s.first_name[0]}. {s.last_name}", "signature", "initial_last_cred",
                               s.last_name), T(f", {s.credential}")]
        return [self._name(f"{s.first_name} {s.last_name}", "signature", "full_cred",
                           s.first_name, s.last_name), T(f", {s.credential}")]

    def s_rel_name_lower(self):
        c = self._contact()
        return [self._name(c.first_name.lower(), "relative", "first_lower", c.first_name)]

    def s_month_dth_future(self):
        form = self.rng.choice(("month_dth", "month_d", "mon_dth", "dth_of_month"))
        return [self._date(self._near(7, 60), form)]

    def s_outside_mrn(self):
        return [(ids.mrn(self.rng), "MRN", "outside")]

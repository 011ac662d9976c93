""":func:`classify_columns`: suggest a policy from column names, dtypes and sampled values.

Each column gets a role (see :data:`deid.tabular.ROLES`) and the preset's action for it.
Evidence, strongest first: the column's name (``dob``, ``zip_code``, ``patient_name``); its
dtype (datetimes are dates, booleans attributes); a sample of its values run through the
text engine (the share of cells that are mostly one PHI type). The report says why for every
column, with shares and counts only: it never quotes a value.
"""

from __future__ import annotations

import functools
import re
from collections import Counter

import numpy as np
import pandas as pd

from deid.tabular._policy import Policy

# (role, alternatives) matched on whole underscore-separated tokens of the normalized name.
# The match that ends last wins (the head noun comes last: "note_date" is a date, "note_id"
# an id), then the longer one, then the earlier rule ("patient_id" is an MRN, not an id).
_NAME_RULES: tuple[tuple[str, str], ...] = (
    ("ssn", r"ssn|ssns|social_security(_n(umber|o|br))?|soc_sec(_no)?"),
    ("email", r"e_?mail|email_address|e_mail_address|email_addr"),
    ("ip_address", r"ip|ip_addr(ess)?|ipv4|ipv6|ip_v4|ip_v6"),
    ("url", r"url|uri|website|web_?site|homepage|web_page"),
    ("fax", r"fax(_n(umber|o|br))?"),
    ("phone", r"phone|telephone|tel|mobile|cell|cell_phone|pager|contact_n(umber|o)|phone_n(umber|o)"),
    ("birth_date", r"dob|birth|birthdate|birthday|date_of_birth|birth_date|birth_dt|bday|b_day"),
    ("zip", r"zip|zipcode|zip_code|postal|postal_code|postcode|post_code|zip5|zip9"),
    ("health_plan_id", r"health_plan(_id|_n(umber|o))?|insurance_(id|n(umber|o))|member_(id|n(umber|o))|"
                       r"policy_(id|n(umber|o))|beneficiary(_id)?|subscriber(_id)?|medicaid(_id)?|"
                       r"medicare(_id)?|hicn|mbi|payer_id"),
    ("account", r"account|acct|account_n(umber|o)|acct_n(umber|o)|iban|card_n(umber|o)|credit_card|"
                r"bank_account|billing_id"),
    ("license", r"licen[cs]e|licen[cs]e_n(umber|o)|npi|dea|dea_n(umber|o)|certificate|"
                r"drivers?_licen[cs]e"),
    ("vehicle_id", r"vin|vehicle(_id)?|license_plate|licence_plate|plate"),
    ("device_id", r"device_id|serial|serial_n(umber|o)|udi|imei|mac_address|implant_id"),
    ("mrn", r"mrn|mrns|medical_record|medical_record_n(umber|o)|med_rec(_n(umber|o))?|patient_id|pat_id|"
            r"patient_n(umber|o)|subject_id|person_id|pid|empi|chart_n(umber|o)|hospital_n(umber|o)"),
    ("location", r"city|town|county|municipality|neighbou?rhood|borough|village|facility|hospital|"
                 r"clinic|birth_?place|place_of_birth"),
    ("address", r"address|addr|street|street_address|address_line(_\d)?|address\d|apt|apartment|"
                r"po_box|residence"),
    ("attribute", r"state|province|country|nation|sex|gender|race|ethnicity|religion|language|"
                  r"marital(_status)?"),
    ("age", r"age|ages|age_years|age_yrs|age_at_\w+|years_old|yrs_old"),
    ("date", r"date|dates|dt|dts|datetime|timestamp|ts|time|admit|admission|admitted|discharge|"
             r"discharged|visit|dod|death|deceased|died|expired|surgery|dos|created|\w+_at|\w+_on"),
    ("text", r"notes?|text|comments?|narratives?|free_?text|remarks?|impressions?|findings|summary|"
             r"hpi|history_of_present_illness|description|observations?|report"),
    # names of people, but not of drugs, tests, units, files, products
    ("name", r"(first|given|last|sur|family|middle|full|maiden|nick|patient|pt|provider|physician|"
             r"doctor|attending|nurse|contact|relative|guardian|emergency_contact|mother|father|"
             r"spouse|author|signed_by|referring|pcp)_?name|name|names|fname|lname|surname|forename|"
             r"initials|provider|physician|attending|pcp|author|signer|signed_by|guardian|"
             r"next_of_kin|nok"),
    ("id", r"id|ids|uuid|guid|identifier|key|accession|accession_n(umber|o)|encounter|"
           r"\w+_id|\w+_uuid|\w+_key|\w+_n(umber|o|br)|\w+_num"),
)
# a name-like column whose name says it names a thing, not a person
_NOT_PERSON = re.compile(
    r"_(drug|med|meds|medication|test|lab|procedure|proc|diagnosis|dx|product|file|item|unit|"
    r"component|specimen|organism|insurance|insurer|payer|plan|department|dept|service|ward|"
    r"brand|generic|vaccine|device|code|display|category|type|class|column|field|table|"
    r"facility|hospital|clinic|site|organization|org|company|employer)_"
)
_COMPILED = tuple((role, re.compile(p)) for role, p in _NAME_RULES)
_ROLE_OF_ENTITY = {
    "NAME": "name", "DATE": "date", "AGE": "age", "ADDRESS": "address", "LOCATION": "location",
    "ZIP": "zip", "PHONE": "phone", "FAX": "fax", "EMAIL": "email", "SSN": "ssn", "MRN": "mrn",
    "HEALTH_PLAN_ID": "health_plan_id", "ACCOUNT": "account", "LICENSE": "license",
    "VEHICLE_ID": "vehicle_id", "DEVICE_ID": "device_id", "URL": "url",
    "IP_ADDRESS": "ip_address", "ID": "id",
}
# roles whose values are dates or numbers, not names or codes: dtype decides more than text
_DATE_ROLES = ("birth_date", "date")
# A share of sampled cells that are mostly one PHI type; above it the values decide the role.
_DOMINANT = 0.3
# Findings in at least this share of cells of a short-text attribute: scrub it as free text.
_SOME_PHI = 0.02
# Free text: long values or many words.
_LONG_CHARS = 60
_LONG_WORDS = 8


def normalize_column_name(name: str) -> str:
    """``"PatientDOB"`` -> ``"patient_dob"``, ``"Zip Code"`` -> ``"zip_code"``."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", str(name))
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")


@functools.lru_cache(maxsize=4096)  # called per column of every scrubbed chunk
def role_from_name(name: str) -> tuple[str | None, str]:
    """The role a column name suggests and the word that matched ('' when none)."""
    norm = normalize_column_name(name)
    tokens = norm.split("_") if norm else []
    not_person = _NOT_PERSON.search(f"_{norm}_") is not None
    best = None  # (end token, span length, -rule index, role, words)
    for end in range(len(tokens), 0, -1):
        for start in range(end):
            words = "_".join(tokens[start:end])
            for index, (role, pattern) in enumerate(_COMPILED):
                if role == "name" and not_person:
                    continue
                if pattern.fullmatch(words):
                    cand = (end, end - start, -index, role, words)
                    if best is None or cand[:3] > best[:3]:
                        best = cand
        if best is not None:
            break  # nothing ending later can exist
    if best is None:
        return None, ""
    return best[3], best[4]


def _sample(series: pd.Series, n: int, rng: np.random.Generator) -> pd.Series:
    values = series.dropna()
    if len(values) > n:
        positions = np.sort(rng.choice(len(values), size=n, replace=False))
        values = values.iloc[positions]
    return values


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


class _Evidence:
    __slots__ = ("n", "dominant", "dominant_share", "any_share", "shares", "long", "distinct_share",
                 "date_share", "mean_chars")

    def __init__(self):
        self.n = 0
        self.dominant = None
        self.dominant_share = 0.0
        self.any_share = 0.0
        self.shares: dict[str, float] = {}
        self.long = False
        self.distinct_share = 0.0
        self.date_share = 0.0
        self.mean_chars = 0.0


def _text_evidence(values: pd.Series, scrubber, long_sample: int) -> _Evidence:
    from deid.tabular._apply import text_dates

    ev = _Evidence()
    texts = values.astype(str)
    if not len(texts):
        return ev
    lengths = texts.str.len().to_numpy()
    words = texts.str.split().str.len().to_numpy()
    ev.mean_chars = float(lengths.mean())
    ev.long = bool(ev.mean_chars >= _LONG_CHARS or np.median(words) >= _LONG_WORDS)
    if ev.long and len(texts) > long_sample:
        texts = texts.iloc[:long_sample]  # long notes are costly to scan; a smaller sample
    ev.n = len(texts)
    ev.distinct_share = texts.nunique() / ev.n
    codes, uniques = pd.factorize(texts)
    counts = np.bincount(codes, minlength=len(uniques))
    uniques = uniques.tolist()
    parsed = text_dates(uniques, False)
    ev.date_share = float(counts[~np.isnat(parsed)].sum() / ev.n)
    covering: Counter = Counter()
    anywhere: Counter = Counter()
    any_cells = 0
    for text, count, findings in zip(uniques, counts, scrubber.detect_many(uniques)):
        if not findings:
            continue
        any_cells += count
        solid = sum(1 for c in text if not c.isspace()) or 1
        by_type: Counter = Counter()
        for f in findings:
            by_type[f.entity_type] += sum(1 for c in text[f.start:f.end] if not c.isspace())
        for entity, chars in by_type.items():
            anywhere[entity] += count
            if chars / solid >= 0.5:
                covering[entity] += count
    ev.any_share = any_cells / ev.n
    ev.shares = {e: c / ev.n for e, c in anywhere.most_common()}
    if covering:
        entity, count = covering.most_common(1)[0]
        ev.dominant, ev.dominant_share = entity, count / ev.n
    return ev


def _findings_text(ev: _Evidence) -> str:
    if not ev.shares:
        return ""
    return ", ".join(f"{e} {_pct(s)}" for e, s in list(ev.shares.items())[:4])


def _classify_one(name: str, series: pd.Series, sample_rows: int, rng, scrubber) -> dict:
    role_by_name, word = role_from_name(name)
    dtype = series.dtype
    n_rows = len(series)
    n_missing = int(series.isna().sum())
    row = {"column": name, "dtype": str(dtype), "role": None, "evidence": "", "reason": "",
           "sampled": 0, "findings": ""}
    named = f"the column name matches {word!r} ({role_by_name})" if role_by_name else ""
    if n_rows == n_missing:
        role = role_by_name or "attribute"
        row.update(role=role, evidence="name" if role_by_name else "none",
                   reason=(named + "; " if named else "") + "every value is missing")
        return row
    is_datetime = pd.api.types.is_datetime64_any_dtype(dtype) or (
        dtype == object and pd.api.types.infer_dtype(series.iloc[:1000], skipna=True) in ("date", "datetime")
    )
    if is_datetime:
        role = "birth_date" if role_by_name == "birth_date" else "date"
        row.update(role=role, evidence="name+dtype" if role_by_name in _DATE_ROLES else "dtype",
                   reason=(named + "; " if role_by_name else "") + f"the column holds dates ({dtype})")
        return row
    if pd.api.types.is_bool_dtype(dtype):
        row.update(role=role_by_name if role_by_name == "attribute" else "attribute", evidence="dtype",
                   reason="the column holds true/false values" + (f" (its name matches {word!r}, ignored)"
                                                                  if role_by_name not in (None, "attribute") else ""))
        return row
    if pd.api.types.is_numeric_dtype(dtype):
        values = series.dropna()
        distinct = values.nunique() / max(len(values), 1)
        if role_by_name in (None, "text"):
            if role_by_name == "text":
                named = ""
            row.update(role="attribute", evidence="dtype",
                       reason="numbers, and the column name suggests no identifier")
            return row
        if role_by_name in _DATE_ROLES:
            whole = values.to_numpy(dtype="float64")
            looks_like_years = bool(np.all((whole == np.floor(whole)) & (whole >= 1000) & (whole <= 2999)))
            row.update(role=role_by_name, evidence="name+dtype" if looks_like_years else "name",
                       reason=named + ("; the numbers are years" if looks_like_years else
                                       "; the numbers are not years (check the action)"))
            return row
        row.update(role=role_by_name, evidence="name",
                   reason=f"{named}; numbers, {_pct(distinct)} of them distinct")
        return row
    # text (or mixed objects)
    sample = _sample(series, sample_rows, rng)
    ev = _text_evidence(sample, scrubber, long_sample=min(sample_rows, 200))
    row["sampled"] = ev.n
    row["findings"] = _findings_text(ev)
    facts = []
    if ev.dominant:
        facts.append(f"{_pct(ev.dominant_share)} of {ev.n} sampled cells are mostly {ev.dominant}")
    elif ev.any_share:
        facts.append(f"{_pct(ev.any_share)} of {ev.n} sampled cells hold PHI findings")
    else:
        facts.append(f"no PHI found in {ev.n} sampled cells")
    if ev.long:
        facts.append(f"long text (mean {ev.mean_chars:.0f} characters)")
    values_say = ", ".join(facts)
    if role_by_name is not None and role_by_name != "attribute":
        agrees = ev.dominant is not None and _ROLE_OF_ENTITY.get(ev.dominant) == role_by_name
        if role_by_name in _DATE_ROLES and ev.date_share >= 0.5:
            agrees = True
        if role_by_name == "text" and (ev.long or ev.any_share):
            agrees = True
        if role_by_name != "text" and ev.long and ev.any_share >= _SOME_PHI:
            # a "comments"-like column under a structured name: scrub it as text
            row.update(role="text", evidence="values",
                       reason=f"{named}, but the values are {values_say}: scrubbed as free text")
            return row
        row.update(role=role_by_name, evidence="name+values" if agrees else "name",
                   reason=f"{named}; {values_say}")
        return row
    if ev.long:
        row.update(role="text", evidence="values", reason=values_say)
        return row
    if ev.dominant is not None and ev.dominant_share >= _DOMINANT:
        role = _ROLE_OF_ENTITY[ev.dominant]
        row.update(role=role, evidence="values", reason=values_say)
        return row
    if ev.date_share >= 0.9:
        row.update(role="date", evidence="values",
                   reason=f"{_pct(ev.date_share)} of {ev.n} sampled cells are dates")
        return row
    if ev.any_share >= _SOME_PHI:
        row.update(role="text", evidence="values",
                   reason=f"{values_say}: scrubbed as free text" + (f" ({named})" if named else ""))
        return row
    single_token = bool(sample.astype(str).str.fullmatch(r"\S+").mean() >= 0.95)
    if ev.n >= 20 and ev.distinct_share >= 0.9 and single_token and role_by_name is None:
        row.update(role="id", evidence="values",
                   reason=f"{_pct(ev.distinct_share)} of {ev.n} sampled cells are distinct single "
                          f"tokens (an identifier?); {values_say}")
        return row
    row.update(role="attribute", evidence="name+values" if role_by_name else "values",
               reason=(f"{named}; " if named else "") + values_say)
    return row


def classify_columns(df: pd.DataFrame, sample_rows: int = 1000, *, preset: Policy | None = None,
                     scrubber=None, random_state: int = 0) -> Policy:
    """Suggest a policy for ``df``: a role and an action for every column, and why.

    Parameters
    ----------
    df : pandas.DataFrame
    sample_rows : int
        Non-missing cells per text column run through the text engine (fewer for long text).
    preset : Policy, optional
        Maps roles to actions (default :meth:`Policy.safe_harbor`); its other settings
        (default, patient column, text operators) carry over.
    scrubber : deid.Scrubber, optional
        The text engine to detect PHI with (default: rules and lexicons).
    random_state : int
        Seed of the sample, so a suggestion is reproducible.

    Returns
    -------
    Policy
        Every column named, usable by :func:`scrub_frame` as it is; ``policy.report`` is a
        DataFrame with one row per column: ``column, dtype, role, action, evidence``
        (``name``, ``dtype``, ``values`` or a combination), ``reason``, ``sampled`` (cells
        scanned) and ``findings`` (share of sampled cells per PHI type). The report holds
        shares and counts, never a value. Review it: a suggestion is not a guarantee.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"PatientDOB": pd.to_datetime(["1950-03-02"]), "zip_code": ["02139"]})
    >>> p = classify_columns(df)
    >>> p.report[["column", "role", "action"]].values.tolist()
    [['PatientDOB', 'birth_date', 'generalize(method=year, max_age=89)'], ['zip_code', 'zip', 'generalize(method=zip3)']]
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"classify_columns needs a pandas DataFrame, not {type(df).__name__}")
    if not isinstance(sample_rows, int) or isinstance(sample_rows, bool) or sample_rows < 1:
        raise ValueError(f"sample_rows must be a positive integer, got {sample_rows!r}")
    bad_names = [c for c in df.columns if not isinstance(c, str)]
    if bad_names:
        raise ValueError("column names must be text")
    if df.columns.has_duplicates:
        raise ValueError("column names must be distinct")
    preset = Policy.safe_harbor() if preset is None else preset
    if not isinstance(preset, Policy):
        raise TypeError(f"preset must be a Policy, not {type(preset).__name__}")
    missing_roles = sorted((set(_ROLE_OF_ENTITY.values()) | {"text", "attribute", "birth_date"})
                           - set(preset.roles))
    if missing_roles:
        raise ValueError(f"the preset has no action for role(s) {', '.join(missing_roles)}")
    if scrubber is None:
        from deid.text import Scrubber

        scrubber = Scrubber()
    rng = np.random.default_rng(random_state)
    rows = [_classify_one(c, df[c], sample_rows, rng, scrubber) for c in df.columns]
    policy = preset.with_columns({r["column"]: r["role"] for r in rows})
    for r in rows:
        r["action"] = str(policy.columns[r["column"]])
    policy.report = pd.DataFrame(
        rows, columns=["column", "dtype", "role", "action", "evidence", "reason", "sampled", "findings"]
    )
    return policy

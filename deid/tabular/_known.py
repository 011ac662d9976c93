"""A record's own identifiers as known values for its patient's free text.

The text engine finds PHI by patterns, lexicons and context; a name it has never seen, in a
sentence without context, can slip through. A table knows better: the row says this
patient is called "Tharp" and lives at "853 Birch Hill Ave". Every identifier value of a
patient's rows is searched for in that patient's free text, as a whole word, and where the
text engine found nothing there, it is replaced like a finding of its type.

Names are matched token by token ("Zachariah Tharp" -> "Zachariah", "Tharp"). A token that
is also an English word ("Will", "Brown", "Rose") is matched only where it is capitalized,
so the verb "will" stays; a two-letter token ("Li") only as written. Other values (MRNs,
phones, streets, cities, ZIP codes) are matched whole, case-insensitively, with any run of
spaces between their words.
"""

from __future__ import annotations

import functools
import re
from typing import Iterable

import numpy as np
import pandas as pd

from deid.tabular._actions import Action

# role -> the entity type its values take in free text
_ROLE_ENTITY = {
    "name": "NAME", "address": "ADDRESS", "location": "LOCATION", "zip": "ZIP", "phone": "PHONE",
    "fax": "FAX", "email": "EMAIL", "ssn": "SSN", "url": "URL", "ip_address": "IP_ADDRESS", "mrn": "MRN",
    "health_plan_id": "HEALTH_PLAN_ID", "account": "ACCOUNT", "license": "LICENSE",
    "vehicle_id": "VEHICLE_ID", "device_id": "DEVICE_ID", "id": "ID",
}
_NAME_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_MIN_LENGTH = 4  # a whole value shorter than this (a 3-digit code) is not searched for


@functools.lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    """Lower-case entries of Webster's Second (the ``english-words`` package): ordinary words."""
    try:
        from english_words import get_english_words_set
    except ImportError:  # pragma: no cover - a declared dependency
        return frozenset()
    return frozenset(w for w in get_english_words_set(["web2"], lower=False, alpha=True) if w.islower())


def column_entity(column: str, action: Action, role: str | None, kind_entity: dict) -> str | None:
    """The entity type a column's values take in free text, or None when the column holds
    no identifier (kept columns, dates, ages, attributes, free text)."""
    if action.name in ("keep", "free_text", "date_shift") or role in ("text", "attribute", "date",
                                                                       "birth_date", "age"):
        return None
    if role in _ROLE_ENTITY:
        return _ROLE_ENTITY[role]
    if action.name == "surrogate":
        return kind_entity.get(action.params["kind"], "ID")
    if action.name == "pseudonym":
        return "MRN"
    if action.name == "hash_id":
        return "ID"
    return None


class KnownValues:
    """Known identifier values per patient, and where they occur in a text."""

    def __init__(self):
        self._values: dict[object, dict[str, tuple[str, bool]]] = {}  # patient -> folded -> (entity, strict)
        self._patterns: dict[object, re.Pattern | None] = {}

    def __len__(self) -> int:
        return len(self._values)

    def add_column(self, patients: pd.Series, values: pd.Series, entity: str) -> None:
        """Add the (patient, value) pairs of one column."""
        frame = pd.DataFrame({"p": patients.to_numpy(dtype=object), "v": values.to_numpy(dtype=object)})
        frame = frame[values.notna().to_numpy()].drop_duplicates()
        words = _english_words() if entity == "NAME" else frozenset()
        for patient, value in frame.itertuples(index=False):
            text = value if isinstance(value, str) else (str(int(value)) if isinstance(value, float)
                                                         and value.is_integer() else str(value))
            known = self._values.setdefault(patient, {})
            if entity == "NAME":
                for token in _NAME_TOKEN.findall(text):
                    if len(token) < 2:
                        continue  # initials: too ambiguous to search for
                    strict = len(token) == 2 or token.casefold() in words
                    folded = token.casefold()
                    if folded not in known or not strict:
                        known[folded] = (entity, strict)
            else:
                text = " ".join(text.split())
                if len(text) >= _MIN_LENGTH and any(c.isalnum() for c in text):
                    known.setdefault(text.casefold(), (entity, False))

    def _pattern(self, patient) -> re.Pattern | None:
        if patient not in self._patterns:
            values = self._values.get(patient)
            if not values:
                self._patterns[patient] = None
            else:
                alternatives = sorted(values, key=len, reverse=True)
                body = "|".join(r"\s+".join(re.escape(part) for part in v.split(" ")) for v in alternatives)
                self._patterns[patient] = re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)
        return self._patterns[patient]

    def spans(self, text: str, patient) -> list[tuple[int, int, str]]:
        """(start, end, entity) of this patient's known values in ``text``."""
        pattern = self._pattern(patient)
        if pattern is None:
            return []
        values = self._values[patient]
        out = []
        for m in pattern.finditer(text):
            found = m.group(0)
            entity, strict = values.get(" ".join(found.split()).casefold(), (None, False))
            if entity is None:
                continue
            if strict and (found.islower() or (len(found) == 2 and not found[0].isupper())):
                continue  # "will" the verb, not Will the son
            out.append((m.start(), m.end(), entity))
        return out


def merge(findings: Iterable, extra: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The findings' spans plus the known-value spans that overlap none of them, in order."""
    spans = [(f.start, f.end, f.entity_type) for f in findings]
    if not extra:
        return spans
    starts = np.array([s for s, _, _ in spans], dtype=np.int64)
    ends = np.array([e for _, e, _ in spans], dtype=np.int64)
    for s, e, entity in extra:
        if not len(spans) or not np.any((starts < e) & (ends > s)):
            spans.append((s, e, entity))
    spans.sort()
    # two known values cannot overlap (one regex, left to right), but keep it safe
    out: list[tuple[int, int, str]] = []
    for span in spans:
        if out and span[0] < out[-1][1]:
            continue
        out.append(span)
    return out

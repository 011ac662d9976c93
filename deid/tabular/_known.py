"""A record's own identifiers as known identifiers for its patient's free text.

The text engine finds PHI by patterns, lexicons and context; a name it has never seen, in a
sentence without context, can slip through. A table knows better: the row says this patient
is called "Tharp" and was born on 1931-03-14. :func:`deid.tabular.scrub_frame` collects,
per patient, the values of every identifier column of all of the patient's rows (and of a
separate lookup table, when one is given) and hands them to the text engine as a
:class:`deid.text.KnownIdentifiers` for every free-text cell of that patient. The text
engine does the matching, in all its variants (any case, "Last, First", a surname alone,
digits with other separators, a date of birth in any format, abbreviated street types; see
``docs/text.md``); findings from known values carry ``recognizer="known"``.

This module only decides *which* values are known for *whom*:

- the frame's own columns, by role (:data:`ROLE_ENTITY`) or, for columns without a role,
  by action (``surrogate`` of a kind, ``pseudonym``, ``hash_id``);
- a lookup table (one row per patient, or per contact) with ``known_columns`` mapping its
  columns, or tuples of columns joined by a space ("first", "last"), to entity types or
  roles;
- or a mapping ``patient id -> {entity type: values}``.

Patients are matched by the text of their id (``12345``, ``12345.0`` and ``"12345"`` are the
same patient), so a lookup table read from CSV matches a frame with integer ids.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from deid.entities import ENTITY_TYPES
from deid.tabular._actions import Action

#: Column role -> the entity type its values take in free text (roles not listed hold no
#: identifier a note would repeat verbatim: other dates, ages, attributes, free text).
ROLE_ENTITY: dict[str, str] = {
    "name": "NAME", "address": "ADDRESS", "location": "LOCATION", "zip": "ZIP", "phone": "PHONE",
    "fax": "FAX", "email": "EMAIL", "ssn": "SSN", "url": "URL", "ip_address": "IP_ADDRESS", "mrn": "MRN",
    "health_plan_id": "HEALTH_PLAN_ID", "account": "ACCOUNT", "license": "LICENSE",
    "vehicle_id": "VEHICLE_ID", "device_id": "DEVICE_ID", "id": "ID", "birth_date": "DATE",
}


def column_entity(action: Action, role: str | None, kind_entity: Mapping[str, str],
                  column: str | None = None) -> str | None:
    """The entity type a column's values take in free text, or None when the column holds no
    identifier to look for (free text, dates other than the date of birth, ages,
    attributes).

    In order: the column's role, when it has one; else its action (``surrogate`` of a kind,
    ``pseudonym``, ``hash_id``); else, with ``column`` given, the role its name suggests
    (:func:`deid.tabular._classify.role_from_name`): a ``name`` column that is dropped, a
    ``dob`` column that is date-shifted, an ``ssn`` column that is suppressed still hold the
    patient's identifiers, which their notes may repeat. For a kept column the generic
    record-id role (``id``: "note_id", "lab_num") is not inferred: keeping it says it is not
    an identifier, and short record numbers would collide with doses and lab values.

    >>> column_entity(Action("drop"), None, {}, "patient_name"), column_entity(Action("keep"), None, {}, "sex")
    ('NAME', None)
    """
    if role is not None:
        return ROLE_ENTITY.get(role)
    if action.name == "surrogate":
        return kind_entity.get(action.params["kind"], "ID")
    if action.name == "pseudonym":
        return "MRN"
    if action.name == "hash_id":
        return "ID"
    if column is None or action.name == "free_text":
        return None
    from deid.tabular._classify import role_from_name

    named = role_from_name(column)[0]
    if named is None or (named == "id" and action.name == "keep"):
        return None
    return ROLE_ENTITY.get(named)


def entity_of(spec: Any, where: str) -> str:
    """An entity type ("NAME") or a role ("name", "birth_date") as the entity type."""
    if isinstance(spec, str):
        if spec in ENTITY_TYPES:
            return spec
        if spec in ROLE_ENTITY:
            return ROLE_ENTITY[spec]
    raise ValueError(
        f"{where}: {spec!r} is neither an entity type ({', '.join(ENTITY_TYPES)}) nor an "
        f"identifier role ({', '.join(ROLE_ENTITY)})"
    )


def id_text(values: pd.Series | np.ndarray | list) -> np.ndarray:
    """Patient ids as text keys (object array): ``12345``, ``12345.0`` and ``"12345"`` agree."""
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    if isinstance(series.dtype, pd.StringDtype):
        return series.to_numpy(dtype=object, na_value=None)
    if pd.api.types.is_integer_dtype(series.dtype) and not isinstance(series.dtype, pd.api.extensions.ExtensionDtype):
        return series.astype("str").to_numpy(dtype=object)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    table = np.array([_scalar_text(u) for u in uniques.tolist()] + [None], dtype=object)
    return table[codes]


def _scalar_text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def value_text(series: pd.Series) -> pd.Series:
    """A column's values as text for matching: datetimes as ISO dates (a date of birth is a
    day), whole floats without ".0", missing and blank cells missing."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        local = series.dt.tz_localize(None) if getattr(series.dtype, "tz", None) is not None else series
        return local.dt.strftime("%Y-%m-%d").astype(object)
    if pd.api.types.is_bool_dtype(series.dtype):
        return pd.Series(None, index=series.index, dtype=object)  # true/false identify no one
    if pd.api.types.is_integer_dtype(series.dtype):  # record numbers: vectorized, no loop per value
        text = series.astype("string")
        return text.astype(object).where(text.notna(), None)
    if isinstance(series.dtype, pd.StringDtype):  # text as it is (vectorized), blank as missing
        return series.where(series.str.strip().str.len() > 0)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    texts = []
    for u in uniques.tolist():
        if hasattr(u, "isoformat") and not isinstance(u, str):  # date / datetime objects
            u = u.date().isoformat() if hasattr(u, "date") and callable(u.date) else u.isoformat()
        t = _scalar_text(u)
        texts.append(t if t.strip() else None)
    table = np.array(texts + [None], dtype=object)
    return pd.Series(table[codes], index=series.index)


class KnownByPatient:
    """Known identifier values per patient, compiled lazily into one
    :class:`deid.text.KnownIdentifiers` per patient.

    The compiled objects of the last :attr:`CACHE` patients are kept (callers present a
    patient's texts together, so each is compiled once), not all of them: with a thousand
    values a patient's compiled form takes ~0.4 MiB, so 100,000 of them would not fit.

    ``patients`` (optional): the patient keys that matter (those with free text); values of
    other patients are not collected.
    """

    CACHE = 64

    def __init__(self, patients: Iterable[str] | None = None):
        self._wanted = None if patients is None else frozenset(patients)
        self._values: dict[str, dict[str, dict[str, None]]] = {}  # patient -> entity -> ordered set
        self._compiled: dict[str, Any] = {}  # insertion order = age

    def __len__(self) -> int:
        return len(self._values)

    def copy(self) -> "KnownByPatient":
        """An independent copy (the same wanted patients and values; nothing compiled)."""
        new = KnownByPatient.__new__(KnownByPatient)
        new._wanted = self._wanted
        new._values = {p: {e: dict(v) for e, v in by_entity.items()} for p, by_entity in self._values.items()}
        new._compiled = {}
        return new

    def add(self, patients: np.ndarray, values: pd.Series, entity: str) -> None:
        """Add (patient key, value) pairs; missing and blank values are skipped."""
        texts = value_text(values).to_numpy(dtype=object)
        keep = pd.notna(texts) & pd.notna(patients)
        if self._wanted is not None:
            keep &= pd.Series(patients, dtype=object).isin(list(self._wanted)).to_numpy()
        if not keep.any():
            return
        pairs = pd.DataFrame({"p": patients[keep], "v": texts[keep]}).drop_duplicates()
        # one dict update per patient, not one per value (a million encounter ids): the
        # values sorted by patient (stably, so each patient's keep their order), then sliced
        codes, uniques = pd.factorize(pairs["p"])
        order = np.argsort(codes, kind="stable")
        values = pairs["v"].to_numpy(dtype=object)[order].tolist()
        ends = np.append(np.flatnonzero(np.diff(codes[order])) + 1, len(values)).tolist()
        store = self._values
        start = 0
        for patient, end in zip(uniques.tolist(), ends):
            store.setdefault(patient, {}).setdefault(entity, {}).update(dict.fromkeys(values[start:end]))
            start = end
        self._compiled.clear()

    def add_mapping(self, known: Mapping) -> None:
        """Add ``{patient id: {entity type: value or values}}``."""
        for patient, by_entity in known.items():
            if patient is None or (isinstance(patient, float) and patient != patient):
                raise ValueError("known: a patient id is missing")
            if not isinstance(by_entity, Mapping):
                raise TypeError(f"known: each patient's identifiers must be a mapping of entity type to "
                                f"values, not {type(by_entity).__name__}")
            key = _scalar_text(patient)
            if self._wanted is not None and key not in self._wanted:
                continue
            for entity, values in by_entity.items():
                entity = entity_of(entity, "known")
                if isinstance(values, str) or not isinstance(values, Iterable):
                    values = [values]
                for v in values:
                    if v is None or (isinstance(v, float) and v != v):
                        continue
                    t = _scalar_text(v)
                    if t.strip():
                        self._values.setdefault(key, {}).setdefault(entity, {})[t] = None
        self._compiled.clear()

    def get(self, patient) -> Any:
        """The patient's :class:`~deid.text.KnownIdentifiers`, or None when nothing is known."""
        if patient is None:
            return None
        key = patient if isinstance(patient, str) else _scalar_text(patient)
        if key in self._compiled:
            return self._compiled[key]
        if len(self._compiled) >= self.CACHE:
            self._compiled.pop(next(iter(self._compiled)))
        values = self._values.get(key)
        compiled = None
        if values:
            from deid.text import KnownIdentifiers

            compiled = KnownIdentifiers({e: list(v) for e, v in values.items()}) or None
        self._compiled[key] = compiled
        return compiled

    def values_of(self, patient) -> dict[str, list[str]]:
        """The raw values known for a patient (entity -> values); for deid.verify and tests."""
        key = patient if isinstance(patient, str) else _scalar_text(patient)
        return {e: list(v) for e, v in self._values.get(key, {}).items()}


def check_known_columns(known_columns, table_columns, where: str = "known_columns") -> list[tuple[tuple[str, ...], str]]:
    """``known_columns`` as ``[(columns, entity)]``; errors name the column or type."""
    if not isinstance(known_columns, Mapping) or not known_columns:
        raise ValueError(f"{where} must map lookup-table columns (or tuples of columns, joined by a "
                         "space) to entity types or roles, e.g. {'mrn': 'MRN', ('first', 'last'): 'NAME'}")
    present = set(table_columns)
    out = []
    for cols, spec in known_columns.items():
        group = (cols,) if isinstance(cols, str) else tuple(cols)
        if not group or not all(isinstance(c, str) for c in group):
            raise ValueError(f"{where}: keys must be column names or tuples of column names")
        missing = [c for c in group if c not in present]
        if missing:
            raise ValueError(f"{where}: column(s) {', '.join(map(repr, missing))} are not in the lookup table")
        out.append((group, entity_of(spec, f"{where}[{cols!r}]")))
    return out


def lookup_values(table: pd.DataFrame, group: tuple[str, ...]) -> pd.Series:
    """One lookup column's values, or several columns' joined by a space per row (a row whose
    columns are all missing gives a missing value)."""
    if len(group) == 1:
        return table[group[0]]
    parts = [value_text(table[c]).fillna("") for c in group]
    joined = parts[0].str.cat(parts[1:], sep=" ").str.strip().str.replace(r"\s+", " ", regex=True)
    return joined.where(joined != "", None).astype(object)

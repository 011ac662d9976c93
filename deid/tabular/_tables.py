""":func:`scrub_tables`: linked tables whose joins survive de-identification.

Records released for training are relational: patients, encounters, labs, medications and
notes, linked by patient and encounter ids. ``relations`` names the **key spaces** (patient,
encounter, ...) and the columns of each table that hold their values; the first column
listed is the key the others refer to. Then:

- every column of a key space gets one keyed token per value, the same in every table
  (``deid.transform.pseudonym`` with the key space's namespace), so
  ``encounters.patient_id`` still joins ``patients.patient_id``;
- every table is scrubbed with the patient id of its rows (its patient key-space column, or
  one reached through another key space: ``labs.encounter_id`` -> ``encounters.patient_id``),
  so a patient's dates move by the same offset in every table and every note;
- before anything is scrubbed, the relations are checked: a missing table or column,
  incompatible id types, ids that differ only in case or spacing, a foreign key that does
  not resolve, a token collision; after scrubbing, every foreign key is checked again. Each
  problem is a ``ValueError`` naming the key space, table and column, never a value.

This module also holds what issue 11 adds to :func:`scrub_frame` (date-shift options, the
date window, the crosswalk): :class:`FrameOptions`.
"""

from __future__ import annotations

import datetime as _dt
import os
import tomllib
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from deid.tabular import _apply
from deid.tabular._actions import Action
from deid.tabular._policy import Policy

#: The key space whose values are patients (date offsets, notes, the crosswalk).
PATIENT_SPACE = "patient"
# the column a table gets when its patient ids come through another key space (dropped)
_DERIVED = "__deid_patient_id__"
_SPACE_OPTIONS = ("columns", "prefix", "length", "namespace")


# -- key spaces ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class KeySpace:
    """One kind of id shared by several tables: its columns (``(table, column)``, the first
    is the key the others refer to) and how its tokens are made (``prefix``, ``length`` hex
    digits, HMAC ``namespace``)."""

    name: str
    columns: tuple[tuple[str, str], ...]
    prefix: str
    length: int
    namespace: str

    @property
    def primary(self) -> tuple[str, str]:
        return self.columns[0]

    @property
    def foreign(self) -> tuple[tuple[str, str], ...]:
        return self.columns[1:]

    def action(self, patient: bool) -> Action:
        """The tabular action of every column of this key space."""
        if patient:
            return Action("pseudonym", prefix=self.prefix, length=self.length, namespace=self.namespace)
        return Action("hash_id", prefix=self.prefix, length=self.length, namespace=self.namespace)

    def token_function(self, key):
        from deid.tabular._keyed import token_function

        return token_function(key, self.prefix, self.length, self.namespace)


def _label(table: str, column: str) -> str:
    return f"{table}.{column}"


def parse_relations(relations: Mapping[str, Any], tables: Mapping[str, pd.DataFrame],
                    patient_space: str = PATIENT_SPACE) -> list[KeySpace]:
    """``relations`` as :class:`KeySpace` objects, checked against ``tables``.

    A key space is a list of columns (``"table.column"`` or ``("table", "column")``), or a
    mapping ``{"columns": [...], "prefix": ..., "length": ..., "namespace": ...}``. Defaults:
    the patient key space gets ``prefix="PAT"`` and ``namespace=""`` (so its tokens are
    ``deid.transform.pseudonym(id, key)``, the same as an MRN's pseudonym in notes); every
    other key space ``prefix=""`` and its own name as namespace; ``length=16``.
    """
    if not isinstance(relations, Mapping) or not relations:
        raise ValueError("relations must map key space names (patient, encounter, ...) to their columns "
                         "('table.column'), the first being the key the others refer to")
    spaces: list[KeySpace] = []
    owner: dict[tuple[str, str], str] = {}
    for name, spec in relations.items():
        if not isinstance(name, str) or not name:
            raise ValueError("key space names must be non-empty text")
        where = f"relations: key space {name!r}"
        options: dict[str, Any] = {}
        if isinstance(spec, Mapping):
            unknown = sorted(set(spec) - set(_SPACE_OPTIONS))
            if unknown:
                raise ValueError(f"{where}: unknown setting(s) {', '.join(map(str, unknown))}; "
                                 f"settings: {', '.join(_SPACE_OPTIONS)}")
            options = {k: v for k, v in spec.items() if k != "columns"}
            spec = spec.get("columns")
        if isinstance(spec, (str, bytes)) or not isinstance(spec, Iterable):
            raise ValueError(f"{where}: give a list of columns ('table.column')")
        columns = [_table_column(item, tables, where) for item in spec]
        if not columns:
            raise ValueError(f"{where}: lists no column")
        for tc in columns:
            if tc in owner:
                other = owner[tc]
                raise ValueError(f"{where}: column {_label(*tc)!r} is listed twice"
                                 if other == name else
                                 f"{where}: column {_label(*tc)!r} is already in key space {other!r}")
            owner[tc] = name
        is_patient = name == patient_space
        prefix = options.get("prefix", "PAT" if is_patient else "")
        namespace = options.get("namespace", "" if is_patient else name)
        length = options.get("length", 16)
        if not isinstance(prefix, str) or not isinstance(namespace, str):
            raise ValueError(f"{where}: prefix and namespace must be text")
        if isinstance(length, bool) or not isinstance(length, int) or not 1 <= length <= 64:
            raise ValueError(f"{where}: length must be an integer from 1 to 64 (hex digits of the token)")
        spaces.append(KeySpace(name, tuple(columns), prefix, length, namespace))
    namespaces = [(s.namespace, s.name) for s in spaces]
    seen: dict[str, str] = {}
    for ns, space in namespaces:
        if ns in seen:
            raise ValueError(f"relations: key spaces {seen[ns]!r} and {space!r} share the namespace {ns!r}: "
                             "equal ids in them would get equal tokens")
        seen[ns] = space
    return spaces


def _table_column(item, tables: Mapping[str, pd.DataFrame], where: str) -> tuple[str, str]:
    if isinstance(item, (tuple, list)) and len(item) == 2 and all(isinstance(x, str) for x in item):
        table, column = item
    elif isinstance(item, str):
        # the longest table name followed by "." (table names may hold dots)
        matches = [t for t in tables if item.startswith(t + ".")]
        if not matches:
            raise ValueError(f"{where}: {item!r} names no table (tables: {', '.join(map(repr, tables))}); "
                             "write 'table.column'")
        table = max(matches, key=len)
        column = item[len(table) + 1:]
    else:
        raise ValueError(f"{where}: a column is 'table.column' or ('table', 'column'), not {type(item).__name__}")
    if table not in tables:
        raise ValueError(f"{where}: there is no table {table!r} (tables: {', '.join(map(repr, tables))})")
    if column not in tables[table].columns:
        raise ValueError(f"{where}: table {table!r} has no column {column!r}")
    return table, column


def _id_kind(series: pd.Series) -> str:
    """``"integer"``, ``"text"`` or ``"empty"`` (all missing); another kind is the dtype's name."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(series.cat.categories.dtype if len(series.cat.categories) else object)
    if pd.api.types.is_bool_dtype(series.dtype):
        return str(series.dtype)
    if pd.api.types.is_integer_dtype(series.dtype):
        return "integer"
    if isinstance(series.dtype, pd.StringDtype):
        return "text" if series.notna().any() else "empty"
    if pd.api.types.is_float_dtype(series.dtype):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        values = values[~np.isnan(values)]
        if not len(values):
            return "empty"
        return "integer" if np.all(values == np.floor(values)) else "fractional numbers"
    kind = pd.api.types.infer_dtype(series, skipna=True)
    return {"string": "text", "integer": "integer", "empty": "empty"}.get(kind, kind)


@dataclass
class _Member:
    """One key column, read once: its distinct ids in normal form and each row's code.

    ``normal`` is an int64 array for integer ids and an object array of normalized text
    (``normalize_identifier``: case-folded, spaces collapsed) for text ids; ``first`` holds,
    per normal form, the id as first written (text); ``codes`` index ``normal`` per row (-1:
    missing or blank). ``n_written``: distinct written forms (more than ``len(normal)`` when
    ids differ only in case or spacing)."""

    codes: np.ndarray
    normal: np.ndarray
    first: np.ndarray
    n_written: int

    def index(self) -> pd.Index:
        return pd.Index(self.normal)


def _read_member(series: pd.Series, kind: str) -> _Member:
    series = _apply._plain(series)
    if kind == "empty":
        empty = np.array([], dtype=object)
        return _Member(np.full(len(series), -1, dtype=np.int64), empty, empty, 0)
    if kind == "integer":
        codes, uniques = pd.factorize(series.astype("Int64"), use_na_sentinel=True)
        normal = np.asarray(uniques.to_numpy(dtype=np.int64))
        return _Member(codes.astype(np.int64, copy=False), normal, normal.astype(str).astype(object), len(normal))
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    written = np.asarray(uniques, dtype=object)
    normal_of = np.array([" ".join(t.split()).casefold() for t in written.tolist()], dtype=object)
    ncodes, normal = pd.factorize(normal_of)
    normal = np.asarray(normal, dtype=object)
    blank = np.flatnonzero(normal == "")
    remap = ncodes.astype(np.int64)
    if len(blank):  # blank ids stay blank (scrub_frame does not tokenize them): like missing
        b = int(blank[0])
        remap = np.where(remap == b, -1, np.where(remap > b, remap - 1, remap))
        normal = np.delete(normal, b)
    first_at = np.full(len(normal), -1, dtype=np.int64)
    valid = np.flatnonzero(remap >= 0)
    distinct, at = np.unique(remap[valid], return_index=True)
    first_at[distinct] = valid[at]
    first = written[first_at] if len(normal) else np.array([], dtype=object)
    n_written = int((remap >= 0).sum())
    remap = np.append(remap, -1)  # code -1 (missing) stays -1
    return _Member(remap[codes], normal, first, n_written)


# -- the result ---------------------------------------------------------------------------------
class TablesResult(dict):
    """``scrub_tables``'s result: table name -> scrubbed DataFrame (a plain dict otherwise),
    with two DataFrames that hold names and counts, never a value:

    - ``report``: one row per table: ``table, rows, columns, patient_column`` (the column
      whose patient ids date its rows, ``"<column> -> <table>"`` when they come through
      another key space, or missing), ``key_columns``, ``dates_outside_window``;
    - ``key_spaces``: one row per key space: ``key_space, key`` (``table.column``),
      ``foreign_keys``, ``distinct_ids``, ``token`` (what a token looks like).
    """

    report: pd.DataFrame
    key_spaces: pd.DataFrame


# -- scrub_tables -------------------------------------------------------------------------------
def scrub_tables(tables: Mapping[str, pd.DataFrame], policies: Mapping[str, Any], *, key=None,
                 relations: Mapping[str, Any], patient_space: str = PATIENT_SPACE, offsets=None,
                 crosswalk: str | os.PathLike | None = None, crosswalk_key=None, n_process: int = 1,
                 known_values: bool = True, today: _dt.date | None = None) -> TablesResult:
    """De-identify linked tables so that every join survives.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        The tables by name (``"patients"``, ``"encounters"``, ...). None is modified.
    policies : mapping of str to Policy (or mapping)
        One column policy per table (as for :func:`scrub_frame`). A column of a key space
        takes its key space's token whatever its policy says (a policy that drops or
        suppresses it is an error: its joins could not survive). The policies must agree on
        the date-shift settings (``date_shift_range``, ``never_zero``, ``keep_weekday``,
        ``date_window``), or a patient's dates would move differently from table to table.
    key : Key, str, bytes, path or None
        The pseudonym key (as :func:`scrub_frame`).
    relations : mapping
        Key space -> its columns, ``"table.column"`` or ``("table", "column")``; the first is
        the key the others refer to (``{"patient": ["patients.patient_id",
        "encounters.patient_id"], "encounter": ["encounters.encounter_id",
        "labs.encounter_id"]}``). A key space may be a mapping with ``columns`` and token
        settings ``prefix``, ``length`` (hex digits, default 16), ``namespace``; see
        :func:`parse_relations` for the defaults.
    patient_space : str
        The key space of patients (default ``"patient"``): each table is scrubbed with the
        patient id of its rows, taken from its column in this key space or, for a table with
        none, through a key whose table has one (``labs.encounter_id`` ->
        ``encounters.patient_id``).
    offsets : mapping, Series, DataFrame or OffsetTable, optional
        The data steward's date offsets (patient id -> days) instead of derived ones; every
        patient must be in it.
    crosswalk : path, optional
        Write the encrypted crosswalk (original patient id -> pseudonym, date offset) here,
        with ``crosswalk_key`` (default ``DEID_CROSSWALK_KEY`` / ``DEID_CROSSWALK_KEY_FILE``;
        it must differ from ``key``). See ``docs/crosswalk.md``.
    n_process, today
        As :func:`scrub_frame`.
    known_values : bool
        Default True: the identifier columns of **every** table (by role, action or name, as
        in :func:`scrub_frame`) are collected per patient, through the patient key space, and
        are that patient's known identifiers in every free-text column of every table: a
        name that only the ``patients`` table holds is found in the ``notes`` table, in any
        case and form the text engine matches (a surname alone, "Last, First").

    Returns
    -------
    TablesResult
        A dict of table name -> scrubbed DataFrame, with ``.report`` and ``.key_spaces``.

    Raises
    ------
    ValueError
        Before anything is scrubbed or written: a relation names a missing table or column;
        a key space's columns hold incompatible types (integers in one table, text in
        another); ids of a key space differ only in case or spacing (they would share a
        token, and joins would change); a foreign key does not resolve; two ids get one
        token (a collision); the policies disagree on date settings; a table needs patient
        ids it cannot get; the offsets table lacks a patient or has a duplicate; the
        crosswalk key is missing, too short or equal to the pseudonym key. After scrubbing
        and before the crosswalk is written: a foreign key that no longer resolves. Messages
        name the key space, table and column, never a value.

    >>> import pandas as pd
    >>> patients = pd.DataFrame({"patient_id": ["MRN1", "MRN2"], "sex": ["F", "M"]})
    >>> visits = pd.DataFrame({"visit_id": ["V1", "V2", "V3"], "patient_id": ["MRN1", "MRN1", "MRN2"],
    ...                        "admit": pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01"])})
    >>> out = scrub_tables({"patients": patients, "visits": visits},
    ...                    {"patients": {"sex": "keep"}, "visits": {"admit": "date_shift"}},
    ...                    key="an example key, 32 bytes long...",
    ...                    relations={"patient": ["patients.patient_id", "visits.patient_id"],
    ...                               "visit": ["visits.visit_id"]})
    >>> len(out["visits"].merge(out["patients"], on="patient_id"))
    3
    >>> int((out["visits"]["admit"] - visits["admit"]).groupby(out["visits"]["patient_id"]).nunique().max())
    1
    """
    result, pending = _scrub_tables(tables, policies, key=key, relations=relations, patient_space=patient_space,
                                    offsets=offsets, crosswalk=crosswalk, crosswalk_key=crosswalk_key,
                                    n_process=n_process, known_values=known_values, today=today)
    if pending is not None:
        pending.write(crosswalk)
    return result


class _PendingCrosswalk:
    """A crosswalk computed by :func:`_scrub_tables`, not yet written (the caller decides
    when: ``scrub_tables`` at once, ``scrub_table_files`` only once every output is ready)."""

    def __init__(self, crosswalk, crosswalk_key, pseudonym_key):
        self.crosswalk = crosswalk
        self.crosswalk_key = crosswalk_key
        self.pseudonym_key = pseudonym_key

    def write(self, path) -> Path:
        from deid.crosswalk import write_crosswalk

        return write_crosswalk(self.crosswalk, path, self.crosswalk_key, pseudonym_key=self.pseudonym_key)


def _scrub_tables(tables, policies, *, key, relations, patient_space, offsets, crosswalk, crosswalk_key,
                  n_process, known_values, today) -> tuple[TablesResult, _PendingCrosswalk | None]:
    """:func:`scrub_tables` without writing the crosswalk: (result, the crosswalk to write or None)."""
    from deid.tabular._scrub import _resolve_key, scrub_frame

    if not isinstance(tables, Mapping) or not tables:
        raise ValueError("tables must be a non-empty mapping of table name -> DataFrame")
    for name, frame in tables.items():
        if not isinstance(name, str) or not name:
            raise ValueError("table names must be non-empty text")
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"table {name!r} is a {type(frame).__name__}, not a pandas DataFrame")
    if not isinstance(policies, Mapping):
        raise TypeError(f"policies must map table names to policies, not {type(policies).__name__}")
    missing = [t for t in tables if t not in policies]
    extra = [t for t in policies if t not in tables]
    if missing:
        raise ValueError(f"no policy for table(s) {', '.join(map(repr, missing))}")
    if extra:
        raise ValueError(f"policies name table(s) that are not given: {', '.join(map(repr, extra))}")
    policies = {t: _as_policy(policies[t], t) for t in tables}
    spaces = parse_relations(relations, tables, patient_space)
    by_name = {s.name: s for s in spaces}
    if patient_space != PATIENT_SPACE and patient_space not in by_name:
        raise ValueError(f"patient_space {patient_space!r} is not a key space of relations")
    patients = by_name.get(patient_space)
    _check_date_settings(policies)

    # -- every check that needs no scrubbing, before any scrubbing -------------------------
    members: dict[tuple[str, str], _Member] = {}
    for space in spaces:
        kinds = _check_kinds(space, tables)
        for tc in space.columns:
            members[tc] = _read_member(tables[tc[0]][tc[1]], kinds[tc])
        _check_space(space, members)
    pkey = _resolve_key(key, None, True)
    plans = {}
    for table, policy in policies.items():
        effective = _effective_policy(table, policy, spaces, patients)
        try:
            plans[table] = effective.plan(list(tables[table].columns))
        except ValueError as exc:
            raise ValueError(f"table {table!r}: {exc}") from None
    patient_source = _patient_sources(tables, spaces, patients, policies, plans)
    derived: dict[str, pd.Series] = {}
    for table, source in patient_source.items():
        if source[0] == _DERIVED:
            _derived_patients(table, tables, members, patient_source, derived)
    # a patient's identifiers from every table, for the free text of every table
    known_store = None
    if known_values and patients is not None:
        effective = {t: _effective_policy(t, policies[t], spaces, patients) for t in tables}
        known_store = _known_across_tables(tables, effective, plans, spaces, patients, patient_source, derived)
    # only the key columns' ids are needed from here on (collisions, the crosswalk)
    members = {s.primary: members[s.primary] for s in spaces}
    offsets_table = None
    first_policy = next(iter(policies.values()))
    if offsets is not None:
        from deid.transform._date_shift import as_offset_table

        offsets_table = as_offset_table(offsets, first_policy.never_zero, first_policy.keep_weekday)
        if patients is not None:
            offsets_table.offsets_for(members[patients.primary].first.tolist())
    cw_key = None
    if crosswalk is not None:
        if patients is None:
            raise ValueError("crosswalk= needs a patient key space in relations")
        from deid.crosswalk import check_crosswalk_path, resolve_crosswalk_key

        cw_key = resolve_crosswalk_key(crosswalk_key, pseudonym_key=pkey)
        check_crosswalk_path(crosswalk)

    # -- scrub, table by table ---------------------------------------------------------------
    out: dict[str, pd.DataFrame] = {}
    seen_warnings: dict[tuple, list[str]] = {}
    windows: dict[str, int] = {}
    for table, frame in tables.items():
        policy = _effective_policy(table, policies[table], spaces, patients)
        source = patient_source.get(table)
        pcol = None
        if source is not None:
            pcol = source[0]
            if pcol == _DERIVED:
                frame = frame.assign(**{_DERIVED: derived.pop(table).to_numpy()})
                policy = policy.with_columns({_DERIVED: "drop"})
        # tables with free text get the patients' values from all tables (their own included)
        has_text = known_store is not None and any(a.name == "free_text" for a in plans[table].values())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                out[table] = scrub_frame(frame, policy, key=pkey, patient_column=pcol, n_process=n_process,
                                         known_values=known_values and not has_text,
                                         known=known_store if has_text else None,
                                         today=today, offsets=offsets_table)
            except ValueError as exc:
                raise ValueError(f"table {table!r}: {exc}") from None
        del frame
        for w in caught:
            seen_warnings.setdefault((w.category, str(w.message)), []).append(table)
        windows[table] = sum(window_counts(out[table], plans[table], policy).values())
    for (category, message), names in seen_warnings.items():
        where = ", ".join(map(repr, names))
        warnings.warn(f"table{'s' if len(names) > 1 else ''} {where}: {message}", category, stacklevel=2)

    # -- after scrubbing: one token per id, and every foreign key still resolves -------------
    for space in spaces:
        _check_scrubbed(space, out, members[space.primary])

    result = TablesResult(out)
    result.report = pd.DataFrame({
        "table": list(tables),
        "rows": [len(out[t]) for t in tables],
        "columns": [len(out[t].columns) for t in tables],
        "patient_column": [_source_label(patient_source.get(t)) for t in tables],
        "key_columns": [", ".join(c for s in spaces for (tt, c) in s.columns if tt == t) for t in tables],
        "dates_outside_window": [windows[t] for t in tables],
    })
    result.key_spaces = pd.DataFrame({
        "key_space": [s.name for s in spaces],
        "key": [_label(*s.primary) for s in spaces],
        "foreign_keys": [", ".join(_label(*tc) for tc in s.foreign) for s in spaces],
        "distinct_ids": [len(members[s.primary].normal) for s in spaces],
        "token": [f"{s.prefix + '-' if s.prefix else ''}<{s.length} hex digits>" for s in spaces],
    })

    pending = None
    if crosswalk is not None:
        table, column = patients.primary
        frame = _crosswalk_frame(members[patients.primary], out[table][column], pkey, first_policy, offsets_table)
        from deid.crosswalk import Crosswalk

        pending = _PendingCrosswalk(Crosswalk(frame, patients.name), cw_key, pkey)
    return result, pending


def _known_across_tables(tables, effective, plans, spaces, patients, sources, derived):
    """One :class:`~deid.tabular._known.KnownByPatient` for all tables: per patient (by the
    text of their id, as ``scrub_frame`` keys them), the values of every identifier column of
    every table whose rows have patients. Only patients with free text somewhere are kept.

    Foreign-key columns are skipped when their key column's table has patients: their ids
    are the key column's, already collected there with the same patient (labs.encounter_id
    adds nothing to encounters.encounter_id, and would cost a pass over the largest table).
    None when no table has free text."""
    from deid.tabular._known import KnownByPatient, column_entity, id_text

    keys: dict[str, np.ndarray] = {}

    def keys_of(table: str) -> np.ndarray:
        if table not in keys:
            column = sources[table][0]
            keys[table] = id_text(derived[table] if column == _DERIVED else tables[table][column])
        return keys[table]

    wanted: set = set()
    for table, plan in plans.items():
        text_columns = [c for c, a in plan.items() if a.name == "free_text"]
        if not text_columns or table not in sources:
            continue
        has_text = np.zeros(len(tables[table]), dtype=bool)
        for column in text_columns:
            has_text |= tables[table][column].notna().to_numpy()
        wanted.update(keys_of(table)[has_text].tolist())
    wanted.discard(None)
    if not wanted:
        return None
    skip = set()
    for space in spaces:
        if space is patients or space.primary[0] in sources:
            skip.update(space.foreign)
    store = KnownByPatient(wanted)
    for table, plan in plans.items():
        if table not in sources:
            continue  # rows without patients: their values are nobody's in particular
        roles = effective[table].column_roles
        found = []
        for column, action in plan.items():
            if (table, column) in skip:
                continue
            entity = column_entity(action, roles.get(column), _apply._KIND_ENTITY, column)
            if entity is not None:
                found.append((column, entity))
        for column, entity in found:
            store.add(keys_of(table), _apply._plain(tables[table][column]), entity)
    return store


def _as_policy(policy, table: str) -> Policy:
    if isinstance(policy, Policy):
        return policy
    if isinstance(policy, Mapping):
        try:
            return Policy(policy)
        except ValueError as exc:
            raise ValueError(f"table {table!r}: {exc}") from None
    raise TypeError(f"the policy of table {table!r} must be a Policy or a mapping, not {type(policy).__name__}")


def _date_settings(policy: Policy) -> tuple:
    return (tuple(policy.date_shift_range), getattr(policy, "never_zero", True),
            getattr(policy, "keep_weekday", False), getattr(policy, "date_window", None))


def _check_date_settings(policies: Mapping[str, Policy]) -> None:
    names = list(policies)
    first = _date_settings(policies[names[0]])
    for name in names[1:]:
        if _date_settings(policies[name]) != first:
            raise ValueError(
                f"the policies of tables {names[0]!r} and {name!r} differ in their date-shift settings "
                "(date_shift_range, never_zero, keep_weekday, date_window): a patient's dates would move "
                "by different offsets in different tables"
            )


def _check_kinds(space: KeySpace, tables: Mapping[str, pd.DataFrame]) -> dict[tuple[str, str], str]:
    """Each column's id kind; integers in one table and text in another are an error."""
    kinds: dict[tuple[str, str], str] = {}
    for table, column in space.columns:
        kind = _id_kind(tables[table][column])
        if kind not in ("integer", "text", "empty"):
            raise ValueError(f"key space {space.name!r}: column {_label(table, column)!r} holds {kind} values, "
                             "not ids (integers or text)")
        kinds[(table, column)] = kind
    typed = [(tc, k) for tc, k in kinds.items() if k != "empty"]
    for (tc, kind) in typed[1:]:
        if kind != typed[0][1]:
            (t0, c0), k0 = typed[0]
            raise ValueError(
                f"key space {space.name!r}: columns {_label(t0, c0)!r} ({k0}) and {_label(*tc)!r} "
                f"({kind}) hold incompatible types; read both as text (or both as integers) so that they join"
            )
    return kinds


def _check_space(space: KeySpace, members: Mapping[tuple[str, str], _Member]) -> None:
    """Checks of one key space on the raw ids: ids that differ only in case or spacing, key
    values missing, foreign keys that do not resolve."""
    primary = members[space.primary]
    n_missing = int((primary.codes < 0).sum())
    if n_missing:
        raise ValueError(f"key space {space.name!r}: the key column {_label(*space.primary)!r} has "
                         f"{n_missing} missing or blank value(s)")
    for tc in space.columns:
        if members[tc].n_written > len(members[tc].normal):
            raise ValueError(
                f"key space {space.name!r}: column {_label(*tc)!r} holds ids that differ from each other only "
                "in case or spacing; they would share one token and joins on the scrubbed data would change "
                "(make them identical first)"
            )
    key_index = primary.index()
    for tc in space.foreign:
        m = members[tc]
        at = key_index.get_indexer(m.normal) if len(m.normal) else np.array([], dtype=np.int64)
        valid = m.codes >= 0
        bad_rows = int((at[m.codes[valid]] < 0).sum()) if len(m.normal) else 0
        if bad_rows:
            raise ValueError(
                f"key space {space.name!r}: table {tc[0]!r} column {tc[1]!r}: {bad_rows} row(s) hold an id "
                f"that is not in the key column {_label(*space.primary)!r} (a dangling foreign key)"
            )
        if len(m.normal) and np.any(primary.first[at] != m.first):
            # the foreign key resolves by normal form, but is written differently
            raise ValueError(
                f"key space {space.name!r}: some ids of {_label(*tc)!r} are written in another case or spacing "
                f"in one table than in {_label(*space.primary)!r}; they would join after scrubbing but not "
                "before (make them identical)"
            )


def _effective_policy(table: str, policy: Policy, spaces: Sequence[KeySpace], patients: KeySpace | None) -> Policy:
    """The table's policy with every key column set to its key space's token."""
    columns = {}
    for space in spaces:
        for t, column in space.columns:
            if t != table:
                continue
            current = policy.columns.get(column)
            if current is not None and current.name in ("drop", "suppress"):
                raise ValueError(
                    f"table {table!r} column {column!r} is in key space {space.name!r}, but its policy says "
                    f"{current.name}: its joins could not survive (remove it from relations or from the policy)"
                )
            columns[column] = space.action(space is patients)
    return policy.with_columns(columns) if columns else policy


def _needs_patient(plan: Mapping[str, Action]) -> bool:
    return any(a.name in ("date_shift", "free_text") for a in plan.values())


def _patient_sources(tables, spaces, patients, policies, plans) -> dict[str, tuple]:
    """table -> (patient column, via key space, via column) for every table that has or can
    reach patient ids; ``(_DERIVED, space, column)`` when they come through another key."""
    sources: dict[str, tuple] = {}
    if patients is None:
        return sources
    for table in tables:
        own = [c for t, c in patients.columns if t == table]
        if len(own) > 1:
            chosen = policies[table].patient_column
            if chosen not in own:
                raise ValueError(f"table {table!r} has {len(own)} columns in key space {patients.name!r} "
                                 f"({', '.join(map(repr, own))}): set the policy's patient_column to the one "
                                 "whose patient's dates and notes these rows are")
            own = [chosen]
        chosen = policies[table].patient_column
        if own:
            if chosen is not None and chosen != own[0] and chosen in tables[table].columns:
                raise ValueError(f"table {table!r}: the policy's patient_column {chosen!r} is not the table's "
                                 f"column in key space {patients.name!r} ({own[0]!r})")
            sources[table] = (own[0], None, None)
    # tables without a patient column reach one through a key whose table has patients
    changed = True
    while changed:
        changed = False
        for table in tables:
            if table in sources or not _needs_patient(plans[table]):
                continue
            for space in spaces:
                if space is patients:
                    continue
                cols = [c for t, c in space.foreign if t == table]
                if cols and space.primary[0] in sources and space.primary[0] != table:
                    sources[table] = (_DERIVED, space, cols[0])
                    changed = True
                    break
    for table in tables:
        if table not in sources and _needs_patient(plans[table]):
            raise ValueError(
                f"table {table!r} has dates to shift or free text, but no column in key space "
                f"{patients.name!r} and no foreign key to a table that has one: its patients' offsets "
                "could not match the other tables'"
            )
    return sources


def _source_label(source) -> str | None:
    if source is None:
        return None
    if source[0] == _DERIVED:
        return f"{source[2]} -> {source[1].primary[0]}"
    return source[0]


def _derived_patients(table: str, tables, members, sources, derived: dict) -> pd.Series:
    """Each row's patient id (``derived[table]``), through the table's foreign key to the key
    column of a table whose rows have patients (chains of such hops work)."""
    if table in derived:
        return derived[table]
    _, space, column = sources[table]
    parent = space.primary[0]
    parent_source = sources[parent]
    if parent_source[0] == _DERIVED:
        parent_patients = _derived_patients(parent, tables, members, sources, derived)
        patient_codes = pd.factorize(parent_patients, use_na_sentinel=True)[0]
    else:
        parent_patients = _apply._plain(tables[parent][parent_source[0]])
        patient_codes = members[(parent, parent_source[0])].codes
    key = members[space.primary]
    n_keys = len(key.normal)
    # one patient per key id (an encounter belongs to one patient)
    pairs = pd.DataFrame({"k": key.codes, "p": patient_codes})
    pairs = pairs[(pairs["k"] >= 0) & (pairs["p"] >= 0)].drop_duplicates()
    ambiguous = int(pairs["k"].duplicated().sum())
    if ambiguous:
        raise ValueError(f"table {table!r} reaches its patients through {_label(*space.primary)!r}, but "
                         f"{ambiguous} of its ids belong to more than one patient")
    # the first parent row with a patient, per key id
    first_row = np.full(n_keys + 1, -1, dtype=np.int64)
    valid = np.flatnonzero((key.codes >= 0) & (np.asarray(patient_codes) >= 0))
    codes = key.codes[valid]
    distinct, at = np.unique(codes, return_index=True)
    first_row[distinct] = valid[at]
    # the child's ids by the key's normal forms (none dangles: checked before)
    child = members[(table, column)]
    child_to_key = np.append(key.index().get_indexer(child.normal) if len(child.normal) else
                             np.array([], dtype=np.int64), -1)
    child_to_key[child_to_key < 0] = n_keys
    parent_row = first_row[child_to_key[child.codes]]
    n_none = int((parent_row < 0).sum())
    if n_none:
        raise ValueError(f"table {table!r}: {n_none} row(s) have no patient through {_label(table, column)!r} "
                         f"-> {_label(*space.primary)!r} (a missing id, or a key row without a patient), "
                         "so their dates and notes cannot be shifted with their patient's offset")
    values = parent_patients.array.take(parent_row)
    derived[table] = pd.Series(values, index=tables[table].index)
    return derived[table]


def _check_scrubbed(space: KeySpace, out: Mapping[str, pd.DataFrame], primary: _Member) -> None:
    """After scrubbing: one token per id of the key column (no collision), and every foreign
    key's token is a token of the key column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table, column = space.primary
    key_tokens = pa.array(out[table][column]).unique()
    key_tokens = pc.filter(key_tokens, pc.and_(pc.is_valid(key_tokens), pc.not_equal(key_tokens, "")))
    if len(key_tokens) < len(primary.normal):
        raise ValueError(
            f"key space {space.name!r}: {len(primary.normal) - len(key_tokens)} token collision(s): different ids "
            f"got the same {space.length}-hex-digit token; give the key space a longer length (e.g. 32)"
        )
    for t, c in space.foreign:
        values = pa.array(out[t][c])
        if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
            values = values.cast(pa.string()) if not pa.types.is_null(values.type) else values
        present = pc.and_(pc.is_valid(values), pc.not_equal(values, "")) if not pa.types.is_null(values.type) \
            else pa.array([False] * len(values))
        found = pc.is_in(values, value_set=key_tokens)
        bad = pc.sum(pc.and_(present, pc.invert(found))).as_py() or 0
        if bad:
            raise ValueError(f"key space {space.name!r}: after scrubbing, table {t!r} column {c!r} has {bad} "
                             f"row(s) whose token is not in {_label(table, column)!r}")


def _crosswalk_frame(primary: _Member, tokens: pd.Series, key, policy: Policy, offsets_table) -> pd.DataFrame:
    """original (as first written), pseudonym (the key column's token) and date offset per id."""
    from deid.transform import date_shift_offsets

    first_row = np.full(len(primary.normal), -1, dtype=np.int64)
    valid = np.flatnonzero(primary.codes >= 0)
    distinct, at = np.unique(primary.codes[valid], return_index=True)
    first_row[distinct] = valid[at]
    low, high = policy.date_shift_range
    offsets = date_shift_offsets(key, pd.Series(primary.first, dtype=object), low, high,
                                 never_zero=getattr(policy, "never_zero", True),
                                 keep_weekday=getattr(policy, "keep_weekday", False), offsets=offsets_table)
    return pd.DataFrame({"original": primary.first, "pseudonym": tokens.to_numpy(dtype=object)[first_row],
                         "date_offset_days": offsets})


# -- the date window -------------------------------------------------------------------------------
def window_counts(out: pd.DataFrame, plan: Mapping[str, Action], policy: Policy) -> dict[str, int]:
    """Per ``date_shift`` column of a scrubbed frame: how many dates lie outside the policy's
    ``date_window`` (dates with a written year only; a month/day without one is not counted)."""
    from deid.transform._date_shift import check_window, outside_window

    window = check_window(getattr(policy, "date_window", None))
    counts: dict[str, int] = {}
    if window is None:
        return counts
    for column, action in plan.items():
        if action.name != "date_shift" or column not in out.columns:
            continue
        series = out[column]
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            dates = series
        elif _apply._is_text(series):
            codes, uniques = pd.factorize(series, use_na_sentinel=True)
            parsed = np.append(_apply.text_dates(uniques, policy.dayfirst), np.datetime64("NaT", "s"))
            dates = pd.Series(parsed[codes])
        else:
            dates = pd.to_datetime(series, errors="coerce")
        n = int(outside_window(dates, window).sum())
        if n:
            counts[column] = n
    return counts


# -- what scrub_frame gains -----------------------------------------------------------------------
class FrameOptions:
    """Date-shift options, the date window and the crosswalk for one :func:`scrub_frame`
    call: checked in the constructor (before anything is scrubbed), applied through
    :meth:`context` and :meth:`policy`, finished by :meth:`finish` (window report, crosswalk)."""

    def __init__(self, policy: Policy, plan: Mapping[str, Action], key, patient_ids: pd.Series | None,
                 patient_column: str | None, offsets=None, crosswalk=None, crosswalk_key=None, scrubber=None):
        from deid.transform._date_shift import as_offset_table, check_window

        self.never_zero = getattr(policy, "never_zero", True)
        self.keep_weekday = getattr(policy, "keep_weekday", False)
        self.window = check_window(getattr(policy, "date_window", None))
        self.offsets = as_offset_table(offsets, self.never_zero, self.keep_weekday)
        self.plan = plan
        self.patient_column = patient_column
        dated = [c for c, a in plan.items() if a.name in ("date_shift", "free_text")]
        if self.offsets is not None and dated:
            if patient_ids is None:
                raise ValueError("offsets= needs a patient column: the offsets are per patient")
            _, uniques = pd.factorize(patient_ids, use_na_sentinel=True)
            self.offsets.offsets_for(uniques.tolist())
        self.options = {"never_zero": self.never_zero, "keep_weekday": self.keep_weekday, "offsets": self.offsets}
        self.crosswalk = None
        if crosswalk is not None:
            if patient_column is None:
                raise ValueError("crosswalk= needs a patient column (its ids are what the crosswalk maps)")
            action = plan.get(patient_column)
            if action is None or action.name not in ("pseudonym", "hash_id"):
                raise ValueError(f"crosswalk=: the patient column {patient_column!r} must be pseudonymized "
                                 f"(pseudonym or hash_id), not {action.name if action else 'left out'}")
            from deid.crosswalk import check_crosswalk_path, resolve_crosswalk_key

            self.crosswalk_key = resolve_crosswalk_key(crosswalk_key, pseudonym_key=key)
            self.crosswalk = check_crosswalk_path(crosswalk)
        # text_dates="year": notes' dates become years, not shifted; nothing to match
        if (scrubber is not None and any(a.name == "free_text" for a in plan.values())
                and getattr(policy, "text_dates", None) != "year"):
            self._check_scrubber(scrubber, key)

    @property
    def default(self) -> bool:
        return self.never_zero and not self.keep_weekday and self.offsets is None and self.window is None

    def policy(self, policy: Policy) -> Policy:
        """``policy`` whose free-text ``date_shift`` carries the options (unless its
        ``text_operators`` give DATE another operator), so notes move like the rows."""
        if self.default:
            return policy
        ops = dict(policy.text_operators)
        spec = ops.get("DATE", "date_shift")
        name, params = (spec, {}) if isinstance(spec, str) else (spec[0], dict(spec[1]))
        if name != "date_shift":
            return policy
        extra = {"never_zero": self.never_zero, "keep_weekday": self.keep_weekday}
        if self.offsets is not None:
            extra["offsets"] = self.offsets
        if self.window is not None:
            extra["window"] = self.window
        ops["DATE"] = ("date_shift", {**extra, **params})
        return policy.with_options(text_operators=ops)

    def context(self, key, policy: Policy, patient_ids, today) -> "_apply.Context":
        if self.default:
            return _apply.Context(key, policy, patient_ids, today)
        return _OptionsContext(key, policy, patient_ids, today, self.options)

    def _check_scrubber(self, scrubber, key) -> None:
        from deid.transform import Transformer

        t = Transformer(key, scrubber.operators, date_shift_range=tuple(scrubber.date_shift_range))
        settings = getattr(t._bound.get("DATE"), "settings", None)
        if settings is None:
            return  # notes' dates are not shifted (tagged, redacted): nothing to match
        mine = (self.never_zero, self.keep_weekday, self.offsets)
        theirs = (settings["never_zero"], settings["keep_weekday"], settings["offsets"])
        if mine != theirs:
            raise ValueError("the scrubber's date_shift settings (never_zero, keep_weekday, offsets) differ from "
                             "the policy's and offsets=: notes and rows would not move alike")

    def finish(self, df: pd.DataFrame, out: pd.DataFrame, policy: Policy, ctx, key) -> None:
        """Report dates outside the window; write the crosswalk."""
        from deid.transform._date_shift import DateWindowWarning, window_message

        if self.window is not None:
            for column, n in window_counts(out, self.plan, policy).items():
                warnings.warn(window_message(self.window, n, f"column {column!r}"), DateWindowWarning, stacklevel=3)
        if self.crosswalk is not None:
            from deid.crosswalk import Crosswalk, write_crosswalk

            frame = self._crosswalk_frame(df, out, policy, ctx, key)
            write_crosswalk(Crosswalk(frame, PATIENT_SPACE), self.crosswalk, self.crosswalk_key, pseudonym_key=key)

    def _crosswalk_frame(self, df, out, policy, ctx, key) -> pd.DataFrame:
        column = self.patient_column
        kind = _id_kind(df[column])
        if kind not in ("integer", "text"):
            raise ValueError(f"crosswalk=: patient column {column!r} holds {kind} values, not ids")
        member = _read_member(df[column], kind)
        if member.n_written > len(member.normal):
            raise ValueError(f"crosswalk=: patient column {column!r} holds ids that differ only in case or "
                             "spacing; they share one pseudonym (make them identical first)")
        tokens = out[column]
        if tokens.nunique(dropna=True) < len(member.normal):
            raise ValueError(f"crosswalk=: patient column {column!r}: two different ids got the same pseudonym "
                             "(a collision); use a longer length")
        return _crosswalk_frame(member, tokens, key, policy, self.offsets)


class _OptionsContext(_apply.Context):
    """A scrub context whose date offsets and text-date transformers use the options."""

    def __init__(self, key, policy, patient_ids, today, options: Mapping[str, Any]):
        super().__init__(key, policy, patient_ids, today)
        self.date_options = {k: v for k, v in options.items() if v is not None}

    def transformer(self, entity, name, params):
        if name == "date_shift":
            params = {**self.date_options, **params}
        return super().transformer(entity, name, params)

    def offsets(self, n: int) -> np.ndarray:
        if self._offsets is None:
            from deid.transform import date_shift_offsets

            low, high = self.policy.date_shift_range
            ids = self.patient_ids if self.patient_ids is not None else pd.Series([None] * n, dtype=object)
            self._offsets = date_shift_offsets(self.key, ids, low, high, **self.date_options)
        return self._offsets


# -- files: deid scrub --tables tables.toml OUT_DIR ----------------------------------------------
def scrub_table_files(config: str | os.PathLike, out_dir: str | os.PathLike, *, key=None,
                      crosswalk: str | os.PathLike | None = None, crosswalk_key=None, n_process: int = 1,
                      today: _dt.date | None = None) -> TablesResult:
    """Scrub the linked tables a TOML file describes into ``out_dir`` (``deid scrub --tables``).

    The file (paths in it are relative to its folder)::

        folder = "raw"                      # where the tables are (default: the file's folder)
        patient_space = "patient"           # optional
        offsets = "offsets.csv"             # optional: the steward's offsets (patient id, days)
        crosswalk = "/secure/release.xwalk" # optional; crosswalk= overrides it

        [tables.patients]
        file = "patients.csv"               # CSV/TSV, Parquet or JSON Lines
        policy = "patients.policy.toml"     # a policy file, or an inline table of a policy
        # output = "patients.parquet"       # default: the input's file name

        [relations]
        patient = ["patients.patient_id", "encounters.patient_id", "notes.patient_id"]
        encounter = { columns = ["encounters.encounter_id", "labs.encounter_id"], prefix = "ENC" }

    Every check runs before anything is scrubbed or written (the configuration, the
    relations, the crosswalk's key and place, the outputs' names). Then it is all or
    nothing: the outputs are written to a hidden staging folder in ``out_dir`` and the
    crosswalk to a temporary file beside its target; only when all of them are complete are
    they renamed into place (the crosswalk last). On any failure nothing is left behind: no
    output, no crosswalk, files of an earlier run in ``out_dir`` as they were, and ``out_dir``
    removed again if this call created it. ``out_dir`` is created (its parent must exist); no
    output may overwrite an input; the crosswalk may not be inside ``out_dir``. The result's
    ``written`` lists the output paths.
    """
    from deid.crosswalk import check_crosswalk_path
    from deid.io import read_table, table_format

    spec = _read_config(config)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"{str(out)!r} exists and is not a folder")
    if not out.resolve().parent.is_dir():
        raise ValueError(f"{str(out)!r}: its parent folder does not exist")
    crosswalk = crosswalk if crosswalk is not None else spec["crosswalk"]
    if crosswalk is not None:
        check_crosswalk_path(crosswalk, [out])
    inputs = {name: t["file"] for name, t in spec["tables"].items()}
    targets = {name: out / t["output"] for name, t in spec["tables"].items()}
    if len({p.resolve() for p in targets.values()}) < len(targets):
        raise ValueError("two tables would be written to the same output file (set output = ... in the config)")
    for name, target in targets.items():
        try:
            table_format(target)
        except ValueError as exc:
            raise ValueError(f"table {name!r}: output: {exc}") from None
        if target.is_dir():
            raise ValueError(f"table {name!r}: the output {str(target)!r} is a folder")
        for source in inputs.values():
            if target.resolve() == Path(source).resolve():
                raise ValueError(f"table {name!r}: the output {str(target)!r} is an input; write to another folder")
    frames = {name: read_table(path) for name, path in inputs.items()}
    offsets = None
    if spec["offsets"] is not None:
        offsets = read_table(spec["offsets"])
    result, pending = _scrub_tables(frames, spec["policies"], key=key, relations=spec["relations"],
                                    patient_space=spec["patient_space"], offsets=offsets, crosswalk=crosswalk,
                                    crosswalk_key=crosswalk_key, n_process=n_process, known_values=True,
                                    today=today)
    del frames
    _write_all_or_nothing(result, targets, out, crosswalk, pending)
    result.written = [str(p) for p in targets.values()]  # type: ignore[attr-defined]
    return result


def _write_all_or_nothing(result: Mapping[str, pd.DataFrame], targets: Mapping[str, Path], out: Path,
                          crosswalk, pending: _PendingCrosswalk | None) -> None:
    """Write every output and the crosswalk, or none of them (see :func:`scrub_table_files`)."""
    import shutil
    import tempfile

    from deid.io import TableWriter

    created = not out.exists()
    out.mkdir(exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".deid-staging-", dir=out))
    cw_tmp: Path | None = None
    placed: list[tuple[Path, Path | None]] = []  # (target, where its earlier file was put aside)
    done = False
    try:
        # 1. every output, complete, in the staging folder
        staged = {}
        for i, (name, target) in enumerate(targets.items()):
            path = staging / f"{i}-{target.name}"
            with TableWriter(path) as writer:
                writer.write(result[name])
            staged[name] = path
        # 2. the crosswalk, complete, in a temporary file beside its target
        if pending is not None:
            cw_target = Path(crosswalk)
            fd, tmp = tempfile.mkstemp(prefix=f".{cw_target.name}.", suffix=".tmp", dir=cw_target.resolve().parent)
            os.close(fd)
            cw_tmp = Path(tmp)
            pending.write(cw_tmp)
        # 3. rename into place; a file of an earlier run is put aside until the end
        for i, (name, target) in enumerate(targets.items()):
            aside = None
            if target.exists():
                aside = staging / f"{i}-earlier"
                os.replace(target, aside)
            placed.append((target, aside))
            os.replace(staged[name], target)
        if cw_tmp is not None:
            os.replace(cw_tmp, crosswalk)  # last: a crosswalk exists only beside a complete output
            cw_tmp = None
        done = True
    finally:
        if not done:
            for target, aside in reversed(placed):
                target.unlink(missing_ok=True)
                if aside is not None and aside.exists():
                    os.replace(aside, target)
            if cw_tmp is not None:
                cw_tmp.unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        if not done and created:
            try:
                out.rmdir()  # only when empty: nothing else was there
            except OSError:
                pass


def _read_config(config) -> dict:
    path = Path(config)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"tables file {str(path)!r} cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ValueError(f"tables file {str(path)!r} is not UTF-8 text") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"tables file {str(path)!r} is not valid TOML: {exc}") from None
    where = f"tables file {str(path)!r}"
    known = {"folder", "patient_space", "offsets", "crosswalk", "tables", "relations"}
    unknown = sorted(set(doc) - known)
    if unknown:
        raise ValueError(f"{where}: unknown setting(s) {', '.join(unknown)}; settings: {', '.join(sorted(known))}")
    here = path.resolve().parent
    base = here / doc["folder"] if "folder" in doc else here
    tables = doc.get("tables")
    if not isinstance(tables, Mapping) or not tables:
        raise ValueError(f"{where}: needs a [tables.NAME] section per table")
    specs: dict[str, dict] = {}
    policies: dict[str, Policy] = {}
    for name, t in tables.items():
        if not isinstance(t, Mapping) or "file" not in t:
            raise ValueError(f"{where}: [tables.{name}] needs file = ...")
        extra = sorted(set(t) - {"file", "policy", "output"})
        if extra:
            raise ValueError(f"{where}: [tables.{name}]: unknown setting(s) {', '.join(extra)}")
        file = base / t["file"]
        if not file.is_file():
            raise ValueError(f"{where}: table {name!r}: {str(file)!r} does not exist")
        policy = t.get("policy")
        if policy is None:
            raise ValueError(f"{where}: table {name!r} needs a policy (a file, or an inline table)")
        if isinstance(policy, str):
            policies[name] = Policy.from_toml(here / policy)
        elif isinstance(policy, Mapping):
            policies[name] = Policy.from_dict(policy, f"{where}: table {name!r} policy")
        else:
            raise ValueError(f"{where}: table {name!r}: policy must be a file name or a table")
        output = t.get("output", Path(t["file"]).name)
        if not isinstance(output, str) or not output or Path(output).name != output:
            raise ValueError(f"{where}: table {name!r}: output must be a file name (it is written in OUT_DIR)")
        specs[name] = {"file": file, "output": output}
    relations = doc.get("relations")
    if not isinstance(relations, Mapping):
        raise ValueError(f"{where}: needs a [relations] section (key space = ['table.column', ...])")
    return {
        "base": base,
        "tables": specs,
        "policies": policies,
        "relations": relations,
        "patient_space": doc.get("patient_space", PATIENT_SPACE),
        "offsets": here / doc["offsets"] if "offsets" in doc else None,
        "crosswalk": (here / doc["crosswalk"]) if "crosswalk" in doc else None,
    }

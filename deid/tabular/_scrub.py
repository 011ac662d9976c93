""":func:`scrub_frame`: apply a column policy to a DataFrame."""

from __future__ import annotations

import datetime as _dt
import warnings
from typing import Any, Mapping

import numpy as np
import pandas as pd

from deid.tabular import _apply
from deid.tabular._actions import Action
from deid.tabular._policy import Policy


def scrub_frame(df: pd.DataFrame, policy: Policy | Mapping[str, Any], *, key=None,
                patient_column: str | None = None, n_process: int = 1, scrubber=None,
                known_values: bool = True, known=None, known_columns: Mapping | None = None,
                known_patient_column: str | None = None, today: _dt.date | None = None,
                offsets=None, crosswalk=None, crosswalk_key=None) -> pd.DataFrame:
    """De-identify a DataFrame column by column, as ``policy`` says.

    Parameters
    ----------
    df : pandas.DataFrame
        The table; it is not modified.
    policy : Policy or mapping
        Column -> action (a mapping is read as ``Policy(mapping)``). Columns the policy
        does not name take its default; with no default they are an error (fail closed).
    key : Key, str, bytes, path or None
        The secret key, the same as the text scrubber's for a patient's surrogates,
        pseudonyms and date offsets to match between notes and rows. ``None``: ``DEID_KEY``,
        else ``DEID_KEY_FILE``, else a random key for this run (with a warning).
    patient_column : str, optional
        The column of patient ids (default: the policy's ``patient_column``): it selects
        each row's date offset and is the patient id of its free text. Without one, every
        row shares the key's no-patient offset.
    n_process : int
        Worker processes for ``free_text`` columns (``Scrubber.scrub_many``).
    scrubber : deid.Scrubber, optional
        The text scrubber for ``free_text`` columns (default: one built with ``key``, the
        policy's ``text_operators`` and ``date_shift_range``). Its key is used when ``key``
        is None.
    known_values : bool
        With a patient column (default True): the values of the identifier columns of all of
        a patient's rows (names, MRN, SSN, phone, e-mail, address, date of birth, contacts'
        names, ...: by role, else by action, else by column name, also for dropped,
        suppressed and kept columns; see ``docs/tabular.md``) are that patient's known identifiers
        (:class:`deid.text.KnownIdentifiers`) in every free-text cell of every row of the
        patient, even rows whose own identifier cells are empty.
    known : pandas.DataFrame or mapping, optional
        A lookup table of known identifiers (one row per patient, or one per contact) used
        with (or, with ``known_values=False``, instead of) the frame's own columns; or a
        mapping ``patient id -> {entity type: values}``; or values already collected per
        patient (a ``deid.tabular._known.KnownByPatient``, what :func:`scrub_tables` passes).
        Needs a patient column.
    known_columns : mapping, optional
        For a lookup table: its column (or a tuple of columns, joined by a space per row,
        such as ``("first_name", "last_name")``) -> entity type (``"NAME"``) or role
        (``"name"``, ``"birth_date"``).
    known_patient_column : str, optional
        The lookup table's patient-id column (default: the patient column's name). Ids match
        by their text, so ``12345`` and ``"12345"`` are one patient.
    today : datetime.date, optional
        The reference date of age top-coding when an action gives none (default: today).
    offsets : mapping, Series, DataFrame or OffsetTable, optional
        The data steward's date offsets (patient id -> days) instead of the keyed ones; a
        patient missing from it is an error. The policy's ``never_zero``, ``keep_weekday``
        and ``date_window`` are the other date-shift options (``docs/tables.md``).
    crosswalk : path, optional
        Write the encrypted crosswalk (original patient id -> pseudonym, date offset) of the
        patient column, which must be pseudonymized, to this file (``docs/crosswalk.md``).
    crosswalk_key : CrosswalkKey, str, bytes or path, optional
        Its key (default ``DEID_CROSSWALK_KEY`` / ``DEID_CROSSWALK_KEY_FILE``); never ``key``.

    Returns
    -------
    pandas.DataFrame
        Same index and column order, without dropped columns. dtypes are kept where the
        action allows: shifted datetimes stay datetime64 (with their time zone), text stays
        text, ``age_cap`` keeps numbers numeric, ``suppress`` keeps the dtype (numpy
        integers become nullable ``Int64``); pseudonyms, surrogates and labels are text;
        ``generalize(year)`` gives ``Int64``.

    Raises
    ------
    ValueError
        Before any free text is scrubbed: the policy names a column that is missing, a
        column is unnamed and there is no default, the patient column is missing or has
        missing values, a date column does not parse, a value cannot be generalized. The
        message names the column and the problem, never a cell value.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"mrn": ["A1", "B2"], "zip": ["02139", "05901"], "age": [45, 93]})
    >>> out = scrub_frame(df, {"mrn": "pseudonym", "zip": "generalize:zip3", "age": "generalize:age_cap"},
    ...                   key="an example key, 32 bytes long...")
    >>> out["zip"].tolist(), out["age"].tolist(), out["mrn"].str.startswith("PAT-").all()
    (['021', '000'], [45, 90], np.True_)
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"scrub_frame needs a pandas DataFrame, not {type(df).__name__}")
    if not isinstance(policy, Policy):
        if isinstance(policy, Mapping):
            policy = Policy(policy)
        else:
            raise TypeError(f"policy must be a Policy or a mapping, not {type(policy).__name__}")
    columns = list(df.columns)
    bad_names = [c for c in columns if not isinstance(c, str)]
    if bad_names:
        raise ValueError(f"column names must be text; found {len(bad_names)} that are not "
                         f"(types: {', '.join(sorted({type(c).__name__ for c in bad_names}))})")
    dupes = sorted({c for c in columns if columns.count(c) > 1}) if df.columns.has_duplicates else []
    if dupes:
        raise ValueError(f"column name(s) appear more than once: {', '.join(map(repr, dupes))}")
    if not isinstance(n_process, int) or isinstance(n_process, bool) or n_process == 0 or n_process < -1:
        raise ValueError(f"n_process must be a positive integer or -1, got {n_process!r}")
    plan = policy.plan(columns)

    pcol = patient_column if patient_column is not None else policy.patient_column
    patient_ids = None
    if pcol is not None:
        if pcol not in df.columns:
            raise ValueError(f"patient column {pcol!r} is not in the data")
        patient_ids = df[pcol]
        n_missing = int(patient_ids.isna().sum())
        if n_missing:
            raise ValueError(
                f"patient column {pcol!r} has {n_missing} missing value(s): every row needs a "
                "patient id (its date offset and its notes' surrogates depend on it)"
            )
        if isinstance(patient_ids.dtype, pd.CategoricalDtype):
            patient_ids = patient_ids.astype(object)

    if known is not None and patient_ids is None:
        raise ValueError("known identifiers (known=...) need a patient column: it says whose notes they are")
    if known is None and known_columns is not None:
        raise ValueError("known_columns describes a lookup table: pass the table as known=")
    lookup = _check_lookup(known, known_columns, known_patient_column or pcol) if known is not None else None

    keyed = any(a.keyed for a in plan.values())
    key = _resolve_key(key, scrubber, keyed)
    needs_patient = [c for c, a in plan.items() if a.name in ("date_shift", "free_text")]
    if needs_patient and patient_ids is None:
        warnings.warn(
            "deid: no patient column given: every row of "
            + ", ".join(map(repr, needs_patient))
            + " uses the same date offset (set patient_column for per-patient offsets that "
            "match the patients' notes)",
            UserWarning,
            stacklevel=2,
        )
    # date-shift options, the date window and the crosswalk (issue 11: deid/tabular/_tables.py)
    from deid.tabular._tables import FrameOptions

    extras = FrameOptions(policy, plan, key, patient_ids, pcol, offsets, crosswalk, crosswalk_key, scrubber)
    policy = extras.policy(policy)
    ctx = extras.context(key, policy, patient_ids, today or _dt.date.today())

    results: dict[str, pd.Series] = {}
    free_text = []
    for column, action in plan.items():
        if action.name == "free_text":
            free_text.append(column)
            continue
        if action.name in ("keep", "drop"):
            continue
        results[column] = _run(column, action, df[column], ctx)
    # the expensive text engine runs last, after every structured column has passed
    known_ids = None
    if free_text and patient_ids is not None and (known_values or lookup is not None):
        known_ids = _known_identifiers(df, plan, policy, patient_ids, free_text, known_values, lookup)
    for column in free_text:
        results[column] = _run_text(column, df[column], ctx, scrubber, n_process, known_ids)

    out = df.copy(deep=False)  # copy-on-write: kept columns share memory with df
    for column, series in results.items():
        series.index = df.index
        out[column] = series
    dropped = [c for c, a in plan.items() if a.name == "drop"]
    if dropped:
        out = out.drop(columns=dropped)
    extras.finish(df, out, policy, ctx, key)
    return out


def _resolve_key(key, scrubber, keyed: bool):
    from deid.transform import default_key, resolve_key

    # a Scrubber without a key resolves it exactly so: the argument, else default_key()
    scrubber_key = None
    if scrubber is not None:
        scrubber_key = default_key() if scrubber.key is None else resolve_key(scrubber.key)
    if key is None and scrubber_key is not None:
        resolved = scrubber_key
    else:
        resolved = default_key() if key is None else resolve_key(key)
    if scrubber_key is not None and scrubber_key != resolved:
        raise ValueError("the scrubber's key differs from key: notes and rows would not match")
    if keyed and resolved.ephemeral:
        warnings.warn(
            "deid: no key given (argument, DEID_KEY or DEID_KEY_FILE): pseudonyms, surrogates "
            "and date shifts use a random key for this run and will differ in the next one",
            UserWarning,
            stacklevel=3,
        )
    return resolved


def _run(column: str, action: Action, series: pd.Series, ctx) -> pd.Series:
    try:
        if action.name == "suppress":
            return _apply.suppress(series, action, ctx)
        if action.name == "pseudonym":
            return _apply.pseudonym(series, action, ctx, column, record_id=False)
        if action.name == "hash_id":
            return _apply.pseudonym(series, action, ctx, column, record_id=True)
        if action.name == "surrogate":
            return _apply.surrogate(series, action, ctx)
        if action.name == "date_shift":
            return _apply.date_shift(series, action, ctx)
        if action.name == "generalize":
            return _apply.generalize(series, action, ctx)
    except (ValueError, TypeError, OverflowError) as exc:
        # operator messages name types and problems, never values
        raise ValueError(f"column {column!r} ({action}): {exc}") from None
    raise AssertionError(f"no implementation for action {action.name}")  # pragma: no cover


def _check_lookup(known, known_columns, patient_column):
    """``known`` as ``("table", frame, [(columns, entity)], patient column)`` or ``("mapping", known)``."""
    if isinstance(known, pd.DataFrame):
        if known_columns is None:
            raise ValueError("known is a lookup table: give known_columns (its columns -> entity types or roles)")
        if patient_column not in known.columns:
            raise ValueError(f"known: the lookup table has no patient column {patient_column!r} "
                             "(set known_patient_column)")
        n_missing = int(known[patient_column].isna().sum())
        if n_missing:
            raise ValueError(f"known: patient column {patient_column!r} has {n_missing} missing value(s)")
        from deid.tabular._known import check_known_columns

        return ("table", known, check_known_columns(known_columns, known.columns), patient_column)
    from deid.tabular._known import KnownByPatient

    if isinstance(known, KnownByPatient):  # values already collected per patient (scrub_tables)
        if known_columns is not None:
            raise ValueError("known_columns is for a lookup table; known holds values per patient")
        return ("store", known)
    if isinstance(known, Mapping):
        if known_columns is not None:
            raise ValueError("known_columns is for a lookup table; known is a mapping of patient ids")
        return ("mapping", known)
    raise TypeError(f"known must be a DataFrame (a lookup table) or a mapping of patient ids, "
                    f"not {type(known).__name__}")


def _known_identifiers(df: pd.DataFrame, plan: dict, policy: Policy, patient_ids: pd.Series,
                       free_text: list[str], own_columns: bool, lookup):
    """Each patient's known identifiers, from the frame's identifier columns (``own_columns``)
    and the lookup; only patients with some free text are collected."""
    from deid.tabular._known import KnownByPatient, column_entity, id_text, lookup_values

    if lookup is not None and lookup[0] == "store" and not own_columns:
        return lookup[1]
    keys = id_text(patient_ids)
    if lookup is not None and lookup[0] == "store":
        known = lookup[1].copy()  # the caller's values stay as they were
        lookup = None
    else:
        has_text = np.zeros(len(df), dtype=bool)
        for column in free_text:
            has_text |= df[column].notna().to_numpy()
        known = KnownByPatient(set(keys[has_text].tolist()))
    if own_columns:
        for column, action in plan.items():
            entity = column_entity(action, policy.column_roles.get(column), _apply._KIND_ENTITY, column)
            if entity is not None:
                known.add(keys, _apply._plain(df[column]), entity)
    if lookup is not None and lookup[0] == "table":
        _, table, groups, pcol = lookup
        table_keys = id_text(table[pcol])
        for group, entity in groups:
            known.add(table_keys, lookup_values(table, group), entity)
    elif lookup is not None:
        known.add_mapping(lookup[1])
    return known


def _run_text(column: str, series: pd.Series, ctx, scrubber, n_process: int, known) -> pd.Series:
    from deid.text import Scrubber
    from deid.transform import Transformer

    series = _apply._plain(series)
    if not _apply._is_text(series):
        raise ValueError(f"column {column!r} (free_text): the column holds {series.dtype} values, not text")
    if scrubber is None:
        policy = ctx.policy
        scrubber = Scrubber(key=ctx.key, operators=policy.text_operators or None,
                            date_shift_range=policy.date_shift_range)
    # the scrubber's own operators, key and range: its findings are rendered as it would
    transformer = Transformer(ctx.key, scrubber.operators, date_shift_range=tuple(scrubber.date_shift_range))
    text_codes, texts = pd.factorize(series, use_na_sentinel=True)
    valid = text_codes >= 0
    codes = np.full(len(series), -1, dtype=np.intp)
    texts = np.asarray(texts, dtype=object)
    if ctx.patient_ids is not None:
        # one scrub per distinct (text, patient): the patient decides the date offset
        pat_codes, patients = pd.factorize(ctx.patient_ids)
        n_pat = max(len(patients), 1)
        pair = text_codes[valid].astype(np.int64) * n_pat + pat_codes[valid]
        pair_codes, pair_uniques = pd.factorize(pair)
        pair_uniques = np.asarray(pair_uniques)
        # a patient's texts one after the other: their known identifiers are compiled once
        # and dropped when the next patient comes (bounded memory for any number of patients)
        order = np.argsort(pair_uniques % n_pat, kind="stable")
        rank = np.empty(len(order), dtype=np.intp)
        rank[order] = np.arange(len(order))
        pair_uniques = pair_uniques[order]
        texts_in = texts[pair_uniques // n_pat]
        ids_in = np.asarray(patients, dtype=object)[pair_uniques % n_pat]
        codes[valid] = rank[pair_codes]
    else:
        texts_in, ids_in = texts, np.full(len(texts), None, dtype=object)
        codes[valid] = text_codes[valid]
    texts_in, ids_in = texts_in.tolist(), ids_in.tolist()
    # the patient's known identifiers (compiled once per patient, cached) go to the text engine
    per_text = None if known is None else (known.get(p) for p in ids_in)
    year_only = None
    if getattr(ctx.policy, "text_dates", None) == "year":
        reference = text_date_reference(ctx.policy, ctx.today)
        dayfirst = ctx.policy.dayfirst
        year_only = {}
    try:
        found = scrubber.detect_many(texts_in, n_process=n_process, known=per_text)
        scrubbed = []
        for text, patient, findings in zip(texts_in, ids_in, found):
            pieces, pos = [], 0
            for f in findings:
                start, end = f.start, f.end
                pieces.append(text[pos:start])
                if year_only is not None and f.entity_type == "DATE":
                    value = text[start:end]
                    rendered = year_only.get(value)
                    if rendered is None:
                        rendered = year_only[value] = date_as_year(value, reference, dayfirst)
                    pieces.append(rendered)
                else:
                    pieces.append(transformer.transform(text[start:end], f.entity_type, patient))
                pos = end
            pieces.append(text[pos:])
            scrubbed.append("".join(pieces))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"column {column!r} (free_text): {exc}") from None
    table = np.array(scrubbed + [None], dtype=object)
    out = pd.Series(table[codes], index=series.index, name=series.name)
    return _apply._as_text_output(out, series)


# -- Policy(text_dates="year"): dates in free text as their year -------------------------------
#: A year more than this many years before the reference date may be the birth year of
#: someone over 89 (Safe Harbor: such years are removed too).
_MAX_AGE_YEARS = 89


def text_date_reference(policy: Policy, today: _dt.date) -> _dt.date:
    """The reference date of the "over 89" rule for free-text years: the preset's
    ``reference`` (its birth-date action's), else ``today``."""
    birth = policy.roles.get("birth_date")
    ref = birth.params.get("reference") if birth is not None else None
    return _dt.date.fromisoformat(ref) if ref else today


def date_as_year(value: str, reference: _dt.date, dayfirst: bool = False) -> str:
    """A date found in free text, written as its year alone (``"2019"``), or ``"[DATE]"``
    when it has no readable year (``"7/22"``, ``"Thursday"``, ``"last week"``) or when the
    year lies more than 89 years before ``reference`` (it could be the birth year of someone
    over 89, which Safe Harbor removes). Two-digit years are read as the date shifter reads
    them (``'92`` -> 1992).

    >>> import datetime as dt
    >>> ref = dt.date(2026, 1, 15)
    >>> date_as_year("07/22/2019", ref), date_as_year("March 3rd", ref), date_as_year("3/14/1931", ref)
    ('2019', '[DATE]', '[DATE]')
    """
    from deid.transform._date_shift import parse_date

    parsed = parse_date(value, dayfirst)
    day = parsed.shifted(0) if parsed is not None else None
    if day is None or reference.year - day.year > _MAX_AGE_YEARS:
        return "[DATE]"
    return f"{day.year:04d}"

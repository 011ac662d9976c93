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
                known_values: bool = True, today: _dt.date | None = None) -> pd.DataFrame:
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
        With a patient column (default True): the identifier values of a patient's rows
        (names token by token, MRNs, phones, addresses, ZIP codes, ...) are searched for in
        that patient's free text, and replaced like findings of their type where the text
        engine found nothing.
    today : datetime.date, optional
        The reference date of age top-coding when an action gives none (default: today).

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
    ctx = _apply.Context(key, policy, patient_ids, today or _dt.date.today())

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
    known = _known_values(df, plan, policy, patient_ids) if free_text and known_values and \
        patient_ids is not None else None
    for column in free_text:
        results[column] = _run_text(column, df[column], ctx, scrubber, n_process, known)

    out = df.copy(deep=False)  # copy-on-write: kept columns share memory with df
    for column, series in results.items():
        series.index = df.index
        out[column] = series
    dropped = [c for c, a in plan.items() if a.name == "drop"]
    if dropped:
        out = out.drop(columns=dropped)
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


def _known_values(df: pd.DataFrame, plan: dict, policy: Policy, patient_ids: pd.Series):
    from deid.tabular._known import KnownValues, column_entity

    known = KnownValues()
    for column, action in plan.items():
        entity = column_entity(column, action, policy.column_roles.get(column), _apply._KIND_ENTITY)
        if entity is not None:
            known.add_column(patient_ids, _apply._plain(df[column]), entity)
    return known


def _run_text(column: str, series: pd.Series, ctx, scrubber, n_process: int, known) -> pd.Series:
    from deid.tabular._known import merge
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
        texts_in = texts[pair_uniques // n_pat]
        ids_in = np.asarray(patients, dtype=object)[pair_uniques % n_pat]
        codes[valid] = pair_codes
    else:
        texts_in, ids_in = texts, np.full(len(texts), None, dtype=object)
        codes[valid] = text_codes[valid]
    try:
        found = scrubber.detect_many(texts_in.tolist(), n_process=n_process)
        scrubbed = []
        for text, patient, findings in zip(texts_in.tolist(), ids_in.tolist(), found):
            extra = known.spans(text, patient) if known is not None else []
            pieces, pos = [], 0
            for start, end, entity in merge(findings, extra):
                pieces.append(text[pos:start])
                pieces.append(transformer.transform(text[start:end], entity, patient))
                pos = end
            pieces.append(text[pos:])
            scrubbed.append("".join(pieces))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"column {column!r} (free_text): {exc}") from None
    table = np.array(scrubbed + [None], dtype=object)
    out = pd.Series(table[codes], index=series.index, name=series.name)
    return _apply._as_text_output(out, series)

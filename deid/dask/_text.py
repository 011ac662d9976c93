"""Tables and free text on Dask: :func:`scrub_frame` and :func:`scan_frame`, per partition.

Each partition goes through the pandas code unchanged (:func:`deid.tabular.scrub_frame`,
:meth:`deid.text.Scrubber.detect_many`). What must be the same for every partition is
fixed once on the client and shipped with the tasks: the resolved secret key (a random key
for the run is drawn once, not once per partition), the reference date of age top-coding,
and the output dtypes (``meta``, from the pandas function run on the empty frame).

The text engine (recognizers, lexicons, an optional spaCy model) takes seconds to load, so
it is loaded once per worker process: tasks carry a :class:`_ScrubberRef` (a cache token and
the scrubber's parameters), and the worker keeps the :class:`~deid.text.Scrubber` built
from it in a module-level cache for every later partition.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import pickle
import threading
import uuid
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

# ----------------------------------------------------------------------------- worker cache

#: token -> Scrubber, per process (a Dask worker keeps it for its lifetime)
_SCRUBBERS: dict[str, Any] = {}
#: token -> how many times this process built that scrubber (read by the tests)
_BUILDS: dict[str, int] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 4
#: client side: a user's Scrubber object -> its cache token
_USER_TOKENS: "weakref.WeakKeyDictionary[Any, str]" = weakref.WeakKeyDictionary()


class _ScrubberRef:
    """What a task carries instead of a loaded scrubber: a token naming it in the worker's
    cache and what builds it there (a pickled Scrubber holds its parameters only)."""

    __slots__ = ("token", "scrubber")

    def __init__(self, token: str, scrubber):
        self.token = token
        self.scrubber = scrubber

    def get(self):
        """The worker's scrubber for this token, built (and its engine loaded) on first use."""
        with _CACHE_LOCK:
            cached = _SCRUBBERS.get(self.token)
            if cached is None:
                cached = self.scrubber
                cached._engine()  # load recognizers and lexicons now, once, under the lock
                if len(_SCRUBBERS) >= _CACHE_SIZE:
                    _SCRUBBERS.pop(next(iter(_SCRUBBERS)))
                _SCRUBBERS[self.token] = cached
                _BUILDS[self.token] = _BUILDS.get(self.token, 0) + 1
            return cached


def _scrubber_ref(scrubber, *, key=None, **params) -> _ScrubberRef:
    """A reference to ``scrubber`` (a user's Scrubber) or to one built from ``params``."""
    from deid.text import Scrubber

    if scrubber is not None:
        if not isinstance(scrubber, Scrubber):
            raise TypeError(f"scrubber must be a deid.text.Scrubber, not {type(scrubber).__name__}")
        # one token per Scrubber object of the client (and per key, for a keyless one)
        token = _USER_TOKENS.get(scrubber)
        if token is None:
            token = "user-" + uuid.uuid4().hex
            _USER_TOKENS[scrubber] = token
        if scrubber.key is None and key is not None:
            # a keyless scrubber would resolve its key on the worker: give it the client's
            scrubber = pickle.loads(pickle.dumps(scrubber))
            scrubber.key = key
            token += "-" + key.token("dask-scrubber-cache", "v1", 16)
        return _ScrubberRef(token, scrubber)
    # the same parameters give the same token, in every call and on every client
    digest = hashlib.sha256(pickle.dumps(sorted((k, repr(v)) for k, v in params.items())))
    if key is not None:
        digest.update(key.digest("dask-scrubber-cache", "v1"))
    return _ScrubberRef("params-" + digest.hexdigest()[:32], Scrubber(key=key, **params))


class _NoTextScrubber:
    """Stands in for the scrubber when the pandas function runs on the empty ``meta`` frame
    (no text to detect in, so no engine to load on the client)."""

    def __init__(self, key, operators, date_shift_range):
        self.key = key
        self.operators = operators
        self.date_shift_range = date_shift_range

    def detect_many(self, texts, n_process=1, batch_size=64, known=None):
        for _ in texts:  # pragma: no cover - meta frames are empty
            raise AssertionError("the meta frame has no rows")
        return iter(())


# ----------------------------------------------------------------------------- helpers


def _check_dask_frame(ddf, what: str) -> None:
    import dask.dataframe as dd

    if not isinstance(ddf, dd.DataFrame):
        raise TypeError(f"{what} needs a dask DataFrame, not {type(ddf).__name__} "
                        "(for a pandas DataFrame use the deid function of the same name)")


def _conform(out: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    """Give a partition's result the dtypes of ``meta`` where the pandas function chose a
    dtype from the values (an all-missing object column, ...), so partitions agree."""
    for column, dtype in meta.dtypes.items():
        if out[column].dtype != dtype:
            try:
                out[column] = out[column].astype(dtype)
            except (TypeError, ValueError):
                raise ValueError(
                    f"column {column!r}: a partition's result is {out[column].dtype}, other partitions' "
                    f"{dtype}; give the column one dtype before scrubbing"
                ) from None
    return out


def _scrub_partition(part: pd.DataFrame, policy, key, patient_column, ref, known_values, today, meta):
    from deid.tabular import scrub_frame as pandas_scrub_frame

    scrubber = ref.get() if ref is not None else None
    out = pandas_scrub_frame(part, policy, key=key, patient_column=patient_column, scrubber=scrubber,
                             known_values=known_values, today=today)
    return _conform(out, meta)


# ----------------------------------------------------------------------------- scrub_frame


def scrub_frame(ddf, policy, *, key=None, patient_column: str | None = None, scrubber=None,
                known_values: bool = True, today: _dt.date | None = None,
                patients_partitioned: bool = False):
    """:func:`deid.tabular.scrub_frame` on every partition of a Dask DataFrame (lazy).

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        The table; it is not modified.
    policy, key, patient_column, known_values, today
        As in :func:`deid.tabular.scrub_frame`. The key is resolved here, once (``None``:
        ``DEID_KEY``, else ``DEID_KEY_FILE``, else one random key for the whole run), and
        sent to the workers with the tasks: on a real cluster use TLS (``tls://``) or set
        ``DEID_KEY_FILE`` on the workers. ``today`` defaults to the client's date.
    scrubber : deid.text.Scrubber, optional
        The text scrubber for ``free_text`` columns (default: one built from the key and
        the policy's ``text_operators`` and ``date_shift_range``, as the pandas function
        builds it). Each worker process builds it and loads its engine once, for all its
        partitions.
    patients_partitioned : bool
        Known values (a patient's identifiers searched for in the patient's free text) need
        all rows of a patient in one partition. With free-text columns, ``known_values``
        and a patient column, the rows are first shuffled by patient, so output partitions
        hold whole patients and no longer follow the input order (each row keeps its index
        and its values). Pass True when the input already keeps each patient in one
        partition (for example written partitioned by patient) to skip the shuffle.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy; each row equals the pandas function's row for the same input (same index,
        columns and dtypes).

    >>> import dask.dataframe as dd, pandas as pd
    >>> df = pd.DataFrame({"mrn": ["A1", "B2", "A1"], "zip": ["02139", "05901", "02139"]})
    >>> out = scrub_frame(dd.from_pandas(df, npartitions=2), {"mrn": "pseudonym", "zip": "generalize:zip3"},
    ...                   key="an example key, 32 bytes long...").compute()
    >>> out["zip"].tolist()
    ['021', '000', '021']
    """
    from deid.tabular import Policy
    from deid.tabular import scrub_frame as pandas_scrub_frame
    from deid.text import Scrubber
    from deid.transform import default_key, resolve_key

    _check_dask_frame(ddf, "deid.dask.scrub_frame")
    if not isinstance(policy, Policy):
        if isinstance(policy, Mapping):
            policy = Policy(policy)
        else:
            raise TypeError(f"policy must be a Policy or a mapping, not {type(policy).__name__}")
    if scrubber is not None and not isinstance(scrubber, Scrubber):
        raise TypeError(f"scrubber must be a deid.text.Scrubber, not {type(scrubber).__name__}")
    today = today or _dt.date.today()
    # one key for every partition: a random fallback key is drawn here, once
    if key is None and scrubber is not None and scrubber.key is not None:
        resolved = resolve_key(scrubber.key)
    else:
        resolved = default_key() if key is None else resolve_key(key)

    plan = policy.plan([c for c in ddf.columns])
    free_text = [c for c, a in plan.items() if a.name == "free_text"]
    pcol = patient_column if patient_column is not None else policy.patient_column

    # meta: the pandas function on the empty frame (also raises its errors about names,
    # the policy and the key, and gives its warnings, here on the client)
    stand_in = None
    if free_text:
        stand_in = _NoTextScrubber(resolved, scrubber.operators if scrubber is not None else None,
                                   scrubber.date_shift_range if scrubber is not None else None)
        if scrubber is None:
            stand_in.operators = policy.text_operators or None
            stand_in.date_shift_range = policy.date_shift_range
    meta = pandas_scrub_frame(ddf._meta, policy, key=resolved, patient_column=patient_column,
                              scrubber=stand_in, known_values=known_values, today=today)

    ref = None
    if free_text:
        ref = _scrubber_ref(scrubber, key=resolved, operators=policy.text_operators or None,
                            date_shift_range=tuple(policy.date_shift_range))
        if known_values and pcol is not None and not patients_partitioned and ddf.npartitions > 1:
            ddf = ddf.shuffle(on=pcol)
    return ddf.map_partitions(_scrub_partition, policy, resolved, patient_column, ref, known_values, today,
                              meta, meta=meta)


# ----------------------------------------------------------------------------- scan_frame

_FINDING_COLUMNS = {
    "partition": "int64",
    "row_in_partition": "int64",
    "column": "str",
    "entity_type": "str",
    "start": "int64",
    "end": "int64",
    "score": "float64",
    "recognizer": "str",
}


def _findings_meta(index_dtype, fingerprint: bool, allowed: bool = False) -> pd.DataFrame:
    columns = {"index": pd.Series([], dtype=index_dtype)}
    columns.update({c: pd.Series([], dtype=d) for c, d in _FINDING_COLUMNS.items()})
    if fingerprint:
        columns["fingerprint"] = pd.Series([], dtype="str")
    if allowed:
        columns["allowed"] = pd.Series([], dtype="bool")
    return pd.DataFrame(columns)


def _cell_hits(text: str, findings, label: str, fingerprint, allow_marker):
    """The findings of one cell as (start, end, finding, fingerprint, allowed), offsets in
    the cell's text: with a label, findings inside it are dropped and the others shifted
    (the local scan's rule, :func:`deid.gate._scan._value_spans`)."""
    from deid.gate._scan import _allowed, _value_spans

    out = []
    for start, end, f in _value_spans(findings, len(label)):
        fp = fingerprint(f.entity_type, text[start:end]) if fingerprint is not None else None
        allowed = allow_marker is not None and _allowed(text, start, allow_marker)
        out.append((start, end, f, fp, allowed))
    return out


def _scan_partition(part: pd.DataFrame, columns, ref, fingerprint, column_labels, allow_marker, meta,
                    partition_info=None):
    from deid.gate._scan import _prefix

    number = 0 if partition_info is None else int(partition_info["number"])
    scrubber = ref.get()
    pieces = []
    for column in columns:
        series = part[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        values = series.to_numpy(dtype=object, na_value=None)
        # text that is not only white space (the local scan skips the rest too)
        is_text = np.fromiter((isinstance(v, str) and bool(v.strip()) for v in values), dtype=bool,
                              count=len(values))
        rows = np.flatnonzero(is_text)
        if not len(rows):
            continue
        # one detection (and one fingerprint per finding) per distinct text of the partition
        codes, texts = pd.factorize(values[rows])
        texts = list(texts)
        label = _prefix(str(column)) if column_labels else ""
        found = scrubber.detect_many([label + t for t in texts] if label else texts)
        hits = [_cell_hits(t, fs, label, fingerprint, allow_marker) for t, fs in zip(texts, found)]
        counts = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(hits))[codes]
        if not counts.sum():
            continue
        row_of = np.repeat(rows, counts)
        items = [hit for c in codes.tolist() for hit in hits[c]]
        frame = {
            "index": part.index[row_of],
            "partition": np.full(len(items), number, dtype=np.int64),
            "row_in_partition": row_of.astype(np.int64),
            "column": [column] * len(items),
            "entity_type": [h[2].entity_type for h in items],
            "start": np.fromiter((h[0] for h in items), dtype=np.int64, count=len(items)),
            "end": np.fromiter((h[1] for h in items), dtype=np.int64, count=len(items)),
            "score": np.fromiter((h[2].score for h in items), dtype=np.float64, count=len(items)),
            "recognizer": [h[2].recognizer for h in items],
        }
        if fingerprint is not None:
            frame["fingerprint"] = [h[3] for h in items]
        if allow_marker is not None:
            frame["allowed"] = np.fromiter((h[4] for h in items), dtype=bool, count=len(items))
        pieces.append(pd.DataFrame(frame))
    if not pieces:
        return meta.copy()
    out = pd.concat(pieces, ignore_index=True)
    return out.astype(meta.dtypes.to_dict())


def _text_columns(meta: pd.DataFrame) -> list[str]:
    return [c for c, d in meta.dtypes.items()
            if isinstance(d, (pd.StringDtype, pd.CategoricalDtype)) or d == object]


def scan_frame(ddf, columns: Sequence[str] | None = None, *, scrubber=None, entities=None,
               threshold: float | None = None, nlp=None,
               fingerprint: Callable[[str, str], str] | None = None, column_labels: bool = False,
               allow_marker: str | None = None) -> pd.DataFrame:
    """PHI findings in the text columns of a Dask DataFrame: found per partition, merged.

    Each partition's distinct texts go through :meth:`deid.text.Scrubber.detect_many` (the
    engine loaded once per worker); the findings of all partitions come back as one table.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
    columns : sequence of str, optional
        Columns to scan (default: every string, object and categorical column). Cells
        that are not text (numbers in an object column, missing, empty or white space only)
        are skipped.
    scrubber : deid.text.Scrubber, optional
        The detector (default: ``Scrubber(entities=entities, threshold=threshold, nlp=nlp)``).
    entities, threshold, nlp
        For the default scrubber (see :class:`deid.text.Scrubber`).
    fingerprint : callable, optional
        ``fingerprint(entity_type, value) -> str``, run on the workers for every finding
        (e.g. a keyed fingerprint for baselines); adds a ``fingerprint`` column. It must be
        picklable (a module-level function or a ``functools.partial`` of one).
    column_labels : bool
        Detect each cell with its column name as a label (``"mrn: 00482913"`` for column
        ``mrn``), as ``deid scan`` reads table cells, so that rules for labelled values
        apply; findings inside the label are dropped and offsets stay offsets in the cell.
    allow_marker : str, optional
        Adds a boolean ``allowed`` column: True for a finding on a line of its cell that
        holds this marker (``deid scan`` passes ``"deid:allow"`` and drops those).

    Returns
    -------
    pandas.DataFrame
        One row per finding, no cell values: ``row`` (position in the whole table, 0-based),
        ``index`` (the row's index label), ``partition``, ``row_in_partition``, ``column``,
        ``entity_type``, ``start``, ``end`` (character offsets in the cell), ``score``,
        ``recognizer`` [, ``fingerprint``] [, ``allowed``]; sorted by row, column order and
        start.

    >>> import dask.dataframe as dd, pandas as pd
    >>> df = pd.DataFrame({"note": ["call 617-555-0142", "no phi here", None]})
    >>> scan_frame(dd.from_pandas(df, npartitions=2))[["row", "column", "entity_type", "start", "end"]].values.tolist()
    [[0, 'note', 'PHONE', 5, 17]]
    """
    found, _ = _scan_frame(ddf, columns, scrubber=scrubber, entities=entities, threshold=threshold, nlp=nlp,
                           fingerprint=fingerprint, column_labels=column_labels, allow_marker=allow_marker)
    return found


def _scan_frame(ddf, columns, *, scrubber, entities, threshold, nlp, fingerprint, column_labels,
                allow_marker) -> tuple[pd.DataFrame, int]:
    """:func:`scan_frame` and the number of rows of the frame (counted in the same pass)."""
    import dask

    _check_dask_frame(ddf, "deid.dask.scan_frame")
    meta = ddf._meta
    if columns is None:
        columns = _text_columns(meta)
    elif isinstance(columns, str):
        columns = [columns]
    columns = list(columns)
    unknown = [c for c in columns if c not in ddf.columns]
    if unknown:
        raise ValueError(f"unknown column(s) {unknown}: not in the DataFrame")
    not_text = [c for c in columns if c not in _text_columns(meta)]
    if not_text:
        raise ValueError(f"column(s) {not_text} do not hold text (dtypes "
                         f"{', '.join(str(meta[c].dtype) for c in not_text)})")
    if fingerprint is not None and not callable(fingerprint):
        raise TypeError("fingerprint must be a callable fingerprint(entity_type, value) -> str")
    if allow_marker is not None and (not isinstance(allow_marker, str) or not allow_marker):
        raise TypeError("allow_marker must be a non-empty string or None")
    if scrubber is None:
        params = {"entities": None if entities is None else tuple(entities), "nlp": nlp}
        if threshold is not None:
            params["threshold"] = float(threshold)
        if not (nlp is None or isinstance(nlp, str)):
            raise TypeError("nlp must be None or a spaCy model name here (a loaded pipeline is not shipped "
                            "to the workers); pass a Scrubber to use one")
        ref = _scrubber_ref(None, **params)
    else:
        ref = _scrubber_ref(scrubber)
    findings_meta = _findings_meta(meta.index.dtype, fingerprint is not None, allow_marker is not None)
    order = {c: i for i, c in enumerate(columns)}
    selected = ddf[columns] if columns else ddf  # no column to scan: the rows are still counted
    findings = selected.map_partitions(_scan_partition, columns, ref, fingerprint, bool(column_labels),
                                       allow_marker, findings_meta, meta=findings_meta)
    lengths = selected.map_partitions(len, meta=(None, "int64"), enforce_metadata=False)
    found, lengths = dask.compute(findings, lengths)
    lengths = np.asarray(lengths, dtype=np.int64)
    starts = np.r_[0, np.cumsum(lengths)[:-1]]
    found = found.reset_index(drop=True)
    found.insert(0, "row", starts[found["partition"].to_numpy(dtype=np.int64)] + found["row_in_partition"].to_numpy())
    found["_column_order"] = found["column"].map(order)
    found = found.sort_values(["row", "_column_order", "start", "end"], kind="stable")
    return found.drop(columns="_column_order").reset_index(drop=True), int(lengths.sum())

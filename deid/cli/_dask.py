"""``--dask SCHEDULER`` for ``deid scan`` and ``deid risk``: the same work on a Dask cluster,
through :mod:`deid.dask` (the ``deid[dask]`` extra), imported only when asked for.

Both commands keep the local command's behaviour: ``deid risk --dask`` takes its arguments
from :func:`deid.cli._risk.risk_arguments` and turns sensitive columns of numbers into
numbers as the local path does; ``deid scan --dask`` walks folders with the same excludes,
labels table cells with their column name, honours ``deid:allow``, and scans text and JSON
Lines files in this process (the cluster gets the tables).
"""

from __future__ import annotations

from deid.cli._common import UsageError, say

_EXTRA = "install the deid[dask] extra: pip install 'deid[dask]'"

#: File kinds scanned on the cluster; the others (text, JSON Lines) are scanned here.
CLUSTER_KINDS = ("csv", "tsv", "parquet")


def load_dask():
    """(deid.dask, dask.dataframe, distributed.Client), or a usage error naming the extra."""
    try:
        import deid.dask as deid_dask
    except ImportError as exc:
        raise UsageError(f"--dask needs deid.dask, which cannot be imported ({exc}); {_EXTRA}") from None
    try:
        import dask.dataframe as dd
        from distributed import Client
    except ImportError:
        raise UsageError(f"--dask needs dask and distributed; {_EXTRA}") from None
    return deid_dask, dd, Client


def read_dask_frame(dd, path: str, columns=None, *, encoding: str = "utf-8"):
    """A Dask DataFrame of a table file, read as :mod:`deid.io` reads it locally (CSV/TSV:
    every field as text, only empty fields missing)."""
    from deid.io import table_format

    fmt, compression = table_format(path)
    columns = list(columns) if columns is not None else None
    if fmt == "parquet":
        return dd.read_parquet(path, columns=columns)
    if fmt in ("csv", "tsv"):
        options = {}
        if compression is not None:  # a compressed file cannot be split into blocks
            options.update(compression=compression, blocksize=None)
        return dd.read_csv(path, sep="," if fmt == "csv" else "\t", dtype=str, usecols=columns,
                           keep_default_na=False, na_values=[""], encoding=encoding, **options)
    if fmt == "jsonl":
        ddf = dd.read_json(path, lines=True, encoding=encoding,
                           **({"compression": compression} if compression else {}))
        return ddf[columns] if columns else ddf
    raise UsageError(f"{path}: --dask reads CSV, TSV, Parquet and JSON Lines tables")


def check_table(path, columns, *, kind: str, encoding: str) -> None:
    """Read the header (and first row) here with :mod:`deid.io`, so that a missing file, a
    missing column or a broken header gets deid's own message before the cluster is used."""
    from deid.io import iter_table

    kwargs = {"encoding": encoding} if kind != "parquet" else {}
    chunks = iter_table(path, chunksize=1, columns=columns, **kwargs)
    try:
        next(chunks)
    finally:
        chunks.close()


def _client(Client, address):
    try:
        return Client(address, timeout="10s")
    except OSError as exc:
        raise UsageError(f"--dask: cannot reach the scheduler at {address} ({type(exc).__name__})") from None


# -- deid risk --dask -----------------------------------------------------------------------------
def _as_local_text(series):
    # Dask reads text as pandas' "string" dtype (missing: pd.NA), on which to_numeric gives
    # nullable Int64/Float64; deid.io reads "str" (missing: NaN), which gives int64/float64
    return series.astype("str")


def _numeric_summary(part, names):
    import pandas as pd

    out = {}
    for name in names:
        col = _as_local_text(part[name])
        converted = pd.to_numeric(col, errors="coerce")
        out[name] = (int(col.notna().sum()), int(converted.notna().sum()), converted.dtype)
    return out


def _to_numeric(series, dtype):
    import pandas as pd

    return pd.to_numeric(_as_local_text(series), errors="coerce").astype(dtype)


def numeric_sensitive_dask(ddf, sensitive):
    """:func:`deid.gate._gate.numeric_sensitive` for a Dask DataFrame: a text column of
    numbers becomes numbers when every value of the whole column converts (decided over all
    partitions, one pass over those columns), with the dtype the local conversion of the
    whole column gives (int64 unless a partition needs float64)."""
    import dask
    import numpy as np
    import pandas as pd

    names = [s for s in sensitive if pd.api.types.is_string_dtype(ddf._meta[s].dtype)]
    if not names:
        return ddf
    parts = [dask.delayed(_numeric_summary)(p, names) for p in ddf[names].to_delayed()]
    summaries = dask.compute(*parts)
    for name in names:
        present = sum(s[name][0] for s in summaries)
        converted = sum(s[name][1] for s in summaries)
        if present != converted:
            continue
        dtype = np.result_type(*[s[name][2] for s in summaries])
        ddf = ddf.assign(**{name: ddf[name].map_partitions(_to_numeric, dtype, meta=(name, dtype))})
    return ddf


def risk_with_dask(args, qis, sensitive, options):
    """``deid risk --dask``: the report of ``deid.dask.assess_risk`` with the local path's
    arguments (``options`` from :func:`deid.cli._risk.risk_arguments`)."""
    from deid.gate import file_kind

    deid_dask, dd, Client = load_dask()
    columns = list(dict.fromkeys(qis + sensitive))
    check_table(args.file, columns, kind=file_kind(args.file, explicit=True), encoding=args.encoding)
    with _client(Client, args.dask):
        ddf = read_dask_frame(dd, args.file, columns, encoding=args.encoding)
        ddf = numeric_sensitive_dask(ddf, sensitive)
        return deid_dask.assess_risk(ddf, qis, **options)


# -- deid scan --dask -----------------------------------------------------------------------------
def scan_with_dask(args, config, scanner):
    """``deid scan --dask``: the files of the paths (walked and excluded as the local scan
    does); CSV/TSV/Parquet tables are scanned on the cluster with ``deid.dask.scan_frame``
    (cells labelled with their column name, ``deid:allow`` honoured, keyed fingerprints
    computed on the workers, the rows counted in the same pass), text and JSON Lines files
    here with ``scanner``. Returns the :class:`deid.gate.ScanReport`, as the local scan."""
    import time

    from deid.gate import collect_files

    if getattr(args, "show_values", False):
        raise UsageError("--show-values is not available with --dask (values stay on the workers)")
    deid_dask, dd, Client = load_dask()
    started = time.perf_counter()
    key = scanner._key()
    extra = tuple(args.exclude)
    collected = collect_files(args.paths, is_excluded=lambda p: config.is_excluded(p, extra),
                              never=[config.baseline_path])
    tables = [t for t in collected.targets if t.kind in CLUSTER_KINDS]
    here = [t for t in collected.targets if t.kind not in CLUSTER_KINDS]
    states = {}
    if here:
        if tables:
            say(args, f"deid: --dask: {len(here)} text or JSON Lines file(s) scanned in this process, "
                      f"{len(tables)} table(s) on the cluster")
        states.update(zip(here, scanner.scan_targets(here)))
    if tables:
        with _client(Client, args.dask):
            for target in tables:
                states[target] = _scan_table(deid_dask, dd, target, scanner, key)
    return scanner.report(collected, [states[t] for t in collected.targets], started)


def _scan_table(deid_dask, dd, target, scanner, key):
    import functools
    import os

    from deid.dask._text import _scan_frame, _text_columns
    from deid.gate import ALLOW_MARKER, FileFinding, FileProblem, FileScan, fingerprint
    from deid.gate._scan import _parquet_rows, _parquet_text_columns, problem_message

    path = str(target.path)
    state = FileScan(path=path, kind=target.kind)
    columns = list(scanner.columns) if scanner.columns else None
    try:
        state.bytes = os.path.getsize(target.path)
        if target.kind == "parquet" and columns is None:
            columns = _parquet_text_columns(target.path)  # as the local scan: a nested column is an error
            if not columns:
                state.rows = _parquet_rows(target.path)
                return state
        check_table(target.path, columns, kind=target.kind, encoding=scanner.encoding)
        try:
            ddf = read_dask_frame(dd, path, columns, encoding=scanner.encoding)
            text = _text_columns(ddf._meta)  # as the local scan, columns not of text are not scanned
            found, state.rows = _scan_frame(
                ddf, text, scrubber=None, entities=scanner.entities, threshold=scanner.threshold,
                nlp=scanner.nlp, fingerprint=functools.partial(fingerprint, key), column_labels=True,
                allow_marker=ALLOW_MARKER,
            )
        except ValueError as exc:
            raise _located(exc, target, columns, scanner.encoding) from None
    except (FileProblem, ValueError, OSError, MemoryError) as exc:
        state.error = problem_message(exc, path)
        if scanner.on_error is not None:
            scanner.on_error(path, exc)
        return state
    allowed = found["allowed"].to_numpy(dtype=bool)
    state.suppressed = int(allowed.sum())
    for r in found[~allowed].itertuples(index=False):
        state.add(FileFinding(path, r.entity_type, float(r.score), r.fingerprint, r.recognizer,
                              column=int(r.start) + 1, length=int(r.end) - int(r.start),
                              row=int(r.row) + 1, field=str(r.column)))
    return state


def _located(exc: ValueError, target, columns, encoding) -> ValueError:
    """A reading error from the workers (pandas' message could quote the data) as deid's own
    message naming the line, found by reading the file here; else the error itself."""
    from deid.io import TableError, iter_table

    if isinstance(exc, TableError) or target.kind not in ("csv", "tsv"):
        return exc
    try:
        for _ in iter_table(target.path, columns=columns, encoding=encoding):
            pass
    except TableError as located:
        return located
    return exc

"""``--dask SCHEDULER`` for ``deid scan`` and ``deid risk``: the same work on a Dask cluster,
through :mod:`deid.dask` (the ``deid[dask]`` extra), imported only when asked for."""

from __future__ import annotations

from deid.cli._common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, error_line, say

_EXTRA = "install the deid[dask] extra: pip install 'deid[dask]'"


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


def read_dask_frame(dd, path: str, columns=None):
    from deid.io import table_format

    fmt, _ = table_format(path)
    if fmt == "parquet":
        return dd.read_parquet(path, columns=columns)
    if fmt in ("csv", "tsv"):
        return dd.read_csv(path, sep="," if fmt == "csv" else "\t", dtype=str, usecols=columns,
                           keep_default_na=False, na_values=[""])
    if fmt == "jsonl":
        return dd.read_json(path, lines=True)[columns] if columns else dd.read_json(path, lines=True)
    raise UsageError(f"{path}: --dask reads CSV, TSV, Parquet and JSON Lines tables")


def _client(Client, address):
    try:
        return Client(address, timeout="10s")
    except OSError as exc:
        raise UsageError(f"--dask: cannot reach the scheduler at {address} ({type(exc).__name__})") from None


def risk_with_dask(args, qis, sensitive):
    deid_dask, dd, Client = load_dask()
    with _client(Client, args.dask):
        ddf = read_dask_frame(dd, args.file, list(dict.fromkeys(qis + sensitive)))
        return deid_dask.assess_risk(ddf, qis, sensitive=sensitive or None, population_size=args.population_size,
                                     sampling_fraction=args.sampling_fraction)


def scan_with_dask(args, config, key) -> int:
    """Scan each table on the cluster with ``deid.dask.scan_frame`` (findings found per
    partition, the engine loaded once per worker, keyed fingerprints computed on the
    workers); the findings come back without values and are reported like a local scan.

    Unlike the local scan, cells are scanned without their column name as a label."""
    import functools
    import os
    import time

    from deid.cli._scan import emit_scan
    from deid.gate import FileFinding, FileScan, ScanReport, file_kind, fingerprint
    from deid.transform import Key

    if getattr(args, "show_values", False):
        raise UsageError("--show-values is not available with --dask (values stay on the workers)")
    deid_dask, dd, Client = load_dask()
    started = time.perf_counter()
    key = key if key is not None else Key.generate()
    files, errors = [], []
    tables = []
    for p in args.paths:
        kind = file_kind(p)
        if kind in ("csv", "tsv", "parquet", "jsonl"):
            tables.append((p, kind))
        else:
            errors.append((str(p), "--dask scans tables only (CSV, TSV, Parquet, JSON Lines)"))
    threshold = args.threshold if args.threshold is not None else config.threshold
    with _client(Client, args.dask):
        for path, kind in tables:
            state = FileScan(path=str(path), kind=kind)
            files.append(state)
            try:
                state.bytes = os.path.getsize(path)
                ddf = read_dask_frame(dd, str(path))
                columns = list(args.columns or config.columns or []) or None
                found = deid_dask.scan_frame(ddf, columns, entities=args.entities or config.entities,
                                             threshold=threshold, nlp=config.nlp,
                                             fingerprint=functools.partial(fingerprint, key))
                state.rows = int(len(ddf))
            except (ValueError, OSError) as exc:
                state.error = str(exc)
                errors.append((str(path), state.error))
                continue
            for r in found.itertuples(index=False):
                state.add(FileFinding(str(path), r.entity_type, float(r.score), r.fingerprint, r.recognizer,
                                      column=int(r.start) + 1, length=int(r.end) - int(r.start),
                                      row=int(r.row) + 1, field=str(r.column)))
    report = ScanReport(files=files, errors=errors, fingerprint_key="ephemeral" if key.ephemeral else "configured",
                        seconds=time.perf_counter() - started, threshold=threshold)
    for path, message in errors:
        error_line(path, message)
    emit_scan(args, report, config)
    if errors:
        return EXIT_USAGE
    return EXIT_FAILED if report.n_findings else EXIT_OK

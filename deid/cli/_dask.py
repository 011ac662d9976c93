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
    """Scan each table on the cluster with ``deid.dask.scan_frame(ddf, columns)``; findings
    come back as a DataFrame (one row per finding: row, column, entity_type, score, ...).
    Counts by type are printed; values never leave the workers."""
    import json

    deid_dask, dd, Client = load_dask()
    from deid.gate import file_kind

    tables = [p for p in args.paths if file_kind(p) in ("csv", "tsv", "parquet", "jsonl")]
    others = [p for p in args.paths if p not in tables]
    for p in others:
        error_line(p, "--dask scans tables only (CSV, TSV, Parquet, JSON Lines)")
    if not tables:
        return EXIT_USAGE
    totals: dict[str, int] = {}
    per_file = []
    with _client(Client, args.dask):
        for path in tables:
            ddf = read_dask_frame(dd, path)
            columns = list(args.columns or config.columns or [c for c in ddf.columns if str(ddf[c].dtype) in
                                                              ("object", "string", "str", "string[pyarrow]")])
            found = deid_dask.scan_frame(ddf, columns)
            if hasattr(found, "compute"):
                found = found.compute()
            counts = found["entity_type"].value_counts().to_dict() if len(found) else {}
            per_file.append({"path": path, "findings": int(len(found)), "by_type": {k: int(v) for k, v in counts.items()}})
            for k, v in counts.items():
                totals[k] = totals.get(k, 0) + int(v)
    n = sum(totals.values())
    doc = {"tool": "deid", "command": "scan", "dask": args.dask, "files": per_file,
           "summary": {"findings": n, "by_type": totals}}
    if args.format == "json":
        print(json.dumps(doc, indent=2))
    else:
        for f in per_file:
            print(f"{f['path']}: {f['findings']:,} findings " + ", ".join(f"{k} {v:,}" for k, v in f["by_type"].items()))
    say(args, f"deid scan (dask): {len(per_file)} table(s), {n:,} findings")
    return EXIT_USAGE if others else (EXIT_FAILED if n else EXIT_OK)

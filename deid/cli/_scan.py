"""``deid scan``: find PHI in files and folders."""

from __future__ import annotations

import json

from deid.cli._common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    add_detection_options,
    error_line,
    flag,
    load_config,
    report_stream,
    resolve_key,
    say,
    scan_progress,
    scanner_from,
)


def add_arguments(p) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="files and folders (folders are walked recursively)")
    add_detection_options(p)
    p.add_argument("--dask", metavar="SCHEDULER", help="scan tables on a Dask cluster (needs the deid[dask] extra)")


def run(args) -> int:
    config = load_config(args)
    key = resolve_key(args, config)
    scanner = scanner_from(args, config, key)
    if args.dask:
        from deid.cli._dask import scan_with_dask

        report = scan_with_dask(args, config, scanner)
    else:
        extra = tuple(args.exclude)
        with scan_progress(args) as (on_start, on_file):
            report = scanner.scan(args.paths, is_excluded=lambda p: config.is_excluded(p, extra),
                                  never=[config.baseline_path], on_start=on_start, on_file=on_file)
    for path, message in report.errors:
        error_line(path, message)
    emit_scan(args, report, config)
    if report.n_files == 0 and not report.errors:
        raise UsageError("nothing was scanned: no file deid reads in the paths given "
                         f"({report.excluded} excluded, {report.skipped} of other kinds); that is not a pass")
    if report.errors:
        return EXIT_USAGE
    return EXIT_FAILED if report.n_findings else EXIT_OK


def emit_scan(args, report, config) -> None:
    from deid import report as rep

    with report_stream(args.output) as fh:
        if args.format == "json":
            rep.write_scan_json(report, fh)
        elif args.format == "sarif":
            kinds = {f.path: f.kind for f in report.files}
            log = rep.to_sarif(report.findings(), root=config.root, kinds=kinds, errors=report.errors,
                               show_values=flag(args, "show_values"))
            json.dump(log, fh, indent=2, ensure_ascii=False)
            fh.write("\n")
        elif flag(args, "quiet"):
            return
        else:
            out = rep.console(fh)
            rep.render_scan(report, out, limit=args.limit or None, show_values=flag(args, "show_values"))
            return
    if args.format != "table":
        say(args, rep.scan_summary(report))


def register(register_command) -> None:
    register_command(
        "scan",
        help="find PHI in text, JSON Lines, CSV/TSV and Parquet files",
        description="Find PHI in files and folders: text (.txt .md .note .json), JSON Lines (.jsonl "
                    ".ndjson), CSV/TSV and Parquet (every text column). Each finding is reported with "
                    "its file, line or row, column, entity type, score and a keyed fingerprint - "
                    "never the value unless --show-values. Exit 0: nothing found; 1: findings; "
                    "2: an input could not be read, or nothing was scanned.",
        example="deid scan notes/ visits.csv --exclude 'fixtures' --format sarif -o deid.sarif",
        add_arguments=add_arguments,
        run=run,
    )

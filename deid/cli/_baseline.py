"""``deid baseline``: accept the current findings of files."""

from __future__ import annotations

import os

from deid.cli._common import (
    EXIT_OK,
    EXIT_USAGE,
    add_detection_options,
    error_line,
    load_config,
    resolve_key,
    say,
    scan_progress,
    scanner_from,
)


def add_arguments(p) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="files and folders whose findings are accepted")
    add_detection_options(p, formats=("table",))
    p.add_argument("--baseline", metavar="FILE",
                   help="the baseline to write (default: baseline of the configuration, else .deid-baseline.json)")


def run(args) -> int:
    from pathlib import Path

    from deid.gate import Baseline, key_check

    config = load_config(args)
    key = resolve_key(args, config, required="deid baseline")
    path = Path(args.baseline) if args.baseline else config.baseline_path
    if path.exists():
        baseline = Baseline.load(path)
        baseline.check_key(key, str(path))
    else:
        baseline = Baseline()
    scanner = scanner_from(args, config, key)
    extra = tuple(args.exclude)
    with scan_progress(args) as (on_start, on_file):
        report = scanner.scan(args.paths, is_excluded=lambda p: config.is_excluded(p, extra),
                              never=[path], on_start=on_start, on_file=on_file)
    for name, message in report.errors:
        error_line(name, message)
    if report.n_files == 0 and not report.errors:
        error_line(", ".join(map(str, args.paths)), "nothing was scanned (no file deid reads): baseline not written")
        return EXIT_USAGE
    accepted = 0
    for file in report.scanned:
        fps = file.fingerprints()
        accepted += len(fps)
        baseline.replace(config.relative(file.path), fps)
    # entries of files that no longer exist go; files not scanned this time keep theirs
    for name in list(baseline.entries):
        if not os.path.exists(config.root / name):
            del baseline.entries[name]
    baseline.key_check = key_check(key)
    baseline.save(path)
    say(args, f"deid baseline: {path}: accepted {accepted} distinct finding(s) in "
              f"{sum(1 for f in report.scanned if f.n_findings)} of {report.n_files} file(s) scanned; "
              f"{baseline.n_findings} in {len(baseline.entries)} file(s) in all.")
    return EXIT_USAGE if report.errors else EXIT_OK


def register(register_command) -> None:
    register_command(
        "baseline",
        help="accept the current findings of files (writes .deid-baseline.json)",
        description="Scan PATHs and record their findings as accepted: keyed fingerprints of "
                    "(entity type, value) per file - no values, no line numbers, so edits elsewhere "
                    "in a file do not invalidate them. Entries of the files scanned are replaced; "
                    "entries of other files are kept (those of deleted files dropped). Needs the "
                    "project's secret key (key-file, DEID_KEY or DEID_KEY_FILE), so that the gate "
                    "computes the same fingerprints on every machine.",
        example="deid keygen .deid.key && echo 'key-file = \".deid.key\"' >> deid.toml\n"
                "deid baseline docs/ data/",
        add_arguments=add_arguments,
        run=run,
    )

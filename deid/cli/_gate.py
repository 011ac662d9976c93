"""``deid gate``: fail on new PHI findings or tables above their risk limits."""

from __future__ import annotations

import json
from pathlib import Path

from deid.cli._common import (
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
    p.add_argument("paths", nargs="+", metavar="PATH", help="files and folders to check")
    add_detection_options(p)
    p.add_argument("--baseline", metavar="FILE",
                   help="accepted findings (default: baseline of the configuration, else .deid-baseline.json)")


def load_baseline(args, config, key):
    """The baseline (None when its file does not exist) and the key, required with a baseline."""
    from deid.gate import Baseline

    path = Path(args.baseline) if getattr(args, "baseline", None) else config.baseline_path
    if not path.exists():
        return None, key, path
    if key is None:
        key = resolve_key(args, config, required=f"checking against the baseline {path}")
    baseline = Baseline.load(path)
    baseline.check_key(key, str(path))
    return baseline, key, path


def run(args) -> int:
    from deid import report as rep
    from deid.gate import Gate

    config = load_config(args)
    key = resolve_key(args, config)
    baseline, key, baseline_path = load_baseline(args, config, key)
    scanner = scanner_from(args, config, key)
    gate = Gate(config, scanner=scanner, baseline=baseline)
    with scan_progress(args) as (on_start, on_file):
        result = gate.check(args.paths, exclude=args.exclude, encoding=args.encoding, never=[baseline_path],
                            on_start=on_start, on_file=on_file)
    for path, message in result.input_errors:
        error_line(path, message)
    with report_stream(args.output) as fh:
        if args.format == "json":
            json.dump(result.to_dict(), fh, indent=2, ensure_ascii=False, allow_nan=False)
            fh.write("\n")
        elif args.format == "sarif":
            kinds = {f.path: f.kind for f in result.scan.files}
            log = rep.to_sarif(result.new_findings, root=config.root, kinds=kinds, errors=result.input_errors,
                               risk=result.risk, show_values=flag(args, "show_values"))
            json.dump(log, fh, indent=2, ensure_ascii=False)
            fh.write("\n")
        else:
            rep.render_gate(result, rep.console(fh), limit=args.limit or None,
                            baseline_name=baseline_path.name, quiet=flag(args, "quiet"),
                            show_values=flag(args, "show_values"))
    if args.format != "table":
        if result.nothing_scanned and not result.input_errors:
            error_line(", ".join(map(str, args.paths)),
                       "nothing was scanned (no file deid reads in the paths given): that is not a pass")
        say(args, f"deid gate: {'passed' if result.passed else 'FAILED'}: {rep.scan_summary(result.scan)}")
    return result.exit_code


def register(register_command) -> None:
    register_command(
        "gate",
        help="fail on new PHI or on tables above their risk limits (pre-commit, CI)",
        description="Scan PATHs like `deid scan` and fail (exit 1) when a finding at or above the "
                    "threshold is not accepted by the baseline (.deid-baseline.json) or by 'deid:allow' "
                    "on its line, or when a table matching a [[tool.deid.risk]] rule of the "
                    "configuration exceeds its limits (min-k, max-records-at-risk, ...). Exit 0: pass; "
                    "1: the gate failed; 2: an input could not be read, or nothing was scanned.",
        example="deid gate data/ notes/\n"
                "# .pre-commit-config.yaml:  - repo: ...  hooks: [{id: deid-gate}]",
        add_arguments=add_arguments,
        run=run,
    )

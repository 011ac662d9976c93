"""What the commands share: errors, options, the key, the configuration, progress, output."""

from __future__ import annotations

import argparse
import contextlib
import os
import stat
import sys
import tempfile
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A problem with the command line or its inputs: exit code 2, one line, no traceback."""


# -- options ----------------------------------------------------------------------------------
def output_options() -> argparse.ArgumentParser:
    """-q/-v and --config, shared by every command (defaults suppressed, so they may be
    given before or after the command name)."""
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("output and configuration")
    g.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                   help="print only failures and errors; no progress bar")
    g.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                   help="more detail; tracebacks for errors")
    g.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS,
                   help="configuration file (default: deid.toml or [tool.deid] in pyproject.toml, "
                        "searched upwards from the current folder)")
    return p


def comma_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def add_detection_options(p: argparse.ArgumentParser, *, formats=("table", "json", "sarif")) -> None:
    g = p.add_argument_group("detection")
    g.add_argument("--entities", type=comma_list, action="extend", metavar="A,B",
                   help="entity types to detect, e.g. NAME,SSN,MRN (default: all; see docs/entities.md)")
    g.add_argument("--threshold", type=float, metavar="X",
                   help="lowest score that counts, 0-1 (default: the configuration's, else 0.3)")
    g.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                   help="skip matching paths (repeatable; 'fixtures', '*.md', 'data/raw/**')")
    g.add_argument("--text-field", action="append", metavar="FIELD", dest="text_fields",
                   help="JSON Lines field to scan (repeatable; default: every text field)")
    g.add_argument("--columns", type=comma_list, action="extend", metavar="A,B",
                   help="table columns to scan (default: every text column)")
    g.add_argument("--encoding", default="utf-8", help="encoding of text and CSV files (default utf-8)")
    g.add_argument("-j", "--jobs", type=int, metavar="N",
                   help="worker processes for detection (default: the configuration's, else 1)")
    g.add_argument("--key-file", metavar="F",
                   help="secret key for fingerprints (default: DEID_KEY, DEID_KEY_FILE, key-file of the configuration)")
    o = p.add_argument_group("report")
    o.add_argument("--format", choices=formats, default="table", help="output format (default: table)")
    o.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE (atomically) instead of stdout")
    o.add_argument("--limit", type=int, default=200, metavar="N",
                   help="findings shown in a table (default 200; 0: all)")
    o.add_argument("--show-values", action="store_true",
                   help="print the text of each finding (PHI!) - never in shared logs")


def flag(args, name: str) -> bool:
    return bool(getattr(args, name, False))


# -- configuration and key ---------------------------------------------------------------------
def load_config(args):
    from deid.config import load_config as _load

    return _load(getattr(args, "config", None))


def resolve_key(args, config, *, required: str | None = None):
    """The secret key: --key-file, DEID_KEY, DEID_KEY_FILE, then key-file of the
    configuration; None when there is none (``required`` names why one is needed: then a
    missing key is a usage error)."""
    from deid.transform import Key

    key_file = getattr(args, "key_file", None)
    if key_file:
        return Key.from_file(key_file)
    key = Key.from_env()
    if key is not None:
        return key
    if config.key_file is not None:
        return Key.from_file(config.key_file)
    if required:
        raise UsageError(
            f"{required} needs a secret key, so that fingerprints are the same in every run and on "
            "every machine and cannot be reversed by guessing values: set key-file in [tool.deid] "
            "(or deid.toml), DEID_KEY or DEID_KEY_FILE, or give --key-file (create one with `deid keygen FILE`)"
        )
    return None


def scanner_from(args, config, key):
    from deid.gate import Scanner

    jobs = args.jobs if getattr(args, "jobs", None) is not None else (config.jobs or 1)
    if jobs < 1:
        raise UsageError(f"--jobs must be at least 1, got {jobs}")
    threshold = args.threshold if getattr(args, "threshold", None) is not None else config.threshold
    if threshold is not None and not 0 <= threshold <= 1:
        raise UsageError(f"--threshold must be between 0 and 1, got {threshold}")
    entities = args.entities or config.entities
    if entities:
        from deid.entities import ENTITY_TYPES

        bad = [e for e in entities if e not in ENTITY_TYPES]
        if bad:
            raise UsageError(f"unknown entity type {bad[0]!r} (known: {', '.join(ENTITY_TYPES)})")
    return Scanner(
        key=key, entities=entities, threshold=threshold, nlp=config.nlp,
        text_fields=args.text_fields or config.text_fields, columns=args.columns or config.columns,
        jobs=jobs, show_values=flag(args, "show_values"), encoding=args.encoding,
        on_error=print_traceback if flag(args, "verbose") else None,
    )


def print_traceback(path: str, exc: BaseException) -> None:
    """--verbose: the traceback of an error met in a file, on stderr, as it happens (the
    one-line message follows in the list of errors). Errors from other libraries may quote
    data in their message: --verbose is for debugging on the data's own machine."""
    import traceback

    print(f"deid: {path}: traceback (--verbose):", file=sys.stderr)
    traceback.print_exception(exc, file=sys.stderr)


# -- progress -----------------------------------------------------------------------------------
@contextlib.contextmanager
def scan_progress(args):
    """(on_start, on_file) callbacks driving a rich progress bar on stderr, only when stderr
    is a terminal and --quiet is not given; otherwise callbacks that do nothing."""
    if flag(args, "quiet") or not sys.stderr.isatty():
        yield None, None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), DownloadColumn(),
        MofNCompleteColumn(), TimeRemainingColumn(),
        console=Console(file=sys.stderr), transient=True,
    )
    state = {}

    def on_start(targets):
        total = 0
        for t in targets:
            with contextlib.suppress(OSError):
                total += os.path.getsize(t.path)
        state["task"] = progress.add_task("scanning", total=total or None)
        state["files"] = len(targets)

    def on_file(file_scan):
        task = state.get("task")
        if task is not None:
            progress.update(task, advance=file_scan.bytes, description=f"scanning {len(state.setdefault('done', [])) + 1}/{state['files']}")
            state["done"].append(1)

    with progress:
        yield on_start, on_file


# -- output -------------------------------------------------------------------------------------
def special_file(path: Path) -> bool:
    """Whether ``path`` is a device, pipe or socket (``-o /dev/null``, ``/dev/stdout``, a FIFO).

    Such an output is written in place: renaming a temporary file over it, as regular files are
    written, would replace the device itself (as root, ``/dev/null`` became a regular file).
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


@contextlib.contextmanager
def report_stream(path: str | None):
    """stdout, or a file written atomically (temporary file, then rename) when ``path`` is given."""
    if not path or path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path)
    if special_file(target):
        with open(target, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def error_line(path: str, message: str) -> None:
    print(f"deid: {path}: {message}", file=sys.stderr)


def say(args, text: str) -> None:
    """A note on stderr, unless --quiet."""
    if not flag(args, "quiet"):
        print(text, file=sys.stderr)

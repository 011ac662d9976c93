"""The ``deid`` command.

    deid scrub examples/notes -        scrub text files (or a folder of them) to stdout
    deid scrub note.txt out.txt        ... or to a file, written atomically

Exit codes: 0 success, 1 a check failed, 2 usage or input error. More commands (scan,
risk, gate, baseline) are documented in ``docs/cli.md``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

TEXT_SUFFIXES = (".txt", ".md", ".note")


class UsageError(Exception):
    """A problem with the command line or its inputs: exit code 2, one line, no traceback."""


def _text_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
        if not files:
            raise UsageError(f"{path}: no text files ({', '.join(TEXT_SUFFIXES)}) in this folder")
        return files
    if path.is_file():
        return [path]
    raise UsageError(f"{path}: no such file or folder")


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror})") from None
    if b"\x00" in data[:8192] and data.count(b"\x00") > len(data) // 10:
        raise UsageError(f"{path}: looks like a binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not valid UTF-8 (byte {exc.start})") from None


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _cmd_scrub(args) -> int:
    from deid.text import Scrubber
    from deid.transform import resolve_key

    key = resolve_key(None, key_file=args.key_file) if args.key_file else None
    scrubber = Scrubber(key=key)
    src = Path(args.input)
    files = _text_files(src)
    out = args.output
    if out != "-":
        out_path = Path(out)
        if src.is_dir() and out_path.resolve() == src.resolve():
            raise UsageError("OUT must differ from IN: the input is never modified")
    for f in files:
        result = scrubber.scrub(_read_text(f), patient_id=args.patient_id)
        if out == "-":
            if len(files) > 1:
                sys.stdout.write(f"==> {f} <==\n")
            sys.stdout.write(result.text)
            if not result.text.endswith("\n"):
                sys.stdout.write("\n")
        else:
            target = out_path / f.relative_to(src) if src.is_dir() else out_path
            if target.resolve() == f.resolve():
                raise UsageError(f"{f}: OUT would overwrite IN; the input is never modified")
            _write_atomically(target, result.text)
        if args.verbose:
            counts: dict[str, int] = {}
            for finding in result.findings:
                counts[finding.entity_type] = counts.get(finding.entity_type, 0) + 1
            summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"
            print(f"{f}: {len(result.findings)} findings ({summary})", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deid",
        description="De-identify clinical text and records; measure and lower re-identification risk.",
        epilog="example: deid scrub examples/notes -",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser(
        "scrub",
        help="replace PHI in text files with surrogates, shifted dates and tags",
        description="Replace PHI in text files. IN is a file or a folder of .txt/.md/.note files; "
        "OUT is a file or folder, or - for stdout. OUT is written atomically; IN is never modified.",
        epilog="example: DEID_KEY_FILE=secret.key deid scrub notes/ scrubbed/",
    )
    p.add_argument("input", metavar="IN")
    p.add_argument("output", metavar="OUT", nargs="?", default="-")
    p.add_argument("--key-file", help="file holding the secret key (default: DEID_KEY or DEID_KEY_FILE)")
    p.add_argument("--patient-id", help="patient id for date shifting (one patient's notes)")
    p.add_argument("-v", "--verbose", action="store_true", help="report finding counts per file on stderr")
    p.set_defaults(func=_cmd_scrub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from deid import __version__

        print(f"deid {__version__}")
        return 0
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"deid: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # bad configuration (key too short, ...): messages never hold PHI
        print(f"deid: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

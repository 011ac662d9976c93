"""``deid scrub``: text files, JSON Lines, CSV/TSV and Parquet; OUT written atomically."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from deid.cli._common import EXIT_OK, UsageError, flag, load_config, resolve_key, say, special_file

TEXT_SUFFIXES = (".txt", ".md", ".note")


USAGE = ("deid scrub [options] IN [OUT]\n"
         "       deid scrub --tables TOML [--crosswalk FILE] [options] OUT_DIR")
# options of the one-file / one-folder form only (their meaning comes from the TOML file otherwise)
_SINGLE_ONLY = (("patient_id", "--patient-id"), ("policy", "--policy"), ("patient_field", "--patient-field"),
                ("text_fields", "--text-field"), ("save_policy", "--save-policy"), ("tags", "--tags"))


def add_arguments(p) -> None:
    p.usage = USAGE
    p.add_argument("input", metavar="IN", help="a text file, a folder of .txt/.md/.note files, or a table "
                                                "(.csv .tsv .parquet .jsonl, by its ending); with --tables: "
                                                "OUT_DIR, the folder the scrubbed tables go to")
    p.add_argument("output", metavar="OUT", nargs="?", default=None,
                   help="file or folder; - (default) prints text to stdout")
    t = p.add_argument_group("linked tables (docs/tables.md)")
    t.add_argument("--tables", metavar="TOML",
                   help="scrub the linked tables this file describes (files, policies, relations) into "
                        "OUT_DIR: joins survive, one date offset per patient in every table")
    t.add_argument("--crosswalk", metavar="FILE",
                   help="with --tables: write the encrypted crosswalk (original patient id -> pseudonym, "
                        "date offset) here, outside OUT_DIR (default: crosswalk of the TOML file, if any)")
    t.add_argument("--crosswalk-key-file", metavar="K",
                   help="file holding the crosswalk key (default: DEID_CROSSWALK_KEY, DEID_CROSSWALK_KEY_FILE); "
                        "never the pseudonym key")
    p.add_argument("--key-file", help="file holding the secret key (default: DEID_KEY or DEID_KEY_FILE, "
                                      "then key-file of the configuration)")
    p.add_argument("--patient-id", help="patient id for date shifting (text: one patient's notes)")
    p.add_argument("--policy", metavar="TOML", help="column policy for tables (docs/tabular.md); default: "
                                                    "the Safe Harbor preset with columns classified by deid")
    p.add_argument("--patient-field", "--patient-column", dest="patient_field", metavar="F",
                   help="table column / JSON field holding the patient id (date offsets, known values)")
    p.add_argument("--text-field", action="append", dest="text_fields", metavar="F",
                   help="JSON Lines / table field of free text (repeatable; added to the policy as free text)")
    p.add_argument("--save-policy", metavar="TOML", help="write the policy used for a table to TOML (review it)")
    p.add_argument("--tags", action="store_true",
                   help="text: replace every finding with its type tag ([NAME], [DATE]) instead of surrogates "
                        "(output a PHI gate passes: surrogates look like PHI on purpose)")
    p.add_argument("-j", "--jobs", type=int, default=1, metavar="N", help="worker processes for free text")
    p.add_argument("--encoding", default="utf-8", help="encoding of text and CSV input (default utf-8)")


# -- text files (the original command, unchanged in behaviour) ----------------------------------
def _text_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
        if not files:
            raise UsageError(f"{path}: no text files ({', '.join(TEXT_SUFFIXES)}) in this folder")
        return files
    if path.is_file():
        return [path]
    raise UsageError(f"{path}: no such file or folder")


def _read_text(path: Path, encoding: str) -> str:
    from deid.gate import FileProblem, decode

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror})") from None
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UsageError(f"{path}: looks like a binary file (it holds NUL bytes), not text")
    try:
        return decode(data, encoding)
    except FileProblem as exc:
        raise UsageError(f"{path}: {exc}") from None


def _write_atomically(path: Path, text: str) -> None:
    if special_file(path):  # -o /dev/null: written in place, never renamed over
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _scrub_text(args, src: Path, key) -> int:
    from deid.text import Scrubber

    operators = None
    if args.tags:
        from deid.entities import ENTITY_TYPES

        operators = {entity: "tag" for entity in ENTITY_TYPES}
    scrubber = Scrubber(key=key, operators=operators)
    files = _text_files(src)
    out = args.output
    if out != "-":
        out_path = Path(out)
        if src.is_dir() and out_path.resolve() == src.resolve():
            raise UsageError("OUT must differ from IN: the input is never modified")
    texts = (_read_text(f, args.encoding) for f in files)
    results = scrubber.scrub_many(texts, patient_ids=[args.patient_id] * len(files), n_process=max(1, args.jobs))
    for f, result in zip(files, results):
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
        if flag(args, "verbose"):
            counts: dict[str, int] = {}
            for finding in result.findings:
                counts[finding.entity_type] = counts.get(finding.entity_type, 0) + 1
            summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"
            print(f"{f}: {len(result.findings)} findings ({summary})", file=sys.stderr)
    return EXIT_OK


# -- tables ---------------------------------------------------------------------------------------
def _policy_for(args, first_chunk):
    from deid.tabular import Policy, classify_columns

    if args.policy:
        policy = Policy.from_toml(args.policy)
    else:
        policy = classify_columns(first_chunk)
        report = getattr(policy, "report", None)
        roles = ""
        if report is not None:
            roles = ", ".join(f"{c}={r}" for c, r in zip(report["column"], report["role"]))
        say(args, "deid scrub: no --policy: the Safe Harbor preset with the columns classified by deid"
                  + (f" ({roles})" if roles else "") + "; review it with --save-policy FILE")
    if args.text_fields:
        policy = policy.with_columns({name: "free_text" for name in args.text_fields})
    return policy


def _scrub_table(args, src: Path, key, fmt: str) -> int:
    from deid.io import TableWriter, iter_table
    from deid.tabular import scrub_frame

    if args.output == "-":
        raise UsageError("a table needs an OUT file (its format comes from its ending)")
    kwargs = {"encoding": args.encoding} if fmt != "parquet" else {}
    chunks = iter_table(src, **kwargs)
    first = next(chunks)
    policy = _policy_for(args, first)
    if args.save_policy:
        policy.to_toml(args.save_policy)
    rows = 0
    with TableWriter(args.output, inputs=[src]) as writer:
        for chunk in _chain(first, chunks):
            writer.write(scrub_frame(chunk, policy, key=key, patient_column=args.patient_field,
                                     n_process=max(1, args.jobs)))
            rows += len(chunk)
    say(args, f"deid scrub: {src} -> {args.output}: {rows:,} rows")
    return EXIT_OK


def _chain(first, rest):
    yield first
    yield from rest


# -- linked tables: deid scrub --tables tables.toml OUT_DIR --------------------------------------
def _check_tables_arguments(args) -> None:
    """Usage errors of the --tables form, before anything is read."""
    if args.output is not None:
        raise UsageError("with --tables, give only OUT_DIR (the tables and their files come from the TOML "
                         f"file), not IN and OUT; usage: {USAGE.splitlines()[1].strip()}")
    if args.input == "-":
        raise UsageError("with --tables, OUT_DIR must be a folder, not - (tables are not printed)")
    given = [option for name, option in _SINGLE_ONLY if getattr(args, name, None)]
    if args.encoding.lower().replace("-", "").replace("_", "") != "utf8":
        given.append("--encoding")  # tables are read as the TOML file's files are: UTF-8
    if given:
        raise UsageError(f"{', '.join(given)} cannot be used with --tables: each table's policy and patient "
                         "column come from the TOML file (docs/tables.md)")
    if args.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, got {args.jobs}")


def _scrub_tables(args, key) -> int:
    from deid.tabular import scrub_table_files

    crosswalk_key = Path(args.crosswalk_key_file) if args.crosswalk_key_file else None
    result = scrub_table_files(args.tables, args.input, key=key, crosswalk=args.crosswalk,
                               crosswalk_key=crosswalk_key, n_process=args.jobs)
    rows = int(result.report["rows"].sum())
    say(args, f"deid scrub: {len(result)} tables, {rows:,} rows -> {args.input}"
              + (f"; crosswalk written to {args.crosswalk}" if args.crosswalk else ""))
    if flag(args, "verbose"):
        for row in result.report.itertuples(index=False):
            print(f"  {row.table}: {row.rows:,} rows, {row.columns} columns, patient column "
                  f"{row.patient_column or '-'}", file=sys.stderr)
    return EXIT_OK


def run(args) -> int:
    from deid.io import table_format

    if args.tables is not None:
        _check_tables_arguments(args)
    elif args.crosswalk or args.crosswalk_key_file:
        raise UsageError("--crosswalk and --crosswalk-key-file go with --tables (a crosswalk maps the patients "
                         "of linked tables); usage: " + USAGE.splitlines()[1].strip())
    config = load_config(args)
    key = resolve_key(args, config)
    if args.tables is not None:
        return _scrub_tables(args, key)
    if args.output is None:
        args.output = "-"
    src = Path(args.input)
    if not src.exists():
        raise UsageError(f"{src}: no such file or folder")
    fmt = None
    if src.is_file():
        try:
            fmt, _ = table_format(src)
        except ValueError:
            fmt = None
    if fmt is None:
        return _scrub_text(args, src, key)
    return _scrub_table(args, src, key, fmt)


def register(register_command) -> None:
    register_command(
        "scrub",
        help="replace PHI in text files and tables with surrogates, shifted dates and tags",
        description="Replace PHI. IN is a text file, a folder of .txt/.md/.note files, or a table "
                    "(.csv .tsv .parquet .jsonl, optionally compressed); OUT is a file or folder, or - "
                    "for stdout (text only). OUT is written atomically; IN is never modified. Tables "
                    "follow a column policy (--policy policy.toml; default: the Safe Harbor preset with "
                    "columns classified by deid). With --tables TOML, the linked tables the file describes "
                    "are scrubbed together into OUT_DIR (docs/tables.md): all of them or none, the "
                    "crosswalk (--crosswalk) last.",
        example="DEID_KEY_FILE=secret.key deid scrub notes/ scrubbed/\n"
                "deid scrub visits.csv visits.parquet --policy policy.toml --patient-field mrn\n"
                "deid scrub --tables tables.toml release/ --crosswalk ~/secure/release.xwalk",
        add_arguments=add_arguments,
        run=run,
    )

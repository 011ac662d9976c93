"""``deid verify RAW SCRUBBED``: the command-line face of :func:`deid.verify.verify`.

The ``deid`` command adds it with :func:`register` (``register(subparsers)`` adds the
``verify`` sub-command, whose ``func`` is :func:`run`); :func:`main` runs it on its own
(``python -m deid.verify RAW SCRUBBED``). Exit status: 0 nothing survived, 1 something
survived, 2 usage or input error. The report names types, files, rows, columns and offsets,
never a value.
"""

from __future__ import annotations

import argparse
import sys

DESCRIPTION = (
    "Compare raw data with its scrubbed version (from any tool) and report every identifier of "
    "the raw data that survived: values of identifier columns, known identifiers of a lookup table, "
    "and spans the detector finds in the raw text; verbatim, in another case, with digits "
    "reformatted, as a date in another format, or as tokens that survive together. RAW and SCRUBBED "
    "are two folders of text files (matched by relative path), two tables (CSV/TSV, Parquet, JSON "
    "Lines; rows matched by --row-key or by position) or two text files. Exit status 1 when anything "
    "survived, so it can gate a release. Values are never printed."
)
EPILOG = """examples:
  deid verify notes/ scrubbed_notes/
  deid verify encounters.parquet out/encounters.parquet --row-key encounter_id \\
      --identifiers name=NAME,mrn=MRN,dob=birth_date --text-columns note --patient-column patient_id
  deid verify notes.jsonl scrubbed.jsonl --row-key note_id --patient-column mrn \\
      --known patients.csv --known-columns first+last=NAME,dob=DATE,phone=PHONE --json report.json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``deid verify`` (for a parser made elsewhere)."""
    parser.add_argument("raw", metavar="RAW", help="the data before scrubbing (folder, table or text file)")
    parser.add_argument("scrubbed", metavar="SCRUBBED", help="the same data after scrubbing")
    parser.add_argument("--row-key", metavar="COL[,COL]", help="tables: column(s) matching raw and scrubbed rows "
                        "(default: by position); not searched, so use a key that is not an identifier")
    parser.add_argument("--identifiers", metavar="COL=TYPE,...",
                        help="raw identifier columns and their entity types or roles (NAME, MRN, birth_date, ...)")
    parser.add_argument("--policy", metavar="FILE", help="the column policy (TOML) used to scrub: its roles give "
                        "the identifier columns")
    parser.add_argument("--text-columns", metavar="COL,...", help="raw columns the detector reads "
                        "(default: every text column that is not an identifier, key or patient column)")
    parser.add_argument("--patient-column", metavar="COL", help="raw column of patient ids: identifiers are "
                        "pooled per patient and the lookup table applies by it")
    parser.add_argument("--known", metavar="FILE", help="lookup table of known identifiers (one row per patient "
                        "or contact)")
    parser.add_argument("--known-columns", metavar="COL=TYPE,...", help="its columns and their entity types or "
                        "roles; A+B joins columns with a space (first+last=NAME)")
    parser.add_argument("--known-patient-column", metavar="COL", help="its patient-id column (default: the "
                        "patient column's name)")
    parser.add_argument("--no-detect", action="store_true", help="do not run the detector over the raw text")
    parser.add_argument("--entities", metavar="TYPE,...", help="report only these entity types")
    parser.add_argument("--format", help="table format of both files when their names do not say it")
    parser.add_argument("--all-files", action="store_true", help="folders: compare every file, not only "
                        ".txt/.text/.md/.note")
    parser.add_argument("--n-process", type=int, default=1, metavar="N", help="detector worker processes")
    parser.add_argument("--json", metavar="PATH", help="write the report as JSON (- for stdout)")
    parser.add_argument("--max-locations", type=int, default=20, metavar="N",
                        help="locations listed in the text report (default 20; the JSON lists all)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the verdict")


def register(subparsers) -> argparse.ArgumentParser:
    """Add ``verify`` to the ``deid`` command's sub-commands; its ``func`` default is :func:`run`."""
    parser = subparsers.add_parser(
        "verify", help="prove that no identifier of RAW survived in SCRUBBED (exit 1 if one did)",
        description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    parser.set_defaults(func=run)
    return parser


def _pairs(text: str | None, what: str) -> dict | None:
    """``a=NAME,b+c=name`` as ``{"a": "NAME", ("b", "c"): "name"}``."""
    if text is None:
        return None
    out: dict = {}
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        column, sep, kind = item.rpartition("=")
        if not sep or not column or not kind:
            raise ValueError(f"{what}: expected COLUMN=TYPE items separated by commas, got {item!r}")
        cols = tuple(c.strip() for c in column.split("+"))
        out[cols[0] if len(cols) == 1 else cols] = kind.strip()
    return out


def _list(text: str | None) -> list[str] | None:
    return None if text is None else [c.strip() for c in text.split(",") if c.strip()]


def run(args: argparse.Namespace) -> int:
    """Run ``deid verify`` from parsed arguments; the exit status (0 ok, 1 leaks). Bad input is a
    ``ValueError`` (the ``deid`` command prints it and exits 2)."""
    from deid.verify._verify import TEXT_SUFFIXES, verify

    identifiers = _pairs(args.identifiers, "--identifiers")
    if args.policy:
        if identifiers:
            raise ValueError("give --identifiers or --policy, not both")
        from deid.tabular import Policy

        identifiers = Policy.from_toml(args.policy)
    known = None
    if args.known:
        from deid.io import read_table

        known = read_table(args.known)
    elif args.known_columns:
        raise ValueError("--known-columns describes the --known table; give --known")
    row_key = _list(args.row_key)
    if row_key is not None and len(row_key) == 1:
        row_key = row_key[0]
    if args.max_locations < 0:
        raise ValueError("--max-locations must be 0 or more")
    try:
        result = verify(
            args.raw, args.scrubbed, row_key=row_key, identifiers=identifiers,
            text_columns=_list(args.text_columns), patient_column=args.patient_column, known=known,
            known_columns=_pairs(args.known_columns, "--known-columns"),
            known_patient_column=args.known_patient_column, detect=not args.no_detect,
            entities=_list(args.entities), n_process=args.n_process, format=args.format,
            suffixes=None if args.all_files else TEXT_SUFFIXES,
        )
    except TypeError as exc:
        raise ValueError(str(exc)) from None
    if args.json == "-":
        sys.stdout.write(result.to_json())
    else:
        if args.json:
            result.to_json(args.json)
        if args.quiet:
            print("OK: no identifier survived" if result.ok else
                  f"LEAKS: {result.n_leaks} identifier(s) survived in {result.n_records_with_leaks} record(s)")
        else:
            print(result.summary(max_locations=args.max_locations))
    return result.exit_code


def main(argv=None) -> int:
    """``deid verify`` on its own: parse ``argv``, run, return the exit status (2 on bad input,
    with one line on stderr naming the problem)."""
    parser = argparse.ArgumentParser(prog="deid verify", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except ValueError as exc:
        print(f"deid verify: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130

"""``deid crosswalk lookup PSEUDONYM --crosswalk F``: whom a pseudonym stands for.

For the data steward who holds the crosswalk key (``DEID_CROSSWALK_KEY``,
``DEID_CROSSWALK_KEY_FILE`` or ``--crosswalk-key-file``). The original id is printed
because that is what was asked for; nothing else is. Exit status: 0 found, 1 not in the
crosswalk, 2 usage or input error (a wrong key, a file that is not a crosswalk).

Wiring into ``deid``: this module has the lazy-command shape (``DESCRIPTION``, ``EPILOG``,
``add_arguments(parser)``, ``run(args) -> int``), :func:`register` for the command registry
(``register(register_command)``), and :func:`cli_lookup` runs it on its own.
"""

from __future__ import annotations

import argparse
import json
import sys

DESCRIPTION = (
    "Look up whom a pseudonym stands for, in a crosswalk written by scrub_tables/scrub_frame "
    "(crosswalk=...) or `deid scrub --tables ... --crosswalk F`. The crosswalk is encrypted; it opens "
    "with the crosswalk key only (DEID_CROSSWALK_KEY, DEID_CROSSWALK_KEY_FILE or --crosswalk-key-file), "
    "never with the pseudonym key. A unique beginning of a pseudonym is enough. Prints the original "
    "id and the patient's date offset in days."
)
EPILOG = """examples:
  DEID_CROSSWALK_KEY_FILE=~/secure/crosswalk.key deid crosswalk lookup PAT-3f9a2c1d --crosswalk ~/secure/release7.xwalk
  deid crosswalk lookup pat-3f9a2c1d0b7e4a55 --crosswalk release7.xwalk --crosswalk-key-file xw.key --json
"""
HELP = "look up whom a pseudonym stands for (needs the crosswalk key)"

EXIT_FOUND, EXIT_NOT_FOUND, EXIT_USAGE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``crosswalk`` with its one action, ``lookup``."""
    actions = parser.add_subparsers(dest="crosswalk_action", metavar="ACTION")
    actions.required = True
    p = actions.add_parser("lookup", help="print the original id and date offset of a pseudonym",
                           description=DESCRIPTION, epilog=EPILOG,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("pseudonym", metavar="PSEUDONYM", help="the pseudonym (PAT-3f9a2c1d...), or a unique beginning")
    p.add_argument("--crosswalk", required=True, metavar="F", help="the encrypted crosswalk file")
    p.add_argument("--crosswalk-key-file", metavar="K",
                   help="file holding the crosswalk key (default: DEID_CROSSWALK_KEY, DEID_CROSSWALK_KEY_FILE)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    """Run ``deid crosswalk ACTION``; ``ValueError`` for bad input (the caller prints it, exit 2)."""
    from deid.crosswalk._file import read_crosswalk

    if getattr(args, "crosswalk_action", None) != "lookup":  # pragma: no cover - argparse requires it
        raise ValueError("deid crosswalk: give an action (lookup)")
    crosswalk = read_crosswalk(args.crosswalk, key_file=args.crosswalk_key_file)
    try:
        entry = crosswalk.lookup(args.pseudonym)
    except KeyError:
        print("deid crosswalk: this pseudonym is not in the crosswalk", file=sys.stderr)
        return EXIT_NOT_FOUND
    if args.json:
        print(json.dumps(entry._asdict(), ensure_ascii=False))
    else:
        offset = "none" if entry.date_offset_days is None else f"{entry.date_offset_days:+d}"
        print(f"{entry.key_space}\t{entry.original}\t{entry.pseudonym}\tdate offset {offset} days")
    return EXIT_FOUND


def register(register_command) -> None:
    """Add ``crosswalk`` through the ``deid`` command registry (``deid.cli.register_command``)."""
    register_command(
        "crosswalk", help=HELP, description=DESCRIPTION,
        example="deid crosswalk lookup PAT-3f9a2c1d --crosswalk ~/secure/release7.xwalk",
        add_arguments=add_arguments, run=run,
    )


def cli_lookup(argv=None) -> int:
    """``deid crosswalk`` on its own: ``cli_lookup(["lookup", "PAT-3f9a", "--crosswalk", F])``
    returns the exit status; bad input prints one line to stderr and returns 2."""
    parser = argparse.ArgumentParser(prog="deid crosswalk", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except ValueError as exc:
        print(f"deid crosswalk: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(cli_lookup())

"""The ``deid`` command.

    deid scan data/ notes/                 find PHI in text, JSON Lines, CSV/TSV and Parquet files
    deid scrub examples/notes -            scrub text files (or a folder of them) to stdout
    deid scrub visits.csv out.parquet --policy policy.toml
    deid risk visits.parquet --qi age,sex,zip3
    deid baseline data/                    accept the current findings (.deid-baseline.json)
    deid gate data/                        fail on new PHI or a table above its risk limits
    deid keygen secret.key                 create a secret key file

Exit codes: 0 success or pass, 1 findings / the gate failed, 2 usage or input error.
Commands live in a registry (:data:`COMMANDS`); another package adds one with
:func:`register_command`. See ``docs/cli.md``.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
import warnings
from dataclasses import dataclass
from typing import Callable

from deid.cli._common import EXIT_USAGE, UsageError, output_options


@dataclass(frozen=True)
class Command:
    """A subcommand: its help line, longer description, an example, and two functions:
    ``add_arguments(parser)`` and ``run(args) -> exit code``."""

    name: str
    help: str
    description: str
    example: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


#: name -> Command, in the order ``deid --help`` lists them.
COMMANDS: dict[str, Command] = {}


def register_command(name: str, *, help: str, description: str, example: str,
                     add_arguments: Callable, run: Callable) -> Command:
    """Add a subcommand to ``deid``. ``run(args)`` returns the exit code (0 pass, 1 failed,
    2 usage or input error); raising :class:`UsageError` or ``ValueError`` prints one line and
    exits 2.

    >>> import argparse
    >>> cmd = register_command("hello", help="say hello", description="Say hello.",
    ...                        example="deid hello", add_arguments=lambda p: None, run=lambda a: 0)
    >>> main(["hello"])
    0
    >>> _ = COMMANDS.pop("hello")
    """
    cmd = Command(name, help, description, example, add_arguments, run)
    COMMANDS[name] = cmd
    return cmd


def _register_builtin() -> None:
    from deid.cli import _baseline, _gate, _keygen, _risk, _scan, _scrub

    for module in (_scan, _scrub, _risk, _gate, _baseline, _keygen):
        module.register(register_command)


#: Commands provided by other packages, imported only when chosen (``deid --help`` stays
#: fast): name -> (module, help line). The module provides ``DESCRIPTION``, ``EPILOG``,
#: ``add_arguments(parser)`` and ``run(args) -> int`` (raising ValueError for bad input).
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "verify": ("deid.verify._cli", "prove that no identifier of RAW survived in SCRUBBED (exit 1 if one did)"),
    "crosswalk": ("deid.crosswalk._cli", "look up a pseudonym in the encrypted crosswalk (data stewards only)"),
}


def _chosen_command(argv) -> str | None:
    for token in argv:
        if not token.startswith("-"):
            return token
    return None


def _add_lazy(sub, name: str, chosen: str | None) -> None:
    import importlib
    import importlib.util

    module_name, help_line = LAZY_COMMANDS[name]
    try:
        if importlib.util.find_spec(module_name.rsplit(".", 1)[0]) is None:
            return
    except ImportError:  # pragma: no cover
        return
    if name != chosen:  # listed in `deid --help`; its arguments load only when it runs
        sub.add_parser(name, help=help_line, add_help=False)
        return
    module = importlib.import_module(module_name)
    p = sub.add_parser(name, help=help_line, description=textwrap.fill(getattr(module, "DESCRIPTION", help_line), 79),
                       epilog=getattr(module, "EPILOG", None), formatter_class=_formatter)
    module.add_arguments(p)
    p.set_defaults(func=module.run)


def _formatter(prog: str) -> argparse.HelpFormatter:
    # help that fits 80 columns even on a wider terminal; examples and epilogs kept as written
    import shutil

    width = min(80, shutil.get_terminal_size((80, 24)).columns) - 1
    return argparse.RawDescriptionHelpFormatter(prog, width=width)


def build_parser(argv=None) -> argparse.ArgumentParser:
    """The ``deid`` parser; ``argv`` (default: the command line) selects which lazily loaded
    command (:data:`LAZY_COMMANDS`) gets its full arguments."""
    if "scan" not in COMMANDS:
        _register_builtin()
    argv = list(sys.argv[1:] if argv is None else argv)
    common = output_options()
    parser = argparse.ArgumentParser(
        prog="deid",
        description=textwrap.fill("De-identify clinical text and records; measure and lower re-identification "
                                  "risk; gate data before it reaches model training.", 79),
        epilog="examples:\n  deid scan data/ --format sarif -o deid.sarif\n  deid scrub examples/notes -\n"
               "  deid gate data/\n\nexit codes: 0 pass, 1 findings or gate failed, 2 usage or input error.\n"
               "docs: docs/cli.md",
        formatter_class=_formatter,
        parents=[common],
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for cmd in COMMANDS.values():
        p = sub.add_parser(
            cmd.name, help=cmd.help, description=textwrap.fill(cmd.description, 79), parents=[common],
            epilog="example:\n  " + cmd.example.replace("\n", "\n  "),
            formatter_class=_formatter,
        )
        cmd.add_arguments(p)
        p.set_defaults(func=cmd.run)
    chosen = _chosen_command(argv)
    for name in LAZY_COMMANDS:
        if name not in COMMANDS:
            _add_lazy(sub, name, chosen)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None):
    text = str(message)
    print(f"deid: warning: {text[6:] if text.startswith('deid: ') else text}", file=sys.stderr)


def main(argv=None) -> int:
    """Run ``deid`` with ``argv`` (default: the command line); returns the exit code.

    Run as the command (no ``argv``), the process imports Presidio's package roots only when
    something needs more than the recognizer base classes (:mod:`deid.cli._lazy_imports`;
    about 2 s less for the pre-commit hook); ``DEID_EAGER_IMPORTS=1`` turns that off.
    """
    if argv is None and os.environ.get("DEID_EAGER_IMPORTS", "") in ("", "0"):
        from deid.cli import _lazy_imports

        _lazy_imports.install()
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    if args.version:
        from deid import __version__

        print(f"deid {__version__}")
        return 0
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    verbose = bool(getattr(args, "verbose", False))
    if getattr(args, "quiet", False) and verbose:
        print("deid: give --quiet or --verbose, not both", file=sys.stderr)
        return EXIT_USAGE
    previous = warnings.showwarning
    warnings.showwarning = _show_warning
    try:
        return int(args.func(args))
    except (UsageError, ValueError) as exc:
        # ValueError: deid's own errors (a bad key, configuration, policy, table): their
        # messages name files, columns and problems, never a value.
        if verbose:
            import traceback

            traceback.print_exc()
        print(f"deid: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("deid: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `deid scan ... | head`
        return 0
    except OSError as exc:
        if verbose:
            import traceback

            traceback.print_exc()
        name = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        print(f"deid: {name}{exc.strerror or type(exc).__name__}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # a defect: no message text (it could quote data), the type only
        if verbose:
            import traceback

            traceback.print_exc()
        print(f"deid: unexpected error ({type(exc).__name__}); run with --verbose for the traceback",
              file=sys.stderr)
        return EXIT_USAGE
    finally:
        warnings.showwarning = previous


__all__ = ["COMMANDS", "Command", "LAZY_COMMANDS", "UsageError", "build_parser", "main", "register_command"]

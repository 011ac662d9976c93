"""``deid keygen``: create a secret key."""

from __future__ import annotations

import os
import secrets
import sys

from deid.cli._common import EXIT_OK, UsageError, say


def add_arguments(p) -> None:
    p.add_argument("file", nargs="?", metavar="FILE", help="file to create (mode 600; never overwritten); default stdout")


def run(args) -> int:
    secret = secrets.token_hex(32) + "\n"
    if not args.file or args.file == "-":
        sys.stdout.write(secret)
        return EXIT_OK
    try:
        fd = os.open(args.file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise UsageError(f"{args.file}: already exists; a key is never overwritten (data keyed with it "
                         "could no longer be linked)") from None
    with os.fdopen(fd, "w") as fh:
        fh.write(secret)
    say(args, f"deid keygen: wrote a 256-bit key to {args.file}; keep it out of the repository "
              "and apart from the data (add it to .gitignore)")
    return EXIT_OK


def register(register_command) -> None:
    register_command(
        "keygen",
        help="create a secret key file (for scrubbing, pseudonyms and fingerprints)",
        description="Write a random 256-bit key (64 hex digits) to FILE, readable by its owner only. "
                    "Point DEID_KEY_FILE, --key-file or key-file in the configuration at it.",
        example="deid keygen ~/.config/deid/project.key",
        add_arguments=add_arguments,
        run=run,
    )

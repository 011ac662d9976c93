"""Which files a scan reads, and how (text, JSON Lines, or a table)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: File endings read as plain text (a file named explicitly with another ending is read as
#: text too; in folders only known endings are scanned).
TEXT_SUFFIXES = (".txt", ".md", ".note", ".json", ".text", ".rst")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")
#: Folders never entered when walking a folder (hidden folders are skipped as well).
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "venv", "site-packages"})


@dataclass(frozen=True)
class ScanTarget:
    """A file to scan: ``path`` as given or found, and ``kind`` (text, jsonl, csv, tsv, parquet)."""

    path: Path
    kind: str


@dataclass
class Collected:
    """The outcome of walking the paths of a command line."""

    targets: list[ScanTarget]
    errors: list[tuple[str, str]]  # (path, problem)
    excluded: int = 0  # files and folders excluded by a pattern
    skipped: int = 0  # files in folders with an ending deid does not read
    given: int = 0  # paths given
    given_files_excluded: int = 0  # paths given that are files excluded by a pattern (or never scanned)


def file_kind(path: str | os.PathLike, *, explicit: bool = False) -> str | None:
    """The kind of scan a file gets from its name; ``None`` when deid does not read it
    (``explicit=True``: a file named on the command line is read as text instead).

    >>> file_kind("notes/a.md"), file_kind("x.csv.gz"), file_kind("x.ndjson"), file_kind("x.bin")
    ('text', 'csv', 'jsonl', None)
    """
    # deid.io's split_suffix would import pandas: a text-only scan (the pre-commit hook)
    # must not pay for that, so the endings are read here.
    name = str(path).lower()
    if name.endswith(TEXT_SUFFIXES):
        return "text"
    suffix, compression = _split_suffix(name)
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    if suffix in (".tsv", ".tab"):
        return "tsv"
    if suffix in (".parquet", ".pq", ".parq") and compression is None:
        return "parquet"
    return "text" if explicit else None


_COMPRESSIONS = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zst": "zstd"}


def _split_suffix(name: str) -> tuple[str, str | None]:
    """(format ending, compression) of a lower-cased file name, as deid.io reads it."""
    stem, ext = os.path.splitext(name)
    compression = _COMPRESSIONS.get(ext)
    if compression is not None:
        ext = os.path.splitext(stem)[1]
    return ext, compression


def collect_files(paths, *, is_excluded, never=()) -> Collected:
    """Walk ``paths`` (files and folders, recursively) into scan targets, in a stable order.

    ``is_excluded(path) -> bool`` drops excluded paths (counted in ``excluded``); ``never``
    holds absolute paths that are never scanned (the baseline file). A path that does not
    exist is an error; a file named twice is scanned once. ``given`` counts the paths and
    ``given_files_excluded`` those that are files excluded themselves (the gate's "every
    file of the commit is excluded", as opposed to a folder with nothing to scan).
    """
    never = {os.path.abspath(p) for p in never}
    out = Collected([], [])
    seen: set[str] = set()

    def add(p: Path, explicit: bool) -> None:
        absolute = os.path.abspath(p)
        if absolute in seen:
            return
        if absolute in never or is_excluded(p):  # never: the baseline
            out.excluded += 1
            if explicit:
                out.given_files_excluded += 1
            return
        kind = file_kind(p, explicit=explicit)
        if kind is None:
            out.skipped += 1
            return
        seen.add(absolute)
        out.targets.append(ScanTarget(p, kind))

    for raw in paths:
        out.given += 1
        p = Path(raw)
        if p.is_dir():
            if is_excluded(p) and str(raw) not in (".", ""):
                out.excluded += 1
                continue
            for folder, dirs, files in os.walk(p):
                kept = []
                for d in sorted(dirs):
                    if d.startswith(".") or d in SKIPPED_FOLDERS:
                        continue
                    if is_excluded(Path(folder) / d):
                        out.excluded += 1  # a folder counts once
                        continue
                    kept.append(d)
                dirs[:] = kept
                for name in sorted(files):
                    add(Path(folder) / name, explicit=False)
        elif p.exists():
            add(p, explicit=True)
        elif p.is_symlink():
            out.errors.append((str(raw), "a broken symbolic link"))
        else:
            out.errors.append((str(raw), "no such file or folder"))
    return out

"""Table formats by file name, and the error every reader and writer raises."""

from __future__ import annotations

import os
from pathlib import Path

#: Formats and the file name endings that select them (compression endings are added).
FORMATS: dict[str, tuple[str, ...]] = {
    "csv": (".csv",),
    "tsv": (".tsv", ".tab"),
    "parquet": (".parquet", ".pq", ".parq"),
    "jsonl": (".jsonl", ".ndjson", ".jsonlines"),
}
#: Compression endings understood for csv, tsv and jsonl.
COMPRESSIONS: dict[str, str] = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zst": "zstd"}


class TableError(ValueError):
    """A table that cannot be read or written: the message names the file, the line or row
    when known, and the problem; never a cell value.

    Attributes: ``path`` (str), ``line`` (1-based line of the file, or None).
    """

    def __init__(self, path, problem: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        where = f"{self.path}: line {line}: " if line is not None else f"{self.path}: "
        super().__init__(where + problem)


def split_suffix(path: str | os.PathLike) -> tuple[str, str | None]:
    """(format ending, compression or None) of a file name: ``a.csv.gz`` -> (".csv", "gzip")."""
    p = Path(path)
    suffixes = [s.lower() for s in p.suffixes]
    compression = None
    if suffixes and suffixes[-1] in COMPRESSIONS:
        compression = COMPRESSIONS[suffixes[-1]]
        suffixes = suffixes[:-1]
    return (suffixes[-1] if suffixes else ""), compression


def table_format(path: str | os.PathLike, format: str | None = None) -> tuple[str, str | None]:
    """(format, compression) of ``path``: ``format`` when given, else from the file name.

    >>> table_format("visits.csv.gz")
    ('csv', 'gzip')
    >>> table_format("labs.parquet")
    ('parquet', None)
    """
    ending, compression = split_suffix(path)
    if format is not None:
        if format not in FORMATS:
            raise TableError(path, f"unknown table format {format!r}; known formats: {', '.join(FORMATS)}")
        found = format
    else:
        found = next((f for f, endings in FORMATS.items() if ending in endings), None)
        if found is None:
            known = ", ".join(e for endings in FORMATS.values() for e in endings)
            raise TableError(path, f"cannot tell the table format from the file name (known endings: "
                                   f"{known}, optionally compressed: {', '.join(COMPRESSIONS)}); give format=")
    if found == "parquet" and compression is not None:
        raise TableError(path, "Parquet files carry their own compression; remove the compression ending")
    return found, compression


def open_binary(path: str | os.PathLike, compression: str | None, mode: str = "rb"):
    """A binary file object, decompressing or compressing as named."""
    if compression is None:
        return open(path, mode)
    if compression == "gzip":
        import gzip

        return gzip.open(path, mode)
    if compression == "bz2":
        import bz2

        return bz2.open(path, mode)
    if compression == "xz":
        import lzma

        return lzma.open(path, mode)
    try:
        import zstandard
    except ImportError:
        raise TableError(path, "zstd compression needs the zstandard package") from None
    if "r" in mode:
        return zstandard.open(path, mode)
    return zstandard.open(path, mode)

"""Readers: whole tables or chunks of rows, for CSV/TSV, Parquet and JSON Lines."""

from __future__ import annotations

import codecs
import json
import os
import re
from pathlib import Path
from typing import Iterator, Sequence

import pandas as pd

from deid.io._formats import TableError, open_binary, table_format

#: Rows per chunk when streaming.
DEFAULT_CHUNKSIZE = 100_000

_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_EOF_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def read_table(path: str | os.PathLike, *, format: str | None = None, columns: Sequence[str] | None = None,
               encoding: str = "utf-8", sep: str | None = None, dtype: str | None = "str") -> pd.DataFrame:
    """Read a whole table: CSV/TSV (optionally compressed), Parquet or JSON Lines.

    Parameters
    ----------
    path : str or path
        The file; the format comes from its name (``.csv``, ``.tsv``/``.tab``,
        ``.parquet``/``.pq``, ``.jsonl``/``.ndjson``; ``.gz``, ``.bz2``, ``.xz`` for text
        formats) unless ``format`` is given.
    columns : list of str, optional
        Read only these columns (a missing one is an error naming it).
    encoding : str
        Text encoding of CSV/TSV/JSONL (default UTF-8).
    sep : str, optional
        Field separator of delimited text (default ``,`` for CSV, tab for TSV).
    dtype : "str" or None
        CSV/TSV only. ``"str"`` (default) reads every field as text exactly as written, so
        ZIP codes and MRNs keep their leading zeros; only empty fields are missing. ``None``
        lets pandas infer numbers and missing-value markers ("NA", "null").

    Raises :class:`TableError` (a ``ValueError``) naming the file and, when known, the line:
    a missing or unreadable file, a wrong encoding, a malformed row, a nested column.

    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "visits.csv"
    >>> _ = path.write_text("mrn,zip\\n00123,02139\\n")
    >>> read_table(path)["zip"].tolist()
    ['02139']
    """
    chunks = list(iter_table(path, format=format, columns=columns, encoding=encoding, sep=sep,
                             dtype=dtype, chunksize=None))
    return chunks[0]


def iter_table(path: str | os.PathLike, *, chunksize: int | None = DEFAULT_CHUNKSIZE,
               format: str | None = None, columns: Sequence[str] | None = None, encoding: str = "utf-8",
               sep: str | None = None, dtype: str | None = "str") -> Iterator[pd.DataFrame]:
    """Stream a table as DataFrames of at most ``chunksize`` rows (``None``: one frame).

    Memory holds one chunk at a time, so files larger than memory stream through. Every
    chunk has the same columns; the index counts rows from 0 across chunks. A file with a
    header and no rows gives one empty frame. Parameters and errors as :func:`read_table`;
    a problem in a later chunk is raised when that chunk is reached.
    """
    fmt, compression = table_format(path, format)
    if chunksize is not None and (not isinstance(chunksize, int) or isinstance(chunksize, bool) or chunksize < 1):
        raise ValueError(f"chunksize must be a positive integer or None, got {chunksize!r}")
    if dtype not in ("str", None):
        raise ValueError("dtype must be 'str' (every field as text) or None (let pandas infer)")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise TableError(path, f"unknown encoding {encoding!r}") from None
    _check_readable(path)
    if fmt == "parquet":
        return _iter_parquet(path, chunksize, columns)
    if fmt == "jsonl":
        return _iter_jsonl(path, chunksize, columns, encoding, compression)
    return _iter_delimited(path, chunksize, columns, encoding, compression,
                           sep if sep is not None else ("," if fmt == "csv" else "\t"), dtype)


def _check_readable(path) -> None:
    p = Path(path)
    if not p.exists():
        raise TableError(path, "the file does not exist")
    if p.is_dir():
        raise TableError(path, "is a folder, not a file")
    if not os.access(p, os.R_OK):
        raise TableError(path, "the file cannot be read (permission denied)")


def _check_columns(path, available, columns) -> None:
    if columns is None:
        return
    missing = [c for c in columns if c not in set(available)]
    if missing:
        raise TableError(path, f"no column(s) {', '.join(map(repr, missing))} in the file")


# -- CSV / TSV ----------------------------------------------------------------------------------
def _first_bad_line(path, encoding: str, compression) -> int | None:
    """The 1-based line where decoding with ``encoding`` first fails."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with open_binary(path, compression) as fh:
        for lineno, raw in enumerate(fh, 1):
            try:
                decoder.decode(raw)
            except UnicodeDecodeError:
                return lineno
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return lineno if "lineno" in locals() else 1
    return None


def _iter_delimited(path, chunksize, columns, encoding, compression, sep, dtype) -> Iterator[pd.DataFrame]:
    options = dict(sep=sep, encoding=encoding, compression=compression, usecols=None, engine="c",
                   on_bad_lines="error", encoding_errors="strict")
    if dtype == "str":
        options.update(dtype=str, keep_default_na=False, na_values=[""])
    try:
        header = pd.read_csv(path, nrows=0, **options)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a TableError below
        _raise_delimited(path, exc, encoding, compression)
    _check_columns(path, header.columns, columns)
    if columns is not None:
        options["usecols"] = list(columns)
    try:
        if chunksize is None:
            frame = pd.read_csv(path, **options)
            yield frame[list(columns)] if columns is not None else frame
            return
        with pd.read_csv(path, chunksize=chunksize, **options) as reader:
            first = True
            for chunk in reader:
                first = False
                yield chunk[list(columns)] if columns is not None else chunk
            if first:
                yield header if columns is None else header[list(columns)]
    except GeneratorExit:
        raise
    except Exception as exc:  # noqa: BLE001
        _raise_delimited(path, exc, encoding, compression)


def _raise_delimited(path, exc: Exception, encoding, compression):
    if isinstance(exc, TableError):
        raise exc
    if isinstance(exc, UnicodeDecodeError):
        line = _first_bad_line(path, encoding, compression)
        raise TableError(path, f"the text is not valid {encoding} (give the file's encoding, e.g. "
                               "encoding='latin-1')", line) from None
    if isinstance(exc, pd.errors.EmptyDataError):
        raise TableError(path, "the file is empty (no header row)") from None
    if isinstance(exc, pd.errors.ParserError):
        m = _FIELDS.search(str(exc))
        if m:
            expected, line, saw = m.groups()
            raise TableError(path, f"malformed row: {saw} fields where the header has {expected}",
                             int(line)) from None
        m = _EOF_QUOTE.search(str(exc))
        if m:
            raise TableError(path, "a quoted field is never closed (the file ends inside it)",
                             int(m.group(1)) + 1) from None
        raise TableError(path, "malformed delimited text (" + str(exc).splitlines()[0].split(". ", 1)[-1]
                         + ")") from None
    if isinstance(exc, (EOFError, OSError)) or type(exc).__name__ in ("BadGzipFile", "LZMAError"):
        raise TableError(path, f"the file cannot be read ({type(exc).__name__}: is it truncated or "
                               "not compressed as its name says?)") from None
    raise TableError(path, f"the file cannot be read as delimited text ({type(exc).__name__})") from None


# -- Parquet ----------------------------------------------------------------------------------------
def _parquet_file(path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except (pa.ArrowInvalid, pa.ArrowIOError, OSError) as exc:
        raise TableError(path, f"not a readable Parquet file ({type(exc).__name__}: "
                               f"{str(exc).splitlines()[0][:200]})") from None


def _nullable(arrow_type):
    """Integers and booleans become pandas' nullable dtypes, so a column with missing values
    keeps its type (12345, not 12345.0) and writes back as it was read."""
    import pyarrow as pa

    table = {
        pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
        pa.int64(): pd.Int64Dtype(), pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(),
        pa.uint32(): pd.UInt32Dtype(), pa.uint64(): pd.UInt64Dtype(), pa.bool_(): pd.BooleanDtype(),
    }
    return table.get(arrow_type)


def _iter_parquet(path, chunksize, columns) -> Iterator[pd.DataFrame]:
    import pyarrow as pa

    pf = _parquet_file(path)
    schema = pf.schema_arrow
    _check_columns(path, schema.names, columns)
    names = list(columns) if columns is not None else schema.names
    for name in names:
        t = schema.field(name).type
        if pa.types.is_nested(t):
            raise TableError(path, f"column {name!r} is nested ({t}); flatten it (one column per "
                                   "field) before de-identifying")
    start = 0
    try:
        if chunksize is None:
            frame = pf.read(columns=names).to_pandas(types_mapper=_nullable)
            yield frame
            return
        empty = True
        for batch in pf.iter_batches(batch_size=chunksize, columns=names):
            empty = False
            frame = pa.Table.from_batches([batch]).to_pandas(types_mapper=_nullable)
            frame.index = pd.RangeIndex(start, start + len(frame))
            start += len(frame)
            yield frame
        if empty:
            yield schema.empty_table().select(names).to_pandas(types_mapper=_nullable)
    except GeneratorExit:
        raise
    except (pa.ArrowException, OSError) as exc:
        raise TableError(path, f"the Parquet data cannot be read after row {start} "
                               f"({type(exc).__name__})") from None


# -- JSON Lines --------------------------------------------------------------------------------------
def _iter_jsonl(path, chunksize, columns, encoding, compression) -> Iterator[pd.DataFrame]:
    wanted = list(columns) if columns is not None else None
    names: list[str] = []  # every key seen, in first-seen order
    seen: set[str] = set()
    rows: list[dict] = []
    start = 0
    try:
        fh = open_binary(path, compression)
    except OSError as exc:
        raise TableError(path, f"the file cannot be read ({exc.strerror or type(exc).__name__})") from None
    with fh:
        lineno = 0
        try:
            for lineno, raw in enumerate(fh, 1):
                try:
                    text = raw.decode(encoding)
                except UnicodeDecodeError:
                    raise TableError(path, f"the text is not valid {encoding} (give the file's encoding)",
                                     lineno) from None
                if not text.strip():
                    continue
                try:
                    record = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise TableError(path, f"not valid JSON (column {exc.colno}: {exc.msg})", lineno) from None
                if not isinstance(record, dict):
                    raise TableError(path, f"a JSON Lines row must be an object, not {type(record).__name__}",
                                     lineno)
                for k, v in record.items():
                    if wanted is not None and k not in wanted:
                        continue
                    if isinstance(v, (dict, list)):
                        raise TableError(path, f"field {k!r} is nested ({type(v).__name__}); flatten it "
                                               "before de-identifying", lineno)
                    if k not in seen:
                        if start:
                            # earlier chunks were already handed out without this column
                            raise TableError(path, f"field {k!r} first appears after the first "
                                                   f"{start} rows; read with chunksize=None or a "
                                                   "larger chunksize, or name the columns", lineno)
                        seen.add(k)
                        names.append(k)
                rows.append(record)
                if chunksize is not None and len(rows) >= chunksize:
                    yield _jsonl_frame(path, rows, names, wanted, start)
                    start += len(rows)
                    rows = []
        except (EOFError, OSError) as exc:
            raise TableError(path, f"the file cannot be read after line {lineno} ({type(exc).__name__}: "
                                   "truncated, or not compressed as its name says?)") from None
    if rows or start == 0:
        yield _jsonl_frame(path, rows, names, wanted, start)


def _jsonl_frame(path, rows: list[dict], names: list[str], wanted, start: int) -> pd.DataFrame:
    if wanted is not None:
        _check_columns(path, names, wanted)
        names = wanted
    data = {}
    for name in names:
        values = [r.get(name) for r in rows]
        array = pd.array(values) if values else pd.array([], dtype="str")
        if isinstance(array.dtype, pd.StringDtype):
            array = pd.array(values, dtype="str")
        data[name] = array
    return pd.DataFrame(data, index=pd.RangeIndex(start, start + len(rows)), columns=names)

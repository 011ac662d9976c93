"""Writers: a table goes to a temporary file beside the target and is renamed over it only
when complete, so a failure never leaves a partial output and never touches an input."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from deid.io._formats import TableError, open_binary, table_format


class TableWriter:
    """Write a table chunk by chunk, atomically.

    Rows go to a hidden temporary file in the target's folder (so the final rename stays on
    one file system); leaving the ``with`` block normally renames it over ``path``, an
    exception deletes it. Every chunk must have the first chunk's columns; in Parquet, its
    column types too (a column entirely missing in the first chunk is written as text).

    Parameters
    ----------
    path : str or path
        The output; its format comes from its name (see :func:`deid.io.table_format`)
        unless ``format`` is given.
    encoding, sep : str
        For CSV/TSV/JSONL (default UTF-8; ``,`` for CSV, tab for TSV).
    overwrite : bool
        Replace an existing file (default True); False makes an existing ``path`` an error.
    inputs : paths
        Files that must not be overwritten (the inputs of the run): writing to one of them
        is an error raised before anything is written.

    >>> import pandas as pd, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "out.jsonl")
    >>> with TableWriter(path) as w:
    ...     w.write(pd.DataFrame({"a": [1, 2]}))
    ...     w.write(pd.DataFrame({"a": [3]}))
    >>> from pathlib import Path
    >>> Path(path).read_text().splitlines()
    ['{"a":1}', '{"a":2}', '{"a":3}']
    """

    def __init__(self, path: str | os.PathLike, format: str | None = None, *, encoding: str = "utf-8",
                 sep: str | None = None, overwrite: bool = True, inputs: Iterable = ()):
        self.path = Path(path)
        self.format, self.compression = table_format(path, format)
        self.encoding = encoding
        self.sep = sep if sep is not None else ("," if self.format == "csv" else "\t")
        self.overwrite = overwrite
        self.inputs = tuple(inputs)
        self.rows = 0
        self._tmp: Path | None = None
        self._fh = None
        self._columns: list | None = None
        self._parquet = None
        self._schema = None
        self._done = False

    # -- life cycle ---------------------------------------------------------------------------
    def open(self) -> "TableWriter":
        if self._tmp is not None:
            return self
        if self._done:
            raise TableError(self.path, "this writer is closed")
        target = self.path
        parent = target.parent if str(target.parent) else Path(".")
        if not parent.is_dir():
            raise TableError(target, "the folder does not exist")
        if target.is_dir():
            raise TableError(target, "is a folder, not a file")
        if target.exists() and not self.overwrite:
            raise TableError(target, "the file exists (overwrite=False)")
        for source in self.inputs:
            try:
                same = Path(source).exists() and target.exists() and os.path.samefile(source, target)
            except OSError:
                same = False
            if same or Path(source).resolve() == target.resolve():
                raise TableError(target, "is an input of this run; write the output elsewhere")
        if not os.access(parent, os.W_OK):
            raise TableError(target, "the folder is not writable")
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
        os.close(fd)
        self._tmp = Path(tmp)
        try:
            if self.format != "parquet":
                self._fh = io.TextIOWrapper(open_binary(self._tmp, self.compression, "wb"),
                                            encoding=self.encoding, newline="")
        except BaseException:
            self.abort()
            raise
        return self

    def __enter__(self) -> "TableWriter":
        return self.open()

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def abort(self) -> None:
        """Delete the temporary file; the target is left as it was."""
        self._done = True
        for closer in (self._parquet, self._fh):
            if closer is not None:
                try:
                    closer.close()
                except Exception:  # noqa: BLE001 - cleaning up after another error
                    pass
        self._parquet = self._fh = None
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None

    def close(self) -> Path:
        """Finish the file and rename it over the target."""
        if self._done:
            raise TableError(self.path, "this writer is closed")
        self.open()
        try:
            if self.format == "parquet":
                if self._parquet is None:
                    raise TableError(self.path, "nothing was written, and Parquet needs at least one "
                                                "chunk (for its schema)")
                self._parquet.close()
                self._parquet = None
            else:
                self._fh.flush()
                self._fh.close()
                self._fh = None
            with open(self._tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            _copy_mode(self.path, self._tmp)
            os.replace(self._tmp, self.path)
            self._tmp = None
            self._done = True
        except BaseException:
            self.abort()
            raise
        return self.path

    # -- writing -----------------------------------------------------------------------------
    def write(self, frame: pd.DataFrame) -> None:
        """Append the rows of ``frame`` (its index is not written)."""
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"write needs a pandas DataFrame, not {type(frame).__name__}")
        self.open()
        columns = list(frame.columns)
        if self._columns is None:
            bad = [c for c in columns if not isinstance(c, str)]
            if bad or frame.columns.has_duplicates:
                raise TableError(self.path, "column names must be distinct text")
            self._columns = columns
        elif columns != self._columns:
            raise TableError(self.path, f"chunk after row {self.rows} has other columns than the "
                                        "first chunk")
        if self.format == "parquet":
            self._write_parquet(frame)
        elif self.format == "jsonl":
            if len(frame):
                text = frame.to_json(orient="records", lines=True, date_format="iso", date_unit="us",
                                     force_ascii=False)
                self._fh.write(text if text.endswith("\n") else text + "\n")
        else:
            frame.to_csv(self._fh, sep=self.sep, index=False, header=not self._header_written,
                         lineterminator="\n")
            self._header_written = True
        self.rows += len(frame)

    _header_written = False

    def _write_parquet(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._schema is None:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            fields = [pa.field(f.name, pa.string()) if pa.types.is_null(f.type) else f for f in table.schema]
            schema = pa.schema(fields, metadata=table.schema.metadata)
            table = table.cast(schema)
            self._schema = schema
            self._parquet = pq.ParquetWriter(self._tmp, schema)
        else:
            try:
                table = pa.Table.from_pandas(frame, schema=self._schema, preserve_index=False)
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError, ValueError):
                column = _misfit_column(frame, self._schema)
                raise TableError(self.path, f"column {column!r} of the chunk after row {self.rows} does "
                                            f"not fit the type of the first chunk "
                                            f"({self._schema.field(column).type})") from None
        self._parquet.write_table(table)


def _misfit_column(frame: pd.DataFrame, schema) -> str:
    import pyarrow as pa

    for field in schema:
        try:
            array = pa.Array.from_pandas(frame[field.name], type=field.type)
        except Exception:  # noqa: BLE001
            return field.name
        if not array.type.equals(field.type):  # pyarrow 16 hands an Arrow-backed column back as it is
            return field.name
    return "?"


def _copy_mode(target: Path, tmp: Path) -> None:
    """The output gets the mode an ordinary new file would get (or the replaced file's)."""
    try:
        if target.exists():
            mode = target.stat().st_mode & 0o777
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
    except OSError:  # pragma: no cover - e.g. file systems without modes
        pass


def write_table(data: pd.DataFrame | Iterable[pd.DataFrame], path: str | os.PathLike, *,
                format: str | None = None, encoding: str = "utf-8", sep: str | None = None,
                overwrite: bool = True, inputs: Sequence = ()) -> Path:
    """Write a DataFrame, or an iterable of DataFrames (streamed, one chunk in memory at a
    time), to ``path`` atomically: nothing appears at ``path`` unless every chunk was
    written; on any error the temporary file is removed and an existing ``path`` is left
    untouched. Parameters as :class:`TableWriter`.

    >>> import pandas as pd, tempfile, os
    >>> from deid.io import read_table
    >>> path = os.path.join(tempfile.mkdtemp(), "out.csv")
    >>> _ = write_table(pd.DataFrame({"zip": ["02139"]}), path)
    >>> read_table(path)["zip"].tolist()
    ['02139']
    """
    chunks = [data] if isinstance(data, pd.DataFrame) else data
    with TableWriter(path, format, encoding=encoding, sep=sep, overwrite=overwrite, inputs=inputs) as writer:
        for chunk in chunks:
            writer.write(chunk)
        if writer.format == "parquet" and writer.rows == 0 and writer._parquet is None:
            raise TableError(path, "nothing to write (no chunk), and Parquet needs one for its schema")
    return Path(path)

"""deid.io: read and write tables (CSV/TSV, Parquet, JSON Lines), streaming and atomic.

Readers stream files larger than memory in chunks (:func:`iter_table`); writers put rows in
a temporary file beside the target and rename it only when complete (:class:`TableWriter`,
:func:`write_table`), so a failure never leaves a partial output and never touches an input.
Errors are :class:`TableError` (a ``ValueError``) naming the file and, when known, the line;
never a cell value. This package imports nothing else of deid. See ``docs/io.md``.

>>> import pandas as pd, tempfile, os
>>> from deid.io import read_table, write_table
>>> path = os.path.join(tempfile.mkdtemp(), "visits.parquet")
>>> _ = write_table(pd.DataFrame({"mrn": ["00123"], "age": [93]}), path)
>>> read_table(path).dtypes.astype(str).tolist()
['str', 'Int64']
"""

from deid.io._formats import FORMATS, TableError, table_format
from deid.io._read import DEFAULT_CHUNKSIZE, iter_table, read_table
from deid.io._write import TableWriter, write_table

__all__ = [
    "DEFAULT_CHUNKSIZE",
    "FORMATS",
    "TableError",
    "TableWriter",
    "iter_table",
    "read_table",
    "table_format",
    "write_table",
]

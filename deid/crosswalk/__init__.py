"""deid.crosswalk: the protected table that answers "who is PAT-3f9a2c1d?".

When an incidental finding or an audit requires it, the data steward (not the recipient of
the data) must be able to turn a pseudonym back into the patient. ``scrub_tables(...,
crosswalk=path)`` and ``scrub_frame(..., crosswalk=path)`` write (original patient id ->
pseudonym, date offset) to ``path``, encrypted with AES-256-GCM under the crosswalk key — a
secret apart from the pseudonym key, from ``DEID_CROSSWALK_KEY``,
``DEID_CROSSWALK_KEY_FILE`` or ``crosswalk_key=``. It is never written inside an output
folder. See ``docs/crosswalk.md``.

>>> import os, tempfile, pandas as pd
>>> from deid.crosswalk import Crosswalk, lookup
>>> secret = "a crosswalk secret of at least 32 bytes"
>>> path = os.path.join(tempfile.mkdtemp(), "release.xwalk")
>>> _ = Crosswalk(pd.DataFrame({"original": ["MRN1"], "pseudonym": ["PAT-3f9a2c1d0b7e4a55"],
...                             "date_offset_days": [-12]})).write(path, secret)
>>> lookup("PAT-3f9a2c1d", path, secret).original
'MRN1'
>>> lookup("PAT-3f9a2c1d", path, "another secret that is long enough, but wrong")
Traceback (most recent call last):
...
ValueError: crosswalk '...': the crosswalk key does not open it (a wrong key, or the file was altered)
"""

from deid.crosswalk._cli import cli_lookup, register
from deid.crosswalk._file import (
    COLUMNS,
    Crosswalk,
    CrosswalkEntry,
    check_crosswalk_path,
    lookup,
    read_crosswalk,
    write_crosswalk,
)
from deid.crosswalk._key import MIN_CROSSWALK_KEY_BYTES, CrosswalkKey, resolve_crosswalk_key

__all__ = [
    "COLUMNS",
    "Crosswalk",
    "CrosswalkEntry",
    "CrosswalkKey",
    "MIN_CROSSWALK_KEY_BYTES",
    "check_crosswalk_path",
    "cli_lookup",
    "lookup",
    "read_crosswalk",
    "register",
    "resolve_crosswalk_key",
    "write_crosswalk",
]

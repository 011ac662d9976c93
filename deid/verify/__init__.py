"""deid.verify: prove, from the raw and the scrubbed data side by side, that no identifier
survived.

:func:`verify` takes the same data before and after de-identification (two DataFrames or
table files matched by a row key, two folders of text files matched by relative path, two
lists of texts) from any scrubber, and reports every identifier of the raw record still
present in the scrubbed output: the raw identifier columns' values, a lookup table's known
identifiers, and every span the detector finds in the raw text; verbatim, in another case,
with digits reformatted, as a date in another format, or as tokens that survive together.
The :class:`VerifyResult` holds locations and types (file, row, column, offset), never
values; ``exit_code`` is 1 when anything survived. ``deid verify RAW SCRUBBED`` is the same on
the command line (:func:`main`, :func:`register`). See ``docs/verify.md``.

>>> from deid.verify import verify
>>> result = verify(["Seen by Dr. Omobuwa, call 617-555-0142."], ["Seen by Dr. [NAME], call 617.555.0142."])
>>> result.ok, result.leaks[["start", "end", "entity_type", "match"]].values.tolist()
(False, [[25, 37, 'PHONE', 'digits']])
"""

from deid.verify._cli import add_arguments, main, register, run
from deid.verify._result import LEAK_COLUMNS, MATCHES, VerifyResult
from deid.verify._verify import DEFAULT_CHUNK_SIZE, TEXT_SUFFIXES, verify

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "LEAK_COLUMNS",
    "MATCHES",
    "TEXT_SUFFIXES",
    "VerifyResult",
    "add_arguments",
    "main",
    "register",
    "run",
    "verify",
]

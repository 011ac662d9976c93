"""Byte kernels over Arrow string buffers (numba): the parts of screening that pandas/Arrow
string functions do slowly (a regular expression replace runs at ~20 MB/s; these at memory
speed). All work on UTF-8 bytes; the bytes they look at are ASCII, so multi-byte characters
pass through unchanged."""

from __future__ import annotations

import numba as nb
import numpy as np
import pyarrow as pa


@nb.njit(cache=True, nogil=True)
def _remove_bytes(offsets, data, drop):
    """Copy every string without the bytes ``b`` where ``drop[b]``."""
    n = len(offsets) - 1
    out = np.empty(len(data), dtype=np.uint8)
    new_offsets = np.empty(n + 1, dtype=np.int64)
    new_offsets[0] = 0
    k = 0
    for i in range(n):
        for j in range(offsets[i], offsets[i + 1]):
            b = data[j]
            if not drop[b]:
                out[k] = b
                k += 1
        new_offsets[i + 1] = k
    return new_offsets, out[:k]


@nb.njit(cache=True, nogil=True)
def _count_bytes(offsets, data, wanted):
    """Per string, how many of its bytes ``b`` have ``wanted[b]``."""
    n = len(offsets) - 1
    out = np.zeros(n, dtype=np.int64)
    for i in range(n):
        c = 0
        for j in range(offsets[i], offsets[i + 1]):
            if wanted[data[j]]:
                c += 1
        out[i] = c
    return out


def _table(chars: str) -> np.ndarray:
    t = np.zeros(256, dtype=np.bool_)
    for c in chars:
        t[ord(c)] = True
    return t


#: number and code separators: "617-555-0142", "(617) 555.0142", "3/14"
SEPARATORS = _table(" .-/()")
#: every ASCII byte that is not a lower-case letter or a digit (multi-byte characters pass)
NOT_ALNUM = _table("".join(chr(b) for b in range(128) if not (chr(b).isdigit() or "a" <= chr(b) <= "z")))
DIGITS = _table("0123456789")


def _buffers(array: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(offsets as int64, data bytes, validity or None) of a string array."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if array.type == pa.string():
        array = array.cast(pa.large_string())
    validity, offsets, data = array.buffers()
    n = len(array)
    offs = np.frombuffer(offsets, dtype=np.int64)[array.offset: array.offset + n + 1]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    valid = None if array.null_count == 0 else np.asarray(array.is_valid())
    return offs, raw, valid


def remove_bytes(array: pa.Array, drop: np.ndarray) -> pa.Array:
    """``array`` (strings) with the bytes marked in ``drop`` removed; nulls stay null."""
    offs, data, valid = _buffers(array)
    new_offsets, out = _remove_bytes(offs, data, drop)
    mask = None if valid is None else pa.array(~valid)
    result = pa.LargeStringArray.from_buffers(len(offs) - 1, pa.py_buffer(new_offsets), pa.py_buffer(out))
    if mask is not None:
        result = pa.compute.if_else(mask, pa.scalar(None, pa.large_string()), result)
    return result


def count_bytes(array: pa.Array, wanted: np.ndarray) -> np.ndarray:
    offs, data, _ = _buffers(array)
    return _count_bytes(offs, data, wanted)

"""The crosswalk file: (original id -> pseudonym, date offset), encrypted with AES-256-GCM.

Layout (all lengths fixed):

====================  =====  ===================================================
magic                 16 B   ``b"DEID-CROSSWALK\\x00\\x01"`` (name, format version 1)
salt                  16 B   random; the AES key is HKDF-SHA256(crosswalk secret, salt)
nonce                 12 B   random
ciphertext + tag      rest   AES-256-GCM of zlib(JSON), associated data = magic + salt
====================  =====  ===================================================

The JSON holds ``format``, ``key_space``, ``created`` (UTC, ISO) and three equally long
lists: ``original``, ``pseudonym``, ``date_offset_days``. Authenticated encryption means a
wrong key and an altered file are both detected (the tag does not verify); neither gives a
partial or wrong table. The file is written to a temporary file beside the target (mode
600) and renamed into place.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import secrets
import tempfile
import zlib
from pathlib import Path
from typing import Iterable, NamedTuple

import numpy as np
import pandas as pd

from deid.crosswalk._key import resolve_crosswalk_key

MAGIC = b"DEID-CROSSWALK\x00\x01"
_SALT = 16
_NONCE = 12
_FORMAT = 1
# AES-GCM in the cryptography package takes at most 2**31 - 1 bytes per call
_MAX_PAYLOAD = 2**31 - 1
#: The columns of a crosswalk frame.
COLUMNS = ("original", "pseudonym", "date_offset_days")


class CrosswalkEntry(NamedTuple):
    """One row of a crosswalk: whom a pseudonym stands for, and their date offset."""

    original: str
    pseudonym: str
    date_offset_days: int
    key_space: str


class Crosswalk:
    """A decrypted crosswalk: original id -> pseudonym and date offset, for one key space.

    ``frame`` has the columns ``original`` (text), ``pseudonym`` (text) and
    ``date_offset_days`` (int; missing when no date was shifted). Each original and each
    pseudonym appears once (``ValueError`` otherwise, naming the column and a count). The
    repr shows the size only; the frame is the data steward's to protect.

    >>> cw = Crosswalk(pd.DataFrame({"original": ["MRN1", "MRN2"], "pseudonym": ["PAT-aa01", "PAT-bb02"],
    ...                               "date_offset_days": [12, -40]}))
    >>> cw
    Crosswalk(key_space='patient', 2 ids)
    >>> cw.lookup("pat-AA01").original, cw.lookup("PAT-bb").date_offset_days
    ('MRN1', -40)
    """

    def __init__(self, frame: pd.DataFrame, key_space: str = "patient"):
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"a crosswalk is a DataFrame, not {type(frame).__name__}")
        missing = [c for c in COLUMNS if c not in frame.columns]
        if missing:
            raise ValueError(f"a crosswalk frame needs the column(s) {', '.join(missing)}")
        if not isinstance(key_space, str) or not key_space:
            raise ValueError("key_space must be a non-empty name")
        out = pd.DataFrame({
            "original": frame["original"].map(_text, na_action="ignore").astype("str"),
            "pseudonym": frame["pseudonym"].map(_text, na_action="ignore").astype("str"),
            "date_offset_days": pd.array(frame["date_offset_days"], dtype="Int64"),
        })
        for column in ("original", "pseudonym"):
            n_missing = int(out[column].isna().sum())
            if n_missing:
                raise ValueError(f"crosswalk: {n_missing} row(s) have no {column}")
            n_dupes = int(out[column].duplicated().sum())
            if n_dupes:
                what = ("two originals share one pseudonym (a collision)" if column == "pseudonym"
                        else "an original id is listed more than once")
                raise ValueError(f"crosswalk: {what}: {n_dupes} duplicate {column}(s)")
        self.frame = out.reset_index(drop=True)
        self.key_space = key_space
        self._folded: pd.Series | None = None

    def __len__(self) -> int:
        return len(self.frame)

    def __repr__(self) -> str:
        return f"Crosswalk(key_space={self.key_space!r}, {len(self)} ids)"

    # -- look-up ----------------------------------------------------------------------------
    def lookup(self, pseudonym: str) -> CrosswalkEntry:
        """The row of ``pseudonym``: compared case-insensitively, surrounding spaces ignored;
        a unique beginning (``"PAT-3f9a2c1d"`` of ``"PAT-3f9a2c1d0b7e4a55"``) is enough.

        ``KeyError`` when no pseudonym matches; ``ValueError`` when a beginning matches more
        than one (give more of it).
        """
        if not isinstance(pseudonym, str) or not pseudonym.strip():
            raise ValueError("give a pseudonym to look up")
        wanted = pseudonym.strip().casefold()
        if self._folded is None:
            self._folded = self.frame["pseudonym"].str.casefold()
        folded = self._folded
        hits = np.flatnonzero((folded == wanted).to_numpy(dtype=bool))
        if not len(hits):
            hits = np.flatnonzero(folded.str.startswith(wanted).to_numpy(dtype=bool))
        if not len(hits):
            raise KeyError("this pseudonym is not in the crosswalk")
        if len(hits) > 1:
            raise ValueError(f"{len(hits)} pseudonyms begin with this; give more of it")
        row = self.frame.iloc[int(hits[0])]
        offset = row["date_offset_days"]
        return CrosswalkEntry(row["original"], row["pseudonym"], None if pd.isna(offset) else int(offset),
                              self.key_space)

    def pseudonym_of(self, original) -> str:
        """The pseudonym of an original id (compared exactly, as text); ``KeyError`` if absent."""
        hits = np.flatnonzero((self.frame["original"] == _text(original)).to_numpy(dtype=bool))
        if not len(hits):
            raise KeyError("this id is not in the crosswalk")
        return self.frame["pseudonym"].iat[int(hits[0])]

    # -- files ------------------------------------------------------------------------------
    def write(self, path: str | os.PathLike, key=None, *, key_file=None, pseudonym_key=None,
              forbid_inside: Iterable = ()) -> Path:
        """Encrypt to ``path`` (see :func:`write_crosswalk`)."""
        return write_crosswalk(self, path, key, key_file=key_file, pseudonym_key=pseudonym_key,
                               forbid_inside=forbid_inside)

    @classmethod
    def read(cls, path: str | os.PathLike, key=None, *, key_file=None) -> "Crosswalk":
        """Decrypt ``path`` (see :func:`read_crosswalk`)."""
        return read_crosswalk(path, key, key_file=key_file)


def _text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def check_crosswalk_path(path: str | os.PathLike, forbid_inside: Iterable = ()) -> Path:
    """``path`` as a Path, after the checks made before anything is scrubbed or written: it
    is not a folder, its folder exists, and it lies in none of ``forbid_inside`` (the output
    folders: a crosswalk beside the data it re-identifies defeats its purpose)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"crosswalk must be a file path, not {type(path).__name__}")
    target = Path(path)
    resolved = target.resolve()
    for folder in forbid_inside:
        if folder is None:
            continue
        base = Path(folder).resolve()
        if resolved == base or resolved.is_relative_to(base):
            raise ValueError(f"the crosswalk {str(target)!r} would be written inside the output folder "
                             f"{str(folder)!r}: keep it apart from the data it re-identifies")
    if target.is_dir():
        raise ValueError(f"crosswalk {str(target)!r} is a folder, not a file")
    parent = resolved.parent
    if not parent.is_dir():
        raise ValueError(f"crosswalk {str(target)!r}: its folder does not exist")
    if not os.access(parent, os.W_OK):
        raise ValueError(f"crosswalk {str(target)!r}: its folder is not writable")
    return target


def write_crosswalk(crosswalk: Crosswalk | pd.DataFrame, path: str | os.PathLike, key=None, *, key_file=None,
                    pseudonym_key=None, forbid_inside: Iterable = (), key_space: str = "patient") -> Path:
    """Encrypt a crosswalk to ``path`` with AES-256-GCM, atomically (mode 600).

    ``key``: a :class:`CrosswalkKey`, a secret, or a key file path; default
    ``DEID_CROSSWALK_KEY`` / ``DEID_CROSSWALK_KEY_FILE``. With ``pseudonym_key`` the two
    keys must differ. ``forbid_inside``: folders the file must not be inside (the output).
    Every check is made before anything is written; ``ValueError`` names the problem.
    """
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not isinstance(crosswalk, Crosswalk):
        crosswalk = Crosswalk(crosswalk, key_space)
    cw_key = resolve_crosswalk_key(key, key_file=key_file, pseudonym_key=pseudonym_key)
    target = check_crosswalk_path(path, forbid_inside)
    frame = crosswalk.frame
    doc = {
        "format": _FORMAT,
        "key_space": crosswalk.key_space,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "original": frame["original"].tolist(),
        "pseudonym": frame["pseudonym"].tolist(),
        "date_offset_days": [None if pd.isna(v) else int(v) for v in frame["date_offset_days"].tolist()],
    }
    payload = zlib.compress(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 6)
    if len(payload) > _MAX_PAYLOAD:
        raise ValueError("the crosswalk is too large for one file (over 2 GiB compressed)")
    salt = secrets.token_bytes(_SALT)
    nonce = secrets.token_bytes(_NONCE)
    sealed = AESGCM(cw_key.aes_key(salt)).encrypt(nonce, payload, MAGIC + salt)
    parent = target.resolve().parent
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)  # mode 600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC + salt + nonce + sealed)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def read_crosswalk(path: str | os.PathLike, key=None, *, key_file=None) -> Crosswalk:
    """Decrypt the crosswalk at ``path``. ``ValueError``: not a deid crosswalk, a wrong key
    or an altered file (authenticated encryption cannot tell these two apart), or no key."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    cw_key = resolve_crosswalk_key(key, key_file=key_file)
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ValueError(f"crosswalk {str(p)!r} does not exist") from None
    except IsADirectoryError:
        raise ValueError(f"crosswalk {str(p)!r} is a folder, not a file") from None
    except OSError as exc:
        raise ValueError(f"crosswalk {str(p)!r} cannot be read: {exc.strerror}") from None
    head = len(MAGIC) + _SALT + _NONCE
    if len(data) < head + 16 or not data.startswith(MAGIC[:-1]):
        raise ValueError(f"{str(p)!r} is not a deid crosswalk file")
    if data[: len(MAGIC)] != MAGIC:
        raise ValueError(f"{str(p)!r}: crosswalk format version {data[len(MAGIC) - 1]} is not supported")
    salt = data[len(MAGIC): len(MAGIC) + _SALT]
    nonce = data[len(MAGIC) + _SALT: head]
    try:
        payload = AESGCM(cw_key.aes_key(salt)).decrypt(nonce, data[head:], MAGIC + salt)
    except InvalidTag:
        raise ValueError(f"crosswalk {str(p)!r}: the crosswalk key does not open it (a wrong key, or the file "
                         "was altered)") from None
    try:
        doc = json.loads(zlib.decompress(payload).decode("utf-8"))
        frame = pd.DataFrame({c: doc[c] for c in COLUMNS})
        key_space = doc["key_space"]
    except (ValueError, KeyError, TypeError, zlib.error):  # pragma: no cover - authenticated, so ours
        raise ValueError(f"crosswalk {str(p)!r}: its content is not a crosswalk") from None
    return Crosswalk(frame, key_space)


def lookup(pseudonym: str, crosswalk: str | os.PathLike, key=None, *, key_file=None) -> CrosswalkEntry:
    """Whom ``pseudonym`` stands for, from the crosswalk file ``crosswalk`` (decrypted with the
    crosswalk key). See :meth:`Crosswalk.lookup`."""
    return read_crosswalk(crosswalk, key, key_file=key_file).lookup(pseudonym)

"""The crosswalk key: a secret apart from the pseudonym key, for the encrypted crosswalk only.

The pseudonym key (``deid.transform.Key``) makes tokens; whoever holds it can recompute a
token from a guessed id but cannot reverse one. The crosswalk key opens the table that does
reverse them. Keeping the two apart means the team that scrubs data need not be able to
re-identify it, and the data steward who can need not hold the scrubbing key.
"""

from __future__ import annotations

import hmac
import os
from pathlib import Path

#: Shortest crosswalk secret accepted, in bytes. The AES-256 key is derived from it with
#: HKDF-SHA256; a secret shorter than 32 bytes would be the weak link (``deid keygen``
#: writes 64 hex digits).
MIN_CROSSWALK_KEY_BYTES = 32

ENV_KEY = "DEID_CROSSWALK_KEY"
ENV_KEY_FILE = "DEID_CROSSWALK_KEY_FILE"


class CrosswalkKey:
    """The secret that encrypts and opens a crosswalk. Its repr never shows it.

    >>> CrosswalkKey("a crosswalk secret of at least 32 bytes")
    CrosswalkKey(<secret>)
    >>> CrosswalkKey("too short")
    Traceback (most recent call last):
    ...
    ValueError: the crosswalk key from argument is too short: 9 bytes, at least 32 are needed ...
    """

    __slots__ = ("_secret", "source")

    def __init__(self, secret: str | bytes, *, source: str = "argument"):
        if isinstance(secret, str):
            secret = secret.encode("utf-8")
        if not isinstance(secret, (bytes, bytearray)):
            raise TypeError(f"a crosswalk key must be str or bytes, not {type(secret).__name__}")
        secret = bytes(secret).strip()
        if len(secret) < MIN_CROSSWALK_KEY_BYTES:
            raise ValueError(
                f"the crosswalk key from {source} is too short: {len(secret)} bytes, at least "
                f"{MIN_CROSSWALK_KEY_BYTES} are needed (generate one with `deid keygen FILE`)"
            )
        self._secret = secret
        #: Where the key came from ("argument", "DEID_CROSSWALK_KEY", a file); never the key.
        self.source = source

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> "CrosswalkKey":
        p = Path(path)
        try:
            data = p.read_bytes()
        except FileNotFoundError:
            raise ValueError(f"crosswalk key file {str(p)!r} does not exist") from None
        except OSError as exc:
            raise ValueError(f"crosswalk key file {str(p)!r} cannot be read: {exc.strerror}") from None
        return cls(data, source=f"crosswalk key file {str(p)!r}")

    @classmethod
    def from_env(cls) -> "CrosswalkKey | None":
        """``DEID_CROSSWALK_KEY``, else the file named by ``DEID_CROSSWALK_KEY_FILE``, else None."""
        value = os.environ.get(ENV_KEY)
        if value:
            return cls(value, source=ENV_KEY)
        path = os.environ.get(ENV_KEY_FILE)
        if path:
            return cls.from_file(path)
        return None

    def same_secret(self, pseudonym_key) -> bool:
        """Whether ``pseudonym_key`` (a ``deid.transform.Key``) holds this very secret."""
        other = getattr(pseudonym_key, "_secret", None)
        return isinstance(other, bytes) and hmac.compare_digest(self._secret, other)

    def aes_key(self, salt: bytes) -> bytes:
        """The 32-byte AES-256-GCM key for one crosswalk file (HKDF-SHA256 with its salt)."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"deid/v1/crosswalk").derive(self._secret)

    def __repr__(self) -> str:
        return "CrosswalkKey(<secret>)"

    def __reduce__(self):
        raise TypeError("a crosswalk key is not pickled (it never travels to worker processes)")


def resolve_crosswalk_key(key=None, *, key_file=None, pseudonym_key=None) -> CrosswalkKey:
    """The crosswalk key: ``key`` (a :class:`CrosswalkKey`, a secret str/bytes, or a
    ``pathlib.Path`` to a key file), else ``key_file``, else ``DEID_CROSSWALK_KEY`` /
    ``DEID_CROSSWALK_KEY_FILE``. There is no random fallback: a crosswalk nobody can open is
    useless. With ``pseudonym_key``, the two must differ.

    ``ValueError``: no key found, a key too short, or the same secret as the pseudonym key.
    """
    if isinstance(key, CrosswalkKey):
        resolved = key
    elif isinstance(key, os.PathLike):
        resolved = CrosswalkKey.from_file(key)
    elif isinstance(key, (str, bytes, bytearray)):
        resolved = CrosswalkKey(key)
    elif key is not None:
        raise TypeError(f"crosswalk key must be a CrosswalkKey, str, bytes or path, not {type(key).__name__}")
    elif key_file is not None:
        resolved = CrosswalkKey.from_file(key_file)
    else:
        resolved = CrosswalkKey.from_env()
        if resolved is None:
            raise ValueError(
                f"a crosswalk needs a crosswalk key: set {ENV_KEY} or {ENV_KEY_FILE}, or pass "
                "crosswalk_key= (a secret apart from the pseudonym key; `deid keygen FILE` makes one)"
            )
    if pseudonym_key is not None and resolved.same_secret(pseudonym_key):
        raise ValueError("the crosswalk key must differ from the pseudonym key: whoever scrubs the data "
                         "must not be able to open the crosswalk with the same secret")
    return resolved

"""The secret key from which every pseudonym, surrogate, date offset and fingerprint derives.

Principle: the same key gives the same outputs on every machine and in every run; without
the key nothing can be reversed or linked. The key never appears in a repr, a log line or
an error message.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

#: Shortest secret accepted. HMAC-SHA256 is only as strong as its key; 16 bytes (128 bits)
#: is the floor NIST SP 800-107 gives for HMAC keys used for this kind of derivation.
MIN_KEY_BYTES = 16

_ENV_KEY = "DEID_KEY"
_ENV_KEY_FILE = "DEID_KEY_FILE"


class Key:
    """A secret key for keyed pseudonyms, surrogates, date shifts and fingerprints.

    Sub-keys are derived per purpose, so a pseudonym token never equals a fingerprint of
    the same value.

    >>> key = Key("correct horse battery staple")
    >>> key.token("pseudonym", "12345", 8) == Key("correct horse battery staple").token("pseudonym", "12345", 8)
    True
    >>> key
    Key(<secret>)
    """

    __slots__ = ("_secret", "_subkeys", "_hmacs", "ephemeral", "source")

    def __init__(self, secret: str | bytes, *, source: str = "argument", ephemeral: bool = False):
        if isinstance(secret, str):
            secret = secret.encode("utf-8")
        if not isinstance(secret, (bytes, bytearray)):
            raise TypeError(f"a key must be str or bytes, not {type(secret).__name__}")
        secret = bytes(secret).strip()
        if len(secret) < MIN_KEY_BYTES:
            raise ValueError(
                f"the key from {source} is too short: {len(secret)} bytes, at least "
                f"{MIN_KEY_BYTES} are needed (generate one with `deid keygen` or "
                "`python -c \"import secrets; print(secrets.token_hex(32))\"`)"
            )
        self._secret = secret
        self._subkeys: dict[str, bytes] = {}
        self._hmacs: dict[str, hmac.HMAC] = {}  # keyed with each sub-key, copied per message
        #: True when the key was generated for this run only: outputs are not reproducible.
        self.ephemeral = ephemeral
        #: Where the key came from ("argument", "DEID_KEY", a file path, "random"); never the key.
        self.source = source

    # -- construction -------------------------------------------------------------------
    @classmethod
    def from_file(cls, path: str | os.PathLike) -> "Key":
        """Read a key from a file (its whole content, surrounding whitespace stripped)."""
        p = Path(path)
        try:
            data = p.read_bytes()
        except FileNotFoundError:
            raise ValueError(f"key file {str(p)!r} does not exist") from None
        except OSError as exc:
            raise ValueError(f"key file {str(p)!r} cannot be read: {exc.strerror}") from None
        return cls(data, source=f"key file {str(p)!r}")

    @classmethod
    def from_env(cls) -> "Key | None":
        """The key in ``DEID_KEY``, else in the file named by ``DEID_KEY_FILE``, else None."""
        value = os.environ.get(_ENV_KEY)
        if value:
            return cls(value, source=_ENV_KEY)
        path = os.environ.get(_ENV_KEY_FILE)
        if path:
            return cls.from_file(path)
        return None

    @classmethod
    def generate(cls) -> "Key":
        """A random key for this run only (``ephemeral=True``)."""
        return cls(secrets.token_bytes(32), source="random", ephemeral=True)

    # -- derivation ---------------------------------------------------------------------
    def _subkey(self, purpose: str) -> bytes:
        sub = self._subkeys.get(purpose)
        if sub is None:
            sub = hmac.new(self._secret, b"deid/v1/" + purpose.encode(), hashlib.sha256).digest()
            self._subkeys[purpose] = sub
        return sub

    def digest(self, purpose: str, message: str | bytes) -> bytes:
        """HMAC-SHA256 of ``message`` under the sub-key for ``purpose`` (32 bytes)."""
        if isinstance(message, str):
            message = message.encode("utf-8")
        keyed = self._hmacs.get(purpose)
        if keyed is None:
            keyed = self._hmacs[purpose] = hmac.new(self._subkey(purpose), digestmod=hashlib.sha256)
        h = keyed.copy()  # the key schedule is done once per purpose, not once per message
        h.update(message)
        return h.digest()

    def token(self, purpose: str, message: str | bytes, length: int = 16) -> str:
        """The first ``length`` hex characters of :meth:`digest`."""
        if not 1 <= length <= 64:
            raise ValueError(f"token length must be between 1 and 64, got {length}")
        return self.digest(purpose, message).hex()[:length]

    def integer(self, purpose: str, message: str | bytes) -> int:
        """A 64-bit unsigned integer derived from :meth:`digest` (for seeded choices)."""
        return int.from_bytes(self.digest(purpose, message)[:8], "big")

    # -- hygiene ------------------------------------------------------------------------
    def __repr__(self) -> str:
        return "Key(<ephemeral>)" if self.ephemeral else "Key(<secret>)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Key) and hmac.compare_digest(self._secret, other._secret)

    def __hash__(self) -> int:
        return hash(self._subkey("python-hash"))

    def __reduce__(self):
        # Keys travel to worker processes (n_process > 1) by pickling.
        return (_rebuild_key, (self._secret, self.source, self.ephemeral))


def _rebuild_key(secret: bytes, source: str, ephemeral: bool) -> Key:
    return Key(secret, source=source, ephemeral=ephemeral)


def resolve_key(key: "Key | str | bytes | os.PathLike | None" = None, *, key_file=None) -> Key:
    """The key to use: the argument, else ``key_file``, else ``DEID_KEY`` / ``DEID_KEY_FILE``,
    else a random key for this run (``ephemeral=True``: outputs are not reproducible).

    A ``str`` or ``bytes`` argument is the secret itself; a ``pathlib.Path`` is a key file.
    """
    if isinstance(key, Key):
        return key
    if isinstance(key, os.PathLike):
        return Key.from_file(key)
    if isinstance(key, (str, bytes, bytearray)):
        return Key(key)
    if key is not None:
        raise TypeError(f"key must be a Key, str, bytes or path, not {type(key).__name__}")
    if key_file is not None:
        return Key.from_file(key_file)
    env = Key.from_env()
    if env is not None:
        return env
    return Key.generate()


# The process-wide fallback key. Two callers that give no key in the same run must get
# the same key, or "the same value gives the same surrogate" would fail between them.
_default_slot: "tuple[bytes, Key] | None" = None
_random_key: "Key | None" = None


def default_key() -> Key:
    """The key used when none is given: ``DEID_KEY`` / ``DEID_KEY_FILE``, else one random
    key per process (``ephemeral=True``), the same object on every call of this run.

    Unlike :func:`resolve_key`, which draws a new random key each time it finds no key,
    this gives every operator of one run the same fallback key.

    >>> default_key() is default_key()
    True
    """
    global _default_slot, _random_key
    # The environment may change between calls (tests, long-lived services): cache by a
    # digest of what it holds, never by the secret itself.
    env = "\x00".join((os.environ.get(_ENV_KEY, ""), os.environ.get(_ENV_KEY_FILE, "")))
    tag = hashlib.sha256(env.encode("utf-8", "surrogatepass")).digest()
    slot = _default_slot
    if slot is not None and hmac.compare_digest(slot[0], tag):
        return slot[1]
    key = Key.from_env()
    if key is None:
        if _random_key is None:
            _random_key = Key.generate()
        key = _random_key
    _default_slot = (tag, key)
    return key

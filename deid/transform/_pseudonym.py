"""``pseudonym``: a keyed, irreversible token that stands for an identifier.

``PAT-3f9a2c1d0b7e4a55`` = prefix + the first ``length`` hex digits of
HMAC-SHA256(sub-key "pseudonym", namespace + normalized value). Never an unsalted hash: without
the key a pseudonym can be neither reversed nor recomputed from a guessed identifier.
"""

from __future__ import annotations

import re
from functools import lru_cache

from deid.transform._base import DeidOperator, check_int, check_str, key_param
from deid.transform._key import Key

_WHITESPACE = re.compile(r"\s+")


def normalize_identifier(value) -> str:
    """The normal form an identifier is keyed on: surrounding whitespace stripped, inner
    whitespace runs collapsed to one space, case folded (identifiers are case-insensitive
    in practice: ``mrn123`` and ``MRN123`` are one patient). Integers (and floats that are
    whole numbers, as pandas makes of integer ids with missing values) are written in base
    10, so ``12345``, ``12345.0`` and ``"12345"`` are one identifier.

    >>> normalize_identifier("  MRN  0012 ")
    'mrn 0012'
    >>> normalize_identifier(12345.0)
    '12345'
    """
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        raise TypeError("an identifier must be a str or an int, not bool")
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if not value.is_integer():
            raise TypeError("an identifier must be a str or an int, not a fractional float")
        text = str(int(value))
    elif hasattr(value, "__index__"):  # numpy integers
        text = str(value.__index__())
    elif hasattr(value, "is_integer") and hasattr(value, "__float__"):  # numpy floats
        return normalize_identifier(float(value))
    else:
        raise TypeError(f"an identifier must be a str or an int, not {type(value).__name__}")
    return _WHITESPACE.sub(" ", text.strip()).casefold()


@lru_cache(maxsize=1 << 16)
def _token(key: Key, message: str, length: int) -> str:
    return key.token("pseudonym", message, length)


def pseudonym(value, key: Key | str | bytes | None = None, prefix: str = "PAT", length: int = 16,
              *, namespace: str = "") -> str:
    """The keyed pseudonym of an identifier.

    ``value`` is normalized with :func:`normalize_identifier`. ``namespace`` separates key
    spaces (pseudonyms of the same value in two namespaces are unrelated); the prefix is
    cosmetic and does not enter the HMAC. ``length`` hex digits (1-64; 16 = 64 bits: the
    chance that two of a billion ids collide is about 3%, at 32 digits it is negligible).
    ``key=None`` uses :func:`deid.transform.default_key`.

    >>> k = Key("an example key, 32 bytes long...")
    >>> p = pseudonym("MRN0012", k)
    >>> p.startswith("PAT-") and len(p) == 20
    True
    >>> p == pseudonym(" mrn0012", k)
    True
    """
    key = key_param(key)
    check_str("prefix", prefix)
    check_str("namespace", namespace)
    length = check_int("length", length, minimum=1, maximum=64)
    token = _token(key, namespace + "\x1f" + normalize_identifier(value), length)
    return f"{prefix}-{token}" if prefix else token


class Pseudonym(DeidOperator):
    """Presidio operator ``pseudonym``: the value becomes ``PREFIX-<hex>``.

    Parameters: ``key`` (a :class:`Key`; default :func:`default_key`), ``prefix``
    (default ``"PAT"``; ``""`` for the bare token), ``length`` (hex digits, default 16),
    ``namespace`` (default ``""``).

    >>> k = Key("an example key, 32 bytes long...")
    >>> Pseudonym().operate("MRN0012", {"entity_type": "MRN", "key": k}) == pseudonym("MRN0012", k)
    True
    """

    name = "pseudonym"
    param_names = frozenset({"prefix", "length", "namespace"})
    uses_key = True

    def _bind(self, entity_type, key, prefix="PAT", length=16, namespace=""):
        check_str("prefix", prefix)
        check_str("namespace", namespace)
        length = check_int("length", length, minimum=1, maximum=64)
        head = f"{prefix}-" if prefix else ""
        space = namespace + "\x1f"

        def bound(value, patient_id=None):
            return head + _token(key, space + normalize_identifier(value), length)

        return bound

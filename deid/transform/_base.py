"""What every deid operator shares: Presidio plumbing, parameter checks, key resolution.

Each operator is a Presidio ``Operator`` (constructible with no arguments, settings in
``params``) and also offers :meth:`DeidOperator.bind`, which checks the parameters once and
returns a plain function ``fn(value, patient_id=None) -> str``. The :class:`Transformer` and
the table engine call the bound function on the hot path; Presidio calls ``operate``, which
binds and applies in one go.
"""

from __future__ import annotations

import os
from typing import Any, Callable, ClassVar

from presidio_anonymizer.entities import InvalidParamError
from presidio_anonymizer.operators import Operator, OperatorType

from deid.entities import ENTITY_TYPES, from_presidio
from deid.transform._key import Key, default_key, resolve_key

#: A bound operator: ``fn(value, patient_id=None) -> str``.
BoundOperator = Callable[..., str]


class OperatorParamError(ValueError, InvalidParamError):
    """A bad operator parameter. A ``ValueError`` for deid callers and an
    ``InvalidParamError`` for Presidio's engine. The message names the parameter and the
    problem, never a value being transformed."""

    def __init__(self, msg: str):
        InvalidParamError.__init__(self, msg)


def entity_of(params: dict) -> str:
    """The entity type in ``params`` (Presidio adds ``entity_type``), mapped to deid's
    vocabulary; Presidio names (``PERSON``) map to deid names (``NAME``). Unknown types
    stay as given: they only matter to operators that choose behaviour by type."""
    entity = params.get("entity_type") or "ID"
    if not isinstance(entity, str):
        raise OperatorParamError("entity_type must be a str")
    return from_presidio(entity) or entity


def key_param(value: Any) -> Key:
    """Resolve the ``key`` parameter: a :class:`Key`, a secret (str/bytes), a key file
    path, or ``None`` for :func:`default_key` (``DEID_KEY``, ``DEID_KEY_FILE``, else one
    random key per process)."""
    if value is None:
        return default_key()
    if isinstance(value, Key):
        return value
    if isinstance(value, (str, bytes, bytearray, os.PathLike)):
        return resolve_key(value)
    raise OperatorParamError(
        f"key must be a deid Key, a secret str/bytes or a key file path, not {type(value).__name__}"
    )


def check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise OperatorParamError(f"{name} must be True or False, not {type(value).__name__}")
    return value


def check_int(name: str, value: Any, *, minimum: int | None = None, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        # numpy integers are fine; anything else with __index__ too
        try:
            value = value.__index__()
        except AttributeError:
            raise OperatorParamError(f"{name} must be an int, not {type(value).__name__}") from None
    if minimum is not None and value < minimum:
        raise OperatorParamError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise OperatorParamError(f"{name} must be <= {maximum}, got {value}")
    return int(value)


def check_str(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise OperatorParamError(f"{name} must be a str, not {type(value).__name__}")
    return value


def check_value(value: Any, operator: str) -> str:
    """The text to transform must be a str; the error names the type, never the value."""
    if not isinstance(value, str):
        raise TypeError(f"{operator}: the value must be a str, not {type(value).__name__}")
    return value


class DeidOperator(Operator):
    """Base class of deid's operators.

    Subclasses set :attr:`name`, :attr:`param_names` and implement :meth:`_bind`.
    """

    #: The operator's name in Presidio's registry and in deid policies.
    name: ClassVar[str] = ""
    #: Parameters the operator accepts besides ``entity_type``.
    param_names: ClassVar[frozenset[str]] = frozenset()
    #: Whether outputs derive from the secret key (``key`` parameter).
    uses_key: ClassVar[bool] = False

    # -- Presidio's interface ------------------------------------------------------------
    def operator_name(self) -> str:
        return self.name

    def operator_type(self) -> OperatorType:
        return OperatorType.Anonymize

    def validate(self, params: dict | None = None) -> None:
        """Check ``params``; raise :class:`OperatorParamError` naming a bad one."""
        params = dict(params or {})
        params.pop("patient_id", None)
        self.bind(params)

    def operate(self, text: str = None, params: dict | None = None) -> str:
        """Transform ``text`` with the settings in ``params``. ``params`` may hold
        ``patient_id`` for operators that use it (date_shift)."""
        params = dict(params or {})
        patient_id = params.pop("patient_id", None)
        return self.bind(params)(text, patient_id)

    # -- deid's interface ----------------------------------------------------------------
    def bind(self, params: dict | None = None) -> BoundOperator:
        """Check ``params`` once and return ``fn(value, patient_id=None) -> str``."""
        params = dict(params or {})
        entity = entity_of(params)
        params.pop("entity_type", None)
        unknown = sorted(set(params) - self.param_names - ({"key"} if self.uses_key else set()))
        if unknown:
            accepted = sorted(self.param_names | ({"key"} if self.uses_key else set()))
            raise OperatorParamError(
                f"operator {self.name!r} got unknown parameter(s) {', '.join(unknown)}; "
                f"it accepts: {', '.join(accepted) or 'none'}"
            )
        if self.uses_key:
            params["key"] = key_param(params.get("key"))
        return self._bind(entity, **params)

    def _bind(self, entity_type: str, **params) -> BoundOperator:  # pragma: no cover
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def known_entity(entity_type: str) -> str:
    """Map ``entity_type`` to the vocabulary or raise ``ValueError`` naming it."""
    if isinstance(entity_type, str):
        mapped = from_presidio(entity_type)
        if mapped is not None:
            return mapped
    raise ValueError(
        f"unknown entity type {entity_type!r}; known types: {', '.join(ENTITY_TYPES)}"
    )

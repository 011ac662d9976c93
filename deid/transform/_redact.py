"""``redact``: remove a value (Presidio's meaning: the empty string)."""

from __future__ import annotations

from deid.transform._base import DeidOperator


def _empty(value, patient_id=None) -> str:
    return ""


class Redact(DeidOperator):
    """Presidio operator ``redact``: the value becomes ``""``. No parameters.

    >>> Redact().operate("617-555-0142", {"entity_type": "PHONE"})
    ''
    """

    name = "redact"

    def _bind(self, entity_type):
        return _empty

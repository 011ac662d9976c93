"""``tag``: replace a value with its entity type in brackets, ``[NAME]``."""

from __future__ import annotations

from deid.transform._base import DeidOperator, check_str

#: The default tag format; ``{entity_type}`` is replaced by the entity type.
DEFAULT_TAG_FORMAT = "[{entity_type}]"


def tag(entity_type: str, format: str = DEFAULT_TAG_FORMAT) -> str:
    """The tag that stands for a value of ``entity_type``.

    Only the ``{entity_type}`` placeholder is substituted (plain text replacement, not
    ``str.format``, so braces elsewhere in the format are kept as written).

    >>> tag("NAME")
    '[NAME]'
    >>> tag("PHONE", "<{entity_type}>")
    '<PHONE>'
    """
    return format.replace("{entity_type}", entity_type)


class Tag(DeidOperator):
    """Presidio operator ``tag``: the value becomes ``[ENTITY_TYPE]``.

    Parameters (in ``params``): ``format`` (default ``"[{entity_type}]"``).

    >>> Tag().operate("John Smith", {"entity_type": "NAME"})
    '[NAME]'
    """

    name = "tag"
    param_names = frozenset({"format"})

    def _bind(self, entity_type, format=DEFAULT_TAG_FORMAT):
        check_str("format", format)
        out = tag(entity_type, format)
        return lambda value, patient_id=None: out

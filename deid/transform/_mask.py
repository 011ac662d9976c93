"""``mask``: hide a value's letters and digits behind a mask character, keeping its shape."""

from __future__ import annotations

from deid.transform._base import (
    DeidOperator,
    OperatorParamError,
    check_bool,
    check_int,
    check_str,
    check_value,
)


def mask(
    value: str,
    masking_char: str = "*",
    *,
    keep_separators: bool = True,
    chars_to_mask: int | None = None,
    from_end: bool = False,
) -> str:
    """Mask ``value``.

    With ``keep_separators`` (the default) only letters and digits are masked, so
    ``617-555-0142`` becomes ``***-***-****``; otherwise every character is. ``chars_to_mask``
    limits masking to that many maskable characters, counted from the start (or from the end
    with ``from_end``) — the same meaning as Presidio's ``mask``.

    >>> mask("617-555-0142")
    '***-***-****'
    >>> mask("617-555-0142", "#", chars_to_mask=4, from_end=True)
    '617-555-####'
    """
    maskable = [i for i, c in enumerate(value) if c.isalnum()] if keep_separators else range(len(value))
    if chars_to_mask is not None:
        n = max(0, min(chars_to_mask, len(maskable)))
        maskable = maskable[len(maskable) - n:] if from_end else maskable[:n]
    if not maskable:
        return value
    chars = list(value)
    for i in maskable:
        chars[i] = masking_char
    return "".join(chars)


class Mask(DeidOperator):
    """Presidio operator ``mask`` (a superset of Presidio's own ``mask``).

    Parameters: ``masking_char`` (one character, default ``"*"``), ``keep_separators``
    (default True: only letters and digits are masked), ``chars_to_mask`` (default: all),
    ``from_end`` (default False). Registering it in an ``AnonymizerEngine`` replaces
    Presidio's ``mask``; configurations written for Presidio's ``mask`` keep working, except
    that separators are kept unless ``keep_separators=False``.

    >>> Mask().operate("MRN 12-345", {"entity_type": "MRN"})
    '*** **-***'
    """

    name = "mask"
    param_names = frozenset({"masking_char", "keep_separators", "chars_to_mask", "from_end"})

    def _bind(self, entity_type, masking_char="*", keep_separators=True, chars_to_mask=None, from_end=False):
        check_str("masking_char", masking_char)
        if len(masking_char) != 1:
            raise OperatorParamError("masking_char must be exactly one character")
        check_bool("keep_separators", keep_separators)
        check_bool("from_end", from_end)
        if chars_to_mask is not None:
            chars_to_mask = check_int("chars_to_mask", chars_to_mask, minimum=0)

        def bound(value, patient_id=None):
            return mask(
                check_value(value, "mask"),
                masking_char,
                keep_separators=keep_separators,
                chars_to_mask=chars_to_mask,
                from_end=from_end,
            )

        return bound

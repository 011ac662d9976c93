"""deid.transform: the operators shared by the text engine and the table engine.

Every operator is a Presidio ``Operator`` (register them in an ``AnonymizerEngine`` with
:meth:`Transformer.register`) and a plain function:

=============  ===========================================  =============================
operator       what a value becomes                         function
=============  ===========================================  =============================
tag            ``[NAME]``                                   :func:`tag`
redact         ``""``                                       -
mask           ``***-***-****``                             :func:`mask`
surrogate      a consistent fake of the same kind and shape :func:`surrogate`
date_shift     the date moved by the patient's offset       :func:`shift_date`,
                                                            :func:`date_shift_days`,
                                                            :func:`shift_dates`
pseudonym      ``PAT-3f9a2c1d0b7e4a55`` (keyed HMAC)        :func:`pseudonym`
age_cap        ``90+`` for ages over 89                     :func:`cap_age`
=============  ===========================================  =============================

:class:`Transformer` applies one operator per entity type with one key. This package
imports nothing of deid but :mod:`deid.entities`. See ``docs/transform.md``.

>>> from deid.transform import Transformer
>>> t = Transformer("an example key, 32 bytes long...")
>>> t.transform("SMITH, JOHN", "NAME") == t.transform("Smith, John", "NAME").upper()
True
"""

from deid.transform._age_cap import AgeCap, cap_age, parse_age_years
from deid.transform._base import DeidOperator, OperatorParamError
from deid.transform._date_shift import (
    DateShift,
    date_shift_days,
    date_shift_offsets,
    shift_date,
    shift_dates,
)
from deid.transform._key import MIN_KEY_BYTES, Key, default_key, resolve_key
from deid.transform._mask import Mask, mask
from deid.transform._pseudonym import Pseudonym, normalize_identifier, pseudonym
from deid.transform._redact import Redact
from deid.transform._surrogate import DEFAULT_KIND, KINDS, Surrogate, surrogate
from deid.transform._tag import Tag, tag
from deid.transform._transformer import DEFAULT_POLICY, OPERATORS, Transformer

__all__ = [
    "AgeCap",
    "DEFAULT_KIND",
    "DEFAULT_POLICY",
    "DateShift",
    "DeidOperator",
    "KINDS",
    "Key",
    "MIN_KEY_BYTES",
    "Mask",
    "OPERATORS",
    "OperatorParamError",
    "Pseudonym",
    "Redact",
    "Surrogate",
    "Tag",
    "Transformer",
    "cap_age",
    "date_shift_days",
    "date_shift_offsets",
    "default_key",
    "mask",
    "normalize_identifier",
    "parse_age_years",
    "pseudonym",
    "resolve_key",
    "shift_date",
    "shift_dates",
    "surrogate",
    "tag",
]

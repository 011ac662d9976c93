"""deid's recognizers: one Presidio ``EntityRecognizer`` per file.

>>> from deid.text.recognizers import default_recognizers
>>> sorted(r.name for r in default_recognizers())[:3]
['AddressRecognizer', 'AgeRecognizer', 'DateRecognizer']
"""

from __future__ import annotations

from deid.text.recognizers._base import DeidRecognizer
from deid.text.recognizers.addresses import AddressRecognizer
from deid.text.recognizers.ages import AgeRecognizer
from deid.text.recognizers.dates import DateRecognizer
from deid.text.recognizers.emails import EmailRecognizer
from deid.text.recognizers.ip_addresses import IpAddressRecognizer
from deid.text.recognizers.labelled_ids import LabelledIdRecognizer
from deid.text.recognizers.locations import LocationRecognizer
from deid.text.recognizers.long_numbers import LongNumberRecognizer
from deid.text.recognizers.names import NameRecognizer
from deid.text.recognizers.payment_cards import PaymentCardRecognizer
from deid.text.recognizers.phones import PhoneRecognizer
from deid.text.recognizers.ssn import SsnRecognizer
from deid.text.recognizers.urls import UrlRecognizer
from deid.text.recognizers.zip_codes import ZipRecognizer

__all__ = [
    "AddressRecognizer",
    "AgeRecognizer",
    "DateRecognizer",
    "DeidRecognizer",
    "EmailRecognizer",
    "IpAddressRecognizer",
    "LabelledIdRecognizer",
    "LocationRecognizer",
    "LongNumberRecognizer",
    "NameRecognizer",
    "PaymentCardRecognizer",
    "PhoneRecognizer",
    "SsnRecognizer",
    "UrlRecognizer",
    "ZipRecognizer",
    "default_recognizers",
]


def default_recognizers() -> list[DeidRecognizer]:
    """A fresh instance of every rule-based recognizer (no spaCy model needed)."""
    return [
        NameRecognizer(),
        DateRecognizer(),
        AgeRecognizer(),
        PhoneRecognizer(),
        SsnRecognizer(),
        EmailRecognizer(),
        UrlRecognizer(),
        IpAddressRecognizer(),
        LabelledIdRecognizer(),
        PaymentCardRecognizer(),
        LongNumberRecognizer(),
        AddressRecognizer(),
        LocationRecognizer(),
        ZipRecognizer(),
    ]

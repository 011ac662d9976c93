"""The one vocabulary of PHI entity types used across deid.

Every recognizer, operator, policy, report and benchmark speaks these names. They follow
the HIPAA Safe Harbor identifiers (45 CFR 164.514(b)(2)); see ``docs/entities.md``.

>>> from deid.entities import ENTITY_TYPES, from_presidio
>>> "NAME" in ENTITY_TYPES
True
>>> from_presidio("PERSON")
'NAME'
"""

from __future__ import annotations

ENTITY_TYPES: dict[str, str] = {
    "NAME": "names of patients, relatives, clinicians and other people",
    "DATE": "dates and date elements: dates, month/day, weekdays, holidays, timestamps, and years",
    "AGE": "ages over 89",
    "ADDRESS": "street addresses, P.O. boxes, apartment and unit numbers",
    "LOCATION": "cities, counties, neighbourhoods, facilities (hospitals, wards, nursing homes)",
    "ZIP": "ZIP codes",
    "PHONE": "telephone numbers",
    "FAX": "fax numbers",
    "EMAIL": "e-mail addresses",
    "SSN": "Social Security numbers",
    "MRN": "medical record numbers",
    "HEALTH_PLAN_ID": "health plan beneficiary, member and policy numbers",
    "ACCOUNT": "account numbers, including credit card and bank account numbers",
    "LICENSE": "certificate and licence numbers (driver's licence, DEA, NPI, state licence)",
    "VEHICLE_ID": "vehicle identifiers and serial numbers, licence plates, VINs",
    "DEVICE_ID": "device identifiers and serial numbers",
    "URL": "web addresses and domain names",
    "IP_ADDRESS": "IPv4 and IPv6 addresses",
    "ID": "any other unique identifying number, characteristic or code",
}

# Presidio's predefined entity names mapped to this vocabulary, so that a user's own
# Presidio recognizers (which emit PERSON, PHONE_NUMBER, ...) plug in unchanged.
_PRESIDIO_TO_DEID: dict[str, str] = {
    "PERSON": "NAME",
    "DATE_TIME": "DATE",
    "LOCATION": "LOCATION",
    "GPE": "LOCATION",
    "FAC": "LOCATION",
    "STREET_ADDRESS": "ADDRESS",
    "ZIP_CODE": "ZIP",
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "US_SSN": "SSN",
    "MEDICAL_LICENSE": "LICENSE",
    "US_DRIVER_LICENSE": "LICENSE",
    "US_PASSPORT": "ID",
    "US_ITIN": "ID",
    "US_BANK_NUMBER": "ACCOUNT",
    "CREDIT_CARD": "ACCOUNT",
    "IBAN_CODE": "ACCOUNT",
    "CRYPTO": "ACCOUNT",
    "IP_ADDRESS": "IP_ADDRESS",
    "URL": "URL",
    "DOMAIN_NAME": "URL",
    "UK_NHS": "ID",
}


def from_presidio(entity_type: str) -> str | None:
    """Map an entity name to this vocabulary; ``None`` when it is not PHI here.

    Names already in the vocabulary map to themselves.
    """
    if entity_type in ENTITY_TYPES:
        return entity_type
    return _PRESIDIO_TO_DEID.get(entity_type)


def check_entities(entities) -> tuple[str, ...]:
    """Validate a collection of entity types; raise ``ValueError`` naming unknown ones."""
    if isinstance(entities, str):
        entities = [entities]
    out = []
    for e in entities:
        if not isinstance(e, str) or e not in ENTITY_TYPES:
            raise ValueError(
                f"unknown entity type {e!r}; known types: {', '.join(ENTITY_TYPES)}"
            )
        if e not in out:
            out.append(e)
    return tuple(out)

"""deid: de-identify clinical notes and records, measure and lower re-identification risk.

The public surface is small and re-exported here; the machinery lives in subpackages
(``deid.text``, ``deid.transform``, ``deid.risk``, ...). Heavy dependencies (Presidio,
spaCy, numba, pandas) load on first use of a name that needs them, so ``import deid`` is
fast.

>>> import deid
>>> result = deid.scrub_text("Pt John Smith seen 7/22, call 617-555-0142.", key="a" * 32)
>>> "John" in result.text
False
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # text engine
    "Finding": "deid.text",
    "ScrubResult": "deid.text",
    "Scrubber": "deid.text",
    "detect": "deid.text",
    "scrub_text": "deid.text",
    # operators and keys
    "Key": "deid.transform",
    "date_shift_days": "deid.transform",
    "pseudonym": "deid.transform",
    # risk engine
    "assess_risk": "deid.risk",
    "RiskReport": "deid.risk",
    "EquivalenceClasses": "deid.risk",
    "linkage_attack": "deid.risk",
    "LinkageReport": "deid.risk",
    # structured records
    "Policy": "deid.tabular",
    "classify_columns": "deid.tabular",
    "scrub_frame": "deid.tabular",
    "scrub_tables": "deid.tabular",
    "TablesResult": "deid.tabular",
    "read_table": "deid.io",
    "write_table": "deid.io",
    # lowering the risk
    "Hierarchy": "deid.anonymize",
    "anonymize": "deid.anonymize",
    "AnonymizationResult": "deid.anonymize",
    # leak verification
    "VerifyResult": "deid.verify",
    # labelled synthetic data
    "generate_corpus": "deid.synth",
    # vocabulary
    "ENTITY_TYPES": "deid.entities",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'deid' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from deid.anonymize import AnonymizationResult, Hierarchy, anonymize
    from deid.entities import ENTITY_TYPES
    from deid.io import read_table, write_table
    from deid.risk import EquivalenceClasses, LinkageReport, RiskReport, assess_risk, linkage_attack
    from deid.synth import generate_corpus
    from deid.tabular import Policy, TablesResult, classify_columns, scrub_frame, scrub_tables
    from deid.text import Finding, Scrubber, ScrubResult, detect, scrub_text
    from deid.transform import Key, date_shift_days, pseudonym
    from deid.verify import VerifyResult

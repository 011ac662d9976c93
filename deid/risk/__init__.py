"""deid.risk: re-identification risk of a table, with ARX's definitions, in numba kernels.

>>> import pandas as pd
>>> from deid.risk import assess_risk
>>> df = pd.DataFrame({"zip": ["02139", "02139", "02140"], "sex": ["F", "F", "M"]})
>>> report = assess_risk(df, ["zip", "sex"], sampling_fraction=0.01)
>>> report.k, report.prosecutor.highest, round(report.prosecutor.average, 3)
(1, 1.0, 0.667)

Public names: :func:`assess_risk`, :class:`RiskReport`, and :class:`EquivalenceClasses`
(class counts from anywhere, turned into a report by ``RiskReport.from_classes``).
"""

from deid.risk._report import (
    EquivalenceClasses,
    JournalistRisk,
    MarketerRisk,
    PopulationUniqueness,
    ProsecutorRisk,
    RiskReport,
    SensitiveHistogram,
    SensitiveRisk,
    assess_risk,
)
from deid.risk._population import UniquenessEstimate
from deid.risk._linkage import LinkageReport, linkage_attack

__all__ = [
    "EquivalenceClasses",
    "JournalistRisk",
    "LinkageReport",
    "MarketerRisk",
    "PopulationUniqueness",
    "ProsecutorRisk",
    "RiskReport",
    "SensitiveHistogram",
    "SensitiveRisk",
    "UniquenessEstimate",
    "assess_risk",
    "linkage_attack",
]

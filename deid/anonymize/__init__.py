"""deid.anonymize: the least damaging generalization and suppression that meets a privacy target.

Full-domain generalization over hierarchies (one level per quasi-identifier) plus record
suppression, searched optimally over the lattice of levels as ARX's Flash algorithm does,
with ARX's information-loss metrics. The risk of the result is measured by ``deid.risk``.

>>> import pandas as pd
>>> from deid.anonymize import Hierarchy, anonymize
>>> df = pd.DataFrame({"age": [34, 36, 35, 52, 57, 55], "sex": list("FFMMFM")})
>>> result = anonymize(df, ["age", "sex"], {"age": Hierarchy.intervals(df["age"], widths=(5, 10, 20))}, k=3)
>>> result.levels, result.suppressed
({'age': 2, 'sex': 1}, 0)

Public names: :class:`Hierarchy`, :func:`anonymize`, :class:`AnonymizationResult`.
"""

from deid.anonymize._api import AnonymizationResult, anonymize
from deid.anonymize._hierarchy import Hierarchy

__all__ = ["AnonymizationResult", "Hierarchy", "anonymize"]

"""deid.tabular: de-identify tables (pandas DataFrames) with column policies.

A :class:`Policy` maps each column to an action (keep, drop, pseudonym, surrogate,
date_shift, generalize, suppress, free_text, hash_id); :meth:`Policy.safe_harbor` is the
HIPAA Safe Harbor preset, :func:`classify_columns` suggests a policy for a frame, and
:func:`scrub_frame` applies one. The operators and the key are those of the text engine, so
a patient's surrogate name, pseudonym and date offset are the same in their notes and in
their rows. See ``docs/tabular.md``.

>>> import pandas as pd
>>> from deid.tabular import Policy, scrub_frame
>>> df = pd.DataFrame({"mrn": ["A1"], "zip": ["02139"], "sex": ["F"]})
>>> policy = Policy.safe_harbor().with_columns(mrn="mrn", zip="zip", sex="attribute")
>>> scrub_frame(df, policy, key="an example key, 32 bytes long...")["zip"].tolist()
['021']
"""

from deid.tabular._actions import ACTIONS, GENERALIZE_METHODS, SAFE_HARBOR_RESTRICTED_ZIP3, Action
from deid.tabular._classify import classify_columns
from deid.tabular._policy import ROLES, Policy
from deid.tabular._scrub import scrub_frame
from deid.tabular._tables import TablesResult, scrub_table_files, scrub_tables

__all__ = [
    "ACTIONS",
    "Action",
    "GENERALIZE_METHODS",
    "Policy",
    "ROLES",
    "SAFE_HARBOR_RESTRICTED_ZIP3",
    "classify_columns",
    "TablesResult",
    "scrub_frame",
    "scrub_table_files",
    "scrub_tables",
]

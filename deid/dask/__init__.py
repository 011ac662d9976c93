"""deid.dask: run deid's DataFrame functions on Dask, for data larger than one machine.

Every function here runs the pandas implementation unchanged: per partition
(:func:`scrub_frame`, :func:`scan_frame`) or on class counts merged with Dask's groupby
reductions (:func:`assess_risk`), so results equal the pandas functions' on the same data.
See ``docs/dask.md``.

>>> import dask.dataframe as dd, pandas as pd
>>> import deid.dask
>>> ddf = dd.from_pandas(pd.DataFrame({"zip": ["021", "021", "100"], "sex": list("FFM")}), npartitions=2)
>>> report = deid.dask.assess_risk(ddf, ["zip", "sex"], sampling_fraction=0.1)
>>> report.k, report.n_classes
(1, 2)

Needs the ``dask`` extra: ``pip install 'deid[dask]'`` (``dask[dataframe]`` and
``distributed``).
"""

from __future__ import annotations

try:
    import dask  # noqa: F401
    import dask.dataframe  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(
        "deid.dask needs Dask, which is not installed: install the extra with "
        "pip install 'deid[dask]' (dask[dataframe] and distributed)"
    ) from exc

from deid.dask._risk import assess_risk, class_counts
from deid.dask._text import scan_frame, scrub_frame

__all__ = ["assess_risk", "class_counts", "scan_frame", "scrub_frame"]

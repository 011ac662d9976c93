"""A two-worker LocalCluster (separate processes) shared by the deid.dask tests.

Started once per session and closed at its end; workers are processes, so every task's
arguments are pickled and every worker loads deid on its own, as on a real cluster.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("dask.dataframe", reason="the dask extra is not installed")
distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")

ADULT = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "adult" / "adult.csv"

@pytest.fixture(scope="session")
def client():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # loopback only, any free port
        memory_limit="2GiB",
    )
    c = Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


@pytest.fixture(scope="session")
def adult() -> pd.DataFrame:
    if not ADULT.exists():
        pytest.skip(f"reference data not found: {ADULT}")
    return pd.read_csv(ADULT, sep=";")

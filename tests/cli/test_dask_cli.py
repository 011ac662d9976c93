"""`deid scan --dask` and `deid risk --dask` on a small LocalCluster equal the local commands."""

from __future__ import annotations

import pandas as pd
import pytest

pytest.importorskip("distributed")
pytest.importorskip("deid.dask")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scheduler():
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                      dashboard_address=":0") as cluster:
        yield cluster.scheduler_address


def test_scan_and_risk_on_dask_match_local(deid, tmp_path, keyed, scheduler):
    df = pd.DataFrame({"note": ["call 617-555-0142", "no phi here", "seen by Dr. Omobuwa", "call 617-555-0142"],
                       "sex": ["F", "M", "F", "F"], "age": ["40", "41", "40", "40"]})
    df.to_csv(tmp_path / "t.csv", index=False)
    local = deid("scan", "t.csv", "--columns", "note", "--format", "json").json()
    remote_run = deid("scan", "t.csv", "--columns", "note", "--format", "json", "--dask", scheduler)
    assert remote_run.code == 1, remote_run.err
    remote = remote_run.json()
    key = lambda f: (f["row"], f["field"], f["entity_type"], f["column"], f["length"], f["fingerprint"])
    assert sorted(map(key, remote["findings"])) == sorted(map(key, local["findings"]))
    assert remote["summary"]["rows"] == 4
    local_risk = deid("risk", "t.csv", "--qi", "sex,age", "--format", "json").json()
    remote_risk = deid("risk", "t.csv", "--qi", "sex,age", "--format", "json", "--dask", scheduler).json()
    for k in ("k", "n_classes", "prosecutor", "sample_uniqueness"):
        assert remote_risk[k] == local_risk[k]

"""`deid scan --dask` and `deid risk --dask` on a small LocalCluster give the local commands'
reports: the same files, findings, summary, risk figures, limits and exit codes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from .conftest import PHI_NOTE, assert_no_values

pytest.importorskip("distributed")
pytest.importorskip("deid.dask")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scheduler():
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                      dashboard_address=":0") as cluster:
        yield cluster.scheduler_address


def _without_timing(doc: dict) -> dict:
    doc = dict(doc)
    doc["summary"] = {k: v for k, v in doc["summary"].items() if k != "seconds"}
    return doc


def _data_folder(root):
    data = root / "data"
    (data / "notes").mkdir(parents=True)
    (data / "fixtures").mkdir()
    visits = pd.DataFrame({
        # a bare 8-digit number is an MRN only with its column's label ("mrn: 00482913")
        "mrn": ["00482913", "00482913", "00771234", None, "00482913"],
        "patient_name": ["Andrea Velez", "Andrea Velez", "Tomas Okafor", "", "Andrea Velez"],
        "comment": ["call 617-555-0142", "   ", "example 508-555-0199 deid:allow",
                    "seen 7/22/2019\nphone 617-555-0177 deid:allow", "stable"],
        "sex": ["F", "F", "M", "F", "F"],
    })
    visits.to_csv(data / "visits.csv", index=False)
    visits.to_csv(data / "fixtures" / "copy.csv", index=False)  # excluded on the command line
    visits.to_csv(data / "visits.tsv", sep="\t", index=False)
    pd.DataFrame({"mrn": ["00482913", None, "00771234"], "age": [93, 40, 51],
                  "note": ["Dr. Omobuwa called", "no phi", "mrn 00771234"]}).to_parquet(data / "v.parquet")
    pd.DataFrame({"age": [93, 40]}).to_parquet(data / "numbers.parquet")  # no text column: rows only
    (data / "notes" / "n.txt").write_text(PHI_NOTE)
    (data / "notes" / "skip.md").write_text(PHI_NOTE)  # excluded by the configuration
    (data / "notes" / "n.jsonl").write_text('{"note": "call 617-555-0142", "mrn": "00482913"}\n')
    (root / "deid.toml").write_text('exclude = ["*.md"]\n')


def test_scan_on_dask_equals_the_local_scan(deid, tmp_path, keyed, scheduler):
    _data_folder(tmp_path)
    args = ("scan", "data", "--exclude", "fixtures", "--format", "json")
    local_run = deid(*args)
    remote_run = deid(*args, "--dask", scheduler)
    assert remote_run.code == local_run.code == 1, remote_run.err
    local, remote = _without_timing(local_run.json()), _without_timing(remote_run.json())
    assert remote == local  # files, summary (rows, suppressed, excluded, ...), findings in order
    paths = [f["path"] for f in local["files"]]
    assert sorted(paths) == sorted(["data/numbers.parquet", "data/v.parquet", "data/visits.csv",
                                    "data/visits.tsv", "data/notes/n.txt", "data/notes/n.jsonl"])
    # what makes the two equal is real: labels, deid:allow, excludes, rows
    found = {(f["path"], f["row"], f["field"], f["entity_type"]) for f in local["findings"]}
    assert ("data/visits.csv", 3, "mrn", "MRN") in found
    # deid:allow suppresses its line of a cell: the date on the first line of row 4 stays
    assert [(f["row"], f["entity_type"], f["column"]) for f in local["findings"]
            if f["path"] == "data/visits.csv" and f["row"] in (3, 4) and f["field"] == "comment"] == [(4, "DATE", 6)]
    assert local["summary"]["suppressed"] >= 4  # two allowed cells, in the CSV and the TSV
    assert local["summary"]["files_excluded"] == 2 and local["summary"]["rows"] == 5 + 5 + 3 + 2 + 1
    assert "1 text or JSON Lines" not in remote_run.err and "2 text or JSON Lines file(s)" in remote_run.err
    assert_no_values(remote_run.out + remote_run.err)


def test_scan_on_dask_tables_only_and_nothing_scanned(deid, tmp_path, keyed, scheduler):
    _data_folder(tmp_path)
    local = deid("scan", "data/visits.csv", "--columns", "comment,sex", "--format", "json")
    remote = deid("scan", "data/visits.csv", "--columns", "comment,sex", "--format", "json", "--dask", scheduler)
    assert _without_timing(remote.json()) == _without_timing(local.json())
    assert {f["field"] for f in remote.json()["findings"]} == {"comment"}
    run = deid("scan", "data/notes/skip.md", "--dask", scheduler)
    assert run.code == 2 and "nothing was scanned" in run.err


def test_scan_on_dask_bad_input_is_reported_like_the_local_scan(deid, tmp_path, scheduler):
    (tmp_path / "good.txt").write_text(PHI_NOTE)
    (tmp_path / "t.csv").write_text("mrn,name\n00482913,Ann Lee\n00771234,Bob Stone,extra\n")
    pd.DataFrame({"x": ["a"]}).to_csv(tmp_path / "cols.csv", index=False)
    for args in (("t.csv",), ("cols.csv", "--columns", "nowhere")):
        local = deid("scan", "good.txt", *args)
        remote = deid("scan", "good.txt", *args, "--dask", scheduler)
        assert remote.code == local.code == 2
        errors = [line for line in remote.err.splitlines() if line.startswith("deid: ")
                  and "--dask" not in line]
        assert errors == [line for line in local.err.splitlines() if line.startswith("deid: ")]
        assert "Traceback" not in remote.err
        assert_no_values(remote.err, ["Bob Stone", "00771234", "Ann Lee"])
    assert errors == ["deid: cols.csv: no column(s) 'nowhere' in the file"]
    run = deid("scan", "t.csv", "--dask", scheduler)
    assert run.err.splitlines() == ["deid: t.csv: line 3: malformed row: 3 fields where the header has 2"]


def _risk_table(n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame({
        "age_band": rng.choice(["20-29", "30-39", "40-49", "90+"], n, p=[0.4, 0.3, 0.29, 0.01]),
        "sex": rng.choice(["F", "M"], n),
        "zip3": rng.choice(["021", "022", "100"], n),
        # numbers written as text in the CSV: t-closeness with the ordered distance
        "los_days": rng.integers(0, 30, n).astype(str),
        "diagnosis": rng.choice(["I10", "E11", "J45", "C50"], n),
    })


@pytest.mark.parametrize("extra", [
    ("--sensitive", "los_days,diagnosis", "--sampling-fraction", "0.05"),
    ("--sensitive", "diagnosis", "--population-size", "100000", "--min-k", "5"),
    ("--sensitive", "los_days", "--max-records-at-risk", "0.001", "--risk-threshold", "0.25"),
])
def test_risk_on_dask_equals_the_local_report(deid, tmp_path, scheduler, extra):
    _risk_table().to_csv(tmp_path / "t.csv", index=False)
    args = ("risk", "t.csv", "--qi", "age_band,sex,zip3", "--format", "json", *extra)
    local_run = deid(*args)
    remote_run = deid(*args, "--dask", scheduler)
    assert remote_run.code == local_run.code, remote_run.err
    local, remote = local_run.json(), remote_run.json()
    # record risk (1/f per row) needs the rows in one process: None from Dask (docs/dask.md)
    assert remote.pop("record_risk") is None and local.pop("record_risk") is not None
    assert remote == local
    if "los_days" in extra[1]:
        assert local["sensitive"]["los_days"]["t_distance"] == "ordered"
    if "--risk-threshold" in extra:
        assert "0.25" in local["prosecutor"]["records_at_risk"]
        assert local["limits"]["failures"] and local_run.code == 1
        assert "could not be estimated" not in str(local["limits"])


def test_risk_on_dask_parquet_and_missing_column(deid, tmp_path, scheduler):
    df = _risk_table()
    df["los_days"] = df["los_days"].astype(int)
    df.to_parquet(tmp_path / "t.parquet")
    args = ("risk", "t.parquet", "--qi", "age_band,sex,zip3", "--sensitive", "los_days,diagnosis",
            "--sampling-fraction", "0.05", "--format", "json")
    local, remote = deid(*args).json(), deid(*args, "--dask", scheduler).json()
    remote.pop("record_risk"), local.pop("record_risk")
    assert remote == local
    run = deid("risk", "t.parquet", "--qi", "age_band,nowhere", "--dask", scheduler)
    assert run.code == 2 and run.err.strip() == "deid: t.parquet: no column(s) 'nowhere' in the file"

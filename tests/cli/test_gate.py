"""`deid baseline` and `deid gate`: stable baselines, new findings, keys, risk limits."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from hypothesis import given, strategies as st

from .conftest import CLEAN_NOTE, KEY, OTHER_KEY, PHI_NOTE, SETTINGS, assert_no_values


def test_gate_fails_on_phi_and_says_how_to_fix(deid, tmp_path):
    (tmp_path / "note.txt").write_text(PHI_NOTE)
    run = deid("gate", "note.txt")
    assert run.code == 1
    assert "deid gate: FAILED" in run.out and "deid baseline" in run.out and "deid:allow" in run.out
    assert_no_values(run.out + run.err)
    (tmp_path / "clean.txt").write_text(CLEAN_NOTE)
    run = deid("gate", "clean.txt")
    assert run.code == 0 and "deid gate: passed" in run.out


def test_baseline_needs_a_key(deid, tmp_path):
    (tmp_path / "note.txt").write_text(PHI_NOTE)
    run = deid("baseline", "note.txt")
    assert run.code == 2 and "needs a secret key" in run.err
    assert not (tmp_path / ".deid-baseline.json").exists()


def test_baseline_accepts_and_is_stable_under_edits_elsewhere(deid, tmp_path, keyed):
    (tmp_path / "note.txt").write_text(PHI_NOTE)
    assert deid("baseline", "note.txt").code == 0
    baseline_file = tmp_path / ".deid-baseline.json"
    first = baseline_file.read_bytes()
    doc = json.loads(first)
    assert set(doc["files"]) == {"note.txt"}
    assert_no_values(first.decode())
    assert "line" not in json.dumps(doc["files"])
    assert deid("gate", "note.txt").code == 0
    # lines added above and below, text re-wrapped: still accepted, and a new baseline is identical
    (tmp_path / "note.txt").write_text("Intro line.\n\n" + PHI_NOTE.replace("   MRN", "\nMRN") + "More plan.\n")
    assert deid("gate", "note.txt").code == 0
    assert deid("baseline", "note.txt").code == 0
    assert baseline_file.read_bytes() == first
    # a new value fails, and only it is reported
    with open(tmp_path / "note.txt", "a") as fh:
        fh.write("Wife Margarethe called from 508-555-0199.\n")
    run = deid("gate", "note.txt", "--format", "json")
    assert run.code == 1
    new = run.json()["new_findings"]
    assert {f["entity_type"] for f in new} >= {"PHONE"} and all(f["line"] == 9 for f in new)
    assert run.json()["summary"]["baselined"] >= 5


def test_gate_with_baseline_needs_the_same_key(deid, tmp_path, keyed, monkeypatch):
    (tmp_path / "note.txt").write_text(PHI_NOTE)
    assert deid("baseline", "note.txt").code == 0
    monkeypatch.setenv("DEID_KEY", OTHER_KEY)
    run = deid("gate", "note.txt")
    assert run.code == 2 and "written with a different key" in run.err
    monkeypatch.delenv("DEID_KEY")
    run = deid("gate", "note.txt")
    assert run.code == 2 and "needs a secret key" in run.err
    (tmp_path / "k.key").write_text(KEY)
    (tmp_path / "deid.toml").write_text('key-file = "k.key"\n')
    assert deid("gate", "note.txt").code == 0  # the key file named by the configuration


def test_baseline_keeps_other_files_and_drops_deleted_ones(deid, tmp_path, keyed):
    (tmp_path / "a.txt").write_text(PHI_NOTE)
    (tmp_path / "b.txt").write_text("Call 508-555-0199.\n")
    assert deid("baseline", "a.txt", "b.txt").code == 0
    (tmp_path / "b.txt").unlink()
    (tmp_path / "a.txt").write_text(CLEAN_NOTE)
    (tmp_path / "c.txt").write_text("Call 508-555-0177.\n")
    assert deid("baseline", "c.txt").code == 0
    doc = json.loads((tmp_path / ".deid-baseline.json").read_text())
    assert set(doc["files"]) == {"a.txt", "c.txt"}  # a.txt was not rescanned; b.txt is gone


def test_baseline_file_is_never_scanned(deid, tmp_path, keyed):
    (tmp_path / "note.txt").write_text(PHI_NOTE)
    assert deid("baseline", ".").code == 0
    run = deid("gate", ".", "--format", "json")
    assert run.code == 0
    doc = run.json()
    assert doc["new_findings"] == [] and doc["summary"]["files_scanned"] == 1  # note.txt only
    # a commit staging only the baseline passes (it is never scanned, and that is not "nothing")
    assert deid("gate", ".deid-baseline.json").code == 0


def test_all_files_excluded_passes_the_gate_but_not_a_scan(deid, tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "x.md").write_text(PHI_NOTE)
    (tmp_path / "deid.toml").write_text('exclude = ["docs/"]\n')
    run = deid("gate", "docs/x.md")
    assert run.code == 0 and "excluded by the configuration" in run.out
    assert deid("scan", "docs/x.md").code == 2


def test_only_files_excluded_themselves_make_an_empty_gate_pass(deid, tmp_path, keyed):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "x.md").write_text(PHI_NOTE)
    (tmp_path / "docs" / "y.txt").write_text(PHI_NOTE)
    (tmp_path / "empty").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "image.png").write_bytes(b"\x89PNG\x00")
    (tmp_path / "deid.toml").write_text('exclude = ["docs/x.md", "*.txt"]\n')
    (tmp_path / "notes.csv").write_text("mrn\n00482913\n")
    assert deid("baseline", "notes.csv").code == 0
    # every path given is an excluded file (by the configuration, by --exclude, or the baseline)
    for paths in (["docs/x.md", "docs/y.txt"], ["docs/x.md", ".deid-baseline.json"],
                  ["docs/x.md", "notes.csv", "--exclude", "notes.csv"]):
        run = deid("gate", *paths)
        assert run.code == 0 and "excluded by the configuration" in run.out, paths
    # anything else that scans nothing is an error: a folder of excluded files, an empty
    # folder, a folder of other kinds, an excluded folder, or excluded files given with one
    (tmp_path / "deid.toml").write_text('exclude = ["docs/x.md", "*.txt", "other/"]\n')
    for paths in (["docs"], ["empty"], ["other"], ["docs/x.md", "empty"], ["docs/x.md", "other"]):
        run = deid("gate", *paths)
        assert run.code == 2 and "nothing was scanned" in run.out, paths
        run = deid("gate", *paths, "--format", "json")
        assert run.code == 2 and run.json()["passed"] is False and "nothing was scanned" in run.err
    # and a file that is scanned makes it an ordinary gate
    (tmp_path / "docs" / "z.md").write_text(PHI_NOTE)
    assert deid("gate", "docs").code == 1


def test_verbose_gate_shows_the_traceback_of_a_risk_error(deid, tmp_path):
    pd.DataFrame({"sex": ["F", "M"]}).to_csv(tmp_path / "t.csv", index=False)
    (tmp_path / "deid.toml").write_text("[[risk]]\nfiles = ['t.csv']\nquasi-identifiers = ['age']\nmin-k = 5\n")
    run = deid("gate", "t.csv", "--verbose")
    assert run.code == 2 and "Traceback (most recent call last)" in run.err and "TableError" in run.err
    assert "deid: t.csv: no column(s) 'age' in the file" in run.err
    assert "Traceback" not in deid("gate", "t.csv").err


def _table(n_rows: int, rng) -> pd.DataFrame:
    return pd.DataFrame({
        "age_band": rng.choice(["20-29", "30-39", "40-49"], n_rows),
        "sex": rng.choice(["F", "M"], n_rows),
        "zip3": rng.choice(["021", "022"], n_rows),
        "diagnosis": rng.choice(["I10", "E11", "J45"], n_rows),
    })


def test_gate_risk_limits(deid, tmp_path):
    rng = np.random.default_rng(0)
    safe = _table(600, rng)
    risky = safe.copy()
    risky.loc[0, "age_band"] = "90+"  # one record alone in its class: k = 1
    safe.to_csv(tmp_path / "safe.csv", index=False)
    risky.to_csv(tmp_path / "risky.csv", index=False)
    (tmp_path / "deid.toml").write_text(
        "[[risk]]\nfiles = ['*.csv']\nquasi-identifiers = ['age_band', 'sex', 'zip3']\n"
        "sensitive = ['diagnosis']\nmin-k = 5\nmax-records-at-risk = 0.001\nmin-distinct-l = 2\n"
    )
    assert deid("gate", "safe.csv").code == 0
    run = deid("gate", "risky.csv", "safe.csv")
    assert run.code == 1
    assert "risky.csv: risk above the limits" in run.out
    assert "k = 1, below min-k = 5" in run.out
    assert "records_at_risk(0.2) = 0.001667, above max-records-at-risk = 0.001" in run.out
    assert "safe.csv: risk" not in run.out
    doc = deid("gate", "risky.csv", "--format", "json").json()
    (check,) = doc["risk"]
    assert check["figures"]["k"] == 1 and not check["passed"]


def test_gate_risk_rule_with_missing_column_is_an_input_error(deid, tmp_path):
    pd.DataFrame({"sex": ["F", "M"]}).to_csv(tmp_path / "t.csv", index=False)
    (tmp_path / "deid.toml").write_text("[[risk]]\nfiles = ['t.csv']\nquasi-identifiers = ['age']\nmin-k = 5\n")
    run = deid("gate", "t.csv")
    assert run.code == 2 and "deid: t.csv: no column(s) 'age' in the file" in run.err


@SETTINGS
@given(
    inserted=st.lists(st.sampled_from(["BP 120/80.", "", "Plan: rest and fluids.", "HR 88, RR 18."]),
                      min_size=1, max_size=5),
    where=st.integers(min_value=0, max_value=4),
)
def test_property_baseline_ignores_lines_added_elsewhere(tmp_path_factory, inserted, where):
    """Property: inserting PHI-free lines anywhere leaves the file's baseline entry unchanged."""
    from deid.config import Config
    from deid.gate import Baseline, Gate, Scanner
    from deid.transform import Key

    key = Key(KEY)
    folder = tmp_path_factory.mktemp("b")
    lines = PHI_NOTE.splitlines()
    (folder / "n.txt").write_text(PHI_NOTE)
    config = Config(root=folder)
    scan = Scanner(key=key).scan([folder / "n.txt"])
    before = scan.files[0].fingerprints()
    edited = lines[:where] + inserted + lines[where:]
    (folder / "n.txt").write_text("\n".join(edited) + "\n")
    after_scan = Scanner(key=key).scan([folder / "n.txt"])
    assert after_scan.files[0].fingerprints() == before
    baseline = Baseline()
    baseline.replace("n.txt", before)
    result = Gate(config, scanner=Scanner(key=key), baseline=baseline).check([folder / "n.txt"])
    assert result.exit_code == 0 and result.baselined == scan.n_findings

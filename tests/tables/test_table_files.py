"""scrub_table_files (``deid scrub --tables tables.toml OUT_DIR``): a folder of CSV and Parquet
tables in, scrubbed tables out; no original id in the output folder, nothing written on error."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from deid.crosswalk import read_crosswalk
from deid.io import read_table, write_table
from deid.tabular import scrub_table_files

from .conftest import CROSSWALK_KEY, KEY, TODAY, linked_policies

CONFIG = """
folder = "raw"
crosswalk = "../secure/release.xwalk"

[tables.patients]
file = "patients.csv"
policy = "policies/patients.toml"

[tables.encounters]
file = "encounters.parquet"
policy = "policies/encounters.toml"

[tables.labs]
file = "labs.parquet"
output = "labs_scrubbed.parquet"

[tables.labs.policy]
default = "error"

[tables.labs.policy.columns]
charttime = "date_shift"
test = "keep"
value = "keep"

[tables.medications]
file = "medications.csv"
policy = "policies/medications.toml"

[tables.notes]
file = "notes.jsonl"
policy = "policies/notes.toml"

[relations]
patient = ["patients.patient_id", "encounters.patient_id", "medications.patient_id", "notes.patient_id"]
encounter = { prefix = "ENC", columns = ["encounters.encounter_id", "labs.encounter_id",
                                         "medications.encounter_id", "notes.encounter_id"] }
"""


@pytest.fixture
def project(tmp_path, tables):
    """tmp/project/{tables.toml, raw/*, policies/*}, tmp/secure/."""
    root = tmp_path / "project"
    (root / "raw").mkdir(parents=True)
    (root / "policies").mkdir()
    (tmp_path / "secure").mkdir()
    names = {"patients": "patients.csv", "encounters": "encounters.parquet", "labs": "labs.parquet",
             "medications": "medications.csv", "notes": "notes.jsonl"}
    for name, file in names.items():
        frame = tables[name]
        if file.endswith(".csv") or file.endswith(".jsonl"):
            frame = frame.astype({c: "str" for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])})
        write_table(frame, root / "raw" / file)
    for name, policy in linked_policies().items():
        if name != "labs":
            policy.to_toml(root / "policies" / f"{name}.toml")
    (root / "tables.toml").write_text(CONFIG)
    return root


def _all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_a_folder_of_tables_is_scrubbed_and_the_output_holds_no_original_id(project, tables, monkeypatch):
    monkeypatch.setenv("DEID_CROSSWALK_KEY", CROSSWALK_KEY)
    out = project.parent / "release"
    result = scrub_table_files(project / "tables.toml", out, key=KEY, today=TODAY)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["patients.csv", "encounters.parquet", "labs_scrubbed.parquet", "medications.csv", "notes.jsonl"])
    assert sorted(result.written) == sorted(str(p) for p in out.iterdir())
    data = _all_bytes(out)
    ids = set(tables["patients"]["patient_id"]) | set(tables["encounters"]["encounter_id"])
    assert len(ids) > 90
    for value in ids:
        assert value.encode() not in data
        assert value.split("-")[1].encode() not in data  # not even the digits (notes mention them)
    # the joins survive in the files as written
    patients = read_table(out / "patients.csv")
    encounters = read_table(out / "encounters.parquet")
    labs = read_table(out / "labs_scrubbed.parquet")
    assert encounters["encounter_id"].str.startswith("ENC-").all()
    assert len(labs.merge(encounters, on="encounter_id").merge(patients, on="patient_id")) == len(tables["labs"])
    # the crosswalk is outside the output, opens with its key only, and maps every patient back
    crosswalk = read_crosswalk(project.parent / "secure" / "release.xwalk", CROSSWALK_KEY)
    assert sorted(crosswalk.frame["original"]) == sorted(tables["patients"]["patient_id"])
    for token in patients["patient_id"]:
        assert crosswalk.lookup(token).original in set(tables["patients"]["patient_id"])


def test_the_crosswalk_is_never_written_inside_the_output_folder(project, monkeypatch):
    monkeypatch.setenv("DEID_CROSSWALK_KEY", CROSSWALK_KEY)
    out = project.parent / "release"
    with pytest.raises(ValueError, match="inside the output folder"):
        scrub_table_files(project / "tables.toml", out, key=KEY, crosswalk=out / "x.xwalk")
    with pytest.raises(ValueError, match="inside the output folder"):
        scrub_table_files(project / "tables.toml", out, key=KEY, crosswalk=out / "sub" / "x.xwalk")
    assert not out.exists()


def test_nothing_is_written_when_a_check_fails(project, tables, monkeypatch):
    monkeypatch.setenv("DEID_CROSSWALK_KEY", CROSSWALK_KEY)
    labs = tables["labs"].copy()
    labs.loc[3, "encounter_id"] = "ENC-123456789"
    write_table(labs, project / "raw" / "labs.parquet")
    out = project.parent / "release"
    with pytest.raises(ValueError, match="table 'labs' column 'encounter_id'") as exc:
        scrub_table_files(project / "tables.toml", out, key=KEY, today=TODAY)
    assert "123456789" not in str(exc.value)
    assert not out.exists()
    assert not (project.parent / "secure" / "release.xwalk").exists()
    monkeypatch.setenv("DEID_CROSSWALK_KEY", "short")
    write_table(tables["labs"], project / "raw" / "labs.parquet")
    with pytest.raises(ValueError, match="too short"):
        scrub_table_files(project / "tables.toml", out, key=KEY, today=TODAY)
    assert not out.exists()


def test_an_output_over_an_input_and_bad_config_files_are_refused(project, monkeypatch, tmp_path):
    monkeypatch.setenv("DEID_CROSSWALK_KEY", CROSSWALK_KEY)
    with pytest.raises(ValueError, match="is an input"):
        scrub_table_files(project / "tables.toml", project / "raw", key=KEY)
    bad = tmp_path / "bad.toml"
    for text, match in [
        ("[tables.a]\nfile = 'x.csv'\n", "does not exist"),
        ("folder = 'project/raw'\n[tables.a]\nfile = 'labs.parquet'\n[relations]\n", "needs a policy"),
        ("colour = 'blue'\n", "unknown setting"),
        ("[relations]\n", r"needs a \[tables.NAME\] section"),
        ("tables = [", "not valid TOML"),
        ("folder = 'project/raw'\n[tables.a]\nfile = 'labs.parquet'\npolicy = {default = 'keep'}\n",
         r"needs a \[relations\] section"),
    ]:
        bad.write_text(text)
        with pytest.raises(ValueError, match=match):
            scrub_table_files(bad, tmp_path / "out", key=KEY)
    assert not (tmp_path / "out").exists()
    with pytest.raises(ValueError, match="cannot be read"):
        scrub_table_files(tmp_path / "missing.toml", tmp_path / "out", key=KEY)


# -- all or nothing ------------------------------------------------------------------------------------
def _earlier_release(out: Path) -> dict[str, bytes]:
    out.mkdir()
    (out / "patients.csv").write_text("an earlier release\n")
    (out / "notes.txt").write_text("not ours\n")
    return {p.name: p.read_bytes() for p in out.iterdir()}


def test_a_failing_crosswalk_leaves_no_output(project, monkeypatch):
    import deid.crosswalk

    monkeypatch.setenv("DEID_CROSSWALK_KEY", CROSSWALK_KEY)
    out = project.parent / "release"

    def broken(*args, **kwargs):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(deid.crosswalk, "write_crosswalk", broken)
    with pytest.raises(OSError):
        scrub_table_files(project / "tables.toml", out, key=KEY, today=TODAY)
    assert not out.exists()  # created by the call, removed again
    assert not list((project.parent / "secure").iterdir())
    before = _earlier_release(out)
    with pytest.raises(OSError):
        scrub_table_files(project / "tables.toml", out, key=KEY, today=TODAY)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize("failing", ["output", "rename", "crosswalk rename"])
def test_a_failure_at_any_step_of_writing_leaves_the_earlier_state(project, monkeypatch, failing):
    import os

    from deid.io import TableWriter

    monkeypatch.setenv("DEID_CROSSWALK_KEY", CROSSWALK_KEY)
    out = project.parent / "release"
    secure = project.parent / "secure"
    before = _earlier_release(out)
    real_write, real_replace = TableWriter.write, os.replace
    writes = []

    def write(self, frame):
        writes.append(self.path)
        if failing == "output" and len(writes) == 4:
            raise OSError(28, "No space left on device")
        return real_write(self, frame)

    def replace(src, dst, *args, **kwargs):
        dst = Path(dst)
        if failing == "rename" and dst == out / "labs_scrubbed.parquet":  # the third table placed
            raise OSError(1, "Operation not permitted")
        if failing == "crosswalk rename" and dst.resolve() == (secure / "release.xwalk").resolve():
            raise OSError(1, "Operation not permitted")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(TableWriter, "write", write)
    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError):
        scrub_table_files(project / "tables.toml", out, key=KEY, today=TODAY)
    monkeypatch.setattr(os, "replace", real_replace)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no staging folder either
    assert not list(secure.iterdir())
    # and the same call without the failure writes everything
    monkeypatch.setattr(TableWriter, "write", real_write)
    result = scrub_table_files(project / "tables.toml", out, key=KEY, today=TODAY)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["patients.csv", "encounters.parquet", "labs_scrubbed.parquet", "medications.csv", "notes.jsonl",
         "notes.txt"])
    assert len(result.written) == 5 and (secure / "release.xwalk").exists()


def test_outputs_are_file_names_in_out_dir(project, tmp_path):
    text = (project / "tables.toml").read_text().replace('output = "labs_scrubbed.parquet"',
                                                           'output = "../labs.parquet"')
    (project / "tables.toml").write_text(text)
    with pytest.raises(ValueError, match="output must be a file name"):
        scrub_table_files(project / "tables.toml", tmp_path / "out", key=KEY)
    (project / "tables.toml").write_text(text.replace('"../labs.parquet"', '"labs.xlsx"'))
    with pytest.raises(ValueError, match="table 'labs': output: .*table format"):
        scrub_table_files(project / "tables.toml", tmp_path / "out", key=KEY)
    assert not (tmp_path / "out").exists()

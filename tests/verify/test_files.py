"""deid.verify on files (text folders, text files, CSV/Parquet/JSON Lines) and the command
line hook (``deid verify RAW SCRUBBED``: exit 0, 1, 2; no values printed)."""

from __future__ import annotations

import argparse
import json

import pandas as pd
import pytest

from deid.io import write_table
from deid.verify import main, register, run, verify

NOTE = "Pt Zebulon Quatermain (MRN 00482913) seen 7/22/2019, call 617-555-0142.\nPlan: home."
SECRETS = ("Zebulon", "Quatermain", "00482913", "617-555-0142", "0142")


@pytest.fixture()
def folders(tmp_path, scrubber):
    raw, out = tmp_path / "raw", tmp_path / "out"
    (raw / "p1").mkdir(parents=True)
    (out / "p1").mkdir(parents=True)
    (raw / "p1" / "a.txt").write_text(NOTE, encoding="utf-8")
    (raw / "p1" / "b.txt").write_text("No identifiers here.", encoding="utf-8")
    (raw / "c.txt").write_text(NOTE, encoding="utf-8")  # no scrubbed counterpart
    (raw / "image.png").write_bytes(b"\x89PNG\x00\x00")  # not a text file: ignored
    (out / "p1" / "a.txt").write_text(scrubber.scrub(NOTE, patient_id="p1").text.replace(
        "[PHONE]", "(617) 555 0142"), encoding="utf-8")
    (out / "p1" / "b.txt").write_text("No identifiers here.", encoding="utf-8")
    (out / "extra.txt").write_text("?", encoding="utf-8")  # no raw counterpart: not verified
    return raw, out


def test_folders_match_by_relative_path(folders):
    raw, out = folders
    result = verify(raw, out)
    assert (result.n_records, result.raw_only, result.scrubbed_only) == (2, 1, 1)
    assert result.leaks[["file", "row", "column", "line", "entity_type", "match"]].values.tolist() == [
        ["p1/a.txt", pd.NA, None, 1, "PHONE", "digits"]]
    text = (out / "p1" / "a.txt").read_text()
    s, e = result.leaks[["start", "end"]].iloc[0]
    assert text[s:e] == "617) 555 0142"


def test_two_text_files(tmp_path):
    a, b = tmp_path / "raw.txt", tmp_path / "out.txt"
    a.write_text(NOTE)
    b.write_text(NOTE.upper())
    result = verify(a, b)
    assert set(result.leaks["file"]) == {str(b)}
    assert {"NAME", "MRN", "PHONE"} <= set(result.leaks["entity_type"])
    assert result.leaks["line"].tolist() == [1] * result.n_leaks


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_tables_in_files(tmp_path, suffix):
    raw = pd.DataFrame({"note_id": ["n1", "n2"], "mrn": ["00482913", "00999999"], "note": [NOTE, "seen"]})
    out = raw.assign(mrn=["PAT-1", "PAT-2"], note=["MRN 482913, call [PHONE]", "seen"]).iloc[::-1]
    write_table(raw, tmp_path / f"raw{suffix}")
    write_table(out, tmp_path / f"out{suffix}")
    result = verify(tmp_path / f"raw{suffix}", tmp_path / f"out{suffix}", row_key="note_id",
                    identifiers={"mrn": "MRN"}, detect=False)
    assert result.leaks[["file", "row", "column", "start", "end", "match"]].values.tolist() == [
        [str(tmp_path / f"out{suffix}"), 1, "note", 4, 10, "digits"]]


def test_file_errors_name_the_file(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "raw" / "a.txt").write_bytes(b"Zebulon \xff\xfe")
    (tmp_path / "out" / "a.txt").write_text("x")
    with pytest.raises(ValueError, match="a.txt: not valid UTF-8") as err:
        verify(tmp_path / "raw", tmp_path / "out")
    assert "Zebulon" not in str(err.value)
    with pytest.raises(ValueError, match="one is a folder and the other a file"):
        verify(tmp_path / "raw", tmp_path / "out" / "a.txt")
    with pytest.raises(ValueError, match="no such file or folder"):
        verify(tmp_path / "raw", tmp_path / "missing")


def test_texts_with_patients_and_known_identifiers():
    raw = {"n1": "clothes and quorvik", "n2": "clothes and quorvik"}
    out = dict(raw)
    assert verify(raw, out).ok  # the detector alone does not know the name
    known = {"p": {"NAME": ["Ilse Quorvik"]}}
    result = verify(raw, out, patients={"n1": "p", "n2": "q"}, known=known)
    assert result.leaks[["file", "start", "end", "source"]].values.tolist() == [["n1", 12, 19, "detector"]]


# -- command line ------------------------------------------------------------------------------
def test_main_exit_status_and_report(folders, capsys, tmp_path):
    raw, out = folders
    report = tmp_path / "report.json"
    assert main([str(raw), str(out), "--json", str(report)]) == 1
    printed = capsys.readouterr().out
    assert "LEAKS: 1 identifier(s) survived in 1 record(s)" in printed and "PHONE" in printed
    assert "p1/a.txt" in printed and "1 scrubbed record(s) have no raw record" in printed
    doc = json.loads(report.read_text())
    assert doc["ok"] is False and doc["by_entity_type"] == {"PHONE": 1} and doc["by_file"] == {"p1/a.txt": 1}
    for secret in SECRETS:
        assert secret not in printed and secret not in report.read_text()
    (out / "p1" / "a.txt").write_text("Pt [NAME] (MRN [MRN]) seen [DATE], call [PHONE].\nPlan: home.")
    assert main([str(raw), str(out), "-q"]) == 0
    assert capsys.readouterr().out.strip() == "OK: no identifier survived"


def test_main_on_tables_with_a_lookup(tmp_path, capsys):
    raw = pd.DataFrame({"note_id": ["n1"], "pid": ["p1"], "note": [NOTE]})
    write_table(raw, tmp_path / "raw.csv")
    write_table(raw.assign(note="Q., Zebulon called"), tmp_path / "out.csv")
    write_table(pd.DataFrame({"pid": ["p1"], "first": ["Zebulon"], "last": ["Quatermain"]}), tmp_path / "known.csv")
    args = [str(tmp_path / "raw.csv"), str(tmp_path / "out.csv"), "--row-key", "note_id", "--patient-column", "pid",
            "--known", str(tmp_path / "known.csv"), "--known-columns", "first+last=NAME", "--json", "-"]
    assert main(args) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["by_entity_type"] == {"NAME": 1} and doc["locations"][0]["column"] == "note"


@pytest.mark.parametrize("args, message", [
    (["--row-key", "nope"], "row key column"),
    (["--identifiers", "note"], "expected COLUMN=TYPE"),
    (["--known-columns", "a=NAME"], "give --known"),
    (["--max-locations", "-1"], "--max-locations"),
])
def test_main_bad_input_exits_2_with_one_line(tmp_path, capsys, args, message):
    raw = pd.DataFrame({"note_id": ["n1"], "note": [NOTE]})
    write_table(raw, tmp_path / "raw.csv")
    write_table(raw, tmp_path / "out.csv")
    assert main([str(tmp_path / "raw.csv"), str(tmp_path / "out.csv"), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("deid verify: ") and message in err and err.count("\n") == 1
    for secret in SECRETS:
        assert secret not in err


def test_register_adds_the_subcommand(folders):
    parser = argparse.ArgumentParser(prog="deid")
    register(parser.add_subparsers(dest="command"))
    raw, out = folders
    args = parser.parse_args(["verify", str(raw), str(out), "-q"])
    assert args.func is run and args.func(args) == 1

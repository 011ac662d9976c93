"""`deid scan`: places, kinds of files, exit codes, output formats, no values printed."""

from __future__ import annotations

import json
import os
import re

import pandas as pd
import pytest
from hypothesis import given, strategies as st

from deid.gate import Scanner
from deid.transform import Key

from .conftest import CLEAN_NOTE, KEY, PHI_NOTE, PHI_VALUES, SETTINGS, assert_no_values


def test_text_findings_have_line_column_and_no_value(deid, tmp_path):
    (tmp_path / "note.txt").write_text(PHI_NOTE)
    run = deid("scan", "note.txt", "--format", "json")
    assert run.code == 1
    doc = run.json()
    assert_no_values(run.out + run.err)
    lines = PHI_NOTE.splitlines()
    found = {(f["line"], f["column"], f["length"]): f["entity_type"] for f in doc["findings"]}
    # every reported place points at text of the file; the planted phone and MRN are found
    for (line, column, length) in found:
        assert 1 <= line <= len(lines) and 1 <= column <= len(lines[line - 1])
    phone_line = 3
    phone_col = lines[2].index("617-555-0142") + 1
    assert found.get((phone_line, phone_col, 12)) == "PHONE"
    assert found.get((2, lines[1].index("00482913") + 1, 8)) == "MRN"
    assert doc["summary"]["files_scanned"] == 1 and doc["summary"]["bytes"] == len(PHI_NOTE.encode())
    assert all(re.fullmatch(r"[0-9a-f]{16}", f["fingerprint"]) for f in doc["findings"])


def test_show_values_prints_them(deid, tmp_path):
    (tmp_path / "note.txt").write_text(PHI_NOTE)
    run = deid("scan", "note.txt", "--show-values", "--format", "json")
    values = {f["value"] for f in run.json()["findings"]}
    assert "617-555-0142" in values and "00482913" in values


def test_clean_file_passes_and_nothing_scanned_is_an_error(deid, tmp_path):
    (tmp_path / "clean.txt").write_text(CLEAN_NOTE)
    assert deid("scan", "clean.txt").code == 0
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "image.bin").write_bytes(b"\x00\x01")
    run = deid("scan", "empty")
    assert run.code == 2 and "nothing was scanned" in run.err
    run = deid("scan", "clean.txt", "--exclude", "*.txt")
    assert run.code == 2 and "nothing was scanned" in run.err


def test_folder_walk_exclude_and_kinds(deid, tmp_path):
    (tmp_path / "data" / "fixtures").mkdir(parents=True)
    (tmp_path / "data" / "a.md").write_text(PHI_NOTE)
    (tmp_path / "data" / "fixtures" / "b.txt").write_text(PHI_NOTE)
    (tmp_path / "data" / "c.png").write_bytes(b"\x89PNG\x00\x00")
    (tmp_path / "data" / ".hidden").mkdir()
    (tmp_path / "data" / ".hidden" / "d.txt").write_text(PHI_NOTE)
    run = deid("scan", "data", "--exclude", "fixtures", "--format", "json")
    doc = run.json()
    assert [f["path"] for f in doc["files"]] == [os.path.join("data", "a.md")]
    assert doc["summary"]["files_excluded"] == 1 and doc["summary"]["files_skipped"] == 1


def test_deid_allow_suppresses_its_line_only(deid, tmp_path):
    text = "Call 617-555-0142 now. deid:allow\nCall 617-555-0199 later.\n"
    (tmp_path / "n.txt").write_text(text)
    doc = deid("scan", "n.txt", "--format", "json").json()
    assert [(f["line"], f["entity_type"]) for f in doc["findings"]] == [(2, "PHONE")]
    assert doc["summary"]["suppressed"] == 1


def test_jsonl_lines_fields_and_text_field(deid, tmp_path):
    rows = [{"id": 1, "note": "Call 617-555-0142.", "meta": {"author": "Dr. Omobuwa"}},
            {"id": 2, "note": "No PHI here, BP 120/80."},
            {"id": 3, "note": "MRN: 00482913 seen."}]
    path = tmp_path / "notes.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows[:2]) + "\n\n" + json.dumps(rows[2]) + "\n")
    doc = deid("scan", "notes.jsonl", "--format", "json").json()
    got = {(f["line"], f["row"], f["field"], f["entity_type"]) for f in doc["findings"]}
    assert (1, 1, "note", "PHONE") in got and (1, 1, "meta.author", "NAME") in got
    assert (4, 3, "note", "MRN") in got  # blank line 3 is skipped; record 3 is on line 4
    doc = deid("scan", "notes.jsonl", "--text-field", "note", "--format", "json").json()
    assert {f["field"] for f in doc["findings"]} == {"note"}
    assert doc["summary"]["rows"] == 3


def test_csv_every_row_of_a_repeated_value_is_reported(deid, tmp_path):
    df = pd.DataFrame({"mrn": ["00482913", "00482913", "00771234", "00482913"],
                       "sex": ["F", "F", "M", "F"],
                       "comment": ["", "call 617-555-0142", "", "stable"]})
    df.to_csv(tmp_path / "t.csv", index=False)
    doc = deid("scan", "t.csv", "--format", "json").json()
    mrn_rows = sorted(f["row"] for f in doc["findings"] if f["field"] == "mrn")
    assert mrn_rows == [1, 2, 3, 4]
    fps = {f["row"]: f["fingerprint"] for f in doc["findings"] if f["field"] == "mrn"}
    assert fps[1] == fps[2] == fps[4] != fps[3]
    assert [(f["row"], f["entity_type"]) for f in doc["findings"] if f["field"] == "comment"] == [(2, "PHONE")]
    assert not [f for f in doc["findings"] if f["field"] == "sex"]
    doc = deid("scan", "t.csv", "--columns", "comment", "--format", "json").json()
    assert {f["field"] for f in doc["findings"]} == {"comment"}


def test_parquet_text_columns_and_nested_error(deid, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"mrn": ["00482913", None], "age": [93, 40]}), tmp_path / "flat.parquet")
    pq.write_table(pa.table({"contacts": [["617-555-0142"], []], "x": ["a", "b"]}), tmp_path / "nested.parquet")
    (tmp_path / "note.txt").write_text(PHI_NOTE)
    run = deid("scan", "flat.parquet", "nested.parquet", "note.txt", "--format", "json")
    assert run.code == 2
    err_lines = [line for line in run.err.splitlines() if line.startswith("deid: ")]
    assert err_lines == [f"deid: nested.parquet: column 'contacts' is nested (list<element: string>); "
                         "flatten it, or name the columns to scan with --columns"]
    doc = run.json()
    scanned = {f["path"] for f in doc["files"] if f["error"] is None}
    assert scanned == {"flat.parquet", "note.txt"}  # the other files are still scanned and reported
    assert any(f["path"] == "flat.parquet" and f["field"] == "mrn" and f["row"] == 1 for f in doc["findings"])
    assert deid("scan", "nested.parquet", "--columns", "x").code == 0


def test_table_output_fits_80_columns(deid, tmp_path):
    (tmp_path / "a-rather-long-folder-name" / "and-a-subfolder").mkdir(parents=True)
    (tmp_path / "a-rather-long-folder-name" / "and-a-subfolder" / "discharge_summary_2019.txt").write_text(PHI_NOTE)
    pd.DataFrame({"a_very_long_column_name_for_a_patient_name": ["Dr. Omobuwa"]}).to_csv(tmp_path / "t.csv", index=False)
    run = deid("scan", ".")
    assert run.code == 1
    lines = run.out.splitlines()
    assert len(lines) > 5 and max(len(line) for line in lines) <= 80
    run = deid("scan", ".", "--show-values")
    assert max(len(line) for line in run.out.splitlines()) <= 80
    assert "617-555-0142" in run.out


def test_limit_shows_the_first_findings(deid, tmp_path):
    (tmp_path / "n.txt").write_text("".join(f"call 617-555-{i:04d}\n" for i in range(30)))
    run = deid("scan", "n.txt", "--limit", "5")
    assert run.code == 1 and "and 25 more findings" in run.out


def test_jobs_2_gives_the_same_findings(tmp_path):
    for i in range(6):
        (tmp_path / f"n{i}.txt").write_text(PHI_NOTE.replace("0142", f"01{i:02d}"))
    pd.DataFrame({"mrn": [f"0048{i:04d}" for i in range(50)]}).to_csv(tmp_path / "t.csv", index=False)
    key = Key(KEY)
    one = [f.to_dict() for f in Scanner(key=key, jobs=1).scan([tmp_path]).findings()]
    two = [f.to_dict() for f in Scanner(key=key, jobs=2).scan([tmp_path]).findings()]
    assert one == two and len(one) > 50


@SETTINGS
@given(
    before=st.lists(st.sampled_from(["", "BP 120/80.", "Plan: rest.", "  ", "\tHR 88"]), max_size=6),
    phone=st.from_regex(r"[2-9]\d\d-[2-9]\d\d-\d{4}", fullmatch=True),
    pad=st.text(alphabet=" .,;:", max_size=5),
    crlf=st.booleans(),
)
def test_reported_place_points_at_the_value(tmp_path_factory, before, phone, pad, crlf):
    """Property: for every finding, line:column (1-based) and length select exactly its value."""
    folder = tmp_path_factory.mktemp("prop")
    nl = "\r\n" if crlf else "\n"
    text = nl.join([*before, f"call{pad} {phone} today", "Seen by Dr. Omobuwa."]) + nl
    (folder / "n.txt").write_bytes(text.encode())
    report = Scanner(key=Key(KEY), show_values=True).scan([folder / "n.txt"])
    lines = text.split("\n")
    findings = list(report.findings())
    assert any(f.entity_type == "PHONE" and f.value == phone for f in findings)
    for f in findings:
        line = lines[f.line - 1]
        assert line[f.column - 1:f.column - 1 + f.length] == f.value


class _FakeTerminal:
    """A stderr that says it is a terminal and keeps what is written."""

    def __init__(self):
        self.parts = []

    def write(self, text):
        self.parts.append(text)
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return True

    def fileno(self):
        raise OSError("not a real terminal")


def test_progress_bar_only_on_a_terminal_and_not_with_quiet(monkeypatch, tmp_path):
    import sys

    from deid.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "n.txt").write_text(PHI_NOTE)
    fake = _FakeTerminal()
    monkeypatch.setattr(sys, "stderr", fake)
    assert main(["scan", "n.txt", "--format", "json", "-o", "out.json"]) == 1
    assert "scanning" in "".join(fake.parts)
    fake.parts.clear()
    assert main(["scan", "n.txt", "--format", "json", "-o", "out.json", "--quiet"]) == 1
    assert "".join(fake.parts) == ""
    assert_no_values(json.dumps(json.loads((tmp_path / "out.json").read_text())))


@SETTINGS
@given(cells=st.lists(st.tuples(st.sampled_from(["00482913", "call 617-555-0142", "100% ok", "", "Dr. Omobuwa",
                                                  'say "hi" \\ 50%', "F"]),
                                st.sampled_from(["7/22/2019", "none", "Ann Lee", ""])),
                      min_size=1, max_size=30))
def test_property_json_report_lists_exactly_the_findings(tmp_path_factory, cells):
    """Property: the JSON writer (row templates) gives the findings of FileScan.findings(),
    in the same order, for any table, with and without values."""
    import io

    from deid.report import write_scan_json

    folder = tmp_path_factory.mktemp("j")
    pd.DataFrame(cells, columns=["a", "b"]).to_csv(folder / "t.csv", index=False)
    for show in (False, True):
        report = Scanner(key=Key(KEY), show_values=show, chunksize=7).scan([folder / "t.csv"])
        buf = io.StringIO()
        write_scan_json(report, buf)
        assert json.loads(buf.getvalue())["findings"] == [f.to_dict() for f in report.findings()]


@SETTINGS
@given(cells=st.lists(st.tuples(st.sampled_from(["00482913", "Ann Lee 617-555-0142", "call 617-555-0142 deid:allow",
                                                  "", "F", "Dr. Omobuwa"]),
                                st.sampled_from(["7/22/2019", "none", "Ann Lee deid:allow", ""])),
                      min_size=1, max_size=30),
       chunksize=st.integers(1, 8))
def test_property_table_findings_do_not_depend_on_chunks(tmp_path_factory, cells, chunksize):
    """Property: a table's findings, counts and suppressed findings are the same whatever
    the chunk size (values met in earlier chunks are not detected again, their findings
    are reused, deid:allow cells included)."""
    from collections import Counter

    folder = tmp_path_factory.mktemp("c")
    pd.DataFrame(cells, columns=["a", "b"]).to_csv(folder / "t.csv", index=False)
    whole = Scanner(key=Key(KEY), chunksize=1000).scan([folder / "t.csv"])
    chunked = Scanner(key=Key(KEY), chunksize=chunksize).scan([folder / "t.csv"])
    assert list(chunked.findings()) == list(whole.findings())
    assert chunked.counts == whole.counts == dict(Counter(f.entity_type for f in whole.findings()))
    assert chunked.n_findings == whole.n_findings == len(list(whole.findings()))
    assert chunked.n_suppressed == whole.n_suppressed
    allowed = sum(cell.count("deid:allow") for row in cells for cell in row)
    assert (whole.n_suppressed > 0) == (allowed > 0)
    assert chunked.files[0].fingerprints() == whole.files[0].fingerprints()

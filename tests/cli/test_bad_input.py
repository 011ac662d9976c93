"""Bad input: one line naming the file (and line) and the problem, exit 2, no traceback
unless --verbose, and the other files are still scanned and reported."""

from __future__ import annotations

import pathlib

from .conftest import PHI_NOTE, assert_no_values


def _errors(run):
    return [line for line in run.err.splitlines() if line.startswith("deid: ")]


def _scan_with_good_file(deid, tmp_path, bad_name):
    (tmp_path / "good.txt").write_text(PHI_NOTE)
    run = deid("scan", "good.txt", bad_name, "--format", "json")
    assert run.code == 2
    assert "Traceback" not in run.err
    doc = run.json()
    assert any(f["path"] == "good.txt" for f in doc["findings"])  # still scanned and reported
    return run


def test_binary_file_given_as_text(deid, tmp_path):
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    run = _scan_with_good_file(deid, tmp_path, "image.txt")
    assert _errors(run) == ["deid: image.txt: looks like a binary file (it holds NUL bytes), not text"]


def test_wrong_encoding_names_the_line(deid, tmp_path):
    (tmp_path / "latin.txt").write_bytes("line one\nline two\nJos\u00e9 Garc\u00eda\n".encode("latin-1"))
    run = _scan_with_good_file(deid, tmp_path, "latin.txt")
    (message,) = _errors(run)
    assert message.startswith("deid: latin.txt: line 3: not valid utf-8")
    assert "Jos" not in run.err
    # and with the right encoding it is read
    assert deid("scan", "latin.txt", "--encoding", "latin-1").code in (0, 1)


def test_malformed_csv_row(deid, tmp_path):
    (tmp_path / "t.csv").write_text("mrn,name\n00482913,Ann Lee\n00771234,Bob Stone,extra\n")
    run = _scan_with_good_file(deid, tmp_path, "t.csv")
    (message,) = _errors(run)
    assert message == "deid: t.csv: line 3: malformed row: 3 fields where the header has 2"
    assert_no_values(run.err, ["Bob Stone", "00771234"])


def test_bad_json_line(deid, tmp_path):
    (tmp_path / "n.jsonl").write_text('{"note": "Call 617-555-0142"}\n{"note": oops}\n')
    run = _scan_with_good_file(deid, tmp_path, "n.jsonl")
    (message,) = _errors(run)
    assert message.startswith("deid: n.jsonl: line 2: not valid JSON")
    # the findings before the bad line are kept
    assert any(f["path"] == "n.jsonl" and f["line"] == 1 for f in run.json()["findings"])


def test_nested_parquet(deid, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"visit": [{"mrn": "00482913"}]}), tmp_path / "n.parquet")
    run = _scan_with_good_file(deid, tmp_path, "n.parquet")
    (message,) = _errors(run)
    assert message.startswith("deid: n.parquet: column 'visit' is nested (struct<mrn: string>)")


def test_not_parquet(deid, tmp_path):
    (tmp_path / "x.parquet").write_text("not parquet at all")
    run = _scan_with_good_file(deid, tmp_path, "x.parquet")
    (message,) = _errors(run)
    assert message.startswith("deid: x.parquet: not a readable Parquet file")


def test_unreadable_file(deid, tmp_path, monkeypatch):
    target = tmp_path / "secret.txt"
    target.write_text(PHI_NOTE)
    real = pathlib.Path.read_bytes

    def read_bytes(self):  # tests run as root, where chmod 000 does not stop reading
        if self.name == "secret.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
    run = _scan_with_good_file(deid, tmp_path, "secret.txt")
    assert _errors(run) == ["deid: secret.txt: cannot be read (Permission denied)"]


def test_missing_path(deid, tmp_path):
    run = _scan_with_good_file(deid, tmp_path, "nowhere.txt")
    assert _errors(run) == ["deid: nowhere.txt: no such file or folder"]


def test_file_errors_show_a_traceback_with_verbose_only(deid, tmp_path):
    (tmp_path / "good.txt").write_text(PHI_NOTE)
    (tmp_path / "t.csv").write_text("mrn,name\n00482913,Ann Lee\n00771234,Bob Stone,extra\n")
    (tmp_path / "n.jsonl").write_text('{"note": "Call 617-555-0142"}\n{"note": "Bob Stone" oops}\n')
    (tmp_path / "latin.txt").write_bytes("Seen by Jos\u00e9 Garc\u00eda\n".encode("latin-1"))
    expected = ["deid: t.csv: line 3: malformed row: 3 fields where the header has 2",
                "deid: n.jsonl: line 2: not valid JSON (column 22: Expecting ',' delimiter)",
                "deid: latin.txt: line 1: not valid utf-8 (byte 11); give --encoding, e.g. latin-1"]
    args = ("scan", "good.txt", "t.csv", "n.jsonl", "latin.txt", "--format", "json")
    quiet = deid(*args)
    assert quiet.code == 2 and "Traceback" not in quiet.err
    assert _errors(quiet) == expected
    loud = deid(*args, "--verbose")
    assert loud.code == 2
    assert loud.err.count("Traceback (most recent call last)") == 3
    assert "deid.io._formats.TableError" in loud.err and "deid.gate._scan.FileProblem" in loud.err
    # the one-line errors follow, and the other files are still reported
    assert [line for line in _errors(loud) if "traceback (--verbose)" not in line][-3:] == expected
    assert any(f["path"] == "good.txt" for f in loud.json()["findings"])
    # deid's own errors name lines and problems, never a value: not even in a traceback
    assert_no_values(quiet.err + loud.err, ["Bob Stone", "00771234", "Ann Lee", "Jos", "Garc"])


def test_missing_key_file(deid, tmp_path):
    (tmp_path / "good.txt").write_text(PHI_NOTE)
    run = deid("scan", "good.txt", "--key-file", "missing.key")
    assert run.code == 2
    assert run.err.strip().splitlines() == ["deid: key file 'missing.key' does not exist"]
    run = deid("scan", "good.txt", "--key-file", "missing.key", "--verbose")
    assert run.code == 2 and "Traceback" in run.err


def test_config_with_unknown_key(deid, tmp_path):
    (tmp_path / "good.txt").write_text(PHI_NOTE)
    (tmp_path / "deid.toml").write_text("thresold = 0.5\n")
    run = deid("scan", "good.txt")
    assert run.code == 2
    (message,) = run.err.strip().splitlines()
    assert message.startswith(f"deid: {tmp_path / 'deid.toml'}: unknown key 'thresold' in the top level")
    (tmp_path / "deid.toml").unlink()
    (tmp_path / "pyproject.toml").write_text("[tool.deid]\nthreshold = 0.5\n[[tool.deid.risk]]\nfiles = '*.csv'\n"
                                             "quasi-identifiers = ['age']\nmin_k = 5\n")
    run = deid("scan", "good.txt")
    assert run.code == 2 and "risk rule 1: unknown key 'min_k'" in run.err


def test_unknown_entity_and_bad_threshold(deid, tmp_path):
    (tmp_path / "good.txt").write_text(PHI_NOTE)
    run = deid("scan", "good.txt", "--entities", "NAME,PATIENT")
    assert run.code == 2 and "unknown entity type 'PATIENT'" in run.err
    run = deid("scan", "good.txt", "--threshold", "2")
    assert run.code == 2 and "--threshold must be between 0 and 1" in run.err


def test_usage_error_is_exit_2(deid):
    assert deid("scan").code == 2
    assert deid("frobnicate").code == 2
    assert deid().code == 2

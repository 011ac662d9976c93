"""`deid scrub` (text as before, tables through policies), `deid risk`, `deid keygen`,
help texts, the subcommand registry and the configuration file."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest

from deid.cli import COMMANDS, build_parser, main, register_command
from deid.config import ConfigError, load_config, path_matches
from deid.text import Scrubber

from .conftest import KEY, PHI_NOTE, REPO, assert_no_values


# -- scrub -----------------------------------------------------------------------------------
def test_scrub_folder_to_stdout_is_the_library_output(deid, keyed):
    run = deid("scrub", REPO / "examples" / "notes", "-")
    assert run.code == 0
    files = sorted((REPO / "examples" / "notes").glob("*.txt"))
    scrubber = Scrubber(key=KEY)
    expected = ""
    for f in files:
        text = scrubber.scrub(f.read_text()).text
        expected += f"==> {f} <==\n" + text + ("" if text.endswith("\n") else "\n")
    assert run.out == expected


def test_scrub_text_file_to_file_atomically_and_never_over_input(deid, tmp_path, keyed):
    (tmp_path / "n.txt").write_text(PHI_NOTE)
    assert deid("scrub", "n.txt", "out/n.txt").code == 0
    assert_no_values((tmp_path / "out" / "n.txt").read_text(), ["Andrea Velez", "617-555-0142", "00482913"])
    assert (tmp_path / "n.txt").read_text() == PHI_NOTE
    run = deid("scrub", "n.txt", "n.txt")
    assert run.code == 2 and "never modified" in run.err
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_scrub_tags(deid, tmp_path):
    (tmp_path / "n.txt").write_text("Call 617-555-0142 about Ann Lee.\n")
    run = deid("scrub", "--tags", "n.txt", "-")
    assert run.out == "Call [PHONE] about [NAME].\n"


def test_scrub_table_with_policy(deid, tmp_path, keyed):
    df = pd.DataFrame({"mrn": ["00482913", "00771234"], "zip": ["02139", "10001"],
                       "note": ["Call 617-555-0142.", "Seen by Dr. Omobuwa."]})
    df.to_csv(tmp_path / "v.csv", index=False)
    (tmp_path / "policy.toml").write_text('[columns]\nmrn = "pseudonym"\nzip = "generalize:zip3"\nnote = "free_text"\n')
    run = deid("scrub", "v.csv", "v.parquet", "--policy", "policy.toml", "--patient-field", "mrn")
    assert run.code == 0, run.err
    out = pd.read_parquet(tmp_path / "v.parquet")
    assert out["zip"].tolist() == ["021", "100"]
    assert all(v.startswith("PAT-") for v in out["mrn"])
    assert "617-555-0142" not in out["note"][0]
    assert (tmp_path / "v.csv").read_text() == df.to_csv(index=False)
    run = deid("scrub", "v.csv", "v.csv", "--policy", "policy.toml")
    assert run.code == 2


def test_scrub_table_without_policy_uses_the_classified_preset(deid, tmp_path, keyed):
    pd.DataFrame({"patient_name": ["Ann Lee", "Bob Stone"], "phone": ["617-555-0142", "508-555-0199"],
                  "sex": ["F", "M"]}).to_csv(tmp_path / "p.csv", index=False)
    run = deid("scrub", "p.csv", "p.out.csv", "--save-policy", "policy.toml")
    assert run.code == 0, run.err
    assert "no --policy" in run.err and "phone=phone" in run.err
    text = (tmp_path / "p.out.csv").read_text()
    assert_no_values(text, ["Ann Lee", "617-555-0142"])
    assert (tmp_path / "policy.toml").exists()


# -- risk ------------------------------------------------------------------------------------
def test_risk_json_equals_the_library(deid, tmp_path):
    from deid.risk import assess_risk

    rng = np.random.default_rng(1)
    df = pd.DataFrame({"age": rng.integers(20, 30, 300).astype(str), "sex": rng.choice(["F", "M"], 300),
                       "dx": rng.choice(["a", "b", "c"], 300)})
    df.to_csv(tmp_path / "t.csv", index=False)
    run = deid("risk", "t.csv", "--qi", "age,sex", "--sensitive", "dx", "--sampling-fraction", "0.1",
               "--format", "json")
    assert run.code == 0
    doc = run.json()
    expected = assess_risk(df.astype("str"), ["age", "sex"], sensitive=["dx"], sampling_fraction=0.1).to_dict()
    for key in ("k", "n_classes", "prosecutor", "sample_uniqueness", "population_uniqueness", "sensitive"):
        assert doc[key] == expected[key], key
    table = deid("risk", "t.csv", "--qi", "age,sex", "--min-k", "1000")
    assert table.code == 1 and "limit exceeded: k = " in table.out
    assert max(len(line) for line in table.out.splitlines()) <= 80


def test_risk_bad_column_and_dask_without_the_extra(deid, tmp_path, monkeypatch):
    pd.DataFrame({"sex": ["F"]}).to_csv(tmp_path / "t.csv", index=False)
    run = deid("risk", "t.csv", "--qi", "age")
    assert run.code == 2 and run.err.strip() == "deid: t.csv: no column(s) 'age' in the file"
    import sys

    monkeypatch.setitem(sys.modules, "deid.dask", None)  # as if deid.dask were not installed
    run = deid("risk", "t.csv", "--qi", "sex", "--dask", "tcp://127.0.0.1:1")
    assert run.code == 2 and "deid[dask]" in run.err
    run = deid("scan", "t.csv", "--dask", "tcp://127.0.0.1:1")
    assert run.code == 2 and "deid[dask]" in run.err


# -- keygen, help, registry ------------------------------------------------------------------
def test_keygen_writes_a_private_key_once(deid, tmp_path):
    assert deid("keygen", "k.key").code == 0
    secret = (tmp_path / "k.key").read_text().strip()
    assert len(secret) == 64 and oct(os.stat(tmp_path / "k.key").st_mode & 0o777) == "0o600"
    assert deid("keygen", "k.key").code == 2
    assert (tmp_path / "k.key").read_text().strip() == secret


def test_every_help_shows_an_example(capsys):
    assert main(["--help"]) == 0
    assert "examples:" in capsys.readouterr().out
    for name in COMMANDS:
        assert main([name, "--help"]) == 0
        out = capsys.readouterr().out
        assert "example:\n  deid " in out or "example:\n  DEID_" in out, name
        assert max(len(line) for line in out.splitlines()) <= 80


def test_registry_adds_a_command(capsys):
    seen = {}
    register_command("echo-test", help="test", description="test", example="deid echo-test X",
                     add_arguments=lambda p: p.add_argument("x"), run=lambda a: seen.setdefault("x", a.x) and 0)
    try:
        assert main(["echo-test", "hello"]) == 0 and seen == {"x": "hello"}
    finally:
        COMMANDS.pop("echo-test")


# -- configuration ---------------------------------------------------------------------------
def test_config_search_and_precedence(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.deid]\nthreshold = 0.4\n")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    assert load_config(start=sub).threshold == 0.4
    (tmp_path / "deid.toml").write_text("threshold = 0.6\n")
    assert load_config(start=sub).threshold == 0.6  # deid.toml before pyproject.toml in one folder
    (tmp_path / "a" / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert load_config(start=sub).threshold == 0.6  # a pyproject.toml without [tool.deid] is passed over
    (tmp_path / "a" / "pyproject.toml").write_text("[tool.deid]\nthreshold = 0.7\nkey-file = 'k.key'\n")
    config = load_config(start=sub)
    assert config.threshold == 0.7 and config.key_file == tmp_path / "a" / "k.key"  # the closest wins
    assert load_config(tmp_path / "deid.toml").threshold == 0.6  # --config
    with pytest.raises(ConfigError, match="no \\[tool.deid\\] table"):
        load_config(_write(tmp_path / "c" / "pyproject.toml", "[project]\n"))


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize("text, message", [
    ("threshold = 2\n", "'threshold' must be between 0 and 1"),
    ("entities = ['NAME', 'NOPE']\n", "unknown entity type 'NOPE'"),
    ("exclude = 3\n", "'exclude' must be a list of strings"),
    ("jobs = 0\n", "'jobs' must be between 1"),
    ("[[risk]]\nfiles = ['*']\nquasi-identifiers = ['a']\n", "sets no limit"),
    ("[[risk]]\nfiles = ['*']\nquasi-identifiers = ['a']\nmax-population-uniqueness = 0.1\n",
     "needs 'population-size' or 'sampling-fraction'"),
    ("threshold = \n", "not valid TOML"),
])
def test_config_errors_name_the_file_and_key(tmp_path, text, message):
    path = _write(tmp_path / "deid.toml", text)
    with pytest.raises(ConfigError, match=message) as err:
        load_config(path)
    assert str(err.value).startswith(str(path))


@pytest.mark.parametrize("path, pattern, expected", [
    ("data/raw/a.csv", "*.csv", True),
    ("data/raw/a.csv", "raw", True),
    ("data/raw/a.csv", "data/*.csv", True),
    ("data/raw/a.csv", "data/raw/", True),
    ("data/raw/a.csv", "data/raw/**", True),
    ("data/raw/a.csv", "docs/", False),
    ("data/raw/a.csv", "raw/*.csv", False),  # a pattern with / is anchored at the root
    ("data/raw/a.csv", "a.tsv", False),
    ("rawdata/a.csv", "raw", False),
])
def test_path_patterns(path, pattern, expected):
    assert path_matches(path, pattern) is expected


def test_scrub_jsonl_text_field(deid, tmp_path, keyed):
    rows = [{"mrn": "00482913", "note": "Call 617-555-0142 about Ann Lee."},
            {"mrn": "00771234", "note": "Seen by Dr. Omobuwa on 7/22/2019."}]
    (tmp_path / "n.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "policy.toml").write_text('[columns]\nmrn = "pseudonym"\nnote = "keep"\n')
    run = deid("scrub", "n.jsonl", "out.jsonl", "--policy", "policy.toml", "--text-field", "note",
               "--patient-field", "mrn")
    assert run.code == 0, run.err
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["mrn"].startswith("PAT-") for r in out] == [True, True]
    assert_no_values(json.dumps(out), ["617-555-0142", "Omobuwa", "00482913"])

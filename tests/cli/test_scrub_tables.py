"""`deid scrub --tables tables.toml OUT_DIR`: a folder of CSV and Parquet tables scrubbed
together; joins survive, one date offset per patient, a crosswalk `deid crosswalk` opens, and
nothing at all is written when anything fails.

All data here is fake (made-up names, ids and dates)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deid.io import read_table, write_table

CROSSWALK_SECRET = "deid cli tests: the crosswalk secret, 32+ bytes long"
SURNAMES = ["Brackhurst", "Quillfeather", "Dunsmore", "Ravensworth", "Tollemache", "Winterbourne"]

TABLES_TOML = """
folder = "raw"

[tables.patients]
file = "patients.csv"
[tables.patients.policy]
default = "error"
[tables.patients.policy.columns]
name = "surrogate:name"
dob = "date_shift"
sex = "keep"
zip = "generalize:zip3"

[tables.encounters]
file = "encounters.parquet"
[tables.encounters.policy]
default = "error"
[tables.encounters.policy.columns]
admit = "date_shift"
dept = "keep"

[tables.labs]
file = "labs.parquet"
[tables.labs.policy]
default = "error"
[tables.labs.policy.columns]
charttime = "date_shift"
test = "keep"
value = "keep"

[tables.notes]
file = "notes.csv"
[tables.notes.policy]
default = "error"
[tables.notes.policy.columns]
note_id = "hash_id"
note_date = "date_shift"
text = "free_text"

[relations]
patient = ["patients.patient_id", "encounters.patient_id", "notes.patient_id"]
encounter = { columns = ["encounters.encounter_id", "labs.encounter_id"], prefix = "ENC" }
"""


def _raw_tables(seed: int = 3) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n = len(SURNAMES)
    patients = pd.DataFrame({
        "patient_id": [f"PX{4401 + 7 * i}" for i in range(n)],
        "name": [f"Wendell {s}" for s in SURNAMES],
        "dob": [f"19{50 + i}-0{1 + i % 9}-1{i}" for i in range(n)],
        "sex": ["F", "M"] * (n // 2),
        "zip": [f"0{2139 + i}" for i in range(n)],
    })
    n_enc = 18
    owner = np.arange(n_enc) % n
    admit = pd.Timestamp("2021-03-01 08:30") + pd.to_timedelta(rng.integers(0, 200, n_enc), "D")
    encounters = pd.DataFrame({
        "encounter_id": [f"V{90210 + 11 * i}" for i in range(n_enc)],
        "patient_id": patients["patient_id"].to_numpy()[owner],
        "admit": admit,
        "dept": rng.choice(["ICU", "MED"], n_enc),
    })
    lab_enc = rng.integers(0, n_enc, 60)
    labs = pd.DataFrame({
        "encounter_id": encounters["encounter_id"].to_numpy()[lab_enc],
        "charttime": admit[lab_enc] + pd.to_timedelta(rng.integers(0, 3 * 86400, 60), "s"),
        "test": rng.choice(["HGB", "K"], 60),
        "value": rng.normal(5, 1, 60).round(1),
    })
    notes = pd.DataFrame({
        "note_id": [f"N{i:03d}" for i in range(n)],
        "patient_id": patients["patient_id"],
        "note_date": [f"2021-0{3 + i % 6}-0{1 + i}" for i in range(n)],
        # the surname alone, in lower case: the text engine alone misses it; the patients
        # table (another table) knows it
        "text": [f"Seen in clinic. {s.lower()} reports less pain." for s in SURNAMES],
    })
    return {"patients": patients, "encounters": encounters, "labs": labs, "notes": notes}


@pytest.fixture
def project(tmp_path):
    """tmp/project/{tables.toml, raw/*.csv|*.parquet}, tmp/secure/crosswalk.key."""
    root = tmp_path / "project"
    (root / "raw").mkdir(parents=True)
    tables = _raw_tables()
    for name, file in {"patients": "patients.csv", "encounters": "encounters.parquet",
                       "labs": "labs.parquet", "notes": "notes.csv"}.items():
        write_table(tables[name], root / "raw" / file)
    (root / "tables.toml").write_text(TABLES_TOML)
    secure = tmp_path / "secure"
    secure.mkdir()
    (secure / "crosswalk.key").write_text(CROSSWALK_SECRET)
    return root


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def test_tables_are_scrubbed_together_and_the_crosswalk_opens_with_deid_crosswalk(deid, keyed, project, tmp_path):
    raw = _raw_tables()
    out, xwalk, xkey = tmp_path / "release", tmp_path / "secure" / "release.xwalk", tmp_path / "secure" / "crosswalk.key"
    r = deid("scrub", "--tables", project / "tables.toml", out, "--crosswalk", xwalk, "--crosswalk-key-file", xkey)
    assert r.code == 0, r.err
    assert "4 tables" in r.err
    assert _files(out) == ["encounters.parquet", "labs.parquet", "notes.csv", "patients.csv"]  # no leftovers

    patients, encounters = read_table(out / "patients.csv"), read_table(out / "encounters.parquet")
    labs, notes = read_table(out / "labs.parquet"), read_table(out / "notes.csv")
    # every join of the raw data gives the same rows on the scrubbed data
    assert len(labs.merge(encounters, on="encounter_id").merge(patients, on="patient_id")) == len(raw["labs"])
    assert len(notes.merge(patients, on="patient_id")) == len(raw["notes"])
    assert len(encounters.merge(patients, on="patient_id")) == len(raw["encounters"])
    assert encounters["encounter_id"].str.startswith("ENC-").all()

    # one offset per patient, in every table (rows keep their order)
    def days(after, before):
        return (pd.to_datetime(after) - pd.to_datetime(before)).dt.round("D").dt.days

    offsets = pd.concat([
        pd.DataFrame({"p": encounters["patient_id"], "d": days(encounters["admit"], raw["encounters"]["admit"])}),
        pd.DataFrame({"p": labs.merge(encounters[["encounter_id", "patient_id"]], on="encounter_id", how="left")
                      ["patient_id"], "d": days(labs["charttime"], raw["labs"]["charttime"])}),
        pd.DataFrame({"p": patients["patient_id"], "d": days(patients["dob"], raw["patients"]["dob"])}),
        pd.DataFrame({"p": notes["patient_id"], "d": days(notes["note_date"], raw["notes"]["note_date"])}),
    ])
    per_patient = offsets.groupby("p")["d"].nunique()
    assert len(per_patient) == len(SURNAMES) and (per_patient == 1).all()
    assert (offsets["d"] != 0).all()

    # no original id, name or surname anywhere in the output folder (the notes' lower-case
    # surnames are known from the patients table)
    data = b"".join((out / f).read_bytes() for f in _files(out)).lower()
    for value in list(raw["patients"]["patient_id"]) + list(raw["encounters"]["encounter_id"]) + SURNAMES:
        assert value.lower().encode() not in data

    # the steward's look-up, with the crosswalk key only
    token = patients["patient_id"].iat[2]
    look = deid("crosswalk", "lookup", token, "--crosswalk", xwalk, "--crosswalk-key-file", xkey)
    assert look.code == 0, look.err
    assert raw["patients"]["patient_id"].iat[2] in look.out
    assert token in look.out
    wrong = tmp_path / "secure" / "wrong.key"
    wrong.write_text("another crosswalk secret that is long enough")
    assert deid("crosswalk", "lookup", token, "--crosswalk", xwalk, "--crosswalk-key-file", wrong).code == 2


def test_the_crosswalk_key_comes_from_the_environment_and_never_lands_in_out_dir(deid, keyed, project, tmp_path,
                                                                                 monkeypatch):
    monkeypatch.setenv("DEID_CROSSWALK_KEY", CROSSWALK_SECRET)
    out = tmp_path / "release"
    inside = deid("scrub", "--tables", project / "tables.toml", out, "--crosswalk", out / "x.xwalk")
    assert inside.code == 2 and "inside the output folder" in inside.err
    assert not out.exists()
    xwalk = tmp_path / "secure" / "env.xwalk"
    assert deid("scrub", "-q", "--tables", project / "tables.toml", out, "--crosswalk", xwalk).code == 0
    assert xwalk.exists() and not any(p.suffix == ".xwalk" for p in out.iterdir())
    token = read_table(out / "patients.csv")["patient_id"].iat[0]
    assert deid("crosswalk", "lookup", token, "--crosswalk", xwalk).code == 0
    # a crosswalk key that is too short: an error before anything is written
    monkeypatch.setenv("DEID_CROSSWALK_KEY", "short")
    again = tmp_path / "again"
    r = deid("scrub", "--tables", project / "tables.toml", again, "--crosswalk", tmp_path / "secure" / "b.xwalk")
    assert r.code == 2 and "too short" in r.err
    assert not again.exists() and not (tmp_path / "secure" / "b.xwalk").exists()


def test_a_dangling_foreign_key_names_table_and_column_and_writes_nothing(deid, keyed, project, tmp_path):
    labs = read_table(project / "raw" / "labs.parquet")
    labs.loc[5, "encounter_id"] = "V7777777"
    write_table(labs, project / "raw" / "labs.parquet")
    out, xwalk = tmp_path / "release", tmp_path / "secure" / "release.xwalk"
    r = deid("scrub", "--tables", project / "tables.toml", out, "--crosswalk", xwalk,
             "--crosswalk-key-file", tmp_path / "secure" / "crosswalk.key")
    assert r.code == 2
    assert "table 'labs' column 'encounter_id'" in r.err and "dangling" in r.err
    assert "7777777" not in r.err + r.out
    assert not out.exists() and not xwalk.exists()


def test_a_failure_while_writing_leaves_no_output_and_no_crosswalk(deid, keyed, project, tmp_path, monkeypatch):
    from deid.io import TableWriter

    out, xwalk = tmp_path / "release", tmp_path / "secure" / "release.xwalk"
    out.mkdir()
    (out / "patients.csv").write_text("an earlier release\n")  # a file of an earlier run
    (out / "README").write_text("not ours\n")
    calls = []
    real_write = TableWriter.write

    def failing_write(self, frame):
        calls.append(self.path.name)
        if len(calls) == 3:  # the third table: two are complete by then
            raise OSError(28, "No space left on device")
        return real_write(self, frame)

    monkeypatch.setattr(TableWriter, "write", failing_write)
    r = deid("scrub", "--tables", project / "tables.toml", out, "--crosswalk", xwalk,
             "--crosswalk-key-file", tmp_path / "secure" / "crosswalk.key")
    assert r.code == 2 and "No space left" in r.err
    assert len(calls) == 3
    assert _files(out) == ["README", "patients.csv"]  # no partial output, no staging folder
    assert (out / "patients.csv").read_text() == "an earlier release\n"
    assert not xwalk.exists() and not list(xwalk.parent.glob(".release.xwalk*"))


def test_usage_errors(deid, keyed, project, tmp_path):
    toml = project / "tables.toml"
    cases = [
        (("scrub", "--tables", toml, project / "raw" / "patients.csv", tmp_path / "o"), "give only OUT_DIR"),
        (("scrub", "--tables", toml, "-"), "must be a folder"),
        (("scrub", "--tables", toml, "--policy", "p.toml", tmp_path / "o"), "--policy cannot be used with --tables"),
        (("scrub", "--tables", toml, "--patient-field", "mrn", "--tags", tmp_path / "o"),
         "--patient-field, --tags cannot be used with --tables"),
        (("scrub", project / "raw" / "patients.csv", tmp_path / "o.csv", "--crosswalk", tmp_path / "x.xwalk"),
         "go with --tables"),
        (("scrub", "--tables", tmp_path / "missing.toml", tmp_path / "o"), "cannot be read"),
    ]
    for args, message in cases:
        r = deid(*args)
        assert r.code == 2, args
        assert message in r.err, (args, r.err)
    assert not (tmp_path / "o").exists() and not (tmp_path / "o.csv").exists()
    r = deid("scrub", "--tables", toml)  # no OUT_DIR
    assert r.code == 2 and "usage: deid scrub" in r.err and "--tables TOML" in r.err

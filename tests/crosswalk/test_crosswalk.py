"""The crosswalk: encrypted (original id -> pseudonym, date offset), its own key, look-ups."""

from __future__ import annotations

import argparse
import os
import stat

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from deid.crosswalk import (
    Crosswalk,
    cli_lookup,
    lookup,
    read_crosswalk,
    register,
    resolve_crosswalk_key,
    write_crosswalk,
)
from deid.tabular import Policy, scrub_frame, scrub_tables
from deid.transform import Key, date_shift_days, pseudonym

SECRET = "deid crosswalk tests: a separate secret, 32+ bytes"
WRONG = "deid crosswalk tests: not the right secret at all"
PKEY = "deid crosswalk tests: the pseudonym key, 32+ bytes"


def _frame(n: int = 3) -> pd.DataFrame:
    return pd.DataFrame({
        "original": [f"MRN-{4400 + i}" for i in range(n)],
        "pseudonym": [pseudonym(f"MRN-{4400 + i}", Key(PKEY)) for i in range(n)],
        "date_offset_days": [10 * (i + 1) for i in range(n)],
    })


@pytest.fixture(autouse=True)
def no_env_key(monkeypatch):
    for name in ("DEID_CROSSWALK_KEY", "DEID_CROSSWALK_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)


def test_round_trip_and_lookup(tmp_path):
    path = tmp_path / "release.xwalk"
    write_crosswalk(_frame(), path, SECRET)
    cw = read_crosswalk(path, SECRET)
    pd.testing.assert_frame_equal(cw.frame.astype(object), _frame().astype(object), check_dtype=False)
    token = _frame()["pseudonym"].iat[1]
    entry = lookup(token, path, SECRET)
    assert tuple(entry) == ("MRN-4401", token, 20, "patient")
    assert cw.lookup("  " + token.lower() + " ").original == "MRN-4401"  # case and spaces ignored
    assert cw.lookup(token[:12]).original == "MRN-4401"  # the "PAT-3f9a2c1d" of the issue
    assert cw.pseudonym_of("MRN-4402") == _frame()["pseudonym"].iat[2]
    with pytest.raises(KeyError):
        cw.lookup("PAT-0000000000000000")
    with pytest.raises(ValueError, match="3 pseudonyms begin"):
        cw.lookup("PAT-")


def test_the_file_holds_no_original_id_and_is_private(tmp_path):
    path = tmp_path / "release.xwalk"
    write_crosswalk(_frame(50), path, SECRET)
    data = path.read_bytes()
    assert data.startswith(b"DEID-CROSSWALK")
    for i in range(50):
        assert f"MRN-{4400 + i}".encode() not in data and str(4400 + i).encode() not in data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["release.xwalk"]  # no temporary file left


def test_a_wrong_key_or_an_altered_file_is_a_clear_error(tmp_path):
    path = tmp_path / "release.xwalk"
    write_crosswalk(_frame(), path, SECRET)
    with pytest.raises(ValueError, match="the crosswalk key does not open it"):
        read_crosswalk(path, WRONG)
    data = bytearray(path.read_bytes())
    data[-20] ^= 1
    altered = tmp_path / "altered.xwalk"
    altered.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="does not open it .*altered"):
        read_crosswalk(altered, SECRET)
    (tmp_path / "notes.txt").write_text("not a crosswalk at all, just some text of a sufficient length")
    with pytest.raises(ValueError, match="is not a deid crosswalk file"):
        read_crosswalk(tmp_path / "notes.txt", SECRET)
    with pytest.raises(ValueError, match="does not exist"):
        read_crosswalk(tmp_path / "missing.xwalk", SECRET)


def test_the_key_comes_from_the_environment_or_a_file_and_must_be_long_and_separate(tmp_path, monkeypatch):
    path = tmp_path / "release.xwalk"
    with pytest.raises(ValueError, match="needs a crosswalk key"):
        write_crosswalk(_frame(), path)
    assert not path.exists()
    with pytest.raises(ValueError, match="too short: 9 bytes, at least 32"):
        write_crosswalk(_frame(), path, "too short")
    with pytest.raises(ValueError, match="must differ from the pseudonym key"):
        write_crosswalk(_frame(), path, PKEY, pseudonym_key=Key(PKEY))
    assert not path.exists()
    monkeypatch.setenv("DEID_CROSSWALK_KEY", SECRET)
    write_crosswalk(_frame(), path)
    assert read_crosswalk(path, SECRET).lookup(_frame()["pseudonym"].iat[0]).original == "MRN-4400"
    monkeypatch.delenv("DEID_CROSSWALK_KEY")
    key_file = tmp_path / "xw.key"
    key_file.write_text(SECRET + "\n")
    monkeypatch.setenv("DEID_CROSSWALK_KEY_FILE", str(key_file))
    assert len(read_crosswalk(path)) == 3
    assert len(read_crosswalk(path, key_file=key_file)) == 3
    assert repr(resolve_crosswalk_key()) == "CrosswalkKey(<secret>)"
    key_file.write_text("short\n")
    with pytest.raises(ValueError, match="too short"):
        read_crosswalk(path)


def test_a_crosswalk_frame_with_a_collision_or_duplicate_is_refused():
    frame = _frame()
    frame.loc[2, "pseudonym"] = frame.loc[0, "pseudonym"]
    with pytest.raises(ValueError, match="two originals share one pseudonym"):
        Crosswalk(frame)
    frame = _frame()
    frame.loc[2, "original"] = frame.loc[0, "original"]
    with pytest.raises(ValueError, match="listed more than once") as exc:
        Crosswalk(frame)
    assert "MRN-4400" not in str(exc.value)
    assert "MRN" not in repr(Crosswalk(_frame()))


@settings(deadline=None, max_examples=25, derandomize=True)
@given(st.lists(st.text(min_size=1, max_size=12).filter(str.strip), min_size=1, max_size=30, unique=True),
       st.lists(st.integers(-400, 400), min_size=30, max_size=30))
def test_property_every_original_comes_back(originals, offsets):
    import tempfile

    frame = pd.DataFrame({"original": originals, "pseudonym": [pseudonym(o, Key(PKEY)) for o in originals],
                          "date_offset_days": offsets[: len(originals)]})
    frame = frame.drop_duplicates("pseudonym")  # originals equal after normalization share a pseudonym
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "x.xwalk")
        write_crosswalk(frame, path, SECRET)
        cw = read_crosswalk(path, SECRET)
    for original, token, offset in frame.itertuples(index=False):
        entry = cw.lookup(token)
        assert (entry.original, entry.date_offset_days) == (original, offset)


# -- written by scrub_frame and scrub_tables ------------------------------------------------------
def test_scrub_frame_writes_the_crosswalk_of_its_patient_column(tmp_path):
    df = pd.DataFrame({"mrn": ["MRN-4471", "MRN-4471", "MRN-5502"],
                       "admit": pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01"])})
    path = tmp_path / "frame.xwalk"
    policy = Policy({"mrn": "pseudonym", "admit": "date_shift"}, keep_weekday=True)
    out = scrub_frame(df, policy, key=PKEY, patient_column="mrn", crosswalk=path, crosswalk_key=SECRET)
    cw = read_crosswalk(path, SECRET)
    assert len(cw) == 2
    for raw, token, new, old in zip(df["mrn"], out["mrn"], out["admit"], df["admit"]):
        entry = cw.lookup(token)
        assert entry.original == raw
        assert entry.date_offset_days == (new - old).days == date_shift_days(Key(PKEY), raw, keep_weekday=True)


def test_scrub_frame_crosswalk_needs_a_pseudonymized_patient_column_and_checks_first(tmp_path):
    df = pd.DataFrame({"mrn": ["MRN-4471"], "admit": pd.to_datetime(["2020-01-01"])})
    path = tmp_path / "frame.xwalk"
    with pytest.raises(ValueError, match="must be pseudonymized"):
        scrub_frame(df, {"mrn": "keep", "admit": "date_shift"}, key=PKEY, patient_column="mrn",
                    crosswalk=path, crosswalk_key=SECRET)
    with pytest.raises(ValueError, match="needs a patient column"), pytest.warns(UserWarning, match="no patient"):
        scrub_frame(df, {"mrn": "pseudonym", "admit": "date_shift"}, key=PKEY, crosswalk=path, crosswalk_key=SECRET)
    with pytest.raises(ValueError, match="must differ from the pseudonym key"):
        scrub_frame(df, {"mrn": "pseudonym", "admit": "date_shift"}, key=PKEY, patient_column="mrn",
                    crosswalk=path, crosswalk_key=PKEY)
    with pytest.raises(ValueError, match="its folder does not exist"):
        scrub_frame(df, {"mrn": "pseudonym", "admit": "date_shift"}, key=PKEY, patient_column="mrn",
                    crosswalk=tmp_path / "no" / "x.xwalk", crosswalk_key=SECRET)
    assert not path.exists()


def test_scrub_tables_writes_a_crosswalk_for_every_patient_and_nothing_on_failure(tmp_path):
    patients = pd.DataFrame({"pid": ["MRN-4471", "MRN-5502", "MRN-6613"], "sex": ["F", "M", "F"]})
    visits = pd.DataFrame({"vid": ["V1", "V2"], "pid": ["MRN-4471", "MRN-6613"],
                           "when": pd.to_datetime(["2020-05-05 10:00", "2021-01-01 09:30"])})
    relations = {"patient": ["patients.pid", "visits.pid"], "visit": ["visits.vid"]}
    policies = {"patients": {"sex": "keep"}, "visits": {"when": "date_shift"}}
    path = tmp_path / "tables.xwalk"
    out = scrub_tables({"patients": patients, "visits": visits}, policies, key=PKEY, relations=relations,
                       crosswalk=path, crosswalk_key=SECRET)
    cw = read_crosswalk(path, SECRET)
    assert sorted(cw.frame["original"]) == sorted(patients["pid"])
    for raw, token in zip(visits["pid"], out["visits"]["pid"]):
        assert cw.lookup(token).original == raw
        assert cw.lookup(token).date_offset_days == date_shift_days(Key(PKEY), raw)
    # a dangling key: nothing scrubbed, no crosswalk written
    bad = visits.assign(pid=["MRN-4471", "MRN-9999"])
    other = tmp_path / "bad.xwalk"
    with pytest.raises(ValueError, match="dangling"):
        scrub_tables({"patients": patients, "visits": bad}, policies, key=PKEY, relations=relations,
                     crosswalk=other, crosswalk_key=SECRET)
    with pytest.raises(ValueError, match="too short"):
        scrub_tables({"patients": patients, "visits": visits}, policies, key=PKEY, relations=relations,
                     crosswalk=other, crosswalk_key="short")
    assert not other.exists()


# -- the command ----------------------------------------------------------------------------------
def test_cli_lookup_prints_the_original_for_the_key_holder(tmp_path, capsys, monkeypatch):
    path = tmp_path / "release.xwalk"
    write_crosswalk(_frame(), path, SECRET)
    key_file = tmp_path / "xw.key"
    key_file.write_text(SECRET)
    token = _frame()["pseudonym"].iat[0]
    assert cli_lookup(["lookup", token[:12], "--crosswalk", str(path), "--crosswalk-key-file", str(key_file)]) == 0
    assert capsys.readouterr().out.split("\t")[:3] == ["patient", "MRN-4400", token]
    assert cli_lookup(["lookup", token, "--crosswalk", str(path), "--crosswalk-key-file", str(key_file),
                       "--json"]) == 0
    assert '"original": "MRN-4400"' in capsys.readouterr().out
    assert cli_lookup(["lookup", "PAT-ffffffffffffffff", "--crosswalk", str(path),
                       "--crosswalk-key-file", str(key_file)]) == 1
    assert "not in the crosswalk" in capsys.readouterr().err
    monkeypatch.setenv("DEID_CROSSWALK_KEY", WRONG)
    assert cli_lookup(["lookup", token, "--crosswalk", str(path)]) == 2
    captured = capsys.readouterr()
    assert "does not open it" in captured.err and "MRN" not in captured.err + captured.out


def test_register_adds_the_command_to_a_registry(tmp_path, capsys):
    commands = {}

    def register_command(name, **kw):
        commands[name] = kw

    register(register_command)
    parser = argparse.ArgumentParser()
    commands["crosswalk"]["add_arguments"](parser)
    path = tmp_path / "release.xwalk"
    write_crosswalk(_frame(), path, SECRET)
    key_file = tmp_path / "xw.key"
    key_file.write_text(SECRET)
    args = parser.parse_args(["lookup", _frame()["pseudonym"].iat[2], "--crosswalk", str(path),
                              "--crosswalk-key-file", str(key_file)])
    assert commands["crosswalk"]["run"](args) == 0
    assert "MRN-4402" in capsys.readouterr().out

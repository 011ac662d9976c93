"""deid.dask.scrub_frame and scan_frame on a two-process LocalCluster: each row equals the
pandas function's, meta matches the computed dtypes, the text engine loads once per worker."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

dd = pytest.importorskip("dask.dataframe", reason="the dask extra is not installed")

import deid.dask  # noqa: E402
from deid.synth import generate_corpus  # noqa: E402
from deid.tabular import Policy  # noqa: E402
from deid.tabular import scrub_frame as pandas_scrub_frame  # noqa: E402
from deid.text import Scrubber  # noqa: E402

KEY = "deid.dask tests: a fixed key, long enough"
TODAY = dt.date(2026, 1, 15)
SETTINGS = settings(deadline=None, max_examples=6, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

ROLES = {
    "encounter_id": "id", "patient_id": "mrn", "mrn": "mrn", "patient_name": "name", "dob": "birth_date",
    "admit_time": "date", "discharge_date": "date", "zip": "zip", "phone": "phone", "sex": "attribute",
    "age": "age", "note": "text",
}


@pytest.fixture(scope="module")
def encounters() -> pd.DataFrame:
    """Encounters of synthetic patients (all PHI fake), with each patient's note."""
    corpus = generate_corpus(30, seed=11)
    records = list(corpus.records.values())
    notes = {n.patient_id: n.text for n in corpus.notes}
    rng = np.random.default_rng(2)
    rows = [records[i] for i in rng.integers(0, len(records), 90)]
    admit = pd.to_datetime([r.admission_date for r in rows]) + pd.to_timedelta(rng.integers(0, 400, len(rows)), "D")
    frame = pd.DataFrame({
        "encounter_id": [f"E{100000 + i}" for i in range(len(rows))],
        "patient_id": [r.patient_id for r in rows],
        "mrn": [r.mrn for r in rows],
        "patient_name": [f"{r.first_name} {r.last_name}" for r in rows],
        "dob": pd.to_datetime([r.date_of_birth for r in rows]),
        "admit_time": admit,
        "discharge_date": [(a + pd.Timedelta(days=3)).strftime("%m/%d/%Y") for a in admit],
        "zip": [r.address.zip for r in rows],
        "phone": [r.phone for r in rows],
        "sex": [r.sex for r in rows],
        "age": rng.integers(18, 104, len(rows)),
        "note": [notes.get(r.patient_id, "no note today") for r in rows],
    })
    frame.loc[5, "note"] = None
    return frame


def _builds(client) -> dict:
    """Scrubbers built per worker process, by cache token."""
    return client.run(lambda: dict(__import__("deid.dask._text", fromlist=["_BUILDS"])._BUILDS))


def _check_meta(lazy, computed: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(lazy.columns) == list(expected.columns)
    pd.testing.assert_series_equal(lazy._meta.dtypes, expected.dtypes)
    pd.testing.assert_series_equal(computed.dtypes, expected.dtypes)


# ----------------------------------------------------------------------------- scrub_frame


def test_adult_scrub_equals_pandas(client, adult):
    policy = Policy({"age": "generalize:age_cap", "native-country": "pseudonym", "occupation": "surrogate:location",
                     "education": "suppress", "salary-class": "drop"}, default="keep")
    ddf = dd.from_pandas(adult, npartitions=4)
    lazy = deid.dask.scrub_frame(ddf, policy, key=KEY, today=TODAY)
    got = lazy.compute()
    expected = pandas_scrub_frame(ddf.compute(), policy, key=KEY, today=TODAY)
    pd.testing.assert_frame_equal(got, expected)  # the input order too: no shuffle without free text
    _check_meta(lazy, got, expected)
    assert (got["native-country"] != adult["native-country"]).all()


@pytest.mark.parametrize("dates", ["year", "shift"])
def test_encounters_with_notes_equal_pandas(client, encounters, dates):
    policy = Policy.safe_harbor(dates=dates).with_columns(ROLES)
    ddf = dd.from_pandas(encounters, npartitions=4)
    lazy = deid.dask.scrub_frame(ddf, policy, key=KEY, patient_column="patient_id", today=TODAY)
    got = lazy.compute()
    expected = pandas_scrub_frame(ddf.compute(), policy, key=KEY, patient_column="patient_id", today=TODAY)
    # rows were shuffled by patient (known values need a patient's rows together): same rows
    pd.testing.assert_frame_equal(got.sort_index(), expected)
    _check_meta(lazy, got, expected)
    assert got["note"].isna().sum() == 1
    assert not got["note"].dropna().str.contains("|".join(encounters["mrn"])).any()


def test_patients_partitioned_keeps_the_order(client, encounters):
    # partitions that already hold whole patients: no shuffle, the input order is kept
    bucket = encounters["patient_id"].map(lambda p: int(hashlib.sha256(p.encode()).hexdigest(), 16) % 3)
    parts = [encounters[bucket == b] for b in range(3)]
    ddf = dd.from_map(lambda i: parts[i], range(3), meta=encounters.iloc[:0])
    policy = Policy.safe_harbor(dates="shift").with_columns(ROLES)
    got = deid.dask.scrub_frame(ddf, policy, key=KEY, patient_column="patient_id", today=TODAY,
                                patients_partitioned=True).compute()
    expected = pandas_scrub_frame(ddf.compute(), policy, key=KEY, patient_column="patient_id", today=TODAY)
    pd.testing.assert_frame_equal(got, expected)


def test_text_engine_loads_once_per_worker(client, encounters):
    policy = Policy({"note": "free_text"}, default="keep")
    ddf = dd.from_pandas(encounters, npartitions=8)
    before = _builds(client)
    for _ in range(2):  # two runs, eight partitions each
        deid.dask.scrub_frame(ddf, policy, key=KEY, patient_column="patient_id", known_values=False,
                              today=TODAY).compute()
    after = _builds(client)
    new = {w: {t: n - before[w].get(t, 0) for t, n in counts.items() if n - before[w].get(t, 0)}
           for w, counts in after.items()}
    tokens = {t for counts in new.values() for t in counts}
    assert len(tokens) == 1  # one scrubber configuration
    assert all(n == 1 for counts in new.values() for n in counts.values())  # built once per process
    assert 1 <= sum(len(c) for c in new.values()) <= 2  # at most once on each of the 2 workers


def test_random_key_is_drawn_once_for_all_partitions(client, monkeypatch):
    monkeypatch.delenv("DEID_KEY", raising=False)
    monkeypatch.delenv("DEID_KEY_FILE", raising=False)
    frame = pd.DataFrame({"mrn": ["A17", "B22", "A17", "B22", "A17", "C9"]})
    with pytest.warns(UserWarning, match="random key"):
        lazy = deid.dask.scrub_frame(dd.from_pandas(frame, npartitions=3), {"mrn": "pseudonym"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = lazy.compute()
    # the same id in three partitions: one pseudonym (one key for the run), not three
    assert out["mrn"][0] == out["mrn"][2] == out["mrn"][4]
    assert out["mrn"][1] == out["mrn"][3] != out["mrn"][0]


def test_scrub_errors_name_the_column(client, encounters):
    ddf = dd.from_pandas(encounters, npartitions=2)
    with pytest.raises(ValueError, match="not_there"):
        deid.dask.scrub_frame(ddf, Policy({"not_there": "drop"}, default="keep"), key=KEY)
    with pytest.raises(ValueError, match="not in the policy"):  # fail closed: columns the policy does not name
        deid.dask.scrub_frame(ddf, Policy({"mrn": "pseudonym"}), key=KEY)
    with pytest.raises(TypeError, match="dask DataFrame"):
        deid.dask.scrub_frame(encounters, Policy({}, default="keep"), key=KEY)
    bad = encounters.assign(discharge_date=["not a date"] + list(encounters["discharge_date"][1:]))
    lazy = deid.dask.scrub_frame(dd.from_pandas(bad, npartitions=3), Policy({"discharge_date": "date_shift"},
                                 default="keep"), key=KEY, patient_column="patient_id")
    with pytest.raises(ValueError, match="discharge_date") as info:
        lazy.compute()
    assert "not a date" not in str(info.value)  # the message names the column, never the value


@st.composite
def tables(draw):
    n = draw(st.integers(1, 40))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    zips = np.array(["02139", "05901", "10001", None, "9021"], dtype=object)
    frame = pd.DataFrame({
        "pid": rng.choice(["p1", "p2", "p3", "p4"], n),
        "zip": rng.choice(zips[: draw(st.integers(1, 5))], n),
        "age": rng.choice(np.array([17, 45, 89, 90, 104]), n),
        "mrn": rng.choice(np.array(["M1", "M2", None, "M3"], dtype=object), n),
        "when": pd.to_datetime("2020-03-01") + pd.to_timedelta(rng.integers(0, 900, n), "D"),
        "score": rng.normal(size=n),
    })
    if draw(st.booleans()):
        frame["when"] = frame["when"].dt.strftime("%Y-%m-%d")
    parts = draw(st.integers(1, min(n, 4)))
    return frame, parts


@SETTINGS
@given(tables(), st.sampled_from(["year", "shift"]))
def test_random_tables_equal_pandas(client, case, dates):
    frame, parts = case
    policy = Policy.safe_harbor(dates=dates).with_columns(
        pid="mrn", zip="zip", age="age", mrn="mrn", when="date", score="attribute")
    ddf = dd.from_pandas(frame, npartitions=parts, sort=False)
    lazy = deid.dask.scrub_frame(ddf, policy, key=KEY, patient_column="pid", today=TODAY)
    try:
        expected = pandas_scrub_frame(ddf.compute(), policy, key=KEY, patient_column="pid", today=TODAY)
    except ValueError as exc:  # a value that cannot be read: the same error from a partition
        with pytest.raises(ValueError) as info:
            lazy.compute()
        # the same message; a count in it is the failing partition's own
        count = re.compile(r"\d+ value\(s\)")
        assert count.sub("N value(s)", str(info.value)) == count.sub("N value(s)", str(exc))
        return
    got = lazy.compute()
    pd.testing.assert_frame_equal(got, expected)
    _check_meta(lazy, got, expected)


# ----------------------------------------------------------------------------- scan_frame


def _keyed_fingerprint(entity_type: str, value: str, secret: str) -> str:
    from deid.transform import Key

    return Key(secret).token("fingerprint", f"{entity_type}\x00{value}", 16)


def test_scan_equals_detect_on_every_cell(client, encounters):
    ddf = dd.from_pandas(encounters, npartitions=3)
    fingerprint = functools.partial(_keyed_fingerprint, secret=KEY)
    found = deid.dask.scan_frame(ddf, ["note", "patient_name"], fingerprint=fingerprint)
    scrubber = Scrubber()
    expected = []
    frame = ddf.compute()
    for row, (_, record) in enumerate(frame.iterrows()):
        for column in ("note", "patient_name"):
            text = record[column]
            if not isinstance(text, str):
                continue
            for f in scrubber.detect(text):
                expected.append((row, column, f.entity_type, f.start, f.end, f.score, f.recognizer,
                                 fingerprint(f.entity_type, text[f.start:f.end])))
    got = list(found[["row", "column", "entity_type", "start", "end", "score", "recognizer", "fingerprint"]]
               .itertuples(index=False, name=None))
    assert got == expected
    assert len(got) > len(frame)  # notes are full of PHI
    assert (found["index"].to_numpy() == frame.index.to_numpy()[found["row"].to_numpy()]).all()
    # no cell value in the table, only places, types and fingerprints
    values = set(frame["patient_name"]) | set(frame["note"].dropna())
    assert not values & set(found.astype(str).to_numpy().ravel())


def test_scan_default_columns_and_errors(client, encounters):
    ddf = dd.from_pandas(encounters[["age", "phone", "sex"]], npartitions=2)
    found = deid.dask.scan_frame(ddf)  # every text column: phone and sex
    assert set(found["column"]) == {"phone"}
    assert found["row"].nunique() == len(encounters)  # every phone number found
    with pytest.raises(ValueError, match="do not hold text"):
        deid.dask.scan_frame(ddf, ["age"])
    with pytest.raises(ValueError, match="unknown column"):
        deid.dask.scan_frame(ddf, ["nope"])
    empty = deid.dask.scan_frame(dd.from_pandas(pd.DataFrame({"t": ["nothing here"]}), npartitions=1))
    assert len(empty) == 0 and "entity_type" in empty.columns


def test_import_error_names_the_extra(tmp_path):
    import subprocess
    import sys

    blocker = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'dask' or name.startswith('dask.'):\n"
        "            raise ImportError('No module named ' + repr(name))\n"
        "sys.meta_path.insert(0, Block())\n"
        "try:\n"
        "    import deid.dask\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    root = __import__("pathlib").Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", blocker], capture_output=True, text=True, cwd=root, timeout=60)
    assert "deid[dask]" in out.stdout, out.stderr


def test_a_given_scrubber_is_used_and_cached(client, encounters):
    policy = Policy.safe_harbor(dates="shift").with_columns(ROLES)
    ddf = dd.from_pandas(encounters, npartitions=3)
    scrubber = Scrubber(key=KEY, operators=policy.text_operators, date_shift_range=policy.date_shift_range)
    before = _builds(client)
    runs = [deid.dask.scrub_frame(ddf, policy, scrubber=scrubber, patient_column="patient_id",
                                  today=TODAY).compute().sort_index() for _ in range(2)]
    after = _builds(client)
    default = deid.dask.scrub_frame(ddf, policy, key=KEY, patient_column="patient_id", today=TODAY).compute()
    pd.testing.assert_frame_equal(runs[0], default.sort_index())  # its key, operators and range
    pd.testing.assert_frame_equal(runs[0], runs[1])
    user_builds = [n - before[w].get(t, 0) for w, c in after.items() for t, n in c.items() if t.startswith("user-")]
    assert sum(user_builds) in (1, 2) and max(user_builds) == 1  # once per worker, over both runs


FRAGMENTS = ["call 617-555-0142", "Dr. Omobuwa", "MRN 00482913", "00482913", "seen 7/22/2019", "no phi",
             "Andrea Velez", "deid:allow", "BP 120/80", "   ", ""]


@st.composite
def text_frames(draw):
    n = draw(st.integers(1, 12))
    names = draw(st.lists(st.sampled_from(["mrn", "patient_name", "note", "x"]), min_size=1, max_size=3,
                          unique=True))
    cell = st.one_of(
        st.none(),
        st.lists(st.sampled_from(FRAGMENTS), max_size=3).flatmap(
            lambda parts: st.sampled_from([" ", "\n", "; "]).map(lambda sep: sep.join(parts))),
    )
    frame = pd.DataFrame({name: draw(st.lists(cell, min_size=n, max_size=n)) for name in names}, dtype=object)
    return frame, draw(st.integers(1, min(n, 3)))


@settings(deadline=None, max_examples=5, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(text_frames())
def test_property_scan_frame_equals_local_detection(client, tmp_path_factory, case):
    """Property: on random small frames, scan_frame finds what Scrubber.detect finds cell by
    cell, and with column labels and deid:allow what `deid scan` (deid.gate.Scanner) finds in
    the same table written as CSV."""
    from deid.gate import ALLOW_MARKER, Scanner, fingerprint
    from deid.transform import Key

    frame, parts = case
    ddf = dd.from_pandas(frame, npartitions=parts, sort=False)
    scrubber = _local_scrubber()
    expected = [(row, column, f.entity_type, f.start, f.end, f.score)
                for row, record in enumerate(frame.itertuples(index=False))
                for column, text in zip(frame.columns, record)
                if isinstance(text, str) and text.strip()
                for f in scrubber.detect(text)]
    found = deid.dask.scan_frame(ddf)
    assert list(found[["row", "column", "entity_type", "start", "end", "score"]]
                .itertuples(index=False, name=None)) == expected

    key = Key(KEY)
    folder = tmp_path_factory.mktemp("scan")
    frame.to_csv(folder / "t.csv", index=False)
    local = Scanner(key=key, scrubber=scrubber).scan([folder / "t.csv"])
    labelled = deid.dask.scan_frame(ddf, fingerprint=functools.partial(fingerprint, key), column_labels=True,
                                    allow_marker=ALLOW_MARKER)
    kept = labelled[~labelled["allowed"]]
    got = sorted((int(r.row) + 1, r.column, r.entity_type, int(r.start) + 1, int(r.end - r.start), r.score,
                  r.fingerprint) for r in kept.itertuples(index=False))
    want = sorted((f.row, f.field, f.entity_type, f.column, f.length, f.score, f.fingerprint)
                  for f in local.findings())
    assert got == want
    assert int(labelled["allowed"].sum()) == local.n_suppressed


_SCRUBBER = []


def _local_scrubber():
    if not _SCRUBBER:  # one engine for every example
        _SCRUBBER.append(Scrubber())
    return _SCRUBBER[0]

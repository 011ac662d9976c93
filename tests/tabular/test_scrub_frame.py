"""scrub_frame: every action on realistic columns, dtypes, vectorization, bad input."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from deid.tabular import SAFE_HARBOR_RESTRICTED_ZIP3, Action, Policy, scrub_frame
from deid.transform import Key, date_shift_days, date_shift_offsets, pseudonym, shift_date, surrogate

from .conftest import KEY, OTHER_KEY, SETTINGS, TODAY, encounter_table


def run(df, columns, **kw):
    kw.setdefault("key", KEY)
    kw.setdefault("today", TODAY)
    return scrub_frame(df, Policy(columns, default="keep"), **kw)


ROLES = {
    "encounter_id": "id", "patient_id": "mrn", "mrn": "mrn", "patient_name": "name", "dob": "birth_date",
    "admit_time": "date", "discharge_date": "date", "zip": "zip", "street": "address", "city": "location",
    "state": "attribute", "phone": "phone", "email": "email", "ssn": "ssn", "sex": "attribute",
    "age": "age", "hba1c": "attribute",
}


# -- the Safe Harbor preset on a realistic table -----------------------------------------------------
@pytest.mark.parametrize("dates, contacts", [("year", "suppress"), ("shift", "surrogate")])
def test_safe_harbor_leaves_no_identifier(encounters, dates, contacts):
    policy = Policy.safe_harbor(dates=dates, contacts=contacts).with_columns(ROLES)
    before = encounters.copy(deep=True)
    out = scrub_frame(encounters, policy, key=KEY, patient_column="patient_id", today=TODAY)
    pd.testing.assert_frame_equal(encounters, before)  # the input is untouched
    assert list(out.columns) == list(encounters.columns) and out.index.equals(encounters.index)
    for column in ("encounter_id", "patient_id", "mrn", "patient_name", "street", "phone", "email", "ssn"):
        original = set(encounters[column].dropna())
        assert not original & set(out[column].dropna()), column
    # nothing of an identifier survives in any cell of any column
    cells = set(out.astype(str).to_numpy().ravel())
    for column in ("mrn", "phone", "ssn", "email", "patient_name"):
        assert not set(encounters[column].dropna()) & cells
    assert set(out["zip"]) <= {z[:3] for z in encounters["zip"]} | {"000"}
    assert out["age"].max() == 90 and out["age"].dtype == encounters["age"].dtype
    assert (out["age"] == encounters["age"].where(encounters["age"] < 90, 90)).all()
    if contacts == "suppress":
        assert out[["phone", "email", "ssn"]].isna().all().all()
    else:
        assert out["phone"].notna().all() and out["phone"].str.fullmatch(r"\d{10}").all()
    pd.testing.assert_series_equal(out["sex"], encounters["sex"])
    pd.testing.assert_series_equal(out["hba1c"], encounters["hba1c"])
    if dates == "year":
        assert out["admit_time"].dtype == "Int64"
        assert (out["admit_time"] == encounters["admit_time"].dt.year).all()
        assert out["discharge_date"].dtype == "Int64"
        top = TODAY.year - 90
        assert out["dob"].min() == max(top, encounters["dob"].dt.year.min())
        young = encounters["dob"].dt.year > top
        assert (out["dob"][young] == encounters["dob"].dt.year[young]).all()
        assert (out["dob"][~young] == top).all()
    else:
        assert out["admit_time"].dtype == encounters["admit_time"].dtype
        assert out["dob"].dtype == encounters["dob"].dtype
        assert out["discharge_date"].dtype == encounters["discharge_date"].dtype


def test_free_text_and_structured_columns_together(encounters, corpus):
    notes = {n.patient_id: n.text for n in corpus.notes}
    df = encounters.head(40).copy()
    df["note"] = [notes.get(p, "no note today") for p in df["patient_id"]]
    df.loc[df.index[3], "note"] = None
    policy = Policy.safe_harbor(dates="shift").with_columns(ROLES, note="text")
    out = scrub_frame(df, policy, key=KEY, patient_column="patient_id", today=TODAY)
    assert out["note"].isna().tolist() == df["note"].isna().tolist()
    for before, after, rec in zip(df["note"], out["note"], df["patient_name"]):
        if before is None or before == "no note today":
            continue
        assert after != before
    # the same (text, patient) is scrubbed once and identically
    same = df.index[df["note"].duplicated(keep=False) & df["note"].notna()]
    if len(same):
        first = out.loc[same].groupby(df.loc[same, "patient_id"])["note"].nunique()
        assert (first == 1).all()


# -- each action -------------------------------------------------------------------------------------
def test_keep_and_drop(encounters):
    out = scrub_frame(encounters, Policy({"ssn": "drop", "email": "drop"}, default="keep"), key=KEY)
    assert list(out.columns) == [c for c in encounters.columns if c not in ("ssn", "email")]
    pd.testing.assert_series_equal(out["zip"], encounters["zip"])


def test_pseudonym_matches_the_operator_and_keeps_missing():
    df = pd.DataFrame({"mrn": ["00482913", None, " 00482913 ", ""], "n": [12345, 12345, 7, 8]})
    out = run(df, {"mrn": "pseudonym", "n": Action("pseudonym", prefix="")})
    k = Key(KEY)
    assert out["mrn"][0] == pseudonym("00482913", k) == out["mrn"][2]  # normalized ids
    assert pd.isna(out["mrn"][1]) and out["mrn"][3] == ""  # missing stays missing, blank stays blank
    assert out["n"][0] == out["n"][1] == pseudonym("12345", k, prefix="")
    assert out["mrn"].dtype == df["mrn"].dtype and out["n"].dtype == "str"


@SETTINGS
@given(st.lists(st.one_of(st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
                          st.integers(-10**12, 10**12)), min_size=1, max_size=20),
       st.sampled_from(["", "PAT", "MRN"]), st.integers(1, 64), st.text(max_size=5))
def test_pseudonym_column_equals_the_operator(values, prefix, length, namespace):
    df = pd.DataFrame({"v": pd.Series(values, dtype=object)})
    action = Action("pseudonym", prefix=prefix, length=length, namespace=namespace)
    out = run(df, {"v": action})["v"]
    k = Key(KEY)
    for value, after in zip(values, out):
        text = str(value)
        assert after == (pseudonym(text, k, prefix, length, namespace=namespace) if text.strip() else text)


def test_hash_id_key_spaces_join_across_tables():
    visits = pd.DataFrame({"encounter_id": ["E1", "E2", "E3"], "order_id": ["E1", "X", "Y"]})
    labs = pd.DataFrame({"encounter_id": ["E3", "E1", "E1"]})
    a = run(visits, {"encounter_id": "hash_id", "order_id": "hash_id"})
    b = run(labs, {"encounter_id": "hash_id"})
    assert set(b["encounter_id"]) <= set(a["encounter_id"])  # the join survives
    assert len(a.merge(b, on="encounter_id")) == 3
    # another column is another key space: the same raw value gets another id
    assert a["order_id"][0] != a["encounter_id"][0]
    shared = run(visits, {"order_id": "hash_id:encounter_id", "encounter_id": "hash_id"})
    assert shared["order_id"][0] == shared["encounter_id"][0]
    assert len(a["encounter_id"][0]) == 16 and all(c in "0123456789abcdef" for c in a["encounter_id"][0])
    other = scrub_frame(visits, Policy({"encounter_id": "hash_id"}, default="keep"), key=OTHER_KEY)
    assert not set(other["encounter_id"]) & set(a["encounter_id"])


@pytest.mark.parametrize("kind, column", [("name", "patient_name"), ("phone", "phone"), ("email", "email"),
                                          ("ssn", "ssn"), ("address", "street"), ("location", "city"),
                                          ("zip", "zip"), ("mrn", "mrn")])
def test_surrogate_is_the_operator_per_value(encounters, kind, column):
    out = run(encounters, {column: f"surrogate:{kind}"})
    k = Key(KEY)
    for before, after in zip(encounters[column], out[column]):
        if before is None or (isinstance(before, float) and np.isnan(before)):
            assert pd.isna(after)
        else:
            assert after == surrogate(before, k, kind) and after != before


def test_date_shift_datetime_keeps_dtype_and_patient_offsets(encounters):
    tz = encounters.assign(admit_tz=encounters["admit_time"].dt.tz_localize("America/New_York",
                                                                              nonexistent="shift_forward",
                                                                              ambiguous=False))
    out = run(tz, {"admit_time": "date_shift", "admit_tz": "date_shift", "dob": "date_shift"},
              patient_column="patient_id")
    offsets = date_shift_offsets(Key(KEY), tz["patient_id"])
    assert out["admit_tz"].dtype == tz["admit_tz"].dtype and out["dob"].dtype == tz["dob"].dtype
    delta = (out["admit_time"] - tz["admit_time"]).dt.days.to_numpy()
    assert (delta == offsets).all() and (delta != 0).all()
    local = out["admit_tz"].dt.tz_localize(None) - tz["admit_tz"].dt.tz_localize(None)
    assert (local.dt.days.to_numpy() == offsets).all()
    # the time of day never moves, even across a DST change
    assert (out["admit_tz"].dt.hour == tz["admit_tz"].dt.hour).mean() > 0.99


def test_date_shift_text_keeps_the_written_form(encounters):
    out = run(encounters, {"discharge_date": "date_shift"}, patient_column="patient_id")
    k = Key(KEY)
    for value, pid, after in zip(encounters["discharge_date"], encounters["patient_id"], out["discharge_date"]):
        assert after == shift_date(value, date_shift_days(k, pid))
    assert out["discharge_date"].str.fullmatch(r"\d\d/\d\d/\d{4}").all()


def test_date_shift_date_objects_stay_date_objects(corpus):
    recs = list(corpus.records.values())
    df = pd.DataFrame({"pid": [r.patient_id for r in recs], "admitted": [r.admission_date for r in recs]})
    df.loc[0, "admitted"] = None
    out = run(df, {"admitted": "date_shift"}, patient_column="pid")
    assert out["admitted"][0] is None
    for before, pid, after in list(zip(df["admitted"], df["pid"], out["admitted"]))[1:]:
        assert isinstance(after, dt.date) and (after - before).days == date_shift_days(Key(KEY), pid)


def test_date_shift_top_codes_birth_dates_over_89():
    df = pd.DataFrame({"pid": ["a", "b", "c", "d"],
                       "dob": pd.to_datetime(["1930-05-01", "1936-01-15", "1936-01-16", "1980-02-02"]),
                       "dob_text": ["05/01/1930", "01/15/1936", "01/16/1936", "02/02/1980"]})
    policy = {"dob": Action("date_shift", max_age=89, reference="2026-01-15"),
              "dob_text": Action("date_shift", max_age=89, reference="2026-01-15")}
    out = run(df, policy, patient_column="pid")
    k = Key(KEY)
    # born 1930 and 1936-01-15: 90 or older on 2026-01-15, so one cap date, unshifted
    assert out["dob"][0] == out["dob"][1] == pd.Timestamp("1936-01-15")
    assert out["dob_text"][0] == out["dob_text"][1] == "01/15/1936"
    # born a day later: 89, shifted like any date
    for i, pid in ((2, "c"), (3, "d")):
        assert (out["dob"][i] - df["dob"][i]).days == date_shift_days(k, pid)
        assert out["dob_text"][i] == shift_date(df["dob_text"][i], date_shift_days(k, pid))


def test_no_patient_column_means_one_offset_and_a_warning(encounters):
    with pytest.warns(UserWarning, match="same date offset"):
        out = run(encounters, {"admit_time": "date_shift"})
    delta = (out["admit_time"] - encounters["admit_time"]).dt.days
    assert delta.nunique() == 1 and delta.iloc[0] == date_shift_days(Key(KEY))


def test_generalize_zip3_restricted_prefixes_become_000():
    zips = ["02139", "03601", "05901-1234", "10210", "89301", "94110", None, "  60614 "]
    out = run(pd.DataFrame({"zip": zips}), {"zip": "generalize:zip3"})
    assert out["zip"].tolist()[:6] == ["021", "000", "000", "000", "000", "941"]
    assert pd.isna(out["zip"][6]) and out["zip"][7] == "606"
    numeric = pd.DataFrame({"zip": pd.array([2139, 3601, None, 60614], dtype="Int64")})
    assert run(numeric, {"zip": "generalize:zip3"})["zip"].tolist()[:2] == ["021", "000"]


def test_generalize_zip3_invalid_values():
    df = pd.DataFrame({"zip": ["02139", "UNKNOWN-7731", "K1A 0B1"]})
    with pytest.raises(ValueError) as err:
        run(df, {"zip": "generalize:zip3"})
    assert "column 'zip'" in str(err.value) and "2 value(s) are not US ZIP codes" in str(err.value)
    assert "7731" not in str(err.value) and "K1A" not in str(err.value)
    out = run(df, {"zip": Action("generalize", method="zip3", invalid="suppress")})
    assert out["zip"][0] == "021" and out["zip"][1:].isna().all()


@SETTINGS
@given(st.lists(st.from_regex(r"\d{5}", fullmatch=True), min_size=1, max_size=30))
def test_zip3_property(zips):
    out = run(pd.DataFrame({"zip": zips}), {"zip": "generalize:zip3"})["zip"]
    for z, g in zip(zips, out):
        assert g == ("000" if z[:3] in SAFE_HARBOR_RESTRICTED_ZIP3 else z[:3])


def test_generalize_year_and_month():
    df = pd.DataFrame({
        "t": pd.to_datetime(["2019-07-22 23:30", None, "2001-01-01 00:00"]).tz_localize("UTC"),
        "s": ["2019-07-22T23:30:00-05:00", "March 3, 2004", None],
        "y": pd.array([1999, None, 2020], dtype="Int64"),
    })
    out = run(df, {"t": "generalize:year", "s": "generalize:year", "y": "generalize:year"})
    assert out["t"].tolist()[0] == 2019 and pd.isna(out["t"][1]) and out["t"].dtype == "Int64"
    assert out["s"].tolist()[:2] == [2019, 2004]  # wall-clock year, not converted to UTC
    assert out["y"].tolist()[0] == 1999
    month = run(df, {"t": "generalize:month", "s": "generalize:month"})
    assert month["t"][0] == "2019-07" and month["s"][1] == "2004-03" and pd.isna(month["s"][2])


def test_generalize_year_rejects_dates_without_a_year():
    df = pd.DataFrame({"d": ["2019-07-22", "7/22", "Tuesday"]})
    with pytest.raises(ValueError, match=r"column 'd' .* 2 value\(s\) are not dates"):
        run(df, {"d": "generalize:year"})


def test_generalize_age_cap_numbers_and_text():
    df = pd.DataFrame({"i": [45, 89, 90, 104], "f": [45.5, 89.99, 90.0, np.nan],
                       "t": ["45", "94 yo", "ninety-one", None]})
    out = run(df, {c: "generalize:age_cap" for c in df.columns})
    assert out["i"].tolist() == [45, 89, 90, 90] and out["i"].dtype == np.int64
    assert out["f"].tolist()[:3] == [45.5, 89.99, 90.0] and np.isnan(out["f"][3])
    assert out["t"].tolist()[:3] == ["45", "90+", "90+"] and pd.isna(out["t"][3])
    with pytest.raises(ValueError, match="1 value"):
        run(pd.DataFrame({"t": ["45", "elderly"]}), {"t": "generalize:age_cap"})


@SETTINGS
@given(st.lists(st.integers(0, 120), min_size=1, max_size=50))
def test_age_cap_and_band_properties(ages):
    df = pd.DataFrame({"a": ages, "b": ages})
    out = run(df, {"a": "generalize:age_cap", "b": Action("generalize", method="age_band", width=5)})
    for age, capped, band in zip(ages, out["a"], out["b"]):
        assert capped == min(age, 90)
        if age >= 90:
            assert band == "90+"
        else:
            low, high = map(int, band.split("-"))
            assert low <= age <= high and high - low == 4 and low % 5 == 0


def test_generalize_interval_and_map():
    df = pd.DataFrame({"w": [51.2, 70.0, None, 149.9], "sex": ["M", "F", "U", None]})
    out = run(df, {"w": Action("generalize", method="interval", width=25)})
    assert out["w"].tolist()[:2] == ["[50, 75)", "[50, 75)"] and pd.isna(out["w"][2])
    binned = run(df, {"w": Action("generalize", method="interval", bins=[0, 60, 150])})
    assert binned["w"].tolist()[:2] == ["[0, 60)", "[60, 150]"]
    with pytest.raises(ValueError, match="inside the bins"):
        run(df, {"w": Action("generalize", method="interval", bins=[0, 60, 100])})
    mapping = {"M": "male", "F": "female"}
    with pytest.raises(ValueError, match=r"1 value\(s\) are not in the mapping"):
        run(df, {"sex": Action("generalize", method="map", mapping=mapping)})
    mapped = run(df, {"sex": Action("generalize", method="map", mapping=mapping, other="other")})
    assert mapped["sex"].tolist()[:3] == ["male", "female", "other"] and pd.isna(mapped["sex"][3])


def test_suppress_keeps_dtypes_where_possible(encounters):
    df = encounters.assign(cat=encounters["city"].astype("category"), flag=encounters["age"] > 50)
    cols = ["zip", "age", "hba1c", "dob", "admit_time", "cat", "flag"]
    out = run(df, {c: "suppress" for c in cols})
    assert all(out[c].isna().all() for c in cols)
    assert out["zip"].dtype == df["zip"].dtype and out["hba1c"].dtype == df["hba1c"].dtype
    assert out["dob"].dtype == df["dob"].dtype and out["age"].dtype == "Int64" and out["flag"].dtype == "boolean"
    assert len(out["cat"].cat.categories) == 0  # categories hold values: they go too


# -- consistency and vectorization -------------------------------------------------------------------
def test_same_key_same_output_across_calls_and_chunks(encounters):
    policy = Policy.safe_harbor(dates="shift").with_columns(ROLES)
    whole = scrub_frame(encounters, policy, key=KEY, patient_column="patient_id", today=TODAY)
    parts = pd.concat([scrub_frame(encounters.iloc[i:i + 97], policy, key=KEY, patient_column="patient_id",
                                   today=TODAY) for i in range(0, len(encounters), 97)])
    pd.testing.assert_frame_equal(whole, parts)
    other = scrub_frame(encounters, policy, key=OTHER_KEY, patient_column="patient_id", today=TODAY)
    assert (other["mrn"] != whole["mrn"]).all() and (other["patient_name"] != whole["patient_name"]).any()


def test_keyed_operators_run_once_per_distinct_value(monkeypatch, corpus):
    import deid.tabular._keyed as keyed
    import deid.transform._surrogate as surrogate_module

    calls = {"surrogate": 0, "token": 0}
    real_surrogate = surrogate_module._surrogate_cached.__wrapped__
    real_tokens = keyed.token_function

    def counting_surrogate(key, kind, value):
        calls["surrogate"] += 1
        return real_surrogate(key, kind, value)

    def counting_tokens(*args):
        fn = real_tokens(*args)

        def counted(text):
            calls["token"] += 1
            return fn(text)

        return counted

    monkeypatch.setattr(surrogate_module, "_surrogate_cached", counting_surrogate)
    monkeypatch.setattr(keyed, "token_function", counting_tokens)
    df = encounter_table(corpus.records.values(), 3000, seed=1)
    run(df, {"mrn": "pseudonym", "patient_name": "surrogate:name"})
    assert calls["token"] == df["mrn"].nunique() < len(df)
    assert calls["surrogate"] == df["patient_name"].nunique() < len(df)


def test_n_process_gives_the_same_free_text(corpus):
    notes = [n.text for n in corpus.notes[:12]]
    df = pd.DataFrame({"pid": [n.patient_id for n in corpus.notes[:12]], "note": notes})
    one = run(df, {"note": "free_text"}, patient_column="pid")
    two = run(df, {"note": "free_text"}, patient_column="pid", n_process=2)
    pd.testing.assert_frame_equal(one, two)


# -- bad input ----------------------------------------------------------------------------------------
SECRET_VALUE = "Zebulon Quackenbush 617-555-0199"


def _message(exc_info) -> str:
    text = str(exc_info.value)
    assert SECRET_VALUE not in text and "Quackenbush" not in text and "555-0199" not in text
    return text


def test_bad_input_errors_name_the_column_and_never_a_value(encounters):
    df = encounters.head(5).copy()
    df.loc[df.index[2], "discharge_date"] = SECRET_VALUE
    with pytest.raises(ValueError) as err:
        run(df, {"discharge_date": "date_shift"}, patient_column="patient_id")
    assert "column 'discharge_date'" in _message(err) and "not dates" in _message(err)
    with pytest.raises(ValueError) as err:
        run(df, {"discharge_date": "generalize:year"})
    assert "column 'discharge_date'" in _message(err)
    with pytest.raises(ValueError) as err:
        scrub_frame(df, Policy({"fax": "suppress"}, default="keep"), key=KEY)
    assert "'fax'" in _message(err)
    df2 = encounters.head(5).copy()
    df2["pid"] = [SECRET_VALUE, None, "p3", "p4", None]
    with pytest.raises(ValueError) as err:
        run(df2, {"admit_time": "date_shift"}, patient_column="pid")
    assert "patient column 'pid' has 2 missing value(s)" in _message(err)
    with pytest.raises(ValueError, match="patient column 'nope' is not in the data"):
        run(df2, {}, patient_column="nope")
    with pytest.raises(ValueError) as err:
        run(df2.assign(age=[SECRET_VALUE] * 5), {"age": "generalize:age_band"})
    assert "column 'age'" in _message(err)
    with pytest.raises(ValueError, match="column 'age' .* holds numbers"):
        run(df2, {"age": "date_shift"}, patient_column="patient_id")
    with pytest.raises(ValueError, match="column 'hba1c' .*free_text.* not text"):
        run(df2, {"hba1c": "free_text"}, patient_column="patient_id")


def test_errors_come_before_any_free_text_is_scrubbed(encounters, monkeypatch):
    from deid.text import Scrubber

    def boom(*args, **kwargs):  # pragma: no cover - must not be reached
        raise AssertionError("free text scrubbed before a structured column failed")

    monkeypatch.setattr(Scrubber, "scrub_many", boom)
    df = encounters.head(5).assign(note="Seen by Dr. Adams.", zip="not a zip")
    with pytest.raises(ValueError, match="column 'zip'"):
        run(df, {"note": "free_text", "zip": "generalize:zip3"}, patient_column="patient_id")


def test_frame_level_errors():
    with pytest.raises(TypeError, match="DataFrame"):
        scrub_frame([1, 2], Policy(default="keep"))
    dup = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(ValueError, match="more than once: 'a'"):
        scrub_frame(dup, Policy(default="keep"), key=KEY)
    with pytest.raises(ValueError, match="column names must be text"):
        scrub_frame(pd.DataFrame([[1, 2]]), Policy(default="keep"), key=KEY)
    with pytest.raises(ValueError, match="n_process"):
        scrub_frame(pd.DataFrame({"a": [1]}), Policy(default="keep"), key=KEY, n_process=0)
    with pytest.raises(ValueError, match="fails closed"):
        scrub_frame(pd.DataFrame({"a": [1]}), Policy.safe_harbor(), key=KEY)
    nested = pd.DataFrame({"a": [{"x": 1}, [1, 2]]})
    with pytest.raises(ValueError, match="column 'a' .* nested"):
        run(nested, {"a": "pseudonym"})


def test_ephemeral_key_warns(monkeypatch):
    monkeypatch.delenv("DEID_KEY", raising=False)
    monkeypatch.delenv("DEID_KEY_FILE", raising=False)
    with pytest.warns(UserWarning, match="random key"):
        scrub_frame(pd.DataFrame({"a": ["x"]}), Policy({"a": "pseudonym"}))


def test_scrubber_key_must_match(encounters):
    from deid.text import Scrubber

    df = encounters.head(3).assign(note="Pt seen today.")
    with pytest.raises(ValueError, match="scrubber's key differs"):
        run(df, {"note": "free_text"}, scrubber=Scrubber(key=OTHER_KEY))
    out = scrub_frame(df, Policy({"note": "free_text", "mrn": "pseudonym"}, default="keep"),
                      scrubber=Scrubber(key=KEY), patient_column="patient_id")
    assert out["mrn"][0] == pseudonym(df["mrn"][0], Key(KEY))


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["p1", "p2", "p3"]),
                          st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2040, 1, 1))),
                min_size=2, max_size=30))
def test_date_shift_keeps_every_interval_of_a_patient(rows):
    df = pd.DataFrame(rows, columns=["pid", "t"])
    df["text"] = df["t"].dt.strftime("%Y-%m-%d %H:%M:%S")
    out = run(df, {"t": "date_shift", "text": "date_shift"}, patient_column="pid")
    for pid, group in df.groupby("pid"):
        shifted = out.loc[group.index, "t"]
        # every date of one patient moves by the same non-zero number of days
        deltas = set((shifted - group["t"]).dt.days)
        assert len(deltas) == 1 and 0 not in deltas
        assert ((shifted - shifted.iloc[0]) == (group["t"] - group["t"].iloc[0])).all()
        assert (out.loc[group.index, "text"] == shifted.dt.strftime("%Y-%m-%d %H:%M:%S")).all()


def test_empty_and_all_missing_frames():
    policy = Policy.safe_harbor(dates="shift").with_columns(pid="mrn", dob="birth_date", zip="zip", age="age",
                                                           name="name", note="text")
    empty = pd.DataFrame({"pid": pd.Series([], dtype="str"), "dob": pd.Series([], dtype="datetime64[ns]"),
                          "zip": pd.Series([], dtype="str"), "age": pd.Series([], dtype="int64"),
                          "name": pd.Series([], dtype="str"), "note": pd.Series([], dtype="str")})
    out = scrub_frame(empty, policy, key=KEY, patient_column="pid", today=TODAY)
    assert len(out) == 0 and out["dob"].dtype == empty["dob"].dtype and out["age"].dtype == np.int64
    missing = pd.DataFrame({"pid": ["a", "b"], "dob": pd.to_datetime([None, None]), "zip": [None, None],
                            "age": [np.nan, np.nan], "name": [None, None], "note": [None, None]})
    out = scrub_frame(missing, policy, key=KEY, patient_column="pid", today=TODAY)
    assert out.drop(columns="pid").isna().all().all()


# -- Safe Harbor with dates="year": dates in free text are years too ----------------------------------
_FULL_DATE = r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\w*\.? \d"


def _dated_notes():
    return pd.DataFrame({
        "patient_id": ["A1", "A1", "B2"],
        "admit": pd.to_datetime(["2019-07-22 14:03", "2020-02-01 09:00", "2021-11-30 23:10"]),
        "dob": pd.to_datetime(["1931-03-14", "1931-03-14", "1975-06-01"]),
        "note": ["Admitted 07/22/2019; seen again March 3rd. Born 3/14/1931.",
                 "Discharged on 2020-02-03, follow-up Thursday.",
                 "Seen Nov 30, 2021. DOB 06/01/1975."],
    })


def test_safe_harbor_year_writes_free_text_dates_as_years_like_the_columns():
    df = _dated_notes()
    roles = {"patient_id": "mrn", "admit": "date", "dob": "birth_date", "note": "text"}
    out = scrub_frame(df, Policy.safe_harbor().with_columns(roles), key=KEY, patient_column="patient_id",
                      today=TODAY)
    notes = out["note"].tolist()
    assert out["admit"].tolist() == [2019, 2020, 2021]  # the column: years
    assert not any(pd.Series(notes).str.contains(_FULL_DATE, regex=True)), notes
    assert notes[0].startswith("Admitted 2019;")  # the year of the column's date
    assert "seen again [DATE]." in notes[0]  # no year written: nothing to keep
    assert "1931" not in notes[0] and notes[0].endswith("Born [DATE].")  # a year implying age over 89
    assert notes[1] == "Discharged on 2020, follow-up [DATE]."
    assert notes[2] == "Seen 2021. DOB 1975."
    # the preset with shifted dates: notes keep full dates, moved like the columns
    shifted = scrub_frame(df, Policy.safe_harbor(dates="shift").with_columns(roles), key=KEY,
                          patient_column="patient_id", today=TODAY)["note"]
    assert shifted.str.contains(_FULL_DATE, regex=True).all()
    days = date_shift_days(Key(KEY), "A1")
    assert shift_date("2020-02-03", days) in shifted.iat[1]


def test_text_dates_year_with_a_policy_of_its_own_and_another_reference():
    df = _dated_notes()
    policy = Policy({"note": "free_text"}, default="drop", text_dates="year")
    notes = scrub_frame(df, policy, key=KEY, patient_column="patient_id", today=dt.date(2019, 1, 1))["note"]
    assert notes.iat[0] == "Admitted 2019; seen again [DATE]. Born 1931."  # 88 years before 2019
    # the preset's reference date decides, as it does for the birth-date column
    sh = Policy.safe_harbor(reference="2019-01-01").with_columns(note="text", patient_id="mrn", admit="date",
                                                                 dob="birth_date")
    assert scrub_frame(df, sh, key=KEY, patient_column="patient_id", today=TODAY)["note"].iat[0].endswith("1931.")


_DATE_FORMATS = ["%m/%d/%Y", "%Y-%m-%d", "%B %d, %Y", "%d %b %Y", "%b %Y", "%m/%d/%y"]


@SETTINGS
@given(st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31)), st.sampled_from(_DATE_FORMATS))
def test_date_as_year_property(day, fmt):
    from deid.tabular._scrub import date_as_year

    written = day.strftime(fmt)
    got = date_as_year(written, TODAY)
    if fmt == "%m/%d/%y":  # two-digit years: read as the date shifter reads them
        from deid.transform._date_shift import parse_date

        year = parse_date(written).shifted(0).year
    else:
        year = day.year
    assert got == (f"{year}" if TODAY.year - year <= 89 else "[DATE]")

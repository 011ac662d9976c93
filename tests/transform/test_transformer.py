"""Transformer: one operator per entity type, one key, columns done per distinct value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from presidio_anonymizer.entities import OperatorConfig
from presidio_anonymizer.operators import Keep, Operator, OperatorType

from deid.transform import Key, Mask, Transformer, date_shift_days, pseudonym, shift_date, surrogate

from .conftest import SECRET, anonymize_with_presidio


class CountingTag(Operator):
    """A foreign Presidio operator that counts its calls."""

    calls = 0

    def operate(self, text=None, params=None):
        CountingTag.calls += 1
        return f"<{params['entity_type']}>"

    def validate(self, params=None):
        pass

    def operator_name(self):
        return "counting_tag"

    def operator_type(self):
        return OperatorType.Anonymize


def test_default_policy(key):
    t = Transformer(key)
    names = t.operator_names
    assert names["NAME"] == names["LOCATION"] == names["ADDRESS"] == "surrogate"
    assert names["DATE"] == "date_shift" and names["AGE"] == "age_cap"
    assert names["PHONE"] == names["MRN"] == names["URL"] == "tag"
    assert t.transform("617-555-0142", "PHONE") == "[PHONE]"
    assert t.transform("John Smith", "NAME") == surrogate("John Smith", key)
    assert t.transform("94", "AGE") == "90+"
    assert t.transform("7/22/2019", "DATE", "p1") == shift_date("7/22/2019", date_shift_days(key, "p1"))
    assert t.transform("7/22/2019", "DATE") == shift_date("7/22/2019", date_shift_days(key))
    # Presidio's names for entity types are understood
    assert t.transform("John Smith", "PERSON") == t.transform("John Smith", "NAME")


def test_key_forms_and_ephemeral_flag(monkeypatch):
    monkeypatch.delenv("DEID_KEY", raising=False)
    monkeypatch.delenv("DEID_KEY_FILE", raising=False)
    assert Transformer().key.ephemeral
    assert Transformer().key is Transformer().key  # one fallback key per process
    monkeypatch.setenv("DEID_KEY", SECRET)
    t = Transformer()
    assert not t.key.ephemeral and t.key == Key(SECRET)
    assert Transformer(SECRET).transform("Smith", "NAME") == t.transform("Smith", "NAME")


def test_operator_specification_forms(key):
    t = Transformer(key, {
        "MRN": ("pseudonym", {"prefix": "MRN", "length": 8}),
        "PHONE": "surrogate",
        "EMAIL": OperatorConfig("mask", {"masking_char": "#"}),
        "SSN": Mask(),
        "URL": Keep(),
        "DATE": ("date_shift", {"days": 3}),
        "PERSON": "redact",
    })
    assert t.transform("A-77", "MRN") == pseudonym("A-77", key, "MRN", 8)
    assert t.transform("617-555-0142", "PHONE") == surrogate("617-555-0142", key, "phone")
    assert t.transform("a@b.org", "EMAIL") == "#@#.###"
    assert t.transform("123-45-6789", "SSN") == "***-**-****"
    assert t.transform("http://x.org", "URL") == "http://x.org"
    assert t.transform("7/22", "DATE", "anyone") == "7/25"
    assert t.transform("John", "NAME") == ""


def test_validation_is_eager_and_names_the_culprit(key):
    with pytest.raises(ValueError, match="'PATIENT'"):
        Transformer(key, {"PATIENT": "tag"})
    with pytest.raises(ValueError, match="'scramble'"):
        Transformer(key, {"NAME": "scramble"})
    with pytest.raises(ValueError, match="'nickname'"):
        Transformer(key, {"NAME": ("surrogate", {"kind": "nickname"})})
    with pytest.raises(ValueError, match="date_shift"):
        Transformer(key, {"DATE": "surrogate"})
    with pytest.raises(ValueError, match="prefx"):
        Transformer(key, {"MRN": ("pseudonym", {"prefx": "X"})})
    with pytest.raises(ValueError, match="min_days"):
        Transformer(key, date_shift_range=(30, -30))
    with pytest.raises(ValueError, match="'HAIR_COLOUR'"):
        Transformer(key).transform("brown", "HAIR_COLOUR")


def test_date_shift_range_applies(key):
    t = Transformer(key, date_shift_range=(1, 10))
    offsets = {t.date_offset(f"p{i}") for i in range(40)}
    assert offsets <= set(range(1, 11)) and len(offsets) > 5
    assert t.transform("2019-07-22", "DATE", "p3") == shift_date("2019-07-22", date_shift_days(key, "p3", 1, 10))


def test_transform_many_list_and_series_match_transform(key):
    t = Transformer(key)
    values = ["John Smith", "Mary Jones", None, "John Smith"]
    assert t.transform_many(values, "NAME") == [t.transform("John Smith", "NAME"), t.transform("Mary Jones", "NAME"),
                                               None, t.transform("John Smith", "NAME")]
    s = pd.Series(values, index=[10, 11, 12, 13], name="who", dtype="string")
    out = t.transform_many(s, "NAME")
    assert out.dtype == s.dtype and out.name == "who" and list(out.index) == [10, 11, 12, 13]
    assert out.isna().tolist() == [False, False, True, False]
    assert out[10] == out[13] == t.transform("John Smith", "NAME")


def test_transform_many_dates_per_patient(key):
    t = Transformer(key)
    dates = pd.Series(["7/22/2019", "7/22/2019", "2019-08-01", None])
    pids = pd.Series(["p1", "p2", "p1", "p1"])
    out = t.transform_many(dates, "DATE", pids)
    assert out.tolist()[:3] == [t.transform("7/22/2019", "DATE", "p1"), t.transform("7/22/2019", "DATE", "p2"),
                                t.transform("2019-08-01", "DATE", "p1")]
    assert pd.isna(out[3])
    typed = pd.Series(pd.to_datetime(["2019-07-22", "2019-07-22", None]))
    shifted = t.transform_many(typed, "DATE", ["p1", "p2", "p1"])
    assert shifted.dtype == typed.dtype
    assert shifted[0] == typed[0] + pd.Timedelta(days=date_shift_days(key, "p1"))
    assert shifted[1] == typed[1] + pd.Timedelta(days=date_shift_days(key, "p2"))
    assert pd.isna(shifted[2])


def test_transform_many_calls_once_per_distinct_value(key):
    t = Transformer(key, {"ID": CountingTag()})
    CountingTag.calls = 0
    values = pd.Series(np.array(["a", "b", "c"] * 1000, dtype=object))
    out = t.transform_many(values, "ID")
    assert CountingTag.calls == 3 and (out == "<ID>").all()
    CountingTag.calls = 0
    assert t.transform_many(["x", "x", "y"], "ID") == ["<ID>"] * 3 and CountingTag.calls == 2


def test_transform_many_numbers_are_written_as_text(key):
    t = Transformer(key, {"MRN": "pseudonym"})
    out = t.transform_many(pd.Series([12345.0, np.nan, 12345.0]), "MRN")
    assert out[0] == out[2] == pseudonym("12345", key) and pd.isna(out[1])


def test_presidio_configs_match_transform(key):
    t = Transformer(key, {"MRN": "pseudonym"})
    text = "John Smith, MRN 0012, seen 7/22/2019, age 94."
    spans = [("NAME", 0, 10), ("MRN", 16, 20), ("DATE", 27, 36), ("AGE", 42, 44)]
    expected = text
    for entity, start, end in sorted(spans, key=lambda s: -s[1]):
        expected = expected[:start] + t.transform(text[start:end], entity, "p9") + expected[end:]
    assert anonymize_with_presidio(text, spans, t.presidio_operators(patient_id="p9")) == expected


def test_pickles_for_worker_processes(key):
    import pickle

    t = Transformer(key, {"MRN": ("pseudonym", {"prefix": "MRN"})}, date_shift_range=(1, 9))
    clone = pickle.loads(pickle.dumps(t))
    for value, entity in [("John Smith", "NAME"), ("A-77", "MRN"), ("7/22/2019", "DATE")]:
        assert clone.transform(value, entity, "p1") == t.transform(value, entity, "p1")


def test_repr_and_errors_hold_no_secret_or_value(key):
    t = Transformer(key, {"MRN": "pseudonym"})
    text = repr(t)
    assert SECRET not in text and "pseudonym" in text
    with pytest.raises(TypeError) as info:
        t.transform(6175550142, "NAME")
    assert "6175550142" not in str(info.value)

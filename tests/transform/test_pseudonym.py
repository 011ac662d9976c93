"""pseudonym: a keyed HMAC token with a prefix."""

from __future__ import annotations

import hashlib
import hmac
import re

import pytest
from hypothesis import given, strategies as st
from presidio_anonymizer.entities import OperatorConfig

from deid.transform import Key, Pseudonym, normalize_identifier, pseudonym

from .conftest import SETTINGS, anonymize_with_presidio

_TOKEN = re.compile(r"PAT-[0-9a-f]{16}")


def test_format_and_consistency_across_key_objects(key, same_key):
    p = pseudonym("MRN0012", key)
    assert _TOKEN.fullmatch(p)
    assert p == pseudonym("MRN0012", same_key)


def test_normalization_folds_case_and_whitespace_and_integers(key):
    assert pseudonym("  mrn0012 ", key) == pseudonym("MRN0012", key)
    assert pseudonym("MRN  0012", key) == pseudonym("mrn 0012", key)
    assert pseudonym(12345, key) == pseudonym("12345", key) == pseudonym(12345.0, key)
    assert pseudonym("12345", key) != pseudonym("012345", key)
    assert normalize_identifier("\tAb  C\n") == "ab c"


def test_different_keys_and_namespaces_give_unrelated_tokens(key, other_key):
    assert pseudonym("MRN0012", key) != pseudonym("MRN0012", other_key)
    assert pseudonym("MRN0012", key, namespace="encounter") != pseudonym("MRN0012", key)
    # the prefix is cosmetic: it does not change the token
    assert pseudonym("MRN0012", key, prefix="ENC")[4:] == pseudonym("MRN0012", key)[4:]


def test_is_keyed_not_an_unsalted_hash(key):
    token = pseudonym("12345", key, prefix="", length=64)
    assert token != hashlib.sha256(b"12345").hexdigest()
    assert token != hmac.new(b"", b"12345", hashlib.sha256).hexdigest()


@SETTINGS
@given(st.lists(st.text(alphabet="ABCDEF0123456789", min_size=4, max_size=10), min_size=2, max_size=30, unique=True))
def test_distinct_ids_get_distinct_pseudonyms(ids):
    key = Key("hypothesis key for pseudonym tests..")
    assert len({pseudonym(i, key) for i in ids}) == len(ids)


def test_length_and_prefix_parameters(key):
    assert re.fullmatch(r"[0-9a-f]{8}", pseudonym("x", key, prefix="", length=8))
    assert pseudonym("x", key, length=32).startswith("PAT-")
    with pytest.raises(ValueError, match="length"):
        pseudonym("x", key, length=0)
    with pytest.raises(ValueError, match="length"):
        Pseudonym().validate({"entity_type": "MRN", "key": key, "length": 65})


def test_errors_do_not_contain_the_value(key):
    with pytest.raises(TypeError) as info:
        pseudonym(["MRN0012"], key)
    assert "MRN0012" not in str(info.value)
    with pytest.raises(TypeError) as info:
        pseudonym(12.5, key)
    assert "12.5" not in str(info.value)


def test_operator_matches_function_and_works_in_presidio(key):
    params = {"entity_type": "MRN", "key": key, "prefix": "MRN", "length": 12}
    assert Pseudonym().operate("A-77", params) == pseudonym("A-77", key, "MRN", 12)
    text = "MRN A-77 admitted"
    out = anonymize_with_presidio(text, [("MRN", 4, 8)], {"MRN": OperatorConfig("pseudonym", params)})
    assert out == f"MRN {pseudonym('A-77', key, 'MRN', 12)} admitted"

"""The secret key: derivation, hygiene, and the process-wide default."""

from __future__ import annotations

import pickle

import pytest

from deid.transform import MIN_KEY_BYTES, Key, default_key, resolve_key

from .conftest import OTHER_SECRET, SECRET


def test_same_secret_same_derivations_across_objects():
    a, b = Key(SECRET), Key(SECRET)
    assert a == b and hash(a) == hash(b)
    assert a.digest("surrogate", "x") == b.digest("surrogate", "x")
    assert a.token("pseudonym", "12345", 16) == b.token("pseudonym", "12345", 16)


def test_purposes_and_secrets_are_separated():
    a, c = Key(SECRET), Key(OTHER_SECRET)
    assert a != c
    assert a.digest("surrogate", "x") != c.digest("surrogate", "x")
    assert a.digest("surrogate", "x") != a.digest("pseudonym", "x")
    assert a.integer("date_shift", "p") != a.integer("date_shift", "q")


def test_short_key_rejected_without_echoing_it():
    with pytest.raises(ValueError) as info:
        Key("tooshort")
    assert "tooshort" not in str(info.value)
    assert str(MIN_KEY_BYTES) in str(info.value)


def test_repr_and_pickle_keep_the_secret_out_of_text():
    key = Key(SECRET)
    assert SECRET not in repr(key) and SECRET not in str(key)
    clone = pickle.loads(pickle.dumps(key))
    assert clone == key and clone.digest("a", "b") == key.digest("a", "b")


def test_resolve_key_forms(tmp_path, monkeypatch):
    monkeypatch.delenv("DEID_KEY", raising=False)
    monkeypatch.delenv("DEID_KEY_FILE", raising=False)
    path = tmp_path / "key"
    path.write_text(SECRET + "\n")
    assert resolve_key(path) == Key(SECRET)
    assert resolve_key(SECRET) == Key(SECRET)
    assert resolve_key(key_file=str(path)) == Key(SECRET)
    random_key = resolve_key()
    assert random_key.ephemeral and random_key != resolve_key()
    monkeypatch.setenv("DEID_KEY", SECRET)
    env_key = resolve_key()
    assert env_key == Key(SECRET) and not env_key.ephemeral


def test_missing_key_file_names_the_file_not_a_secret(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        Key.from_file(tmp_path / "absent")


def test_default_key_is_one_key_per_process_and_follows_the_environment(monkeypatch):
    monkeypatch.delenv("DEID_KEY", raising=False)
    monkeypatch.delenv("DEID_KEY_FILE", raising=False)
    first = default_key()
    assert first.ephemeral and default_key() is first
    monkeypatch.setenv("DEID_KEY", SECRET)
    from_env = default_key()
    assert from_env == Key(SECRET) and not from_env.ephemeral
    monkeypatch.setenv("DEID_KEY", OTHER_SECRET)
    assert default_key() == Key(OTHER_SECRET)
    monkeypatch.delenv("DEID_KEY")
    # back to no key: the same random key as before, not a new one
    assert default_key() is first

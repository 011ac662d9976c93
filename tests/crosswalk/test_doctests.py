"""The examples in the docstrings of deid.crosswalk and scrub_tables run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["deid.crosswalk", "deid.crosswalk._key", "deid.crosswalk._file", "deid.tabular._tables"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, monkeypatch):
    monkeypatch.delenv("DEID_CROSSWALK_KEY", raising=False)
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0

"""The examples in the docstrings of the command's modules run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["deid.config", "deid.gate", "deid.gate._model", "deid.gate._files", "deid.gate._baseline",
           "deid.gate._gate", "deid.gate._scan", "deid.report", "deid.cli"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DEID_KEY", raising=False)
    monkeypatch.delenv("DEID_KEY_FILE", raising=False)
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0

"""The examples in the docstrings of deid.tabular and deid.io run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["deid.tabular", "deid.tabular._actions", "deid.tabular._policy", "deid.tabular._scrub",
           "deid.tabular._classify", "deid.tabular._known", "deid.io", "deid.io._formats", "deid.io._read", "deid.io._write"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0

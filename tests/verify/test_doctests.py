"""The examples in the docstrings of deid.verify run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["deid.verify", "deid.verify._verify", "deid.verify._result"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0

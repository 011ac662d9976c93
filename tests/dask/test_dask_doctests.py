"""The examples in the docstrings of deid.dask run and hold (on the test cluster)."""

from __future__ import annotations

import doctest
import importlib

import pytest

pytest.importorskip("dask.dataframe", reason="the dask extra is not installed")

MODULES = ["deid.dask", "deid.dask._risk", "deid.dask._text"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(client, name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0

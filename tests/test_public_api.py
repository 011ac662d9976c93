"""The public surface: every name `deid` exports resolves lazily, is documented, and
`import deid` alone loads none of the engines."""

from __future__ import annotations

import subprocess
import sys

import pytest

import deid


@pytest.mark.parametrize("name", sorted(set(deid.__all__) - {"__version__"}))
def test_every_export_resolves_and_is_documented(name):
    value = getattr(deid, name)
    assert value is not None
    if callable(value):
        assert (value.__doc__ or "").strip(), f"deid.{name} has no docstring"


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_thing"):
        deid.no_such_thing  # noqa: B018


def test_import_deid_loads_no_engine():
    code = ("import sys, deid; heavy = [m for m in ('presidio_analyzer', 'spacy', 'numba', 'pandas') "
            "if m in sys.modules]; print(','.join(heavy))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""

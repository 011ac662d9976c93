"""Faster start of the ``deid`` process: Presidio's package roots, imported on demand.

``import presidio_analyzer`` runs the package's ``__init__``, which imports the analyzer
engine, the recognizer registry, every predefined recognizer (compiling ~170 regular
expressions) and the NLP engines, hence spaCy: about 2 s of a pre-commit hook that needs
none of it (deid's recognizers subclass ``EntityRecognizer`` and run without spaCy unless
``nlp`` is set). ``presidio_anonymizer``'s root pulls in its engine and, through its Azure
operator, ``presidio_analyzer``.

:func:`install` puts a *lazy root* for each package in ``sys.modules``: a module with the
package's ``__path__`` (so ``import presidio_analyzer.entity_recognizer`` loads that
module, and only it) whose attributes are resolved on first use. The few classes deid needs
from ``presidio_analyzer`` (``EntityRecognizer``, ``RecognizerResult``, ...) come from their
own modules, as the package's ``__init__`` binds them; any other attribute runs the real
``__init__`` in the lazy root, which then is the complete package. Classes are the very
same objects either way: deid's recognizers stay Presidio ``EntityRecognizer``s, and a
user's Presidio code works unchanged.

Only the ``deid`` command installs it (``deid.cli.main`` called without ``argv``, as the
console script and ``python -m deid.cli`` do), never ``import deid``; and nothing is
installed when a package is already imported or its layout is not the expected one.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import logging
import sys
import threading
import types

#: package -> {attribute: module defining it}: attributes served without running ``__init__``.
LIGHT_ATTRIBUTES = {
    "presidio_analyzer": {
        "AnalysisExplanation": "presidio_analyzer.analysis_explanation",
        "RecognizerResult": "presidio_analyzer.recognizer_result",
        "EntityRecognizer": "presidio_analyzer.entity_recognizer",
        "LocalRecognizer": "presidio_analyzer.local_recognizer",
        "Pattern": "presidio_analyzer.pattern",
        "PatternRecognizer": "presidio_analyzer.pattern_recognizer",
    },
    "presidio_anonymizer": {},
}


class _LazyRoot(types.ModuleType):
    """A package root whose ``__init__`` runs on the first attribute it does not hold."""

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        state = self.__dict__["_deid_lazy"]
        light = state["light"].get(name)
        if light is not None and not state["complete"]:
            value = getattr(importlib.import_module(light), name)
            setattr(self, name, value)
            return value
        self._deid_complete()
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}") from None

    def _deid_complete(self) -> None:
        """Run the package's real ``__init__`` here, once."""
        state = self.__dict__["_deid_lazy"]
        with state["lock"]:
            if state["complete"]:
                return
            state["complete"] = True
            origin = self.__spec__.origin
            with open(origin, "rb") as fh:
                code = compile(fh.read(), origin, "exec")
            exec(code, self.__dict__)


def _lazy_root(name: str) -> bool:
    if name in sys.modules:
        return False
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return False
    if spec is None or not spec.submodule_search_locations or not spec.origin:
        return False
    light = LIGHT_ATTRIBUTES.get(name, {})
    for module in set(light.values()):
        # looked up in the package's folder (find_spec("a.b") would import "a")
        found = importlib.machinery.PathFinder.find_spec(module, list(spec.submodule_search_locations))
        if found is None:  # another layout: leave the package alone
            return False
    root = _LazyRoot(name)
    root.__file__ = spec.origin
    root.__path__ = list(spec.submodule_search_locations)
    root.__package__ = name
    root.__spec__ = spec
    root.__loader__ = spec.loader
    root.__dict__["_deid_lazy"] = {"light": light, "complete": False, "lock": threading.RLock()}
    sys.modules[name] = root
    return True


def install() -> list[str]:
    """Install the lazy roots; returns the packages it installed (none when already imported)."""
    installed = [name for name in LIGHT_ATTRIBUTES if _lazy_root(name)]
    if "presidio_analyzer" in installed:
        # what the package's __init__ does for its logger, so that its warnings are handled
        # the same way before the __init__ has run (it adds its own handler when it runs)
        logging.getLogger("presidio-analyzer").addHandler(logging.NullHandler())
    return installed

"""The `deid` process imports Presidio's package roots on demand (deid.cli._lazy_imports):
no spaCy and no predefined recognizers for a text scan, the same classes, the same findings,
and Presidio complete as soon as something asks for more. Each check runs in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import KEY, PHI_NOTE, REPO

pytestmark = pytest.mark.slow

PROBE = r"""
import json, sys
lazy = sys.argv[1] == "lazy"
if lazy:
    from deid.cli import _lazy_imports
    assert _lazy_imports.install() == ["presidio_analyzer", "presidio_anonymizer"]
    assert _lazy_imports.install() == []  # once
from deid.text import Scrubber
from deid.transform import Key
scrubber = Scrubber(key=Key(sys.argv[2]))
found = [[f.start, f.end, f.entity_type, f.score, f.recognizer] for f in scrubber.detect(sys.argv[3])]
scrubbed = scrubber.scrub(sys.argv[3]).text
heavy = sorted(m for m in ("spacy", "presidio_analyzer.recognizer_registry", "presidio_analyzer.analyzer_engine",
                           "presidio_analyzer.predefined_recognizers", "presidio_anonymizer.anonymizer_engine")
               if m in sys.modules)
# a user's own Presidio recognizer, from the package root, before the root is complete
from presidio_analyzer import Pattern, PatternRecognizer
ward = PatternRecognizer(supported_entity="ID", patterns=[Pattern("ward", r"\bW-\d{3}\b", 0.9)])
user = [[f.start, f.end, f.entity_type] for f in Scrubber(recognizers=[ward]).detect("moved to W-123 today")]
# anything else completes the package: the same classes, and the engine is there
import presidio_analyzer, presidio_anonymizer
from presidio_analyzer import AnalyzerEngine, EntityRecognizer
from presidio_analyzer.entity_recognizer import EntityRecognizer as Defined
from presidio_anonymizer import AnonymizerEngine
engine = scrubber._engine()
print(json.dumps({
    "found": found, "scrubbed": scrubbed, "heavy_before": heavy, "user": user,
    "same_class": EntityRecognizer is Defined and presidio_analyzer.EntityRecognizer is Defined,
    "presidio_recognizers": all(isinstance(r, EntityRecognizer) for r in engine._fast) and len(engine._fast) > 5,
    "complete": "presidio_analyzer.recognizer_registry" in sys.modules and callable(AnalyzerEngine)
                and callable(AnonymizerEngine),
}))
"""


def _python(*args, env=None, cwd=None):
    full = {k: v for k, v in os.environ.items() if k not in ("DEID_KEY", "DEID_KEY_FILE", "DEID_EAGER_IMPORTS")}
    full.update(PYTHONPATH=str(REPO), **(env or {}))
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=full, cwd=cwd, timeout=300)
    return proc


def test_lazy_roots_give_the_same_classes_and_findings():
    from presidio_analyzer import Pattern, PatternRecognizer

    from deid.text import Scrubber
    from deid.transform import Key

    proc = _python("-c", PROBE, "lazy", KEY, PHI_NOTE)
    assert proc.returncode == 0, proc.stderr
    lazy = json.loads(proc.stdout)
    assert lazy["heavy_before"] == []  # no spaCy, registry, engines or predefined recognizers
    assert lazy["same_class"] and lazy["presidio_recognizers"] and lazy["complete"]
    # the same as this (eagerly imported) process
    scrubber = Scrubber(key=Key(KEY))
    assert lazy["found"] == [[f.start, f.end, f.entity_type, f.score, f.recognizer] for f in scrubber.detect(PHI_NOTE)]
    assert len(lazy["found"]) >= 5 and lazy["scrubbed"] == scrubber.scrub(PHI_NOTE).text
    ward = PatternRecognizer(supported_entity="ID", patterns=[Pattern("ward", r"\bW-\d{3}\b", 0.9)])
    expected = [[f.start, f.end, f.entity_type] for f in Scrubber(recognizers=[ward]).detect("moved to W-123 today")]
    assert lazy["user"] == expected == [[9, 14, "ID"]]


def test_the_deid_command_uses_them_and_can_turn_them_off(deid, tmp_path, monkeypatch):
    (tmp_path / "note.txt").write_text(PHI_NOTE)
    check = "import sys; from deid.cli import main; code = main(); " \
            "print('spacy' in sys.modules, file=sys.stderr); sys.exit(code)"
    docs = {}
    for mode, env in (("lazy", {}), ("eager", {"DEID_EAGER_IMPORTS": "1"})):
        proc = _python("-c", check, "gate", "note.txt", "--format", "json", cwd=tmp_path, env={"DEID_KEY": KEY, **env})
        assert proc.returncode == 1, proc.stderr
        assert proc.stderr.strip().splitlines()[-1] == str(mode == "eager")  # spaCy imported or not
        docs[mode] = json.loads(proc.stdout)
    monkeypatch.setenv("DEID_KEY", KEY)
    here = deid("gate", "note.txt", "--format", "json").json()  # in this process: argv given, eager
    for doc in (*docs.values(), here):
        doc["summary"].pop("seconds")
    assert docs["lazy"] == docs["eager"] == here and here["new_findings"]

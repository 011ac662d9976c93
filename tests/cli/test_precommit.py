"""The pre-commit hook, end to end: a temporary git repository with deid's gate as a local
hook; staging a note with PHI fails `pre-commit run`, staging the scrubbed note passes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from .conftest import KEY, PHI_NOTE, REPO

pre_commit = pytest.importorskip("pre_commit")
pytestmark = [pytest.mark.skipif(shutil.which("git") is None, reason="needs git"), pytest.mark.slow]


def test_manifest_is_valid_for_pre_commit():
    from pre_commit.clientlib import load_manifest

    (hook,) = load_manifest(str(REPO / ".pre-commit-hooks.yaml"))
    assert hook["id"] == "deid-gate" and hook["language"] == "python" and hook["require_serial"] is True
    import re

    files = re.compile(hook["files"])
    for name in ("a.txt", "b.MD", "c.csv", "d.tsv", "e.jsonl", "f.ndjson", "g.json", "h.parquet"):
        assert files.search(name), name
    assert not files.search("script.py")


def _git(repo, *args, env):
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"git {args[0]}: {done.stderr}"


def test_pre_commit_run_fails_on_phi_and_passes_when_scrubbed(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "PRE_COMMIT")) and k not in ("DEID_KEY", "DEID_KEY_FILE")}
    # HOME stays (deid's lexicon cache lives there); git and pre-commit are kept apart from it
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1",
               PRE_COMMIT_HOME=str(tmp_path / "cache"), PYTHONPATH=str(REPO),
               DEID_KEY=KEY, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org")
    _git(repo, "init", "-q", env=env)
    # the manifest's hook, run from this checkout (a `repo: local` hook: no install, no network)
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n- repo: local\n  hooks:\n  - id: deid-gate\n    name: deid gate\n"
        f"    entry: {sys.executable} -m deid.cli gate\n    language: system\n    require_serial: true\n"
        "    files: (?i)\\.(txt|md|note|csv|tsv|jsonl|ndjson|json|parquet)$\n"
    )
    _git(repo, "add", ".pre-commit-config.yaml", env=env)
    (repo / "notes").mkdir()
    (repo / "notes" / "visit.txt").write_text(PHI_NOTE)
    _git(repo, "add", "notes/visit.txt", env=env)

    failed = subprocess.run([sys.executable, "-m", "pre_commit", "run"], cwd=repo, env=env,
                            capture_output=True, text=True, timeout=300)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "deid gate" in failed.stdout and "Failed" in failed.stdout
    assert "deid gate: FAILED" in failed.stdout and "notes/visit.txt" in failed.stdout
    assert "617-555-0142" not in failed.stdout + failed.stderr

    scrubbed = subprocess.run([sys.executable, "-m", "deid.cli", "scrub", "--tags", "notes/visit.txt", "-"],
                              cwd=repo, env=env, capture_output=True, text=True, timeout=300, check=True)
    (repo / "notes" / "visit.txt").write_text(scrubbed.stdout)
    _git(repo, "add", "notes/visit.txt", env=env)
    passed = subprocess.run([sys.executable, "-m", "pre_commit", "run"], cwd=repo, env=env,
                            capture_output=True, text=True, timeout=300)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout

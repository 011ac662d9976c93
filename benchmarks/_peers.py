"""Isolated virtual environments for peer libraries that benchmarks compare against.

Peers such as pyCANON or ANJANA pin exact numpy/pandas versions that clash with the
project's environment, so each gets its own venv under ``benchmarks/.peers/<name>/`` (never
committed), created once with ``python -m venv`` + ``pip install`` and reused while its
requirements are unchanged. Peer code runs only as a subprocess of the peer's interpreter;
nothing is imported into the project's process.

If a venv cannot be created or the install fails (no registry, no wheel for this Python),
:func:`ensure_peer` returns a :class:`Peer` with ``ok=False`` and the reason, so a benchmark
can say so in its table instead of crashing.

>>> peer = ensure_peer("pycanon", ["pycanon==1.3.6"])          # doctest: +SKIP
>>> result = run_in_peer(peer, "import pycanon; print(pycanon.__version__)")  # doctest: +SKIP
>>> result.stdout.strip()                                      # doctest: +SKIP
'1.3.6'
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PEERS_DIR = Path(__file__).resolve().parent / ".peers"


@dataclass(frozen=True)
class Peer:
    """A peer library's interpreter, or why there is none.

    Attributes
    ----------
    name : str
        Folder name under ``benchmarks/.peers/``.
    python : pathlib.Path
        The venv's interpreter.
    ok : bool
        Whether the venv exists with its requirements installed.
    error : str or None
        Why not, when ``ok`` is false (last lines of pip's output).
    versions : dict of str to str
        Installed versions of the requirements' distributions, for the benchmark's JSON.
    """

    name: str
    python: Path
    ok: bool
    error: str | None = None
    versions: dict | None = None


@dataclass(frozen=True)
class PeerRun:
    returncode: int
    stdout: str
    stderr: str


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def ensure_peer(
    name: str,
    requirements: list[str],
    *,
    base_python: str = sys.executable,
    timeout: float = 900.0,
    root: Path = PEERS_DIR,
) -> Peer:
    """Create (or reuse) ``root/name`` as a venv with ``requirements`` installed."""
    venv = root / name
    python = _venv_python(venv)
    marker = venv / "deid-peer.json"
    wanted = {"requirements": sorted(requirements)}
    if python.exists() and marker.exists():
        try:
            recorded = json.loads(marker.read_text())
            if recorded.get("requirements") == wanted["requirements"]:
                return Peer(name, python, True, None, recorded.get("versions"))
        except (OSError, ValueError):
            pass
    try:
        root.mkdir(parents=True, exist_ok=True)
        made = subprocess.run(
            [base_python, "-m", "venv", "--clear", str(venv)], capture_output=True, text=True, timeout=timeout
        )
        if made.returncode != 0:
            return Peer(name, python, False, "python -m venv failed: " + _tail(made.stderr or made.stdout))
        pip = subprocess.run(
            [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", *requirements],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if pip.returncode != 0:
            return Peer(name, python, False, "pip install failed: " + _tail(pip.stderr or pip.stdout))
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Peer(name, python, False, f"could not create the peer environment: {exc}")
    versions = _installed_versions(python, requirements)
    marker.write_text(json.dumps({**wanted, "versions": versions}, indent=2))
    return Peer(name, python, True, None, versions)


def _installed_versions(python: Path, requirements: list[str]) -> dict:
    names = [r.split("==")[0].split(">=")[0].split("[")[0].strip() for r in requirements]
    names += ["numpy", "pandas"]
    code = (
        "import json, importlib.metadata as m\n"
        f"names = {names!r}\n"
        "out = {}\n"
        "for n in names:\n"
        "    try: out[n] = m.version(n)\n"
        "    except m.PackageNotFoundError: pass\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=120)
    try:
        return json.loads(done.stdout)
    except ValueError:
        return {}


def run_in_peer(peer: Peer, code: str, *args: str, timeout: float = 3600.0, cwd: Path | None = None) -> PeerRun:
    """Run ``code`` (Python source) with the peer's interpreter; ``args`` go to ``sys.argv[1:]``."""
    if not peer.ok:
        raise RuntimeError(f"peer {peer.name} is not available: {peer.error}")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    done = subprocess.run(
        [str(peer.python), "-c", code, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env
    )
    return PeerRun(done.returncode, done.stdout, done.stderr)

"""The baseline: keyed fingerprints of accepted findings, per file.

A baseline holds no value and no line number: an accepted finding is (file, entity type,
fingerprint of the normalized value), so editing elsewhere in the file, moving lines or
re-wrapping text changes nothing, and an accepted value stays accepted wherever it appears
in that file. The fingerprints are keyed (HMAC-SHA256 under the project's secret key):
without the key, short values such as SSNs or MRNs cannot be recovered by hashing every
candidate. The file also records a keyed check value, so a gate run with another key
fails with a clear message instead of reporting every accepted finding as new.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

FORMAT_VERSION = 1
_FINGERPRINT = "hmac-sha256 fingerprint sub-key, 16 hex digits of (entity type, normalized value)"


class BaselineError(ValueError):
    """A baseline file that cannot be read, or was written with another key."""


def key_check(key) -> str:
    """A keyed check value of the key (reveals nothing of it; equal keys give equal values)."""
    return key.token("baseline-key-check", "deid baseline v1", 16)


class Baseline:
    """Accepted findings: ``entries[path][entity_type]`` is a set of fingerprints.

    >>> from deid.transform import Key
    >>> key = Key("an example key that is long enough")
    >>> b = Baseline(key_check=key_check(key))
    >>> b.replace("notes/a.txt", {("NAME", "5a28af03038c2941")})
    >>> b.accepts("notes/a.txt", "NAME", "5a28af03038c2941"), b.accepts("notes/b.txt", "NAME", "5a28af03038c2941")
    (True, False)
    >>> Baseline.from_json(b.to_json()).entries == b.entries
    True
    """

    def __init__(self, entries: dict | None = None, *, key_check: str | None = None):
        self.entries: dict[str, dict[str, set[str]]] = entries or {}
        self.key_check = key_check

    # -- reading and writing ---------------------------------------------------------------
    @classmethod
    def load(cls, path: str | os.PathLike) -> "Baseline":
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise BaselineError(f"{p}: the baseline file does not exist") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise BaselineError(f"{p}: the baseline file cannot be read ({type(exc).__name__})") from None
        return cls.from_json(text, source=str(p))

    @classmethod
    def from_json(cls, text: str, source: str = "baseline") -> "Baseline":
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BaselineError(f"{source}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
        if not isinstance(doc, dict) or doc.get("version") != FORMAT_VERSION or not isinstance(doc.get("files"), dict):
            raise BaselineError(f"{source}: not a deid baseline (version {FORMAT_VERSION}); write it with `deid baseline`")
        entries: dict[str, dict[str, set[str]]] = {}
        for path, types in doc["files"].items():
            if not isinstance(types, dict):
                raise BaselineError(f"{source}: the entry of {path!r} must map entity types to fingerprints")
            entries[path] = {}
            for entity, fps in types.items():
                if not isinstance(fps, list) or not all(isinstance(f, str) for f in fps):
                    raise BaselineError(f"{source}: {path!r}/{entity}: fingerprints must be a list of strings")
                entries[path][entity] = set(fps)
        return cls(entries, key_check=doc.get("key_check"))

    def to_json(self) -> str:
        """Stable JSON: sorted paths, types and fingerprints; no time stamp (no churn)."""
        doc = {
            "version": FORMAT_VERSION,
            "generated_by": "deid baseline",
            "fingerprint": _FINGERPRINT,
            "key_check": self.key_check,
            "files": {
                path: {entity: sorted(fps) for entity, fps in sorted(types.items()) if fps}
                for path, types in sorted(self.entries.items())
                if any(types.values())
            },
        }
        return json.dumps(doc, indent=2, sort_keys=False) + "\n"

    def save(self, path: str | os.PathLike) -> Path:
        """Write atomically (a temporary file beside the target, then a rename)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(self.to_json())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    # -- use ---------------------------------------------------------------------------------
    def check_key(self, key, source: str = "the baseline") -> None:
        """Raise :class:`BaselineError` when the baseline was written with another key."""
        if self.key_check is not None and self.key_check != key_check(key):
            raise BaselineError(
                f"{source} was written with a different key: use the key it was written with "
                "(key-file in the configuration, DEID_KEY or DEID_KEY_FILE), or rewrite it with `deid baseline`"
            )

    def accepts(self, path: str, entity_type: str, fingerprint: str) -> bool:
        return fingerprint in self.entries.get(path, {}).get(entity_type, ())

    def replace(self, path: str, fingerprints: set[tuple[str, str]]) -> None:
        """Make ``fingerprints`` ((entity type, fingerprint) pairs) the accepted findings of ``path``."""
        types: dict[str, set[str]] = {}
        for entity, fp in fingerprints:
            types.setdefault(entity, set()).add(fp)
        if types:
            self.entries[path] = types
        else:
            self.entries.pop(path, None)

    @property
    def n_findings(self) -> int:
        return sum(len(fps) for types in self.entries.values() for fps in types.values())

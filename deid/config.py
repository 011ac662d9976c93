"""Project configuration for the ``deid`` command: ``deid.toml`` or ``[tool.deid]`` in
``pyproject.toml``.

Where it is found (the first that applies wins; files are never merged):

1. ``--config FILE`` on the command line (a ``deid.toml``, or a ``pyproject.toml`` with a
   ``[tool.deid]`` table);
2. walking up from the current folder to the root of the git repository (or of the file
   system), in each folder ``deid.toml`` first, then ``pyproject.toml`` if it has a
   ``[tool.deid]`` table;
3. no file: the defaults below, relative to the current folder.

Command-line options override the file; the secret key comes from ``--key-file``, then
``DEID_KEY``, then ``DEID_KEY_FILE``, then ``key-file`` of the configuration.

Relative paths in the file (``key-file``, ``baseline``) are relative to the folder holding
it, and ``exclude`` / risk ``files`` patterns match paths relative to that folder.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "deid.toml").write_text('threshold = 0.5\\nexclude = ["docs/*"]\\n')
>>> config = load_config(start=folder)
>>> config.threshold, config.exclude, config.path.name
(0.5, ('docs/*',), 'deid.toml')
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

#: The baseline file name (relative to the configuration's folder).
DEFAULT_BASELINE = ".deid-baseline.json"

#: Risk limits a ``[[tool.deid.risk]]`` rule may set: name -> (report figure, "min" or "max").
RISK_LIMITS: dict[str, tuple[str, str]] = {
    "min-k": ("k", "min"),
    "max-records-at-risk": ("records_at_risk", "max"),
    "max-highest-risk": ("highest_risk", "max"),
    "max-average-risk": ("average_risk", "max"),
    "max-sample-uniqueness": ("sample_uniqueness", "max"),
    "max-population-uniqueness": ("population_uniqueness", "max"),
    "min-distinct-l": ("distinct_l", "min"),
    "min-entropy-l": ("entropy_l", "min"),
    "max-t-closeness": ("t_closeness", "max"),
}

_TOP_KEYS = {
    "entities": "list of entity types to detect (default: all)",
    "threshold": "lowest finding score that counts (default 0.3)",
    "exclude": "glob patterns of paths never scanned",
    "key-file": "file holding the secret key (fingerprints, scrubbing)",
    "baseline": f"baseline file (default {DEFAULT_BASELINE})",
    "jobs": "worker processes for scans (default 1)",
    "text-fields": "JSON Lines fields to scan (default: every text field)",
    "columns": "table columns to scan (default: every text column)",
    "nlp": "spaCy model for the optional NER recognizer (default: none)",
    "risk": "risk limits per file pattern ([[tool.deid.risk]] tables)",
}
_RISK_KEYS = {
    "files",
    "quasi-identifiers",
    "sensitive",
    "population-size",
    "sampling-fraction",
    "risk-threshold",
    *RISK_LIMITS,
}


class ConfigError(ValueError):
    """A configuration file that cannot be read or holds an unknown key or a bad value.

    The message names the file (and the table of the file) and the problem.
    """


@dataclass(frozen=True)
class RiskRule:
    """Risk limits for the tables matching ``files`` (glob patterns).

    ``limits`` maps a name of :data:`RISK_LIMITS` to its bound; ``risk_threshold`` is the τ of
    ``max-records-at-risk`` (records whose risk 1/f is above τ).
    """

    files: tuple[str, ...]
    quasi_identifiers: tuple[str, ...]
    sensitive: tuple[str, ...] = ()
    population_size: float | None = None
    sampling_fraction: float | None = None
    risk_threshold: float = 0.2
    limits: dict[str, float] = field(default_factory=dict)

    def matches(self, relative_path: str) -> bool:
        """Whether this rule applies to a path (POSIX, relative to the config's folder)."""
        return any(path_matches(relative_path, pattern) for pattern in self.files)


@dataclass(frozen=True)
class Config:
    """The settings of one project. Fields left ``None`` take the command's defaults.

    Attributes: ``path`` (the file read, or None), ``root`` (the folder relative paths and
    patterns refer to), ``entities``, ``threshold``, ``exclude``, ``key_file`` (absolute),
    ``baseline`` (absolute), ``jobs``, ``text_fields``, ``columns``, ``nlp``, ``risk`` (rules).
    """

    path: Path | None = None
    root: Path = field(default_factory=Path.cwd)
    entities: tuple[str, ...] | None = None
    threshold: float | None = None
    exclude: tuple[str, ...] = ()
    key_file: Path | None = None
    baseline: Path | None = None
    jobs: int | None = None
    text_fields: tuple[str, ...] | None = None
    columns: tuple[str, ...] | None = None
    nlp: str | None = None
    risk: tuple[RiskRule, ...] = ()

    @property
    def baseline_path(self) -> Path:
        """The baseline file: ``baseline`` of the file, else ``.deid-baseline.json`` in ``root``."""
        return self.baseline if self.baseline is not None else self.root / DEFAULT_BASELINE

    def relative(self, path: str | os.PathLike) -> str:
        """``path`` relative to ``root`` in POSIX form, or its absolute POSIX form when outside."""
        p = Path(os.path.abspath(path))
        for base, target in ((self.root.absolute(), p), (self.root.resolve(), p.resolve())):
            try:
                return target.relative_to(base).as_posix()
            except ValueError:
                pass
        return p.as_posix()

    def is_excluded(self, path: str | os.PathLike, extra: tuple[str, ...] = ()) -> bool:
        """Whether ``path`` matches an ``exclude`` pattern of the file or of ``extra``."""
        rel = self.relative(path)
        return any(path_matches(rel, pattern) for pattern in (*self.exclude, *extra))

    def risk_rule(self, path: str | os.PathLike) -> RiskRule | None:
        """The first risk rule whose ``files`` match ``path``, or None."""
        rel = self.relative(path)
        for rule in self.risk:
            if rule.matches(rel):
                return rule
        return None


def path_matches(relative_path: str, pattern: str) -> bool:
    """gitignore-like matching of a POSIX relative path.

    A pattern without ``/`` matches the file name or any folder name on the path
    (``*.parquet``, ``fixtures``); a pattern with ``/`` matches the whole path from the root
    (``*`` and ``**`` both cross folders; a trailing ``/`` or ``/**`` matches everything
    below a folder).

    >>> path_matches("data/raw/a.csv", "*.csv"), path_matches("data/raw/a.csv", "raw")
    (True, True)
    >>> path_matches("data/raw/a.csv", "data/*.csv"), path_matches("data/raw/a.csv", "docs/")
    (True, False)
    """
    pattern = pattern.strip()
    if not pattern:
        return False
    if pattern.startswith("./"):
        pattern = pattern[2:]
    parts = PurePosixPath(relative_path).parts
    if "/" not in pattern.rstrip("/"):
        name = pattern.rstrip("/")
        return any(fnmatch.fnmatchcase(part, name) for part in parts)
    pattern = pattern.lstrip("/")
    if pattern.endswith("/"):
        pattern += "**"
    if fnmatch.fnmatchcase(relative_path, pattern):
        return True
    if pattern.endswith("/**"):
        prefix = pattern[:-3]
        return any(fnmatch.fnmatchcase("/".join(parts[:i]), prefix) for i in range(1, len(parts)))
    return False


def find_config(start: str | os.PathLike | None = None) -> tuple[Path, dict] | None:
    """The configuration file that applies in ``start`` (default: the current folder) and its
    deid table, or None (see the module docstring for the search order)."""
    folder = Path(start if start is not None else Path.cwd()).absolute()
    if folder.is_file():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        toml = candidate / "deid.toml"
        if toml.is_file():
            return toml, _read_table(toml)
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            doc = _read_toml(pyproject)
            table = doc.get("tool", {}).get("deid") if isinstance(doc.get("tool"), dict) else None
            if table is not None:
                return pyproject, _check_table(pyproject, table, "[tool.deid]")
        if (candidate / ".git").exists():
            break
    return None


def load_config(path: str | os.PathLike | None = None, *, start: str | os.PathLike | None = None) -> Config:
    """Read the configuration: ``path`` when given, else the one :func:`find_config` finds
    from ``start``, else the defaults (rooted at ``start`` or the current folder).

    Raises :class:`ConfigError` for an unreadable file, invalid TOML, an unknown key or a
    bad value, naming the file and the key.
    """
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"{p}: the configuration file does not exist")
        if p.name == "pyproject.toml":
            doc = _read_toml(p)
            tool = doc.get("tool", {})
            table = tool.get("deid") if isinstance(tool, dict) else None
            if table is None:
                raise ConfigError(f"{p}: no [tool.deid] table in this file")
            table = _check_table(p, table, "[tool.deid]")
        else:
            table = _read_table(p)
        return _build(p, table)
    found = find_config(start)
    if found is None:
        root = Path(start if start is not None else Path.cwd()).absolute()
        return Config(path=None, root=root if root.is_dir() else root.parent)
    return _build(*found)


# -- reading and checking -------------------------------------------------------------------
def _read_toml(path: Path) -> dict:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None


def _read_table(path: Path) -> dict:
    doc = _read_toml(path)
    # deid.toml holds the keys at the top level; a [tool.deid] table is accepted too, so a
    # block can be moved between the two files unchanged.
    if set(doc) == {"tool"} and isinstance(doc["tool"], dict) and set(doc["tool"]) == {"deid"}:
        return _check_table(path, doc["tool"]["deid"], "[tool.deid]")
    return _check_table(path, doc, "the top level")


def _check_table(path: Path, table, where: str) -> dict:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {where} must be a table")
    unknown = sorted(set(table) - set(_TOP_KEYS))
    if unknown:
        raise ConfigError(
            f"{path}: unknown key {unknown[0]!r} in {where} (known keys: {', '.join(sorted(_TOP_KEYS))})"
        )
    return table


def _strings(path: Path, key: str, value, where: str = "") -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: {where}{key!r} must be a list of strings")
    return tuple(value)


def _number(path: Path, key: str, value, where: str = "", *, low=None, high=None, integer=False) -> float:
    ok = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok:
        raise ConfigError(f"{path}: {where}{key!r} must be {'an integer' if integer else 'a number'}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ConfigError(f"{path}: {where}{key!r} must be between {low} and {high}, got {value}")
    return value


def _build(path: Path, table: dict) -> Config:
    root = path.parent.absolute()
    kwargs: dict = {}
    if "entities" in table:
        from deid.entities import ENTITY_TYPES

        entities = _strings(path, "entities", table["entities"])
        bad = [e for e in entities if e not in ENTITY_TYPES]
        if bad:
            raise ConfigError(f"{path}: unknown entity type {bad[0]!r} in 'entities' (see docs/entities.md)")
        kwargs["entities"] = entities
    if "threshold" in table:
        kwargs["threshold"] = float(_number(path, "threshold", table["threshold"], low=0, high=1))
    if "exclude" in table:
        kwargs["exclude"] = _strings(path, "exclude", table["exclude"])
    if "key-file" in table:
        if not isinstance(table["key-file"], str):
            raise ConfigError(f"{path}: 'key-file' must be a path (a string)")
        kwargs["key_file"] = root / Path(table["key-file"]).expanduser()
    if "baseline" in table:
        if not isinstance(table["baseline"], str):
            raise ConfigError(f"{path}: 'baseline' must be a path (a string)")
        kwargs["baseline"] = root / table["baseline"]
    if "jobs" in table:
        kwargs["jobs"] = int(_number(path, "jobs", table["jobs"], low=1, high=1024, integer=True))
    if "text-fields" in table:
        kwargs["text_fields"] = _strings(path, "text-fields", table["text-fields"])
    if "columns" in table:
        kwargs["columns"] = _strings(path, "columns", table["columns"])
    if "nlp" in table:
        nlp = table["nlp"]
        if nlp is False:
            nlp = None
        elif not isinstance(nlp, str):
            raise ConfigError(f"{path}: 'nlp' must be a spaCy model name, \"default\" or false")
        kwargs["nlp"] = nlp
    if "risk" in table:
        rules = table["risk"]
        if isinstance(rules, dict):
            rules = [rules]
        if not isinstance(rules, list):
            raise ConfigError(f"{path}: 'risk' must be [[risk]] tables")
        kwargs["risk"] = tuple(_risk_rule(path, i, rule) for i, rule in enumerate(rules, 1))
    return Config(path=path, root=root, **kwargs)


def _risk_rule(path: Path, index: int, rule) -> RiskRule:
    where = f"risk rule {index}: "
    if not isinstance(rule, dict):
        raise ConfigError(f"{path}: {where}must be a table")
    unknown = sorted(set(rule) - _RISK_KEYS)
    if unknown:
        raise ConfigError(f"{path}: {where}unknown key {unknown[0]!r} (known keys: {', '.join(sorted(_RISK_KEYS))})")
    for required in ("files", "quasi-identifiers"):
        if required not in rule:
            raise ConfigError(f"{path}: {where}{required!r} is required")
    files = _strings(path, "files", rule["files"], where)
    qis = _strings(path, "quasi-identifiers", rule["quasi-identifiers"], where)
    if not qis:
        raise ConfigError(f"{path}: {where}'quasi-identifiers' is empty")
    sensitive = _strings(path, "sensitive", rule.get("sensitive", []), where)
    if "population-size" in rule and "sampling-fraction" in rule:
        raise ConfigError(f"{path}: {where}give 'population-size' or 'sampling-fraction', not both")
    population = rule.get("population-size")
    if population is not None:
        population = float(_number(path, "population-size", population, where, low=1))
    fraction = rule.get("sampling-fraction")
    if fraction is not None:
        fraction = float(_number(path, "sampling-fraction", fraction, where, low=0, high=1))
        if fraction == 0:
            raise ConfigError(f"{path}: {where}'sampling-fraction' must be above 0")
    threshold = float(_number(path, "risk-threshold", rule.get("risk-threshold", 0.2), where, low=0, high=1))
    limits = {}
    for name in RISK_LIMITS:
        if name in rule:
            limits[name] = float(_number(path, name, rule[name], where, low=0))
    if not limits:
        raise ConfigError(f"{path}: {where}sets no limit (one of: {', '.join(RISK_LIMITS)})")
    if "max-population-uniqueness" in limits and population is None and fraction is None:
        raise ConfigError(
            f"{path}: {where}'max-population-uniqueness' needs 'population-size' or 'sampling-fraction'"
        )
    if any(n in limits for n in ("min-distinct-l", "min-entropy-l", "max-t-closeness")) and not sensitive:
        raise ConfigError(f"{path}: {where}l-diversity and t-closeness limits need 'sensitive' columns")
    return RiskRule(files, qis, sensitive, population, fraction, threshold, limits)

"""SARIF 2.1.0 output, shaped for GitHub code scanning.

One rule per entity type (``deid/NAME``, ...), plus ``deid/RISK`` for tables above their risk
limits; every result has a physical location with a start line (GitHub requires one), a
message that names the type and score but never the value, and the keyed fingerprint as a
partial fingerprint, so alerts follow a value across line moves. Files that could not be
read are tool execution notifications, and the invocation is marked unsuccessful.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
RISK_RULE = "deid/RISK"


def _rules(entity_types) -> list[dict]:
    from deid.entities import ENTITY_TYPES

    rules = []
    for entity in entity_types:
        description = ENTITY_TYPES.get(entity, entity)
        if not isinstance(description, str):
            description = entity
        rules.append({
            "id": f"deid/{entity}",
            "name": "Phi" + "".join(part.capitalize() for part in entity.split("_")),
            "shortDescription": {"text": f"Possible PHI: {entity}"},
            "fullDescription": {"text": f"deid found text that looks like PHI of type {entity} ({description})."},
            "help": {
                "text": "Scrub the data (deid scrub IN OUT) before it is committed; if this is not PHI, "
                        "add 'deid:allow' to the line or accept it with `deid baseline`.",
            },
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": ["privacy", "phi", "deid"], "precision": "medium"},
        })
    rules.append({
        "id": RISK_RULE,
        "name": "ReidentificationRisk",
        "shortDescription": {"text": "Re-identification risk above the configured limits"},
        "fullDescription": {"text": "A table's quasi-identifiers make its records more re-identifiable "
                                    "than the limits of [[tool.deid.risk]] allow."},
        "help": {"text": "Generalize or suppress quasi-identifiers (deid.anonymize); check with deid risk."},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["privacy", "reidentification-risk", "deid"]},
    })
    return rules


def _uri(path: str, root: Path) -> tuple[str, str | None]:
    p = Path(os.path.abspath(path))
    try:
        rel = p.relative_to(root.absolute()).as_posix()
        return quote(rel), "%SRCROOT%"
    except ValueError:
        return p.as_uri(), None


def _location(path: str, root: Path, *, line=None, column=None, length=0, field=None) -> dict:
    uri, base = _uri(path, root)
    artifact = {"uri": uri}
    if base:
        artifact["uriBaseId"] = base
    region = {"startLine": max(1, int(line or 1))}
    if column and field is None:  # in a table cell or JSON value the column is not the line's
        region["startColumn"] = int(column)
        if length:
            region["endColumn"] = int(column) + int(length)
    loc = {"physicalLocation": {"artifactLocation": artifact, "region": region}}
    if field is not None:
        loc["logicalLocations"] = [{"name": str(field), "kind": "member"}]
    return loc


def _sarif_line(finding, kinds: dict) -> int:
    if finding.line is not None:
        return finding.line
    if finding.row is not None:
        # CSV/TSV: the header is line 1 (exact when no field spans lines); Parquet has no
        # lines, the row number stands in.
        return finding.row + (1 if kinds.get(finding.path) in ("csv", "tsv") else 0)
    return 1


def to_sarif(findings, *, root: str | os.PathLike, kinds: dict | None = None, errors=(), risk=(),
             entity_types=None, show_values: bool = False) -> dict:
    """A SARIF 2.1.0 log of ``findings`` (FileFinding), ``errors`` ((path, message) pairs)
    and failed ``risk`` checks. ``root`` is the folder relative URIs refer to (%SRCROOT%)."""
    from deid import __version__
    from deid.entities import ENTITY_TYPES

    root = Path(root)
    kinds = kinds or {}
    findings = list(findings)
    types = list(entity_types) if entity_types is not None else list(ENTITY_TYPES)
    for f in findings:
        if f.entity_type not in types:
            types.append(f.entity_type)
    rules = _rules(types)
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    for f in findings:
        rule = f"deid/{f.entity_type}"
        where = f" in column '{f.field}', row {f.row}" if f.field is not None and f.row is not None else ""
        text = f"Possible PHI of type {f.entity_type}{where} (score {f.score:.2f}, {f.recognizer}); fingerprint {f.fingerprint}."
        result = {
            "ruleId": rule,
            "ruleIndex": index[rule],
            "level": "error",
            "message": {"text": text},
            "locations": [_location(f.path, root, line=_sarif_line(f, kinds), column=f.column, length=f.length,
                                    field=f.field)],
            "partialFingerprints": {"deidFingerprint/v1": f"{f.entity_type}:{f.fingerprint}"},
            "properties": {"entityType": f.entity_type, "score": round(float(f.score), 4), "row": f.row},
        }
        if show_values and f.value is not None:
            result["properties"]["value"] = f.value
        results.append(result)
    for check in risk:
        if check.passed or check.error is not None:
            continue
        results.append({
            "ruleId": RISK_RULE,
            "ruleIndex": index[RISK_RULE],
            "level": "error",
            "message": {"text": "Re-identification risk above the limits: " + "; ".join(check.failures)},
            "locations": [_location(check.path, root, line=1)],
            "properties": {"quasiIdentifiers": list(check.quasi_identifiers),
                           "figures": {k: v for k, v in check.figures.items() if v == v}},
        })
    notifications = []
    for path, message in errors:
        notifications.append({
            "level": "error",
            "message": {"text": f"{path}: {message}"},
            "locations": [_location(path, root, line=1)],
        })
    uri = root.absolute().as_uri()
    run = {
        "tool": {"driver": {"name": "deid", "version": __version__, "semanticVersion": __version__, "rules": rules}},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": uri if uri.endswith("/") else uri + "/"}},
        "columnKind": "unicodeCodePoints",
        "invocations": [{"executionSuccessful": not errors, "toolExecutionNotifications": notifications}],
        "results": results,
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}

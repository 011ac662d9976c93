"""JSON output: every finding, file and error; figures and places only, values only when asked."""

from __future__ import annotations

import json


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, allow_nan=False)


def write_scan_json(report, fh, *, command: str = "scan", extra: dict | None = None) -> None:
    """Write a :class:`deid.gate.ScanReport` as one JSON document, streaming the findings
    (a table scan can hold millions)."""
    from deid import __version__

    head = {"tool": "deid", "version": __version__, "command": command, "summary": report.summary()}
    if extra:
        head.update(extra)
    fh.write("{\n")
    for key, value in head.items():
        fh.write(f"  {_dump(key)}: {_dump(value)},\n")
    fh.write('  "files": [')
    for i, f in enumerate(report.files):
        fh.write(("," if i else "") + "\n    " + _dump(f.to_dict()))
    fh.write("\n  ],\n" if report.files else "],\n")
    fh.write('  "errors": ' + _dump([{"path": p, "message": m} for p, m in report.errors]) + ",\n")
    fh.write('  "findings": [')
    first = True
    for file in report.files:
        for piece in _finding_pieces(file):
            fh.write(("\n    " if first else ",\n    ") + piece)
            first = False
    fh.write("]\n}\n" if first else "\n  ]\n}\n")


def _finding_pieces(file):
    """JSON text of a file's findings, in the order of ``FileScan.findings()``. Table
    findings are stored once per distinct value: each becomes a template filled in per row,
    so a million rows cost a string format each, not a dict and a dumps."""
    for finding in file.text_findings():
        yield _dump(finding.to_dict())
    groups = file.cell_groups()
    if not groups:
        return
    import numpy as np

    # the same text _dump(FileFinding.to_dict()) gives, built from cached pieces
    head = '{"path": ' + _dump(file.path) + ', "entity_type": '
    names: dict[str, str] = {}

    def name(text):
        got = names.get(text)
        if got is None:
            got = names[text] = _dump(text)
        return got

    templates = []
    for g in groups:
        field = name(g.field)
        parts = []
        for entity, score, recognizer, fp, start, end, value in g.hits:
            text = (f'{head}{name(entity)}, "score": {_dump(round(float(score), 4))}, "fingerprint": "{fp}", '
                    f'"recognizer": {name(recognizer)}, "line": null, "column": {start + 1}, '
                    f'"length": {end - start}, "row": %d, "field": {field}'
                    + ("" if value is None else f', "value": {_dump(value)}') + "}")
            parts.append(text.replace("%", "%%").replace('"row": %%d', '"row": %d'))
        templates.append((",\n    ".join(parts), len(parts)))
    rows = np.concatenate([g.rows for g in groups])
    which = np.concatenate([np.full(len(g.rows), i, dtype=np.int64) for i, g in enumerate(groups)])
    order = np.lexsort((which, rows))
    for r, w in zip((rows[order] + 1).tolist(), which[order].tolist()):
        template, n = templates[w]
        yield template % ((r,) * n)


def scan_to_dict(report, *, command: str = "scan") -> dict:
    """The same document as :func:`write_scan_json`, as a dict (for small scans and tests)."""
    import io

    buf = io.StringIO()
    write_scan_json(report, buf, command=command)
    return json.loads(buf.getvalue())


def risk_to_dict(report, *, path: str | None = None) -> dict:
    """A :class:`deid.risk.RiskReport` as JSON-able figures (no cell value)."""
    out = {"tool": "deid", "command": "risk"}
    if path is not None:
        out["path"] = path
    out.update(report.to_dict())
    return out

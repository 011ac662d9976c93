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
    """JSON text of a file's findings, in the order of ``FileScan.findings()``, in pieces.
    Table findings are stored once per distinct value: each (value, column) becomes a
    template filled in per row, so a million rows cost a string format each, not a dict and
    a dumps, and are joined a block at a time."""
    for finding in file.text_findings():
        yield _dump(finding.to_dict())
    groups = file.cell_groups()
    if not groups:
        return
    import numpy as np

    rows, group_of, ids = file.cell_table()
    if not len(rows):
        return
    registry = groups[0].registry
    field_list = sorted({g.field for g in groups})
    position = {f: i for i, f in enumerate(field_list)}
    field_of_group = np.array([position[g.field] for g in groups], dtype=np.int64)
    # one template per (column, registry entry) in use
    keys = field_of_group[group_of] * len(registry) + ids
    unique_keys, template_of = np.unique(keys, return_inverse=True)
    names = {}

    def name(text):
        got = names.get(text)
        if got is None:
            got = names[text] = _dump(text)
        return got

    numbers = {}

    def number(score):
        got = numbers.get(score)
        if got is None:
            got = numbers[score] = _dump(round(float(score), 4))
        return got

    head = '{"path": ' + _dump(file.path) + ', "entity_type": '
    templates, widths = [], []
    for k in unique_keys.tolist():
        field = name(field_list[k // len(registry)])
        parts = []
        for entity, score, recognizer, fp, start, end, value in registry[k % len(registry)]:
            text = (f'{head}{name(entity)}, "score": {number(score)}, "fingerprint": "{fp}", '
                    f'"recognizer": {name(recognizer)}, "line": null, "column": {start + 1}, '
                    f'"length": {end - start}, "row": %d, "field": {field}'
                    + ("" if value is None else f', "value": {_dump(value)}') + "}")
            parts.append(text.replace("%", "%%").replace('"row": %%d', '"row": %d'))
        templates.append(",\n    ".join(parts))
        widths.append(len(parts))
    one_each = all(n == 1 for n in widths)  # the usual case: one finding per cell
    block = 100_000
    for lo in range(0, len(rows), block):
        pairs = zip((rows[lo:lo + block] + 1).tolist(), template_of[lo:lo + block].tolist())
        if one_each:
            pieces = [templates[t] % r for r, t in pairs]
        else:  # several findings in a cell, or none left (all on a deid:allow line)
            pieces = [templates[t] % ((r,) * widths[t]) for r, t in pairs if widths[t]]
        if pieces:
            yield ",\n    ".join(pieces)


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

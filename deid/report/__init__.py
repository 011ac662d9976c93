"""deid.report: how scans, gates and risk reports are shown — tables that fit 80 columns,
JSON, and SARIF 2.1.0 for GitHub code scanning. Nothing here prints a value unless the
findings were collected with ``show_values=True``.

>>> from deid.gate import FileFinding
>>> f = FileFinding("notes/a.txt", "NAME", 0.9, "5a28af03038c2941", "NameRecognizer", line=3, column=10, length=5)
>>> log = to_sarif([f], root=".")
>>> log["version"], log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
('2.1.0', {'startLine': 3, 'startColumn': 10, 'endColumn': 15})
"""

from deid.report._json import risk_to_dict, scan_to_dict, write_scan_json
from deid.report._sarif import to_sarif
from deid.report._text import (
    WIDTH,
    console,
    print_findings,
    human_bytes,
    render_gate,
    render_risk,
    render_scan,
    scan_summary,
)

__all__ = [
    "WIDTH",
    "console",
    "print_findings",
    "human_bytes",
    "render_gate",
    "render_risk",
    "render_scan",
    "risk_to_dict",
    "scan_summary",
    "scan_to_dict",
    "to_sarif",
    "write_scan_json",
]

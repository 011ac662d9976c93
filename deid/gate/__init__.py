"""deid.gate: scan files for PHI, keep a baseline of accepted findings, and gate data on
PHI and re-identification risk (the engine of ``deid scan``, ``deid baseline`` and
``deid gate``; see ``docs/cli.md``).

>>> import tempfile, pathlib
>>> from deid.gate import Scanner
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "note.txt").write_text("Pt seen 7/22, call 617-555-0142.\\n")
>>> report = Scanner().scan([folder])
>>> report.n_files, report.counts
(1, {'DATE': 1, 'PHONE': 1})

Findings carry the file, line or row, field, entity type, score and a keyed fingerprint,
never the value (unless ``show_values=True``).
"""

from deid.gate._baseline import Baseline, BaselineError, key_check
from deid.gate._files import ScanTarget, collect_files, file_kind
from deid.gate._gate import Gate, GateResult, RiskCheck, apply_baseline, check_risk, risk_figures
from deid.gate._model import FileFinding, FileScan, ScanReport, fingerprint, normalize_value
from deid.gate._scan import ALLOW_MARKER, FileProblem, Scanner, decode

__all__ = [
    "ALLOW_MARKER",
    "Baseline",
    "BaselineError",
    "FileFinding",
    "FileProblem",
    "FileScan",
    "Gate",
    "GateResult",
    "RiskCheck",
    "ScanReport",
    "ScanTarget",
    "Scanner",
    "apply_baseline",
    "check_risk",
    "collect_files",
    "decode",
    "file_kind",
    "fingerprint",
    "key_check",
    "normalize_value",
    "risk_figures",
]

"""Scan files for PHI: text, JSON Lines and tables, through one text engine per process.

Every file becomes a stream of texts (a whole text file; each text field of each JSON line;
each distinct value of each table column, once for the scan) that goes through one
``Scrubber.detect_many`` call for the whole scan, so the model and lexicons load once and
``jobs`` worker processes share the work whatever the mix of files. Results come back in
order and are attached to their file, line, row and field here, in the parent.
"""

from __future__ import annotations

import bisect
import collections
import json
import os
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator

from deid.gate._files import ScanTarget, collect_files
from deid.gate._model import CellHits, CellRegistry, FileFinding, FileScan, ScanReport, fingerprint

#: Marks a line whose findings are accepted (suppressed), like ``pragma: allowlist secret``.
ALLOW_MARKER = "deid:allow"

_TEXT, _JSON, _CELL, _END = 0, 1, 2, 3

#: Distinct (column, value) texts whose findings are remembered across the chunks of a scan
#: (ids and names repeat from chunk to chunk); the memory is cleared when it is full.
CELL_CACHE_SIZE = 500_000


class FileProblem(Exception):
    """A file that cannot be scanned (from some point on); the message names no value."""


class Scanner:
    """Scan files for PHI with one text engine for the whole run.

    Parameters
    ----------
    key : deid.transform.Key or None
        Key of the fingerprints. ``None``: a random key for this run (fingerprints are then
        equal within the run only; ``ScanReport.fingerprint_key`` says ``"ephemeral"``).
    entities, threshold, nlp
        As for :class:`deid.text.Scrubber` (None: its defaults).
    text_fields : sequence of str, optional
        JSON Lines fields to scan (top-level names; default every text value, nested too).
    columns : sequence of str, optional
        Table columns to scan (default: every column of CSV/TSV, every text column of Parquet).
    jobs : int
        Worker processes for detection (``Scrubber.detect_many(n_process=jobs)``).
    show_values : bool
        Keep the text of each finding in the results (off by default: never print PHI).
    encoding : str
        Encoding of text, JSON Lines and CSV/TSV files (a byte-order mark overrides it).
    chunksize : int
        Table rows read at a time.
    scrubber : deid.text.Scrubber, optional
        The detector to use (built from ``entities``/``threshold``/``nlp`` when not given).
    on_error : callable, optional
        ``on_error(path, exception)``, called while the error of a file that cannot be read
        is being handled (the file's ``error`` holds the one-line message); ``deid --verbose``
        prints the traceback with it.

    Tables are scanned once per distinct value per column (values met in earlier chunks are
    looked up, up to ``CELL_CACHE_SIZE`` of them), each value prefixed with its column name
    (``"mrn: 00482913"``) so that labelled-value rules see the label; findings inside the
    prefix are dropped.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "note.txt").write_text("Seen by Dr. Omobuwa.\\nCall 617-555-0142 (deid:allow)\\n")
    >>> report = Scanner().scan([folder])
    >>> [(f.entity_type, f.line, f.column) for f in report.findings()], report.n_suppressed
    ([('NAME', 1, 13)], 1)
    """

    def __init__(self, *, key=None, entities=None, threshold=None, nlp=None, text_fields=None, columns=None,
                 jobs: int = 1, show_values: bool = False, encoding: str = "utf-8", chunksize: int = 100_000,
                 scrubber=None, on_error: Callable[[str, BaseException], None] | None = None):
        self.key = key
        self.entities = entities
        self.threshold = threshold
        self.nlp = nlp
        self.text_fields = text_fields
        self.columns = columns
        self.jobs = jobs
        self.show_values = show_values
        self.encoding = encoding
        self.chunksize = chunksize
        self.scrubber = scrubber
        self.on_error = on_error

    # -- set-up ---------------------------------------------------------------------------
    def _scrubber(self):
        if self.scrubber is None:
            from deid.text import Scrubber

            kwargs = {}
            if self.entities is not None:
                kwargs["entities"] = tuple(self.entities)
            if self.threshold is not None:
                kwargs["threshold"] = float(self.threshold)
            if self.nlp is not None:
                kwargs["nlp"] = self.nlp
            self.scrubber = Scrubber(**kwargs)
        return self.scrubber

    def _key(self):
        if self.key is None:
            from deid.transform import Key

            self.key = Key.generate()
        return self.key

    def _fingerprint(self, key, entity_type: str, value: str) -> str:
        # names and ids repeat across a folder of notes: one HMAC per distinct value
        slot = self.__dict__.get("_fp_cache")
        if slot is None or slot[0] is not key:
            slot = self.__dict__["_fp_cache"] = (key, {})
        cache = slot[1]
        got = cache.get((entity_type, value))
        if got is None:
            if len(cache) >= 100_000:
                cache.clear()
            got = cache[(entity_type, value)] = fingerprint(key, entity_type, value)
        return got

    # -- public ---------------------------------------------------------------------------
    def scan(self, paths: Iterable, *, is_excluded: Callable | None = None, never=(),
             on_start: Callable[[list], None] | None = None,
             on_file: Callable[[FileScan], None] | None = None) -> ScanReport:
        """Scan files and folders (recursively). ``is_excluded(path)`` drops paths,
        ``never`` lists files never scanned; ``on_start(targets)`` is called once the files
        are known and ``on_file(FileScan)`` as each file completes (progress)."""
        started = time.perf_counter()
        collected = collect_files(paths, is_excluded=is_excluded or (lambda p: False), never=never)
        if on_start is not None:
            on_start(collected.targets)
        files = self.scan_targets(collected.targets, on_file=on_file)
        return self.report(collected, files, started)

    def report(self, collected, files: list[FileScan], started: float) -> ScanReport:
        """The :class:`ScanReport` of ``files`` (the scans of ``collected.targets``, in their
        order), for a scan that began at ``time.perf_counter()`` value ``started``; also used
        by ``deid scan --dask``, whose tables are scanned on a cluster."""
        return ScanReport(
            files=files,
            errors=list(collected.errors) + [(f.path, f.error) for f in files if f.error is not None],
            excluded=collected.excluded,
            skipped=collected.skipped,
            fingerprint_key="ephemeral" if self._key().ephemeral else "configured",
            seconds=time.perf_counter() - started,
            threshold=self._threshold(),
            paths_given=collected.given,
            given_files_excluded=collected.given_files_excluded,
        )

    def _threshold(self):
        if self.threshold is not None:
            return float(self.threshold)
        return float(self._scrubber().threshold)

    def scan_targets(self, targets: list[ScanTarget], *,
                     on_file: Callable[[FileScan], None] | None = None) -> list[FileScan]:
        """Scan the given targets; one :class:`FileScan` per target, in order."""
        scrubber = self._scrubber()
        key = self._key()
        # per scan (findings depend on the key and the settings): table values already
        # detected, per column label -> value -> entry of the registry of their findings
        self._cell_cache: dict[str, dict[str, int]] = {}
        self._cell_registry = CellRegistry()
        self._cell_cached = 0  # values in self._cell_cache
        self._cell_suppressed: dict[int, int] = {}  # entry -> findings suppressed (deid:allow)
        states: list[FileScan] = []
        # what awaits a detection result, in order; an end-of-file mark waits behind its
        # file's texts (texts already detected, and the marks, are not sent to the engine)
        pending: collections.deque = collections.deque()

        def finish(meta):
            if on_file is not None:
                on_file(meta[1])

        def texts() -> Iterator[str]:
            for text, meta in self._units(targets, states):
                if text is None:  # an end-of-file mark
                    if pending:
                        pending.append(meta)
                    else:
                        finish(meta)
                    continue
                pending.append(meta)
                yield text

        batch_size = 64 if self.jobs <= 1 else 256
        for findings in scrubber.detect_many(texts(), n_process=max(1, int(self.jobs)), batch_size=batch_size):
            meta = pending.popleft()
            kind = meta[0]
            if kind == _CELL:
                self._attach_cells(meta, findings, key)
            elif findings:
                if kind == _TEXT:
                    self._attach_text(meta, findings, key)
                else:
                    self._attach_json(meta, findings, key)
            while pending and pending[0][0] == _END:
                finish(pending.popleft())
        while pending:
            finish(pending.popleft())
        return states

    # -- producing texts ------------------------------------------------------------------
    def _units(self, targets: list[ScanTarget], states: list[FileScan]):
        for target in targets:
            state = FileScan(path=str(target.path), kind=target.kind)
            states.append(state)
            try:
                state.bytes = os.path.getsize(target.path)
                if target.kind == "text":
                    yield from self._text_units(target.path, state)
                elif target.kind == "jsonl":
                    yield from self._jsonl_units(target.path, state)
                else:
                    yield from self._table_units(target, state)
            except (FileProblem, ValueError, OSError, MemoryError) as exc:
                state.error = problem_message(exc, state.path)
                if self.on_error is not None:
                    self.on_error(state.path, exc)
            yield None, (_END, state)

    def _read_text(self, path: Path) -> str:
        data = path.read_bytes()
        if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise FileProblem("looks like a binary file (it holds NUL bytes), not text")
        return decode(data, self.encoding)

    def _text_units(self, path: Path, state: FileScan):
        text = self._read_text(path)
        yield text, (_TEXT, state, text)

    def _jsonl_units(self, path: Path, state: FileScan):
        from deid.io._formats import open_binary, split_suffix

        _, compression = split_suffix(path)
        wanted = set(self.text_fields) if self.text_fields else None
        records = 0
        with open_binary(path, compression) as fh:
            for line_no, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                if b"\x00" in raw:
                    raise FileProblem(f"line {line_no}: holds NUL bytes (a binary file?)")
                try:
                    line = raw.decode(self.encoding)
                except UnicodeDecodeError:
                    raise FileProblem(
                        f"line {line_no}: not valid {self.encoding} (give --encoding, e.g. latin-1)"
                    ) from None
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise FileProblem(f"line {line_no}: not valid JSON (column {exc.colno}: {exc.msg})") from None
                records += 1
                state.rows = records
                if isinstance(record, dict) and wanted is not None:
                    items = ((k, v) for k, v in record.items() if k in wanted)
                elif isinstance(record, dict):
                    items = record.items()
                else:
                    items = (("", record),)
                for field_name, value in items:
                    for path_name, text in _json_strings(value, field_name):
                        if not text.strip():
                            continue
                        prefix = _prefix(path_name.rsplit(".", 1)[-1].split("[", 1)[0])
                        yield prefix + text, (_JSON, state, line_no, records, path_name, text, len(prefix))
        state.rows = records

    def _table_units(self, target: ScanTarget, state: FileScan):
        import numpy as np
        import pandas as pd

        from deid.io import iter_table

        columns = list(self.columns) if self.columns else None
        if target.kind == "parquet" and columns is None:
            columns = _parquet_text_columns(target.path)
            if not columns:
                state.rows = _parquet_rows(target.path)
                return
        kwargs = {"encoding": self.encoding} if target.kind != "parquet" else {}
        registry = self._cell_registry
        suppressed_of = self._cell_suppressed
        offset = 0
        for chunk in iter_table(target.path, chunksize=self.chunksize, columns=columns, **kwargs):
            n = len(chunk)
            for name in chunk.columns:
                series = chunk[name]
                if not (pd.api.types.is_string_dtype(series.dtype) or series.dtype == object):
                    continue
                codes, uniques = pd.factorize(series, use_na_sentinel=True)
                if len(uniques) == 0:
                    continue
                prefix = _prefix(str(name))
                seen = self._cell_cache.setdefault(prefix, {})
                values = uniques.tolist()
                # values detected before (ids and names repeat from chunk to chunk): looked up
                # here, never sent to the engine again; -1: not yet detected
                get = seen.get
                if series.dtype == object:  # numbers or other objects may sit among the texts
                    hit_ids = np.array([get(v, -1) if isinstance(v, str) else 0 for v in values], dtype=np.int64)
                else:
                    hit_ids = np.array([get(v, -1) for v in values], dtype=np.int64)
                cells = CellHits(str(name), codes, hit_ids, offset, registry)
                state.add_cells(cells)
                counts = None
                if suppressed_of:
                    again = np.flatnonzero(np.isin(hit_ids, np.fromiter(suppressed_of, dtype=np.int64)))
                    if len(again):
                        counts = np.bincount(codes[codes >= 0], minlength=len(values))
                        state.suppressed += sum(suppressed_of[int(hit_ids[i])] * int(counts[i]) for i in again)
                for i in np.flatnonzero(hit_ids < 0).tolist():
                    value = values[i]
                    if not value.strip():
                        hit_ids[i] = 0
                        continue
                    if counts is None:
                        counts = np.bincount(codes[codes >= 0], minlength=len(values))
                    yield prefix + value, (_CELL, state, cells, i, int(counts[i]), value, len(prefix), seen)
            offset += n
            state.rows = offset
        state.rows = offset

    # -- attaching findings ---------------------------------------------------------------
    def _attach_text(self, meta, findings, key) -> None:
        _, state, text = meta
        starts = _line_starts(text)
        for f in findings:
            i = bisect.bisect_right(starts, f.start) - 1
            line_start = starts[i]
            line_end = starts[i + 1] - 1 if i + 1 < len(starts) else len(text)
            if ALLOW_MARKER in text[line_start:line_end]:
                state.suppressed += 1
                continue
            value = text[f.start:f.end]
            state.add(FileFinding(
                state.path, f.entity_type, f.score, self._fingerprint(key, f.entity_type, value), f.recognizer,
                line=i + 1, column=f.start - line_start + 1, length=f.end - f.start,
                value=value if self.show_values else None,
            ))

    def _attach_json(self, meta, findings, key) -> None:
        _, state, line_no, record, path_name, text, skip = meta
        for start, end, f in _value_spans(findings, skip):
            if _allowed(text, start):
                state.suppressed += 1
                continue
            value = text[start:end]
            state.add(FileFinding(
                state.path, f.entity_type, f.score, self._fingerprint(key, f.entity_type, value), f.recognizer,
                line=line_no, column=start + 1, length=end - start, row=record, field=path_name,
                value=value if self.show_values else None,
            ))

    def _attach_cells(self, meta, findings, key) -> None:
        _, state, cells, i, n_rows, text, skip, seen = meta
        hit_id = 0
        if findings:
            hits = []
            suppressed = 0
            may_allow = ALLOW_MARKER in text
            show = self.show_values
            for start, end, f in _value_spans(findings, skip):
                if may_allow and _allowed(text, start):
                    suppressed += 1
                    continue
                value = text[start:end]
                hits.append((f.entity_type, f.score, f.recognizer, fingerprint(key, f.entity_type, value), start,
                             end, value if show else None))
            if hits or suppressed:
                hit_id = self._cell_registry.add(hits)
                if suppressed:
                    self._cell_suppressed[hit_id] = suppressed
                    state.suppressed += suppressed * n_rows
        cells.hit_ids[i] = hit_id
        state.cells_changed()
        if self._cell_cached >= CELL_CACHE_SIZE:
            for values in self._cell_cache.values():
                values.clear()
            self._cell_cached = 0
        seen[text] = hit_id
        self._cell_cached += 1


# -- helpers ------------------------------------------------------------------------------
def problem_message(exc: BaseException, path: str) -> str:
    """The one-line message of an error met while reading the file ``path``: deid's own
    messages (they name lines, columns and problems, never a value), else the error's type
    only (another library's message could quote the data).

    >>> problem_message(FileProblem("line 3: not valid utf-8"), "a.txt")
    'line 3: not valid utf-8'
    >>> problem_message(ValueError("could not convert 'Ann Lee'"), "a.csv")
    'cannot be read (ValueError)'
    """
    if isinstance(exc, FileProblem):
        return str(exc)
    if isinstance(exc, ValueError):
        from deid.io import TableError

        if isinstance(exc, TableError):  # "path: line N: problem", never a value
            return _strip_path(str(exc), path)
    if isinstance(exc, MemoryError):
        return "too large to scan in memory"
    if isinstance(exc, OSError):
        return f"cannot be read ({exc.strerror or type(exc).__name__})"
    return f"cannot be read ({type(exc).__name__})"


def decode(data: bytes, encoding: str = "utf-8") -> str:
    """Bytes to text: a byte-order mark decides, else ``encoding``; an error names the line."""
    if data.startswith(b"\xef\xbb\xbf"):
        data, encoding = data[3:], "utf-8"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FileProblem(
            f"line {line}: not valid {encoding} (byte {exc.start}); give --encoding, e.g. latin-1"
        ) from None
    except LookupError:
        raise FileProblem(f"unknown encoding {encoding!r}") from None


def _strip_path(message: str, path: str) -> str:
    for prefix in (path + ": ", os.path.abspath(path) + ": "):
        if message.startswith(prefix):
            return message[len(prefix):]
    return message


def _line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    pos = find("\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = find("\n", pos + 1)
    return starts


def _allowed(text: str, pos: int, marker: str = ALLOW_MARKER) -> bool:
    """Whether the line of ``text`` holding position ``pos`` carries ``marker``."""
    if marker not in text:
        return False
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return marker in text[start:end if end != -1 else len(text)]


def _prefix(name: str) -> str:
    # The field name as a label for the value ("mrn: 00482913"): labelled-value rules then
    # see it. Only plain names are used; anything else gives no prefix.
    name = name.strip()
    if 0 < len(name) <= 40 and all(ch.isalnum() or ch in " _-./#" for ch in name):
        return name.replace("_", " ") + ": "
    return ""


def _value_spans(findings, skip: int):
    """Findings shifted from prefixed text into the value; those inside the prefix dropped."""
    for f in findings:
        if f.end <= skip:
            continue
        yield max(f.start, skip) - skip, f.end - skip, f


def _json_strings(value, path: str):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _json_strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _json_strings(v, f"{path}[{i}]")


def _parquet_file(path: Path):
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        raise FileProblem(f"not a readable Parquet file ({type(exc).__name__})") from None


def _parquet_text_columns(path: Path) -> list[str]:
    """The text columns of a Parquet file; a nested column is an error (it may hold text
    that would go unscanned)."""
    import pyarrow as pa

    with _parquet_file(path) as pf:
        schema = pf.schema_arrow
    out = []
    for f in schema:
        t = f.type
        if pa.types.is_nested(t):
            raise FileProblem(
                f"column {f.name!r} is nested ({t}); flatten it, or name the columns to scan with --columns"
            )
        if pa.types.is_dictionary(t):
            t = t.value_type
        if pa.types.is_string(t) or pa.types.is_large_string(t) or getattr(pa.types, "is_string_view", lambda _: False)(t):
            out.append(f.name)
    return out


def _parquet_rows(path: Path) -> int:
    with _parquet_file(path) as pf:
        return int(pf.metadata.num_rows)

""":func:`verify`: which identifiers of the raw data survive in its scrubbed version."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from deid.verify import _match
from deid.verify._result import LEAK_COLUMNS, VerifyResult

#: Text files compared when two folders are given (other files are ignored).
TEXT_SUFFIXES = (".txt", ".text", ".md", ".note")
#: Records screened at a time: bounds the memory of the screening strings.
DEFAULT_CHUNK_SIZE = 200_000

_SOURCES = ("identifier", "known", "detector")


def verify(raw, scrubbed, *, row_key: str | Sequence[str] | None = None, identifiers=None,
           text_columns: Sequence[str] | None = None, patient_column: str | None = None,
           known=None, known_columns: Mapping | None = None, known_patient_column: str | None = None,
           patients: Mapping | Callable | None = None, detect: bool = True, scrubber=None,
           entities: Iterable[str] | None = None, n_process: int = 1, format: str | None = None,
           suffixes: Sequence[str] | None = TEXT_SUFFIXES, chunk_size: int = DEFAULT_CHUNK_SIZE) -> VerifyResult:
    """Report every identifier of the raw data that still appears in the scrubbed data.

    The two inputs are the same data before and after de-identification, by any tool:

    - two DataFrames, or two table files (CSV/TSV, Parquet, JSON Lines; see ``deid.io``),
      whose rows are matched by ``row_key`` (or by position);
    - two folders of text files, matched by relative path;
    - two text files; two lists of texts (by position) or two mappings name -> text.

    What is looked for, in every scrubbed field of the matching record:

    - the values of the raw record's **identifier columns** (``identifiers``), and with a
      ``patient_column`` the values of all of the patient's rows (a note must not hold the
      name written in another row of the same patient);
    - the patient's **known identifiers** from a lookup table (``known``, ``known_columns``,
      as in :func:`deid.tabular.scrub_frame`);
    - every span the **detector** (``deid.Scrubber``, with the known identifiers) finds in the
      raw free text (``text_columns``).

    Each is found verbatim, in another case, as a number or code with other separators
    ("123-45-6789" as "123456789"), as a date in another format, or as a multi-token value
    whose tokens survive together (see ``docs/verify.md`` for the rules that keep ordinary
    words from counting). The result holds locations and types, never values.

    Parameters
    ----------
    raw, scrubbed : DataFrame, path (file or folder), list of str, or mapping name -> str
        The data before and after scrubbing (the same kind for both).
    row_key : str or list of str, optional
        Tables: the column(s) matching a raw row to its scrubbed row (their values are
        compared as text). Default: rows match by position (the tables must have as many
        rows). The key columns are not searched: use a key that is not an identifier.
    identifiers : mapping or Policy, optional
        The raw table's identifier columns: column -> entity type (``"NAME"``) or role
        (``"name"``, ``"birth_date"``, ``"mrn"``); or the :class:`deid.tabular.Policy`
        used to scrub, whose column roles (or actions) say it.
    text_columns : list of str, optional
        Raw columns whose text the detector reads. Default: every text column that is not an
        identifier column, the row key or the patient column.
    patient_column : str, optional
        The raw column of patient ids: identifier values are pooled per patient, and the
        lookup table's rows apply by it.
    known, known_columns, known_patient_column
        A lookup table of known identifiers (one row per patient or per contact) and its
        columns -> entity types or roles (tuples of columns are joined by a space), or a
        mapping ``patient id -> {entity type: values}``. For folders and text lists the
        patient of a record is its name (relative path), unless ``patients`` says otherwise.
    patients : mapping or callable, optional
        Folders and text lists: record name -> patient id.
    detect : bool
        Run the detector over the raw free text (default True).
    scrubber : deid.Scrubber, optional
        The detector (default: ``deid.Scrubber()``, rules and lexicons). Its ``entities`` and
        ``threshold`` apply.
    entities : iterable of str, optional
        Only report these entity types.
    n_process : int
        Worker processes for the detector.
    format : str, optional
        Table format of both files when their names do not say it.
    suffixes : tuple of str or None
        Folders: the file endings compared (default ``.txt, .text, .md, .note``; None: all files).
    chunk_size : int
        Records screened at a time (memory bound).

    Returns
    -------
    VerifyResult
        ``.leaks`` (one row per surviving identifier: file, row, column, start, end, line,
        entity type, match, source, and where it was in the raw data), ``.ok``,
        ``.exit_code`` (1 when anything survived), ``.counts(by)``, ``.summary()``.

    Raises
    ------
    ValueError
        Inputs of different kinds, a missing column or file, duplicate row keys, tables of
        different lengths without a row key, an unknown entity type. Messages name the
        file, column or problem, never a value.

    >>> import pandas as pd
    >>> raw = pd.DataFrame({"id": [1, 2], "name": ["Ann Lee", "Bo Chen"],
    ...                     "note": ["LEE, ANN called, MRN 0048-2913", "seen"]})
    >>> out = pd.DataFrame({"id": [1, 2], "name": ["[NAME]", "[NAME]"],
    ...                     "note": ["LEE, ANN called, MRN [MRN]", "seen"]})
    >>> result = verify(raw, out, row_key="id", identifiers={"name": "NAME"}, detect=False)
    >>> result.ok, result.leaks[["row", "column", "start", "end", "entity_type", "match"]].values.tolist()
    (False, [[0, 'note', 0, 8, 'NAME', 'tokens']])
    """
    if not isinstance(chunk_size, int) or isinstance(chunk_size, bool) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    wanted = None
    if entities is not None:
        from deid.entities import check_entities

        wanted = frozenset(check_entities(entities))
    common = dict(identifiers=identifiers, text_columns=text_columns, patient_column=patient_column,
                  known=known, known_columns=known_columns, known_patient_column=known_patient_column,
                  detect=detect, scrubber=scrubber, wanted=wanted, n_process=n_process, chunk_size=chunk_size)
    if isinstance(raw, pd.DataFrame) and isinstance(scrubbed, pd.DataFrame):
        _tables_only(patients)
        return _verify_frames(raw, scrubbed, row_key=row_key, file=None, **common)
    if isinstance(raw, (str, os.PathLike)) and isinstance(scrubbed, (str, os.PathLike)):
        raw_p, scr_p = Path(raw), Path(scrubbed)
        for p in (raw_p, scr_p):
            if not p.exists():
                raise ValueError(f"{p}: no such file or folder")
        if raw_p.is_dir() != scr_p.is_dir():
            raise ValueError(f"{raw_p} and {scr_p}: one is a folder and the other a file; give two of a kind")
        if raw_p.is_dir():
            raw_texts, scr_texts = _read_folder(raw_p, suffixes), _read_folder(scr_p, suffixes)
            return _verify_texts(raw_texts, scr_texts, patients, folder=str(scr_p), **common)
        if _is_table(raw_p, format) and _is_table(scr_p, format):
            from deid.io import read_table

            _tables_only(patients)
            raw_df = read_table(raw_p, format=format)
            scr_df = read_table(scr_p, format=format)
            return _verify_frames(raw_df, scr_df, row_key=row_key, file=str(scr_p), **common)
        raw_texts = {raw_p.name: _read_text(raw_p)}
        scr_texts = {raw_p.name: _read_text(scr_p)}
        return _verify_texts(raw_texts, scr_texts, patients, folder=None, files={raw_p.name: str(scr_p)},
                             **common)
    if isinstance(raw, Mapping) and isinstance(scrubbed, Mapping):
        return _verify_texts(_checked_texts(raw, "raw"), _checked_texts(scrubbed, "scrubbed"), patients,
                             folder=None, **common)
    if _is_text_list(raw) and _is_text_list(scrubbed):
        raw, scrubbed = list(raw), list(scrubbed)
        if len(raw) != len(scrubbed):
            raise ValueError(f"raw has {len(raw)} texts and scrubbed {len(scrubbed)}: lists match by position")
        names = [str(i) for i in range(len(raw))]
        return _verify_texts(_checked_texts(dict(zip(names, raw)), "raw"),
                             _checked_texts(dict(zip(names, scrubbed)), "scrubbed"), patients, folder=None,
                             positional=True, **common)
    raise TypeError(
        "raw and scrubbed must be two DataFrames, two paths (files or folders), two lists of texts "
        f"or two mappings of name to text; got {type(raw).__name__} and {type(scrubbed).__name__}"
    )


# -- inputs -----------------------------------------------------------------------------------
def _tables_only(patients) -> None:
    if patients is not None:
        raise ValueError("patients is for folders and lists of texts; a table names its patients with "
                         "patient_column")


def _is_table(path: Path, format) -> bool:
    from deid.io import table_format

    try:
        table_format(path, format)
        return True
    except ValueError:
        return False


def _is_text_list(x) -> bool:
    return isinstance(x, (list, tuple)) or (isinstance(x, pd.Series) and not isinstance(x, pd.DataFrame))


def _checked_texts(texts: Mapping, which: str) -> dict[str, str]:
    out = {}
    for name, text in texts.items():
        if text is None:
            continue
        if not isinstance(text, str):
            raise TypeError(f"{which}: text {name!r} is {type(text).__name__}, not str")
        out[str(name)] = text
    return out


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not valid UTF-8 (byte {exc.start})") from None


def _read_folder(folder: Path, suffixes) -> dict[str, str]:
    wanted = None if suffixes is None else tuple(s.lower() for s in suffixes)
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if not p.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        if wanted is not None and p.suffix.lower() not in wanted:
            continue
        out[rel.as_posix()] = _read_text(p)
    return out


def _verify_texts(raw: dict[str, str], scrubbed: dict[str, str], patients, *, folder, files=None,
                  positional=False, known=None, known_columns=None, known_patient_column=None,
                  identifiers=None, text_columns=None, patient_column=None, **common) -> VerifyResult:
    if identifiers is not None or text_columns is not None or patient_column is not None:
        raise ValueError("identifiers, text_columns and patient_column are for tables; texts are all free text")
    names = list(raw)
    if patients is None:
        pids = names
    elif callable(patients):
        pids = [patients(n) for n in names]
    elif isinstance(patients, Mapping):
        pids = [patients.get(n, n) for n in names]
    else:
        raise TypeError(f"patients must be a mapping or a callable, not {type(patients).__name__}")
    raw_df = pd.DataFrame({"file": pd.Series(names, dtype="str"), "patient": pd.Series(pids, dtype=object),
                           "text": pd.Series(list(raw.values()), dtype="str")})
    scr_df = pd.DataFrame({"file": pd.Series(list(scrubbed), dtype="str"),
                           "text": pd.Series(list(scrubbed.values()), dtype="str")})
    if known is not None and isinstance(known, pd.DataFrame) and known_patient_column is None:
        raise ValueError("known is a lookup table: set known_patient_column (its column of record names "
                         "or, with patients=, patient ids)")
    result = _verify_frames(raw_df, scr_df, row_key="file", file=None, text_columns=["text"],
                            patient_column="patient", identifiers=None, known=known,
                            known_columns=known_columns, known_patient_column=known_patient_column, **common)
    leaks = result.leaks
    if len(leaks):
        # a text's location is its file (relative path, or the name/position given); no row or column
        names_by_row = scr_df["file"].to_numpy(dtype=object)
        rows = leaks["row"].to_numpy(dtype=np.int64)
        if files is not None:
            leaks["file"] = [files.get(n, n) for n in names_by_row[rows]]
        else:
            leaks["file"] = names_by_row[rows] if not positional else None
        leaks["row"] = pd.array(rows, dtype="Int64") if positional else pd.array([None] * len(rows), dtype="Int64")
        leaks["column"] = None
        leaks["raw_row"] = pd.array(leaks["raw_row"], dtype="Int64") if positional else \
            pd.array([None] * len(rows), dtype="Int64")
        leaks["raw_column"] = None
    result.source = folder
    return result


# -- tables -----------------------------------------------------------------------------------
def _key_text(df: pd.DataFrame, columns: list[str], which: str) -> np.ndarray:
    from deid.tabular._known import id_text

    if len(columns) == 1:
        keys = id_text(df[columns[0]])
    else:
        parts = [id_text(df[c]) for c in columns]
        keys = np.array(["\x1f".join("\x00" if p is None else p for p in row) for row in zip(*parts)],
                        dtype=object)
    missing = int(pd.isna(keys).sum()) if len(columns) == 1 else 0
    if missing:
        raise ValueError(f"{which}: row key {columns[0]!r} has {missing} missing value(s)")
    dup = pd.Series(keys, dtype=object).duplicated()
    if dup.any():
        raise ValueError(f"{which}: row key {', '.join(map(repr, columns))} has {int(dup.sum())} duplicate value(s): "
                         "it must name one row")
    return keys


def _align(raw: pd.DataFrame, scrubbed: pd.DataFrame, row_key) -> tuple[np.ndarray, np.ndarray, int, int, list[str]]:
    """(raw row, scrubbed row) of every matched record; counts of unmatched rows; key columns."""
    if row_key is None:
        if len(raw) != len(scrubbed):
            raise ValueError(f"raw has {len(raw)} rows and scrubbed {len(scrubbed)}: without a row_key rows "
                             "match by position; give row_key")
        idx = np.arange(len(raw), dtype=np.int64)
        return idx, idx.copy(), 0, 0, []
    columns = [row_key] if isinstance(row_key, str) else list(row_key)
    for which, df in (("raw", raw), ("scrubbed", scrubbed)):
        missing = [c for c in columns if c not in df.columns]
        if missing:
            raise ValueError(f"{which}: row key column(s) {', '.join(map(repr, missing))} not in the data")
    raw_keys = _key_text(raw, columns, "raw")
    scr_keys = _key_text(scrubbed, columns, "scrubbed")
    where = pd.Index(scr_keys).get_indexer(raw_keys)
    matched = where >= 0
    raw_idx = np.flatnonzero(matched).astype(np.int64)
    scr_idx = where[matched].astype(np.int64)
    return raw_idx, scr_idx, int((~matched).sum()), int(len(scrubbed) - len(scr_idx)), columns


def _identifier_columns(identifiers, raw: pd.DataFrame) -> dict[str, str]:
    """Column -> entity type, from a mapping or a Policy (its roles and actions)."""
    from deid.tabular._known import column_entity, entity_of

    if identifiers is None:
        return {}
    if hasattr(identifiers, "plan") and hasattr(identifiers, "column_roles"):  # a deid.tabular.Policy
        from deid.tabular._apply import _KIND_ENTITY

        out = {}
        for column, action in identifiers.columns.items():
            if column not in raw.columns:
                continue  # the policy may describe more columns than this table has
            entity = column_entity(action, identifiers.column_roles.get(column), _KIND_ENTITY)
            if entity is not None:
                out[column] = entity
        return out
    if not isinstance(identifiers, Mapping):
        raise TypeError(f"identifiers must be a mapping of column to entity type, or a Policy, "
                        f"not {type(identifiers).__name__}")
    out = {}
    for column, spec in identifiers.items():
        if column not in raw.columns:
            raise ValueError(f"identifiers: column {column!r} is not in the raw data")
        out[column] = entity_of(spec, f"identifiers[{column!r}]")
    return out


def _text_columns(text_columns, raw: pd.DataFrame, excluded: set[str]) -> list[str]:
    if text_columns is not None:
        if isinstance(text_columns, str):
            text_columns = [text_columns]
        missing = [c for c in text_columns if c not in raw.columns]
        if missing:
            raise ValueError(f"text_columns: {', '.join(map(repr, missing))} not in the raw data")
        return list(text_columns)
    out = []
    for c in raw.columns:
        if c in excluded:
            continue
        s = raw[c]
        if isinstance(s.dtype, pd.StringDtype) or (
            s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty")
        ):
            out.append(c)
    return out


class _Batch:
    """Raw values to look for, one per (record, value) pair, with where each came from."""

    __slots__ = ("recs", "values", "entity", "source", "raw_column", "raw_rows", "raw_starts", "raw_ends",
                 "raw_cells", "field")

    def __init__(self, recs, values, entity, source, raw_column, raw_rows, raw_starts=None, raw_ends=None,
                 raw_cells=None):
        self.recs = np.asarray(recs, dtype=np.int64)
        self.values = values  # pandas Series of text, aligned with recs
        self.entity = entity
        self.source = source
        self.raw_column = raw_column
        self.raw_rows = np.asarray(raw_rows, dtype=np.int64)
        self.raw_starts = raw_starts
        self.raw_ends = raw_ends
        self.raw_cells = raw_cells  # detector batches: the raw text, for the finding's context
        self.field = None  # detector batches: the scrubbed field of the same column (index), if any


def _verify_frames(raw: pd.DataFrame, scrubbed: pd.DataFrame, *, row_key, file, identifiers, text_columns,
                   patient_column, known, known_columns, known_patient_column, detect, scrubber, wanted,
                   n_process, chunk_size) -> VerifyResult:
    from deid.tabular._known import KnownByPatient, check_known_columns, id_text, lookup_values, value_text

    for which, df in (("raw", raw), ("scrubbed", scrubbed)):
        bad = [c for c in df.columns if not isinstance(c, str)]
        if bad:
            raise ValueError(f"{which}: column names must be text ({len(bad)} are not)")
    raw_idx, scr_idx, raw_only, scrubbed_only, key_columns = _align(raw, scrubbed, row_key)
    n = len(raw_idx)
    id_columns = _identifier_columns(identifiers, raw)
    if patient_column is not None and patient_column not in raw.columns:
        raise ValueError(f"patient column {patient_column!r} is not in the raw data")
    if known is None and known_columns is not None:
        raise ValueError("known_columns describes a lookup table: pass the table as known=")
    excluded = set(key_columns) | set(id_columns) | ({patient_column} if patient_column else set())
    detect_columns = _text_columns(text_columns, raw, excluded) if detect else []

    # the patient of every matched record (ids as text)
    patient_keys = None
    if patient_column is not None:
        all_keys = id_text(raw[patient_column])
        if pd.isna(all_keys).any():
            raise ValueError(f"patient column {patient_column!r} has {int(pd.isna(all_keys).sum())} missing value(s)")
        patient_keys = all_keys[raw_idx]
    elif known is not None:
        raise ValueError("known identifiers (known=...) need a patient column: it says whose records they are")

    lookup = None
    if known is not None:
        lookup_pcol = known_patient_column or patient_column
        if isinstance(known, pd.DataFrame):
            if known_columns is None:
                raise ValueError("known is a lookup table: give known_columns (its columns -> entity types or roles)")
            if lookup_pcol not in known.columns:
                raise ValueError(f"known: the lookup table has no patient column {lookup_pcol!r} "
                                 "(set known_patient_column)")
            lk = id_text(known[lookup_pcol])
            if pd.isna(lk).any():
                raise ValueError(f"known: patient column {lookup_pcol!r} has {int(pd.isna(lk).sum())} missing value(s)")
            lookup = ("table", known, check_known_columns(known_columns, known.columns), lk)
        elif isinstance(known, Mapping):
            lookup = ("mapping", known)
        else:
            raise TypeError(f"known must be a DataFrame (a lookup table) or a mapping of patient ids, "
                            f"not {type(known).__name__}")

    # -- what to look for ---------------------------------------------------------------------
    batches: list[_Batch] = []
    rec_of_patient = None
    if patient_keys is not None:
        rec_of_patient = pd.DataFrame({"p": patient_keys, "rec": np.arange(n, dtype=np.int64)})
    raw_text = {c: value_text(raw[c]) for c in id_columns}
    for column, entity in id_columns.items():
        values = raw_text[column]
        if patient_keys is None or entity == "ID":
            # the row's own value (record ids are not pooled: a patient's thousand encounter ids
            # would be looked for in each of their rows)
            batches.append(_Batch(np.arange(n), values.iloc[raw_idx].reset_index(drop=True), entity,
                                  "identifier", column, raw_idx))
        else:
            pairs = pd.DataFrame({"p": all_keys, "v": values.to_numpy(dtype=object),
                                  "raw_row": np.arange(len(raw), dtype=np.int64)})
            pairs = pairs[pairs["v"].notna()].drop_duplicates(["p", "v"])
            joined = rec_of_patient.merge(pairs, on="p", how="inner", sort=False)
            batches.append(_Batch(joined["rec"].to_numpy(), joined["v"].astype("str").reset_index(drop=True),
                                  entity, "identifier", column, joined["raw_row"].to_numpy()))
    if lookup is not None:
        batches.extend(_lookup_batches(lookup, rec_of_patient, lookup_values, value_text))

    n_detected = 0
    if detect_columns:
        known_by_patient = None
        # with a patient column, the patient's identifiers help the detector (one read per
        # distinct text and patient); without one, each distinct text is read once, plainly
        if patient_keys is not None and (id_columns or lookup is not None):
            # the record's identifiers help the detector find them in the raw text, in any variant
            has_text = np.zeros(n, dtype=bool)
            for c in detect_columns:
                has_text |= raw[c].iloc[raw_idx].notna().to_numpy()
            keys_for_known = patient_keys
            known_by_patient = KnownByPatient(set(keys_for_known[has_text].tolist()))
            for column, entity in id_columns.items():
                known_by_patient.add(all_keys, raw[column], entity)
            if lookup is not None and lookup[0] == "table":
                _, table, groups, lk = lookup
                for group, entity in groups:
                    known_by_patient.add(lk, lookup_values(table, group), entity)
            elif lookup is not None:
                known_by_patient.add_mapping(lookup[1])
        else:
            keys_for_known = None
        found, n_detected = _detect(raw, raw_idx, detect_columns, keys_for_known, known_by_patient, scrubber,
                                    n_process)
        batches.extend(found)
    if wanted is not None:
        batches = [b for b in batches if b.entity in wanted]

    # -- where it survives --------------------------------------------------------------------
    search_columns = [c for c in scrubbed.columns if c not in key_columns]
    for b in batches:
        # a detector span is looked for where it was: in the same column, scrubbed
        if b.source == "detector" and b.raw_column in search_columns:
            b.field = search_columns.index(b.raw_column)
    fields = [_match.as_search_text(scrubbed[c]).iloc[scr_idx].reset_index(drop=True) for c in search_columns]
    leak_rows = _search(batches, fields, n, chunk_size) if fields and n else []
    leaks = _leak_frame(leak_rows, fields, search_columns, scr_idx, file)
    n_checked = int(sum(len(b.recs) for b in batches))
    return VerifyResult(leaks, n_records=n, raw_only=raw_only, scrubbed_only=scrubbed_only,
                        n_checked=n_checked, n_detected=n_detected, source=file)


def _lookup_batches(lookup, rec_of_patient, lookup_values, value_text) -> list[_Batch]:
    out = []
    if lookup[0] == "table":
        _, table, groups, lk = lookup
        for group, entity in groups:
            values = value_text(lookup_values(table, group))
            pairs = pd.DataFrame({"p": lk, "v": values.to_numpy(dtype=object)})
            pairs = pairs[pairs["v"].notna()].drop_duplicates()
            joined = rec_of_patient.merge(pairs, on="p", how="inner", sort=False)
            name = group[0] if len(group) == 1 else "+".join(group)
            out.append(_Batch(joined["rec"].to_numpy(), joined["v"].astype("str").reset_index(drop=True), entity,
                              "known", name, np.full(len(joined), -1)))
    else:
        from deid.tabular._known import KnownByPatient

        kb = KnownByPatient()
        kb.add_mapping(lookup[1])
        rows = []
        for patient in set(rec_of_patient["p"].tolist()):
            for entity, values in kb.values_of(patient).items():
                rows.extend((patient, entity, v) for v in values)
        if rows:
            pairs = pd.DataFrame(rows, columns=["p", "entity", "v"])
            joined = rec_of_patient.merge(pairs, on="p", how="inner", sort=False)
            for entity, part in joined.groupby("entity", sort=True):
                out.append(_Batch(part["rec"].to_numpy(), part["v"].astype("str").reset_index(drop=True), entity,
                                  "known", None, np.full(len(part), -1)))
    return out


def _detect(raw, raw_idx, columns, keys_for_known, known_by_patient, scrubber, n_process):
    """Findings of the detector in the raw text columns, as batches (one per column and type);
    each distinct (text, patient) is read once."""
    from deid.text import Scrubber

    if scrubber is None:
        scrubber = Scrubber()
    batches = []
    n_found = 0
    for column in columns:
        series = raw[column].iloc[raw_idx]
        texts = series.to_numpy(dtype=object)
        valid = np.array([isinstance(t, str) and bool(t.strip()) for t in texts], dtype=bool)
        if not valid.any():
            continue
        rec = np.flatnonzero(valid)
        text_codes, text_uniques = pd.factorize(pd.Series(texts[valid], dtype=object))
        if known_by_patient is not None:
            pat_codes, pat_uniques = pd.factorize(pd.Series(keys_for_known[valid], dtype=object))
            pair = text_codes.astype(np.int64) * max(len(pat_uniques), 1) + pat_codes
            codes, uniques = pd.factorize(pair)
            uniques = np.asarray(uniques)
            # a patient's texts together: their known identifiers are compiled once
            order = np.argsort(uniques % max(len(pat_uniques), 1), kind="stable")
            rank = np.empty(len(order), dtype=np.intp)
            rank[order] = np.arange(len(order))
            uniques, codes = uniques[order], rank[codes]
            text_of = np.asarray(text_uniques, dtype=object)[uniques // max(len(pat_uniques), 1)]
            pat_of = np.asarray(pat_uniques, dtype=object)[uniques % max(len(pat_uniques), 1)]
            known_iter = (known_by_patient.get(p) for p in pat_of.tolist())
        else:
            codes, text_of, known_iter = text_codes, np.asarray(text_uniques, dtype=object), None
        # rows of each distinct (text, patient)
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(text_of) + 1))
        per_type: dict[str, list] = {}
        try:
            results = scrubber.detect_many(text_of.tolist(), n_process=n_process, known=known_iter)
            for u, (text, findings) in enumerate(zip(text_of.tolist(), results)):
                if not findings:
                    continue
                recs_u = rec[order[bounds[u]:bounds[u + 1]]]
                for f in findings:
                    n_found += len(recs_u)
                    acc = per_type.setdefault(f.entity_type, [[], [], [], [], []])
                    value = text[f.start:f.end]
                    for r in recs_u.tolist():
                        acc[0].append(r)
                        acc[1].append(value)
                        acc[2].append(f.start)
                        acc[3].append(f.end)
                        acc[4].append(text)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"raw column {column!r}: {exc}") from None
        for entity, (recs_e, values, starts, ends, cells) in sorted(per_type.items()):
            recs_e = np.asarray(recs_e, dtype=np.int64)
            batches.append(_Batch(recs_e, pd.Series(values, dtype="str"), entity, "detector", column,
                                  raw_idx[recs_e], np.asarray(starts, dtype=np.int64),
                                  np.asarray(ends, dtype=np.int64), cells))
    return batches, n_found


def _search(batches: list[_Batch], fields: list[pd.Series], n: int, chunk_size: int) -> list[tuple]:
    """Screen every batch chunk by chunk of records, confirm the candidates field by field."""
    rules = _match.Rules()
    # each batch's pairs sorted by record, so a chunk of records is a slice of every batch
    sorted_batches = []
    for b in batches:
        if not len(b.recs):
            continue
        order = np.argsort(b.recs, kind="stable")
        sorted_batches.append((b, order, b.recs[order]))
    rows: list[tuple] = []
    for lo in range(0, n, chunk_size):
        hi = min(n, lo + chunk_size)
        chunk = [f.iloc[lo:hi] for f in fields]
        folded, joined = _match.screening_strings(chunk)
        cells = None  # the chunk's field texts, fetched on the first candidate
        for b, order, recs_sorted in sorted_batches:
            a, z = np.searchsorted(recs_sorted, [lo, hi])
            if a == z:
                continue
            take = order[a:z]
            values = b.values.iloc[take].reset_index(drop=True)
            hits = _match.screen(values, recs_sorted[a:z] - lo, folded, joined, b.entity, rules)
            if not hits.any():
                continue
            if cells is None:
                cells = [c.tolist() for c in chunk]
            for i in np.flatnonzero(hits).tolist():
                rows.extend(_confirm_pair(b, int(take[i]), values.iat[i], cells, lo, folded, rules))
    return rows


def _confirm_pair(b: _Batch, k: int, value: str, cells, lo: int, folded, rules) -> list[tuple]:
    rec = int(b.recs[k])
    context = None
    raw_start = raw_end = -1
    if b.raw_starts is not None:
        raw_start, raw_end = int(b.raw_starts[k]), int(b.raw_ends[k])
        context = _match.context_of(b.raw_cells[k], raw_start, raw_end)
    probe = rules.probe(value, b.entity, context)
    if probe is None:
        return []
    out = []
    parts = folded[rec - lo].split(_match.FIELD_SEP) if len(cells) > 1 else [folded[rec - lo]]
    for j, part in enumerate(parts):
        if not part or (b.field is not None and j != b.field) or not _match.may_hold(probe, part):
            continue
        text = cells[j][rec - lo]
        if not isinstance(text, str):
            continue
        for s, e, how in _match.strongest(_match.confirm(probe, text)):
            out.append((rec, j, s, e, b.entity, how, b.source, b.raw_column, int(b.raw_rows[k]), raw_start, raw_end))
    return out


def _leak_frame(rows: list[tuple], fields, columns, scr_idx, file) -> pd.DataFrame:
    """One row per location: of reports of one place (or inside it) the widest is kept, then
    the strongest match, then the first source (identifier columns, known identifiers, the
    detector)."""
    if not rows:
        return _empty_leaks()
    src_rank = {s: i for i, s in enumerate(_SOURCES)}
    strength = _match._STRENGTH
    rows.sort(key=lambda r: (r[0], r[1], r[2], -(r[3] - r[2]), strength[r[5]], src_rank[r[6]]))
    kept = []
    last = None  # (rec, field, end) of the last kept location
    for r in rows:
        if last is not None and r[0] == last[0] and r[1] == last[1] and r[2] < last[2]:
            if r[3] <= last[2]:
                continue  # inside a location already reported
        kept.append(r)
        if last is None or r[0] != last[0] or r[1] != last[1] or r[3] > last[2]:
            last = (r[0], r[1], r[3])
    # in the order of the scrubbed data: row, column, offset
    kept.sort(key=lambda r: (int(scr_idx[r[0]]), r[1], r[2]))
    rec = np.array([r[0] for r in kept], dtype=np.int64)
    fld = np.array([r[1] for r in kept], dtype=np.int64)
    starts = [r[2] for r in kept]
    lines = [_match.line_of(fields[j].iat[i], s) for i, j, s in zip(rec.tolist(), fld.tolist(), starts)]
    frame = pd.DataFrame({
        "file": pd.Series([file] * len(kept), dtype=object),
        "row": pd.array(scr_idx[rec], dtype="Int64"),
        "column": pd.Series(np.asarray(columns, dtype=object)[fld], dtype=object),
        "start": np.asarray(starts, dtype=np.int64),
        "end": np.array([r[3] for r in kept], dtype=np.int64),
        "line": np.asarray(lines, dtype=np.int64),
        "entity_type": pd.Series([r[4] for r in kept], dtype=object),
        "match": pd.Series([r[5] for r in kept], dtype=object),
        "source": pd.Series([r[6] for r in kept], dtype=object),
        "raw_row": pd.array([r[8] if r[8] >= 0 else None for r in kept], dtype="Int64"),
        "raw_column": pd.Series([r[7] for r in kept], dtype=object),
        "raw_start": pd.array([r[9] if r[9] >= 0 else None for r in kept], dtype="Int64"),
        "raw_end": pd.array([r[10] if r[10] >= 0 else None for r in kept], dtype="Int64"),
    })
    return frame[list(LEAK_COLUMNS)]


def _empty_leaks() -> pd.DataFrame:
    return pd.DataFrame({
        "file": pd.Series([], dtype=object), "row": pd.array([], dtype="Int64"),
        "column": pd.Series([], dtype=object), "start": np.array([], dtype=np.int64),
        "end": np.array([], dtype=np.int64), "line": np.array([], dtype=np.int64),
        "entity_type": pd.Series([], dtype=object), "match": pd.Series([], dtype=object),
        "source": pd.Series([], dtype=object), "raw_row": pd.array([], dtype="Int64"),
        "raw_column": pd.Series([], dtype=object), "raw_start": pd.array([], dtype="Int64"),
        "raw_end": pd.array([], dtype="Int64"),
    })[list(LEAK_COLUMNS)]

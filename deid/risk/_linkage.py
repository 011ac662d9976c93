"""Linkage attacks: which released records an attacker's identified data re-identifies.

:func:`linkage_attack` takes a released (de-identified) table and an auxiliary table an
attacker could hold (a voter list, a registry, a leak: identified records sharing some
quasi-identifiers) and counts, for every released record, the auxiliary records it is
*consistent* with. A released record and an auxiliary record are consistent when, on every
column of ``on``:

* the values are equal, or
* the released value is a generalization of the auxiliary (raw) value under the column's
  hierarchy (``"021**"`` for ZIP ``"02139"``, ``"40-49"`` for age 43, ``1980`` for a birth
  date in 1980, ``"*"`` for anything), or
* the auxiliary value is missing (the attacker does not know it: partial knowledge), or
* the released value is missing (suppressed: it rules nothing out).

How: the released columns are encoded to integer codes (``deid.risk._encode``); every
auxiliary column is coded into one row of a (column, row) int32 array: translated row by row
into released value ids when it has no hierarchy (``_linkage_encode``), else factorized once
and its distinct values generalized per hierarchy level. Released records are split by the
hierarchy level of each of their values (one group for full-domain generalization), auxiliary
records by which columns they miss (one group when nothing is missing); for every pair of
groups one fused pass per side folds the compared columns into mixed-radix int64 keys block
by block, and the auxiliary keys are counted by direct address when the key space is small,
else joined with the released keys by a partitioned hash join, without listing pairs
(``deid.risk._linkage_kernels``). Memory is linear in the two inputs; time is one pass over
the auxiliary rows per group of released records. See docs/linkage.md.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numba as nb
import numpy as np
import pandas as pd

from deid.risk._encode import EncodedColumn, _arrow_string_chunks, _finish_codes, _string_codes, encode_column
from deid.risk._kernels import group_codes
from deid.risk._linkage_encode import translate_column
from deid.risk._linkage_kernels import (
    add_constant,
    add_counts,
    build_bitmap,
    build_table,
    code_counts,
    count_ids,
    filter_by_bitmap,
    first_rows,
    fused_add_counts,
    fused_count,
    fused_keys,
    partitioned_match_counts,
    probe_table,
)
from deid.risk._linkage_values import (
    Generalizers,
    HierarchyTable,
    apply_generalizer,
    as_text,
    canonical_values,
    comparable,
    describe_kind,
    match_values,
    resolve_hierarchy,
    value_kind,
)

_MAX_RADIX = 1 << 62
# below this many rows on the smaller side one hash table stays in cache: no partitioning
_PARTITION_MIN_ROWS = 1 << 15
# from this many rows on the larger side (4x the smaller) a Bloom filter pass pays
_FILTER_MIN_ROWS = 1 << 18
_NO_ROWS = np.empty(0, dtype=np.int64)
# bins of the match-count summary: 0, 1, 2-4, 5-9, 10-99, 100+
DEFAULT_MATCH_BINS = (0, 1, 2, 5, 10, 100)


# ----------------------------------------------------------------------------- the report


@dataclass(frozen=True, repr=False)
class LinkageReport:
    """The result of a linkage attack: per-record match counts and their totals.

    Attributes
    ----------
    quasi_identifiers : tuple of str
        The columns matched on (``on``).
    n_released, n_auxiliary : int
        Records in the two tables.
    match_counts : numpy.ndarray
        For every released record (in the released table's row order), the number of
        auxiliary records consistent with it (int64).
    released_index : pandas.Index
        The released table's index, for :meth:`per_record`.
    true_match_found : numpy.ndarray or None
        With ground truth (both id columns given): for every released record, whether the
        auxiliary record(s) of the same person are among its matches. ``None`` otherwise.
    notes : tuple of str
        Conventions that applied to this run (counts only, never values).

    The figures are properties: ``unique_links``, ``expected_correct``,
    ``match_count_histogram``, and with ground truth ``correct_links``,
    ``correct_link_rate``, ``unique_link_precision``.

    >>> import pandas as pd
    >>> released = pd.DataFrame({"zip": ["02139", "02139", "02140"], "sex": ["F", "M", "F"]})
    >>> voters = pd.DataFrame({"zip": ["02139", "02139", "02140", "02140"], "sex": ["F", "M", "F", "F"]})
    >>> report = linkage_attack(released, voters, ["zip", "sex"])
    >>> report.match_counts.tolist(), report.unique_links, report.expected_correct
    ([1, 1, 2], 2, 2.5)
    """

    quasi_identifiers: tuple[str, ...]
    n_released: int
    n_auxiliary: int
    match_counts: np.ndarray
    released_index: pd.Index
    true_match_found: np.ndarray | None = None
    notes: tuple[str, ...] = field(default=())

    # ------------------------------------------------------------------ per record

    @cached_property
    def guess_probability(self) -> np.ndarray:
        """Per released record, the chance that a guess among its matches is right when the
        person is in the auxiliary data: 1/matches, 0 without a match."""
        counts = self.match_counts
        out = np.zeros(counts.shape[0], dtype=np.float64)
        linked = counts > 0
        out[linked] = 1.0 / counts[linked]
        return out

    def per_record(self) -> pd.DataFrame:
        """One row per released record (the released index): ``match_count``,
        ``guess_probability`` and, with ground truth, ``true_match_found`` and
        ``correctly_linked`` (a unique match that is the right person)."""
        data = {"match_count": self.match_counts, "guess_probability": self.guess_probability}
        if self.true_match_found is not None:
            data["true_match_found"] = self.true_match_found
            data["correctly_linked"] = self.true_match_found & (self.match_counts == 1)
        return pd.DataFrame(data, index=self.released_index)

    # ------------------------------------------------------------------ totals

    @cached_property
    def unique_links(self) -> int:
        """Released records consistent with exactly one auxiliary record."""
        return int(np.count_nonzero(self.match_counts == 1))

    @property
    def unique_link_rate(self) -> float:
        return self.unique_links / self.n_released

    @cached_property
    def unmatched(self) -> int:
        """Released records consistent with no auxiliary record."""
        return int(np.count_nonzero(self.match_counts == 0))

    @cached_property
    def expected_correct(self) -> float:
        """Expected correct re-identifications, Σ 1/matches over records with a match (the
        attacker picks one of the matches at random; exact when everyone released is in the
        auxiliary data)."""
        return float(self.guess_probability.sum())

    @property
    def expected_correct_rate(self) -> float:
        return self.expected_correct / self.n_released

    @cached_property
    def match_count_histogram(self) -> pd.DataFrame:
        """Released records at each match count: columns ``match_count``, ``records``,
        ``share`` (of the released records), ascending."""
        values, counts = np.unique(self.match_counts, return_counts=True)
        return pd.DataFrame(
            {"match_count": values.astype(np.int64), "records": counts.astype(np.int64),
             "share": counts / self.n_released}
        )

    def match_count_shares(self, bins: Sequence[int] = DEFAULT_MATCH_BINS) -> pd.DataFrame:
        """Released records per range of match counts (default 0, 1, 2-4, 5-9, 10-99, 100+).

        ``bins`` are the ascending lower edges; the last range is open.
        """
        edges = [int(b) for b in bins]
        if not edges or edges != sorted(set(edges)) or edges[0] < 0:
            raise ValueError("bins must be ascending distinct non-negative integers")
        labels = []
        for lo, hi in zip(edges, edges[1:] + [None]):
            if hi is None:
                labels.append(f"{lo}+")
            elif hi == lo + 1:
                labels.append(str(lo))
            else:
                labels.append(f"{lo}-{hi - 1}")
        position = np.searchsorted(np.asarray(edges), self.match_counts, side="right") - 1
        counts = np.bincount(position[position >= 0], minlength=len(edges))
        return pd.DataFrame({"matches": labels, "records": counts.astype(np.int64),
                             "share": counts / self.n_released})

    # ------------------------------------------------------------------ ground truth

    @property
    def has_ground_truth(self) -> bool:
        return self.true_match_found is not None

    @cached_property
    def correct_links(self) -> int | None:
        """With ground truth: unique links that point at the right person."""
        if self.true_match_found is None:
            return None
        return int(np.count_nonzero(self.true_match_found & (self.match_counts == 1)))

    @property
    def correct_link_rate(self) -> float | None:
        """With ground truth: correct unique links / released records."""
        return None if self.correct_links is None else self.correct_links / self.n_released

    @property
    def unique_link_precision(self) -> float | None:
        """With ground truth: correct unique links / unique links (NaN without unique links)."""
        if self.correct_links is None:
            return None
        return self.correct_links / self.unique_links if self.unique_links else math.nan

    @cached_property
    def true_match_rate(self) -> float | None:
        """With ground truth: share of released records whose person is among their matches."""
        if self.true_match_found is None:
            return None
        return float(np.count_nonzero(self.true_match_found)) / self.n_released

    @cached_property
    def expected_correct_given_truth(self) -> float | None:
        """With ground truth: expected correct guesses, Σ [person among matches] / matches."""
        if self.true_match_found is None:
            return None
        return float(self.guess_probability[self.true_match_found].sum())

    # ------------------------------------------------------------------ output

    def summary(self) -> dict:
        """The figures as a flat dict (counts and rates only, never a value)."""
        out = {
            "quasi_identifiers": list(self.quasi_identifiers),
            "n_released": self.n_released,
            "n_auxiliary": self.n_auxiliary,
            "unmatched": self.unmatched,
            "unique_links": self.unique_links,
            "unique_link_rate": self.unique_link_rate,
            "expected_correct": self.expected_correct,
            "expected_correct_rate": self.expected_correct_rate,
        }
        if self.has_ground_truth:
            out.update(
                correct_links=self.correct_links,
                correct_link_rate=self.correct_link_rate,
                unique_link_precision=self.unique_link_precision,
                true_match_rate=self.true_match_rate,
                expected_correct_given_truth=self.expected_correct_given_truth,
            )
        return out

    def to_dict(self) -> dict:
        """:meth:`summary`, the binned match-count shares and the notes."""
        out = self.summary()
        out["match_count_shares"] = self.match_count_shares().to_dict(orient="records")
        out["notes"] = list(self.notes)
        return out

    def to_json(self, **kwargs) -> str:
        def clean(value):
            if isinstance(value, float) and not math.isfinite(value):
                return None
            if isinstance(value, dict):
                return {k: clean(v) for k, v in value.items()}
            if isinstance(value, list):
                return [clean(v) for v in value]
            if isinstance(value, np.generic):
                return clean(value.item())
            return value

        return json.dumps(clean(self.to_dict()), **kwargs)

    def __repr__(self) -> str:
        text = (
            f"LinkageReport(on={list(self.quasi_identifiers)}, n_released={self.n_released}, "
            f"n_auxiliary={self.n_auxiliary}, unique_links={self.unique_links}, "
            f"expected_correct={self.expected_correct:.1f}"
        )
        if self.has_ground_truth:
            text += f", correct_links={self.correct_links}"
        return text + ")"


# ----------------------------------------------------------------------------- columns


@dataclass
class _LinkColumn:
    """One column of ``on``, coded for the join.

    ``rel_map`` sends a released code to its canonical value id (-1: missing), ``level_of``
    gives each canonical value its hierarchy level, and ``aux_maps[l]`` sends an auxiliary
    code to the canonical released value its level-``l`` generalization equals (-1: none).
    """

    name: str
    rel_codes: np.ndarray
    rel_map: np.ndarray
    n_values: int
    level_of: np.ndarray
    aux_codes: np.ndarray
    aux_missing_code: int
    aux_maps: np.ndarray
    n_rel_missing: int = 0
    n_aux_missing: int = 0

    def released_levels_of_codes(self) -> np.ndarray:
        """Level of every released code (-1 for missing and unused codes)."""
        out = np.full(self.rel_map.shape[0], -1, dtype=np.int64)
        present = self.rel_map >= 0
        out[present] = self.level_of[self.rel_map[present]]
        return out


def _string_codes_of(chunk, lo: int, hi: int, out: np.ndarray):
    """``_string_codes`` of rows lo..hi of an Arrow string array (codes into ``out[lo:hi]``);
    returns (number of codes, whether a row is missing, the first row of each code)."""
    part = chunk.slice(lo, hi - lo)
    validity, offsets_buf, data_buf = part.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64 if pa_is_large(part) else np.int32)
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None and data_buf.size \
        else np.zeros(8, np.uint8)
    valid = np.frombuffer(validity, dtype=np.uint8) if validity is not None else np.zeros(1, np.uint8)
    n_unique, saw_missing, reps = _string_codes(offsets, data, valid, validity is not None, part.offset, hi - lo,
                                                out[lo:hi])
    return int(n_unique), bool(saw_missing), reps - part.offset + lo


def _encode_strings_into(series: pd.Series, chunk, out: np.ndarray):
    """Arrow strings factorized straight into ``out`` (int32), in one serial pass: coding two
    halves on two threads and merging their tables was measured slower, in CPU and in wall
    time, on the shared 2-core machine (175 ms against 141 ms for 10M ZIP codes)."""
    n = len(chunk)
    n_unique, saw_missing, reps = _string_codes_of(chunk, 0, n, out)
    values = series.iloc[reps].reset_index(drop=True)
    if saw_missing:
        _finish_codes.for_rows(n)(out, np.int32(n_unique), out)
    encoded = EncodedColumn(out, max(n_unique + (1 if saw_missing else 0), 1))
    return encoded, np.arange(n_unique, dtype=np.int64), values, n_unique if saw_missing else -1, int(chunk.null_count)


def _encode_distinct(series: pd.Series, out: np.ndarray | None = None):
    """Codes, the codes that occur with a value, those values, the missing code (or -1) and
    the number of missing rows. With ``out`` (int32) the codes are written there."""
    chunk = _arrow_string_chunks(series) if out is not None and type(series.dtype) is pd.StringDtype else None
    if chunk is not None and len(chunk) == len(series) and len(chunk) and out.dtype == np.int32:
        return _encode_strings_into(series, chunk, out)
    encoded = encode_column(series)
    if out is not None:
        out[...] = encoded.codes
        encoded = EncodedColumn(out, encoded.cardinality)
    rows = first_rows(encoded.codes, np.int64(encoded.cardinality))
    present = np.flatnonzero(rows >= 0)
    values = series.iloc[rows[present]].reset_index(drop=True)
    missing = values.isna().to_numpy()
    missing_code = int(present[missing][0]) if missing.any() else -1
    n_missing = 0 if missing_code < 0 else int(np.count_nonzero(encoded.codes == missing_code))
    return encoded, present[~missing], values[~missing].reset_index(drop=True), missing_code, n_missing


def pa_is_large(chunk) -> bool:
    import pyarrow as pa

    return pa.types.is_large_string(chunk.type)


def _uncovered_error(column: str, table: str, n_values: int, n_records: int | None, what: str) -> ValueError:
    records = f" ({n_records} record(s))" if n_records is not None else ""
    return ValueError(
        f"hierarchy for column {column!r} does not cover {n_values} distinct {table} value(s){records}: {what}"
    )


def _assign_levels(level_ids: list[np.ndarray], n_values: int, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Hierarchy level of every canonical released value, and which values no level holds.

    ``level_ids[l][d]`` is the canonical released value that the level-``l`` label of domain
    value ``d`` equals (-1: none). A value found at one level gets that level. A label found at
    several levels (a raw value spelt like a group) gets the level whose raw values include
    those of all the others, i.e. its meaning is the union; when no level does, the labels are
    ambiguous and we refuse rather than guess.
    """
    counts = np.vstack([np.bincount(ids[ids >= 0], minlength=n_values) for ids in level_ids])
    present = counts > 0
    n_present = present.sum(axis=0)
    level_of = np.where(n_present > 0, present.argmax(axis=0), 0).astype(np.int64)
    ambiguous = np.flatnonzero(n_present > 1)
    if ambiguous.size:
        is_ambiguous = np.zeros(n_values, dtype=bool)
        is_ambiguous[ambiguous] = True
        pair_keys = []
        for ids in level_ids:
            rows = np.flatnonzero((ids >= 0) & is_ambiguous[np.maximum(ids, 0)])
            pair_keys.append(rows.astype(np.int64) * n_values + ids[rows])
        distinct_pairs = np.unique(np.concatenate(pair_keys))
        union = np.bincount(distinct_pairs % n_values, minlength=n_values)[ambiguous]
        covers_all = counts[:, ambiguous] == union[None, :]
        if not covers_all.any(axis=0).all():
            bad = int((~covers_all.any(axis=0)).sum())
            raise ValueError(
                f"hierarchy for column {column!r}: {bad} released value(s) occur at several hierarchy levels "
                "with different meanings; give the levels distinct labels"
            )
        level_of[ambiguous] = covers_all.argmax(axis=0)
    return level_of, n_present == 0


def _prepare_column(name: str, released: pd.Series, auxiliary: pd.Series, spec,
                    aux_out: np.ndarray | None = None) -> _LinkColumn:
    hierarchy = resolve_hierarchy(spec, name) if spec is not None else None
    rel_enc, rel_present, rel_values, rel_missing, _ = _encode_distinct(released)
    if hierarchy is None:  # exact matching: try the semi-join route (no factorization of the big side)
        rel_kind = value_kind(rel_values)
        canon, targets = canonical_values(rel_values, rel_kind, rel_kind)
        translated = translate_column(auxiliary, targets, rel_kind, aux_out)
        if translated is not None:
            level_of = np.zeros(max(len(targets), 1), dtype=np.int64)
            return _finish_column(name, rel_enc, rel_present, rel_missing, canon, len(targets), level_of,
                                  translated.codes, translated.missing_code, translated.mapping()[None, :],
                                  translated.n_missing)
    aux_enc, aux_present, aux_values, aux_missing, n_aux_missing = _encode_distinct(auxiliary, aux_out)
    aux_card = int(aux_enc.cardinality)

    if isinstance(hierarchy, HierarchyTable):
        # ARX convention: hierarchies are text, and so are the values compared with them
        rel_text = as_text(rel_values)
        canon, targets = canonical_values(rel_text, "text", "text")
        level_ids = [np.asarray(targets.get_indexer(np.asarray(level, dtype=object)), dtype=np.int64)
                     for level in hierarchy.levels]
        domain_row = np.asarray(pd.Index(np.asarray(hierarchy.levels[0], dtype=object)).get_indexer(
            np.asarray(as_text(aux_values), dtype=object)), dtype=np.int64)
        uncovered_aux = domain_row < 0
        if uncovered_aux.any():
            per_code = code_counts(aux_enc.codes, np.int64(aux_card))
            records = int(per_code[aux_present[uncovered_aux]].sum())
            raise _uncovered_error(name, "auxiliary", int(uncovered_aux.sum()), records,
                                   "every raw value needs a row in the hierarchy")
        level_of, uncovered_rel = _assign_levels(level_ids, len(targets), name)
        if hierarchy.missing_labels and uncovered_rel.any():
            # a label that only generalizes a missing raw value stands for a missing value
            as_missing = uncovered_rel & np.asarray(targets.isin(list(hierarchy.missing_labels)), dtype=bool)
            uncovered_rel = uncovered_rel & ~as_missing
            canon = np.where(as_missing[canon], -1, canon) if canon.shape[0] else canon
        if uncovered_rel.any():
            per_code = code_counts(rel_enc.codes, np.int64(rel_enc.cardinality))
            rel_uncovered_codes = rel_present[(canon >= 0) & uncovered_rel[np.maximum(canon, 0)]]
            raise _uncovered_error(name, "released", int(uncovered_rel.sum()),
                                   int(per_code[rel_uncovered_codes].sum()),
                                   "every released value must be a raw value or a label of some level")
        aux_maps = np.full((len(level_ids), aux_card), -1, dtype=np.int64)
        for level, ids in enumerate(level_ids):
            aux_maps[level, aux_present] = ids[domain_row]
    else:
        rel_kind = value_kind(rel_values)
        canon, targets = canonical_values(rel_values, rel_kind, rel_kind)
        # level 0 is the raw value; generalizers add levels, applied to the distinct raw values
        level_values = [aux_values]
        if isinstance(hierarchy, Generalizers):
            for level, function in enumerate(hierarchy.functions, start=1):
                labels = apply_generalizer(function, aux_values, name, level)
                lost = labels.isna().to_numpy()
                if lost.any():
                    per_code = code_counts(aux_enc.codes, np.int64(aux_card))
                    raise _uncovered_error(name, "auxiliary", int(lost.sum()), int(per_code[aux_present[lost]].sum()),
                                           f"its generalizer of level {level} returns a missing value for them")
                level_values.append(labels)
        level_ids = []
        kinds = []
        for labels in level_values:
            kind = value_kind(labels)
            kinds.append(kind)
            ids = match_values(targets, rel_kind, labels, kind)
            level_ids.append(np.full(len(labels), -1, dtype=np.int64) if ids is None else ids)
        if len(rel_values) and len(aux_values) and not any(comparable(rel_kind, k) for k in kinds):
            generalized = "" if len(kinds) == 1 else (
                ", generalized: " + ", ".join(describe_kind(k) for k in kinds[1:]))
            raise ValueError(
                f"column {name!r} cannot be compared: released values are {describe_kind(rel_kind)}, "
                f"auxiliary values are {describe_kind(kinds[0])}{generalized}; convert one side or give "
                "a hierarchy for it"
            )
        level_of, _ = _assign_levels(level_ids, len(targets), name)  # unknown values just match nothing
        aux_maps = np.full((len(level_ids), aux_card), -1, dtype=np.int64)
        for level, ids in enumerate(level_ids):
            aux_maps[level, aux_present] = ids

    return _finish_column(name, rel_enc, rel_present, rel_missing, canon, len(targets), level_of, aux_enc.codes,
                          aux_missing, aux_maps, n_aux_missing)


def _finish_column(name, rel_enc, rel_present, rel_missing, canon, n_targets, level_of, aux_codes, aux_missing,
                   aux_maps, n_aux_missing) -> _LinkColumn:
    rel_map = np.full(int(rel_enc.cardinality), -1, dtype=np.int64)
    rel_map[rel_present] = canon
    if level_of.shape[0] == 0:  # every released value missing: no level to look up
        level_of = np.zeros(1, dtype=np.int64)
    if rel_missing >= 0:
        rel_map[rel_missing] = -1
    # missing values, and labels that stand for one (see HierarchyTable), match anything
    absent = np.flatnonzero(rel_map < 0)
    if absent.shape[0] == 0:
        n_rel_missing = 0
    elif absent.shape[0] == 1:
        n_rel_missing = int(np.count_nonzero(rel_enc.codes == absent[0]))
    else:
        n_rel_missing = int(code_counts(rel_enc.codes, np.int64(rel_enc.cardinality))[absent].sum())
    return _LinkColumn(name, rel_enc.codes, rel_map, max(n_targets, 1), level_of, aux_codes, aux_missing,
                       aux_maps, n_rel_missing, n_aux_missing)


# ----------------------------------------------------------------------------- groups of rows


def _split_rows(group_ids: np.ndarray, n_groups: int) -> list[np.ndarray]:
    """Row numbers of each group (ascending within a group)."""
    small = np.int8 if n_groups <= 127 else (np.int16 if n_groups <= 32767 else np.int64)
    order = np.argsort(group_ids.astype(small, copy=False), kind="stable")  # radix sort for small ints
    sizes = np.bincount(group_ids, minlength=n_groups)
    return np.split(order.astype(np.int64, copy=False), np.cumsum(sizes)[:-1])


def _released_patterns(columns: list[_LinkColumn], n_rows: int) -> list[tuple[tuple[int, ...], np.ndarray | None]]:
    """Groups of released records with the same hierarchy level (or missing) in every column."""
    levels_of_codes = [c.released_levels_of_codes() for c in columns]
    constant = []
    for column, levels in zip(columns, levels_of_codes):
        used = np.unique(levels[column.rel_map >= 0]) if column.n_rel_missing == 0 else None
        constant.append(used is not None and used.shape[0] <= 1)
    if all(constant):
        pattern = tuple(int(levels[c.rel_map >= 0][0]) if (c.rel_map >= 0).any() else -1
                        for c, levels in zip(columns, levels_of_codes))
        return [(pattern, None)]
    varying = [j for j, is_constant in enumerate(constant) if not is_constant]
    per_row = [levels_of_codes[j][columns[j].rel_codes] + 1 for j in varying]
    ids, _ = group_codes(per_row, [int(levels_of_codes[j].max()) + 2 for j in varying])
    n_groups = int(ids.max()) + 1
    out = []
    for rows in _split_rows(ids, n_groups):
        first = rows[0]
        pattern = tuple(int(levels_of_codes[j][columns[j].rel_codes[first]]) for j in range(len(columns)))
        out.append((pattern, rows))
    return out


def _auxiliary_masks(columns: list[_LinkColumn], n_rows: int) -> list[tuple[frozenset, np.ndarray | None]]:
    """Groups of auxiliary records missing the same columns (missing values match anything)."""
    with_missing = [j for j, c in enumerate(columns) if c.n_aux_missing > 0]
    if not with_missing:
        return [(frozenset(), None)]
    bits = np.zeros(n_rows, dtype=np.int64)
    for position, j in enumerate(with_missing):
        bits |= (columns[j].aux_codes == columns[j].aux_missing_code).astype(np.int64) << position
    present_masks = np.flatnonzero(np.bincount(bits, minlength=1 << len(with_missing)))
    if present_masks.shape[0] == 1:
        mask = int(present_masks[0])
        return [(frozenset(j for p, j in enumerate(with_missing) if mask >> p & 1), None)]
    remap = np.full(1 << len(with_missing), -1, dtype=np.int64)
    remap[present_masks] = np.arange(present_masks.shape[0])
    out = []
    for mask, rows in zip(present_masks, _split_rows(remap[bits], present_masks.shape[0])):
        out.append((frozenset(j for p, j in enumerate(with_missing) if int(mask) >> p & 1), rows))
    return out


# ----------------------------------------------------------------------------- the join


def _densify(rel_keys: np.ndarray, aux_keys: np.ndarray) -> int:
    """Replace both sides' keys by dense ids of the keys of the side with fewer rows (the build
    side); probe keys absent from it become -1. Returns the number of ids."""
    if rel_keys.shape[0] <= aux_keys.shape[0]:
        table, mask, n_ids = build_table(rel_keys)
        probe_table.for_rows(aux_keys.shape[0])(table, mask, aux_keys)
    else:
        table, mask, n_ids = build_table(aux_keys)
        probe_table.for_rows(rel_keys.shape[0])(table, mask, rel_keys)
    return int(n_ids)


def _code_matrix(arrays: list[np.ndarray], cardinalities: list[int]) -> np.ndarray:
    """The columns' codes as one (column, row) array of the smallest common dtype, so that one
    pass folds them all (see ``fused_keys``)."""
    widest = max(cardinalities, default=1)
    dtype = np.int16 if widest <= np.iinfo(np.int16).max else (np.int32 if widest <= np.iinfo(np.int32).max
                                                                 else np.int64)
    n = arrays[0].shape[0] if arrays else 0
    out = np.empty((len(arrays), n), dtype=dtype)
    for row, codes in zip(out, arrays):
        row[...] = codes
    return out


def _run_maps(maps: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The per-column code -> value-id maps of a run, concatenated, and where each starts."""
    starts = np.zeros(len(maps), dtype=np.int64)
    if len(maps) > 1:
        starts[1:] = np.cumsum([m.shape[0] for m in maps[:-1]])
    return np.ascontiguousarray(np.concatenate(maps), dtype=np.int64), starts


def _count_group(matches, columns, rel_mat, aux_mat, pattern, rel_rows, aux_mask, aux_rows, n_rel, n_aux) -> None:
    used = [j for j, level in enumerate(pattern) if level >= 0 and j not in aux_mask]
    n_r = n_rel if rel_rows is None else rel_rows.shape[0]
    n_a = n_aux if aux_rows is None else aux_rows.shape[0]
    use_rel_rows = rel_rows is not None
    rel_rows_arg = rel_rows if use_rel_rows else _NO_ROWS
    if not used:  # nothing left to compare: every auxiliary record of the group matches
        add_constant.for_rows(n_r)(matches, rel_rows_arg, use_rel_rows, n_r, np.int64(n_a))
        return
    use_aux_rows = aux_rows is not None
    aux_rows_arg = aux_rows if use_aux_rows else _NO_ROWS
    # columns are folded a run at a time, as long as the radix product stays below 2**62;
    # between runs the partial keys are re-densified
    runs, run, product = [], [], 1
    for j in used:
        card = int(columns[j].n_values)
        if run and product * card > _MAX_RADIX:
            runs.append(run)
            run, product = [], 1
        run.append(j)
        product *= card
    runs.append(run)

    def run_args(run, side):
        cols = np.asarray(run, dtype=np.int64)
        if side == "rel":
            maps, starts = _run_maps([columns[j].rel_map for j in run])
        else:
            maps, starts = _run_maps([columns[j].aux_maps[pattern[j]] for j in run])
        radices = np.asarray([int(columns[j].n_values) for j in run], dtype=np.int64)
        return cols, maps, starts, radices

    if len(runs) == 1:
        radix = math.prod(int(columns[j].n_values) for j in runs[0])
        if radix <= max(1 << 20, n_r + n_a):  # small key space: count by direct address, no key array
            kernel = fused_count.for_rows(n_a)
            # private tallies per thread only while they stay small
            n_parts = nb.get_num_threads() if kernel is fused_count.parallel and radix <= (1 << 23) else 1
            if n_parts == 1:
                kernel = fused_count.serial
            counts = kernel(aux_mat, *run_args(runs[0], "aux"), aux_rows_arg, use_aux_rows, np.int64(n_a),
                            np.int64(radix), np.int64(n_parts))
            fused_add_counts.for_rows(n_r)(matches, rel_mat, *run_args(runs[0], "rel"), rel_rows_arg,
                                           use_rel_rows, np.int64(n_r), counts)
            return
    rel_keys = np.empty(n_r, dtype=np.int64)
    aux_keys = np.empty(n_a, dtype=np.int64)
    radix = 1
    for number, run in enumerate(runs):
        first = number == 0
        if not first:
            radix = _densify(rel_keys, aux_keys)
        fused_keys.for_rows(n_r)(rel_keys, rel_mat, *run_args(run, "rel"), rel_rows_arg, use_rel_rows, first)
        fused_keys.for_rows(n_a)(aux_keys, aux_mat, *run_args(run, "aux"), aux_rows_arg, use_aux_rows, first)
        radix *= math.prod(int(columns[j].n_values) for j in run)
    if radix <= max(1 << 20, n_r + n_a):  # small key space: count by direct address
        counts = count_ids(aux_keys, np.int64(radix))
        del aux_keys
        add_counts.for_rows(n_r)(matches, rel_rows_arg, use_rel_rows, rel_keys, counts)
        return
    # sparse key space: partitioned hash join, each partition built on its smaller side;
    # partitions of about 4,096 build keys keep every table in cache
    smaller = min(n_r, n_a)
    part_bits = 0 if smaller < _PARTITION_MIN_ROWS else min(12, max(1, int(math.ceil(math.log2(smaller / 4096)))))
    larger = max(n_r, n_a)
    if larger >= _FILTER_MIN_ROWS and larger >= 4 * smaller:
        # most keys of the much larger side have no partner: a Bloom filter of the smaller
        # side's keys drops them before the join's scatter passes
        log2_bits = min(27, max(16, int(math.ceil(math.log2(16 * smaller)))))
        small_keys, large_keys = (rel_keys, aux_keys) if n_r <= n_a else (aux_keys, rel_keys)
        filter_by_bitmap.for_rows(larger)(large_keys, build_bitmap(small_keys, log2_bits), log2_bits)
    found = np.empty(n_r, dtype=np.int64)
    partitioned_match_counts.for_rows(max(n_r, n_a))(rel_keys, aux_keys, part_bits, 16, found)
    del aux_keys
    if rel_rows is None:
        matches += found
    else:
        matches[rel_rows] += found


def _match_counts(columns: list[_LinkColumn], n_rel: int, n_aux: int, aux_mat: np.ndarray) -> np.ndarray:
    """Matches per released record; ``aux_mat`` holds the columns' auxiliary codes (the
    columns' ``aux_codes`` are its rows)."""
    matches = np.zeros(n_rel, dtype=np.int64)
    if n_aux == 0:
        return matches
    patterns = _released_patterns(columns, n_rel)
    masks = _auxiliary_masks(columns, n_aux)
    # one (column, row) code array for the released side too
    rel_mat = _code_matrix([c.rel_codes for c in columns], [c.rel_map.shape[0] for c in columns])
    for j, column in enumerate(columns):
        column.rel_codes = rel_mat[j]
    for pattern, rel_rows in patterns:
        for aux_mask, aux_rows in masks:
            _count_group(matches, columns, rel_mat, aux_mat, pattern, rel_rows, aux_mask, aux_rows, n_rel, n_aux)
    return matches


# ----------------------------------------------------------------------------- ground truth


def _consistent_pairs(columns: list[_LinkColumn], rel_rows: np.ndarray, aux_rows: np.ndarray) -> np.ndarray:
    ok = np.ones(rel_rows.shape[0], dtype=bool)
    for column in columns:
        value = column.rel_map[column.rel_codes[rel_rows]]
        level = np.where(value >= 0, column.level_of[np.maximum(value, 0)], 0)
        aux_code = column.aux_codes[aux_rows].astype(np.int64)
        label = column.aux_maps[level, aux_code]
        ok &= (value < 0) | (aux_code == column.aux_missing_code) | (label == value)
    return ok


def _true_match_found(columns, released_ids: pd.Series, auxiliary_ids: pd.Series, names) -> np.ndarray:
    """Whether each released record's own auxiliary record(s) (same id) are consistent with it."""
    n_rel = len(released_ids)
    rel_enc, rel_present, rel_values, _, _ = _encode_distinct(released_ids)
    aux_enc, aux_present, aux_values, _, _ = _encode_distinct(auxiliary_ids)
    rel_kind, aux_kind = value_kind(rel_values), value_kind(aux_values)
    if not comparable(rel_kind, aux_kind):
        raise ValueError(
            f"released_id {names[0]!r} and auxiliary_id {names[1]!r} cannot be compared: released ids are "
            f"{describe_kind(rel_kind)}, auxiliary ids are {describe_kind(aux_kind)}"
        )
    canon, targets = canonical_values(rel_values, rel_kind, rel_kind)
    rel_map = np.full(int(rel_enc.cardinality), -1, dtype=np.int64)
    rel_map[rel_present] = canon
    aux_map = np.full(int(aux_enc.cardinality), -1, dtype=np.int64)
    matched = match_values(targets, rel_kind, aux_values, aux_kind)
    aux_map[aux_present] = matched
    rel_person = rel_map[rel_enc.codes]
    aux_person = aux_map[aux_enc.codes]
    n_people = max(len(targets), 1)
    aux_with_id = np.flatnonzero(aux_person >= 0)
    per_person = np.bincount(aux_person[aux_with_id], minlength=n_people)
    rel_with_id = np.flatnonzero(rel_person >= 0)
    if per_person.max(initial=0) <= 1:  # ids unique in the auxiliary data: one candidate each
        aux_row_of = np.full(n_people, -1, dtype=np.int64)
        aux_row_of[aux_person[aux_with_id]] = aux_with_id
        candidate = aux_row_of[rel_person[rel_with_id]]
        keep = candidate >= 0
        pair_rel, pair_aux = rel_with_id[keep], candidate[keep]
    else:  # an id on several auxiliary records: any of them counts
        order = aux_with_id[np.argsort(aux_person[aux_with_id], kind="stable")]
        starts = np.concatenate([[0], np.cumsum(per_person)[:-1]])
        people = rel_person[rel_with_id]
        repeat = per_person[people]
        pair_rel = np.repeat(rel_with_id, repeat)
        within = np.arange(pair_rel.shape[0]) - np.repeat(np.cumsum(repeat) - repeat, repeat)
        pair_aux = order[np.repeat(starts[people], repeat) + within]
    found = np.zeros(n_rel, dtype=bool)
    ok = _consistent_pairs(columns, pair_rel, pair_aux)
    found[pair_rel[ok]] = True
    return found


# ----------------------------------------------------------------------------- entry point


def _check_inputs(released, auxiliary, on, hierarchies, released_id, auxiliary_id) -> tuple[list[str], dict]:
    if not isinstance(released, pd.DataFrame):
        raise ValueError("released must be a pandas DataFrame")
    if not isinstance(auxiliary, pd.DataFrame):
        raise ValueError("auxiliary must be a pandas DataFrame")
    if isinstance(on, str):
        on = [on]
    try:
        on = list(on)
    except TypeError:
        raise ValueError("on must be a column name or a list of column names") from None
    if not on:
        raise ValueError("on is empty: name at least one quasi-identifier column")
    if len(set(on)) != len(on):
        raise ValueError("on names a column more than once")
    for table_name, table in (("released", released), ("auxiliary", auxiliary)):
        absent = [c for c in on if c not in table.columns]
        if absent:
            raise ValueError(f"column(s) {absent} of `on` missing from the {table_name} table")
    if len(released) == 0:
        raise ValueError("the released table is empty: there is no record to attack")
    if (released_id is None) != (auxiliary_id is None):
        raise ValueError("give both released_id and auxiliary_id (ground truth), or neither")
    if released_id is not None:
        if released_id not in released.columns:
            raise ValueError(f"released_id column {released_id!r} missing from the released table")
        if auxiliary_id not in auxiliary.columns:
            raise ValueError(f"auxiliary_id column {auxiliary_id!r} missing from the auxiliary table")
    if hierarchies is None:
        hierarchies = {}
    if not isinstance(hierarchies, Mapping):
        raise ValueError("hierarchies must be a mapping from column name to hierarchy")
    unknown = [c for c in hierarchies if c not in on]
    if unknown:
        raise ValueError(f"hierarchies names column(s) {unknown} that are not in `on`")
    for table_name, table in (("released", released), ("auxiliary", auxiliary)):
        duplicated = [c for c in on if isinstance(table[c], pd.DataFrame)]
        if duplicated:
            raise ValueError(f"column(s) {duplicated} occur more than once in the {table_name} table")
    return on, dict(hierarchies)


def linkage_attack(
    released: pd.DataFrame,
    auxiliary: pd.DataFrame,
    on: str | Iterable[str],
    *,
    hierarchies: Mapping | None = None,
    released_id: str | None = None,
    auxiliary_id: str | None = None,
) -> LinkageReport:
    """Link a released table to an attacker's identified data and count who is re-identified.

    Parameters
    ----------
    released : DataFrame
        The de-identified table (generalized values allowed where ``hierarchies`` explains them).
    auxiliary : DataFrame
        The attacker's data (raw values); a missing value matches any released value.
    on : str or list of str
        Quasi-identifier columns present in both tables.
    hierarchies : mapping, optional
        Column -> hierarchy for generalization-aware matching: an ARX hierarchy CSV path or
        DataFrame (raw value, then its levels up to ``*``; compared as text), an object with
        ``to_frame()``, a dict raw -> generalized value, or a callable generalizer (or a list
        of them, one per level) that receives a Series of distinct raw values and returns the
        generalized values. An auxiliary value matches a released value that equals it or one
        of its generalizations.
    released_id, auxiliary_id : str, optional
        Columns identifying the person in each table (a simulation with ground truth); give
        both to get ``correct_links``, ``correct_link_rate`` and ``unique_link_precision``.

    Returns
    -------
    LinkageReport

    Raises
    ------
    ValueError
        A column of ``on`` missing from a table, values of the two tables that cannot be
        compared (text against numbers, ...), a hierarchy that does not cover some values
        (how many, never which), or a malformed argument.

    >>> import pandas as pd
    >>> released = pd.DataFrame({"zip": ["021**", "021**", "946**"], "age": [41, 67, 30]})
    >>> voters = pd.DataFrame({"zip": ["02139", "02141", "94610"], "age": [41, 67, None]})
    >>> zip3 = lambda zips: zips.str[:3] + "**"
    >>> report = linkage_attack(released, voters, ["zip", "age"], hierarchies={"zip": zip3})
    >>> report.match_counts.tolist()
    [1, 1, 1]
    """
    on, hierarchies = _check_inputs(released, auxiliary, on, hierarchies, released_id, auxiliary_id)
    n_rel, n_aux = len(released), len(auxiliary)
    # every auxiliary column is coded straight into a row of one (column, row) int32 array,
    # which the join reads in one pass
    aux_mat = np.empty((len(on), n_aux), dtype=np.int32 if n_aux < 2**31 - 2 else np.int64)
    columns = [_prepare_column(c, released[c], auxiliary[c], hierarchies.get(c), aux_mat[j])
               for j, c in enumerate(on)]
    matches = _match_counts(columns, n_rel, n_aux, aux_mat)
    truth = None
    if released_id is not None:
        truth = _true_match_found(columns, released[released_id], auxiliary[auxiliary_id],
                                  (released_id, auxiliary_id))
    notes = []
    aux_missing = sum(c.n_aux_missing for c in columns)
    if aux_missing:
        notes.append(f"{aux_missing} missing auxiliary value(s) in `on` matched any released value")
    rel_missing = sum(c.n_rel_missing for c in columns)
    if rel_missing:
        notes.append(f"{rel_missing} missing released value(s) in `on` matched any auxiliary value")
    if truth is not None:
        no_id = int(released[released_id].isna().sum())
        if no_id:
            notes.append(f"{no_id} released record(s) without an id count as not in the auxiliary data")
    return LinkageReport(tuple(on), n_rel, n_aux, matches, released.index, truth, tuple(notes))

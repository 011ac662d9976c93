""":func:`anonymize` and :class:`AnonymizationResult`."""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from deid.anonymize import _kernels as K
from deid.anonymize._hierarchy import Hierarchy, encode_with_hierarchy
from deid.anonymize._metrics import METRICS, Metric
from deid.anonymize._search import Criteria, LatticeSearch

if TYPE_CHECKING:  # pragma: no cover
    from deid.risk import RiskReport

L_VARIANTS = {"distinct": K.L_DISTINCT, "entropy": K.L_ENTROPY, "recursive": K.L_RECURSIVE}
T_DISTANCES = {"equal": K.T_EQUAL, "hierarchical": K.T_HIERARCHICAL, "ordered": K.T_ORDERED}
SUPPRESSED_RECORDS = ("mask", "remove")


@dataclass
class AnonymizationResult:
    """The optimal transformation found by :func:`anonymize`.

    Attributes
    ----------
    data : pandas.DataFrame
        The transformed table: quasi-identifiers replaced by their labels at the chosen levels
        (strings); suppressed records masked (every quasi-identifier ``*``, the default) or
        removed, by ``suppressed_records``. Other columns are unchanged; the index is kept.
    levels : dict of str to int
        Chosen hierarchy level per quasi-identifier (0 = unchanged).
    information_loss : float
        The metric's value at this node, as ARX reports it.
    suppressed : int
        Records suppressed (classes failing a criterion).
    risk : RiskReport or None
        :func:`deid.risk.assess_risk` of the released records (suppressed ones excluded, as
        they carry no quasi-identifier information); ``None`` when every record is suppressed.
    nodes_checked : int
        Transformations whose classes were computed during the search.
    satisfied : bool
        Whether the node meets every criterion within the suppression limit. When no node
        does, this is ``False``, a warning is issued, and the result describes the *closest*
        node (fewest records to suppress) with all its failing classes suppressed: the
        criteria hold on ``data`` but ``suppressed`` exceeds the limit.
    message : str
        A one-line summary (no data values).
    metric : str
    monotonic : bool
        Whether the monotonic variant of the metric was used.
    loss_by_column : dict of str to float, or None
        Per-quasi-identifier values of multi-dimensional metrics (entropy, loss, precision).
    lattice_size : int
        Number of transformations in the lattice.
    suppression_limit : int
        Records that may be suppressed: ``int(max_suppression * len(df))``, as ARX.
    transformation : tuple of int
        ``levels`` as a tuple in quasi-identifier order (ARX's transformation array).
    """

    data: pd.DataFrame
    levels: dict[str, int]
    information_loss: float
    suppressed: int
    risk: RiskReport | None
    nodes_checked: int
    satisfied: bool = True
    message: str = ""
    metric: str = "entropy"
    monotonic: bool = True
    loss_by_column: dict[str, float] | None = None
    lattice_size: int = 0
    suppression_limit: int = 0
    transformation: tuple[int, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        """Figures only (levels, loss, counts, the risk report's figures), never a cell value."""
        return {
            "levels": dict(self.levels),
            "transformation": list(self.transformation),
            "information_loss": self.information_loss,
            "loss_by_column": None if self.loss_by_column is None else dict(self.loss_by_column),
            "metric": self.metric,
            "monotonic": self.monotonic,
            "suppressed": self.suppressed,
            "suppression_limit": self.suppression_limit,
            "satisfied": self.satisfied,
            "nodes_checked": self.nodes_checked,
            "lattice_size": self.lattice_size,
            "message": self.message,
            "risk": None if self.risk is None else self.risk.to_dict(),
        }


@dataclass
class _Problem:
    """Everything the search needs, in integer form."""

    n_records: int
    dims: list[int]
    columns: list  # EncodedHierarchy per quasi-identifier
    jump: np.ndarray
    jump_off: np.ndarray
    cards: list[np.ndarray]
    row_codes: np.ndarray  # (n, q) int32, level-0 codes
    row_hist: tuple | None
    n_sensitive_values: int
    criteria: Criteria
    metric: Metric
    suppression_limit: int
    impossible: bool = False

    def __post_init__(self) -> None:
        widest = max(len(c) for c in self.cards)
        self.cards_pad = np.ones((len(self.cards), widest), dtype=np.int64)
        for j, c in enumerate(self.cards):
            self.cards_pad[j, : len(c)] = c
        self._qrange = np.arange(len(self.cards))

    def cards_at(self, levels: np.ndarray) -> np.ndarray:
        return K.gather_cards(self.cards_pad, levels)


def anonymize(
    df: pd.DataFrame,
    quasi_identifiers: Sequence[str],
    hierarchies: Mapping[str, object] | None = None,
    *,
    k: int | None = None,
    l: float | None = None,
    l_variant: str = "distinct",
    c: float | None = None,
    t: float | None = None,
    sensitive: str | None = None,
    max_risk: float | None = None,
    max_suppression: float = 0.0,
    metric: str = "entropy",
    monotonic: bool = True,
    suppressed_records: str = "mask",
    t_distance: str | None = None,
    entropy_estimator: str = "shannon",
) -> AnonymizationResult:
    """Find the transformation with the least information loss that meets every criterion.

    Full-domain generalization (one hierarchy level per quasi-identifier) plus suppression of
    the records in classes that still fail, at most ``max_suppression`` of them; the search
    over the lattice of levels is optimal (ARX's Flash strategy, see ``docs/anonymize.md``).

    Parameters
    ----------
    df : pandas.DataFrame
    quasi_identifiers : sequence of str
        Columns to generalize.
    hierarchies : mapping of column name to Hierarchy (or a path to an ARX CSV hierarchy)
        A quasi-identifier without one gets the two-level hierarchy value -> ``*``. A
        hierarchy for ``sensitive`` selects hierarchical-distance t-closeness.
    k : int, optional
        k-anonymity: every released class holds at least k records.
    l : float, optional
        l-diversity of ``sensitive``, variant ``l_variant`` (``distinct``, ``entropy`` with
        Shannon entropy, or ``recursive`` (c, l) with ``c``).
    t : float, optional
        t-closeness of ``sensitive`` (distance ``t_distance``: ``equal``, ``hierarchical`` or
        ``ordered``; default hierarchical when ``sensitive`` has a hierarchy, ordered for
        numbers and dates, equal otherwise).
    sensitive : str, optional
        The sensitive attribute for ``l`` and ``t``.
    max_risk : float, optional
        Highest prosecutor re-identification risk of a released record (1 / class size):
        the same as ``k = ceil(1 / max_risk)``.
    max_suppression : float
        Share of records that may be suppressed, in [0, 1].
    metric : str
        ``entropy`` (default), ``loss``, ``precision``, ``discernibility`` or ``aecs``.
    monotonic : bool
        Use the metric's monotonic variant (entropy, precision, discernibility; in the
        monotonic entropy suppressed records cost what their generalization costs).
    suppressed_records : str
        ``mask`` (quasi-identifiers of suppressed records become ``*``) or ``remove``.
    entropy_estimator : str
        Entropy l-diversity's estimator: ``shannon`` (the definition) or ``grassberger``
        (Grassberger's bias-corrected estimator, as ARX's ``EntropyEstimator.GRASSBERGER``).

    Returns
    -------
    AnonymizationResult

    Raises
    ------
    ValueError
        Bad input: unknown columns, an empty table, no criterion, contradictory criteria,
        k larger than the table, a hierarchy lacking values of the data, hierarchies with
        levels of unequal depth or inconsistent levels.

    >>> df = pd.DataFrame({"age": [31, 32, 33, 47, 48, 49],
    ...                    "zip": ["02139", "02138", "02139", "02141", "02142", "02141"]})
    >>> h = {"age": Hierarchy.intervals(df["age"], widths=(5, 10)), "zip": Hierarchy.redaction(df["zip"])}
    >>> r = anonymize(df, ["age", "zip"], h, k=3)
    >>> r.levels, r.suppressed, r.risk.k
    ({'age': 1, 'zip': 1}, 0, 3)
    """
    qis, sens, criteria_args = _validate(df, quasi_identifiers, sensitive, k, l, l_variant, c, t, max_risk,
                                          max_suppression, metric, suppressed_records, t_distance)
    if entropy_estimator not in ("shannon", "grassberger"):
        raise ValueError("entropy_estimator must be 'shannon' or 'grassberger'")
    if entropy_estimator != "shannon" and (l is None or l_variant != "entropy"):
        raise ValueError("entropy_estimator applies to entropy l-diversity only")
    criteria_args["estimator"] = 0 if entropy_estimator == "shannon" else 1
    if hierarchies is not None and not isinstance(hierarchies, Mapping):
        raise ValueError("hierarchies must be a mapping of column name to Hierarchy")
    hierarchies = dict(hierarchies or {})
    problem = _build_problem(df, qis, sens, hierarchies, criteria_args, metric, monotonic, max_suppression)
    search = LatticeSearch(problem)
    search.run()
    record = search.final_record()
    satisfied = record is not None
    if record is None:
        record = search.closest
    return _result(df, qis, sens, problem, search, record, satisfied, suppressed_records, metric, monotonic)


# ----------------------------------------------------------------------------- validation


def _validate(df, quasi_identifiers, sensitive, k, l, l_variant, c, t, max_risk, max_suppression, metric,
              suppressed_records, t_distance):
    if not isinstance(df, pd.DataFrame):
        raise ValueError("df must be a pandas DataFrame")
    if isinstance(quasi_identifiers, str):
        quasi_identifiers = [quasi_identifiers]
    qis = list(quasi_identifiers) if quasi_identifiers is not None else []
    if not qis:
        raise ValueError("quasi_identifiers is empty: name at least one column")
    if len(set(qis)) != len(qis):
        raise ValueError("quasi_identifiers names a column more than once")
    unknown = [q for q in qis if q not in df.columns]
    if unknown:
        raise ValueError(f"unknown quasi-identifier column(s) {unknown}: not in the DataFrame")
    if sensitive is not None:
        if not isinstance(sensitive, str):
            raise ValueError("sensitive must be one column name")
        if sensitive not in df.columns:
            raise ValueError(f"unknown sensitive column {sensitive!r}: not in the DataFrame")
        if sensitive in qis:
            raise ValueError(f"column {sensitive!r} cannot be both quasi-identifier and sensitive")
    n = len(df)
    if n == 0:
        raise ValueError("the DataFrame is empty: there is nothing to anonymize")
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {list(METRICS)}; got {metric!r}")
    if suppressed_records not in SUPPRESSED_RECORDS:
        raise ValueError(f"suppressed_records must be one of {list(SUPPRESSED_RECORDS)}")
    if isinstance(max_suppression, bool) or not isinstance(max_suppression, (int, float, np.integer, np.floating)) \
            or not (0.0 <= float(max_suppression) <= 1.0):
        raise ValueError("max_suppression must be a share of records in [0, 1]")

    if k is not None:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError("k must be a positive integer")
        k = int(k)
    if max_risk is not None:
        if isinstance(max_risk, bool) or not isinstance(max_risk, (int, float, np.integer, np.floating)) \
                or not (0.0 < float(max_risk) <= 1.0):
            raise ValueError("max_risk must be a probability in (0, 1]")
        k_risk = _k_for_risk(float(max_risk))
        if k is not None and k != k_risk:
            raise ValueError(
                f"k={k} and max_risk={max_risk} contradict each other (max_risk means k={k_risk}); give one of them"
            )
        k = k_risk
    if l is None and (c is not None or l_variant != "distinct"):
        raise ValueError("l_variant and c describe l-diversity: give l too")
    if l is not None:
        if l_variant not in L_VARIANTS:
            raise ValueError(f"l_variant must be one of {list(L_VARIANTS)}; got {l_variant!r}")
        if isinstance(l, bool) or not isinstance(l, (int, float, np.integer, np.floating)) or not math.isfinite(l) \
                or l < 1:
            raise ValueError("l must be a number >= 1")
        if l_variant in ("distinct", "recursive") and float(l) != int(l):
            raise ValueError(f"{l_variant} l-diversity needs a whole number l")
        if l_variant == "recursive":
            if c is None:
                raise ValueError("recursive (c, l)-diversity needs c")
            if isinstance(c, bool) or not isinstance(c, (int, float, np.integer, np.floating)) or not math.isfinite(c) \
                    or c <= 0:
                raise ValueError("c must be a positive number")
        elif c is not None:
            raise ValueError(f"c only applies to recursive (c, l)-diversity, not to {l_variant} l-diversity")
        if sensitive is None:
            raise ValueError("l-diversity needs a sensitive column: give sensitive=")
    if t is not None:
        if isinstance(t, bool) or not isinstance(t, (int, float, np.integer, np.floating)) \
                or not (0.0 <= float(t) <= 1.0):
            raise ValueError("t must lie in [0, 1]")
        if sensitive is None:
            raise ValueError("t-closeness needs a sensitive column: give sensitive=")
        if t_distance is not None and t_distance not in T_DISTANCES:
            raise ValueError(f"t_distance must be one of {list(T_DISTANCES)}")
    elif t_distance is not None:
        raise ValueError("t_distance describes t-closeness: give t too")
    if k is None and l is None and t is None:
        raise ValueError("no privacy criterion: give k, l, t or max_risk")
    if sensitive is not None and l is None and t is None:
        raise ValueError("sensitive is only used by l-diversity and t-closeness: give l or t")
    if k is not None and k > n:
        raise ValueError(f"k={k} is larger than the table ({n} records): no class can be that large")
    return qis, sensitive, {"k": k, "l": l, "l_variant": l_variant, "c": c, "t": t, "t_distance": t_distance}


def _k_for_risk(max_risk: float) -> int:
    k = max(1, math.ceil(1.0 / max_risk))
    while k > 1 and 1.0 / (k - 1) <= max_risk:
        k -= 1
    while 1.0 / k > max_risk:
        k += 1
    return k


# ----------------------------------------------------------------------------- problem


def _as_hierarchy(value, column: str) -> Hierarchy:
    if isinstance(value, Hierarchy):
        return value
    if isinstance(value, (str, os.PathLike)):
        return Hierarchy.from_csv(value)
    if isinstance(value, (pd.DataFrame, list, tuple)):
        return Hierarchy(value, name=column)
    raise ValueError(f"hierarchy for column {column!r} must be a Hierarchy, a CSV path, a DataFrame or a list of rows")


def _build_problem(df, qis, sens, hierarchies, args, metric, monotonic, max_suppression) -> _Problem:
    unknown = [name for name in hierarchies if name not in df.columns]
    if unknown:
        raise ValueError(f"hierarchies given for unknown column(s) {unknown}: not in the DataFrame")
    n = len(df)
    columns = []
    for q in qis:
        h = hierarchies.get(q)
        h = Hierarchy.flat(df[q]) if h is None else _as_hierarchy(h, q)
        columns.append(encode_with_hierarchy(df[q], h, q))
    dims = [col.height + 1 for col in columns]
    jump, jump_off, cards = _jump_tables(columns)
    row_codes = np.empty((n, len(qis)), dtype=np.int32)
    for j, col in enumerate(columns):
        row_codes[:, j] = col.level_codes[col.row_codes, 0]
    limit = int(n * float(max_suppression))  # ARX: (int) (rows * relative limit)
    criteria, row_hist, n_values, impossible = _criteria(df, sens, hierarchies, args, limit)
    metric_obj = Metric(metric, monotonic, columns, n)
    return _Problem(n, dims, columns, jump, jump_off, cards, row_codes, row_hist, n_values, criteria, metric_obj,
                    limit, impossible)


def _jump_tables(columns):
    """``jump[b, off[c, a] + code]``: the level-``b`` code of column ``c``'s level-``a`` code."""
    widest = max(col.height + 1 for col in columns)
    sizes = [int(sum(col.cardinalities)) for col in columns]
    jump = np.zeros((widest, sum(sizes)), dtype=np.int32)
    jump_off = np.zeros((len(columns), widest), dtype=np.int64)
    cards = []
    base = 0
    for c, col in enumerate(columns):
        cards.append(np.asarray(col.cardinalities, dtype=np.int64))
        for a in range(col.height + 1):
            jump_off[c, a] = base
            codes_a = col.level_codes[:, a]
            for b in range(widest):
                jump[b, base + codes_a] = col.level_codes[:, min(b, col.height)] if b >= a else codes_a
            base += int(col.cardinalities[a])
    return jump, jump_off, cards


def _criteria(df, sens, hierarchies, args, limit):
    from deid.risk._encode import encode_column

    k = args["k"] or 1
    cr = Criteria(kmin=k)
    if sens is None:
        return cr, None, 1, False
    n = len(df)
    t_kind = K.T_NONE
    if args["t"] is not None:
        distance = args["t_distance"]
        if distance is None:
            if sens in hierarchies:
                distance = "hierarchical"
            else:
                distance = "ordered" if encode_column(df[sens].head(1), want_order=True).ordered else "equal"
        t_kind = T_DISTANCES[distance]
    if t_kind == K.T_HIERARCHICAL:
        if sens not in hierarchies:
            raise ValueError(f"hierarchical t-closeness needs a hierarchy for the sensitive column {sens!r}")
        enc_h = encode_with_hierarchy(df[sens], _as_hierarchy(hierarchies[sens], sens), sens)
        codes = enc_h.level_codes[enc_h.row_codes, 0].astype(np.int32)
        n_values = int(enc_h.cardinalities[0])
        parent_blocks, offsets = [], []
        pos = 0
        for level in range(enc_h.height):
            parent = np.zeros(int(enc_h.cardinalities[level]), dtype=np.int64)
            parent[enc_h.level_codes[:, level]] = enc_h.level_codes[:, level + 1]
            offsets.append(pos)
            parent_blocks.append(parent)
            pos += parent.shape[0]
        cr.parent = np.concatenate(parent_blocks) if parent_blocks else np.zeros(1, dtype=np.int64)
        cr.parent_off = np.asarray(offsets or [0], dtype=np.int64)
        cr.level_card = np.asarray(enc_h.cardinalities, dtype=np.int64)
        cr.s_height = max(enc_h.height, 1)
        if enc_h.height == 0:
            raise ValueError(f"the hierarchy of the sensitive column {sens!r} has no level above the raw values")
    else:
        enc = encode_column(df[sens], want_order=True)
        codes = np.asarray(enc.codes).astype(np.int32)
        n_values = int(enc.cardinality)
        if t_kind == K.T_ORDERED:
            if not enc.ordered or enc.order is None:
                raise ValueError(f"ordered t-closeness needs an orderable sensitive column; {sens!r} is not")
            counts = np.bincount(codes, minlength=n_values)
            present = np.flatnonzero(counts > 0)
            ranked = present[np.argsort(np.asarray(enc.order)[present], kind="stable")]
            position = np.full(n_values, -1, dtype=np.int64)
            position[ranked] = np.arange(len(ranked), dtype=np.int64)
            cr.position = position
            cr.global_by_position = counts[ranked].astype(np.float64) / n
    global_counts = np.bincount(codes, minlength=n_values).astype(np.int64)
    cr.global_counts = global_counts
    cr.global_share = global_counts.astype(np.float64) / n
    if t_kind != K.T_NONE:
        cr.t_kind = t_kind
        cr.t = float(args["t"])
    impossible = False
    if args["l"] is not None:
        l = float(args["l"])
        cr.l_kind = L_VARIANTS[args["l_variant"]]
        cr.l = l
        cr.min_distinct = int(math.ceil(l))
        cr.c = float(args["c"]) if args["c"] is not None else 0.0
        cr.estimator = int(args.get("estimator", 0))
        cr.kmin = max(k, cr.min_distinct)
        distinct_values = int((global_counts > 0).sum())
        impossible = distinct_values < cr.min_distinct and limit < n
    row_hist = (np.arange(n + 1, dtype=np.int64), codes, np.ones(n, dtype=np.int64))
    return cr, row_hist, n_values, impossible


# ----------------------------------------------------------------------------- result


def _string_column(labels: list[str], codes: np.ndarray, index) -> pd.Series:
    """labels[codes] as a string column, decoded by Arrow (7x faster than from Python objects)."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        values = pc.take(pa.array(labels, type=pa.large_string()), pa.array(codes))
        return pd.Series(values, index=index, dtype=pd.StringDtype("pyarrow", na_value=np.nan))
    except (ImportError, TypeError, ValueError):  # older pandas without the NaN-flavoured Arrow strings
        return pd.Series(np.asarray(labels, dtype=object)[codes], index=index, dtype="string")


def _result(df, qis, sens, problem, search, record, satisfied, suppressed_records, metric, monotonic):
    levels = search.node_levels(record.index)
    table, class_of_bottom = search._rollup(search.bottom, search.node_levels(0), levels)
    class_of_row = class_of_bottom[search.bottom_of_row]
    status, _, failing = search.status(table)
    suppressed_row = status[class_of_row] != 0

    out = df.copy(deep=False)
    for j, q in enumerate(qis):
        col = problem.columns[j]
        labels = [str(x) for x in col.level_labels[int(levels[j])]]
        missing_row = col.hierarchy._index.get(None) if int(levels[j]) == 0 else None
        if missing_row is not None:  # a missing raw value stays missing (not the text "<NA>")
            labels[int(col.level_codes[missing_row, 0])] = None
        codes_here = table.codes[class_of_row, j].astype(np.int64)
        if suppressed_records == "mask" and suppressed_row.any():
            labels.append("*")
            codes_here[suppressed_row] = len(labels) - 1
        out[q] = _string_column(labels, codes_here, df.index)
    kept = ~suppressed_row
    if suppressed_records == "remove":
        out = out.loc[kept]

    risk = None
    if kept.any():
        from deid.risk import assess_risk

        released = out if suppressed_records == "remove" else out.loc[kept]
        risk = assess_risk(released, qis, sensitive=[sens] if sens is not None else None)

    per = record.per_column
    loss_by_column = None if per is None else {q: float(v) for q, v in zip(qis, per)}
    level_map = {q: int(v) for q, v in zip(qis, levels)}
    n_suppressed = int(suppressed_row.sum())
    if satisfied:
        message = (f"optimal transformation {tuple(level_map.values())}: {metric} loss {record.loss:.10g}, "
                   f"{n_suppressed} of {problem.n_records} records suppressed (limit {problem.suppression_limit}), "
                   f"{search.nodes_checked} of {search.n_nodes} transformations checked")
    else:
        message = (f"no transformation meets the criteria with at most {problem.suppression_limit} suppressed "
                   f"records; the closest, {tuple(level_map.values())}, needs {n_suppressed} suppressed")
        warnings.warn(message, UserWarning, stacklevel=3)
    return AnonymizationResult(
        data=out,
        levels=level_map,
        information_loss=float(record.loss),
        suppressed=n_suppressed,
        risk=risk,
        nodes_checked=int(search.nodes_checked),
        satisfied=satisfied,
        message=message,
        metric=metric,
        monotonic=bool(problem.metric.variant_monotonic),
        loss_by_column=loss_by_column,
        lattice_size=int(search.n_nodes),
        suppression_limit=int(problem.suppression_limit),
        transformation=tuple(level_map.values()),
    )

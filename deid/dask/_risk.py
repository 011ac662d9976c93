"""Re-identification risk of a Dask DataFrame: class counts from Dask groupby reductions,
metrics from :meth:`deid.risk.RiskReport.from_classes` (the pandas path's own code).

Only counts leave the workers:

* without sensitive attributes or a population table, the class size *histogram* (how many
  classes have each size): every figure of the report depends on the class sizes only
  through it, so the client never holds one entry per class of the data;
* with sensitive attributes, one row per (class, sensitive value) pair with its count;
  with a population table, one row per class with its quasi-identifier values.

Exactly equal to the pandas path: the metrics that sum floating-point numbers per class
(entropy l, equal-distance t-closeness, journalist and marketer risk with a population
table) depend on the order of the classes and of the values within a class, which
:func:`deid.assess_risk` numbers in order of first appearance in the rows. Each pair (and
class) here carries the position of its first row (partition number, row in partition),
the smallest one wins in the reduction, and classes and values are laid out in that order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from deid.risk import EquivalenceClasses, RiskReport, SensitiveHistogram
from deid.risk._encode import encode_column
from deid.risk._report import DEFAULT_THRESHOLDS, _check_positive, _check_thresholds, _population_size

# (partition number << _ROW_BITS) | row within the partition: ordered like the concatenated rows
_ROW_BITS = 40
_POSITION = "__deid_first_row__"


def _is_dask_frame(obj) -> bool:
    import dask.dataframe as dd

    return isinstance(obj, dd.DataFrame)


def _auto_split_out(ddf) -> int:
    # one output partition per 4 input partitions: when nearly every record is its own
    # class, the reduction's output is as large as its input and must be spread over the
    # workers instead of piling up in one task (measured: 10M rows in 10 partitions on 2
    # workers, split_out 1 -> 2 took 100 s -> 31 s); few classes lose little to it
    return max(1, (ddf.npartitions + 3) // 4)


def _add_positions(part: pd.DataFrame, name: str, partition_info=None) -> pd.DataFrame:
    number = 0 if partition_info is None else int(partition_info["number"])
    base = np.int64(number) << np.int64(_ROW_BITS)
    return part.assign(**{name: base + np.arange(len(part), dtype=np.int64)})


def _with_positions(ddf, columns: list[str]):
    """``ddf[columns]`` plus the position of every row (int64, increasing in row order)."""
    selected = ddf[columns]
    meta = selected._meta.assign(**{_POSITION: np.zeros(0, dtype=np.int64)})
    return selected.map_partitions(_add_positions, _POSITION, meta=meta)


def _restore_dtypes(frame: pd.DataFrame, meta: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Group keys come back as index levels, whose dtype pandas may infer anew (object ints
    become int64, ...): give them the input's dtype so they are encoded as the pandas path
    encodes the column."""
    for c in columns:
        want = meta[c].dtype
        if frame[c].dtype != want and not isinstance(want, pd.CategoricalDtype):
            frame[c] = frame[c].astype(want)
    return frame


def _check_arguments(ddf, quasi_identifiers, sensitive) -> tuple[list[str], list[str]]:
    if not _is_dask_frame(ddf):
        raise ValueError("ddf must be a dask DataFrame (for a pandas DataFrame use deid.assess_risk)")
    if isinstance(quasi_identifiers, str):
        quasi_identifiers = [quasi_identifiers]
    qis = list(quasi_identifiers) if quasi_identifiers is not None else []
    if not qis:
        raise ValueError("quasi_identifiers is empty: name at least one column")
    if isinstance(sensitive, str):
        sensitive = [sensitive]
    sens = list(sensitive) if sensitive is not None else []
    for names, role in ((qis, "quasi-identifier"), (sens, "sensitive")):
        unknown = [c for c in names if c not in ddf.columns]
        if unknown:
            raise ValueError(f"unknown {role} column(s) {unknown}: not in the DataFrame")
    if len(set(qis)) != len(qis):
        raise ValueError("quasi_identifiers names a column more than once")
    both = [c for c in sens if c in qis]
    if both:
        raise ValueError(f"column(s) {both} cannot be both quasi-identifier and sensitive")
    if len(set(sens)) != len(sens):
        raise ValueError("sensitive names a column more than once")
    return qis, sens


def _population_counts(population_table, qis: list[str], reduce: dict):
    """A Dask population table as counts per quasi-identifier combination (pandas Series)."""
    missing = [c for c in qis if c not in population_table.columns]
    if missing:
        raise ValueError(f"population_table lacks the quasi-identifier column(s) {missing}")
    return population_table.groupby(qis, dropna=False, observed=True, sort=False).size(**reduce)


def _size_histogram(sizes: pd.Series) -> pd.Series:
    counts = sizes.value_counts()
    return pd.Series(counts.to_numpy(dtype=np.int64), index=counts.index.to_numpy(dtype=np.int64), name="classes")


def _histogram_graph(ddf, qis: list[str], reduce: dict):
    """Class size -> number of classes, one small histogram per output partition of the
    groupby (every class lies in exactly one of them); summed on the client."""
    sizes = ddf.groupby(qis, dropna=False, observed=True, sort=False).size(**reduce)
    meta = pd.Series([], dtype=np.int64, index=pd.Index([], dtype=np.int64), name="classes")
    return sizes.map_partitions(_size_histogram, meta=meta)


def _pairs_graph(positioned, keys: list[str], reduce: dict):
    grouped = positioned.groupby(keys, dropna=False, observed=True, sort=False)[_POSITION]
    return grouped.agg(["min", "size"], **reduce)


def _ordered_classes(frame: pd.DataFrame, qis: list[str]) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Rows of ``frame`` (a pairs or classes table: keys, ``min``, ``size``) sorted by
    (first row of their class, their own first row).

    Returns the sorted table, each sorted row's class number (0.. in order of first
    appearance) and the CSR offsets of the classes.
    """
    local = frame.groupby(qis, dropna=False, observed=True, sort=False).ngroup().to_numpy()
    first_of_local = np.full(local.max() + 1, np.iinfo(np.int64).max, dtype=np.int64)
    firsts = frame["min"].to_numpy(dtype=np.int64)
    np.minimum.at(first_of_local, local, firsts)
    class_first = first_of_local[local]
    order = np.lexsort((firsts, class_first))
    sorted_frame = frame.iloc[order].reset_index(drop=True)
    sorted_first = class_first[order]
    starts = np.flatnonzero(np.r_[True, sorted_first[1:] != sorted_first[:-1]])
    offsets = np.r_[starts, len(sorted_frame)].astype(np.int64)
    class_of_row = np.repeat(np.arange(len(starts), dtype=np.int64), np.diff(offsets))
    return sorted_frame, class_of_row, offsets


def _sensitive_histogram(pairs: pd.DataFrame, column: str, offsets: np.ndarray) -> SensitiveHistogram:
    enc = encode_column(pairs[column], want_order=True)
    counts = pairs["size"].to_numpy(dtype=np.int64)
    codes = enc.codes.astype(np.int64, copy=False)
    global_counts = np.bincount(codes, weights=counts, minlength=enc.cardinality).astype(np.int64)
    return SensitiveHistogram(offsets, codes, counts, global_counts, enc.order if enc.ordered else None)


def class_counts(
    ddf,
    quasi_identifiers: Sequence[str],
    *,
    sensitive: str | Sequence[str] | None = None,
    population_table=None,
    split_out: int | None = None,
    shuffle_method: str | None = None,
) -> EquivalenceClasses:
    """The equivalence classes of a Dask DataFrame, as counts (:class:`deid.risk.EquivalenceClasses`).

    Computed with Dask groupby reductions (``split_out`` output partitions; default one per
    4 input partitions; ``shuffle_method`` as in :func:`assess_risk`) and laid out as :func:`deid.assess_risk` lays them out, so
    ``RiskReport.from_classes`` gives the pandas path's figures. ``class_ids`` is ``None``
    (the rows stay on the workers). Without sensitive attributes and population table the
    class sizes are rebuilt from the size histogram (sorted, not in order of appearance:
    no figure depends on their order then).

    >>> import dask.dataframe as dd, pandas as pd
    >>> ddf = dd.from_pandas(pd.DataFrame({"a": [1, 1, 2, 3]}), npartitions=2)
    >>> class_counts(ddf, ["a"]).class_sizes.tolist()
    [1, 1, 2]
    """
    qis, sens = _check_arguments(ddf, quasi_identifiers, sensitive)
    classes, _ = _class_counts(ddf, qis, sens, population_table=population_table, split_out=split_out,
                               shuffle_method=shuffle_method)
    return classes


def _class_counts(ddf, qis: list[str], sens: list[str], *, population_table, split_out, shuffle_method=None):
    """:func:`class_counts` and the population table's total (records), or None."""
    import dask

    split_out = _auto_split_out(ddf) if split_out is None else int(split_out)
    if split_out < 1:
        raise ValueError("split_out must be a positive number of partitions")
    reduce = {"split_out": split_out}
    if shuffle_method is not None:
        reduce["shuffle_method"] = shuffle_method
    population_series = None
    population_graph = None
    if population_table is not None:
        if _is_dask_frame(population_table):
            population_graph = _population_counts(population_table, qis, reduce)
        elif isinstance(population_table, (pd.DataFrame, pd.Series)):
            population_series = population_table
        else:
            raise ValueError(
                "population_table must be a DataFrame (pandas or Dask) of population records or a Series of counts"
            )

    if not sens and population_table is None:
        (histograms,) = dask.compute(_histogram_graph(ddf, qis, reduce))
        if len(histograms) == 0:
            raise ValueError("the DataFrame is empty: there is no record to assess")
        hist = histograms.groupby(level=0).sum().sort_index()
        sizes = np.repeat(hist.index.to_numpy(dtype=np.int64), hist.to_numpy(dtype=np.int64))
        return EquivalenceClasses(sizes, quasi_identifiers=tuple(qis)), None

    positioned = _with_positions(ddf, qis + sens)
    graphs = [_pairs_graph(positioned, qis + [s], reduce) for s in sens]
    if not sens:
        graphs.append(_pairs_graph(positioned, qis, reduce))
    if population_graph is not None:
        graphs.append(population_graph)
    computed = list(dask.compute(*graphs))
    if population_graph is not None:
        population_series = computed.pop()
    meta = ddf._meta

    histograms = {}
    classes_table = None
    class_sizes = None
    for name, table in zip(sens or [None], computed):
        keys = qis + ([name] if name is not None else [])
        table = _restore_dtypes(table.reset_index(), meta, keys)
        if len(table) == 0:
            raise ValueError("the DataFrame is empty: there is no record to assess")
        ordered, class_of_row, offsets = _ordered_classes(table, qis)
        if class_sizes is None:
            class_sizes = np.bincount(class_of_row, weights=ordered["size"].to_numpy(dtype=np.int64))
            class_sizes = class_sizes.astype(np.int64)
            if population_series is not None:
                classes_table = ordered.iloc[offsets[:-1]][qis].reset_index(drop=True)
        if name is not None:
            histograms[name] = _sensitive_histogram(ordered, name, offsets)

    population_sizes = None
    if population_series is not None:
        # the pandas path's own join: one row per class stands for the class's records
        one_per_class = EquivalenceClasses.from_frame(classes_table, qis, population_table=population_series)
        population_sizes = one_per_class.population_sizes[one_per_class.class_ids]
    classes = EquivalenceClasses(class_sizes, None, population_sizes, histograms, tuple(qis))
    if population_series is None:
        return classes, None
    if isinstance(population_table, pd.DataFrame):
        return classes, len(population_table)
    return classes, int(population_series.sum())


def assess_risk(
    ddf,
    quasi_identifiers: Sequence[str],
    *,
    sensitive: str | Sequence[str] | None = None,
    population_size: float | None = None,
    sampling_fraction: float | None = None,
    population_table=None,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    recursive_c: float = 2.0,
    split_out: int | None = None,
    shuffle_method: str | None = None,
) -> RiskReport:
    """:func:`deid.assess_risk` for a Dask DataFrame: the same report, from merged class counts.

    Parameters are those of :func:`deid.assess_risk`, plus:

    ddf : dask.dataframe.DataFrame
        The table (any partitioning).
    population_table : DataFrame, Series or dask DataFrame, optional
        As in the pandas function; a Dask DataFrame of population records is reduced to
        counts per quasi-identifier combination on the cluster.
    split_out : int, optional
        Output partitions of the groupby reductions (default: one per 4 input partitions);
        raise it when there are very many classes.
    shuffle_method : str, optional
        How a reduction with ``split_out > 1`` moves classes between workers: Dask's
        default (``"p2p"`` on a distributed cluster), or ``"tasks"``, which was twice as
        fast on 10M rows but slower on 50M (docs/dask.md).

    Returns
    -------
    RiskReport
        Equal to ``deid.assess_risk(ddf.compute(), ...)`` in every figure; ``record_risk``
        is ``None`` and ``quasi_identifier_analysis`` is not available (both need the rows
        in one process).

    >>> import dask.dataframe as dd, pandas as pd
    >>> df = pd.DataFrame({"age": [30, 30, 41, 41, 41], "sex": list("FFMMM"), "dx": list("abacc")})
    >>> r = assess_risk(dd.from_pandas(df, npartitions=2), ["age", "sex"], sensitive="dx", sampling_fraction=0.1)
    >>> r.k, r.n_classes, r.sensitive["dx"].distinct_l
    (2, 2, 2)
    """
    qis, sens = _check_arguments(ddf, quasi_identifiers, sensitive)
    # the pandas path's argument checks, before the expensive part
    _check_thresholds(thresholds)
    _check_positive("recursive_c", recursive_c)
    _population_size(0, population_size, sampling_fraction, None)
    classes, population_total = _class_counts(
        ddf, qis, sens, population_table=population_table, split_out=split_out, shuffle_method=shuffle_method
    )
    if population_size is None and sampling_fraction is None and classes.population_sizes is not None:
        population_size = float(population_total)
    return RiskReport.from_classes(
        classes,
        population_size=population_size,
        sampling_fraction=sampling_fraction,
        thresholds=thresholds,
        recursive_c=recursive_c,
    )

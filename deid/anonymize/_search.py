"""The optimal search over the generalization lattice (Flash-style, with predictive tagging).

Nodes are transformations: one level per quasi-identifier. A node is *anonymous* when the
records in classes that fail the criteria (too small, not diverse, not close) number at
most the suppression limit. The search returns the anonymous node with the least
information loss (ties: fewer generalization steps, then the lower node index), and proves
it optimal by three sound prunings:

1. **Predictive tagging.** A monotone predicate (every criterion, when it is monotone under
   the suppression limit; otherwise its class-size part ``size >= max(k, ceil(l))``, which
   always is) that holds at a node holds at every node above it, and one that fails fails
   at every node below. Nodes are checked along upward paths by binary search, as in
   ARX's Flash, and each check tags a whole up-set or down-set.
2. **Monotone metrics.** When the metric cannot decrease with generalization, nothing above
   an anonymous node can be better.
3. **Lower bounds.** Nodes are visited in increasing order of a lower bound of their loss
   (entropy, loss, precision: known per node before any class is computed); the search
   stops when the bound passes the best loss found. For discernibility and AECS the bound of
   a checked node (DM*, n / classes) also bounds everything above it.

Class counts are rolled up: a node's classes are computed from the smallest class table
already known below it (:func:`deid.anonymize._kernels.rollup`), never from the raw rows
again.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from deid.anonymize import _kernels as K

_MAX_NODES = 1 << 24  # about 16.8 million transformations
_MAX_CACHE_ENTRIES = 512
_CACHE_BYTES = 256 << 20
_INT62 = 1 << 62


@dataclass
class ClassTable:
    codes: np.ndarray  # (classes, q) int32: generalized code per column
    counts: np.ndarray  # (classes,) int64
    hist: tuple | None = None  # (offsets, values, counts) of the sensitive attribute

    @property
    def n_classes(self) -> int:
        return int(self.counts.shape[0])

    @property
    def nbytes(self) -> int:
        size = self.codes.nbytes + self.counts.nbytes
        if self.hist is not None:
            size += sum(a.nbytes for a in self.hist)
        return size


@dataclass
class Criteria:
    """Class-level privacy criteria in kernel form (see :func:`deid.anonymize._kernels.class_status`)."""

    kmin: int = 1
    l_kind: int = K.L_NONE
    l: float = 0.0
    min_distinct: int = 0
    c: float = 0.0
    estimator: int = 0  # entropy l-diversity: 0 Shannon, 1 Grassberger
    g_table: np.ndarray = field(default_factory=K.grassberger_table)
    t_kind: int = K.T_NONE
    t: float = 0.0
    global_share: np.ndarray = field(default_factory=lambda: np.zeros(1))
    global_counts: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    parent: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    parent_off: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    level_card: np.ndarray = field(default_factory=lambda: np.ones(1, dtype=np.int64))
    s_height: int = 1
    position: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    global_by_position: np.ndarray = field(default_factory=lambda: np.zeros(1))

    @property
    def needs_histograms(self) -> bool:
        return self.l_kind != K.L_NONE or self.t_kind != K.T_NONE

    def monotone_under(self, suppression_limit: int) -> bool:
        """Whether the full criteria are monotone (ARX: all are without suppression; with it,
        only k-anonymity and distinct l-diversity)."""
        if suppression_limit == 0:
            return True
        return self.l_kind in (K.L_NONE, K.L_DISTINCT) and self.t_kind == K.T_NONE


@dataclass
class NodeRecord:
    """What a check found out about one node."""

    index: int
    n_classes: int
    below_kmin: int
    failing: int
    anonymous: bool
    loss: float
    per_column: np.ndarray | None
    upward_bound: float | None


class LatticeSearch:
    """Search state for one problem: lattice geometry, class-table cache, tags and records."""

    def __init__(self, problem):
        self.p = problem
        dims = np.asarray(problem.dims, dtype=np.int64)
        self.dims = dims
        self.q = len(dims)
        strides = np.ones(self.q, dtype=np.int64)
        for c in range(self.q - 2, -1, -1):
            strides[c] = strides[c + 1] * dims[c + 1]
        self.strides = strides
        self.n_nodes = int(np.prod(dims))
        if self.n_nodes > _MAX_NODES:
            raise ValueError(
                f"the lattice has {self.n_nodes:,} transformations (more than {_MAX_NODES:,}): use fewer "
                "quasi-identifiers or hierarchies with fewer levels"
            )
        # int16 keeps a lattice of millions of nodes in tens of MiB; node_levels() gives int64 rows
        self.levels = np.indices(tuple(dims.tolist()), dtype=np.int16).reshape(self.q, -1).T
        self.level_sum = self.levels.sum(axis=1)
        self.state = np.zeros(self.n_nodes, dtype=np.int8)  # monotone predicate: 1 holds, -1 fails
        self.pruned = np.zeros(self.n_nodes, dtype=np.bool_)
        self.stack = np.empty(self.n_nodes + 1, dtype=np.int64)
        self.path = np.empty(int(dims.sum()) + 1, dtype=np.int64)
        self.records: dict[int, NodeRecord] = {}
        self.nodes_checked = 0
        self.best: NodeRecord | None = None
        self.closest: NodeRecord | None = None
        self.limit = problem.suppression_limit
        self.criteria = problem.criteria
        self.metric = problem.metric
        self.probe_is_full = self.criteria.monotone_under(self.limit)
        self.metric_monotone = self.metric.is_monotonic(self.limit)
        self.static_exact = self.metric.static_is_exact(self.limit) and self.probe_is_full
        bounds = self.metric.static_bounds(self.levels)
        self.static_bound = bounds
        if bounds is not None:
            # a hair below the bound, so that rounding can never hide a better node
            self.safe_bound = bounds - (np.abs(bounds) * 1e-12 + 1e-12)
            self.priority = bounds
        else:
            self.safe_bound = None
            heights = np.maximum(dims - 1, 1).astype(np.float64)
            self.priority = (self.levels / heights).sum(axis=1)
        # class-table cache: slot arrays for the dominance search, LRU order for eviction
        self._cache: OrderedDict[int, ClassTable] = OrderedDict()
        self._slot_of: dict[int, int] = {}
        self._slot_levels = np.zeros((_MAX_CACHE_ENTRIES, self.q), dtype=np.int64)
        self._slot_classes = np.zeros(_MAX_CACHE_ENTRIES, dtype=np.int64)
        self._slot_valid = np.zeros(_MAX_CACHE_ENTRIES, dtype=np.bool_)
        self._slot_node = np.full(_MAX_CACHE_ENTRIES, -1, dtype=np.int64)
        self._cache_bytes = 0
        self._free_slots = list(range(_MAX_CACHE_ENTRIES - 1, -1, -1))
        self._qrange = np.arange(self.q)
        self.bottom: ClassTable | None = None
        self._bottom_levels: np.ndarray | None = None
        self.bottom = self._bottom_table()
        # the bottom's codes at every level, so roll-ups from it stream instead of looking up
        heights = dims - 1
        if self.bottom.n_classes * int(dims.sum()) * 4 <= _CACHE_BYTES // 2:
            self._bottom_levels = K.codes_at_every_level(self.bottom.codes, problem.jump, problem.jump_off, heights)
            self._bottom_level_off = np.concatenate([[0], np.cumsum(dims)[:-1]]).astype(np.int64)

    def node_levels(self, index: int) -> np.ndarray:
        """The levels of one node, as the int64 array the kernels take."""
        return self.levels[index].astype(np.int64)

    # ------------------------------------------------------------------ class tables

    def _bottom_table(self) -> ClassTable:
        p = self.p
        zeros = np.zeros(self.q, dtype=np.int64)
        rows = ClassTable(p.row_codes, np.ones(p.n_records, dtype=np.int64), p.row_hist)
        table, self.bottom_of_row = self._rollup(rows, zeros, zeros)  # class of every record
        return table

    def _rollup(self, src: ClassTable, src_levels: np.ndarray, dst_levels: np.ndarray) -> tuple[ClassTable, np.ndarray]:
        p = self.p
        cards = p.cards_at(dst_levels)
        streamable = src is self.bottom and self._bottom_levels is not None
        if streamable and float(np.prod(cards.astype(np.float64))) < 4e18:  # the key fits 62 bits
            dst_of_src, codes, counts = K.rollup_from_levels(self._bottom_levels, self._bottom_level_off, src.counts,
                                                             dst_levels, cards)
        else:
            dst_of_src, codes, counts = K.rollup(src.codes, src.counts, p.jump, p.jump_off, src_levels, dst_levels,
                                                 cards)
        hist = None
        if src.hist is not None:
            offsets, values, hcounts = src.hist
            hist = K.merge_histograms(dst_of_src, counts.shape[0], offsets, values, hcounts, p.n_sensitive_values)
        return ClassTable(codes, counts, hist), dst_of_src

    def table(self, index: int) -> ClassTable:
        """The class table of a node: from the cache, or rolled up from the smallest one below it.

        The bottom's codes are kept at every level, so a roll-up from the bottom streams
        columns instead of looking codes up; it is the usual source, because checked nodes
        are mostly incomparable.
        """
        if index == 0:
            return self.bottom
        hit = self._cache.get(index)
        if hit is not None:
            self._cache.move_to_end(index)
            return hit
        target = self.node_levels(index)
        source, source_levels = self._source_for(target)
        table, _ = self._rollup(source, source_levels, target)
        self._remember(index, table)
        return table

    def _source_for(self, target: np.ndarray) -> tuple[ClassTable, np.ndarray]:
        slot = K.best_source(self._slot_levels, self._slot_classes, self._slot_valid, target)
        if slot >= 0 and self._slot_classes[slot] < self.bottom.n_classes:
            node = int(self._slot_node[slot])
            self._cache.move_to_end(node)
            return self._cache[node], self.node_levels(node)
        return self.bottom, self.node_levels(0)

    def _remember(self, index: int, table: ClassTable) -> None:
        if table.nbytes > _CACHE_BYTES // 4 or table.n_classes >= self.bottom.n_classes:
            return
        while self._cache and (len(self._cache) >= _MAX_CACHE_ENTRIES
                               or self._cache_bytes + table.nbytes > _CACHE_BYTES):
            old, old_table = self._cache.popitem(last=False)
            slot = self._slot_of.pop(old)
            self._slot_valid[slot] = False
            self._free_slots.append(slot)
            self._cache_bytes -= old_table.nbytes
        slot = self._free_slots.pop()
        self._slot_valid[slot] = True
        self._slot_levels[slot] = self.levels[index]
        self._slot_classes[slot] = table.n_classes
        self._slot_node[slot] = index
        self._slot_of[index] = slot
        self._cache[index] = table
        self._cache_bytes += table.nbytes

    # ------------------------------------------------------------------ checking a node

    def status(self, table: ClassTable):
        """Per class: 0 kept, 1 too small, 2 failing l/t; and the records in classes 1 and 1-or-2."""
        cr = self.criteria
        if table.hist is None or not cr.needs_histograms:
            return K.size_status(table.counts, cr.kmin)
        offsets, values, counts = table.hist
        return K.class_status(table.counts, cr.kmin, cr.l_kind, cr.l, cr.min_distinct, cr.c, cr.estimator,
                              cr.g_table, cr.t_kind, cr.t,
                              offsets, values, counts, cr.global_share, cr.global_counts, self.p.n_records,
                              cr.parent, cr.parent_off, cr.level_card, cr.s_height, cr.position,
                              cr.global_by_position)

    def evaluate(self, index: int) -> NodeRecord:
        """Check a node: classes, suppression, criteria, loss; tag the lattice accordingly."""
        record = self.records.get(index)
        if record is not None:
            return record
        self.nodes_checked += 1
        table = self.table(index)
        status, below, failing = self.status(table)
        levels = self.node_levels(index)
        anonymous = failing <= self.limit
        loss = self.metric.evaluate(levels, table.codes, table.counts, status, self.p.cards_at(levels))
        record = NodeRecord(index, table.n_classes, int(below), int(failing), bool(anonymous), float(loss.value),
                            loss.per_column, loss.upward_bound)
        self.records[index] = record
        holds = anonymous if self.probe_is_full else below <= self.limit
        if holds:
            K.tag_up(self.state, index, 1, self.dims, self.strides, self.stack)
        else:
            K.tag_down(self.state, index, -1, self.dims, self.strides, self.stack)
        self._consider(record)
        return record

    def _key(self, record: NodeRecord) -> tuple:
        return (record.loss, int(self.level_sum[record.index]), record.index)

    def _consider(self, record: NodeRecord) -> None:
        if record.anonymous:
            if self.best is None or self._key(record) < self._key(self.best):
                self.best = record
            if self.metric_monotone:
                # everything above costs at least as much and has more generalization steps
                self._prune_above(record.index)
        else:
            key = (record.failing, record.loss, record.index)
            if self.closest is None or key < (self.closest.failing, self.closest.loss, self.closest.index):
                self.closest = record
        if record.upward_bound is not None and self.best is not None and record.upward_bound > self.best.loss:
            self._prune_above(record.index)

    def _prune_above(self, index: int) -> None:
        K.tag_up(self.pruned, index, True, self.dims, self.strides, self.stack)

    def _bound(self) -> float:
        return math.inf if self.best is None else self.best.loss

    # ------------------------------------------------------------------ the search

    def _probe(self, start: int) -> None:
        """Find where the monotone predicate starts to hold on an upward path from ``start``.

        The path climbs greedily (lowest bound first) through unsettled nodes and ends at one
        whose successors are all settled: if it fails it is a maximal failing node and one
        check settles the whole path. So the search gallops down from the top of the path
        (1, 2, 4, ... steps) to the first failing node, then bisects the rest, as Flash's
        binary phase does in the other direction.
        """
        bound = self._bound()
        if bound != math.inf:
            bound = bound + abs(bound) * 1e-12 + 1e-12
        length = K.upward_path(start, self.state, self.pruned, self.priority, bound, self.dims, self.strides,
                               self.path)
        path = self.path[:length].copy()
        hi = length - 1  # path[hi + 1] holds (or is the end)
        pos = length - 1
        step = 1
        lo = -1
        while pos >= 0:
            node = int(path[pos])
            if self.state[node] == 0:
                self.evaluate(node)
            if self.state[node] == -1:
                lo = pos + 1
                break
            hi = pos - 1
            pos -= step
            step *= 2
        if lo < 0:
            return
        while lo <= hi:
            mid = (lo + hi) // 2
            node = int(path[mid])
            if self.state[node] == 0:
                self.evaluate(node)
            if self.state[node] == 1:
                hi = mid - 1
            else:
                lo = mid + 1

    def run(self) -> None:
        top = self.n_nodes - 1
        self.evaluate(top)
        if self.state[top] == -1:
            return  # the monotone predicate fails at the top, so everywhere
        if self.p.impossible:
            return
        if self.static_bound is not None:
            order = np.lexsort((np.arange(self.n_nodes), self.level_sum, self.static_bound))
        else:
            order = np.lexsort((np.arange(self.n_nodes), self.level_sum))
        safe = self.safe_bound
        for index in order.tolist():
            if safe is not None and self.best is not None and safe[index] > self.best.loss:
                break
            if self.pruned[index] or self.state[index] == -1:
                continue
            if index in self.records:
                continue
            if self.state[index] == 0:
                self._probe(index)
                if self.state[index] == 0 and not self.pruned[index]:
                    self.evaluate(index)  # the path did not settle it
                if self.state[index] == -1 or index in self.records or self.pruned[index]:
                    continue
            # the monotone predicate holds here (tagged from a node below)
            if self.static_exact:
                # anonymous (tagged) and its loss is its bound: no classes needed
                record = NodeRecord(index, -1, 0, 0, True, float(self.static_bound[index]), None, None)
                self.records[index] = record
                self._consider(record)
                continue
            self.evaluate(index)

    def final_record(self) -> NodeRecord | None:
        """The optimum with its full record (evaluated if it was only tagged)."""
        if self.best is None:
            return None
        if self.best.n_classes < 0:
            index = self.best.index
            del self.records[index]
            checked = self.nodes_checked
            self.best = None
            record = self.evaluate(index)
            self.nodes_checked = checked + 1
            self.best = record
        return self.best

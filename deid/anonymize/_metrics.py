"""Information loss of a transformation, with ARX's definitions (``org.deidentifier.arx.metric.v2``).

n records, q quasi-identifiers; for column c at level ``lv``, a_v is the frequency of raw value
v and b_w the frequency of its generalization w; S the suppressed records; f a class size.
ARX's default generalization/suppression factor 0.5 is used (both factors 1).

* ``entropy``, monotonic (``MetricMDNUEntropyPrecomputed``): per column
  ``-sum_v a_v log2(a_v / b_w(v))`` over all records, suppressed ones included as if they
  were only generalized; columns summed. Data-independent: a node's loss is known before
  its classes are.
* ``entropy``, non-monotonic (``MetricMDNUNMEntropyPrecomputed``): the same plus, per
  column, ``-sum_w s_w log2(s_w / S)`` over the generalized values w of the suppressed
  records (s_w of them carry w): suppressing costs the entropy of generalizing them to ``*``.
* ``loss`` (``MetricMDNMLoss``): per column, kept records cost the share of the hierarchy's
  raw values their label covers, suppressed ones cost 1; normalized to
  ``(sum - n/R) / (n - n/R)`` (R rows in the hierarchy); aggregated by ARX's geometric mean
  ``prod (x_c + 1)^(1/q) - 1``.
* ``precision``, monotonic (``MetricMDPrecision``): mean over columns of level/height;
  non-monotonic (``MetricMDNMPrecision``): suppressed records count as height/height.
* ``discernibility``, monotonic (DM*, ``MetricSDDiscernability``): ``sum f^2`` over all
  classes; non-monotonic (``MetricSDNMDiscernability``): ``sum f^2`` over kept classes plus
  ``n * S``.
* ``aecs`` (``MetricSDAECS``): n / (kept classes + 1 if any record is suppressed).

Per-column values are rounded like ARX (``floor(x * 1e10) / 1e10``) where ARX rounds
(entropy, loss), so the optimum's loss equals ARX's to the last digits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from deid.anonymize import _kernels as K

METRICS = ("entropy", "loss", "precision", "discernibility", "aecs")
_FACTOR = 1e10


def arx_round(x):
    """ARX's ``Metric.round``: keep ten decimal digits, rounding down."""
    return np.floor(np.asarray(x, dtype=np.float64) * _FACTOR) / _FACTOR


def _negate(raw: np.ndarray) -> np.ndarray:
    # ARX switches the sign bit unless the value is 0.0 (so -0.0 never appears)
    return np.where(raw == 0.0, raw, -raw)


def _sequential_sum(values: np.ndarray) -> float:
    # ARX sums column values left to right; np.sum would pair them
    total = 0.0
    for v in values.tolist():
        total += v
    return total


def _geometric_mean(values: np.ndarray) -> float:
    result = 1.0
    q = float(len(values))
    for v in values.tolist():
        result *= math.pow(v + 1.0, 1.0 / q)
    return result - 1.0


def _arithmetic_mean(values: np.ndarray) -> float:
    result = 0.0
    q = float(len(values))
    for v in values.tolist():
        result += v / q
    return result


@dataclass
class NodeLoss:
    """Loss of one evaluated node: the aggregate, per-column values (multi-dimensional
    metrics) and a lower bound valid for this node and every node above it (or None)."""

    value: float
    per_column: np.ndarray | None
    upward_bound: float | None


class Metric:
    """One of ARX's quality models, prepared for the columns of a problem.

    Parameters
    ----------
    name : str
        ``entropy``, ``loss``, ``precision``, ``discernibility`` or ``aecs``.
    monotonic : bool
        The monotonic variant (entropy, precision, discernibility); ARX has none for loss and
        AECS, which are always non-monotonic.
    columns : list of EncodedHierarchy
    n_records : int
    """

    def __init__(self, name: str, monotonic: bool, columns, n_records: int):
        if name not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}; got {name!r}")
        self.name = name
        self.variant_monotonic = bool(monotonic) and name in ("entropy", "precision", "discernibility")
        self.columns = columns
        self.n = int(n_records)
        self.heights = np.array([c.height for c in columns], dtype=np.int64)
        self.level_counts = []  # per column, per level: records per code
        for col in columns:
            raw_counts = K.value_counts(col.row_codes, len(col.hierarchy))
            per_level = []
            for lv in range(col.height + 1):
                per_level.append(np.bincount(col.level_codes[:, lv], weights=raw_counts,
                                             minlength=int(col.cardinalities[lv])).astype(np.int64))
            self.level_counts.append((raw_counts, per_level))
        self._column_tables = self._static_column_tables()
        if name == "loss":
            self._share, self._share_off = self._shares()

    # ------------------------------------------------------------------ properties

    @property
    def multi_dimensional(self) -> bool:
        return self.name in ("entropy", "loss", "precision")

    def is_monotonic(self, suppression_limit: int) -> bool:
        """ARX's ``Metric.isMonotonic``: every metric is monotonic when nothing may be suppressed."""
        return suppression_limit == 0 or self.variant_monotonic

    @property
    def has_static_bound(self) -> bool:
        """Whether a lower bound per node is known before its classes are (entropy, loss, precision)."""
        return self._column_tables is not None

    def static_is_exact(self, suppression_limit: int) -> bool:
        """Whether the static bound *is* the loss (no class data needed)."""
        return self.name in ("entropy", "precision") and (self.variant_monotonic or suppression_limit == 0)

    # ------------------------------------------------------------------ static tables

    def _static_column_tables(self) -> list[np.ndarray] | None:
        """Per column and level, the loss of that column ignoring suppression (ARX-rounded)."""
        tables = []
        if self.name == "entropy":
            log2 = math.log(2.0)
            for col, (raw_counts, per_level) in zip(self.columns, self.level_counts):
                a = raw_counts.astype(np.float64)
                present = a > 0
                out = np.empty(col.height + 1, dtype=np.float64)
                for lv in range(col.height + 1):
                    b = per_level[lv][col.level_codes[:, lv]].astype(np.float64)
                    terms = a[present] * (np.log(a[present] / b[present]) / log2)
                    raw = np.add.accumulate(terms)[-1] if terms.size else 0.0
                    out[lv] = arx_round(_negate(np.array([raw]))[0])
                tables.append(out)
            return tables
        if self.name == "precision":
            for h in self.heights.tolist():
                tables.append(np.array([0.0 if h == 0 else lv / h for lv in range(h + 1)], dtype=np.float64))
            return tables
        if self.name == "loss":
            for col, (_, per_level) in zip(self.columns, self.level_counts):
                share = self._column_shares(col)
                out = np.empty(col.height + 1, dtype=np.float64)
                for lv in range(col.height + 1):
                    total = float(np.dot(per_level[lv].astype(np.float64), share[lv]))
                    out[lv] = self._normalize_loss(total, len(col.hierarchy))
                tables.append(out)
            return tables
        return None

    def static_bounds(self, node_levels: np.ndarray) -> np.ndarray | None:
        """Aggregate of the static column values for every node (rows of ``node_levels``)."""
        if self._column_tables is None:
            return None
        per_col = [t[node_levels[:, c]] for c, t in enumerate(self._column_tables)]
        q = len(per_col)
        if self.name == "entropy":
            total = np.zeros(node_levels.shape[0], dtype=np.float64)
            for v in per_col:
                total = total + v
            return total
        if self.name == "precision":
            total = np.zeros(node_levels.shape[0], dtype=np.float64)
            for v in per_col:
                total = total + v / q
            return total
        total = np.ones(node_levels.shape[0], dtype=np.float64)
        for v in per_col:
            total = total * np.power(v + 1.0, 1.0 / q)
        return total - 1.0

    # ------------------------------------------------------------------ loss metric helpers

    @staticmethod
    def _column_shares(col) -> list[np.ndarray]:
        """ARX's ``DomainShareMaterialized``: per level, the share of the hierarchy's rows a label covers."""
        rows = float(len(col.hierarchy))
        out = []
        for lv in range(col.height + 1):
            covered = np.bincount(col.level_codes[:, lv], minlength=int(col.cardinalities[lv])).astype(np.float64)
            out.append(covered / rows)
        return out

    def _shares(self):
        flat = []
        offsets = []  # (column, level) -> offset
        pos = 0
        for col in self.columns:
            per = []
            for share in self._column_shares(col):
                per.append(pos)
                flat.append(share)
                pos += share.shape[0]
            offsets.append(per)
        return np.concatenate(flat), offsets

    def _normalize_loss(self, total: float, domain_size: int) -> float:
        lo = self.n / float(domain_size)
        hi = float(self.n)
        value = (total - lo) / (hi - lo) if hi != lo else 0.0
        value = value if value >= 0.0 else 0.0
        return float(arx_round(value))

    # ------------------------------------------------------------------ evaluation

    def evaluate(self, levels: np.ndarray, codes: np.ndarray, counts: np.ndarray, status: np.ndarray,
                 cards: np.ndarray) -> NodeLoss:
        """Loss of a node from its classes and which of them are suppressed (``status != 0``)."""
        q = len(levels)
        if self.name == "entropy":
            gen = np.array([self._column_tables[c][levels[c]] for c in range(q)], dtype=np.float64)
            if self.variant_monotonic:
                return NodeLoss(_sequential_sum(gen), gen, None)
            # ARX adds the suppressed term to the raw (negative) sums before negating and rounding
            raw = np.array([self._raw_entropy(c, levels[c]) for c in range(q)], dtype=np.float64)
            terms, suppressed = K.suppressed_entropy_terms(codes, counts, status, cards)
            if suppressed == 0:
                return NodeLoss(_sequential_sum(gen), gen, None)
            per = arx_round(_negate(raw + terms))
            return NodeLoss(_sequential_sum(per), per, None)
        if self.name == "precision":
            per = np.array([0.0 if self.heights[c] == 0 else levels[c] / self.heights[c] for c in range(q)])
            if not self.variant_monotonic:
                kept_sq, suppressed, all_sq, kept, total = K.class_size_terms(counts, status)
                unsuppressed = self.n - suppressed
                per = (unsuppressed * per + float(suppressed)) / self.n
            return NodeLoss(_arithmetic_mean(per), per, None)
        if self.name == "loss":
            per = np.empty(q, dtype=np.float64)
            suppressed_total = 0
            for c in range(q):
                share = self._share[self._share_off[c][levels[c]]:self._share_off[c][levels[c]] + int(cards[c])]
                kept = np.bincount(codes[:, c], weights=np.where(status == 0, counts, 0).astype(np.float64),
                                   minlength=int(cards[c]))
                suppressed_total = int(counts[status != 0].sum())
                total = float(np.dot(kept, share)) + float(suppressed_total)
                per[c] = self._normalize_loss(total, len(self.columns[c].hierarchy))
            return NodeLoss(_geometric_mean(per), per, None)
        kept_sq, suppressed, all_sq, kept, total = K.class_size_terms(counts, status)
        if self.name == "discernibility":
            if self.variant_monotonic:
                return NodeLoss(all_sq, None, all_sq)
            return NodeLoss(kept_sq + float(self.n) * float(suppressed), None, all_sq)
        # aecs
        groups = float(kept) + (1.0 if suppressed > 0 else 0.0)
        return NodeLoss(self.n / groups, None, self.n / float(total))

    def _raw_entropy(self, column: int, level: int) -> float:
        cache = getattr(self, "_raw_cache", None)
        if cache is None:
            cache = self._raw_cache = {}
        key = (column, level)
        if key not in cache:
            col = self.columns[column]
            raw_counts, per_level = self.level_counts[column]
            a = raw_counts.astype(np.float64)
            present = a > 0
            b = per_level[level][col.level_codes[:, level]].astype(np.float64)
            terms = a[present] * (np.log(a[present] / b[present]) / math.log(2.0))
            cache[key] = float(np.add.accumulate(terms)[-1]) if terms.size else 0.0
        return cache[key]

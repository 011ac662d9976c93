"""The policy object the text engine and the table engine call: one operator per entity type."""

from __future__ import annotations

from typing import Any, Mapping

from presidio_anonymizer.operators import Operator

from deid.entities import ENTITY_TYPES
from deid.transform._age_cap import AgeCap
from deid.transform._base import BoundOperator, DeidOperator, check_bool, known_entity
from deid.transform._date_shift import (
    DEFAULT_MAX_DAYS,
    DEFAULT_MIN_DAYS,
    DateShift,
    DateWindowWarning,
    _check_options,
    _check_range,
    as_offset_table,
    check_window,
    date_shift_days,
    date_shift_offsets,
    outside_window,
    parse_date,
    shift_dates,
    window_message,
)
from deid.transform._key import Key, default_key, resolve_key
from deid.transform._mask import Mask
from deid.transform._pseudonym import Pseudonym
from deid.transform._redact import Redact
from deid.transform._surrogate import Surrogate
from deid.transform._tag import Tag

#: deid's operators by name.
OPERATORS: dict[str, type[DeidOperator]] = {
    cls.name: cls for cls in (Tag, Redact, Mask, Surrogate, DateShift, Pseudonym, AgeCap)
}

#: The default policy; entity types not listed are tagged (``[MRN]``).
DEFAULT_POLICY: dict[str, str] = {
    "NAME": "surrogate",
    "LOCATION": "surrogate",
    "ADDRESS": "surrogate",
    "DATE": "date_shift",
    "AGE": "age_cap",
}


def _as_text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _restore(pd, values, codes, taken):
    """A Series like ``values`` holding ``taken``; missing values stay as they were."""
    out = pd.Series(taken, index=values.index, name=values.name, dtype=object)
    missing = codes < 0
    if missing.any():
        out[missing] = values[missing]
    if isinstance(values.dtype, pd.StringDtype):
        out = out.astype(values.dtype)
    return out


class Transformer:
    """Apply one operator per entity type, with one secret key.

    Parameters
    ----------
    key : Key, str, bytes, path or None
        The secret key. ``None``: ``DEID_KEY``, else ``DEID_KEY_FILE``, else one random key
        per process (``transformer.key.ephemeral`` is then True: outputs are not
        reproducible across runs).
    operators : mapping, optional
        Entity type -> operator, overriding :data:`DEFAULT_POLICY` for that type. An operator
        is a name (``"pseudonym"``), a ``(name, params)`` pair, a Presidio ``OperatorConfig``,
        or an ``Operator`` instance (any Presidio operator; deid's get the key).
    date_shift_range : (int, int)
        Offset range in days for ``date_shift`` (default (-365, 365); 0 is never drawn).
    dayfirst : bool
        Read ambiguous numeric dates (05/07/2019) day first.
    never_zero : bool
        ``date_shift`` never draws an offset of 0 days (default True).
    keep_weekday : bool
        ``date_shift`` draws only multiples of 7 days, so dates keep their weekday (default False).
    date_offsets : mapping, Series, DataFrame or OffsetTable, optional
        The data steward's offsets (patient id -> days) instead of derived ones; a patient
        missing from it is a ``ValueError``.
    date_window : (first, last), optional
        Dates (ISO strings, ``datetime.date``, ``"today"`` or None for an open end): a
        shifted date outside it is reported with a :class:`DateWindowWarning` (kept, not
        clipped).

    The date-shift settings are defaults for the ``date_shift`` operator: parameters given
    with the operator (``("date_shift", {"keep_weekday": True})``) win.

    Everything is checked here: an unknown entity type, operator name, parameter or
    surrogate kind raises ``ValueError`` naming it.

    >>> t = Transformer("an example key, 32 bytes long...", {"MRN": ("pseudonym", {"prefix": "MRN"})})
    >>> t.transform("617-555-0142", "PHONE")
    '[PHONE]'
    >>> t.transform("MRN0012", "MRN").startswith("MRN-")
    True
    >>> t.transform("7/22/2019", "DATE", patient_id="p1") == t.transform("7/22/2019", "DATE", "p1")
    True
    """

    def __init__(self, key=None, operators: Mapping[str, Any] | None = None, *,
                 date_shift_range: tuple[int, int] = (DEFAULT_MIN_DAYS, DEFAULT_MAX_DAYS),
                 dayfirst: bool = False, never_zero: bool = True, keep_weekday: bool = False,
                 date_offsets=None, date_window=None):
        self.key: Key = default_key() if key is None else resolve_key(key)
        self.operators = dict(operators or {})
        self.date_shift_range = tuple(date_shift_range)
        self.dayfirst = dayfirst
        if len(self.date_shift_range) != 2:
            raise ValueError("date_shift_range must be a pair (min_days, max_days)")
        _check_range(*self.date_shift_range)
        check_bool("dayfirst", dayfirst)
        self.never_zero, self.keep_weekday = _check_options(*self.date_shift_range, never_zero, keep_weekday)
        self.date_offsets = as_offset_table(date_offsets, never_zero, keep_weekday)
        self.date_window = check_window(date_window)
        policy: dict[str, Any] = {e: DEFAULT_POLICY.get(e, "tag") for e in ENTITY_TYPES}
        for entity, spec in self.operators.items():
            policy[known_entity(entity)] = spec
        self._bound: dict[str, BoundOperator] = {}
        self._names: dict[str, str] = {}
        self._params: dict[str, dict] = {}
        self._instances: dict[str, Operator] = {}
        for entity, spec in policy.items():
            self._bound[entity] = self._bind(entity, spec)

    # -- construction -------------------------------------------------------------------
    def _bind(self, entity: str, spec) -> BoundOperator:
        operator, params = self._resolve(entity, spec)
        self._names[entity] = operator.operator_name()
        self._instances[entity] = operator
        if isinstance(operator, DeidOperator):
            if operator.uses_key:
                params.setdefault("key", self.key)
            if isinstance(operator, DateShift):
                params.setdefault("min_days", self.date_shift_range[0])
                params.setdefault("max_days", self.date_shift_range[1])
                params.setdefault("dayfirst", self.dayfirst)
                params.setdefault("never_zero", self.never_zero)
                params.setdefault("keep_weekday", self.keep_weekday)
                if self.date_offsets is not None:
                    params.setdefault("offsets", self.date_offsets)
                if self.date_window is not None:
                    params.setdefault("window", self.date_window)
            self._params[entity] = params
            return operator.bind({**params, "entity_type": entity})
        # a foreign Presidio operator: validate now, call operate per value
        full = {**params, "entity_type": entity}
        operator.validate(params=dict(full))
        self._params[entity] = params

        def foreign(value, patient_id=None, _op=operator, _params=full):
            return _op.operate(value, dict(_params))

        return foreign

    @staticmethod
    def _resolve(entity: str, spec) -> tuple[Operator, dict]:
        params: dict = {}
        if isinstance(spec, tuple):
            if len(spec) != 2 or not isinstance(spec[1], Mapping):
                raise ValueError(f"the operator for {entity} must be a name, (name, params) or an Operator")
            spec, params = spec[0], dict(spec[1])
        elif hasattr(spec, "operator_name") and hasattr(spec, "params") and not isinstance(spec, Operator):
            spec, params = spec.operator_name, dict(spec.params or {})  # Presidio OperatorConfig
        if isinstance(spec, Operator):
            return spec, params
        if isinstance(spec, str):
            cls = OPERATORS.get(spec)
            if cls is None:
                raise ValueError(
                    f"unknown operator {spec!r} for {entity}; known operators: {', '.join(OPERATORS)}"
                )
            return cls(), params
        raise ValueError(
            f"the operator for {entity} must be a name, (name, params) or an Operator, not {type(spec).__name__}"
        )

    # -- use ----------------------------------------------------------------------------
    def transform(self, value: str, entity_type: str, patient_id=None) -> str:
        """The transformed ``value`` of ``entity_type`` (``patient_id`` matters to date_shift)."""
        fn = self._bound.get(entity_type)
        if fn is None:
            fn = self._bound[known_entity(entity_type)]
        return fn(value, patient_id)

    def transform_many(self, values, entity_type: str, patient_ids=None):
        """Transform a column: each distinct (value, patient) pair is transformed once.

        ``values`` is a pandas Series or any iterable; a Series gives a Series (same index
        and name; missing values stay missing), anything else a list. A datetime Series
        under ``date_shift`` is shifted vectorized and keeps its dtype. Values that are not
        text are written as text first (12345.0 as "12345").
        """
        entity = entity_type if entity_type in self._bound else known_entity(entity_type)
        fn = self._bound[entity]
        uses_patient = isinstance(self._instances[entity], DateShift)
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas is a dependency
            pd = None
        if pd is not None and isinstance(values, pd.Series):
            if uses_patient:
                offsets = self._offsets(entity, patient_ids, len(values))
                if pd.api.types.is_datetime64_any_dtype(values.dtype):
                    shifted = shift_dates(values, offsets)
                    _report_window(outside_window(shifted, fn.settings["window"]), fn.settings["window"])
                    return shifted
                return self._shift_text_series(pd, values, offsets, fn.settings)
            return self._transform_series(pd, values, fn)
        values = list(values)
        pids = [None] * len(values) if patient_ids is None or not uses_patient else list(patient_ids)
        if len(pids) != len(values):
            raise ValueError(f"patient_ids has {len(pids)} entries for {len(values)} values")
        cache: dict = {}
        out = []
        for v, p in zip(values, pids):
            if v is None or (isinstance(v, float) and v != v) or (pd is not None and v is pd.NA):
                out.append(v)
                continue
            k = (v, p)
            r = cache.get(k)
            if r is None:
                r = cache[k] = fn(_as_text(v), p)
            out.append(r)
        return out

    def _offsets(self, entity: str, patient_ids, n: int):
        import numpy as np

        settings = self._bound[entity].settings
        if settings["days"] is not None:
            return np.full(n, settings["days"], dtype=np.int64)
        low, high = settings["min_days"], settings["max_days"]
        options = {"never_zero": settings["never_zero"], "keep_weekday": settings["keep_weekday"],
                   "offsets": settings["offsets"]}
        if patient_ids is None:
            return np.full(n, date_shift_days(self.key, None, low, high, **options), dtype=np.int64)
        offsets = date_shift_offsets(self.key, patient_ids, low, high, **options)
        if len(offsets) != n:
            raise ValueError(f"patient_ids has {len(offsets)} entries for {n} values")
        return offsets

    @staticmethod
    def _transform_series(pd, values, fn):
        import numpy as np

        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        results = np.array([fn(_as_text(u), None) for u in uniques.tolist()] + [None], dtype=object)
        return _restore(pd, values, codes, results[codes])  # code -1 (missing) takes the None

    @staticmethod
    def _shift_text_series(pd, values, offsets, settings):
        import numpy as np

        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        # one call per distinct (value, offset) pair, not per (value, patient): patients
        # far outnumber the offsets a range allows
        low = int(offsets.min()) if len(offsets) else 0
        span = (int(offsets.max()) - low + 1) if len(offsets) else 1
        pair = np.where(codes >= 0, codes.astype(np.int64) * span + (offsets - low), -1)
        pair_codes, pair_uniques = pd.factorize(pair)
        results = np.empty(len(pair_uniques), dtype=object)
        dayfirst, unparsed, window = settings["dayfirst"], settings["unparsed"], settings["window"]
        outside = np.zeros(len(pair_uniques), dtype=bool)
        # read each distinct value once; render it once per distinct offset
        parsed = [parse_date(_as_text(u), dayfirst) for u in uniques.tolist()]
        for i, p in enumerate(pair_uniques.tolist()):
            if p < 0:  # a missing value
                results[i] = None
                continue
            vcode, offset = divmod(p, span)
            date = parsed[vcode]
            out = None if date is None else date.render(offset + low)
            results[i] = unparsed if out is None else out
            if window is not None and out is not None:
                moved = date.shifted(offset + low)
                outside[i] = moved is not None and (
                    (window[0] is not None and moved < window[0]) or (window[1] is not None and moved > window[1]))
        if window is not None:
            _report_window(outside[pair_codes], window)
        return _restore(pd, values, codes, results[pair_codes])

    # -- helpers ------------------------------------------------------------------------
    def date_offset(self, patient_id=None) -> int:
        """The date offset in days of ``patient_id`` under this key, range and options."""
        return date_shift_days(self.key, patient_id, *self.date_shift_range, never_zero=self.never_zero,
                               keep_weekday=self.keep_weekday, offsets=self.date_offsets)

    @property
    def operator_names(self) -> dict[str, str]:
        """Entity type -> name of the operator applied to it."""
        return dict(self._names)

    def presidio_operators(self, patient_id=None) -> dict:
        """Presidio ``OperatorConfig``s for ``AnonymizerEngine.anonymize(operators=...)``,
        for deid's operators (register them first with :meth:`register`)."""
        from presidio_anonymizer.entities import OperatorConfig

        configs = {}
        for entity, name in self._names.items():
            params = dict(self._params[entity])
            if isinstance(self._instances[entity], DateShift) and patient_id is not None:
                params["patient_id"] = patient_id
            configs[entity] = OperatorConfig(name, params)
        return configs

    @staticmethod
    def register(engine) -> None:
        """Add deid's operators to a Presidio ``AnonymizerEngine`` (its ``mask`` and
        ``redact`` are replaced by deid's compatible ones)."""
        for cls in OPERATORS.values():
            engine.add_anonymizer(cls)

    # Bound operators are closures; a Transformer travels to worker processes as its
    # settings and is rebuilt there.
    def __getstate__(self) -> dict:
        return {"key": self.key, "operators": self.operators, "date_shift_range": self.date_shift_range,
                "dayfirst": self.dayfirst, "never_zero": self.never_zero, "keep_weekday": self.keep_weekday,
                "date_offsets": self.date_offsets, "date_window": self.date_window}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["key"], state["operators"], date_shift_range=state["date_shift_range"],
                      dayfirst=state["dayfirst"], never_zero=state.get("never_zero", True),
                      keep_weekday=state.get("keep_weekday", False), date_offsets=state.get("date_offsets"),
                      date_window=state.get("date_window"))

    def __repr__(self) -> str:
        names = {e: n for e, n in self._names.items() if n != DEFAULT_POLICY.get(e, "tag")}
        return f"Transformer(key={self.key!r}, operators={names!r})"


def _report_window(outside, window) -> None:
    """One :class:`DateWindowWarning` for a column, with the number of dates outside."""
    n = int(outside.sum()) if window is not None else 0
    if n:
        import warnings

        warnings.warn(window_message(window, n), DateWindowWarning, stacklevel=4)

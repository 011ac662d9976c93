"""A column policy: which action each column of a table gets, and the Safe Harbor preset."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Iterable

from deid.tabular import _toml
from deid.tabular._actions import ACTIONS, Action

#: Version of the TOML layout written by :meth:`Policy.to_toml`.
TOML_FORMAT = 1

#: Column roles: what a column holds. A preset maps roles to actions, so a column can be
#: named by what it is (``zip``) rather than by what to do with it.
ROLES: dict[str, str] = {
    "name": "names of people (patients, relatives, clinicians)",
    "address": "street addresses",
    "location": "cities, counties, neighbourhoods, facilities",
    "zip": "ZIP codes",
    "birth_date": "dates of birth",
    "date": "other dates of a person: admission, discharge, visit, death, procedure",
    "age": "ages",
    "phone": "telephone numbers",
    "fax": "fax numbers",
    "email": "e-mail addresses",
    "ssn": "Social Security numbers",
    "url": "web addresses",
    "ip_address": "IP addresses",
    "mrn": "medical record numbers and other patient identifiers",
    "health_plan_id": "health plan beneficiary, member and policy numbers",
    "account": "account and card numbers",
    "license": "certificate and licence numbers",
    "vehicle_id": "vehicle identifiers, licence plates",
    "device_id": "device identifiers and serial numbers",
    "id": "other record identifiers (encounter, order, specimen ids)",
    "text": "free text: notes, comments, reports",
    "attribute": "not an identifier: sex, codes, lab values, state, free categories",
}
assert not set(ROLES) & set(ACTIONS), "role names and action names must differ"

# Contact identifiers: removed from tables by default (a fake phone number or SSN carries no
# signal for training, and an SSN-shaped surrogate looks like PHI to any scanner downstream).
_CONTACT_ROLES = ("phone", "fax", "email", "ssn", "url", "ip_address")
_ID_ROLES = ("mrn", "health_plan_id", "account", "license", "vehicle_id", "device_id")


def _safe_harbor_text_operators(contacts: str) -> dict[str, Any]:
    """Free-text operators of the preset: the same treatment in notes as in columns (an MRN
    gets the same pseudonym in both; a phone number is tagged in notes when its column is
    suppressed, and gets the same surrogate in both otherwise)."""
    ops: dict[str, Any] = {e: "pseudonym" for e in ("MRN", "HEALTH_PLAN_ID", "ACCOUNT", "LICENSE",
                                                    "VEHICLE_ID", "DEVICE_ID", "ID")}
    if contacts == "surrogate":
        ops.update({r.upper(): "surrogate" for r in _CONTACT_ROLES})
    return ops


def _safe_harbor_roles(dates: str, reference: str | None, contacts: str, max_age: int = 89) -> dict[str, Action]:
    if dates == "year":
        date = Action("generalize", method="year")
        birth = Action("generalize", method="year", max_age=max_age, reference=reference)
    else:
        date = Action("date_shift")
        birth = Action("date_shift", max_age=max_age, reference=reference)
    roles = {
        "name": Action("surrogate", kind="name"),
        "address": Action("surrogate", kind="address"),
        "location": Action("surrogate", kind="location"),
        "zip": Action("generalize", method="zip3"),
        "birth_date": birth,
        "date": date,
        "age": Action("generalize", method="age_cap"),
        "id": Action("hash_id"),
        "text": Action("free_text"),
        "attribute": Action("keep"),
    }
    for role in _CONTACT_ROLES:
        roles[role] = Action("suppress") if contacts == "suppress" else Action("surrogate", kind=role)
    for role in _ID_ROLES:
        roles[role] = Action("pseudonym")
    return {r: roles[r] for r in ROLES}


#: Values of ``Policy(text_dates=...)``: how dates found in free-text columns are written.
TEXT_DATES = (None, "year")


class Policy(Mapping):
    """Which action each column of a table gets: a read-only mapping ``column -> Action`` over
    the columns it names (``policy["zip"]``, ``len(policy)``, ``list(policy)``,
    ``dict(policy)``); :meth:`action_for` also answers for unnamed columns (the default).

    Parameters
    ----------
    columns : mapping, optional
        Column name -> action: an :class:`Action`, an action name (``"keep"``,
        ``"surrogate:phone"``, ``"generalize:zip3"``), a mapping ``{"action": ..., **params}``,
        or the name of a role in ``roles`` (``"zip"``).
    default : action or None
        The action of columns the policy does not name. ``None`` (the default) fails
        closed: :func:`scrub_frame` refuses a frame with an unnamed column.
    roles : mapping, optional
        Role -> action (see :data:`ROLES`); presets such as :meth:`safe_harbor` fill it, so
        ``policy.with_columns(zip_code="zip")`` means "the preset's action for ZIP codes".
    patient_column : str, optional
        The column holding the patient id, for date offsets and free text (a
        :func:`scrub_frame` argument overrides it).
    date_shift_range : (int, int)
        Range of the per-patient date offset in days; must equal the text scrubber's for
        dates to match between notes and rows (default (-365, 365), as the text engine).
    dayfirst : bool
        Read ambiguous numeric text dates (05/07/2019) day first.
    text_operators : mapping, optional
        Entity type -> operator for free-text columns (see ``docs/transform.md``), e.g.
        ``{"MRN": "pseudonym"}``; give the same to ``deid.Scrubber(operators=...)`` for
        notes scrubbed elsewhere.
    never_zero : bool
        Date shifts never draw an offset of 0 days (default True).
    keep_weekday : bool
        Date offsets are multiples of 7 days, so every date keeps its weekday (default False).
    date_window : (first, last), optional
        Shifted dates outside this window (ISO dates, ``"today"``, or None for an open end)
        are reported with a ``DateWindowWarning`` naming the column and the count; they are
        kept as shifted, not clipped. See ``docs/tables.md``.
    text_dates : None or "year"
        How dates found in ``free_text`` columns are written. ``None`` (the default): by
        the DATE text operator (``date_shift`` unless ``text_operators`` say otherwise).
        ``"year"``: the year alone ("2019"), as ``generalize(year)`` does in columns; a date
        without a readable year ("7/22", "Thursday", "last week") and a year more than 89
        years before the reference date (it could be the birth year of someone over 89)
        become ``[DATE]``. ``Policy.safe_harbor(dates="year")`` sets it.

    Every action, kind, method, parameter and role is checked here: a bad one is a
    ``ValueError`` naming the column.

    >>> p = Policy({"mrn": "pseudonym", "zip": "generalize:zip3", "notes": "free_text"}, default="keep")
    >>> str(p.action_for("zip")), str(p.action_for("sex"))
    ('generalize(method=zip3)', 'keep')
    >>> Policy.from_toml_text(p.to_toml()) == p
    True
    >>> len(p), list(p), str(p["zip"]), "sex" in p
    (3, ['mrn', 'zip', 'notes'], 'generalize(method=zip3)', False)
    """

    def __init__(self, columns: Mapping[str, Any] | None = None, *, default=None,
                 roles: Mapping[str, Any] | None = None, patient_column: str | None = None,
                 date_shift_range: tuple[int, int] = (-365, 365), dayfirst: bool = False,
                 text_operators: Mapping[str, Any] | None = None, never_zero: bool = True,
                 keep_weekday: bool = False, date_window=None, text_dates: str | None = None):
        self.roles: dict[str, Action] = {}
        for role, spec in (roles or {}).items():
            if role not in ROLES:
                raise ValueError(f"unknown role {role!r}; known roles: {', '.join(ROLES)}")
            self.roles[role] = Action.parse(spec, f"role {role!r}")
        self.columns: dict[str, Action] = {}
        #: column -> the role its action came from (columns named by role only)
        self.column_roles: dict[str, str] = {}
        for column, spec in (columns or {}).items():
            self._set_column(column, spec)
        self.default: Action | None = None if default is None or default == "error" else \
            Action.parse(default, "default")
        if patient_column is not None and not isinstance(patient_column, str):
            raise ValueError("patient_column must be a column name (text)")
        self.patient_column = patient_column
        self.date_shift_range = _check_range(date_shift_range)
        if not isinstance(dayfirst, bool):
            raise ValueError("dayfirst must be true or false")
        self.dayfirst = dayfirst
        self.text_operators = _check_text_operators(text_operators)
        self.never_zero, self.keep_weekday, self.date_window = _check_date_options(
            self.date_shift_range, never_zero, keep_weekday, date_window)
        if text_dates not in TEXT_DATES:
            raise ValueError(f"text_dates must be None (the DATE text operator) or 'year', got {text_dates!r}")
        self.text_dates = text_dates
        #: Why each column got its action (a DataFrame), for policies from classify_columns.
        self.report = None

    def _set_column(self, column, spec) -> None:
        if not isinstance(column, str):
            raise ValueError(f"column names in a policy must be text, not {type(column).__name__}")
        where = f"column {column!r}"
        role = None
        if isinstance(spec, str) and spec not in ACTIONS and spec.partition(":")[0] not in ACTIONS:
            role = spec
        elif isinstance(spec, Mapping) and "role" in spec:
            role = spec["role"]
            if "action" not in spec:
                spec = role
        if role is not None and role not in ROLES:
            raise ValueError(
                f"{where}: {role!r} is neither an action ({', '.join(ACTIONS)}) nor a role "
                f"({', '.join(ROLES)})"
            )
        if isinstance(spec, str) and spec == role:
            if role not in self.roles:
                raise ValueError(f"{where}: role {role!r} has no action in this policy (give an action)")
            action = self.roles[role]
        else:
            action = Action.parse(spec, where)
        self.columns[column] = action
        if role is not None:
            self.column_roles[column] = role
        else:
            self.column_roles.pop(column, None)

    # -- the read-only mapping: column -> Action, over the columns the policy names ----------
    def __getitem__(self, column: str) -> Action:
        """The action of a column the policy names; ``KeyError`` for any other (use
        :meth:`action_for` to get the default for those)."""
        return self.columns[column]

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    # -- derived policies -----------------------------------------------------------------
    def _copy(self) -> "Policy":
        new = Policy.__new__(Policy)
        new.__dict__.update(self.__dict__)
        new.roles = dict(self.roles)
        new.columns = dict(self.columns)
        new.column_roles = dict(self.column_roles)
        new.text_operators = dict(self.text_operators)
        new.report = None
        return new

    def with_columns(self, columns: Mapping[str, Any] | None = None, /, **more) -> "Policy":
        """A new policy with these columns set (to an action or to a role of this policy).

        >>> p = Policy.safe_harbor().with_columns(zip_code="zip", mrn="mrn", sex="keep")
        >>> str(p.action_for("zip_code")), str(p.action_for("mrn"))
        ('generalize(method=zip3)', 'pseudonym')
        """
        new = self._copy()
        for column, spec in {**(columns or {}), **more}.items():
            new._set_column(column, spec)
        return new

    def without_columns(self, *columns: str) -> "Policy":
        """A new policy that no longer names ``columns``."""
        new = self._copy()
        for c in columns:
            new.columns.pop(c, None)
            new.column_roles.pop(c, None)
        return new

    def with_options(self, **options) -> "Policy":
        """A new policy with other settings: ``default``, ``patient_column``,
        ``date_shift_range``, ``dayfirst``, ``text_operators``, ``never_zero``,
        ``keep_weekday``, ``date_window``, ``text_dates``."""
        allowed = {"default", "patient_column", "date_shift_range", "dayfirst", "text_operators",
                   "never_zero", "keep_weekday", "date_window", "text_dates"}
        unknown = sorted(set(options) - allowed)
        if unknown:
            raise ValueError(f"unknown option(s) {', '.join(unknown)}; options: {', '.join(sorted(allowed))}")
        settings = {
            "default": self.default, "patient_column": self.patient_column,
            "date_shift_range": self.date_shift_range, "dayfirst": self.dayfirst,
            "text_operators": self.text_operators, "never_zero": self.never_zero,
            "keep_weekday": self.keep_weekday, "date_window": self.date_window,
            "text_dates": self.text_dates, **options,
        }
        new = Policy(roles=self.roles, **settings)
        new.columns = dict(self.columns)
        new.column_roles = dict(self.column_roles)
        return new

    # -- use --------------------------------------------------------------------------------
    def action_for(self, column: str) -> Action:
        """The action of ``column``: its own, else the default; ``ValueError`` if neither."""
        action = self.columns.get(column)
        if action is not None:
            return action
        if self.default is None:
            raise ValueError(
                f"column {column!r} is not in the policy and the policy has no default "
                "(it fails closed): name the column or set a default"
            )
        return self.default

    def plan(self, columns: Iterable[str]) -> dict[str, Action]:
        """The action of every column of a table with these ``columns``, in their order.

        ``ValueError`` when the policy names a column the table lacks, or when a column is
        unnamed and there is no default; both list every such column.
        """
        columns = list(columns)
        present = set(columns)
        missing = [c for c in self.columns if c not in present]
        if missing:
            raise ValueError(
                f"the policy names column(s) not in the data: {_names(missing)}"
            )
        if self.default is None:
            unnamed = [c for c in columns if c not in self.columns]
            if unnamed:
                raise ValueError(
                    f"column(s) {_names(unnamed)} are not in the policy and it has no default "
                    "(it fails closed): name them (policy.with_columns(...), or classify_columns) "
                    "or set a default"
                )
        return {c: self.action_for(c) for c in columns}

    # -- presets ------------------------------------------------------------------------------
    @classmethod
    def safe_harbor(cls, dates: str = "year", *, contacts: str = "suppress", default=None, reference=None,
                    patient_column: str | None = None, columns: Mapping[str, Any] | None = None) -> "Policy":
        """The HIPAA Safe Harbor preset (45 CFR 164.514(b)(2)), as roles.

        Names, addresses and places get surrogates; ZIP codes their first three digits (the
        restricted prefixes become 000); dates their year (``dates="year"``; dates in free
        text too: ``text_dates="year"``) or the patient's keyed shift (``dates="shift"``, the
        same in columns and notes); dates of
        birth that imply an age over 89 at ``reference`` (an ISO date, default: the day the
        data is scrubbed) are top-coded; ages over 89 become 90; phone, fax, e-mail, SSN,
        URL and IP address columns are suppressed (``contacts="suppress"``: a fake phone
        number carries nothing for analysis or training) or get surrogates
        (``contacts="surrogate"``); medical record, health plan, account, licence,
        vehicle and device numbers keyed pseudonyms; other record ids keyed ids (``hash_id``);
        free text is scrubbed (with the same operators); attributes are kept.

        The preset names no column: give roles to columns with :meth:`with_columns` (or
        ``columns=``), or let :func:`classify_columns` do it. ``default=None`` fails closed.

        >>> p = Policy.safe_harbor(dates="shift", columns={"dob": "birth_date", "notes": "text"})
        >>> str(p.action_for("dob"))
        'date_shift(max_age=89)'
        """
        if dates not in ("year", "shift"):
            raise ValueError(f"dates must be 'year' or 'shift', got {dates!r}")
        if contacts not in ("suppress", "surrogate"):
            raise ValueError(f"contacts must be 'suppress' or 'surrogate', got {contacts!r}")
        # dates="year": dates in free text become their year too (or [DATE]), as in columns
        policy = cls(roles=_safe_harbor_roles(dates, reference, contacts), default=default,
                     patient_column=patient_column, text_operators=_safe_harbor_text_operators(contacts),
                     text_dates="year" if dates == "year" else None)
        return policy.with_columns(columns or {}) if columns else policy

    # -- serialization --------------------------------------------------------------------
    def to_dict(self) -> dict:
        """A plain dict (the TOML layout); :meth:`from_dict` reads it back."""
        doc: dict[str, Any] = {"format": TOML_FORMAT}
        doc["default"] = "error" if self.default is None else _action_value(self.default)
        if self.patient_column is not None:
            doc["patient_column"] = self.patient_column
        doc["date_shift_range"] = list(self.date_shift_range)
        doc["dayfirst"] = self.dayfirst
        # date-shift options: written only when they differ from the defaults
        if not self.never_zero:
            doc["never_zero"] = False
        if self.keep_weekday:
            doc["keep_weekday"] = True
        if self.date_window is not None:
            doc["date_window"] = {k: v for k, v in zip(("first", "last"), self.date_window) if v is not None}
        if self.text_dates is not None:
            doc["text_dates"] = self.text_dates
        columns = {}
        for column, action in self.columns.items():
            value = _action_value(action)
            role = self.column_roles.get(column)
            if role is not None:
                value = {**(value if isinstance(value, dict) else {"action": value}), "role": role}
            columns[column] = value
        doc["columns"] = columns
        if self.roles:
            doc["roles"] = {r: _action_value(a) for r, a in self.roles.items()}
        if self.text_operators:
            doc["text_operators"] = {
                e: op if isinstance(op, str) else {"operator": op[0], **op[1]}
                for e, op in self.text_operators.items()
            }
        return doc

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any], source: str = "policy") -> "Policy":
        if not isinstance(doc, Mapping):
            raise ValueError(f"{source}: a policy is a table")
        fmt = doc.get("format", TOML_FORMAT)
        if fmt != TOML_FORMAT:
            raise ValueError(f"{source}: policy format {fmt!r} is not supported (expected {TOML_FORMAT})")
        known = {"format", "default", "patient_column", "date_shift_range", "dayfirst", "columns",
                 "roles", "text_operators", "never_zero", "keep_weekday", "date_window", "text_dates"}
        unknown = sorted(set(doc) - known)
        if unknown:
            raise ValueError(f"{source}: unknown policy setting(s) {', '.join(unknown)}")
        text_ops = {}
        for entity, op in (doc.get("text_operators") or {}).items():
            if isinstance(op, Mapping):
                op = dict(op)
                name = op.pop("operator", None)
                if name is None:
                    raise ValueError(f"{source}: text operator for {entity!r} needs an 'operator' entry")
                op = (name, op)
            text_ops[entity] = op
        try:
            return cls(
                doc.get("columns") or {}, default=doc.get("default"), roles=doc.get("roles"),
                patient_column=doc.get("patient_column"),
                date_shift_range=tuple(doc.get("date_shift_range", (-365, 365))),
                dayfirst=doc.get("dayfirst", False), text_operators=text_ops,
                never_zero=doc.get("never_zero", True), keep_weekday=doc.get("keep_weekday", False),
                date_window=_window_from_doc(doc.get("date_window")), text_dates=doc.get("text_dates"),
            )
        except ValueError as exc:
            raise ValueError(f"{source}: {exc}") from None

    def to_toml(self, path: str | os.PathLike | None = None) -> str:
        """The policy as TOML text; also written (atomically) to ``path`` when given."""
        text = _toml.dumps(self.to_dict(), header="deid column policy (docs/tabular.md)")
        if path is not None:
            import tempfile

            target = Path(path)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
            try:
                with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                    fh.write(text)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return text

    @classmethod
    def from_toml(cls, path: str | os.PathLike) -> "Policy":
        """Read a policy from a TOML file (see :meth:`to_toml` and ``docs/tabular.md``)."""
        p = Path(path)
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise ValueError(f"policy file {str(p)!r} cannot be read: {exc.strerror}") from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"policy file {str(p)!r} is not UTF-8 text") from None
        return cls.from_toml_text(text, source=f"policy file {str(p)!r}")

    @classmethod
    def from_toml_text(cls, text: str, source: str = "policy") -> "Policy":
        """Read a policy from TOML text."""
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{source} is not valid TOML: {exc}") from None
        return cls.from_dict(doc, source)

    # -- comparison and display ---------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Policy) and self.to_dict() == other.to_dict()

    __hash__ = None  # mutable settings: not hashable

    def __repr__(self) -> str:
        default = "error" if self.default is None else str(self.default)
        return f"Policy({len(self.columns)} columns, default={default}, roles={len(self.roles)})"


def _action_value(action: Action):
    d = action.to_dict()
    return d["action"] if len(d) == 1 else d


def _names(columns: list[str], limit: int = 20) -> str:
    shown = ", ".join(repr(c) for c in columns[:limit])
    return shown + (f" and {len(columns) - limit} more" if len(columns) > limit else "")


def _check_range(value) -> tuple[int, int]:
    try:
        low, high = value
    except (TypeError, ValueError):
        raise ValueError("date_shift_range must be a pair (min_days, max_days)") from None
    if any(isinstance(v, bool) or not isinstance(v, int) for v in (low, high)):
        raise ValueError("date_shift_range must hold two integers")
    if low > high or low == high == 0:
        raise ValueError("date_shift_range must be (min_days, max_days) with min <= max, not both 0")
    return (low, high)


def _check_date_options(date_shift_range, never_zero, keep_weekday, window):
    """The date-shift options, checked; the window as (first, last) ISO strings / "today" / None."""
    from deid.transform._date_shift import _check_options, check_window

    for name, value in (("never_zero", never_zero), ("keep_weekday", keep_weekday)):
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false")
    try:
        _check_options(*date_shift_range, never_zero, keep_weekday)
        if window is None:
            return never_zero, keep_weekday, None
        check_window(window)
    except ValueError as exc:
        raise ValueError(f"date options: {exc}") from None
    first, last = window
    as_text = tuple(None if v is None else v if isinstance(v, str) else
                    (v.date() if hasattr(v, "date") and callable(v.date) else v).isoformat() for v in (first, last))
    return never_zero, keep_weekday, (None if as_text == (None, None) else as_text)


def _window_from_doc(value):
    if value is None:
        return None
    if not isinstance(value, Mapping) or set(value) - {"first", "last"}:
        raise ValueError("date_window must be a table with first and/or last (ISO dates or \"today\")")
    return (value.get("first"), value.get("last"))


def _check_text_operators(operators) -> dict[str, Any]:
    if not operators:
        return {}
    if not isinstance(operators, Mapping):
        raise ValueError("text_operators must map entity types to operators")
    out: dict[str, Any] = {}
    for entity, op in operators.items():
        if isinstance(op, list) and len(op) == 2:
            op = tuple(op)
        if isinstance(op, tuple):
            if len(op) != 2 or not isinstance(op[0], str) or not isinstance(op[1], Mapping):
                raise ValueError(f"text operator for {entity!r} must be a name or (name, params)")
            op = (op[0], dict(op[1]))
        elif not isinstance(op, str):
            raise ValueError(f"text operator for {entity!r} must be a name or (name, params)")
        out[entity] = op
    # the transformer checks entity types, operator names and parameters; the key is a
    # placeholder, nothing is transformed
    from deid.transform import Key, Transformer

    try:
        Transformer(Key(b"policy validation only, no data"), out)
    except ValueError as exc:
        raise ValueError(f"text_operators: {exc}") from None
    return out

"""What a policy does to one column: :class:`Action`, its parameters and their checks.

An action is a name and a few parameters (``Action("generalize", method="zip3")``). Every
check happens when the action is built, so a policy with an unknown action, kind, method or
parameter fails before any data is touched. Messages name the column (or role) and the
problem, never a cell value.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Mapping

from deid.transform import KINDS

#: Actions and what they do to a column.
ACTIONS: dict[str, str] = {
    "keep": "left as it is",
    "drop": "removed from the output",
    "pseudonym": "keyed pseudonym (PAT-3f9a...), the same as the text engine's pseudonym operator",
    "surrogate": "a consistent fake value of a kind (name, phone, email, address, ...)",
    "date_shift": "moved by the patient's keyed date offset (the same as in their notes)",
    "generalize": "coarsened: zip3, year, month, age_cap, age_band, interval or map",
    "suppress": "every value becomes missing",
    "free_text": "scrubbed by the text engine, with the row's patient id",
    "hash_id": "keyed pseudonym in the column's own key space, for joinable record ids",
}

#: Generalization methods and what they produce.
GENERALIZE_METHODS: dict[str, str] = {
    "zip3": "the first three digits of a ZIP code; restricted prefixes become 000",
    "year": "the year of a date (Int64); with max_age, birth years of people over max_age are top-coded",
    "month": "the year and month of a date, as text (2019-07)",
    "age_cap": "ages over 89 become 90 (numbers) or 90+ (text); younger ages stay",
    "age_band": "ages in bands of `width` years (40-44), top-coded at `top` (90+)",
    "interval": "numbers in intervals of `width` from `origin`, or between `bins` edges ([40, 50))",
    "map": "values replaced through `mapping`; unmapped values are an error unless `other` is set",
}

#: Three-digit ZIP prefixes of areas with 20,000 people or fewer (2000 census), which HIPAA
#: Safe Harbor requires to be replaced by 000 (45 CFR 164.514(b)(2)(i)(B)).
SAFE_HARBOR_RESTRICTED_ZIP3: tuple[str, ...] = (
    "036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830", "831",
    "878", "879", "884", "890", "893",
)

_INVALID = ("error", "suppress")

# parameter -> (checker, default); checkers raise ValueError(message) without the column
_Param = tuple[Any, Any]


def _str(name):
    def check(value):
        if not isinstance(value, str):
            raise ValueError(f"{name} must be text, not {type(value).__name__}")
        return value
    return check


def _int(name, minimum=None, maximum=None):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be an integer, not {type(value).__name__}")
        if minimum is not None and value < minimum:
            raise ValueError(f"{name} must be at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise ValueError(f"{name} must be at most {maximum}, got {value}")
        return value
    return check


def _number(name, positive=False):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise ValueError(f"{name} must be a number")
        if positive and value <= 0:
            raise ValueError(f"{name} must be positive, got {value}")
        return value
    return check


def _optional(check):
    def inner(value):
        return None if value is None else check(value)
    return inner


def _reference(value):
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise ValueError(f"reference must be an ISO date (YYYY-MM-DD), not {type(value).__name__}")
    try:
        return _dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError("reference must be an ISO date (YYYY-MM-DD)") from None


def _invalid(value):
    if value not in _INVALID:
        raise ValueError(f"invalid must be one of {', '.join(_INVALID)}, got {value!r}")
    return value


def _kind(value):
    if value not in KINDS:
        raise ValueError(f"unknown surrogate kind {value!r}; known kinds: {', '.join(KINDS)}")
    return value


def _zip_prefixes(value):
    if isinstance(value, str) or not hasattr(value, "__iter__"):
        raise ValueError("restricted must be a list of three-digit ZIP prefixes")
    out = []
    for p in value:
        if not (isinstance(p, str) and len(p) == 3 and p.isdigit() and p.isascii()):
            raise ValueError("restricted must hold three-digit ZIP prefixes written as text ('036')")
        out.append(p)
    return tuple(sorted(set(out)))


def _bins(value):
    if value is None:
        return None
    if isinstance(value, str) or not hasattr(value, "__iter__"):
        raise ValueError("bins must be a list of increasing numbers")
    edges = [_number("each bin edge")(v) for v in value]
    if len(edges) < 2 or any(b <= a for a, b in zip(edges, edges[1:])):
        raise ValueError("bins must hold at least two strictly increasing edges")
    return tuple(edges)


def _mapping(value):
    if not isinstance(value, Mapping) or not value:
        raise ValueError("mapping must be a non-empty table of value -> replacement")
    out = {}
    for k, v in value.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise ValueError("mapping keys and replacements must be text")
        out[k] = v
    return out


# action -> parameter -> (checker, default). A default of _REQUIRED must be given.
_REQUIRED = object()
_ACTION_PARAMS: dict[str, dict[str, _Param]] = {
    "keep": {},
    "drop": {},
    "suppress": {},
    "free_text": {},
    "pseudonym": {
        "prefix": (_str("prefix"), "PAT"),
        "length": (_int("length", 1, 64), 16),
        "namespace": (_str("namespace"), ""),
    },
    "hash_id": {
        "prefix": (_str("prefix"), ""),
        "length": (_int("length", 1, 64), 16),
        # None: the column's name, so each id column has its own key space
        "namespace": (_optional(_str("namespace")), None),
    },
    "surrogate": {"kind": (_kind, _REQUIRED)},
    "date_shift": {
        "max_age": (_optional(_int("max_age", 0, 150)), None),
        "reference": (_reference, None),
    },
    "generalize": {"method": (None, _REQUIRED)},  # parameters per method below
}
_METHOD_PARAMS: dict[str, dict[str, _Param]] = {
    "zip3": {
        "restricted": (_zip_prefixes, SAFE_HARBOR_RESTRICTED_ZIP3),
        "invalid": (_invalid, "error"),
    },
    "year": {
        "max_age": (_optional(_int("max_age", 0, 150)), None),
        "reference": (_reference, None),
        "invalid": (_invalid, "error"),
    },
    "month": {"invalid": (_invalid, "error")},
    "age_cap": {"top": (_int("top", 1, 150), 90), "invalid": (_invalid, "error")},
    "age_band": {
        "width": (_int("width", 1, 150), 5),
        "top": (_int("top", 1, 150), 90),
        "invalid": (_invalid, "error"),
    },
    "interval": {
        "width": (_optional(_number("width", positive=True)), None),
        "origin": (_number("origin"), 0),
        "bins": (_bins, None),
        "invalid": (_invalid, "error"),
    },
    "map": {"mapping": (_mapping, _REQUIRED), "other": (_optional(_str("other")), None)},
}
# the parameter a "name:value" shorthand fills ("surrogate:phone", "generalize:zip3")
_SHORTHAND = {"surrogate": "kind", "generalize": "method", "hash_id": "namespace"}


@dataclass(frozen=True)
class Action:
    """One column's treatment: an action name and its parameters, checked on creation.

    Parameters that are not given take their defaults, so two actions that do the same
    thing compare equal. ``str(action)`` is the compact form used in reports.

    >>> Action("generalize", method="zip3").params["restricted"][:3]
    ('036', '059', '063')
    >>> str(Action("surrogate", kind="phone"))
    'surrogate(kind=phone)'
    >>> Action("surrogate")
    Traceback (most recent call last):
    ...
    ValueError: surrogate needs kind
    """

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, name: str, params: Mapping[str, Any] | None = None, **kwargs):
        if not isinstance(name, str) or name not in ACTIONS:
            raise ValueError(f"unknown action {name!r}; known actions: {', '.join(ACTIONS)}")
        given = dict(params or {})
        given.update(kwargs)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "params", _check_params(name, given))

    @classmethod
    def parse(cls, spec, where: str = "") -> "Action":
        """An action from any accepted form, or ``ValueError`` prefixed with ``where``.

        Forms: an :class:`Action`; a name (``"keep"``), with ``:`` and the main parameter
        for surrogate, generalize and hash_id (``"surrogate:phone"``, ``"generalize:zip3"``);
        a mapping ``{"action": name, **params}``; a pair ``(name, params)``.
        """
        try:
            if isinstance(spec, Action):
                return spec
            if isinstance(spec, str):
                name, sep, arg = spec.partition(":")
                name = name.strip()
                if sep:
                    if name not in _SHORTHAND:
                        raise ValueError(f"action {name!r} takes no ':' argument")
                    return cls(name, {_SHORTHAND[name]: arg.strip()})
                return cls(name)
            if isinstance(spec, Mapping):
                params = dict(spec)
                params.pop("role", None)  # a note of where the action came from
                name = params.pop("action", None)
                if name is None:
                    raise ValueError("a table of settings needs an 'action' entry")
                return cls(name, params)
            if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[1], Mapping):
                return cls(spec[0], spec[1])
            raise ValueError(
                "an action is a name ('keep'), 'surrogate:phone', a table with 'action', or "
                f"(name, params), not {type(spec).__name__}"
            )
        except ValueError as exc:
            if where:
                raise ValueError(f"{where}: {exc}") from None
            raise

    @property
    def keyed(self) -> bool:
        """Whether the output depends on the secret key."""
        return self.name in ("pseudonym", "hash_id", "surrogate", "date_shift", "free_text")

    def to_dict(self) -> dict:
        """``{"action": name, **params}`` without parameters left at their defaults."""
        out: dict[str, Any] = {"action": self.name}
        for k, v in self.params.items():
            if v != _default_of(self.name, self.params, k):
                out[k] = list(v) if isinstance(v, tuple) else v
        return out

    def __str__(self) -> str:
        d = self.to_dict()
        d.pop("action")
        if not d:
            return self.name
        inner = ", ".join(f"{k}={_short(v)}" for k, v in d.items())
        return f"{self.name}({inner})"

    def __repr__(self) -> str:
        d = self.to_dict()
        d.pop("action")
        inner = "".join(f", {k}={v!r}" for k, v in d.items())
        return f"Action({self.name!r}{inner})"

    def __hash__(self) -> int:
        return hash((self.name, repr(sorted((k, repr(v)) for k, v in self.params.items()))))


def _short(value) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(map(str, value)) + "]" if len(value) <= 4 else f"[{len(value)} items]"
    if isinstance(value, Mapping):
        return f"{{{len(value)} items}}"
    return str(value)


def _default_of(name: str, params: Mapping, key: str):
    table = _ACTION_PARAMS[name]
    if key in table:
        return table[key][1]
    return _METHOD_PARAMS[params["method"]][key][1]


def _check_params(name: str, given: dict) -> dict:
    table = dict(_ACTION_PARAMS[name])
    if name == "generalize":
        method = given.get("method")
        if method is None:
            raise ValueError("generalize needs method (one of " + ", ".join(GENERALIZE_METHODS) + ")")
        if method not in _METHOD_PARAMS:
            raise ValueError(
                f"unknown generalize method {method!r}; known methods: {', '.join(GENERALIZE_METHODS)}"
            )
        table.pop("method")
        table.update(_METHOD_PARAMS[method])
    unknown = sorted(set(given) - set(table) - ({"method"} if name == "generalize" else set()))
    if unknown:
        accepted = sorted(table) + (["method"] if name == "generalize" else [])
        raise ValueError(
            f"{name} got unknown parameter(s) {', '.join(map(str, unknown))}; "
            f"it accepts: {', '.join(accepted) or 'none'}"
        )
    out: dict[str, Any] = {}
    if name == "generalize":
        out["method"] = given["method"]
    for param, (check, default) in table.items():
        if param in given:
            out[param] = check(given[param])
        elif default is _REQUIRED:
            raise ValueError(f"{name} needs {param}")
        else:
            out[param] = default
    if name == "generalize" and out["method"] == "interval":
        if (out["width"] is None) == (out["bins"] is None):
            raise ValueError("generalize method interval needs either width or bins (not both)")
    if name == "generalize" and out["method"] == "age_band" and out["top"] % out["width"]:
        raise ValueError("generalize method age_band needs top to be a multiple of width")
    return out

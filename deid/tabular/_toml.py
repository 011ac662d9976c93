"""A small TOML writer for policies (reading uses the standard library's ``tomllib``).

It writes the subset a policy needs: top-level tables whose values are strings, integers,
finite floats, booleans, arrays of those, and inline tables of them. Keys that are not bare
(``A-Za-z0-9_-``) are quoted; strings are TOML basic strings with escapes, so any column
name round-trips.
"""

from __future__ import annotations

import math
import re
from typing import Any, Mapping

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def quote(text: str) -> str:
    """A TOML basic string holding ``text`` exactly."""
    out = []
    for c in text:
        esc = _ESCAPES.get(c)
        if esc is not None:
            out.append(esc)
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04X}")
        elif 0xD800 <= ord(c) <= 0xDFFF:
            raise ValueError("text with a lone surrogate code point cannot be written as TOML")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def key(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) else quote(name)


def value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError("a policy cannot hold an infinite or NaN number")
        text = repr(v)
        return text if any(c in text for c in ".en") else text + ".0"
    if isinstance(v, str):
        return quote(v)
    if isinstance(v, Mapping):
        return "{ " + ", ".join(f"{key(str(k))} = {value(x)}" for k, x in v.items()) + " }" if v else "{}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(value(x) for x in v) + "]"
    raise ValueError(f"a policy cannot hold a value of type {type(v).__name__} in TOML")


def dumps(doc: Mapping[str, Any], header: str = "") -> str:
    """``doc``: plain keys first, then one ``[table]`` per mapping value."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    if lines:
        lines.append("")
    plain = {k: v for k, v in doc.items() if not isinstance(v, Mapping)}
    for k, v in plain.items():
        lines.append(f"{key(k)} = {value(v)}")
    for k, v in doc.items():
        if not isinstance(v, Mapping):
            continue
        if lines and lines[-1] != "":
            lines.append("")
        lines.append(f"[{key(k)}]")
        for kk, vv in v.items():
            lines.append(f"{key(str(kk))} = {value(vv)}")
    return "\n".join(lines) + "\n"

"""Build a note from pieces and record exact offsets: labels are right by construction.

A template is plain text with fields in braces:

* ``{slot}`` or ``{slot:arg}`` calls ``ctx.s_slot(arg)``, which returns a string or a list
  of pieces ``(text, entity_type or None, form or decoy kind)``;
* ``{~KIND:text}`` or ``{~KIND:a|b|c}`` writes a decoy (non-PHI trap) of that kind;
* ``{|a|b|c}`` writes one of the alternatives, which are templates themselves
  (``{|a|}`` may write nothing; ``{|seen {date}|none}`` nests a field).

The whole note is cased at once (upper, lower or as written), piece by piece, so offsets do
not move; every piece is ASCII, so casing never changes a length.
"""

from __future__ import annotations

import re

from ._model import Decoy, Span

_LIT, _SLOT, _DECOY, _ALT = 0, 1, 2, 3
_PARSED: dict[str, tuple] = {}


def _split_top(body: str, sep: str = "|") -> list[str]:
    """Split on ``sep`` outside nested braces."""
    out, depth, cur = [], 0, []
    for ch in body:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == sep and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def parse(template: str) -> tuple:
    """Template -> tuple of (op, a, b); cached, templates are module constants.

    Alternatives may nest fields: ``{|seen {date}|none}``."""
    got = _PARSED.get(template)
    if got is not None:
        return got
    ops = []
    i, n, lit_start = 0, len(template), 0
    while i < n:
        if template[i] != "{":
            i += 1
            continue
        depth, j = 0, i
        while j < n:
            if template[j] == "{":
                depth += 1
            elif template[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if j >= n:
            raise ValueError(f"unbalanced braces in template: {template!r}")
        if i > lit_start:
            ops.append((_LIT, template[lit_start:i], None))
        body = template[i + 1:j]
        if body.startswith("~"):
            kind, _, text = body[1:].partition(":")
            ops.append((_DECOY, kind, tuple(text.split("|"))))
        elif body.startswith("|"):
            ops.append((_ALT, tuple(parse(opt) for opt in _split_top(body[1:])), None))
        else:
            name, _, arg = body.partition(":")
            ops.append((_SLOT, "s_" + name, arg or None))
        i = lit_start = j + 1
    if lit_start < n:
        ops.append((_LIT, template[lit_start:], None))
    got = tuple(ops)
    _PARSED[template] = got
    return got


class NoteBuilder:
    """Accumulates text pieces and the spans and decoys among them."""

    __slots__ = ("parts", "spans", "decoys", "pos", "case", "noise")

    def __init__(self, case: str = "mixed", noise=None):
        self.parts: list[str] = []
        self.spans: list[Span] = []
        self.decoys: list[Decoy] = []
        self.pos = 0
        self.case = case
        #: optional str -> str applied to literal text only (typos, shorthand), never to
        #: PHI or decoys, so labels stay exact
        self.noise = noise

    def _cased(self, s: str) -> str:
        if self.case == "upper":
            return s.upper()
        if self.case == "lower":
            return s.lower()
        return s

    def text(self, s: str) -> None:
        if s:
            if self.noise is not None:
                s = self.noise(s)
            s = self._cased(s)
            self.parts.append(s)
            self.pos += len(s)

    def phi(self, s: str, entity_type: str, form: str = "") -> None:
        s = self._cased(s)
        start = self.pos
        self.parts.append(s)
        self.pos += len(s)
        self.spans.append(Span(start, self.pos, entity_type, form))

    def decoy(self, s: str, kind: str) -> None:
        s = self._cased(s)
        start = self.pos
        self.parts.append(s)
        self.pos += len(s)
        self.decoys.append(Decoy(start, self.pos, kind))

    def add(self, pieces) -> None:
        if isinstance(pieces, str):
            self.text(pieces)
            return
        for text, etype, tag in pieces:
            if etype is None:
                if tag:
                    self.decoy(text, tag)
                else:
                    self.text(text)
            else:
                self.phi(text, etype, tag)

    def render(self, template: str, ctx) -> None:
        self._run(parse(template), ctx)

    def _run(self, ops, ctx) -> None:
        rng = ctx.rng
        for op, a, b in ops:
            if op == _LIT:
                self.text(a)
            elif op == _SLOT:
                fn = getattr(ctx, a)
                self.add(fn(b) if b is not None else fn())
            elif op == _DECOY:
                self.decoy(b[0] if len(b) == 1 else rng.choice(b), a)
            else:
                self._run(a[rng.randrange(len(a))], ctx)

    def value(self) -> str:
        return "".join(self.parts)


# shorthand and misspellings nurses write; applied to template text only
_SHORTHAND = {
    "overnight": ("overnite", "o/n", "ON"), "with": ("w/", "w"), "without": ("w/o",),
    "received": ("recieved", "rec'd", "recvd"), "tolerating": ("tol", "tolerting", "tol'ing"),
    "bilat": ("bilaterally", "b/l", "bilat."), "secretions": ("secreations", "secs"),
    "family": ("fam", "famly"), "continue": ("cont", "cont."), "Cont": ("Continue", "cont'd"),
    "negative": ("neg", "(-)"), "and": ("&", "+", "an"), "at": ("@",), "appropriate": ("approp", "appropiate"),
    "medicated": ("medicted", "med'd"), "pressure": ("presure",), "aware": ("awre", "aware."),
    "this am": ("this a.m.", "this AM", "thism am"), "sent": ("snt",), "placed": ("placd",),
    "given": ("gvn", "given."), "needed": ("neded",), "oriented": ("orientated", "or"),
    "diminished": ("dim", "diminshed"), "clear": ("cl", "clr"), "bedside": ("bedsde", "BS"),
    "updated": ("upd", "updtd"), "called": ("calld",), "transfer": ("xfer", "tx"),
    "transferred": ("xferred", "tx'd"), "discharge": ("d/c",), "changed": ("chgd",),
    "increased": ("incr", "inc"), "decreased": ("decr", "dec"), "no ": ("no  ", "0 "),
}
_SHORTHAND_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _SHORTHAND), key=len, reverse=True)) + r")\b|(\. )|(, )")


def make_noise(rng, rate: float):
    """A noise function for :class:`NoteBuilder`: replaces words by shorthand or typos, and
    drops the space after some periods and commas, each with probability ``rate``."""

    def sub(m):
        if rng.random() >= rate:
            return m.group(0)
        if m.group(1):
            return rng.choice(_SHORTHAND[m.group(1)])
        return m.group(0)[0]  # ". " -> "."  and ", " -> ","

    def noise(s: str) -> str:
        return _SHORTHAND_RE.sub(sub, s)

    return noise

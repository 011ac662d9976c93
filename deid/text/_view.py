"""Per-text analysis shared by the recognizers: tokens, their shape, and the case style of
their line. Computed once per text, lazily, so a recognizer that needs none of it pays nothing.

Case style matters because clinical notes are often written entirely in upper case or
entirely in lower case, where capitalization says nothing about names.
"""

from __future__ import annotations

import re
from bisect import bisect_right

# A word: letters, with inner apostrophe parts of two letters or more ("O'Brien", "D'Angelo";
# a possessive "'s" is not part of the word). Hyphens split words ("Swan-Ganz").
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]{2,})*")
_CLITICS = frozenset({"s", "t", "d", "ll", "re", "ve", "m"})
_UPPER = re.compile(r"[A-Z\u00C0-\u00DE]")
_LOWER = re.compile(r"[a-z\u00DF-\u00FF]")

# shapes
UPPER, TITLE, LOWER, MIXED, INITIAL = "U", "T", "L", "M", "I"
# line styles
STYLE_UPPER, STYLE_LOWER, STYLE_MIXED = "upper", "lower", "mixed"


def word_shape(word: str) -> str:
    if len(word) == 1:
        return INITIAL if word.isupper() else LOWER
    if word.isupper():
        return UPPER
    if word.islower():
        return LOWER
    if word[0].isupper() and word[1:].islower():
        return TITLE
    return MIXED


class Token:
    """One word of the text (offsets into the analysed text)."""

    __slots__ = ("start", "end", "text", "lower", "shape", "style", "initial_pos", "index")

    def __init__(self, start, end, text, lower, shape, style, initial_pos, index):
        self.start = start
        self.end = end
        self.text = text
        self.lower = lower
        self.shape = shape
        self.style = style  # the case style of the token's line
        self.initial_pos = initial_pos  # first word of a line or sentence
        self.index = index

    def __repr__(self) -> str:  # no text: tokens may be PHI
        return f"Token({self.start}, {self.end}, shape={self.shape!r}, style={self.style!r})"


class TextView:
    """A text prepared for the recognizers. ``text`` is already normalized by the engine."""

    __slots__ = ("text", "_tokens", "_line_starts", "_line_styles", "_starts")

    def __init__(self, text: str):
        self.text = text
        self._tokens = None
        self._line_starts = None
        self._line_styles = None
        self._starts = None

    # -- lines ---------------------------------------------------------------------------
    def _lines(self):
        if self._line_starts is None:
            starts = [0]
            styles: list[str | None] = []
            text = self.text
            find = text.find
            pos = 0
            while True:
                nl = find("\n", pos)
                line = text[pos:] if nl < 0 else text[pos:nl]
                # A short line says little about the note's case style ("Smith" alone looks
                # title-case in an upper-case note): it takes the style of the nearest long
                # line before it (after it at the top of a note), else of the whole text.
                styles.append(_line_style(line) if _cased_count(line) >= 20 else None)
                if nl < 0:
                    break
                pos = nl + 1
                starts.append(pos)
            known = [st for st in styles if st is not None]
            if len(known) < len(styles):
                doc_style = _line_style(text) if len(text) < 65536 else _line_style(text[:65536])
                nxt = None
                following: list[str | None] = [None] * len(styles)
                for i in range(len(styles) - 1, -1, -1):
                    if styles[i] is not None:
                        nxt = styles[i]
                    following[i] = nxt
                prev = None
                for i, st in enumerate(styles):
                    if st is None:
                        styles[i] = prev or following[i] or doc_style
                    else:
                        prev = st
                    # a blank line ends a paragraph (notes joined into one text): no carry-over
                    if st is None and not text[starts[i] : starts[i + 1] if i + 1 < len(starts) else len(text)].strip():
                        prev = None
            self._line_starts = starts
            self._line_styles = styles
        return self._line_starts, self._line_styles

    def line_style_at(self, offset: int) -> str:
        starts, styles = self._lines()
        return styles[bisect_right(starts, offset) - 1]

    # -- tokens --------------------------------------------------------------------------
    @property
    def tokens(self) -> list[Token]:
        if self._tokens is None:
            self._tokens = self._tokenize()
        return self._tokens

    def _tokenize(self) -> list[Token]:
        text = self.text
        starts, styles = self._lines()
        tokens: list[Token] = []
        line_idx = 0
        n_lines = len(starts)
        next_line_start = starts[1] if n_lines > 1 else len(text) + 1
        prev_end = 0
        first_in_line = True
        for m in _WORD.finditer(text):
            s, e = m.span()
            while s >= next_line_start:
                line_idx += 1
                next_line_start = starts[line_idx + 1] if line_idx + 1 < n_lines else len(text) + 1
                first_in_line = True
            w = m.group()
            if s and text[s - 1] in "'\u2019" and w.lower() in _CLITICS:
                continue  # "pt's", "don't": the clitic is not a word of its own
            if first_in_line:
                initial = True
            else:
                gap = text[prev_end:s]
                initial = _ends_sentence(gap, text, prev_end)
            tokens.append(Token(s, e, w, w.lower(), word_shape(w), styles[line_idx], initial, len(tokens)))
            prev_end = e
            first_in_line = False
        return tokens

    def token_index_at(self, offset: int) -> int:
        """Index of the first token starting at or after ``offset``."""
        if self._starts is None:
            self._starts = [t.start for t in self.tokens]
        from bisect import bisect_left

        return bisect_left(self._starts, offset)


def _ends_sentence(gap: str, text: str, prev_end: int) -> bool:
    """Whether the characters between two words end a sentence (". ", "? ", ": ")."""
    g = gap.strip()
    if not g:
        return False
    if g[-1] in ".!?:;" or g[-1] in "-*•>" and g.startswith(g[-1]):
        # "Dr. Smith": a period after a title is not a sentence end; the name recognizer
        # handles titles itself, so here any period counts.
        return True
    return False


def _line_style(line: str) -> str:
    upper = len(_UPPER.findall(line)) if len(line) < 4096 else sum(1 for c in line if c.isupper())
    lower = len(_LOWER.findall(line)) if len(line) < 4096 else sum(1 for c in line if c.islower())
    cased = upper + lower
    if cased < 3:
        return STYLE_MIXED if cased else STYLE_UPPER
    if lower <= cased * 0.1:
        return STYLE_UPPER
    if upper <= max(1, cased * 0.02):
        return STYLE_LOWER
    return STYLE_MIXED


def _cased_count(line: str) -> int:
    if len(line) < 20:
        return 0
    return len(_UPPER.findall(line)) + len(_LOWER.findall(line))

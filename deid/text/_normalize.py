"""Make odd text detectable without losing track of offsets.

Most substitutions are one character for one character (so offsets do not move): NUL and
other control characters to a space, carriage returns to newlines, non-breaking and other
Unicode spaces to a space, full-width ASCII (``０７/２２``) to ASCII, Unicode dashes to
``-``, curly quotes to straight ones. Zero-width characters and soft hyphens, which split
words invisibly ("Jo\u200bhn"), are removed, and an index map takes offsets back to the
original text.
"""

from __future__ import annotations

import re
import unicodedata

_TABLE: dict[int, str] = {0: " "}
for _c in list(range(1, 9)) + [11, 12] + list(range(14, 32)) + [127]:
    _TABLE[_c] = " "
_TABLE[ord("\r")] = "\n"
for _c in (0x85, 0x2028, 0x2029):
    _TABLE[_c] = "\n"
for _c in (0xA0, 0x1680, 0x202F, 0x205F, 0x3000) + tuple(range(0x2000, 0x200B)):
    _TABLE[_c] = " "
for _c in range(0xFF01, 0xFF5F):  # full-width ASCII
    _TABLE[_c] = chr(_c - 0xFEE0)
for _c in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE58, 0xFE63):
    _TABLE[_c] = "-"
for _c in (0x2018, 0x2019, 0x201A, 0x201B, 0x2032, 0xFF07):
    _TABLE[_c] = "'"
for _c in (0x201C, 0x201D, 0x201E, 0x201F, 0x2033):
    _TABLE[_c] = '"'
_TABLE[0x2044] = "/"  # fraction slash
_TABLE[0xFF0F] = "/"

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e]+")
# a letter followed by combining marks (decomposed text, as pasted from macOS: "Nu\u0303n\u0303ez")
_COMBINING = re.compile("[^\u0300-\u036f][\u0300-\u036f]+")


def normalize(text: str) -> tuple[str, list[int] | None]:
    """Return ``(normalized, index_map)``; ``index_map`` is None when offsets are unchanged,
    else ``index_map[i]`` is the original offset of normalized character ``i`` (with one
    extra entry for the end of the text)."""
    norm = text.translate(_TABLE)
    zero = _ZERO_WIDTH.search(norm) is not None
    combining = _COMBINING.search(norm) is not None
    if not zero and not combining:
        return norm, None
    # Remove zero-width characters and compose letters with their combining marks ("n" +
    # U+0303 -> "ñ"), keeping for each output character the offset of its first source one.
    index_map: list[int] = []
    pieces: list[str] = []
    pos = 0
    pattern = _ZERO_WIDTH if not combining else re.compile(_ZERO_WIDTH.pattern + "|" + _COMBINING.pattern)
    for m in pattern.finditer(norm):
        s, e = m.span()
        pieces.append(norm[pos:s])
        index_map.extend(range(pos, s))
        chunk = m.group()
        if chunk[0] not in "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e":
            composed = unicodedata.normalize("NFC", chunk)
            pieces.append(composed)
            # each composed character maps to the start of its source cluster
            if len(composed) == 1:
                index_map.append(s)
            else:
                index_map.extend(range(s, s + len(composed)))
        pos = e
    pieces.append(norm[pos:])
    index_map.extend(range(pos, len(norm)))
    index_map.append(len(norm))
    return "".join(pieces), index_map


def to_original(start: int, end: int, index_map: list[int] | None) -> tuple[int, int]:
    """Map a normalized span back to the original text."""
    if index_map is None:
        return start, end
    # the end is where the next normalized character starts (a composed letter spans its marks)
    return index_map[start], index_map[end] if end > start else index_map[start]

"""A second look at ink the text detector left out: a lone "1", "%" or "*" in a table cell.

The detector finds text as regions at the engine's input scale; a mark a few pixels wide
(a single narrow digit, a percent sign alone in its column) can fall below what it keeps,
and its row then loses its value or unit. Here the page's ink outside every detected box is
looked at: marks of a text line's height, on a line that has text, are read with the
recogniser alone (no detection), and kept when it is sure. Table rules (long thin lines),
specks and pictures are left alone by their shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from statistics import median

import cv2
import numpy as np

from labintake.extract.document import Word

_MAX_READS = 40  # marks read per page at most (each read is a few milliseconds)
_SURE = 0.85  # the recogniser's score a mark needs to be kept
_MARK_TEXT = re.compile(r"^[\w%*+\-<>.,/↑↓()]{1,6}$")
# Characters a mark may be when its ink is far taller than wide (a "1", an "l", a bracket).
_NARROW = frozenset("1lIiJjtfr!|/\\()[]{}:;.,'`-↑↓")
_LATIN_MARK = re.compile(r"^[0-9A-Za-z%*+\-<>.,/↑↓()]{1,6}$")


def missed_marks(
    gray: np.ndarray, ink: np.ndarray, words: list[Word], read: Callable[[np.ndarray], tuple[str, float]]
) -> list[Word]:
    """Words for the marks of ``gray`` no word of ``words`` covers (pixel coordinates);
    ``ink`` is the page's :func:`~labintake.extract.rules.ink_of`, left as it was."""
    if len(words) < 5:
        return []
    h = median(w.y1 - w.y0 for w in words)
    if h < 6:
        return []
    ink = ink.copy()  # the words' boxes are blanked below
    pad = max(1, round(0.2 * h))
    rows, cols = ink.shape
    for w in words:
        ink[max(0, int(w.y0) - pad): min(rows, int(w.y1) + pad + 1), max(0, int(w.x0) - pad): min(cols, int(w.x1) + pad + 1)] = 0
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    marks = []
    for x, y, bw, bh, area in stats[1:n]:
        # (A detected box is taller than its letters: a digit's ink is about half its height.)
        if not (0.3 * h <= bh <= 1.1 * h and bw <= 1.6 * h and area >= 0.02 * h * h):
            continue  # a speck, a rule, a picture: not a character of this page's text
        if bw < 0.12 * bh:
            continue  # a cell border's piece is a line, not a "1"
        centre = y + bh / 2
        if not any(w.y0 - 0.3 * h <= centre <= w.y1 + 0.3 * h for w in words):
            continue  # on no line of text: a logo's part, a stamp
        marks.append((int(x), int(y), int(x + bw), int(y + bh)))
    found: list[Word] = []
    for x0, y0, x1, y1 in _grouped(sorted(marks, key=lambda m: (m[1], m[0])), h)[:_MAX_READS]:
        crop = gray[max(0, y0 - pad): y1 + pad + 1, max(0, x0 - pad): x1 + pad + 1]
        if crop.size == 0:
            continue
        text, score = read(np.ascontiguousarray(crop))
        if score < _SURE:
            # A glyph the recogniser cannot place tight-cropped (a monospace font's stacked "%"
            # on a noisy scan) often reads with room around it, as text on a page has, and
            # its ink as dark as the page's text (a faint mark on a photo is grey on grey).
            ch = crop.shape[0]
            stretched = _stretched(crop)
            roomy = cv2.copyMakeBorder(stretched, ch // 3, ch // 3, ch, ch, cv2.BORDER_CONSTANT, value=255)
            again = read(np.ascontiguousarray(roomy))
            if again[1] > score and _LATIN_MARK.match(again[0].strip()):
                text, score = again  # (padded, noise reads as a confident CJK character: not taken)
        text = text.strip()
        if len(text) == 1 and text not in _NARROW and (x1 - x0) < 0.4 * (y1 - y0):
            continue  # a sliver of ink read as a "C" or an "8": no such glyph is that narrow
        if score >= _SURE and _MARK_TEXT.match(text) and re.search(r"[^\W_]|[%*]", text):
            found.append(Word(text, float(x0), float(y0), float(x1), float(y1), float(min(score, 1.0))))
    return found


def _stretched(crop: np.ndarray) -> np.ndarray:
    """The crop's grey levels spread over 0..255 (min-max), so a faint mark is as dark as print."""
    lo, hi = int(crop.min()), int(crop.max())
    if hi <= lo:
        return crop
    return ((crop.astype(np.float32) - lo) * (255.0 / (hi - lo))).round().astype(np.uint8)


def _grouped(marks: list[tuple[int, int, int, int]], h: float) -> list[tuple[int, int, int, int]]:
    """Marks on one line and close together (the two parts of "%", "1.5") as one box."""
    out: list[list[int]] = []
    for x0, y0, x1, y1 in marks:
        for g in out:
            same_line = abs((g[1] + g[3]) / 2 - (y0 + y1) / 2) < 0.5 * h
            if same_line and x0 - g[2] < 0.6 * h and g[0] - x1 < 0.6 * h:
                g[:] = [min(g[0], x0), min(g[1], y0), max(g[2], x1), max(g[3], y1)]
                break
        else:
            out.append([x0, y0, x1, y1])
    return [(a, b, c, d) for a, b, c, d in out]

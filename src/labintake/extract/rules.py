"""Table rules the recogniser read as letters.

A table drawn as a grid has a vertical rule between every two columns. Where a cell beside a
rule is empty (no flag on a normal row), the text detector may box a piece of the rule as a
word of its own, and the recogniser reads it as the letter it looks like: "I", "l", "|" or
"1". That word then takes a column's place in the row (a unit "I" instead of the row's
"10^3/uL"). A glyph is a rule's piece when its ink runs on, unbroken, well above and below
the word's own box: a printed "l" or "1" ends with its line of text, a rule crosses the rows.
"""

from __future__ import annotations

import re

import cv2
import numpy as np

from labintake.extract.document import Word

# What a thin vertical stroke is read as.
_STROKE = re.compile(r"^[Il|!1\[\]丨ｌ]$")
_BEYOND = 0.6  # the unbroken ink must reach this share of the word's height above and below it


def ink_of(gray: np.ndarray) -> np.ndarray:
    """The page's ink as 1 and its paper as 0 (Otsu's threshold), computed once per page."""
    _, ink = cv2.threshold(gray, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return np.asarray(ink)


def without_rule_glyphs(ink: np.ndarray, words: list[Word]) -> list[Word]:
    """``words`` less those that are a piece of a vertical table rule (pixel coordinates);
    ``ink`` is the page's :func:`ink_of`."""
    candidates = [w for w in words if _STROKE.match(w.text)]
    if not candidates:
        return words
    rules = {id(w) for w in candidates if _crosses_rows(ink, w)}
    return [w for w in words if id(w) not in rules] if rules else words


def _crosses_rows(ink: np.ndarray, word: Word) -> bool:
    rows, cols = ink.shape
    h = word.y1 - word.y0
    if h <= 0:
        return False
    x0, x1 = max(0, int(word.x0) - 1), min(cols, int(word.x1) + 2)
    if x1 <= x0:
        return False
    # Per pixel row, is there ink anywhere across the word's width (a rule photographed at a
    # slight slant drifts a pixel or two over the rows).
    inked: np.ndarray = np.asarray(ink[:, x0:x1].any(axis=1))
    need = max(2, round(_BEYOND * h))
    top, bottom = int(word.y0) - need, int(word.y1) + need
    if top < 0 or bottom > rows - 1:
        return False  # the page's edge: cannot tell
    return bool(inked[top: bottom + 1].all())

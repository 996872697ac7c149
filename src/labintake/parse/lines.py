"""Words to lines, lines to segments (phrases separated by column-sized gaps).

Lines are grouped on each word's vertical centre with a tolerance taken from the word
heights, so slightly crooked scans (after deskew, a fraction of a degree remains) and
OCR boxes that differ by a few points still land on one line. A residual page slope is
estimated from the words themselves and removed before grouping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from statistics import median

from labintake.extract.document import Word

# A gap wider than this many line-heights separates two segments (table cells).
SEGMENT_GAP = 1.0


@dataclass(slots=True)
class Segment:
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def bold(self) -> bool:
        return all(w.bold for w in self.words)


@dataclass(slots=True)
class Line:
    page: int
    words: list[Word] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    _text: str | None = field(default=None, repr=False, compare=False)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = " ".join(w.text for w in self.words)
        return self._text

    @property
    def y0(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def y1(self) -> float:
        return max(w.y1 for w in self.words)

    @property
    def height(self) -> float:
        return median(w.y1 - w.y0 for w in self.words)


# Taller than this many median word heights: a watermark's box, not a line's word (a report's
# largest title is about three times its body text).
_WATERMARK_HEIGHT = 5.0


def build_lines(words: list[Word], page: int = 1) -> list[Line]:
    """Group a page's words into lines, top to bottom, each left to right."""
    words = [w for w in words if w.text.strip()]
    if not words:
        return []
    # A watermark ("SAMPLE", "COPY") printed large and slanted across the page reads as words
    # whose boxes span several lines: never text of a line, and they would join rows they cross.
    tallest = _WATERMARK_HEIGHT * median(w.y1 - w.y0 for w in words)
    words = [w for w in words if w.y1 - w.y0 <= tallest] or words
    slope = _page_slope(words)
    x_ref = median(w.x0 for w in words)

    def centre(w: Word) -> float:
        # Project onto the axis perpendicular to the text direction.
        return (w.y0 + w.y1) / 2 - slope * ((w.x0 + w.x1) / 2 - x_ref)

    ordered = sorted(words, key=centre)
    lines: list[tuple[float, float, list[Word]]] = []  # (centre, height, words)
    for w in ordered:
        c, h = centre(w), max(w.y1 - w.y0, 1.0)
        if lines:
            lc, lh, lw = lines[-1]
            # A word under one already on the line is on the next line: rows printed closer
            # than their height, pulled together by a table beside them with another pitch.
            if abs(c - lc) <= 0.5 * min(h, lh) + 0.5 and not any(_below(w, other) for other in lw):
                lw.append(w)
                n = len(lw)
                lines[-1] = ((lc * (n - 1) + c) / n, max(lh, h) if n < 3 else lh, lw)
                continue
        lines.append((c, h, [w]))
    out = []
    for _, _, lw in lines:
        lw.sort(key=lambda w: w.x0)
        line = Line(page, lw)
        line.segments = split_segments(lw)
        out.append(line)
    return out


def _below(a: Word, b: Word) -> bool:
    """``a`` sits under ``b``: they share more than half the narrower one's width, and ``a``
    is lower by more than a third of its height (a word printed twice for bold, or a mark
    drawn over a word, is not lower)."""
    shared = min(a.x1, b.x1) - max(a.x0, b.x0)
    lower = (a.y0 + a.y1) / 2 - (b.y0 + b.y1) / 2
    return shared > 0.5 * min(a.x1 - a.x0, b.x1 - b.x0) and lower > (a.y1 - a.y0) / 3


def split_segments(words: list[Word], gap: float = SEGMENT_GAP) -> list[Segment]:
    if not words:
        return []
    height = median(w.y1 - w.y0 for w in words)
    segments = [Segment([words[0]])]
    for prev, w in pairwise(words):
        if w.x0 - prev.x1 > gap * height:
            segments.append(Segment([w]))
        else:
            segments[-1].words.append(w)
    return segments


def _page_slope(words: list[Word]) -> float:
    """dy/dx of text lines, from pairs of horizontally neighbouring words on one line.

    Zero for text layers and deskewed scans; a small value for photos the deskew missed.
    """
    by_x = sorted(words, key=lambda w: w.x0)
    slopes = []
    for i, a in enumerate(by_x):
        ha = a.y1 - a.y0
        ca = (a.y0 + a.y1) / 2
        for b in by_x[i + 1 : i + 8]:
            dx = (b.x0 + b.x1) / 2 - (a.x0 + a.x1) / 2
            if dx <= ha:
                continue
            cb = (b.y0 + b.y1) / 2
            if abs(cb - ca) < 0.6 * ha and abs((b.y1 - b.y0) - ha) < 0.3 * ha:
                slopes.append((cb - ca) / dx)
    if len(slopes) < 5:
        return 0.0
    s = median(slopes)
    return s if abs(s) > 0.002 else 0.0

"""Performing-site and footnote marks printed after a test's name ("Hemoglobin ⁰¹"): not part
of the name, and not its value. Printed small and raised in a text layer; read at full size,
with the zero lost or misread, by OCR."""

from __future__ import annotations

import re

from labintake.parse import values
from labintake.parse.catalog import Catalog
from labintake.parse.lines import Line, Segment, split_segments

# A performing-site or footnote mark after the name, read by OCR at full size: "Sodium 01",
# "AST03", "Sodium 0 1", and with its zero lost or misread: "Platelet Count 1", "Chloride1",
# "Albumin θ1", "Total bilirubin a2", "Creatinine, Serum®3", "BUN“3", and its one read as a
# letter: "Calcium 0t", "T4, Free ol".
_SITE_MARK = re.compile(r"(.*?\S)\s?((?:0\s?|[θΘ®©°ºoOa“”\"'’‘`])?[1-9]|[0θΘoO][tlIi|])")
# A CJK name ends in a character: digits after it ("白细胞计数 0 1", "血红蛋白 2") are a mark.
_CJK_END = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]$")


def without_site_mark(name: str, catalog: Catalog) -> str:
    """``name`` without a trailing site mark, when only the name without it is a known test.

    A digit that belongs to the name stays: the full name is known ("Vitamin B12"), or the
    digit follows one or two capitals or a digit ("Vitamin D3", "FT4", "C3"), as names print
    them; after an abbreviation of three or more ("AST3") it is a mark.
    """
    m = _SITE_MARK.fullmatch(name)
    if m is None:
        return name
    base, mark = m.group(1), m.group(2)
    if _CJK_END.search(base):  # zero-led ("0 3") is a mark whatever the name; "2" when the name is known
        return base if mark[0] == "0" or catalog.match(base)[0] is not None else name
    if not (mark[0] in "0“”\"'’‘`" or re.search(r"([a-z]{2}|\)|\b[A-Z]{3,})$", base)):
        return name
    if catalog.match(name)[0] is not None or catalog.match(base)[0] is None:
        return name
    return base


def site_code(segs: list[Segment], hints: list[str | None], i: int) -> bool:
    """A short number after the name that is followed by the real value: a performing-
    site or footnote mark read at full size (OCR) or printed as its own cell."""
    if i + 1 >= len(segs) or not re.fullmatch(r"\d{1,2}", segs[i].text):
        return False
    nxt = values.parse_value(segs[i + 1].text)
    if nxt is None or nxt.value is None:
        return False
    return hints[i] == "name" or (hints[i] is None and segs[i].text.startswith("0"))


def without_superscripts(line: Line) -> list[Segment]:
    """The line's segments without performing-site superscripts (``Hemoglobin ⁰¹``):
    short digits or letters printed smaller than the line and raised above it."""
    words = line.words
    if len(words) < 2:
        return line.segments
    heights = [w.y1 - w.y0 for w in words]
    if min(heights) >= 0.75 * max(heights):
        return line.segments  # all one size: the common case, decided cheaply
    heights.sort()
    h = heights[len(heights) // 2]
    centre = sorted((w.y0 + w.y1) / 2 for w in words)[len(words) // 2]
    small = [w for w in words[1:]
             if w.y1 - w.y0 < 0.75 * h and (w.y0 + w.y1) / 2 < centre - 0.15 * h
             and re.fullmatch(r"\d{1,2}|[A-Za-z]{1,2}|\d[A-Za-z]", w.text)]
    if not small:
        return line.segments
    drop = {id(w) for w in small}
    return split_segments([w for w in words if id(w) not in drop])

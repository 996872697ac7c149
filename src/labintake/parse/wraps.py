"""Lines that continue the row above them: the rest of a wrapped name or unit, and
more ranges printed under the row's range (one per sex or age group)."""

from __future__ import annotations

import re
from statistics import median
from typing import TYPE_CHECKING

from labintake.domain.schemas import ReferenceRange
from labintake.parse import values
from labintake.parse.catalog import Catalog
from labintake.parse.cells import UNIT_SHAPE
from labintake.parse.inline import cell_rank
from labintake.parse.lines import Line, split_segments
from labintake.parse.marks import without_site_mark

if TYPE_CHECKING:
    from labintake.parse.table import RawRow


def tight(upper: Line, lower: Line) -> bool:
    """Two lines of one wrapped cell: the gap between them is a fraction of a line. OCR boxes
    carry padding, so lines set solid overlap by up to a third of their height or more; two
    lines that overlap by half would have been read as one. The overlap is measured between
    the lines' typical words: one tall box (the descender of a ``μ``, a superscript, a
    bracket) reaches into the next line without the lines overlapping."""
    h = min(upper.height, lower.height)
    typical_gap = median(w.y0 for w in lower.words) - median(w.y1 for w in upper.words)
    return upper.page == lower.page and -0.5 * h <= typical_gap and lower.y0 - upper.y1 < 0.6 * h + 1


def continues_name(line: Line, prev: tuple[Line, RawRow], catalog: Catalog) -> bool:
    """``line`` holds the rest of the previous row's name (it wrapped in its column)."""
    prev_line, row = prev
    if len(line.segments) != 1 or not tight(prev_line, line):
        return False
    if not row.value_words or line.words[0].x0 >= row.value_words[0].x0 - 2:
        return False  # not in the name column
    text = name_text(line)
    if values.parse_value(text) is None and values.parse_range(text) is None and (
            _cut_off(row.name) or re.fullmatch(r"\([^()]*\)", text)):
        return True  # "Leucociti (ICD-9:" / "V21)", "Vitamin D," / "25-Hydroxy", "(ICD-9: O57)"
    # Digits inside brackets are a code or a qualifier ("Phosphatase (ICD-9:"), not a value.
    core = re.sub(r"\([^)]*\)?", " ", text).strip()
    if re.search(r"\d", core):
        # "Alkaline" / "Phosphatase3": the rest of a name with the site mark OCR read at full
        # size, when the whole name is a test's without it.
        joined = without_site_mark(f"{row.name} {core}", catalog)
        return (not re.search(r"\d", joined[len(row.name):]) and catalog.match(joined)[0] is not None
                and (core[:1].islower() or catalog.match(row.name)[0] is None))
    if text.startswith("(") or text[:1].islower():
        return True
    return bool(core) and better_joined(catalog, row.name, core, row.name)


# A site mark OCR read at full size at the end of a wrapped name: digits after a CJK
# character ("量 0 1", "度 3") or a closing bracket ("(AST/SGOT)3"), or a zero-led pair after a
# word ("Concentration 01").
_FULL_SIZE_MARK = re.compile(r"(?:(?<=[\u3400-\u4dbf\u4e00-\u9fff)])\s*(?:0\s?)?[1-9]|(?<=[A-Za-z])\s+0\s?[1-9])$")


def name_text(line: Line) -> str:
    """The line's text without performing-site marks ("量 ⁰³"): one or two digits printed
    smaller than the rest, or read at full size where no name has digits."""
    top = max(w.y1 - w.y0 for w in line.words)
    words = [w.text for w in line.words
             if not (re.fullmatch(r"\d{1,2}", w.text) and w.y1 - w.y0 < 0.75 * top)]
    return _FULL_SIZE_MARK.sub("", " ".join(words).strip())


def _cut_off(name: str) -> bool:
    """The name stops where no name ends: inside brackets, or after a comma or hyphen."""
    return name.count("(") > name.count(")") or name.rstrip().endswith((",", "-", "/", "&"))


def split_at_value(line: Line, row: RawRow) -> tuple[Line, Line] | None:
    """The line cut where the row's value starts: its name-column part and the rest
    ("W25)  …  W: 120 - 160": the rest of a wrapped name, and a range under the range)."""
    if not row.value_words or len(line.segments) < 2:
        return None
    x = row.value_words[0].x0 - 2
    left = [w for w in line.words if w.x1 <= x]
    right = [w for w in line.words if w.x1 > x]
    if not left or not right:
        return None
    return Line(line.page, left, split_segments(left)), Line(line.page, right, split_segments(right))


def range_below(line: Line, prev: tuple[Line, RawRow]) -> ReferenceRange | None:
    """The next line holds only another range for one sex or group ("F: 12-16",
    "Children: 100-400"), under the row's range cell."""
    prev_line, row = prev
    if row.range is None or len(line.segments) != 1 or not tight(prev_line, line):
        return None
    cell = next(((x0, x1) for k, x0, x1 in row.cells if k == "range"), None)
    # Under the range cell: overlapping it, and right of the value.
    value_x1 = max((x1 for k, _, x1 in row.cells if k == "value"), default=0.0)
    if cell is None or line.words[-1].x1 < cell[0] or line.words[0].x0 > cell[1] or line.words[0].x0 <= value_x1:
        return None
    sex, _ = values.sex_of_range(line.text)
    return values.parse_range(line.text) if sex is not None else values.labelled_range(line.text)


def range_under(line: Line, prev: tuple[Line, RawRow]) -> ReferenceRange | None:
    """The row printed no range, and the line right under it is one labelled range cell
    ("Standard range: 12.0 - 15.5 g/dL", as a portal prints it under the value), or a range
    of two bounds alone, right of the value (a curled page's photo pushed it a line down)."""
    prev_line, row = prev
    if row.range is not None or not tight(prev_line, line) or len(line.segments) != 1:
        return None
    if cell_rank(line) != 3:
        value_x1 = max((x1 for k, _, x1 in row.cells if k == "value"), default=None)
        rng = values.parse_range(line.text) if value_x1 is not None and line.words[0].x0 > value_x1 else None
        return rng if rng is not None and rng.low is not None and rng.high is not None else None
    words = line.text.split(":", 1)[1].split()
    # The range, and perhaps the unit after it ("12.0 - 15.5 g/dL").
    for cut in range(len(words), max(0, len(words) - 2), -1):
        rest = " ".join(words[cut:])
        if (rng := values.parse_range(" ".join(words[:cut]))) is not None and (not rest or UNIT_SHAPE.match(rest)):
            return rng
    return None


def continues_unit(line: Line, prev: tuple[Line, RawRow]) -> bool:
    """``line`` holds the rest of the previous row's unit (``x10^3/`` over ``uL``): one
    short word, right under the unit cell, and the unit ends as if cut off."""
    prev_line, row = prev
    if row.unit is None or len(line.words) != 1 or not tight(prev_line, line):
        return False
    unit_cell = next(((x0, x1) for k, x0, x1 in row.cells if k == "unit"), None)
    word = line.words[0]
    if unit_cell is None or abs(word.x0 - unit_cell[0]) > 6 or len(word.text) > 8:
        return False
    return row.unit.endswith(("/", "^", "*", "x", "·")) and bool(UNIT_SHAPE.match(word.text))


def better_joined(catalog: Catalog, first: str, second: str, alone: str) -> bool:
    joined, joined_score = catalog.match(f"{first} {second}")
    single, single_score = catalog.match(alone)
    return joined is not None and (single is None or joined_score > single_score)

"""A header's cells: text normalised for label matching, and where the header ends.

The unlabelled header forms (a label alone in its cell, stacked labels, a name under a
heading) are read only above the first result table of each page; :func:`table_starts`
finds it, so a header value is never taken from the results.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass

from labintake.parse import header_labels as hl
from labintake.parse.dates import parse_date
from labintake.parse.lines import Line
from labintake.parse.person import parse_sex

_CJK_CHAR = r"[\u3400-\u9fff\uff1a]"
_CJK = re.compile(_CJK_CHAR)
_CJK_ONLY = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]+")  # a run of CJK characters (kana too)
_CJK_TAIL = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]+$")
# Words of a result table's column header, for reports whose table the row reader's own
# header words miss (Chinese).
_TABLE_WORDS = re.compile(r"^(?:项目(?:名称)?|结果|检验结果|单位|参考值|参考范围|参考区间|提示|序号|代码)$")
_NUMBER = re.compile(r"^[<>≤≥]?\s*\d+(?:[.,]\d+)?\s*[↑↓*HLhl]?$")

@dataclass(slots=True)
class Cell:
    text: str
    x0: float
    x1: float


@dataclass(slots=True)
class HeaderLine:
    page: int
    y0: float
    y1: float
    cells: list[Cell]

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.cells)

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 1.0)


def normalise(text: str) -> str:
    # NFKC: OCR returns full-width punctuation ("：") for Chinese and Japanese text.
    t = unicodedata.normalize("NFKC", text)
    if _CJK.search(t):
        # OCR reads Chinese one character per word ("姓 名 : 丁 刚", "2 0 2 5 - 1 0"): join
        # single characters into words. Words of several characters keep the space between
        # them: "山田 花子" is a Japanese family and given name as printed.
        tokens = t.split()
        out = tokens[:1]
        for prev, tok in itertools.pairwise(tokens):
            before, after = _CJK_TAIL.search(prev), _CJK_ONLY.match(tok)
            two_words = before is not None and after is not None and min(len(before[0]), len(after[0])) > 1
            if ((_CJK.match(tok[0]) or _CJK.match(prev[-1])) and not two_words) or (len(tok) == 1 and len(prev) == 1):
                out[-1] += tok
            else:
                out.append(tok)
        # A date run into its time ("2025-10-0302:53:04") once the digits are joined.
        t = re.sub(r"(\d{4}-\d{2}-\d{2})(?=\d{1,2}:\d{2})", r"\1 ", " ".join(out))
    return t


def cells_of(line: Line) -> list[Cell]:
    segs = line.segments or []
    if not segs:
        return [Cell(normalise(line.text), min((w.x0 for w in line.words), default=0.0),
                     max((w.x1 for w in line.words), default=0.0))]
    cells: list[Cell] = []
    for seg in segs:
        text = normalise(seg.text)
        prev = cells[-1] if cells else None
        # Two-character Chinese labels are printed letter-spaced to line up with longer
        # ones ("姓    名"): a lone character belongs to the next cell.
        if prev is not None and len(prev.text) == 1 and _CJK.match(prev.text) and _CJK.match(text[:1] or " "):
            prev.text, prev.x1 = prev.text + text, seg.x1
            continue
        cells += _split_at_bars(Cell(text, seg.x0, seg.x1))
    return cells


_BAR = re.compile(r"\s*[|¦]\s*")


def _split_at_bars(cell: Cell) -> list[Cell]:
    """``Jane Doe | F | DOB 02/14/1980 | MRN 0099812``: a bar separates fields as a gap does,
    so each field is a cell of its own (its place estimated from its characters)."""
    if "|" not in cell.text and "¦" not in cell.text:
        return [cell]
    per_char = (cell.x1 - cell.x0) / max(len(cell.text), 1)
    out, start = [], 0
    for m in [*_BAR.finditer(cell.text), None]:
        end = m.start() if m is not None else len(cell.text)
        part = cell.text[start:end].strip()
        if part:
            out.append(Cell(part, cell.x0 + start * per_char, cell.x0 + end * per_char))
        start = m.end() if m is not None else end
    return out or [cell]


def prepare(lines: list[Line]) -> list[HeaderLine]:
    return [HeaderLine(ln.page, ln.y0, ln.y1, cells_of(ln)) for ln in lines if ln.words]


bare_label = hl.bare_label


def has_labels(text: str) -> bool:
    # Every inline label ends in ":", "#" or "-": most cells have none, and need no search.
    return (":" in text or "#" in text or "-" in text) and hl.LABEL_RE.search(text) is not None


def labelish(text: str) -> bool:
    t = text.lstrip()
    return bool((":" in t or "#" in t or "-" in t) and hl.LABEL_RE.match(t)) or bare_label(text) is not None


def table_starts(lines: list[HeaderLine]) -> dict[int, int]:
    """Per page, the index of the first line of a result table (header zone ends there)."""
    from labintake.parse.table import find_header  # the row reader's column-header test

    starts: dict[int, int] = {}
    for i, line in enumerate(lines):
        if line.page in starts:
            continue
        # The values under a row of stacked labels look like a row of results.
        under_labels = i > 0 and lines[i - 1].page == line.page and _all_labels(lines[i - 1])
        if _is_table_line(line, find_header, numbers=not under_labels):
            starts[line.page] = i
    return starts


def _all_labels(line: HeaderLine) -> bool:
    return all(bare_label(c.text) or re.fullmatch(r".*[:：]\s*", c.text) and labelish(c.text)
               for c in line.cells)


def _is_table_line(line: HeaderLine, find_header, *, numbers: bool = True) -> bool:
    cells = line.cells
    if len(cells) < 3:
        return False
    if sum(bool(_TABLE_WORDS.match(c.text)) for c in cells) >= 2:
        return True
    # A label starts a cell ("DOB: …", or "DOB 03/12/1981" with no colon): a header line.
    if any(bare_label(c.text) or has_labels(c.text) or prefixed(c.text, lambda *_, **__: None) for c in cells):
        return False
    if find_header(_as_line(cells)) is not None:
        return True
    # A row of results: a name, then a number in a cell of its own.
    return numbers and any(_NUMBER.match(c.text) for c in cells[1:])


def _as_line(cells: list[Cell]) -> Line:
    """A :class:`Line` of the cells, for the row reader's table-header test."""
    from labintake.extract.document import Word
    from labintake.parse.lines import Segment

    words, segments = [], []
    for c in cells:
        w = Word(c.text, c.x0, 0.0, c.x1, 10.0, 1.0, False)
        words.append(w)
        segments.append(Segment([w]))
    return Line(1, words, segments)


# Fields whose value is checked when read (a date parses, a sex word, a name's shape),
# so a label without a colon in front of it is safe to take.
_CHECKED_FIELDS = {"name", "dob", "sex", "age_sex", "dob_age", "dob_sex", "collected", "reported", "received"}


# A record number: four or more digits, perhaps a letter prefix or a dash ("0099812", "K-123456").
_IDENTIFIER = re.compile(r"[A-Z]{0,3}-?\d[\d-]{3,}")
_COMPOUND = re.compile(r"^(?P<labels>[^:：/]+(?:/[^:：/]+)+?)\s*[:：]\s*(?P<values>\S.*)$")


def compound(text: str, add) -> bool:
    """``Patient Name/Age/Sex: John Smith / 45Y / M``: labels joined by slashes, each with the
    value in the same place among the value's slashes; the patient's fields are taken."""
    m = _COMPOUND.match(text)
    labels = [p.strip() for p in m.group("labels").split("/")] if m else []
    parts = [p.strip() for p in m.group("values").split("/")] if m else []
    if len(labels) < 3 or len(parts) != len(labels) or any(bare_label(p) is None for p in labels):
        return False  # two ("Age/Sex", "DOB/Age") are labels of their own
    for label, value in zip(labels, parts, strict=True):
        if (field := hl.field_of(bare_label(label) or "")) in ("name", "dob", "sex", "mrn"):
            add(field, label, value)
    return True


def prefixed(text: str, add) -> bool:
    """``DOB 01/02/1980``: a checked field's label starting the cell, without a colon."""
    m = hl.PREFIX_LABEL_RE.match(text)
    if m is None:
        return False
    return _checked(hl.field_of(m.group(1)), m.group(1), text[m.end() :], add)


def misread_label(text: str, add) -> bool:
    """``Data de cokheita: 12/01/2025``: a checked field's label with one letter misread by OCR,
    then a colon and a value that fits the field."""
    label, colon, value = text.partition(":")
    if not colon or not value.strip() or not label.strip():
        return False
    return _checked(hl.near_field(label.strip()), label.strip(), value, add)


def _checked(field: str | None, label: str, value: str, add) -> bool:
    """Add ``value`` to ``field`` if it has the shape the field's values have."""
    if field == "mrn" and _IDENTIFIER.fullmatch(value.strip()):
        add(field, label, value, weak=True)  # "MRN 0099812": a record number is checked by its shape
        return True
    if field not in _CHECKED_FIELDS:
        return False
    if field in ("sex", "age_sex") and parse_sex(value) is None:
        return False
    if field not in ("name", "sex", "age_sex") and parse_date(value) is None:
        return False
    add(field, label, value, weak=True)
    return True


def embedded(value: str, add) -> str:
    """``Jane Doe, DOB 14/02/1958``: a checked field's label without a colon inside a labelled
    value, after a comma or a wide space; it is taken (see :func:`prefixed`) and the value
    ends before it."""
    for m in re.finditer(r"(?:,|;|\s{2,}|\s\|)\s*", value):
        if prefixed(value[m.end():], add):
            return value[: m.start()]
    return value

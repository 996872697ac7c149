"""Rows printed as running text rather than in columns: ``Hemoglobin: 13.5 g/dL (12.0-16.0)``,
``Glucose ........ 112 mg/dL  70-99``, ``T4, Free 1.21 ng/dL``. The name is split from its cells
where the page marks the boundary (a colon, dot leaders) or where a value is followed by a
unit or range, so the row reader sees the same cells a table would give it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from itertools import pairwise
from typing import Any

from labintake.extract.document import Word
from labintake.parse import values
from labintake.parse.catalog import Catalog
from labintake.parse.lines import Line, Segment, split_segments

_LEADER = re.compile(r"[.·…_]{2,}:?|[.·…_\-]{3,}:?")  # "..........", "______", "- - -" runs between name and value
# "Hemoglobin......", "CO2.....:"; two dots left of a leader OCR read in part ("GLUCOSE..").
_TRAILING_LEADER = re.compile(r"(?<=[^\W_]|[)\]])[.·…_]{2,}:?$")


def split_cells(segs: list[Segment], catalog: Catalog) -> list[Segment]:
    """``segs`` with dot leaders dropped and each name split from the value run after it."""
    out: list[Segment] = []
    for i, seg in enumerate(segs):
        if i + 1 < len(segs) and _CELL_LABEL.fullmatch(_unaccented(" ".join(w.text for w in seg.words))):
            continue  # a cell's label set apart from its value ("Resultado:      92")
        words = _without_cell_label(_unglued(_without_leaders(seg.words)))
        if not words:
            continue
        cut = _name_end(words, catalog)
        if cut is None:
            out.append(Segment(words))
        else:
            out.extend((Segment(words[:cut]), Segment(words[cut:])))
    return out


def _unaccented(text: str) -> str:
    """``Valores de Referência`` as ``Valores de Referencia``: labels match without accents."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


# A cell's own label, printed before its value where each test is a card rather than a
# table row: "Result: 12.8 g/dL", "Reference range: 12.0 - 15.5", "Your value: 9". The
# value's labels and the range's, in the order a row's cells are read.
_RESULT_WORDS = r"(?:your\s+)?(?:result|value)|résultat|ergebnis|resultado|risultato|wert|valeur"
_UNIT_WORDS = r"units?|einheit|unité|unidad(?:es)?|unidade|unità"
_RANGE_LABEL = (r"(?:your\s+)?(?:reference(?:\s+(?:range|interval|values?))?|ref\.?\s+range|normal\s+range|"
                r"standard\s+range|range|optimal\s+range|expected)|référence|referencia|riferimento|"
                r"referenzbereich|normalbereich|(?:valor(?:es)?|intervalo)\s+de\s+referencia|valeurs?\s+de\s+référence")
_CELL_LABEL = re.compile(_unaccented(rf"(?:{_RESULT_WORDS}|flag|{_UNIT_WORDS}|{_RANGE_LABEL})\s*:"), re.IGNORECASE)
_LABEL_RANK = tuple((re.compile(f"(?i){_unaccented(words)}"), rank)
                    for rank, words in enumerate((_RESULT_WORDS, "flag", _UNIT_WORDS, _RANGE_LABEL)))


def cell_rank(line: Line) -> int | None:
    """Where a line that is one labelled cell ("Normal range: 100 - 199 mg/dL") goes in its
    row (0 value, 1 flag, 2 unit, 3 range), or None when it is not such a line."""
    # The label is the line's first cell, or begins it; a value set apart from its label
    # ("Resultado:      92   mg/dL") is the same cell.
    if not line.segments or ":" not in line.segments[0].text:
        return None
    label, rest = line.text.split(":", 1)
    if not rest.strip():
        return None
    label = _unaccented(label.strip())
    return next((rank for pattern, rank in _LABEL_RANK if pattern.fullmatch(label)), None)


def join_stacked_cells(lines: list[Line]) -> list[Line]:
    """A card whose cells are stacked one per line under the test's name, as a phone shows a
    portal's result ("Cholesterol" / "Normal range: 100 - 199 mg/dL" / "Value: 214 (H)"):
    the labelled lines are joined into one line, its cells in a row's order, so the row
    reader sees value, flag, unit and range together (and the name above as a card's)."""
    out: list[Line] = []
    ranks = [cell_rank(ln) for ln in lines]
    for k in range(len(ranks) - 1):
        if ranks[k] is None and ranks[k + 1] in (2, 3) and _bare_value(lines[k]):
            ranks[k] = 0  # "11.2 g/dL  Low" over "Standard range: 12.0 - 15.5 g/dL": the value, unlabelled
        elif ranks[k] in (2, 3) and ranks[k + 1] is None and _bare_value(lines[k + 1]):
            ranks[k + 1] = 0  # ... or under it ("Normal range: 65 - 99 mg/dL" over "104 mg/dL  High")
    i = 0
    while i < len(lines):
        j = i + 1  # the group is lines[i:j]
        while (ranks[i] is not None and j < len(lines) and j - i < 4 and ranks[j] is not None
               and lines[j].page == lines[j - 1].page
               and -0.5 * lines[j - 1].height <= lines[j].y0 - lines[j - 1].y1 < 1.5 * lines[j - 1].height):
            j += 1
        group = [(rank, ln) for rank, ln in zip(ranks[i:j], lines[i:j], strict=True) if rank is not None]
        kinds = [rank for rank, _ in group]
        if j - i < 2 or 0 not in kinds or len(set(kinds)) < len(kinds):
            out.append(lines[i])
            i += 1
            continue
        ordered = [ln for _, ln in sorted(group, key=lambda p: p[0])]
        out.append(Line(lines[i].page, [w for ln in ordered for w in ln.words],
                        [seg for ln in ordered for seg in _flag_apart(ln.segments)]))
        i = j
    return out


def _flag_apart(segments: list[Segment]) -> list[Segment]:
    """A card's unlabelled value line read as one cell ("104 mg/dL High", OCR joining a
    small gap): its trailing flag word is a cell of its own, as it would be in a table."""
    if len(segments) != 1 or len(words := segments[0].words) < 2 or ":" in segments[0].text:
        return segments
    if values.parse_flag(words[-1].text) is None or values.parse_value(words[0].text) is None:
        return segments
    return [Segment(words[:-1]), Segment(words[-1:])]


def _bare_value(line: Line) -> bool:
    """A line that begins with a number: no name before it, so a card's value printed
    without its label ("11.2 g/dL  Low")."""
    first = values.parse_value(line.words[0].text) if line.words else None
    return first is not None and first.value is not None


def split_results(lines: list[Line], catalog: Catalog) -> list[Line]:
    """A line of running text holding several results, as a doctor's letter lists them
    ("Hb 128 g/L (130-170), WCC 6.2 x10^9/L (4.0-11.0), Plt 210."): one line per result,
    cut after a comma, semicolon or full stop where each piece is a catalogued name and a
    value. Anything else is left as it was."""
    out: list[Line] = []
    for line in lines:
        pieces = _result_pieces(line.words, catalog)
        if pieces is None:
            out.append(line)
            continue
        for words, at in pieces:
            last = words[-1]
            words[-1] = Word(last.text.rstrip(",;."), last.x0, last.y0, last.x1, last.y1, last.confidence,
                             last.bold, last.coloured)
            # The name is a cell of its own: a short one ("K 5.6 mmol/L") is no less a name here.
            out.append(Line(line.page, words, [Segment(words[:at]), *split_segments(words[at:])]))
    return out


def _result_pieces(words: list[Word], catalog: Catalog) -> list[tuple[list[Word], int]] | None:
    """The pieces of a line of several results, each with where its value starts; None
    unless every piece is a name followed by a value, and all of the names but one (OCR's
    "PIt") are catalogued."""
    # A cut is a word space in running text: a gap as wide as the letters are tall is a table's
    # column gap ("0,53  [H].   Kan  0,40 - 0,52": a speck after a flag, then the specimen).
    cuts = [i + 1 for i, w in enumerate(words[:-1])
            if w.text.endswith((",", ";", ".")) and words[i + 1].text[:1].isalpha()
            and words[i + 1].x0 - w.x1 < w.y1 - w.y0]
    if not cuts:
        return None
    pieces, unknown = [], 0
    for a, b in pairwise([0, *cuts, len(words)]):
        piece = words[a:b]
        at = next((k for k, w in enumerate(piece) if (v := values.parse_value(w.text.rstrip(",;.")))
                   and v.value is not None), None)
        if not at or at > 4:
            return None
        unknown += catalog.match(" ".join(w.text for w in piece[:at]))[0] is None
        pieces.append((piece, at))
    return pieces if len(pieces) > 1 and unknown <= min(1, len(pieces) - 2) else None


def _without_cell_label(words: list[Word]) -> list[Word]:
    """``words`` without a cell label that begins them (and only when something follows it)."""
    for k in range(1, min(4, len(words))):
        if _CELL_LABEL.fullmatch(_unaccented(" ".join(w.text for w in words[:k]))):
            return words[k:]
    return words


# A value printed against its unit: "54.9%", "13.5g/dL", "7,2mmol/l" (a unit with a slash).
_GLUED_UNIT = re.compile(r"^(?P<v>[<>≤≥]?\d[\d.,]*)(?P<u>%|[a-zA-Zµμ][a-zA-Zµμ0-9^*]*/\S+)$")


# An arrow printed against the unit after it ("↑10^9/L", "↓g/L"): a flag, then the unit.
_ARROW_ON_UNIT = re.compile(r"^(?P<v>[↑↓▲▼])(?P<u>[a-zA-Zµμ%/]\S*|10\^?\d+/\S+|10\*\d+/\S+)$")


def _unglued(words: list[Word]) -> list[Word]:
    """``words`` with each value printed against its unit, and each arrow against a unit,
    split into the two words it is."""
    out: list[Word] = []
    for w in words:
        m = _GLUED_UNIT.match(w.text) or _ARROW_ON_UNIT.match(w.text)
        if m is None or values.parse_value(w.text) is not None:
            out.append(w)
            continue
        cut = w.x0 + (w.x1 - w.x0) * len(m.group("v")) / len(w.text)
        out.append(Word(m.group("v"), w.x0, w.y0, cut, w.y1, w.confidence, w.bold, w.coloured))
        out.append(Word(m.group("u"), cut, w.y0, w.x1, w.y1, w.confidence, w.bold, w.coloured))
    return out


def _without_leaders(words: list[Word]) -> list[Word]:
    kept: list[Word] = []
    for k, w in enumerate(words):
        if _LEADER.fullmatch(w.text) or _in_spaced_leader(words, k):
            continue
        if (m := _TRAILING_LEADER.search(w.text)) is not None:
            w = Word(w.text[: m.start()], w.x0, w.y0, w.x1, w.y1, w.confidence, w.bold, w.coloured)
        kept.append(w)
    return kept


def _in_spaced_leader(words: list[Word], k: int) -> bool:
    """``Glucose . . . . . 99``: a dot in a run of three or more dots printed apart."""
    dot = {".", "·", "…"}
    if words[k].text not in dot:
        return False
    run = 1
    for step in (-1, 1):
        j = k + step
        while 0 <= j < len(words) and words[j].text in dot:
            run, j = run + 1, j + step
    return run >= 3


def _name_end(words: list[Word], catalog: Catalog) -> int | None:
    """Where the name ends and the cells begin, or None when the segment is not a name
    followed by a value (a name alone, cells alone, a site mark before the value)."""
    for k in range(1, len(words)):
        value = values.parse_value(words[k].text)
        if value is None or (value.value is None and not words[k - 1].text.endswith((":", "="))):
            continue  # a word ("Total", "Free") of the name; a qualitative result only after a colon
        name = " ".join(w.text for w in words[:k])
        if values.parse_value(name) is not None or name[0] in "<>≤≥=" or values.parse_range(f"{name} {words[k].text}"):
            return None  # a value, a bound spelt in words ("> OR = 40 mg/dL"), a range ("4.0 to 5.6 %")
        if not re.search(r"[^\W\d_]{2}", name) and not (re.fullmatch(r"[A-Za-z]\d{1,2}[:=]?", name)
                                                      and catalog.match(name.rstrip(":= "))[0] is not None):
            # "12:", "K: 3,90 - 5,20" (a range for women): no name, unless a letter-and-digits
            # code the catalog knows ("T4:", "B12:").
            return None
        after = " ".join(w.text for w in words[k + 1 : k + 4])
        if name.endswith((":", "=")):
            bare = name.rstrip(":= ")
            # "Age: 45", "MRN: 123": labels of the header, unless a known test or a range follows.
            # A unit ("HDL (Good Cholesterol): 23.3 mg/dL") or a bracketed flag ("LDL/HDL Ratio: 4.38
            # (High)") after the value says result too.
            nxt = words[k + 1].text if k + 1 < len(words) else ""
            if (catalog.match(bare)[0] is not None or _starts_with_range(after) or catalog.is_known_unit(nxt)
                    or (nxt[:1] in "([" and values.parse_flag(nxt) not in (None, "normal"))):
                words[k - 1] = _strip_colon(words[k - 1])
                return k
            return None
        nxt = words[k + 1].text if k + 1 < len(words) else ""
        if reads_as_prose(name):
            return None  # "Comment: Fasting sample. Values above 126 mg/dL …": a note, not a row
        if catalog.is_known_unit(nxt) or _starts_with_range(after):
            return k
        return None
    return None


def reads_as_prose(name: str) -> bool:
    """A note, not a test's name: more words than a name has, a label inside it ("Comment:
    Fasting …"), or a sentence's end ("… sample. Values …")."""
    words = name.split()
    inner = words[:-1]
    return (len(words) > 8
            or any(re.fullmatch(r"[^\W\d_]{3,}:", w) for w in inner)
            or any(re.fullmatch(r"[a-z]{4,}\.", w) for w in inner))


def _starts_with_range(text: str) -> bool:
    words = text.split()
    return any(values.parse_range(" ".join(words[:n])) is not None for n in range(1, len(words) + 1))


def _strip_colon(w: Word) -> Word:
    return Word(w.text.rstrip(":= ") or w.text, w.x0, w.y0, w.x1, w.y1, w.confidence, w.bold, w.coloured)


def side_by_side(line: Line, read: Callable[[Line], Any]) -> list[Line] | None:
    """Results written one after another on a line ("WBC: 11.4 K/uL (4.0-11.0) H    RBC: 4.92
    M/uL (4.50-5.90)"): the line cut where each result's own name begins, or None. ``read``
    reads one part as a row; a part that is a whole result (a name and a value) begins one,
    any other part (a flag set apart) belongs to the result before it."""
    if len(line.segments) < 2:
        return None
    groups: list[list[Segment]] = []
    for seg in line.segments:
        row = read(Line(line.page, list(seg.words), [seg]))
        if row is not None and row.name:
            groups.append([seg])
        elif groups:
            groups[-1].append(seg)
        else:
            return None  # a table row: its first cell is a name alone
    if len(groups) < 2:
        return None
    return [Line(line.page, [w for s in g for w in s.words], g) for g in groups]

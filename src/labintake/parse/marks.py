"""Performing-site and footnote marks printed after a test's name ("Hemoglobin ⁰¹"): not part
of the name, and not its value. Printed small and raised in a text layer; read at full size,
with the zero lost or misread, by OCR."""

from __future__ import annotations

import re

from labintake.parse import values
from labintake.parse.catalog import Catalog
from labintake.parse.lines import Line, Segment, split_segments

# A performing-site or footnote mark after the name, read by OCR at full size: "Sodium 01",
# "AST03", "Sodium 0 1", with its zero lost or misread: "Platelet Count 1", "Chloride1",
# "Albumin θ1", "Natrium a3", "MCHC{3", "Creatinine, Serum®3", "BUN“3", "Emoglobina 03.",
# with its second digit lost: "Kalium 0", "Neutrofili 00", "Bilirubine totaal o", and with
# its one read as a letter: "Calcium 0t", "T4, Free ol".
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_TAIL = re.compile(rf"[\s0-9{_SUPERSCRIPTS}oOθΘa{{}}®©°º“”\"'’‘`.|tlI=#*]{{1,8}}$")
_SPECIAL = "θΘ{}®©°º“”\"'’‘`=#"
# A CJK name ends in a character: digits after it ("白细胞计数 0 1", "血红蛋白 2") are a mark.
_CJK_END = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]$")


def _mark_like(tail: str, base: str) -> bool:
    """Can ``tail`` be a site mark after ``base``?"""
    mark = tail.strip().rstrip(".").strip()
    squeezed = mark.replace(" ", "")
    if not squeezed or len(squeezed) > 3 or not base or base[-1] in _SPECIAL:
        return False
    spaced = tail[:1].isspace()
    if squeezed in ("=", "°", "º", "®"):  # the whole mark read as one sign: "Sodio="
        return True
    if any(c in _SUPERSCRIPTS for c in squeezed):  # "RDW⁰1": a superscript OCR kept, in part
        return bool(re.fullmatch(rf"[{_SUPERSCRIPTS}0-9]{{1,2}}", squeezed))
    if re.fullmatch(r"[0oOa]{1,2}", squeezed):  # its second digit lost: as a word of its own,
        # or a zero after capitals ("VCM0") or a word ("Albúmina0")
        return spaced or (squeezed == "0" and bool(re.search(r"\b[A-Z]{3,}$|[^\W\d_]{4,}$|\b[a-z][A-Z]$", base)))
    if re.fullmatch(r"[0θΘoO][tlIi|]", squeezed):  # "0t", "ol": its one read as a letter
        return spaced
    if re.fullmatch(r"[tl|]", squeezed):  # "Potássio t": the mark's one alone, read as a small letter
        return spaced and bool(re.search(r"[^\W\d_]{4,}$", base))
    if re.fullmatch(r"0\s?([1-9])\s\1", mark):  # "02 2": the mark, then its digit read again
        return True
    if re.fullmatch(r"[1-9]", squeezed):
        # A digit that belongs to the name follows one or two capitals or a digit ("Vitamin
        # D3", "FT4", "C3"); after a word, a bracket or a longer abbreviation it is a mark
        # ("Chloride1", "AST3", "eGFR 1"), except an immunoglobulin's subclass ("IgG 4").
        if re.search(r"\bIg[GA]$", base):
            return False
        if base[-1].isdigit():
            # "Vitamina B12 2": a name that ends in its own digits, then a mark apart, or glued
            # to a number of two digits or more ("Vitamin B122"; "FT43" may be FT4 or FT43).
            return spaced or bool(re.search(r"[^\W\d_]\s?\d{2,}$", base))
        # Any alphabet's letter: "Wapń1", "Densité3" (OCR glued the mark and lost its zero).
        short = re.search(r"(?:^|[\s,(/-])([^\W\d_]{1,2})$", base)  # "FT4", "C3", Cyrillic "Т4"
        return bool(_CJK_END.search(base) or (re.search(r"(?:[^\W\d_]|\))$", base)
                                              and not (short and short.group(1).isupper())))
    if re.fullmatch(r"0\s?[0-9]", mark) or re.fullmatch(r"0[0-9]", squeezed):
        return True
    if re.fullmatch(r"[1-9][0-9]", mark) and (spaced or re.search(r"(?:^|[\s(])[A-Z]{3,}$", base)
                                              or re.search(r"[a-z]{4,}$", base)):
        return True  # "Creatinine 93", "MCH13", "Potassium93": its zero misread as a digit
    # A zero misread as a letter or sign, then the digit: "θ1", "a3", "{3", "®3", "“3".
    return bool(re.fullmatch(rf"[0oOa*{_SPECIAL}]{{1,2}}[0-9]", squeezed)) and (spaced or not base[-1].islower()
                                                                            or squeezed[0] != "a")


def without_site_mark(name: str, catalog: Catalog) -> str:
    """``name`` without a trailing site mark, when the name without it is a better-known test.

    Every way of cutting a mark-like tail off is tried; the cut whose rest the catalogue
    knows best wins (the shortest tail on a tie), and only if the rest is known better
    than the whole name. A digit that belongs to the name stays ("Vitamin B12", "FT4").
    """
    m = _TAIL.search(name)
    if m is None:
        return name
    best: tuple[float, int, str, str] | None = None
    for k in range(len(name) - m.start(), 0, -1):
        base = name[:-k].rstrip()
        tail = name[-k:]
        if not _mark_like(tail, base):
            continue
        if tail.strip()[:1] == "0" and (_CJK_END.search(base) or (
                tail[:1].isspace() and re.fullmatch(r"0\s?[1-9]\.?", tail.strip()) and (base[-1].isalpha()
                                                                                      or base[-1] == ")"))
                or (re.fullmatch(r"0[1-9]", tail) and re.search(r"[^\W\d_]{3}[^\W\d_A-Z]$", base))):
            return base  # a zero-led mark on its own or after a word ("VES 03", "锂 0 3", "Eiwit02"), whatever the name
        analyte, score = catalog.match(base)
        if analyte is None:
            continue
        if best is None or (score, -k) > best[:2]:
            best = (score, -k, base, tail)
    if best is None:
        return name
    score, _, base, tail = best
    whole = catalog.match(name)
    # The catalogue reads past signs and past the digits after a CJK name, so there the
    # whole name matches too; elsewhere a whole name known as well keeps its digits.
    # (Nor does a digit after a closing bracket belong to the name: "ALT (TGP) 2".)
    if (whole[0] is not None and whole[1] >= score and not _CJK_END.search(base) and not base.endswith(")")
            and any(c.isalnum() for c in tail)):
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
    if hints[i] == "value" and hints[i + 1] == "value" and i > 0:
        # "Proteína C reativa 2   <0.5": the mark (its zero lost) reaches into the value
        # column; it hugs the name, the value stands apart from it.
        return segs[i].x0 - segs[i - 1].x1 < segs[i + 1].x0 - segs[i].x1
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

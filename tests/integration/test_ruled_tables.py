"""A table drawn as a grid, read from an image: the rules between columns are not text.

Given a ruled table whose flag cells are empty on normal rows, when a blurred 200-dpi image
of it (a phone photo's soft edges widen a rule to a few pixels) is read, then no piece of a
rule comes back as a letter ("I", "l", "|", "1") and every row keeps its own unit.
"""

from __future__ import annotations

import cv2
import numpy as np

from labintake.extract import extract_document, sniff_type
from labintake.extract.document import Word
from labintake.extract.rules import ink_of, without_rule_glyphs
from labintake.parse import parse_outcome
from tests.fixtures.pages import letterhead, page_image, pdf_page

COLUMNS = (40, 210, 280, 320, 400, 555)  # rule positions, points
ROWS = [("Test", "Result", "Flag", "Units", "Reference Range"),
        ("Hemoglobin", "11.2", "L", "g/dL", "12.0 - 15.5"),
        ("White Blood Cells", "7.4", "", "10^3/uL", "4.0 - 11.0"),
        ("Platelet Count", "412", "H", "10^3/uL", "150 - 400"),
        ("Sodium", "139", "", "mmol/L", "136 - 145"),
        ("Potassium", "5.4", "H", "mmol/L", "3.5 - 5.1"),
        ("Creatinine", "0.82", "", "mg/dL", "0.57 - 1.00"),
        ("Glucose", "104", "H", "mg/dL", "70 - 99")]
UNITS = {"Hemoglobin": "g/dL", "WBC": "10^3/uL", "Platelets": "10^3/uL", "Sodium": "mmol/L",
         "Potassium": "mmol/L", "Creatinine": "mg/dL", "Glucose": "mg/dL"}


def _ruled(c) -> None:
    letterhead(c)
    c.setFont("Helvetica", 9)
    top, pitch = 700, 16  # text sits 4 pt above its row's lower rule, as in a tightly ruled LIS table
    for i, cells in enumerate(ROWS):
        for x, text in zip(COLUMNS, cells, strict=False):
            c.drawString(x + 3, top - pitch * i, text)
    rules = [top + 12 - pitch * i for i in range(len(ROWS) + 1)]
    for y in rules:
        c.line(COLUMNS[0], y, COLUMNS[-1], y)
    for x in COLUMNS:
        c.line(x, rules[0], x, rules[-1])


def _soft_png(pdf: bytes) -> bytes:
    soft = cv2.GaussianBlur(np.asarray(page_image(pdf)), (5, 5), 1.2)
    ok, png = cv2.imencode(".png", soft)
    assert ok
    return png.tobytes()


def test_rules_of_a_grid_table_are_not_read_as_letters():
    data = _soft_png(pdf_page(_ruled))
    doc = extract_document(data, sniff_type(data))
    assert not [w.text for w in doc.pages[0].words if w.text in {"I", "l", "|", "1", "!"}]
    results = parse_outcome(doc).report.results
    assert {r.name: r.unit for r in results} == UNITS


def test_a_printed_stroke_is_kept_and_a_rule_crossing_rows_is_dropped():
    page = np.full((300, 300), 255, np.uint8)
    page[20:280, 100:103] = 0  # a rule down three rows of text
    page[130:160, 200:203] = 0  # a printed "l": as tall as its line of text, no more
    rule_piece = Word("I", 99, 130, 104, 160, 0.9)
    letter = Word("l", 199, 130, 204, 160, 0.9)
    value = Word("7.4", 20, 130, 60, 160, 0.9)
    assert without_rule_glyphs(ink_of(page), [value, rule_piece, letter]) == [value, letter]

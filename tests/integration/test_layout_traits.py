"""Layout traits on real files: a digital PDF built here (reportlab) and, for the traits
OCR changes most (glued flags, arrows), a 200-dpi image of the same page.

Given a page with the trait, when it is extracted and parsed, then each result row has
its own value, flag, unit and range, and no previous result is taken for the current one.
"""

from __future__ import annotations

import pytest

from labintake.extract import extract_document, sniff_type
from labintake.parse import parse_outcome
from tests.fixtures.pages import A4, letterhead, page_png, pdf_page

# (x, text) cells per row; y advances 16 pt per row. Synthetic values.
GLUED = [
    [(54, "Test"), (220, "Result"), (320, "Units"), (420, "Reference Range")],
    [(54, "Sodium"), (220, "*149"), (320, "mmol/L"), (420, "136-145")],
    [(54, "Potassium"), (220, "5.9(H)"), (320, "mmol/L"), (420, "3.5-5.1")],
    [(54, "Glucose"), (220, "131H"), (320, "mg/dL"), (420, "70-99")],
    [(54, "Calcium"), (220, "7.9 L"), (320, "mg/dL"), (420, "8.6-10.3")],
    [(54, "Chloride"), (220, "101"), (320, "mmol/L"), (420, "98-107")],
    [(54, "Creatinine"), (220, "0.91"), (320, "mg/dL"), (420, "0.57-1.00")],
]
GLUED_TRUTH = [("Sodium", 149.0, "high"), ("Potassium", 5.9, "high"), ("Glucose", 131.0, "high"),
               ("Calcium", 7.9, "low"), ("Chloride", 101.0, "normal"), ("Creatinine", 0.91, "normal")]

PREVIOUS = [
    [(40, "TESTS"), (170, "RESULT"), (230, "FLAG"), (280, "PREVIOUS RESULT"), (390, "UNITS"),
     (460, "REFERENCE INTERVAL")],
    [(40, "Glucose"), (170, "112"), (230, "High"), (280, "97"), (310, "02/11/2025"), (390, "mg/dL"), (460, "70-99")],
    [(40, "BUN"), (170, "14"), (280, "22"), (310, "02/11/2025"), (390, "mg/dL"), (460, "6-24")],
    [(40, "Sodium"), (170, "139"), (280, "140"), (310, "02/11/2025"), (390, "mmol/L"), (460, "134-144")],
    [(40, "Potassium"), (170, "4.6"), (390, "mmol/L"), (460, "3.5-5.2")],
    [(40, "Chloride"), (170, "101"), (280, "104"), (310, "02/11/2025"), (390, "mmol/L"), (460, "96-106")],
]
PREVIOUS_TRUTH = [("Glucose", 112.0, "high"), ("BUN", 14.0, "normal"), ("Sodium", 139.0, "normal"),
                  ("Potassium", 4.6, "normal"), ("Chloride", 101.0, "normal")]


RED, BLUE = (0.85, 0.05, 0.05), (0.05, 0.2, 0.8)
# Out-of-range values printed in colour only: no letter, no arrow (many hospital LIS do this).
COLOURED = [
    [(54, "Test"), (220, "Result"), (320, "Units"), (420, "Reference Range")],
    [(54, "Sodium"), (220, "149", RED), (320, "mmol/L"), (420, "136-145")],
    [(54, "Potassium"), (220, "3.1", BLUE), (320, "mmol/L"), (420, "3.5-5.1")],
    [(54, "Chloride"), (220, "101"), (320, "mmol/L"), (420, "98-107")],
    [(54, "Glucose"), (220, "131", RED), (320, "mg/dL"), (420, "70-99")],
    [(54, "Creatinine"), (220, "0.91"), (320, "mg/dL"), (420, "0.57-1.00")],
]
COLOURED_TRUTH = [("Sodium", 149.0, "high", "printed"), ("Potassium", 3.1, "low", "printed"),
                  ("Chloride", 101.0, "normal", "derived"), ("Glucose", 131.0, "high", "printed"),
                  ("Creatinine", 0.91, "normal", "derived")]


def _pdf(rows: list[list[tuple]]) -> bytes:
    def draw(c) -> None:
        letterhead(c)
        y = 680
        for cells in rows:
            for x, text, *colour in cells:
                c.setFillColorRGB(*(colour[0] if colour else (0, 0, 0)))
                c.drawString(x, y, text)
            y -= 16
        c.setFont("Helvetica", 8)
        c.drawString(54, y - 20, "Synthetic test data; not a real patient.")

    return pdf_page(draw)


_png = page_png


def _read(data: bytes):
    outcome = parse_outcome(extract_document(data, sniff_type(data)))
    return outcome, [(r.name, r.value, r.flag) for r in outcome.report.results]


def test_glued_flags_digital_pdf():
    outcome, rows = _read(_pdf(GLUED))
    assert rows == GLUED_TRUTH
    assert not outcome.failed


@pytest.mark.slow
def test_glued_flags_ocr_image():
    _, rows = _read(_png(_pdf(GLUED)))
    assert rows == GLUED_TRUTH


def test_previous_result_column_digital_pdf():
    outcome, rows = _read(_pdf(PREVIOUS))
    assert rows == PREVIOUS_TRUTH
    assert outcome.validated and outcome.attempts == 1  # no second strategy


@pytest.mark.slow
def test_previous_result_column_ocr_image():
    _, rows = _read(_png(_pdf(PREVIOUS)))
    assert rows == PREVIOUS_TRUTH


def _flags(data: bytes) -> list[tuple]:
    outcome = parse_outcome(extract_document(data, sniff_type(data)))
    return [(r.name, r.value, r.flag, r.flag_source) for r in outcome.report.results]


def test_colour_only_flags_digital_pdf():
    """Given values printed in red or blue with no flag letter, then they are flagged as
    printed, their direction from the range; black values are derived."""
    assert _flags(_pdf(COLOURED)) == COLOURED_TRUTH


@pytest.mark.slow
def test_colour_only_flags_ocr_image():
    assert _flags(_png(_pdf(COLOURED), mode="RGB")) == COLOURED_TRUTH


def test_colour_everywhere_is_only_style():
    """Given a table whose every value is blue, then colour says nothing."""
    rows = [[(x, t, BLUE) if x == 220 and i else (x, t) for x, t, *_ in cells] for i, cells in enumerate(COLOURED)]
    assert [f[3] for f in _flags(_pdf(rows))] == ["derived"] * 5


# A portal's results as a phone shows them: each test a card of stacked labelled lines, and
# a range column that says no range was established.
CARDS = [
    [(54, "Cholesterol, Total")], [(54, "Normal range: 100 - 199 mg/dL")], [(54, "Value: 214 (H)")], [],
    [(54, "Triglycerides")], [(54, "Normal range: 0 - 149 mg/dL")], [(54, "Value: 120")], [],
    [(54, "HDL Cholesterol")], [(54, "Normal range: >39 mg/dL")], [(54, "Value: 55")], [],
    [(54, "Component"), (220, "Your Value"), (320, "Standard Range")],
    [(54, "Neutrophils"), (220, "71"), (320, "Not Estab. %")],
    [(54, "Hemoglobin"), (220, "11.9"), (320, "12.0 - 15.5 g/dL")],
]
CARDS_TRUTH = [("Total Cholesterol", 214.0, "high", "mg/dL", "100 - 199"),
               ("Triglycerides", 120.0, "normal", "mg/dL", "0 - 149"),
               ("HDL Cholesterol", 55.0, "normal", "mg/dL", ">39"),
               ("Neutrophils %", 71.0, None, "%", None),
               ("Hemoglobin", 11.9, "low", "g/dL", "12.0 - 15.5")]


def _cards(data: bytes) -> list[tuple]:
    outcome = parse_outcome(extract_document(data, sniff_type(data)))
    return [(r.name, r.value, r.flag, r.unit, r.reference_range.text if r.reference_range else None)
            for r in outcome.report.results]


def test_portal_cards_and_unestablished_ranges_digital_pdf():
    assert _cards(_pdf(CARDS)) == CARDS_TRUTH


@pytest.mark.slow
def test_portal_cards_and_unestablished_ranges_ocr_image():
    assert _cards(_png(_pdf(CARDS))) == CARDS_TRUTH


# A differential whose one-character values and lone "%" units the text detector can drop
# at its input scale; the second look at uncovered ink reads them.
LONE_MARKS = [
    [(54, "Test"), (220, "Result"), (300, "Units"), (380, "Reference Range")],
    [(54, "WBC"), (220, "7.2"), (300, "K/uL"), (380, "4.0-10.5")],
    [(54, "Neutrophils"), (220, "62"), (300, "%"), (380, "40-75")],
    [(54, "Lymphocytes"), (220, "28"), (300, "%"), (380, "20-45")],
    [(54, "Monocytes"), (220, "7"), (300, "%"), (380, "2-10")],
    [(54, "Eosinophils"), (220, "2"), (300, "%"), (380, "0-6")],
    [(54, "Basophils"), (220, "1"), (300, "%"), (380, "0-2")],
    [(54, "Hematocrit"), (220, "41.2"), (300, "%"), (380, "36-46")],
]


def _small_print_a4(rows: list[list[tuple]]) -> bytes:
    """``rows`` in 9 pt on an A4 page: the page the OCR engine scales down most."""

    def draw(c) -> None:
        c.setFont("Helvetica", 9)
        c.drawString(40, 800, "Patient: Jane Example   DOB: 02/14/1980   Collected: 03/04/2025")
        for i, cells in enumerate(rows):
            for x, text in cells:
                c.drawString(x - 14, 770 - 13.5 * i, text)

    return pdf_page(draw, A4)


@pytest.mark.slow
def test_lone_one_character_values_and_units_on_an_ocr_image():
    outcome = parse_outcome(extract_document(_png(_small_print_a4(LONE_MARKS)), "image/png"))
    got = [(r.name, r.value, r.unit) for r in outcome.report.results]
    assert got == [("WBC", 7.2, "10^3/uL"), ("Neutrophils %", 62.0, "%"), ("Lymphocytes %", 28.0, "%"),
                   ("Monocytes %", 7.0, "%"), ("Eosinophils %", 2.0, "%"), ("Basophils %", 1.0, "%"),
                   ("Hematocrit", 41.2, "%")]

"""Rows from words: header columns, no header, skew, glued flags, qualitative results."""

from __future__ import annotations

import pytest

from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.extract.document import Document, Page
from labintake.parse import parse_document, parse_outcome
from labintake.parse.lines import build_lines
from tests.fixtures.words import row, words_at


def _doc(*word_lists) -> Document:
    words = [w for ws in word_lists for w in ws]
    return Document([Page(1, 612, 792, words, "text")], "test")


HEADER = row((54, "Test"), (230, "Result"), (300, "Flag"), (340, "Units"), (450, "Reference Range"), y=180)


def test_header_columns():
    """Given a header and rows in its columns, then each cell lands in its field."""
    doc = _doc(
        HEADER,
        row((54, "Glucose"), (230, "112"), (300, "H"), (340, "mg/dL"), (450, "70-99"), y=200),
        row((54, "Total Cholesterol"), (230, "186"), (340, "mg/dL"), (450, "<200"), y=216),
        row((54, "Vitamin B12"), (230, "450"), (340, "pg/mL"), (450, "232-1245"), y=232),
    )
    results = parse_document(doc).results
    assert [(r.name, r.value, r.unit, r.flag, r.flag_source) for r in results] == [
        ("Glucose", 112.0, "mg/dL", "high", "printed"),
        ("Total Cholesterol", 186.0, "mg/dL", "normal", "derived"),
        ("Vitamin B12", 450.0, "pg/mL", "normal", "derived"),  # unknown analyte kept
    ]
    assert results[2].loinc is None
    assert results[0].reference_range.low == 70 and results[0].reference_range.high == 99


def test_no_header_any_order():
    """Given rows with no header and range before unit, then cells are recognised by shape."""
    doc = _doc(
        row((54, "Hemoglobin"), (200, "11.2"), (260, "12.0 - 16.0"), (360, "g/dL"), (420, "L"), y=200),
        row((54, "Potassium"), (200, "4,1"), (260, "3,5-5,1"), (360, "mmol/L"), y=216),
        row((54, "Page 1 of 2"), y=700),
    )
    results = parse_document(doc).results
    assert [(r.name, r.value, r.unit, r.flag) for r in results] == [
        ("Hemoglobin", 11.2, "g/dL", "low"),
        ("Potassium", 4.1, "mmol/L", "normal"),
    ]
    assert results[1].value_text == "4,1"


def test_glued_flag_and_comparator_value():
    doc = _doc(
        HEADER,
        row((54, "Potassium"), (230, "3.2L"), (340, "mmol/L"), (450, "3.5-5.1"), y=200),
        row((54, "CRP"), (230, "<0.5"), (340, "mg/L"), (450, "0.0-5.0"), y=216),
    )
    k, crp = parse_document(doc).results
    assert (k.value, k.value_text, k.flag, k.flag_source) == (3.2, "3.2", "low", "printed")
    assert (crp.value, crp.value_text, crp.flag) == (0.5, "<0.5", "normal")


def test_qualitative_result():
    doc = _doc(
        HEADER,
        row((54, "Urine Protein"), (230, "Negative"), (450, "Negative"), y=200),
        row((54, "Urine Glucose"), (230, "Positive"), (300, "A"), (450, "Negative"), y=216),
    )
    protein, glucose = parse_document(doc).results
    assert protein.value is None and protein.value_text == "Negative" and protein.flag == "normal"
    assert glucose.flag == "abnormal" and glucose.flag_source == "printed"


def test_header_lines_are_not_results():
    doc = _doc(
        row((54, "MRN: 000123"), y=100),
        row((54, "Account 55"), (200, "12"), y=120),
        HEADER,
        row((54, "Sodium"), (230, "139"), (340, "mmol/L"), (450, "136-145"), y=200),
    )
    assert [r.name for r in parse_document(doc).results] == ["Sodium"]


def test_skewed_rows_still_group():
    """Given a page tilted by about 1 degree, then each row's words are one line."""
    slope = 0.018
    words = [
        *row((54, "Test"), (230, "Result"), (340, "Units"), (450, "Reference Range"), y=180, slope=slope),
        *row((54, "Sodium"), (230, "139"), (340, "mmol/L"), (450, "136-145"), y=196, slope=slope),
        *row((54, "Chloride"), (230, "101"), (340, "mmol/L"), (450, "98-107"), y=212, slope=slope),
    ]
    assert [len(line.words) for line in build_lines(words)] == [5, 4, 4]
    results = parse_document(_doc(words)).results
    assert [(r.name, r.value) for r in results] == [("Sodium", 139.0), ("Chloride", 101.0)]


def test_section_headings_and_provenance():
    doc = _doc(
        HEADER,
        words_at("LIPID PANEL", 54, 196),
        row((54, "HDL"), (230, "52"), (340, "mg/dL"), (450, ">40"), y=212, confidence=0.7),
    )
    (hdl,) = parse_document(doc).results
    assert hdl.section == "LIPID PANEL"
    assert hdl.name == "HDL Cholesterol" and hdl.loinc == "2085-9"
    assert hdl.page == 1 and hdl.bbox is not None and hdl.bbox[0] == 230
    assert hdl.confidence == 0.7 and hdl.needs_review  # low OCR confidence


def test_ocr_damaged_unit_and_name():
    doc = _doc(
        HEADER,
        row((54, "Hemoglobln"), (230, "13.5"), (340, "g/dL"), (450, "12.0-16.0"), y=200),
        row((54, "TSH"), (230, "2.15"), (340, "ulU/mL"), (450, "0.45-4.50"), y=216),
    )
    hgb, tsh = parse_document(doc).results
    assert hgb.name == "Hemoglobin" and hgb.needs_review  # fuzzy match: have a look
    assert tsh.unit == "uIU/mL" and not tsh.needs_review


def test_no_rows_is_not_a_lab_report():
    doc = _doc(words_at("Dear patient, your appointment is on Monday.", 54, 100))
    with pytest.raises(LabIntakeError) as exc:
        parse_document(doc)
    assert exc.value.code == ErrorCode.NOT_A_LAB_REPORT


def test_outcome_metadata_has_no_values():
    doc = _doc(HEADER, row((54, "Sodium"), (230, "139"), (340, "mmol/L"), (450, "136-145"), y=200))
    meta = parse_outcome(doc).metadata
    assert meta["strategy"] == "columns" and meta["results"] == 1
    assert "139" not in repr(meta)

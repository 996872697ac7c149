"""Rows from words: header columns, no header, skew, glued flags, qualitative results."""

from __future__ import annotations

import pytest

from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.extract.document import Document, Page, Word
from labintake.parse import parse_document, parse_outcome
from labintake.parse.catalog import get_catalog
from labintake.parse.lines import build_lines
from labintake.parse.marks import without_site_mark
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
        row((54, "Vitamin Q10"), (230, "450"), (340, "pg/mL"), (450, "232-1245"), y=232),
    )
    results = parse_document(doc).results
    assert [(r.name, r.value, r.unit, r.flag, r.flag_source) for r in results] == [
        ("Glucose", 112.0, "mg/dL", "high", "printed"),
        ("Total Cholesterol", 186.0, "mg/dL", "normal", "derived"),
        ("Vitamin Q10", 450.0, "pg/mL", "normal", "derived"),  # unknown analyte kept
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


# --- layouts: two tables side by side, wrapped names, running headers, marks -----------------



def _pages(*pages: list[Word]) -> Document:
    return Document([Page(i + 1, 612, 792, ws, "text") for i, ws in enumerate(pages)], "test")


def test_two_tables_side_by_side_are_read_one_after_the_other():
    """Given two panels side by side under one header line, then each row keeps its own
    cells and the left table is read before the right one, each with its section."""
    doc = _doc(
        row((40, "Test"), (145, "Result"), (190, "Units"), (245, "Range"),
            (312, "Test"), (417, "Result"), (462, "Units"), (517, "Range"), y=120),
        row((40, "HEMATOLOGY"), (312, "LIPIDS"), y=136),
        row((40, "WBC"), (145, "6.1"), (190, "x10E3/uL"), (245, "4.0-11.0"),
            (312, "HDL"), (417, "52"), (462, "mg/dL"), (517, ">40"), y=150),
        row((40, "Hemoglobin"), (145, "11.2"), (190, "g/dL"), (245, "12.0-16.0"),
            (312, "Triglycerides"), (417, "180"), (462, "mg/dL"), (517, "<150"), y=164),
    )
    results = parse_document(doc).results
    assert [(r.name, r.value, r.unit, r.section, r.flag) for r in results] == [
        ("WBC", 6.1, "10^3/uL", "HEMATOLOGY", "normal"),
        ("Hemoglobin", 11.2, "g/dL", "HEMATOLOGY", "low"),
        ("HDL Cholesterol", 52.0, "mg/dL", "LIPIDS", "normal"),
        ("Triglycerides", 180.0, "mg/dL", "LIPIDS", "high"),
    ]


def test_a_last_heading_in_any_language_cut_at_the_page_edge_still_splits_the_tables():
    """Given Spanish tables side by side whose right-hand range heading the page edge cut
    ("Valores de refere"), then the right table is read too, with its own ranges (it was
    lost whole: the header was not taken for one)."""
    doc = _doc(
        row((30, "Prueba"), (100, "Resultado"), (155, "Unidades"), (200, "Valores de referencia"),
            (330, "Prueba"), (400, "Resultado"), (460, "Unidades"), (515, "Valores de refere"), y=120),
        row((30, "Leucocitos"), (100, "7,7"), (155, "10^9/L"), (200, "4,0 - 10,0"),
            (330, "Glucosa"), (400, "4,8"), (460, "mmol/L"), (515, "3,9 - 5,5"), y=136),
        row((30, "Plaquetas"), (100, "300"), (155, "10^9/L"), (200, "150 - 400"),
            (330, "Sodio"), (400, "139"), (460, "mmol/L"), (515, "135 - 145"), y=150),
    )
    results = parse_document(doc).results
    assert [(r.name_as_printed, r.value, r.reference_range.text) for r in results] == [
        ("Leucocitos", 7.7, "4,0 - 10,0"),
        ("Plaquetas", 300.0, "150 - 400"),
        ("Glucosa", 4.8, "3,9 - 5,5"),
        ("Sodio", 139.0, "135 - 145"),
    ]


def test_a_heading_ocr_broke_into_two_words_still_heads_its_column():
    """Given Dutch tables side by side whose right-hand range heading OCR read as two words
    with a letter lost ("Referentiew arde"), then the header still splits the tables (the
    right table was lost whole)."""
    doc = _doc(
        row((30, "Bepaling"), (110, "Uitslag"), (160, "Referentiewaarde"), (330, "Bepaling"), (410, "Uitslag"),
            (460, "Referentiew"), (525, "arde"), y=120),
        row((30, "Leukocyten"), (110, "4,9"), (160, "4,0 - 10,0 10^9/L"),
            (330, "ALAT"), (410, "30"), (460, "10 - 35 U/l"), y=136),
        row((30, "Trombocyten"), (110, "250"), (160, "150 - 400 10^9/L"),
            (330, "ASAT"), (410, "19"), (460, "10 - 35 U/l"), y=150),
    )
    results = parse_document(doc).results
    assert [(r.name_as_printed, r.value, r.reference_range.text) for r in results] == [
        ("Leukocyten", 4.9, "4,0 - 10,0"),
        ("Trombocyten", 250.0, "150 - 400"),
        ("ALAT", 30.0, "10 - 35"),
        ("ASAT", 19.0, "10 - 35"),
    ]


def test_two_headings_close_together_are_not_taken_for_one_broken_heading():
    """Given side-by-side tables where the left range heading comes close to the right name
    heading ("Referentiewaarde Bepaling", one segment), then they are two headings and the
    right table keeps its names (the two words were once read as one misread heading)."""
    doc = _doc(
        row((30, "Bepaling"), (100, "Uitslag"), (140, "Eenheid"), (190, "Referentiewaarde"), (286, "Bepaling"),
            (380, "Uitslag"), (420, "Eenheid"), (470, "Referentiewaard"), y=120),
        row((30, "Natrium"), (100, "140"), (140, "mmol/L"), (190, "135 - 145"),
            (286, "Glucose"), (380, "5,2"), (420, "mmol/L"), (470, "4,0 - 6,0"), y=136),
    )
    results = parse_document(doc).results
    assert [(r.name_as_printed, r.value, r.unit, r.reference_range.text) for r in results] == [
        ("Natrium", 140.0, "mmol/L", "135 - 145"), ("Glucose", 5.2, "mmol/L", "4,0 - 6,0")]


def test_side_by_side_tables_whose_last_heading_is_cut_at_the_page_edge():
    """Given two tables side by side whose right-hand range heading a scan cut short
    ("Reference Rang"), then the header still splits them and each row keeps its own range."""
    doc = _doc(
        row((40, "Test"), (130, "Result"), (175, "Units"), (225, "Reference"), (262, "Range"),
            (312, "Test"), (402, "Result"), (447, "Units"), (497, "Reference"), (534, "Rang"), y=120),
        row((40, "Sodium"), (130, "140"), (175, "mmol/L"), (225, "135-145"),
            (312, "Glucose"), (402, "120"), (447, "mg/dL"), (497, "70-99"), y=136),
        row((40, "Potassium"), (130, "4.1"), (175, "mmol/L"), (225, "3.5-5.1"),
            (312, "Calcium"), (402, "9.4"), (447, "mg/dL"), (497, "8.6-10.3"), y=150),
    )
    results = parse_document(doc).results
    assert [(r.name, r.value, r.unit, r.reference_range.text, r.flag) for r in results] == [
        ("Sodium", 140.0, "mmol/L", "135-145", "normal"),
        ("Potassium", 4.1, "mmol/L", "3.5-5.1", "normal"),
        ("Glucose", 120.0, "mg/dL", "70-99", "high"),
        ("Calcium", 9.4, "mg/dL", "8.6-10.3", "normal"),
    ]


def test_a_speck_at_the_edge_of_a_unit_cell_is_not_part_of_the_unit():
    """Given a scan that read a speck beside a unit as a quote or a comma, then the unit
    column's cell is still the unit, without the speck."""
    doc = _doc(
        HEADER,
        row((54, "Sodium"), (230, "140"), (340, "'mmol/L"), (450, "135-145"), y=200),
        row((54, "Hemoglobin"), (230, "13.1"), (340, "g/dL,"), (450, "12.0-16.0"), y=216),
    )
    results = parse_document(doc).results
    assert [(r.name, r.value, r.unit) for r in results] == [
        ("Sodium", 140.0, "mmol/L"),
        ("Hemoglobin", 13.1, "g/dL"),
    ]


def test_a_percent_sign_read_as_an_8_is_the_unit_only_of_a_percentage():
    """Given a scan that read a small "%" in the unit column as "8", then a differential
    count gets its "%", an analyte never reported in percent gets no unit rather than "8",
    and a real unit printed after such a digit wins."""
    doc = _doc(
        HEADER,
        row((54, "Neutrophils"), (230, "67"), (340, "8"), (450, "40-75"), y=200),
        row((54, "Lymphocytes"), (230, "49"), (300, "H"), (340, "8"), (450, "20-45"), y=216),
        row((54, "Glucose"), (230, "95"), (340, "8"), (450, "70-99"), y=232),
        row((54, "Sodium"), (230, "140"), (340, "8"), (380, "mmol/L"), (450, "135-145"), y=248),
    )
    results = parse_document(doc).results
    assert [(r.name, r.value, r.unit, r.flag) for r in results] == [
        ("Neutrophils %", 67.0, "%", "normal"),
        ("Lymphocytes %", 49.0, "%", "high"),
        ("Glucose", 95.0, None, "normal"),
        ("Sodium", 140.0, "mmol/L", "normal"),
    ]


def test_a_name_wrapped_onto_the_next_line():
    """Given a long name that wraps in a narrow name column (below or above its values),
    then the row gets the whole name and the rest is not taken for a section."""
    doc = _doc(
        HEADER,
        words_at("CHEMISTRY", 54, 190),
        row((54, "Alanine Aminotransferase"), (230, "45"), (340, "U/L"), (450, "7-35"), y=204),
        words_at("(ALT/SGPT)", 60, 214),
        row((54, "Total Iron Binding"), (230, "382"), (340, "ug/dL"), (450, "250-450"), y=228),
        words_at("Capacity", 60, 238),
        row((54, "Sodium"), (230, "139"), (340, "mmol/L"), (450, "136-145"), y=252),
    )
    alt, tibc, na = parse_document(doc).results
    assert (alt.name, alt.flag, alt.section) == ("ALT", "high", "CHEMISTRY")
    assert tibc.name == "TIBC" and tibc.value == 382
    assert na.section == "CHEMISTRY"


def test_running_headers_and_footers_are_not_rows():
    """Given three pages that repeat a banner and a footer, then rows come once each and
    the repeated table header is not a result."""
    def page(n: int, rows: list[list[Word]]) -> list[Word]:
        return [*row((54, "Lakeside Lab"), (480, f"Page {n} of 2"), y=30),
                *row((54, "Patient: Jane Doe"), (250, "MRN: 1234"), y=44),
                *HEADER, *[w for r in rows for w in r],
                *row((54, f"Printed 03/05/2025 page {n}"), (400, "Result 5 mmol/L 1-9"), y=760)]

    doc = _pages(
        page(1, [row((54, "Sodium"), (230, "139"), (340, "mmol/L"), (450, "136-145"), y=200)]),
        page(2, [row((54, "Potassium"), (230, "4.1"), (340, "mmol/L"), (450, "3.5-5.1"), y=200)]),
    )
    results = parse_document(doc).results
    assert [(r.name, r.page) for r in results] == [("Sodium", 1), ("Potassium", 2)]


def test_bold_value_is_a_flag_with_a_direction():
    """Given a table where only out-of-range values are bold, then bold means high or low."""
    words = [*HEADER]
    for i, (name, value, unit, rng, bold) in enumerate([("Sodium", "139", "mmol/L", "136-145", False),
                                                        ("Potassium", "3.1", "mmol/L", "3.5-5.1", True),
                                                        ("Glucose", "140", "mg/dL", "70-99", True),
                                                        ("Chloride", "101", "mmol/L", "98-107", False)]):
        y = 200 + 16 * i
        words += words_at(name, 54, y) + words_at(value, 230, y, bold=bold) + words_at(unit, 340, y)
        words += words_at(rng, 450, y)
    results = parse_document(_doc(words)).results
    assert [(r.flag, r.flag_source) for r in results] == [
        ("normal", "derived"), ("low", "printed"), ("high", "printed"), ("normal", "derived")]


def test_bold_everywhere_is_only_style():
    words = [*HEADER]
    for i, (name, value) in enumerate([("Sodium", "139"), ("Chloride", "101")]):
        words += words_at(name, 54, 200 + 16 * i) + words_at(value, 230, 200 + 16 * i, bold=True)
        words += words_at("mmol/L", 340, 200 + 16 * i) + words_at("90-110" if i else "136-145", 450, 200 + 16 * i)
    assert [r.flag_source for r in parse_document(_doc(words)).results] == ["derived", "derived"]


def test_european_table():
    """German headers, decimal commas, SI units, sign flags and a dipstick section."""
    doc = _doc(
        row((40, "Untersuchung"), (210, "Ergebnis"), (290, "Einheit"), (390, "Referenzbereich"), y=144),
        words_at("Klinische Chemie", 40, 160, bold=True),
        row((48, "Kreatinin"), (230, "112"), (268, "+"), (290, "µmol/l"), (390, "45 - 90"), y=174),
        row((48, "Kalium"), (230, "4,1"), (290, "mmol/l"), (390, "3,5-5,1"), y=188),
        row((48, "Hämoglobin"), (230, "118"), (268, "-"), (290, "g/l"), (390, "120 - 160"), y=202),
        words_at("Urinstatus", 40, 222, bold=True),
        row((48, "Glukose"), (230, "negativ"), (390, "negativ"), y=236),
        row((48, "Eiweiß"), (230, "Spuren"), (390, "negativ"), y=250),
    )
    results = parse_document(doc).results
    assert [(r.name, r.value, r.unit, r.flag) for r in results] == [
        ("Creatinine", 112.0, "umol/L", "high"),
        ("Potassium", 4.1, "mmol/L", "normal"),
        ("Hemoglobin", 118.0, "g/L", "low"),
        ("Urine Glucose", None, None, "normal"),
        ("Urine Protein (Dipstick)", None, None, "abnormal"),
    ]
    assert parse_outcome(doc).metadata["sections"] == ["Klinische Chemie", "Urinstatus"]


def test_monospaced_value_next_to_a_truncated_name():
    """A fixed-width printout leaves one space between a long name and its value."""
    doc = _doc(
        row((36, "TEST"), (179, "RESULT"), (250, "UNITS"), (332, "REF RANGE"), y=100),
        row((36, "ALANINE AMINOTRANSFERASE (A 9"), (250, "U/L"), (332, "7-35"), y=115),
    )
    (alt,) = parse_document(doc).results
    assert (alt.name, alt.value) == ("ALT", 9.0)


def test_specific_gravity_with_a_decimal_comma():
    doc = _doc(HEADER, row((54, "Specific Gravity"), (230, "1,021"), (450, "1,005-1,030"), y=200))
    (sg,) = parse_document(doc).results
    assert sg.value == pytest.approx(1.021) and sg.flag == "normal"
    assert sg.reference_range.low == pytest.approx(1.005)


def test_columns_from_x_clustering_without_a_header():
    """Given a table with no header row, when one long name runs up to its value (one
    space apart), then the value column found from the other rows' alignment splits them."""
    words = [
        *row((72, "Sodium"), (200, "139"), (240, "mmol/L"), (320, "136-145"), y=200),
        *row((72, "Potassium"), (200, "4.1"), (240, "mmol/L"), (320, "3.5-5.1"), y=214),
        *row((72, "Chloride"), (200, "101"), (240, "mmol/L"), (320, "98-107"), y=228),
        *row((72, "Glucose, Fasting Plasma"), (240, "mg/dL"), (320, "70-99"), y=242),
        *row((72, "Calcium"), (200, "9.4"), (240, "mg/dL"), (320, "8.6-10.3"), y=256),
    ]
    words += words_at("112", 200.5, 242)  # 2 pt after "Plasma": one segment with the name
    results = parse_document(_doc(words)).results
    assert [(r.name, r.value) for r in results] == [
        ("Sodium", 139.0), ("Potassium", 4.1), ("Chloride", 101.0), ("Glucose, Fasting Plasma", 112.0),
        ("Calcium", 9.4)]
    assert parse_outcome(_doc(words)).strategy == "columns"


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("Platelet Count 1", "Platelet Count"),  # the mark's zero lost by OCR
        ("Chloride1", "Chloride"),
        ("Wapń1", "Wapń"),  # after a letter outside ASCII
        ("Densité3", "Densité"),
        ("Т4", "Т4"),  # a Cyrillic capital and its digit: a name, not a mark
        ("Vitamina B12 2", "Vitamina B12"),  # a mark apart from a name's own digits
        ("Vitamin B12", "Vitamin B12"),
        ("Vitamin B122", "Vitamin B12"),  # glued to a name's own two digits
        ("CA 1253", "CA 125"),
        ("FT43", "FT43"),  # after one digit it may be the name's own: kept
        ("Potássio t", "Potássio"),  # its one alone, read as a small letter
        ("pH0", "pH"),  # its one lost, glued to a lower-and-capital name
        ("Glucose *3", "Glucose"),  # its zero read as a star
        ("Protein S", "Protein S"),  # a capital is a name's own letter
        ("HDL-cholesterol 02 2", "HDL-cholesterol"),  # the mark, then its digit read again
        ("Albumin θ1", "Albumin"),  # its zero read as a Greek letter
        ("Creatinine, Serum®3", "Creatinine, Serum"),
        ("Sodium 01", "Sodium"),
        ("Sodium 0 1", "Sodium"),  # its two digits read as two words
        ("Total Bilirubin a2", "Total Bilirubin"),  # its zero read as a letter
        ("白细胞计数 0 1", "白细胞计数"),  # after a CJK name
        ("血红蛋白 2", "血红蛋白"),
        ("锂 0 3", "锂"),  # a name OCR misread still loses a zero-led mark
        ("MCHC{3", "MCHC"),  # its zero read as a brace
        ("Natrium a3", "Natrium"),
        ("Kalium 0", "Kalium"),  # its second digit lost
        ("Neutrofili 00", "Neutrofili"),
        ("Emoglobina 03.", "Emoglobina"),  # and a speck after it
        ("IgG 4", "IgG 4"),  # a subclass, not a mark
        ("eGFR 1", "eGFR"),
        ("ALAT (TGP) 02", "ALAT (TGP)"),  # after a bracket
        ("ALT (TGP) 2", "ALT (TGP)"),
        ("Hemoglobina a", "Hemoglobina"),  # a zero read as a, its digit lost
        ("VCM0", "VCM"),  # its one lost, glued to capitals
        ("Creatinine 93", "Creatinine"),  # its zero read as a nine
        ("Glucose#1", "Glucose"),
        ("VES 03", "VES"),  # a zero-led mark after a name the catalogue does not know
        ("Hemoglobina1", "Hemoglobina"),  # the shortest cut the catalogue knows best
        ("RDW⁰1", "RDW"),  # a superscript OCR kept in part
        ("Sodio=", "Sodio"),  # the whole mark read as a sign
        ("Potassio=2", "Potassio"),
        ("Complement C3", "Complement C3"),
        ("Vitamin B1", "Vitamin B1"),
        ("BUN“3", "BUN"),
        ("Calcium 0t", "Calcium"),  # its one read as a letter
        ("AST3", "AST"),
        ("FT4", "FT4"),
        ("Vitamin B12", "Vitamin B12"),  # digits that belong to the name stay
        ("Vitamin D3", "Vitamin D3"),
        ("Free T4", "Free T4"),
        ("MCH13", "MCH"),  # its zero read as a one, glued to capitals
        ("Potassium93", "Potassium"),  # its zero read as a nine, glued to a word
        ("Neutrophils82", "Neutrophils"),
        ("Albúmina0", "Albúmina"),  # its one lost, glued to a word
        ("Eiwit02", "Eiwit"),  # a zero-led mark glued to a word the catalogue does not know
        ("CA125", "CA125"),  # a tumour marker's number stays
    ],
)
def test_a_site_mark_read_at_full_size_is_not_part_of_the_name(printed: str, expected: str):
    """Given a performing-site mark OCR read as part of the name, then the printed label is the
    name without it, and the row is still the value after it."""
    doc = _doc(HEADER, row((54, printed), (230, "4.6"), (340, "g/dL"), (450, "3.5-5.0"), y=200))
    (result,) = parse_document(doc).results
    assert (result.name_as_printed, result.value) == (expected, 4.6)


def test_a_wrapped_cjk_name_keeps_its_end_and_loses_its_site_mark():
    """Given a CJK name wrapped in its column, its second line ending in a site mark OCR read
    at full size ("量 0 1"), then the name is whole and the mark is not part of it."""
    doc = _doc(
        HEADER,
        row((54, "平均红细胞血红蛋白含"), (230, "28.3"), (340, "pg"), (450, "28.0-33.0"), y=200),
        row((54, "量 0 1"), y=212),
        row((54, "血小板计数 0 3"), (230, "510"), (340, "10^9/L"), (450, "150-400"), y=230),
    )
    mch, plt = parse_document(doc).results
    assert (mch.name_as_printed, mch.value, mch.loinc) == ("平均红细胞血红蛋白含量", 28.3, "785-6")
    assert (plt.name_as_printed, plt.value) == ("血小板计数", 510)


def test_a_wrapped_name_whose_ocr_boxes_overlap_the_row_above():
    """Given OCR boxes padded so the name's second line overlaps the first by a third of its
    height, then it is still the rest of the name, not a row of its own."""
    doc = _doc(
        HEADER,
        row((54, "Alkalische"), (230, "101"), (340, "U/L"), (450, "35-105"), y=200),
        [Word("Phosphatase", 58, 207.0, 120, 221.0, 0.95)],
        row((54, "Sodium"), (230, "139"), (340, "mmol/L"), (450, "136-145"), y=226),
    )
    alp, na = parse_document(doc).results
    assert alp.name_as_printed == "Alkalische Phosphatase" and alp.value == 101
    assert na.name == "Sodium"


@pytest.mark.parametrize(
    "lines",
    [
        # "Name: value unit (range)" as running text
        ["Hemoglobin: 13.5 g/dL (12.0-16.0)", "Glucose: 112 mg/dL (70-99) H", "Sodium: 139 mmol/L (136-145)"],
        # dot leaders between the name and the value
        ["Hemoglobin ........ 13.5 g/dL 12.0-16.0", "Glucose.......... 112 mg/dL 70-99 H",
         "Sodium ........... 139 mmol/L 136-145"],
    ],
)
def test_rows_printed_as_running_text(lines):
    """Given results printed as text lines, not columns, then each line is a row."""
    doc = _doc(*(words_at(text, 54, 200 + 16 * i) for i, text in enumerate(lines)))
    results = parse_document(doc).results
    assert [(r.name, r.value, r.unit, r.flag) for r in results] == [
        ("Hemoglobin", 13.5, "g/dL", "normal"), ("Glucose", 112.0, "mg/dL", "high"), ("Sodium", 139.0, "mmol/L", "normal")]
    assert results[0].reference_range.low == 12.0 and results[2].reference_range.high == 145


def test_header_labels_with_a_colon_are_not_rows():
    doc = _doc(words_at("Age: 45 years", 54, 180), words_at("MRN: 123456", 54, 196),
               words_at("Potassium: 4.1 mmol/L (3.5-5.1)", 54, 220))
    assert [r.name for r in parse_document(doc).results] == ["Potassium"]


def test_unit_column_before_the_result_and_bracketed_ranges():
    doc = _doc(
        row((54, "Analyte"), (220, "Reference Range"), (340, "Units"), (420, "Result"), y=180),
        row((54, "Hemoglobin"), (220, "[12.0 - 16.0]"), (340, "g/dL"), (420, "11.2"), y=200),
        row((54, "Glucose (mg/dL)"), (220, "[70 - 99]"), (420, "112"), y=216),  # the unit in the name
    )
    hgb, glu = parse_document(doc).results
    assert (hgb.unit, hgb.reference_range.low, hgb.flag) == ("g/dL", 12.0, "low")
    assert (glu.name, glu.name_as_printed, glu.unit, glu.flag) == ("Glucose", "Glucose (mg/dL)", "mg/dL", "high")


def test_a_list_marker_before_the_name_is_not_part_of_the_label():
    doc = _doc(HEADER, row((54, "• GLUCOSE"), (230, "112"), (340, "mg/dL"), (450, "70-99"), y=200),
               row((54, "- Sodium"), (230, "139"), (340, "mmol/L"), (450, "136-145"), y=216))
    assert [(r.name_as_printed, r.name) for r in parse_document(doc).results] == [
        ("GLUCOSE", "Glucose"), ("Sodium", "Sodium")]


def test_a_comment_line_under_a_row_is_not_a_row():
    """Given a note whose number lands in the result column, then it is not a result."""
    doc = _doc(
        HEADER,
        row((54, "Glucose"), (230, "112"), (340, "mg/dL"), (450, "70-99"), y=200),
        words_at("Comment: Fasting sample. Values above 126 mg/dL suggest diabetes.", 70, 216),
        row((54, "Sodium"), (230, "139"), (340, "mmol/L"), (450, "136-145"), y=232),
    )
    assert [r.name for r in parse_document(doc).results] == ["Glucose", "Sodium"]


def test_a_titre_is_a_result():
    doc = _doc(HEADER, row((54, "ANA Titer"), (230, "1:160"), (450, "<1:80"), y=200),
               row((54, "Sodium"), (230, "139"), (340, "mmol/L"), (450, "136-145"), y=216))
    ana, _ = parse_document(doc).results
    assert (ana.value, ana.value_text, ana.reference_range.text) == (None, "1:160", "<1:80")


def test_rows_printed_closer_than_their_height_beside_a_table_of_another_pitch_stay_apart():
    """Given Turkish urinalysis rows whose OCR boxes overlap (rows 11 apart, boxes 13 high)
    beside a second table whose rows fall between them, then "Glukoz" and "Keton" (one
    above the other, same column) are two rows, each with its own value: a word over one
    already on a line starts the next line (they were read as one row, "Keton Glukoz")."""
    def at(text: str, x: float, y: float) -> list[Word]:
        return [Word(text, x, y, x + 5.5 * len(text), y + 13, 1.0, False)]

    words = [
        *at("Test Adı", 40, 190), *at("Sonuç", 100, 190), *at("Referans Aralığı", 228, 190),
        *at("Test Adı", 306, 190), *at("Sonuç", 383, 190), *at("Birim", 436, 190), *at("Referans Aralığı", 483, 190),
        *at("Protein", 41, 220.3), *at("Negatif", 100, 220.3), *at("Negatif", 229, 221.0),
        *at("Glukoz", 41, 231.1), *at("1+", 100, 231.8), *at("Negatif", 227, 231.8),
        *at("Trombosit", 307, 238.3), *at("191", 382, 238.3), *at("10^9/L", 436, 238.3), *at("150-400", 483, 238.3),
        *at("Keton", 40, 241.9), *at("Negatif", 102, 243.7), *at("Negatif", 227, 243.4),
    ]
    lines = build_lines(words)
    assert not any({"Glukoz", "Keton"} <= {w.text for w in ln.words} for ln in lines)
    results = parse_document(_doc(words)).results
    assert [(r.name_as_printed, r.value_text) for r in results if r.name_as_printed in ("Glukoz", "Keton")] == [
        ("Glukoz", "1+"), ("Keton", "Negatif")]


@pytest.mark.parametrize("mark", ["path.", "pathol.", "hoch"])
def test_a_flag_word_in_the_units_column_is_the_flag(mark):
    """German labs print "path." (pathologisch) where the unit would be, for a reading that has
    none: it was kept as the unit, and the flag the lab printed was lost."""
    doc = _doc(
        row((54, "Untersuchung"), (200, "Ergebnis"), (290, "Einheit"), (380, "Referenzbereich"), y=180),
        row((54, "Blut"), (200, "2+"), (290, mark), (380, "negativ"), y=200),
        row((54, "Glukose"), (200, "negativ"), (380, "negativ"), y=216),
    )
    blood = parse_document(doc).results[0]
    assert (blood.unit, blood.flag_source) == (None, "printed")
    assert blood.flag == ("high" if mark == "hoch" else "abnormal")


@pytest.mark.parametrize("rest", ["Phosphatase3", "Phosphatase 2", "Phosphatase θ1"])
def test_a_wrapped_name_ending_in_a_site_mark_read_at_full_size(rest):
    """OCR reads a performing site's small digit at full size at the end of a wrapped name
    ("Alkaline" / "Phosphatase3"): the name is whole without it. It was dropped, its row named
    "Alkaline" alone."""
    doc = _doc(
        HEADER,
        row((54, "Alkaline"), (230, "121"), (340, "U/L"), (450, "35-105"), y=200),
        row((54, rest), y=211),
        row((54, "Sodium"), (230, "139"), (340, "mmol/L"), (450, "136-145"), y=230),
    )
    alp, na = parse_document(doc).results
    assert (alp.name_as_printed, alp.name, alp.value) == ("Alkaline Phosphatase", "ALP", 121)
    assert na.name == "Sodium"


def test_a_line_with_a_number_under_a_known_name_is_not_its_rest():
    """The guard: a known name ("Sodium") is not lengthened by a line with digits under it."""
    doc = _doc(
        HEADER,
        row((54, "Sodium"), (230, "139"), (340, "mmol/L"), (450, "136-145"), y=200),
        row((54, "Potassium 2"), y=211),
    )
    [na] = parse_document(doc).results
    assert na.name_as_printed == "Sodium"


def test_a_site_mark_reaching_into_the_value_column_is_not_the_value():
    """OCR read a site mark "02" as "2" at full size after a long name, far enough right to fall
    in the result column: it hugs the name, the value stands apart, so the value is "<0.5" (the
    mark was the value and "<0.5" the range, the printed range lost). Boxes as a scan gave them."""
    def w(text, x0, x1, y=340.0):
        return Word(text, x0, y, x1, y + 14.5, 0.95)

    header = [w("Análise", 43.6, 78.5, 110), w("Resultado", 155.5, 200.9, 110), w("Método", 217.4, 249.5, 110),
              w("Unidade", 294.8, 329.0, 110), w("Valores", 348.1, 383.4, 110), w("de", 388.1, 397.4, 110),
              w("referência", 401.8, 451.1, 110)]
    crp = [w("Proteína", 41.0, 80.6), w("C", 85.0, 90.0), w("reativa", 94.3, 129.2), w("2", 133.6, 137.9),
           w("<0.5", 151.2, 172.4), w("Turbidimetry", 213.8, 274.0), w("mg/l", 290.9, 312.5), w("<5,0", 346.0, 370.4)]
    glucose = [w("Glicose", 41.0, 75.0, 360), w("92", 156.0, 167.0, 360), w("mg/dL", 291.0, 318.0, 360),
               w("70-99", 346.0, 372.0, 360)]
    [got, glu] = parse_document(_doc(header, crp, glucose)).results
    assert (got.name_as_printed, got.value_text, got.reference_range.text) == ("Proteína C reativa", "<0.5", "<5,0")
    assert glu.value == 92


def test_a_speck_after_a_flag_before_the_specimen_cell_does_not_cut_the_row():
    """"0.53  [H].  Blood  0.40 - 0.52": a speck after the flag read as a full stop, then a
    specimen that is also a test's name ("Blood", "Kan"). The row was cut in two as if it were
    running text (a letter's "Hb 128 g/L, WCC 6.2 ..."); a column gap is no word space."""
    doc = _doc(
        row((54, "Test"), (200, "Result"), (270, "Flag"), (330, "Specimen"), (420, "Reference Range"), y=180),
        row((54, "Hematocrit"), (200, "0.53"), (270, "[H]."), (330, "Blood"), (420, "0.40 - 0.52 L/L"), y=200),
        row((54, "MCV"), (200, "91.2"), (330, "Blood"), (420, "80.0 - 96.0 fL"), y=216),
    )
    got = [(r.name, r.value_text, r.unit, r.flag) for r in parse_document(doc).results]
    assert got == [("Hematocrit", "0.53", "L/L", "high"), ("MCV", "91.2", "fL", "normal")]


def test_a_method_note_a_photo_tilted_onto_the_row_is_not_part_of_the_name():
    """A photo's tilt puts the "Método: Dipstick" line under a row on the row's own line, between
    its name and its value: the row was dropped ("pH Método: Dipstick" is no name)."""
    doc = _doc(
        HEADER,
        row((54, "pH Método: Dipstick"), (230, "6.7"), (450, "5.0-8.0"), y=200),
        row((54, "Glucose"), (230, "92"), (340, "mg/dL"), (450, "70-99"), y=216),
    )
    ph, glucose = parse_document(doc).results
    assert (ph.name_as_printed, ph.value) == ("pH", 6.7)
    assert glucose.value == 92


@pytest.mark.parametrize(("name", "expected"), [("Potássio t", "Potássio"), ("Glucose l", "Glucose"),
                                                 ("Protein S", "Protein S"), ("Vitamin K", "Vitamin K")])
def test_a_mark_read_as_a_lone_small_letter_is_cut(name, expected):
    """A site mark's one read as a lone "t" or "l" after a name (a photo of a Portuguese report
    gave "Potássio t"); a capital after a name is the name's own letter."""
    assert without_site_mark(name, get_catalog()) == expected


@pytest.mark.parametrize(("value", "rng", "expected"), [(".78", "62 - 106", 78.0), (".52", "40-75", 52.0),
                                                        (".52", "0.40 - 0.75", 0.52),  # a range in fractions
                                                        (".5", "1 - 5", 0.5)])  # one digit: a fraction
def test_a_speck_before_a_whole_number_read_as_its_point(value, rng, expected):
    """".78" µmol/L of creatinine against 62 - 106: labs print a fraction with its zero, so a
    point before a number of the range's size, when the fraction is far below it, is a speck."""
    doc = _doc(HEADER, row((54, "Creatinine"), (230, value), (340, "umol/L"), (450, rng), y=200))
    [r] = parse_document(doc).results
    assert r.value == expected


def test_a_wrapped_lower_case_rest_with_a_site_mark_under_a_known_name():
    """"Hemoglobina" / "glikowana 2": the first line is a test of its own (haemoglobin), but a
    rest in lower case continues it, and without the mark the two name another (HbA1c)."""
    doc = _doc(
        HEADER,
        row((54, "Hemoglobina"), (230, "5,5"), (340, "%"), (450, "4,0-5,6"), y=200),
        row((60, "glikowana 2"), y=211),
    )
    [r] = parse_document(doc).results
    assert (r.name_as_printed, r.name) == ("Hemoglobina glikowana", "Hemoglobin A1c")

"""Row-reading traits seen in real reports, each on a small page of words (no PDF, no OCR).

Given a table with the trait, when it is parsed, then every result row keeps its own
value, flag, unit and range, and what is not a result is not read as one.
"""

from __future__ import annotations

import pytest

from labintake.domain.schemas import ReferenceRange
from labintake.extract.document import Document, Page, Word
from labintake.parse import parse_document, parse_outcome, to_result
from labintake.parse.catalog import get_catalog
from labintake.parse.columns import find_header
from labintake.parse.lines import build_lines
from labintake.parse.table import RawRow, read_row
from labintake.parse.values import parse_value
from tests.fixtures.words import row


def _doc(*word_lists) -> Document:
    return Document([Page(1, 612, 792, [w for ws in word_lists for w in ws], "text")], "test")


HEADER = row((54, "Test"), (230, "Result"), (300, "Flag"), (340, "Units"), (450, "Reference Range"), y=180)


def _rows(doc):
    return [(r.name_as_printed, r.value, r.flag) for r in parse_document(doc).results]


@pytest.mark.parametrize("printed", ["*145", "145*", "145(H)", "145H", "↑145", "145↑", "145 H", "145 ↑", "▲145"])
def test_a_flag_glued_to_the_value_keeps_the_row(printed):
    doc = _doc(
        HEADER,
        row((54, "Sodium"), (230, printed), (340, "mmol/L"), (450, "136-145"), y=200),
        row((54, "Potassium"), (230, "4.1"), (340, "mmol/L"), (450, "3.5-5.1"), y=216),
        row((54, "Chloride"), (230, "101"), (340, "mmol/L"), (450, "98-107"), y=232),
    )
    results = parse_document(doc).results
    assert [r.name for r in results] == ["Sodium", "Potassium", "Chloride"]
    na = results[0]
    assert na.value == 145.0 and na.value_text == "145" and na.flag_source == "printed"
    # "*" marks without a direction; on the bound of "136-145" it stays abnormal.
    assert na.flag == ("abnormal" if "*" in printed else "high")


def test_a_hash_mark_glued_to_the_value_and_a_division_sign_between_bounds():
    """Given '#27.3' (a lab's mark, or its asterisk read so by OCR) and a range printed
    '(28,0 ÷ 33,0)' (Italian and Eastern European labs, or a dash OCR read so), then the row
    keeps its value, the mark is a flag whose direction the range gives, and the range reads."""
    doc = _doc(
        HEADER,
        row((54, "MCH"), (230, "#27.3"), (340, "pg"), (450, "(28,0 ÷ 33,0)"), y=200),
        row((54, "RBC"), (230, "5.10"), (340, "10^12/L"), (450, "(4,50÷5,90)"), y=216),
        row((54, "Sodium"), (230, "140"), (340, "mmol/L"), (450, "136-145"), y=232),
    )
    mch, rbc, _ = parse_document(doc).results
    assert (mch.value, mch.flag, mch.flag_source, mch.reference_range.low) == (27.3, "low", "printed", 28.0)
    assert (rbc.value, rbc.flag, rbc.reference_range.low, rbc.reference_range.high) == (5.1, "normal", 4.5, 5.9)


@pytest.mark.parametrize(("read", "printed"), [("HbAlc", "HbA1c"), ("Hemoglobin Alc", "Hemoglobin A1c"),
                                               ("C02", "CO2"), ("Chloride", "Chloride"), ("Apo Al", "Apo A1"),
                                               ("y - GT", "γ-GT"), ("y-谷氨酰转移酶", "γ-谷氨酰转移酶"),
                                               ("Eiwei8", "Eiweiß"),  # an eszett read as an eight
                                               ("Eiwei8 (ICD-9: W68)", "Eiweiß (ICD-9: W68)")])  # a code beside it
def test_a_digit_ocr_read_as_a_letter_in_a_name_is_put_back_in_the_printed_label(read, printed):
    """Given OCR read a name's one as an l (or a letter O as a zero), then the printed label is
    what the page prints, when exactly one such change makes it a name the catalogue knows."""
    doc = _doc(HEADER, row((54, read), (230, "5.6"), (340, "%"), (450, "4.0-5.6"), y=200))
    assert parse_document(doc).results[0].name_as_printed == printed


@pytest.mark.parametrize("comparator", ["<", ".<", "≤"])
def test_a_comparator_starting_left_of_the_range_heading_stays_with_its_bound(comparator):
    """Given a bound printed '< 100' whose comparator (or a speck before it) starts a little left
    of the Reference heading, then the comparator is part of the range, not of the unit."""
    doc = _doc(
        HEADER,
        row((54, "LDL Cholesterol"), (230, "59"), (340, "mg/dL"), (444 - 5.5 * (len(comparator) - 1), f"{comparator} 100"), y=200),
        row((54, "Sodium"), (230, "140"), (340, "mmol/L"), (450, "136-145"), y=216),
    )
    ldl = parse_document(doc).results[0]
    strict = "<=" if comparator == "≤" else "<"
    assert (ldl.unit, ldl.reference_range.high, ldl.reference_range.high_comparator) == ("mg/dL", 100.0, strict)


def test_a_down_arrow_read_as_v_after_the_value_is_a_low_flag_not_a_unit():
    """Given '4,27 ▼' read by OCR as '4,27 V', then the row is flagged low and keeps its unit."""
    doc = _doc(
        HEADER,
        row((54, "RBC"), (230, "4,27"), (260, "V"), (340, "10^12/L"), (450, "4,50 - 5,90"), y=200),
        row((54, "Factor V"), (230, "95"), (340, "%"), (450, "70 - 120"), y=216),
    )
    rbc, factor = parse_document(doc).results
    assert (rbc.value, rbc.flag, rbc.flag_source, rbc.unit) == (4.27, "low", "printed", "10^12/L")
    assert factor.name_as_printed == "Factor V" and factor.flag == "normal"


def test_flags_in_their_own_column_as_words_arrows_and_brackets():
    doc = _doc(
        HEADER,
        row((54, "Glucose"), (230, "112"), (300, "HIGH"), (340, "mg/dL"), (450, "70-99"), y=200),
        row((54, "Potassium"), (230, "3.1"), (300, "▼"), (340, "mmol/L"), (450, "3.5-5.1"), y=216),
        row((54, "Sodium"), (230, "150"), (300, "[H]"), (340, "mmol/L"), (450, "136-145"), y=232),
        row((54, "Calcium"), (230, "7.9"), (300, "↓"), (340, "mg/dL"), (450, "8.6-10.3"), y=248),
    )
    assert [r.flag for r in parse_document(doc).results] == ["high", "low", "high", "low"]


def test_an_arrow_between_value_and_unit():
    doc = _doc(
        HEADER,
        row((54, "Glucose"), (230, "14.01 ↑ mmol/L"), (450, "3.9-6.1"), y=200),
        row((54, "Sodium"), (230, "140"), (340, "mmol/L"), (450, "136-145"), y=216),
    )
    glucose = parse_document(doc).results[0]
    assert (glucose.value, glucose.flag, glucose.unit) == (14.01, "high", "mmol/L")


def test_the_previous_result_and_its_date_are_never_taken():
    doc = _doc(
        row((54, "Tests"), (200, "Current Result and Flag"), (330, "Previous Result and Date"),
            (470, "Units"), (520, "Reference Interval"), y=180),
        row((54, "Glucose"), (200, "112"), (230, "High"), (330, "98"), (360, "01/05/2025"),
            (470, "mg/dL"), (520, "70-99"), y=200),
        row((54, "Sodium"), (200, "139"), (330, "141"), (360, "01/05/2025"), (470, "mmol/L"), (520, "134-144"), y=216),
        row((54, "Potassium"), (200, "4.6"), (470, "mmol/L"), (520, "3.5-5.2"), y=232),
    )
    outcome = parse_outcome(doc)
    assert [(r.name, r.value, r.flag, r.unit) for r in outcome.report.results] == [
        ("Glucose", 112.0, "high", "mg/dL"),
        ("Sodium", 139.0, "normal", "mmol/L"),
        ("Potassium", 4.6, "normal", "mmol/L"),
    ]
    assert not outcome.failed and outcome.validated


def test_unit_after_the_range_and_unit_with_range_in_one_cell():
    doc = _doc(
        row((54, "Test"), (230, "Result"), (300, "Ref. Range"), (420, "Unit"), y=180),
        row((54, "Cholesterol"), (230, "5.6"), (300, "mmol/L (< 5.0)"), y=200),
        row((54, "Glucose"), (230, "82.9 mg/dL"), (300, "70-99"), y=216),
        row((54, "Sodium"), (230, "140"), (300, "136-145"), (420, "mmol/L"), y=232),
    )
    chol, glucose, sodium = parse_document(doc).results
    assert chol.unit == "mmol/L" and chol.reference_range.high == 5.0 and chol.flag == "high"
    assert chol.reference_range.high_comparator == "<"
    assert (glucose.value, glucose.unit, glucose.reference_range.low) == (82.9, "mg/dL", 70.0)
    assert (sodium.unit, sodium.reference_range.high) == ("mmol/L", 145.0)


def test_a_range_glued_to_its_unit():
    doc = _doc(
        HEADER,
        row((54, "Potassium"), (230, "4.1"), (340, "3.5-5.1mmol/L"), y=200),
        row((54, "Sodium"), (230, "140"), (340, "mmol/L"), (450, "136-145"), y=216),
    )
    k = parse_document(doc).results[0]
    assert (k.unit, k.reference_range.low, k.reference_range.high) == ("mmol/L", 3.5, 5.1)


def test_interpretation_table_rows_are_not_results():
    doc = _doc(
        HEADER,
        row((54, "Total Cholesterol"), (230, "186"), (340, "mg/dL"), (450, "<200"), y=200),
        row((54, "Desirable"), (230, "<200"), (340, "mg/dL"), y=216),
        row((54, "Borderline High"), (230, "200-239"), (340, "mg/dL"), y=232),
        row((54, "| Risk Group |"), (230, "| Extreme |"), (340, "50"), y=248),
        row((54, "Low risk"), (230, "<100"), (340, "mg/dL"), y=264),
        row((54, "Hemoglobin A1c"), (230, "5.4"), (340, "%"), (450, "4.0-5.6"), y=280),
    )
    assert [r.name_as_printed for r in parse_document(doc).results] == ["Total Cholesterol", "Hemoglobin A1c"]


def test_a_performing_site_superscript_is_not_the_value():
    words = row((54, "Hemoglobin"), (230, "13.5"), (340, "g/dL"), (450, "12.0-16.0"), y=200)
    # "01" printed small and raised right after the name.
    words.append(Word("01", 112, 198, 119, 204, 1.0, False))
    doc = _doc(HEADER, words, row((54, "Sodium"), (230, "140"), (340, "mmol/L"), (450, "136-145"), y=216))
    hgb = parse_document(doc).results[0]
    assert (hgb.name, hgb.value, hgb.name_as_printed) == ("Hemoglobin", 13.5, "Hemoglobin")


def test_a_test_code_in_the_name_does_not_stop_the_match():
    doc = _doc(HEADER, row((54, "TSH (ICD-9: O55)"), (230, "2.1"), (340, "uIU/mL"), (450, "0.4-4.0"), y=200),
               row((54, "Sodium"), (230, "140"), (340, "mmol/L"), (450, "136-145"), y=216))
    tsh = parse_document(doc).results[0]
    assert tsh.name == "TSH" and tsh.value == 2.1 and tsh.name_as_printed == "TSH (ICD-9: O55)"


def _cjk(x: float, text: str) -> tuple[float, str]:
    return (x, " ".join(text))  # OCR gives each CJK character as its own word


def test_two_chinese_tables_side_by_side_with_a_code_column():
    doc = _doc(
        row(_cjk(30, "序号"), (55, "代码"), _cjk(90, "项目名称"), _cjk(180, "结果"), _cjk(220, "单位"),
            _cjk(265, "参考值"), _cjk(330, "序号"), (355, "代码"), _cjk(390, "项目名称"), _cjk(480, "结果"),
            _cjk(520, "单位"), _cjk(565, "参考值"), y=100),
        row((30, "1 WBC"), _cjk(90, "白细胞"), (180, "2.92"), (220, "10^9/L"), (265, "4-10"),
            (330, "3 NEUT#"), _cjk(390, "中性细胞数"), (480, "4.29"), (520, "10^9/L"), (565, "2-7"), y=120),
        row((30, "2 HGB"), _cjk(90, "血红蛋白"), (180, "156"), (220, "g/L"), (265, "110-160"), y=136),
    )
    results = parse_document(doc).results
    assert [(r.name_as_printed, r.value) for r in results] == [
        ("WBC 白细胞", 2.92), ("HGB 血红蛋白", 156.0), ("NEUT# 中性细胞数", 4.29)]
    assert results[0].flag == "low"


def test_chinese_headings_read_edge_to_edge_as_one_word_still_split_the_tables():
    """Given the same two tables as OCR now gives them, characters printed together as one
    word, so the adjacent headings 序号 and 代码 come as "序号代码", then the header is still
    told apart heading by heading and the right table is read (it was lost)."""
    doc = _doc(
        row((30, "序号代码"), (90, "项目名称"), (180, "结果"), (220, "单位"), (265, "参考值"),
            (330, "序号代码"), (390, "项目名称"), (480, "结果"), (520, "单位"), (565, "参考值"), y=100),
        row((30, "1 WBC"), (90, "白细胞"), (180, "2.92"), (220, "10^9/L"), (265, "4-10"),
            (330, "3 NEUT#"), (390, "中性细胞数"), (480, "4.29"), (520, "10^9/L"), (565, "2-7"), y=120),
        row((30, "2 HGB"), (90, "血红蛋白"), (180, "156"), (220, "g/L"), (265, "110-160"), y=136),
    )
    results = parse_document(doc).results
    assert [(r.name_as_printed, r.value) for r in results] == [
        ("WBC 白细胞", 2.92), ("HGB 血红蛋白", 156.0), ("NEUT# 中性细胞数", 4.29)]


@pytest.mark.parametrize(
    "header",
    [
        ("Exame", "Resultado", "Unidade", "Valores de referência"),
        ("Onderzoek", "Uitslag", "Eenheid", "Referentiewaarden"),
        ("Badanie", "Wynik", "Jednostka", "Zakres referencyjny"),
        ("Tetkik", "Sonuç", "Birim", "Referans aralığı"),
    ],
)
def test_table_headers_in_more_languages(header):
    doc = _doc(
        row((54, header[0]), (230, header[1]), (330, header[2]), (430, header[3]), y=180),
        row((54, "Sodium"), (230, "140"), (330, "mmol/L"), (430, "136-145"), y=200),
        row((54, "Potassium"), (230, "4,1"), (330, "mmol/L"), (430, "3,5-5,1"), y=216),
    )
    outcome = parse_outcome(doc)
    assert outcome.strategy == "columns" and [r.value for r in outcome.report.results] == [140.0, 4.1]


def _raw(name, value, unit, rng_text):
    from labintake.parse.values import parse_range

    return RawRow(1, name, parse_value(value), [], None, unit, parse_range(rng_text))


def test_rows_that_fail_validation_are_kept_for_review_with_a_reason():
    """Given rows whose values are implausible for their analyte, then the file is not
    lost: the rows are kept, marked for review with a reason."""
    doc = _doc(
        HEADER,
        row((54, "Sodium"), (230, "9999"), (340, "mmol/L"), (450, "136-145"), y=200),
        row((54, "Potassium"), (230, "888"), (340, "mmol/L"), (450, "3.5-5.1"), y=216),
        row((54, "Chloride"), (230, "101"), (340, "mmol/L"), (450, "98-107"), y=232),
    )
    outcome = parse_outcome(doc)
    assert not outcome.failed and not outcome.validated
    na, k, cl = outcome.report.results
    assert na.needs_review and na.review_reason == "implausible_value"
    assert k.review_reason == "implausible_value" and not cl.needs_review and cl.review_reason is None
    assert outcome.metadata["review_reasons"] == {"implausible_value": 2}


def test_review_reason_is_set_whenever_review_is():
    doc = _doc(HEADER, row((54, "Hemoglobln"), (230, "13.5"), (340, "g/dL"), (450, "12.0-16.0"), y=200),
               row((54, "Sodium"), (230, "140"), (340, "mmol/L"), (450, "136-145"), y=216))
    for r in parse_document(doc).results:
        assert (r.review_reason is not None) == r.needs_review


def test_strict_one_sided_range_flags_the_bound():
    doc = _doc(HEADER, row((54, "Total Cholesterol"), (230, "200"), (340, "mg/dL"), (450, "<200"), y=200),
               row((54, "Sodium"), (230, "140"), (340, "mmol/L"), (450, "136-145"), y=216))
    chol = parse_document(doc).results[0]
    assert chol.flag == "high" and chol.reference_range == ReferenceRange(high=200.0, text="<200", high_comparator="<")


def test_a_unit_wrapped_over_two_lines():
    doc = _doc(
        HEADER,
        row((54, "WBC"), (230, "6.1"), (340, "x10^3/"), (450, "4.0-11.0"), y=200),
        row((340, "uL"), y=210),
        row((54, "Hemoglobin"), (230, "13.5"), (340, "g/dL"), (450, "12.0-16.0"), y=226),
    )
    wbc, hgb = parse_document(doc).results
    assert wbc.unit == "10^3/uL" and hgb.unit == "g/dL"


def test_a_headerless_chinese_table_with_row_numbers_and_abbreviations():
    doc = _doc(
        row((30, "1"), _cjk(60, "白细胞计数"), (150, "WBC"), (200, "11.6"), (240, "↑"), (270, "10^9/L"), (340, "3.5--9.5"), y=100),
        row((30, "2"), _cjk(60, "血红蛋白"), (150, "HGB"), (200, "135"), (270, "g/L"), (340, "115～150"), y=116),
        row((30, "3"), _cjk(60, "血小板计数"), (150, "PLT"), (200, "210"), (270, "10^9/L"), (340, "125-350"), y=132),
        row((30, "4"), _cjk(60, "尿蛋白"), (200, "阴性(-)"), (340, "阴性"), y=148),
    )
    results = parse_document(doc).results
    assert [(r.name_as_printed, r.value, r.flag) for r in results] == [
        ("白细胞计数 WBC", 11.6, "high"), ("血红蛋白 HGB", 135.0, "normal"), ("血小板计数 PLT", 210.0, "normal"),
        ("尿蛋白", None, "normal")]
    assert results[0].reference_range.high == 9.5 and results[1].reference_range.low == 115.0


def test_an_interpretation_table_under_a_result_is_read_past():
    doc = _doc(
        HEADER,
        row((54, "Hemoglobin A1c"), (230, "6.1"), (340, "%"), (450, "4.0-5.6"), y=200),
        row((54, "HbA1c in %"), (230, "Interpretation"), y=222),
        row((54, "HbA1c"), (230, "<5.7"), (340, "%"), (450, "Normal"), y=236),
        row((54, "HbA1c"), (230, "5.7-6.4"), (340, "%"), (450, "Prediabetes"), y=250),
        row((54, "HbA1c"), (230, ">6.4"), (340, "%"), (450, "Diabetes"), y=264),
        row((54, "GLUCOSE PANEL"), y=296),
        row((54, "Glucose"), (230, "96"), (340, "mg/dL"), (450, "70-99"), y=316),
    )
    assert [(r.name_as_printed, r.value) for r in parse_document(doc).results] == [
        ("Hemoglobin A1c", 6.1), ("Glucose", 96.0)]


def test_method_and_specimen_columns_and_a_method_line_under_each_name():
    doc = _doc(
        row((54, "Test"), (180, "Method"), (270, "Result"), (330, "Units"), (400, "Specimen"), (470, "Reference Range"), y=180),
        row((54, "Glucose"), (180, "GOD-PAP 2"), (270, "112"), (330, "mg/dL"), (400, "Serum"), (470, "70-99"), y=200),
        row((60, "Method: hexokinase"), y=211),
        row((54, "Creatinine"), (180, "Jaffe"), (270, "0.91"), (330, "mg/dL"), (400, "Serum"), (470, "0.57-1.00"), y=228),
        row((60, "(Enzymatic, IDMS traceable)"), y=239),
        row((54, "Sodium"), (180, "ISE 3"), (270, "140"), (330, "mmol/L"), (400, "Plasma"), (470, "136-145"), y=256),
    )
    results = parse_document(doc).results
    assert [(r.name, r.value, r.unit, r.flag) for r in results] == [
        ("Glucose", 112.0, "mg/dL", "high"), ("Creatinine", 0.91, "mg/dL", "normal"), ("Sodium", 140.0, "mmol/L", "normal")]


def test_a_row_with_neither_unit_nor_range_under_a_printed_header_is_kept():
    doc = _doc(
        HEADER,
        row((54, "Hemoglobin"), (230, "13.5"), (340, "g/dL"), (450, "12.0-16.0"), y=200),
        row((54, "Blast Index"), (230, "9"), y=216),
        row((54, "Platelets"), (230, "250"), (340, "10^3/uL"), (450, "150-400"), y=232),
    )
    results = parse_document(doc).results
    assert [(r.name_as_printed, r.value, r.unit, r.reference_range) for r in results][1] == ("Blast Index", 9.0, None, None)


@pytest.mark.parametrize(("sex", "low"), [("male", 13.5), ("female", 12.0), (None, None)])
def test_ranges_for_both_sexes_take_the_patients(sex, low):
    doc = _doc(
        HEADER,
        row((54, "Hemoglobin"), (230, "13.0"), (340, "g/dL"), (450, "Male: 13.5-17.5"), y=200),
        row((450, "Female: 12.0-15.5"), y=211),
        row((54, "Platelets"), (230, "250"), (340, "10^3/uL"), (450, "M: 150-400 F: 160-420"), y=228),
        row((54, "Sodium"), (230, "140"), (340, "mmol/L"), (450, "136-145"), y=244),
    )
    catalog = get_catalog()
    from labintake.parse.lines import build_lines
    from labintake.parse.table import parse_rows

    rows = parse_rows(build_lines(doc.pages[0].words), catalog)
    hgb, plt, na = (to_result(r, catalog, sex=sex) for r in rows)
    assert (hgb.reference_range.low if hgb.reference_range else None) == low
    assert (plt.reference_range.low if plt.reference_range else None) == {"male": 150.0, "female": 160.0, None: None}[sex]
    assert na.reference_range.low == 136.0
    if sex is None:  # what the page says is kept, with no bound that may be the other sex's
        assert hgb.reference_range.text == "Male: 13.5-17.5 / Female: 12.0-15.5"
        assert (hgb.reference_range.high, hgb.flag) == (None, None)


def test_a_single_range_labelled_with_one_sex_is_kept():
    raw = _raw("Hemoglobin", "13.0", "g/dL", "M: 13.5-17.5")
    assert to_result(raw, get_catalog(), sex="female").reference_range.low == 13.5


def test_a_previous_column_before_the_current_one_is_never_taken():
    doc = _doc(
        row((54, "Test"), (200, "Prev. Result"), (270, "Date"), (340, "Result"), (400, "Units"), (470, "Range"), y=180),
        row((54, "Glucose"), (200, "97"), (270, "02/11/2025"), (340, "112"), (400, "mg/dL"), (470, "70-99"), y=200),
        row((54, "Sodium"), (200, "141"), (270, "02/11/2025"), (340, "139"), (400, "mmol/L"), (470, "136-145"), y=216),
        row((54, "Potassium"), (340, "4.6"), (400, "mmol/L"), (470, "3.5-5.1"), y=232),
    )
    assert [(r.name, r.value) for r in parse_document(doc).results] == [
        ("Glucose", 112.0), ("Sodium", 139.0), ("Potassium", 4.6)]


@pytest.mark.parametrize("with_header", [True, False])
def test_a_site_mark_read_at_full_size_is_not_the_value(with_header):
    doc = _doc(
        HEADER if with_header else [],
        row((54, "Hemoglobin"), (130, "01"), (230, "13.5"), (340, "g/dL"), (450, "12.0-16.0"), y=200),
        row((54, "Glucose"), (130, "01"), (230, "112"), (300, "H"), (340, "mg/dL"), (450, "70-99"), y=216),
        row((54, "Sodium"), (230, "140"), (340, "mmol/L"), (450, "136-145"), y=232),
    )
    assert [(r.name, r.value) for r in parse_document(doc).results] == [
        ("Hemoglobin", 13.5), ("Glucose", 112.0), ("Sodium", 140.0)]


def test_an_age_specific_range_table_gives_no_range():
    doc = _doc(
        HEADER,
        row((54, "Alkaline Phosphatase"), (230, "120"), (340, "U/L"), (450, "Adults: 40-129"), y=200),
        row((450, "Children: 100-400"), y=211),
        row((54, "Sodium"), (230, "140"), (340, "mmol/L"), (450, "136-145"), y=228),
    )
    alp, na = parse_document(doc).results
    assert alp.value == 120.0 and alp.reference_range is None and na.reference_range.low == 136.0


def test_a_test_code_column_before_the_name_is_not_part_of_the_name():
    """Given a 'Code | Test | Result …' table whose codes are the lab's order codes, then
    each row is named by its name cell alone."""
    doc = _doc(
        row((30, "Code"), (90, "Test"), (230, "Result"), (300, "Flag"), (340, "Units"), (450, "Reference Range"), y=180),
        row((30, "GLU54"), (90, "Fasting Glucose"), (230, "77"), (340, "mg/dL"), (450, "70-99"), y=200),
        row((30, "CREA80"), (90, "Creatinine"), (230, "0.54"), (300, "L"), (340, "mg/dL"), (450, "0.74-1.35"), y=216),
        row((30, "NA11"), (90, "Sodium"), (230, "140"), (340, "mmol/L"), (450, "136-145"), y=232),
    )
    assert _rows(doc) == [("Fasting Glucose", 77.0, "normal"), ("Creatinine", 0.54, "low"), ("Sodium", 140.0, "normal")]


def test_a_previous_result_column_headed_with_its_date_is_read_past():
    """Given a 'Previous 07/02/2024' column between the flag and the unit, then the
    current result is taken, never the previous one."""
    doc = _doc(
        row((30, "Code"), (90, "Test"), (200, "Result"), (250, "Flag"), (290, "Previous 07/02/2024"), (390, "Units"),
            (470, "Reference Range"), y=180),
        row((30, "GLU70"), (90, "Glucose, Serum"), (200, "88"), (290, "71"), (390, "mg/dL"), (470, "70 - 99"), y=200),
        row((30, "BUN21"), (90, "BUN"), (200, "25"), (250, "H"), (290, "23"), (390, "mg/dL"), (470, "7 - 20"), y=216),
        row((30, "NA11"), (90, "Sodium"), (200, "140"), (290, "139"), (390, "mmol/L"), (470, "136 - 145"), y=232),
    )
    results = parse_document(doc).results
    assert [(r.name_as_printed, r.value, r.flag) for r in results] == [
        ("Glucose, Serum", 88.0, "normal"), ("BUN", 25.0, "high"), ("Sodium", 140.0, "normal")]
    assert [r.unit for r in results] == ["mg/dL", "mg/dL", "mmol/L"]


@pytest.mark.parametrize("heading", ["Interpretation", "Interpretazione", "Beurteilung:", "Interpretatie"])
def test_an_interpretation_table_under_a_heading_of_its_own_is_not_read_as_results(heading):
    doc = _doc(
        HEADER,
        row((54, "Hemoglobin A1c"), (230, "5.0"), (340, "%"), (450, "4.0-5.6"), y=200),
        row((54, "LDL Cholesterol"), (230, "2.94"), (300, "H"), (340, "mmol/L"), (450, "up to 2.60"), y=216),
        row((54, heading), y=236),
        row((54, "HbA1c"), (230, "< 5.7 %"), (340, "Normal"), y=252),
        row((54, "HbA1c"), (230, "5.7 - 6.4 %"), (340, "Prediabetes"), y=268),
        row((54, "LDL"), (230, ">= 160 mg/dL"), (340, "High"), y=284),
    )
    assert _rows(doc) == [("Hemoglobin A1c", 5.0, "normal"), ("LDL Cholesterol", 2.94, "high")]


def test_a_result_right_under_an_interpretation_table_ends_it():
    """Given an interpretation table under HbA1c ('Non-diabetic : < 5.7 %' …) and the next
    tests printed with no gap after it, then the bands are not results and every test after
    them is one: a known test with a plain number ends the table."""
    doc = _doc(
        HEADER,
        row((54, "Glycosylated Haemoglobin (HbA1c)"), (230, "7.2"), (340, "%"), (450, "4.0 - 5.6"), y=200),
        row((70, "Interpretation:"), y=213),
        row((70, "Non-diabetic : < 5.7 %"), y=223),
        row((70, "Diabetic : >= 6.5 %"), y=233),
        row((54, "Mean Blood Glucose"), (230, "159.9"), (340, "mg/dL"), y=245),
        row((54, "Fasting Blood Sugar"), (230, "132"), (340, "mg/dL"), (450, "70 - 100"), y=259),
        row((54, "Serum Creatinine"), (230, "0.9"), (340, "mg/dL"), (450, "0.5 - 1.1"), y=273),
    )
    assert _rows(doc) == [("Glycosylated Haemoglobin (HbA1c)", 7.2, "high"), ("Mean Blood Glucose", 159.9, None),
                          ("Fasting Blood Sugar", 132.0, "high"), ("Serum Creatinine", 0.9, "normal")]


def test_ranges_for_each_sex_in_one_cell_with_turkish_letters():
    """Given 'E: 4,50 - 5,90 / K: 3,90 - 5,20' (erkek / kadın) for a female patient, then
    her range is the K one."""
    doc = _doc(
        row((54, "Cinsiyet:"), (120, "Kadın"), y=120),
        row((54, "Tetkik"), (230, "Sonuç"), (330, "Birim"), (430, "Referans aralığı"), y=180),
        row((54, "RBC"), (230, "4,00"), (330, "10^12/L"), (430, "E: 4,50 - 5,90 / K: 3,90 - 5,20"), y=200),
        row((54, "Sodium"), (230, "140"), (330, "mmol/L"), (430, "136-145"), y=216),
    )
    rbc = parse_document(doc).results[0]
    assert (rbc.value, rbc.reference_range.low, rbc.reference_range.high, rbc.flag) == (4.0, 3.9, 5.2, "normal")


def test_a_range_for_the_other_sex_below_a_row_with_a_tall_unit_is_still_its_own():
    """Given 'E: 62 - 106' with 'K: 45 - 90' set solid under it, on a row whose unit 'μmol/L'
    OCR boxes taller than its neighbours (the μ's descender), then the female patient's range
    is the K one: one tall glyph does not make the lines overlap."""
    kreatinin = row((54, "Kreatinin"), (230, "66"), (430, "E: 62 - 106"), y=200)
    tall_unit = [Word("μmol/L", 330, 199, 361, 215, 1.0)]  # 16 pt tall against 11
    doc = _doc(
        row((54, "Cinsiyet:"), (120, "Kadın"), y=120),
        row((54, "Tetkik"), (230, "Sonuç"), (330, "Birim"), (430, "Referans aralığı"), y=180),
        kreatinin + tall_unit,
        row((430, "K: 45- 90"), y=209),
        row((54, "Sodium"), (230, "140"), (330, "mmol/L"), (430, "136-145"), y=226),
    )
    crea = parse_document(doc).results[0]
    assert (crea.value, crea.reference_range.low, crea.reference_range.high) == (66.0, 45.0, 90.0)


@pytest.mark.parametrize(
    ("first", "rest", "printed"),
    [("Leucociti (ICD-9:", "V21)", "Leucociti (ICD-9: V21)"), ("Vitamin D,", "25-Hydroxy", "Vitamin D, 25-Hydroxy"),
     ("Carbon Dioxide,", "Total", "Carbon Dioxide, Total")],
)
def test_a_name_cut_off_inside_brackets_or_after_a_comma_takes_its_next_line(first, rest, printed):
    doc = _doc(
        HEADER,
        row((54, first), (230, "5.6"), (340, "mmol/L"), (450, "3.0-9.0"), y=200),
        row((54, rest), y=211),
        row((54, "Sodium"), (230, "140"), (340, "mmol/L"), (450, "136-145"), y=226),
    )
    assert [r.name_as_printed for r in parse_document(doc).results] == [printed, "Sodium"]


@pytest.mark.parametrize("last", ["(AST/SGOT)", "(AST/SGOT)3", "(AST/SGOT) 03"])
def test_a_name_wrapped_over_three_lines_ending_in_brackets_and_a_site_mark(last):
    """Given 'Aspartate' / 'Aminotransferase' / '(AST/SGOT)³' in the name column (the mark read
    at full size), then the printed label is the whole name without the mark."""
    doc = _doc(
        HEADER,
        row((54, "Aspartate"), (230, "30"), (340, "U/L"), (450, "10 - 40"), y=200),
        row((54, "Aminotransferase"), y=210),
        row((54, last), y=220),
        row((54, "Sodium"), (230, "140"), (340, "mmol/L"), (450, "136-145"), y=236),
    )
    names = [r.name_as_printed for r in parse_document(doc).results]
    assert names == ["Aspartate Aminotransferase (AST/SGOT)", "Sodium"]


@pytest.mark.parametrize(("read", "printed"), [("Eosinophils (ICD-9: V27).", "Eosinophils (ICD-9: V27)"),
                                               ("总胆红素 .", "总胆红素"), ("Glucose ,", "Glucose"),
                                               ("Alk. Phos.", "Alk. Phos."), (". Ferritin", "Ferritin"),
                                               (", Glucose", "Glucose")])
def test_a_speck_beside_a_label_is_not_printed(read, printed):
    """Given OCR read a speck after a label's closing bracket, after a CJK name, apart from
    the last word or apart before the first, then the printed label is without it; an
    abbreviation keeps its point."""
    doc = _doc(HEADER, row((54, read), (230, "5.6"), (340, "U/L"), (450, "4.0-10.0"), y=200))
    assert parse_document(doc).results[0].name_as_printed == printed


@pytest.mark.parametrize("code", ["Código", "Codice", "Kürzel", "Kod"])
def test_a_code_column_headed_in_other_languages(code):
    doc = _doc(
        row((30, code), (90, "Test"), (230, "Result"), (340, "Units"), (450, "Reference Range"), y=180),
        row((30, "WBC71"), (90, "Leucocitos"), (230, "4,4"), (340, "10^9/L"), (450, "4,0 - 10,0"), y=200),
        row((30, "HGB63"), (90, "Hemoglobina"), (230, "175(H)"), (340, "g/L"), (450, "120 - 160"), y=216),
    )
    assert _rows(doc) == [("Leucocitos", 4.4, "normal"), ("Hemoglobina", 175.0, "high")]


def test_a_wrapped_name_beside_a_second_range_for_the_other_sex():
    """Given 'Hämoglobin (ICD-9: | 129 | g/L | M: 135 - 175' over 'W25) | W: 120 - 160' for
    a female patient, then the name is whole and her range is the W one."""
    doc = _doc(
        row((54, "Geschlecht:"), (130, "weiblich"), y=120),
        HEADER,
        row((54, "Hämoglobin (ICD-9:"), (230, "129"), (340, "g/L"), (450, "M: 135 - 175"), y=200),
        row((54, "W25)"), (450, "W: 120 - 160"), y=211),
        row((54, "Erythrozyten"), (230, "5,16"), (340, "10^12/L"), (450, "M: 4,50 - 5,90"), y=226),
        row((54, "(ICD-9: O57)"), (450, "W: 3,90 - 5,20"), y=237),
    )
    results = parse_document(doc).results
    assert [r.name_as_printed for r in results] == ["Hämoglobin (ICD-9: W25)", "Erythrozyten (ICD-9: O57)"]
    assert [(r.reference_range.low, r.flag) for r in results] == [(120.0, "normal"), (3.9, "normal")]


def test_an_order_code_beside_a_chinese_name_is_not_part_of_it():
    doc = _doc(
        row((30, "代号"), _cjk(90, "项目名称"), _cjk(230, "结果"), _cjk(340, "单位"), _cjk(450, "参考区间"), y=180),
        row((30, "GLU35"), _cjk(90, "葡萄糖"), (230, "5.0"), (340, "mmol/L"), (450, "3.9-5.5"), y=200),
        row((30, "NA42"), (90, "钠"), (230, "133(L)"), (340, "mmol/L"), (450, "135-145"), y=216),
    )
    assert _rows(doc) == [("葡萄糖", 5.0, "normal"), ("钠", 133.0, "low")]


def test_a_name_wrapped_over_three_lines_with_a_code_in_brackets():
    doc = _doc(
        HEADER,
        row((54, "Alkalische"), (230, "84"), (340, "U/l"), (450, "35 - 105"), y=200),
        row((54, "Phosphatase (ICD-9:"), y=211),
        row((54, "O61)"), y=222),
        row((54, "Natrium"), (230, "140"), (340, "mmol/l"), (450, "136 - 145"), y=238),
    )
    assert [r.name_as_printed for r in parse_document(doc).results] == [
        "Alkalische Phosphatase (ICD-9: O61)", "Natrium"]


def test_side_by_side_tables_whose_left_header_runs_into_the_right_table():
    """Given a narrow left 'Unidades' header cell printed up against the right table's
    'Prueba', then the right table's names are still read as names."""
    words = row((40, "Prueba"), (148, "Resultado"), (205, "Valores de referencia"), y=180)
    words += [Word("Unidades", 290, 180, 321, 191, 1.0, False), Word("Prueba", 305, 180, 330, 191, 1.0, False)]
    words += row((397, "Resultado"), (443, "Valores de referencia"), (528, "Unidades"), y=180)
    doc = _doc(
        words,
        row((40, "Glucosa"), (148, "5,1"), (205, "3,9-5,5"), (290, "mmol/L"), (306, "Leucocitos"), (397, "4,8"),
            (443, "4,0-10,0"), (528, "10^9/L"), y=200),
        row((40, "Sodio"), (148, "140"), (205, "136-145"), (290, "mmol/L"), (306, "Plaquetas"), (397, "330"),
            (443, "150-400"), (528, "10^9/L"), y=216),
    )
    assert [r.name_as_printed for r in parse_document(doc).results] == ["Glucosa", "Sodio", "Leucocitos", "Plaquetas"]


def test_a_chinese_name_wrapped_with_a_site_superscript_on_its_last_character():
    words = row(_cjk(54, "平均红细胞血红蛋白含"), (230, "30.4"), (340, "pg"), (450, "28.0-33.0"), y=200)
    words += [Word("量", 54, 211, 63, 222, 1.0, False), Word("03", 64, 212, 70, 217, 1.0, False)]
    doc = _doc(
        row(_cjk(54, "项目名称"), _cjk(230, "结果"), _cjk(340, "单位"), _cjk(450, "参考区间"), y=180),
        words,
        row(_cjk(54, "血红蛋白"), (230, "135"), (340, "g/L"), (450, "120-160"), y=230),
    )
    assert [r.name_as_printed for r in parse_document(doc).results] == ["平均红细胞血红蛋白含量", "血红蛋白"]


def test_a_previous_result_column_headed_with_a_chinese_date():
    doc = _doc(
        row(_cjk(54, "项目名称"), _cjk(200, "结果"), _cjk(260, "单位"), _cjk(330, "参考区间"), (420, "上次结果 2025年02月16日"), y=180),
        row(_cjk(54, "葡萄糖"), (200, "5.0"), (260, "mmol/L"), (330, "3.9-5.5"), (420, "7.9"), y=200),
        row(_cjk(54, "血红蛋白"), (200, "135"), (260, "g/L"), (330, "120-160"), (420, "99"), y=216),
    )
    outcome = parse_outcome(doc)
    assert outcome.strategy == "columns"
    assert [(r.name_as_printed, r.value) for r in outcome.report.results] == [("葡萄糖", 5.0), ("血红蛋白", 135.0)]


def test_a_header_cell_with_a_chinese_date_names_its_column():
    from labintake.parse.columns import find_header
    from labintake.parse.lines import build_lines

    words = row(_cjk(54, "项目名称"), _cjk(200, "结果"), _cjk(260, "单位"), (420, "上次结果 2025年02月16日"), y=180)
    header = find_header(build_lines(words)[0])
    assert header is not None and [c.kind for c in header] == ["name", "value", "unit", "previous"]


def test_side_by_side_a_right_table_cell_read_a_little_left_of_its_column_stays_right():
    """OCR boxes start a point or two early: the right table's name still belongs to it."""
    doc = _doc(
        row((40, "Test"), (148, "Result"), (205, "Range"), (260, "Units"), (306, "Test"), (397, "Result"),
            (443, "Range"), (528, "Units"), y=180),
        row((40, "Glucose"), (148, "5.1"), (205, "3.9-5.5"), (260, "mmol/L"), (301, "Leukocytes"), (397, "4.8"),
            (443, "4.0-10.0"), (528, "10^9/L"), y=200),
        row((40, "Sodium"), (148, "140"), (205, "136-145"), (260, "mmol/L"), (306, "Platelets"), (397, "330"),
            (443, "150-400"), (528, "10^9/L"), y=216),
    )
    assert [r.name_as_printed for r in parse_document(doc).results] == ["Glucose", "Sodium", "Leukocytes", "Platelets"]


@pytest.mark.parametrize("word", ["Afwijkend", "Anormal", "Auffällig", "Nieprawidłowy"])
def test_an_abnormal_flag_word_in_its_column_is_a_flag_not_a_unit(word):
    doc = _doc(
        HEADER,
        row((54, "Nitrite"), (230, "Positive"), (300, word), (450, "Negative"), y=200),
        row((54, "Sodium"), (230, "140"), (340, "mmol/L"), (450, "136-145"), y=216),
    )
    nitrite = parse_document(doc).results[0]
    assert (nitrite.value_text, nitrite.unit, nitrite.flag) == ("Positive", None, "abnormal")


def test_ranges_labelled_h_and_m_are_hombre_and_mujer():
    """Given 'H: 4,50 - 5,90' over 'M: 3,90 - 5,20' for a female patient (Spanish,
    Portuguese: hombre/mujer), then her range is the M one."""
    doc = _doc(
        row((54, "Sexo:"), (120, "Femenino"), y=120),
        HEADER,
        row((54, "Hematíes"), (230, "4,20"), (340, "10^12/L"), (450, "H: 4,50 - 5,90"), y=200),
        row((450, "M: 3,90 - 5,20"), y=211),
        row((54, "Sodio"), (230, "141"), (340, "mmol/L"), (450, "135 - 145"), y=226),
    )
    rbc = parse_document(doc).results[0]
    assert (rbc.reference_range.low, rbc.reference_range.high, rbc.flag) == (3.9, 5.2, "normal")


@pytest.mark.parametrize(("printed", "name"), [("Sodium 01", "Sodium"), ("AST03", "AST"), ("Protein, Total 03", "Protein, Total")])
def test_a_site_superscript_read_at_full_size_inside_the_name_cell_is_dropped(printed, name):
    doc = _doc(
        HEADER,
        row((54, printed), (230, "140"), (340, "U/L"), (450, "10-200"), y=200),
        row((54, "Potassium"), (230, "4.1"), (340, "mmol/L"), (450, "3.5-5.1"), y=216),
    )
    assert parse_document(doc).results[0].name_as_printed == name


def test_an_arrow_read_as_a_one_before_an_implausible_value():
    """Given OCR read '↑36,9' as '136,9' (an MCHC no blood has), then the value is 36,9 and
    flagged high; a plausible value starting with one is left alone."""
    catalog = get_catalog()
    mchc = to_result(_raw("MCHC", "136,9", "g/dL", "32,0 - 36,0"), catalog)
    assert (mchc.value, mchc.flag, mchc.flag_source) == (36.9, "high", "printed")
    assert mchc.reference_range.high == 36.0
    glucose = to_result(_raw("Glucose", "112", "mg/dL", "70-99"), catalog)
    assert (glucose.value, glucose.flag_source) == (112.0, "derived")
    # The unit damaged too ("g/": g/dL or g/L): implausible in every unit albumin has.
    albumin = to_result(_raw("Albumin", "159", "g/", "35-52"), catalog)
    assert (albumin.value, albumin.flag) == (59.0, "high")
    # A down arrow reads as a one too: the range, not the glyph, tells the direction.
    hdl = to_result(_raw("HDL Cholesterol", "10,73", "mmol/L", "> 1,00"), catalog)
    assert (hdl.value, hdl.flag, hdl.flag_source) == (0.73, "low", "printed")
    # With no range to tell, the mark is kept without a direction.
    rdw = to_result(_raw("RDW", "116,2", "%", ""), catalog)
    assert (rdw.value, rdw.flag) == (16.2, "abnormal")


def test_a_unit_with_an_ocr_accent_is_still_the_unit():
    """OCR puts a mark on a unit's letter ("mmôl/l"); no unit has accented letters."""
    doc = _doc(
        HEADER,
        row((54, "Sodium"), (230, "137"), (340, "mmol/L"), (450, "135-145"), y=200),
        row((54, "Potassium"), (230, "4.1"), (340, "mmôl/l"), (450, "3.5-5.1"), y=216),
        row((54, "Creatinine"), (230, "71"), (450, "62 - 106 µmól/l"), y=232),
    )
    results = parse_document(doc).results
    assert [(r.name, r.unit) for r in results] == [("Sodium", "mmol/L"), ("Potassium", "mmol/L"),
                                                   ("Creatinine", "umol/L")]


def test_cells_read_as_one_segment_are_split_under_their_headings():
    """OCR joins neighbouring cells when the gap between them is small: a test code and the
    name ("UPRO02 Protein"), a name and its value ("Specific gravity 1.015"), a flag and the
    method ("[A] Dipstick"). Each word that starts under a later heading begins a new cell;
    a long name that does not reach the next heading stays whole."""
    header = row((40, "Code"), (80, "Test"), (180, "Result"), (240, "Method"), (300, "Range"), (380, "Units"), y=180)
    doc = _doc(
        header,
        # "UPRO02" ends at 73: 7 pt before the name, less than a word's height apart.
        row((40, "UPRO02"), (80, "Protein"), (180, "Negative"), (240, "Dipstick"), (300, "Negative"), y=200),
        row((40, "USG34"), (80, "Specific gravity"), (180, "1.015"), (240, "Dipstick"), (300, "1.005-1.030"), y=216),
        row((40, "UGLU10"), (80, "Glucose"), (180, "2+"), (210, "[A]"), (240, "Dipstick"), (300, "Negative"), y=232),
        row((40, "HCT60"), (80, "Hematocrit"), (180, "0.58"), (210, "[H]"), (240, "Flow cytometry"),
            (300, "0.40-0.52"), (380, "L/L"), y=248),
        row((40, "MCV57"), (80, "Mean corpuscular vol."), (180, "95.9"), (240, "Flow cytometry"), (300, "80-96"),
            (380, "fL"), y=264),
        # The value's box starts 4 pt left of its heading's (OCR pads them differently).
        row((40, "BUN37"), (80, "Blood Urea Nitrogen"), (176, "08"), (300, "07-20"), (380, "mg/dL"), y=280),
    )
    assert len(doc.pages[0].words) and [len(ln.segments) for ln in _lines(doc)][1] < 5  # really joined
    results = parse_document(doc).results
    got = [(r.name_as_printed, r.value_text, r.unit, r.flag) for r in results]
    assert got == [
        ("Protein", "Negative", None, "normal"),
        ("Specific gravity", "1.015", None, "normal"),
        ("Glucose", "2+", None, "abnormal"),
        ("Hematocrit", "0.58", "L/L", "high"),
        ("Mean corpuscular vol.", "95.9", "fL", "normal"),
        ("Blood Urea Nitrogen", "08", "mg/dL", "normal"),
    ]


def _lines(doc):
    from labintake.parse.lines import build_lines

    return build_lines(doc.pages[0].words, 1)


def test_a_flag_word_printed_before_the_unit_is_the_flag():
    """``Baixo fl``: a word flag and the unit in one cell are two cells."""
    doc = _doc(
        HEADER,
        row((54, "MCV"), (230, "78.0"), (300, "Baixo fl"), (450, "80.0-96.0"), y=200),
        row((54, "MCH"), (230, "30.1"), (300, "pg"), (450, "28.0-33.0"), y=216),
    )
    mcv, mch = parse_document(doc).results
    assert (mcv.unit, mcv.flag, mcv.flag_source) == ("fL", "low", "printed")
    assert (mch.unit, mch.flag) == ("pg", "normal")


def test_an_interpretation_table_under_a_heading_ocr_spaced_apart_is_not_results():
    """``结 果 解 释`` (OCR spaces CJK characters apart) heads a table of cut-offs, not results."""
    doc = _doc(
        HEADER,
        row((54, "Glucose"), (230, "5.4"), (340, "mmol/L"), (450, "3.9-5.5"), y=200),
        row((54, "结 果 解 释"), y=240),
        row((54, "HbA1c"), (230, "<5.7 %"), (340, "Normal"), y=256),
        row((54, "HbA1c"), (230, "5.7 - 6.4 %"), (340, "Prediabetes"), y=272),
    )
    assert [r.name for r in parse_document(doc).results] == ["Glucose"]


def test_a_range_printed_as_two_columns_low_and_high():
    """``Low | High``, ``Norm min | Norm max``: the two limits are the row's range; a row
    with one limit only keeps its cells as they read."""
    header = row((54, "Test"), (200, "Result"), (260, "Units"), (330, "Low"), (380, "High"), (430, "Flag"), y=180)
    doc = _doc(
        header,
        row((54, "Hemoglobin"), (200, "12.1"), (260, "g/dL"), (330, "13.0"), (380, "17.0"), (430, "L"), y=200),
        row((54, "Platelets"), (200, "250"), (260, "10^9/L"), (330, "150"), (380, "400"), y=216),
        row((54, "Glucose"), (200, "110"), (260, "mg/dL"), (330, "70"), (380, "99"), (430, "H"), y=232),
    )
    got = [(r.name, r.value, r.reference_range.text if r.reference_range else None, r.flag)
           for r in parse_document(doc).results]
    assert got == [("Hemoglobin", 12.1, "13.0 - 17.0", "low"), ("Platelets", 250.0, "150 - 400", "normal"),
                   ("Glucose", 110.0, "70 - 99", "high")]
    de = _doc(
        row((54, "Analyse"), (200, "Ergebnis"), (270, "Einheit"), (340, "Norm min"), (400, "Norm max"), y=180),
        row((54, "Kalium"), (200, "5,6"), (270, "mmol/l"), (340, "3,5"), (400, "5,1"), y=200),
    )
    (k,) = parse_document(de).results
    assert (k.value, k.reference_range.low, k.reference_range.high, k.flag) == (5.6, 3.5, 5.1, "high")


def test_a_report_in_russian_reads_like_any_other():
    """A Cyrillic report: header labels, column headings, names, units (ммоль/л) and the
    patient block in Russian. It used to fail whole: no name had a Latin letter."""
    from labintake.parse.header import parse_header
    from labintake.parse.lines import build_lines

    words = [
        *row((40, "Пациент: Иванов Иван Иванович"), (350, "Дата рождения: 12.03.1980"), y=100),
        *row((40, "Пол: М"), (350, "Дата взятия: 05.06.2025"), y=114),
        *row((40, "Показатель"), (220, "Результат"), (300, "Ед. изм."), (380, "Референсные значения"), y=150),
        *row((40, "Гемоглобин"), (220, "128"), (300, "г/л"), (380, "130 - 170"), y=166),
        *row((40, "Глюкоза"), (220, "6,3"), (300, "ммоль/л"), (380, "3,9 - 6,1"), y=180),
        *row((40, "Креатинин"), (220, "88"), (300, "мкмоль/л"), (380, "62 - 115"), y=194),
        *row((40, "Неизвестный показатель"), (220, "12"), (300, "Ед/л"), (380, "0 - 40"), y=208),
    ]
    doc = _doc(words)
    got = [(r.name_as_printed, r.value, r.unit, r.loinc, r.flag) for r in parse_document(doc).results]
    assert got == [("Гемоглобин", 128.0, "g/L", "718-7", "low"), ("Глюкоза", 6.3, "mmol/L", "14749-6", "high"),
                   ("Креатинин", 88.0, "umol/L", "14682-9", "normal"),
                   ("Неизвестный показатель", 12.0, "U/L", None, "normal")]  # kept as printed, no code
    patient, report = parse_header(build_lines(words))
    assert (patient.name, patient.date_of_birth.isoformat(), patient.sex) == ("Иванов Иван Иванович", "1980-03-12", "male")
    assert report.collected_at.isoformat() == "2025-06-05"


def test_a_name_running_past_the_next_heading_stays_whole():
    """A long name printed past the result heading (a narrow name column) is not cut
    into a name and a stray cell: only a value or a flag starts the next cell."""
    doc = _doc(
        row((40, "Test"), (110, "Result"), (250, "Units"), (320, "Range"), y=180),
        # "serum" starts at 139, under "Result"; the value follows at 185.
        row((40, "Total cholesterol serum"), (185, "5.2"), (250, "mmol/L"), (320, "<5.2"), y=200),
        row((40, "Glucose"), (110, "5.0"), (250, "mmol/L"), (320, "3.9-5.5"), y=216),
    )
    got = [(r.name_as_printed, r.value) for r in parse_document(doc).results]
    assert got == [("Total cholesterol serum", 5.2), ("Glucose", 5.0)]


@pytest.mark.parametrize("printed", [("Test Adı", "Sonuç", "Birim", "Referans Aralığı"),
                                     ("Test Adi", "Sonuç", "Birim", "Referans Araliğı")])  # as OCR reads them
def test_turkish_headings_with_or_without_their_dotless_i(printed):
    from labintake.parse.columns import find_header
    from labintake.parse.lines import build_lines

    words = row(*zip((42, 104, 164, 212), printed, strict=True), y=100)
    header = find_header(build_lines(words)[0])
    assert header is not None and [c.kind for c in header] == ["name", "value", "unit", "range"]


def test_a_range_with_its_unit_in_one_cell_is_not_read_as_a_unit():
    """``2,5 . 7,1 mmol/L`` (a dash OCR read as a dot, the unit after the range): a number
    and a space begin a range, never a unit."""
    doc = _doc(
        HEADER,
        row((54, "Urea"), (230, "3,7"), (450, "2,5 . 7,1 mmol/L"), y=200),
        row((54, "Calcium"), (230, "2,42"), (450, "2,15 - 2,55 mmol/l"), y=216),
    )
    got = [(r.name, r.unit, r.reference_range.low if r.reference_range else None) for r in parse_document(doc).results]
    assert got == [("Urea", "mmol/L", 2.5), ("Calcium", "mmol/L", 2.15)]


@pytest.mark.parametrize(("printed", "joined"), [("红 细 胞 分 布 宽 度 C V", "红细胞分布宽度CV"),
                                                 ("C 反 应 蛋 白", "C反应蛋白"),
                                                 ("白细胞 WBC", "白细胞 WBC"),  # a code beside the name stays apart
                                                 ("K 钾", "K 钾")])
def test_letters_ocr_boxed_one_by_one_beside_cjk_are_joined(printed, joined):
    from labintake.parse.columns import join_cjk

    assert join_cjk(printed) == joined


@pytest.mark.parametrize("printed", ["%6", "'%", "%.", ".", "8", "96", "0/0"])
def test_a_percent_sign_with_ocr_debris_is_the_percent(printed):
    rdw = get_catalog().match("RDW")[0]
    assert get_catalog().normalise_unit(printed, rdw) == "%"


def test_a_percent_sign_read_as_a_digit_is_no_unit_of_an_analyte_not_in_percent():
    glucose = get_catalog().match("Glucose")[0]
    assert get_catalog().normalise_unit("8", glucose) is None


@pytest.mark.parametrize(("printed", "value", "unit"), [("g/", 35.0, "g/L"), ("g/", 3.5, "g/dL"), ("g/", None, "g/")])
def test_a_cut_off_unit_is_the_one_its_value_is_plausible_in(printed, value, unit):
    """``g/`` for albumin is g/L or g/dL: 35 can only be g/L and 3.5 only g/dL; without a
    value it stays as printed."""
    albumin = get_catalog().match("Albumin")[0]
    assert get_catalog().normalise_unit(printed, albumin, value) == unit


def test_a_speck_before_a_unit_does_not_hide_it():
    bilirubin = get_catalog().match("Total Bilirubin")[0]
    assert get_catalog().normalise_unit(".umoll", bilirubin) == "umol/L"


def test_a_heading_ocr_misread_by_a_letter_is_still_the_heading():
    """``Esane`` for ``Esame``, ``Resuit`` for ``Result``: the header is found (two tables side
    by side depend on it); a result word (``Normal``) is never taken for a heading."""
    from labintake.parse.columns import find_header
    from labintake.parse.lines import build_lines

    words = row((40, "Esane"), (150, "Risultato"), (230, "Unità"), (300, "Valori di riferimento"), y=100)
    header = find_header(build_lines(words)[0])
    assert header is not None and [c.kind for c in header] == ["name", "value", "unit", "range"]
    words = row((40, "Test"), (150, "Resuit"), (230, "Units"), y=100)
    assert [c.kind for c in find_header(build_lines(words)[0]) or []] == ["name", "value", "unit"]
    row_words = row((40, "Urine Glucose"), (150, "Negative"), (230, "Normal"), (300, "Trace"), y=100)
    assert find_header(build_lines(row_words)[0]) is None


def test_a_result_written_on_one_line_below_a_table_is_read_whatever_the_columns():
    """Given a 'Test | Reference Range | Result' table followed by results written inline with
    dot leaders, when parsed, then the inline rows are kept too (their value sits under no
    column of the table), and a line of prose with a number is not read as a result."""
    doc = _doc(
        row((40, "Investigation"), (250, "Reference Range"), (380, "Result"), y=100),
        row((40, "Haemoglobin (g/dL)"), (250, "13.0 - 17.0"), (380, "12.1 L"), y=116),
        row((40, "Serum Creatinine (mg/dL)"), (250, "0.7 - 1.3"), (380, "1.6 H"), y=132),
        row((40, "Total Cholesterol (mg/dL)"), (250, "Up to 200"), (380, "245 H"), y=148),
        row((40, "Glucose, Fasting ........ 92 mg/dL (70-100)"), y=180),
        row((40, "Vitamin D, 25-Hydroxy ..... 18 ng/mL (30-100) L"), y=196),
        row((40, "Samples received after 4 pm are reported the next day"), y=230),
    )
    got = {r.name_as_printed: r for r in parse_document(doc).results}
    assert set(got) == {"Haemoglobin (g/dL)", "Serum Creatinine (mg/dL)", "Total Cholesterol (mg/dL)",
                        "Glucose, Fasting", "Vitamin D, 25-Hydroxy"}
    glucose, vit_d = got["Glucose, Fasting"], got["Vitamin D, 25-Hydroxy"]
    assert (glucose.value, glucose.unit, glucose.reference_range.low, glucose.reference_range.high) == (92, "mg/dL", 70, 100)
    assert (vit_d.value, vit_d.unit, vit_d.flag) == (18, "ng/mL", "low")


def test_a_flag_column_printed_before_the_value_column_gives_the_flag():
    """Given 'Analyse | (flag) | Ergebnis | Einheit | Referenzbereich' with '+', '-' or 'H' before
    the value, when parsed, then each value is read with its flag, and a dipstick grade ('++')
    before a count stays the value."""
    doc = _doc(
        row((40, "Analyse"), (230, "Ergebnis"), (300, "Einheit"), (380, "Referenzbereich"), y=100),
        row((40, "Leukozyten"), (200, "+"), (230, "11,8"), (300, "/nl"), (380, "3,9-10,2"), y=116),
        row((40, "Hämoglobin"), (200, "-"), (230, "12,9"), (300, "g/dl"), (380, "13,5-17,5"), y=132),
        row((40, "GPT (ALAT)"), (200, "H"), (230, "62"), (300, "U/l"), (380, "bis 50"), y=148),
        row((40, "Thrombozyten"), (230, "250"), (300, "/nl"), (380, "146-328"), y=164),
        row((40, "Erythrozyten"), (200, "-"), (230, "4,6"), (300, "/pl"), (380, "4,3-5,8"), y=180),
        row((40, "Kalium"), (200, "l"), (230, "4,1"), (300, "mmol/l"), (380, "3,5-5,1"), y=196),
    )
    got = {r.name_as_printed: (r.value, r.flag) for r in parse_document(doc).results}
    # "-" before a value its range says is normal is the lab's "none"; "l" is a ruled line OCR read.
    assert got == {"Leukozyten": (11.8, "high"), "Hämoglobin": (12.9, "low"), "GPT (ALAT)": (62, "high"),
                   "Thrombozyten": (250, "normal"), "Erythrozyten": (4.6, "normal"), "Kalium": (4.1, "normal")}


def test_a_value_printed_against_its_unit_is_read_as_both():
    """Given '13.5g/dL' in the result column (the unit column empty), when parsed, then the value
    is 13.5 in g/dL and the range beside it stays the range; '4.04L' stays a value flagged low."""
    doc = _doc(
        row((40, "Test Name"), (230, "Observed Value"), (330, "Units"), (420, "Biological Ref. Interval"), y=100),
        row((40, "Haemoglobin"), (230, "13.5g/dL"), (420, "13.0 ~ 17.0"), y=116),
        row((40, "Fasting Glucose"), (230, "7,2mmol/l"), (420, "3,9 - 6,0"), y=132),
        row((40, "Red Cell Count"), (230, "4.04L"), (330, "x10^12/L"), (420, "4.50 - 5.90"), y=148),
    )
    got = {r.name_as_printed: r for r in parse_document(doc).results}
    hb, glu, rbc = got["Haemoglobin"], got["Fasting Glucose"], got["Red Cell Count"]
    assert (hb.value, hb.unit, hb.reference_range.low, hb.reference_range.high) == (13.5, "g/dL", 13.0, 17.0)
    assert (glu.value, glu.unit, glu.flag) == (7.2, "mmol/L", "high")
    assert (rbc.value, rbc.flag) == (4.04, "low")


def test_a_finding_in_the_result_column_beside_an_unknown_name_is_a_result():
    """Given 'Rh Factor | Positive' under a 'Test Description | Value(s) | Unit(s) | …' header,
    when parsed, then it is a result; a colour or 'Normal' beside an unknown name is not."""
    doc = _doc(
        row((40, "Test Description"), (190, "Value(s)"), (260, "Unit(s)"), (330, "Reference Range"), (450, "Method"), y=100),
        row((40, "TSH"), (190, "6.82"), (260, "µIU/mL"), (330, "0.27 - 4.20"), (450, "ECLIA"), y=116),
        row((40, "HBsAg"), (190, "Non Reactive"), (330, "Non Reactive"), (450, "CMIA"), y=132),
        row((40, "Rh Factor"), (190, "Positive"), y=148),
        row((40, "Sample Appearance"), (190, "Yellow"), y=164),
        row((40, "Fasting Status"), (190, "Normal"), y=180),
    )
    got = {r.name_as_printed: (r.value_text, r.unit) for r in parse_document(doc).results}
    assert got == {"TSH": ("6.82", "uIU/mL"), "HBsAg": ("Non Reactive", None), "Rh Factor": ("Positive", None)}


def test_running_text_results_with_bracketed_flags_glued_percentages_and_short_codes():
    """Given results written as 'Name: value unit (Flag) (Ref: …)' lines, when parsed, then a
    glued percentage, a bracketed interpretation after the unit, a short code ('T4:') and an
    unknown name with a bracketed flag are each read, and the unit keeps only the unit."""
    lines = ["- Neutrophils: 54.9% (Ref: 40 - 77)", "Hematocrit: 35% (Reference: 36-46%)",
             "- ALP: 21 U/L (Low) (Ref: 30 - 130)", "- Total Cholesterol: 142.8 mg/dL (Normal)",
             "- Vitamin D (25-OH): 92.85 ng/mL (Sufficient)", "T4: 0.7 ng/dL (Reference: 0.8-1.8)",
             "- Uric Ratio Index: 4.38 (High)", "Age: 24 years"]
    doc = _doc(*(row((40, text), y=100 + 16 * i) for i, text in enumerate(lines)))
    got = {r.name_as_printed: r for r in parse_document(doc).results}
    assert set(got) == {"Neutrophils", "Hematocrit", "ALP", "Total Cholesterol", "Vitamin D (25-OH)", "T4",
                        "Uric Ratio Index"}
    assert (got["Neutrophils"].value, got["Neutrophils"].unit) == (54.9, "%")
    hct = got["Hematocrit"]
    assert (hct.value, hct.reference_range.low, hct.reference_range.high, hct.flag) == (35, 36, 46, "low")
    assert (got["ALP"].unit, got["ALP"].flag, got["ALP"].reference_range.low) == ("U/L", "low", 30)
    assert got["Total Cholesterol"].unit == "mg/dL" and got["Vitamin D (25-OH)"].unit == "ng/mL"
    assert (got["T4"].name, got["T4"].loinc) == ("Free T4", "3024-7")
    assert (got["Uric Ratio Index"].value, got["Uric Ratio Index"].flag) == (4.38, "high")


def test_a_line_of_header_fields_with_a_date_is_not_a_result():
    """Given a header line of 'label：value' fields whose date OCR spaced out ('2 0 2 6 - 1 0 - 2 1'),
    when parsed, then it is no result row: a header field's label is not a test's name."""
    doc = _doc(
        row((31, "科 室 ： 内 科"), (152, "标 本 ： 血 清"), (253, "采 样 时 间 ： 2 0 2 6 - 1 0 - 2 1 0 8 : 3 0"), y=80),
        row((31, "Ward: 4B"), (152, "Specimen: Serum"), (253, "Drawn: 2026 - 10 - 21"), y=96),
        HEADER,
        row((54, "Glucose"), (230, "6.8"), (300, "H"), (340, "mmol/L"), (450, "3.9-6.1"), y=200),
    )
    assert [(r.name, r.value) for r in parse_document(doc).results] == [("Glucose", 6.8)]


def test_a_range_drawn_as_a_bar_between_its_limits_is_the_range():
    """Given 'Referans Aralığı' printed as '74 [bar] 106' (two numbers, the drawing between them),
    when parsed, then the range is 74-106 and the flag follows from it."""
    doc = _doc(
        row((40, "Tetkik"), (200, "Sonuç"), (255, "Birim"), (320, "Referans Aralığı"), y=100),
        row((40, "Glukoz"), (200, "118"), (255, "mg/dL"), (320, "74"), (440, "106"), y=116),
        row((40, "Kreatinin"), (200, "0,71"), (255, "mg/dL"), (320, "0,51"), (440, "0,95"), y=132),
    )
    got = {r.name_as_printed: r for r in parse_document(doc).results}
    glu, crea = got["Glukoz"], got["Kreatinin"]
    assert (glu.reference_range.low, glu.reference_range.high, glu.flag) == (74, 106, "high")
    assert (crea.value, crea.reference_range.low, crea.reference_range.high) == (0.71, 0.51, 0.95)


def test_a_method_printed_under_a_row_is_not_part_of_its_name():
    """Given '(Photometry)' or 'Method: Jaffe kinetic' on the line under a row, when parsed, then
    the printed name is the row's own; '(Calculated)' stays, as it decides the code."""
    doc = _doc(
        HEADER,
        row((54, "Hemoglobin"), (230, "10.2"), (340, "g/dL"), (450, "12.0 - 15.0"), y=200),
        row((60, "(Photometry)"), y=212),
        row((54, "Creatinine"), (230, "0.9"), (340, "mg/dL"), (450, "0.6 - 1.1"), y=228),
        row((60, "Method: Jaffe kinetic"), y=240),
        row((54, "LDL Cholesterol"), (230, "131"), (340, "mg/dL"), (450, "< 100"), y=256),
        row((60, "(Calculated)"), y=268),
    )
    got = [(r.name_as_printed, r.loinc) for r in parse_document(doc).results]
    assert got == [("Hemoglobin", "718-7"), ("Creatinine", "2160-0"), ("LDL Cholesterol (Calculated)", "13457-7")]


def test_ranges_printed_by_value_band_give_the_band_the_page_calls_normal():
    """Given 'Desiderabile: < 200 / Limite: 200 - 239 / Elevato: >= 240' under a row, when parsed,
    then the range is the desirable band; bands with no normal one, or age groups, give none."""
    doc = _doc(
        HEADER,
        row((54, "Cholesterol"), (230, "215"), (340, "mg/dL"), (450, "Desiderabile: < 200"), y=200),
        row((450, "Limite: 200 - 239"), y=212),
        row((450, "Elevato: >= 240"), y=224),
        row((54, "Vitamin D"), (230, "22"), (340, "ng/mL"), (450, "Carenza: < 20"), y=240),
        row((450, "Insufficienza: 20 - 30"), y=252),
        row((450, "Sufficienza: 30 - 100"), y=264),
        row((54, "Alkaline Phosphatase"), (230, "220"), (340, "U/L"), (450, "Adults: 40 - 130"), y=280),
        row((450, "Children: 100 - 400"), y=292),
    )
    got = {r.name_as_printed: r for r in parse_document(doc).results}
    chol, vit_d = got["Cholesterol"].reference_range, got["Vitamin D"].reference_range
    assert (chol.high, got["Cholesterol"].flag) == (200, "high")
    assert (vit_d.low, vit_d.high, got["Vitamin D"].flag) == (30, 100, "low")
    assert got["Alkaline Phosphatase"].reference_range is None


def test_two_running_text_results_on_one_line_are_two_results():
    """Given 'WBC: 11.4 K/uL (4.0-11.0) H' and 'RBC: 4.92 M/uL (4.50-5.90)' side by side on one line,
    when parsed, then both are read, each with its own flag; a table row is not cut."""
    doc = _doc(
        row((40, "WBC: 11.4 K/uL (4.0-11.0) H"), (300, "RBC: 4.92 M/uL (4.50-5.90)"), y=100),
        row((40, "Sodium: 139 mmol/L (136-145)"), (300, "Potassium: 3.3 mmol/L (3.5-5.1) L"), y=116),
        HEADER,
        row((54, "Glucose"), (230, "104"), (300, "H"), (340, "mg/dL"), (450, "70-99"), y=200),
    )
    got = {r.name_as_printed: (r.value, r.flag) for r in parse_document(doc).results}
    assert got == {"WBC": (11.4, "high"), "RBC": (4.92, "normal"), "Sodium": (139, "normal"),
                   "Potassium": (3.3, "low"), "Glucose": (104, "high")}


def test_a_table_drawn_with_pipes_keeps_the_rules_out_of_the_names():
    """Given a table typed with '|' rules ('| Total Cholesterol | 251.7 | mg/dL | 125-200 | H |'),
    when parsed, then the printed names carry no rule and the cells are read."""
    lines = ["| Test                  |   Result | Unit   | Reference Range   | Flag   |",
             "| Total Cholesterol     |   251.7  | mg/dL  | 125-200           | H      |",
             "| Cholesterol/HDL Ratio |     1.34 | calc   | 0-3.5             |        |"]
    doc = _doc(*(row((40, text), y=100 + 14 * i) for i, text in enumerate(lines)))
    got = {r.name_as_printed: (r.value, r.unit, r.flag) for r in parse_document(doc).results}
    assert got == {"Total Cholesterol": (251.7, "mg/dL", "high"), "Cholesterol/HDL Ratio": (1.34, None, "normal")}


def test_a_watermark_across_the_page_joins_no_row():
    """Given OCR words of a slanted 'SAMPLE REPORT' watermark, whose boxes span several lines, when
    parsed, then every row keeps its own cells (no watermark letters in a unit, no range lost)."""
    doc = _doc(
        HEADER,
        row((54, "RDW-CV"), (230, "14.9"), (340, "%"), (450, "11.6 - 14.0"), y=200),
        row((54, "ESR"), (230, "28"), (340, "mm/hr"), (450, "0 - 20"), y=216),
        [Word("EP", 330, 150, 440, 268, 0.99, False), Word("RT", 428, 170, 560, 300, 0.99, False)],
    )
    got = {r.name_as_printed: (r.unit, r.reference_range.text if r.reference_range else None)
           for r in parse_document(doc).results}
    assert got == {"RDW-CV": ("%", "11.6 - 14.0"), "ESR": ("mm/h", "0 - 20")}


def test_a_speck_read_as_a_minus_before_the_lower_bound_of_a_quantity_that_cannot_be_negative():
    """OCR reads "57--111" (a Chinese lab's double-dash range) as "-57--111": creatinine has
    no negative values, so the lower bound is 57; base excess keeps its minus."""
    doc = _doc(HEADER,
               row((54, "Creatinine"), (230, "88"), (340, "umol/L"), (450, "-57--111"), y=200),
               row((54, "Base Excess"), (230, "1.2"), (340, "mmol/L"), (450, "-2 - 3"), y=216))
    got = {r.name_as_printed: r.reference_range for r in parse_document(doc).results}
    assert (got["Creatinine"].low, got["Creatinine"].high) == (57.0, 111.0)
    assert (got["Base Excess"].low, got["Base Excess"].high) == (-2.0, 3.0)


def test_an_ocr_damaged_unit_in_the_name_is_repaired_against_the_analytes_units():
    """Spanish hospital reports print the unit in the name column ("Ferritina (ng/mL)");
    OCR's "(ng/imL)" is still ng/mL for ferritin, and a bracket that is no unit stays in the name."""
    doc = _doc(row((40, "Determinación"), (250, "Resultado"), (340, "Valores de referencia"), y=80),
               row((40, "Ferritina (ng/imL)"), (250, "310"), (340, "30-400"), y=100),
               row((40, "Calcium (total)"), (250, "9.1"), (340, "8.6-10.2"), y=116))
    got = {r.name_as_printed: r.unit for r in parse_document(doc).results}
    assert got == {"Ferritina (ng/imL)": "ng/mL", "Calcium (total)": None}


def test_a_range_whose_dash_ocr_read_as_a_point_beside_a_whole_value():
    """"AST 22 U/L 10.35": a lab prints bounds as precisely as its values, so beside a whole
    number the lone "10.35" is "10 - 35". A value with decimals keeps such a number apart,
    and so does a value far from it."""
    doc = _doc(HEADER,
               row((54, "AST"), (230, "22"), (340, "U/L"), (450, "10.35"), y=200),
               row((54, "Neutrophils"), (230, "83"), (340, "%"), (450, "40.75"), y=216),
               row((54, "Creatinine"), (230, "0.98"), (340, "mg/dL"), (450, "0.70"), y=232),
               row((54, "Platelets"), (230, "450"), (340, "10^9/L"), (450, "10.35"), y=248))
    got = {r.name_as_printed: r.reference_range for r in parse_document(doc).results}
    assert (got["AST"].low, got["AST"].high) == (10.0, 35.0) and got["AST"].text == "10.35"
    assert (got["Neutrophils"].low, got["Neutrophils"].high) == (40.0, 75.0)
    assert got["Creatinine"] is None and got["Platelets"] is None


def _read(source: str, *cells: tuple[str, str, str]):
    words = [w for i, (n, v, r) in enumerate(cells) for w in row((54, n), (230, v), (450, r), y=200 + 16 * i)]
    doc = Document([Page(1, 612, 792, [*HEADER, *words], source)], "test")
    return {r.name_as_printed: (r.value, r.flag) for r in parse_document(doc).results}


def test_in_a_report_that_glues_arrows_a_one_before_an_unmarked_abnormal_value_is_an_arrow():
    """OCR read one arrow ("↓4,06") and took the next for a "1": "15,8" against 4,0 - 5,6 is
    ↑5,8 (both readings are high, and this report marks every abnormal value). "13,2" against
    12,0 - 16,0 is in range: kept. Without a recognised arrow, or in a text layer, nothing changes."""
    rows = (("RBC", "↓4,06", "4,50 - 5,90"), ("HbA1c", "15,8", "4,0 - 5,6"), ("Hemoglobin", "13,2", "12,0 - 16,0"))
    got = _read("ocr", *rows)
    assert got["RBC"] == (4.06, "low") and got["HbA1c"] == (5.8, "high") and got["Hemoglobin"] == (13.2, "normal")
    assert _read("text", *rows)["HbA1c"] == (15.8, "high")
    assert _read("ocr", *rows[1:])["HbA1c"] == (15.8, "high")


def test_a_value_plausible_only_without_its_leading_one_says_the_report_glues_arrows():
    """OCR read every arrow as a "1" ("↑86" g/L of total protein as "186", "↑38" U/L of AST as
    "138"): no arrow was read as one, but a total protein of 186 g/L no blood has says the
    report glues arrows, so "138" against 10 - 35 is ↑38 too; the cut-off unit "g/" is then
    completed by the value read right (86 is plausible in g/L only)."""
    words = [*row((54, "Protein, Total"), (230, "186"), (340, "g/"), (450, "60 - 83"), y=200),
             *row((54, "AST"), (230, "138"), (340, "U/L"), (450, "10 - 35"), y=216),
             *row((54, "Sodium"), (230, "139"), (340, "mmol/L"), (450, "135 - 145"), y=232)]
    doc = Document([Page(1, 612, 792, [*HEADER, *words], "ocr")], "test")
    got = {r.name_as_printed: (r.value, r.unit, r.flag) for r in parse_document(doc).results}
    assert got == {"Protein, Total": (86.0, "g/L", "high"), "AST": (38.0, "U/L", "high"),
                   "Sodium": (139.0, "mmol/L", "normal")}


def test_an_arrow_printed_against_the_unit_is_the_flag_and_leaves_the_value_alone():
    """A Chinese blood count OCR'd: "11.20 | ↑10^9/L" — the arrow is the flag and the unit is
    10^9/L; an arrow against a unit is no arrow glued to a value, so "11.20" stays 11.2."""
    words = [*row((54, "WBC"), (230, "11.20"), (300, "↑10^9/L"), (450, "3.5-9.5"), y=200),
             *row((54, "Hemoglobin"), (230, "108"), (300, "↓g/L"), (450, "115-150"), y=216),
             *row((54, "HbA1c"), (230, "15.8"), (300, "%"), (450, "4.0-5.6"), y=232)]
    doc = Document([Page(1, 612, 792, [*HEADER, *words], "ocr")], "test")
    got = {r.name_as_printed: (r.value, r.unit, r.flag, r.flag_source) for r in parse_document(doc).results}
    assert got == {"WBC": (11.2, "10^9/L", "high", "printed"), "Hemoglobin": (108.0, "g/L", "low", "printed"),
                   "HbA1c": (15.8, "%", "high", "derived")}


def test_a_chinese_name_whose_edge_falls_nearer_the_row_number_column_is_still_the_name():
    """A photo's OCR puts "血红蛋白" a point nearer the "No" column's edge than the name
    column's: a cell in Chinese script is never a row number or an order code."""
    header = row((40, "No"), (62, "项目"), (155, "结果"), (200, "单位"), (250, "参考范围"), y=100)
    doc = _doc(header,
               row((40, "1"), (60, "白细胞计数"), (155, "11.20"), (200, "10^9/L"), (250, "3.5-9.5"), y=120),
               row((40, "6"), (53, "血红蛋白"), (155, "108"), (200, "g/L"), (250, "115-150"), y=136))
    assert [(r.name, r.value) for r in parse_document(doc).results] == [("WBC", 11.2), ("Hemoglobin", 108.0)]


def test_a_range_a_curled_page_pushed_a_line_down_is_the_rows_range():
    """A photo of a curled page bends a row: its range cell sits a few points lower and reads
    as a line of its own, right of the value. A row that has its range keeps it."""
    doc = _doc(HEADER,
               row((54, "Hematocrit"), (230, "38.5"), (340, "%"), y=200),
               row((450, "40.0 - 50.0"), y=209),
               row((54, "MCV"), (230, "83.7"), (340, "fL"), (450, "83 - 101"), y=230),
               row((450, "80 - 100"), y=243))
    got = {r.name_as_printed: (r.reference_range.low, r.reference_range.high, r.flag) for r in parse_document(doc).results}
    assert got == {"Hematocrit": (40.0, 50.0, "low"), "MCV": (83.0, 101.0, "normal")}


def test_a_range_whose_words_fell_across_a_column_edge_is_read_whole():
    """The range's first bound starts left of its heading (a photo's perspective), so the
    cell is cut into "83.00", "-", "101.00": read together they are the range."""
    from labintake.parse import misreads

    raw = RawRow(page=1, name="MCV", value=parse_value("83.7"), value_words=[], extra=["83.00", "-", "101.00"])
    rng = misreads.range_in_pieces(raw)
    assert rng is not None and (rng.low, rng.high) == (83.0, 101.0)
    assert misreads.range_in_pieces(RawRow(page=1, name="MCV", value=parse_value("83.7"), value_words=[], extra=["Serum", "-"])) is None


def test_a_stray_letter_in_the_flag_column_is_not_the_unit():
    """Given a normal row whose empty flag cell holds a stray "I" (a table rule or a speck
    OCR read as a letter), then the units column's unit is the row's, not the "I"."""
    doc = _doc(
        HEADER,
        row((54, "Sodium"), (230, "139"), (302, "I"), (340, "mmol/L"), (450, "136-145"), y=200),
        row((54, "Potassium"), (230, "5.4"), (300, "H"), (340, "mmol/L"), (450, "3.5-5.1"), y=216),
        row((54, "Creatinine"), (230, "0.82"), (340, "mg/dL"), (450, "0.57-1.00"), y=232),
    )
    results = parse_document(doc).results
    assert [(r.name, r.unit, r.flag) for r in results] == [
        ("Sodium", "mmol/L", "normal"), ("Potassium", "mmol/L", "high"), ("Creatinine", "mg/dL", "normal")]


def test_a_colon_between_the_name_and_the_value_column_keeps_the_row():
    """Given rows printed "Name : value unit range" (the colon glued to the name, apart, or
    after dot leaders: Indian and many older LIS printouts), then every row is a result
    named without the colon; a header label with a bare value is still no result."""
    doc = _doc(
        row((54, "Hemoglobin:"), (230, "11.2"), (340, "g/dL"), (450, "12.0-15.5"), y=200),
        row((54, "Sodium :"), (230, "139"), (340, "mmol/L"), (450, "136-145"), y=216),
        row((54, "Glucose"), (100, "......................"), (200, ":"), (230, "99"), (340, "mg/dL"), (450, "70-99"), y=232),
        row((54, "Zonulin:"), (230, "61"), (340, "ng/mL"), (450, "<107"), y=248),
        row((54, "MRN:"), (230, "482913"), y=264),
        row((54, "Age:"), (230, "42"), (340, "years"), y=280),
    )
    results = parse_document(doc).results
    assert [(r.name_as_printed, r.value) for r in results] == [
        ("Hemoglobin", 11.2), ("Sodium", 139.0), ("Glucose", 99.0), ("Zonulin", 61.0)]


@pytest.mark.parametrize("leader", [["CO2......"], ["CO2", ".."], ["CO2", ".", ".", ".", ".", "."], ["CO2.....:"]])
def test_dot_leaders_are_not_part_of_the_printed_name(leader):
    """Given a name followed by dot leaders glued to it, left in part by OCR, or printed as
    spaced dots, then the name as printed is the name alone."""
    cells = [(54 + 30 * k, text) for k, text in enumerate(leader)]
    doc = _doc(
        row(*cells, (230, "25"), (340, "mmol/L"), (450, "22-29"), y=200),
        row((54, "SGPT (ALT).."), (230, "48"), (340, "U/L"), (450, "<35"), y=216),
    )
    assert [(r.name_as_printed, r.value) for r in parse_document(doc).results] == [("CO2", 25.0), ("SGPT (ALT)", 48.0)]


@pytest.mark.parametrize(("printed", "unit", "low", "high"), [
    ("70 to 99 mg/dL", "mg/dL", 70.0, 99.0), ("4.0 to 5.6 %", "%", 4.0, 5.6),
    ("3,5 bis 5,1 mmol/l", "mmol/L", 3.5, 5.1), ("3,5 à 5,1 mmol/L", "mmol/L", 3.5, 5.1)])
def test_a_range_spelt_with_a_word_and_its_unit_in_one_cell(printed, unit, low, high):
    """Given "70 to 99 mg/dL" in the range column (no units column), then "70 to" is not read
    as a name before the value 99: the row's range is 70-99 and its unit mg/dL."""
    value = "6,1" if "," in printed else "6.1"
    doc = _doc(
        row((40, "Test Name"), (220, "Result"), (300, "Status"), (380, "Reference Interval"), y=180),
        row((40, "Potassium"), (220, value), (300, "HIGH"), (380, printed), y=200),
    )
    (result,) = parse_document(doc).results
    assert (result.unit, result.reference_range.low, result.reference_range.high) == (unit, low, high)


@pytest.mark.parametrize("mark", ["*", "**", "!", "#"])
def test_a_lone_mark_between_the_value_and_the_units_column_is_a_flag_not_the_unit(mark):
    """Given a table with no flag column whose abnormal values carry a mark in a cell of its own,
    nearer the units column than the value ("75,8  *  fl"; "Trazas  *  Negativo"), then the mark
    is the flag and the unit is the one printed after it (a mark is never a unit)."""
    header = row((40, "Código"), (107, "Prueba"), (238, "Resultado"), (378, "Unidades"),
                 (454, "Valores de referencia"), y=116)
    doc = _doc(
        header,
        row((40, "MCV72"), (107, "VCM (ICD-9: V82)"), (238, "75,8"), (334, mark), (378, "fl"), (454, "80,0-96,0"), y=140),
        row((40, "UKET59"), (107, "Cuerpos cetónicos"), (238, "Trazas"), (334, mark), (454, "Negativo"), y=156),
        row((40, "PLT12"), (107, "Plaquetas"), (238, "284"), (378, "10^9/L"), (454, "150-400"), y=172),
    )
    mcv, ketones, plt = parse_document(doc).results
    assert (mcv.value, mcv.unit, mcv.flag_source) == (75.8, "fL", "printed")
    assert mcv.flag in ("low", "abnormal")
    assert (ketones.value_text, ketones.unit, ketones.flag) == ("Trazas", None, "abnormal")
    assert (plt.value, plt.unit) == (284.0, "10^9/L")
    # Where the cells are read: the mark is the row's flag, the unit the one after it.
    lines = build_lines(doc.pages[0].words, 1)
    cols = find_header(lines[0])
    raw = [read_row(line, cols, get_catalog()) for line in lines[1:3]]
    assert [(r.unit, r.flag, r.extra) for r in raw if r is not None] == [("fl", "abnormal", []), (None, "abnormal", [])]


def test_two_tables_whose_abutting_headings_ocr_read_as_one_word():
    """The left table's last heading and the right table's first abut, and OCR reads them as one
    word ("ReferenzbereicUntersuchung"): the header was no header, the right table's names were
    read as the left one's units and its rows lost."""
    doc = _doc(
        row((40, "Untersuchung"), (145, "Ergebnis"), (200, "Einheit"), (253, "ReferenzbereicUntersuchung"),
            (408, "Ergebnis"), (470, "Einheit"), (523, "Referenzbereich"), y=180),
        row((40, "Farbe"), (145, "gelb"), (253, "gelb"), (335, "Leukozyten"), (408, "6,5"), (470, "10^9/L"),
            (523, "4,0 - 10,0"), y=200),
        row((40, "pH"), (145, "6,0"), (253, "5,0 - 8,0"), (335, "Thrombozyten"), (408, "295"), (470, "10^9/L"),
            (523, "150 - 400"), y=216),
    )
    got = [(r.name_as_printed, r.value_text, r.unit) for r in parse_document(doc).results]
    assert got == [("Farbe", "gelb", None), ("pH", "6,0", None), ("Leukozyten", "6,5", "10^9/L"),
                   ("Thrombozyten", "295", "10^9/L")]


def test_headings_glued_at_the_end_of_a_heading_of_several_words():
    """"Valores de referênciaAnálise": the glued word ends a heading of three words."""
    [line] = build_lines(row((20, "Análise"), (90, "Resultado"), (160, "Unidade"), (220, "Valores de referênciaAnálise"),
                             (400, "Resultado"), (470, "Unidade"), (530, "Valores de referência"), y=180))
    cols = find_header(line)
    assert cols is not None
    assert [c.kind for c in cols] == ["name", "value", "unit", "range", "name", "value", "unit", "range"]
    assert cols[4].x0 > 220 + 5.5 * len("Valores de referênci")  # the right table starts at its own name

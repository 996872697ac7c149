"""Row traits of results printed from patient portals and US reference labs, each on a small
page of words: a range column that says no range was established, and results stacked as
name / range / value lines (a phone screenshot of a portal)."""

from __future__ import annotations

from labintake.extract.document import Document, Page
from labintake.parse import parse_document
from tests.fixtures.words import row, words_at


def _doc(*word_lists) -> Document:
    return Document([Page(1, 612, 792, [w for ws in word_lists for w in ws], "text")], "test")


def test_a_range_column_saying_not_established_gives_no_range_and_keeps_the_unit():
    doc = _doc(
        row((40, "Component"), (200, "Your Value"), (270, "Standard Range"), y=180),
        row((40, "WBC"), (200, "7.2"), (270, "4.0 - 10.5 x10E3/uL"), y=200),
        row((40, "Neutrophils"), (200, "71"), (270, "Not Estab. %"), y=216),
        row((40, "Lymphs"), (200, "18"), (270, "Not Established %"), y=232),
        row((40, "Hemoglobin"), (200, "13.1"), (270, "11.1 - 15.9 g/dL"), y=248),
    )
    got = {r.name_as_printed: r for r in parse_document(doc).results}
    assert list(got) == ["WBC", "Neutrophils", "Lymphs", "Hemoglobin"]
    for name in ("Neutrophils", "Lymphs"):
        assert got[name].unit == "%" and got[name].reference_range is None and got[name].loinc
    assert got["WBC"].reference_range.low == 4.0 and got["WBC"].unit == "10^3/uL"


def test_a_card_of_stacked_labelled_lines_is_one_result():
    """A portal's result as a phone shows it: the name, then "Normal range: …", then
    "Value: …" each on its own line; every card is one row with its own value, flag and range."""
    doc = _doc(
        row((40, "Cholesterol, Total"), y=100),
        row((40, "Normal range: 100 - 199 mg/dL"), y=114),
        row((40, "Value: 214 (H)"), y=128),
        row((40, "Triglycerides"), y=156),
        row((40, "Normal range: 0 - 149 mg/dL"), y=170),
        row((40, "Value: 120"), y=184),
        row((40, "HDL Cholesterol"), y=212),
        row((40, "Reference range: >39 mg/dL"), y=226),
        row((40, "Result: 55"), y=240),
    )
    got = [(r.name_as_printed, r.value, r.unit, r.flag, r.reference_range.low, r.reference_range.high)
           for r in parse_document(doc).results]
    assert got == [("Cholesterol, Total", 214.0, "mg/dL", "high", 100.0, 199.0),
                   ("Triglycerides", 120.0, "mg/dL", "normal", 0.0, 149.0),
                   ("HDL Cholesterol", 55.0, "mg/dL", "normal", 39.0, None)]


def test_cards_with_labels_set_apart_and_a_specimen_line_under_each_name():
    """Cards as many Brazilian and Iberian labs print them: the test's name, a line saying
    its specimen and method, then "Resultado:" set apart from its value and "Valores de
    Referência:" (accented) with the range, spelt in words or as bounds; each card is one row."""
    doc = _doc(
        row((40, "GLICOSE"), y=100),
        row((40, "Material: Soro"), (160, "Método: Enzimático"), y=113),
        row((40, "Resultado:"), (140, "92"), (200, "mg/dL"), y=128),
        row((40, "Valores de Referência: 70 a 99 mg/dL"), y=141),
        row((40, "COLESTEROL TOTAL"), y=165),
        row((40, "Material: Soro"), y=178),
        row((40, "Resultado:"), (140, "228"), (200, "mg/dL"), y=193),
        row((40, "Valores de Referência: Desejável: inferior a 190 mg/dL"), y=206),
        row((40, "HEMOGLOBINA GLICADA - HbA1c"), y=230),
        row((40, "Amostra: Sangue total"), y=243),
        row((40, "Resultado:"), (140, "5,9"), (200, "%"), y=258),
        row((40, "Valores de Referência: 4,0 a 5,6 %"), y=271),
    )
    got = [(r.name_as_printed, r.value, r.unit, r.flag, r.reference_range.low, r.reference_range.high, r.loinc)
           for r in parse_document(doc).results]
    assert got == [("GLICOSE", 92.0, "mg/dL", "normal", 70.0, 99.0, "2345-7"),
                   ("COLESTEROL TOTAL", 228.0, "mg/dL", "high", None, 190.0, "2093-3"),
                   ("HEMOGLOBINA GLICADA - HbA1c", 5.9, "%", "high", 4.0, 5.6, "4548-4")]


def test_labelled_lines_without_a_value_line_are_left_as_they_were():
    """Two range lines in a row (an interpretation block) are not joined into a result."""
    doc = _doc(
        row((40, "Test"), (200, "Result"), (270, "Units"), (330, "Reference Range"), y=80),
        row((40, "Glucose"), (200, "92"), (270, "mg/dL"), (330, "70-99"), y=100),
        row((40, "Reference range: 70 - 99 fasting"), y=130),
        row((40, "Reference range: 70 - 140 after a meal"), y=144),
    )
    assert [(r.name_as_printed, r.value) for r in parse_document(doc).results] == [("Glucose", 92.0)]


def test_stacked_card_lines_whose_boxes_overlap_a_little_are_still_one_card():
    """OCR boxes lines taller than the text, so a card's lines can overlap by a point or two."""
    doc = _doc(
        row((40, "Cholesterol, Total"), y=100),
        row((40, "Normal range: 100 - 199 mg/dL"), y=110),
        row((40, "Value: 214 (H)"), y=120),
    )
    got = [(r.name_as_printed, r.value, r.flag) for r in parse_document(doc).results]
    assert got == [("Cholesterol, Total", 214.0, "high")]


def test_a_card_whose_value_line_has_no_label_takes_the_labelled_range_below_it():
    """A portal export prints the value bare ("11.2 g/dL  Low") under the test's name and
    "Standard range: …" under the value: the range belongs to the card's row."""
    doc = _doc(
        row((40, "Hemoglobin"), y=100),
        row((40, "11.2 g/dL"), (140, "Low"), y=114),
        row((40, "Standard range: 12.0 - 15.5 g/dL"), y=127),
        row((40, "Sodium"), y=150),
        row((40, "138 mmol/L"), y=164),
        row((40, "Standard range: 136 - 145 mmol/L"), y=177),
    )
    got = [(r.name_as_printed, r.value, r.unit, r.flag, r.reference_range and r.reference_range.text)
           for r in parse_document(doc).results]
    assert got == [("Hemoglobin", 11.2, "g/dL", "low", "12.0 - 15.5"),
                   ("Sodium", 138.0, "mmol/L", "normal", "136 - 145")]


def test_a_row_without_a_range_takes_the_labelled_range_printed_under_it():
    doc = _doc(
        row((40, "Hemoglobin"), (200, "11.2 g/dL"), (300, "Low"), y=100),
        row((40, "Standard range: 12.0 - 15.5 g/dL"), y=113),
        row((40, "HDL Cholesterol"), (200, "55 mg/dL"), y=140),
        row((40, "Reference range: > 39"), y=153),
        row((40, "Glucose"), (200, "92 mg/dL"), (300, "70 - 99"), y=180),
        row((40, "Reference range: 70 - 140 after a meal"), y=193),
    )
    got = [(r.name_as_printed, r.flag, r.reference_range.text) for r in parse_document(doc).results]
    assert got == [("Hemoglobin", "low", "12.0 - 15.5"), ("HDL Cholesterol", "normal", "> 39"),
                   ("Glucose", "normal", "70 - 99")]


def test_a_letter_line_listing_several_results_gives_a_row_for_each():
    """A doctor's letter runs results together: "Hb 128 g/L (130-170), WCC 6.2 x10^9/L (4.0-11.0),
    Plt 210." Each piece that is a catalogued name and a value is a row, a one-letter name
    ("K") included; a sentence with a comma and no result in it is not cut."""
    doc = _doc(
        words_at("His recent bloods were as follows, in order:", 40, 80),
        words_at("Hb 128 g/L (130-170), WCC 6.2 x10^9/L (4.0-11.0), Plt 210 x10^9/L (150-400).", 40, 100),
        words_at("Na 139 mmol/L (133-146), K 5.6 mmol/L (3.5-5.3); Creatinine 142 umol/L (59-104).", 40, 116),
    )
    got = [(r.name_as_printed, r.value, r.unit, r.flag) for r in parse_document(doc).results]
    assert got == [("Hb", 128.0, "g/L", "low"), ("WCC", 6.2, "10^9/L", "normal"), ("Plt", 210.0, "10^9/L", "normal"),
                   ("Na", 139.0, "mmol/L", "normal"), ("K", 5.6, "mmol/L", "high"),
                   ("Creatinine", 142.0, "umol/L", "high")]


def test_one_name_ocr_damaged_does_not_keep_a_letter_line_whole():
    doc = _doc(words_at("Hb 128 g/L (130-170), WCC 6.2 x10^9/L (4.0-11.0), PIt 210 x10^9/L (150-400).", 40, 100))
    got = [(r.name, r.value) for r in parse_document(doc).results]
    assert got == [("Hemoglobin", 128.0), ("WBC", 6.2), ("Platelets", 210.0)]


def test_a_card_whose_unlabelled_value_comes_under_its_range_line():
    """A portal card printed name / "Normal range: 65 - 99 mg/dL" / "104 mg/dL  High" (the
    value unlabelled, under the range; a screenshot's OCR reads it as one cell): every card
    is one result with the range above its value and the flag beside it."""
    doc = _doc(
        words_at("Glucose", 40, 100),
        words_at("Normal range: 65 - 99 mg/dL", 40, 114),
        words_at("104 mg/dL High", 40, 128),
        words_at("Sodium", 40, 156),
        words_at("Normal range: 135 - 146 mmol/L", 40, 170),
        words_at("139 mmol/L", 40, 184),
    )
    got = [(r.name_as_printed, r.value, r.unit, r.reference_range.low if r.reference_range else None,
            r.reference_range.high if r.reference_range else None, r.flag) for r in parse_document(doc).results]
    assert got == [("Glucose", 104.0, "mg/dL", 65.0, 99.0, "high"), ("Sodium", 139.0, "mmol/L", 135.0, 146.0, "normal")]

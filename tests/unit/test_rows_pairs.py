"""Rows that print more than one value, signs as flags, units with other prefixes, dotted
abbreviations: traits of European and Indian reports, each on a small page of words.

Given a row with the trait, when the page is parsed, then each printed result keeps its
own value, unit, range and flag, and no range lands on a value it was not printed for.
"""

from __future__ import annotations

import pytest

from labintake.extract.document import Document, Page, Word
from labintake.parse import parse_document
from labintake.parse.catalog import get_catalog, normalise_name
from labintake.parse.pairs import misfit
from labintake.parse.units import metric_scale
from labintake.parse.values import is_qualitative, parse_flag, parse_range, writes_decimal_commas
from tests.fixtures.words import row


def _doc(*word_lists) -> Document:
    return Document([Page(1, 612, 792, [w for ws in word_lists for w in ws], "text")], "test")


def _by_name(doc):
    return {r.name: r for r in parse_document(doc).results}


def test_a_differential_row_with_percentage_and_count_gives_two_results_and_the_range_goes_to_the_count():
    doc = _doc(
        row((40, "Leucocytes"), (200, "11,3"), (230, "G/L"), (340, "(4,0-10,0)"), y=100),
        row((40, "Polynucléaires neutrophiles"), (200, "72,1"), (230, "%"), (260, "8,15"), (290, "G/L"),
            (340, "(1,80-7,50)"), y=116),
        row((40, "Lymphocytes"), (200, "20,3"), (230, "%"), (260, "2,29"), (290, "G/L"), (340, "(1,00-4,00)"), y=132),
    )
    got = _by_name(doc)
    pct, count = got["Neutrophils %"], got["Neutrophils #"]
    assert (pct.value, pct.unit, pct.reference_range, pct.flag) == (72.1, "%", None, None)
    assert (count.value, count.unit, count.flag) == (8.15, "10^9/L", "high")
    assert count.reference_range is not None and (count.reference_range.low, count.reference_range.high) == (1.8, 7.5)
    assert got["Lymphocytes #"].flag == "normal" and got["Lymphocytes %"].reference_range is None
    assert pct.name_as_printed == count.name_as_printed == "Polynucléaires neutrophiles"


def test_a_result_printed_in_two_unit_systems_is_one_result_with_the_range_it_fits():
    doc = _doc(
        row((40, "Glycémie à jeun"), (200, "0,95"), (230, "g/L"), (270, "5,27"), (300, "mmol/L"), (360, "(0,70-1,05)"),
            y=100),
        row((40, "Créatinine"), (200, "8,2"), (230, "mg/L"), (270, "72,6"), (300, "µmol/L"), (360, "(45-84)"), y=116),
    )
    results = parse_document(doc).results
    assert [r.name for r in results] == ["Glucose", "Creatinine"]
    glucose, creatinine = results
    assert (glucose.value, glucose.unit, glucose.flag) == (0.95, "g/L", "normal")
    # The range was printed for the second unit system: the row keeps that value with it.
    assert (creatinine.value, creatinine.unit, creatinine.flag) == (72.6, "umol/L", "normal")


def test_a_second_number_without_a_unit_is_not_a_second_result():
    doc = _doc(row((40, "Hemoglobin"), (200, "13.8"), (230, "g/dL"), (280, "13.1"), (340, "12.0-16.0"), y=100))
    (hb,) = parse_document(doc).results
    assert (hb.value, hb.unit, hb.reference_range.text) == (13.8, "g/dL", "12.0-16.0")


def test_a_sign_printed_after_the_value_is_its_flag_not_its_range():
    doc = _doc(
        row((40, "Untersuchung"), (220, "Ergebnis"), (300, "Einheit"), (380, "Referenzbereich"), y=80),
        row((40, "Thrombozyten"), (220, "412 +"), (300, "/nl"), (380, "150 - 370"), y=100),
        row((40, "Kalium"), (220, "5,4 ++"), (300, "mmol/l"), (380, "3,5 - 5,1"), y=116),
        row((40, "Hämoglobin"), (220, "12,9 -"), (300, "g/dl"), (380, "13,5 - 17,2"), y=132),
    )
    got = _by_name(doc)
    plt, k, hb = got["Platelets"], got["Potassium"], got["Hemoglobin"]
    assert (plt.reference_range.low, plt.reference_range.high, plt.flag, plt.flag_source) == (150, 370, "high", "printed")
    assert (k.reference_range.text, k.flag, k.flag_source) == ("3,5 - 5,1", "high", "printed")
    assert (hb.reference_range.text, hb.flag) == ("13,5 - 17,2", "low")


def test_a_unit_with_other_metric_prefixes_than_the_catalogue_lists_is_accepted_with_its_exact_factor():
    t3 = get_catalog().by_name("Total T3")
    assert "ng/mL" not in t3.accepted_units  # listed: ng/dL and nmol/L
    assert t3.accepts("ng/mL") and t3.to_canonical(1.1, "ng/mL") == pytest.approx(110.0)
    assert t3.plausible(1.1, "ng/mL") and not t3.plausible(110, "ng/mL")
    assert not t3.accepts("U/L") and not t3.accepts("%")
    assert metric_scale("ng/dL") == ("g", 1e-8) and metric_scale("10^9/L") is None and metric_scale("mEq/L") is None
    doc = _doc(row((40, "T3, Total"), (250, "1.10"), (330, "ng/mL"), (420, "0.80 - 2.00"), y=100))
    (r,) = parse_document(doc).results
    assert (r.name, r.unit, r.needs_review, r.loinc) == ("Total T3", "ng/mL", False, "3053-6")


def test_an_abbreviation_spelt_with_dots_is_the_abbreviation():
    catalog = get_catalog()
    assert normalise_name("E.S.R. (Westergren)") == "esr westergren"
    assert catalog.match("E.S.R.")[0].name == "ESR"
    assert catalog.match("V.G.M.")[0].name == "MCV"
    assert normalise_name("S. Creatinine") == "s creatinine"  # a specimen letter stays a word


def test_misfit_is_zero_inside_the_range_and_grows_by_orders_of_magnitude_outside():
    rng = parse_range("1.8-7.5")
    assert misfit(5.0, rng) == 0.0
    assert misfit(72.1, rng) > 0.9 > misfit(8.15, rng) > 0.0
    assert misfit(0.18, rng) > 0.9


def test_a_count_printed_under_the_unit_heading_beside_the_percentage_is_the_second_result():
    doc = _doc(
        row((40, "Prueba"), (220, "Resultado"), (300, "Unidades"), (390, "Valores de referencia"), y=80),
        row((40, "Neutrófilos"), (220, "58,2 %"), (300, "4,13 x10^3/µL"), (390, "2,00 a 7,50"), y=100),
    )
    got = _by_name(doc)
    assert (got["Neutrophils %"].value, got["Neutrophils %"].reference_range) == (58.2, None)
    assert (got["Neutrophils #"].value, got["Neutrophils #"].unit, got["Neutrophils #"].flag) == (4.13, "10^3/uL", "normal")


def test_us_reference_lab_spellings_of_bounds_and_calculated_units():
    doc = _doc(
        row((40, "Test Name"), (230, "In Range"), (300, "Out Of Range"), (380, "Reference Range"), y=80),
        row((50, "HDL CHOLESTEROL"), (230, "52"), (380, "> OR = 40 mg/dL"), y=100),
        row((50, "LDL-CHOLESTEROL"), (300, "144 H"), (380, "mg/dL (calc)"), y=116),
        row((50, "CHOL/HDLC RATIO"), (230, "4.2"), (380, "<5.0 (calc)"), y=132),
    )
    got = _by_name(doc)
    hdl, ldl, ratio = got["HDL Cholesterol"], got["LDL Cholesterol"], got["Cholesterol/HDL Ratio"]
    assert (hdl.unit, hdl.reference_range.low, hdl.reference_range.low_comparator, hdl.reference_range.text) == (
        "mg/dL", 40.0, ">=", "> OR = 40")
    assert (ldl.unit, ldl.flag, ldl.needs_review) == ("mg/dL", "high", False)
    assert ratio.unit is None and ratio.reference_range.high == 5.0
    assert parse_range("<or=5.0").high_comparator == "<="


def test_in_a_document_with_decimal_commas_a_dotted_group_of_three_is_thousands():
    doc = _doc(
        row((40, "Hemácias"), (220, "4,85 milhões/mm³"), (380, "4,30 a 5,70 milhões/mm³"), y=100),
        row((40, "Hemoglobina"), (220, "14,6 g/dL"), (380, "13,5 a 17,5 g/dL"), y=116),
        row((40, "Leucócitos"), (220, "6.300 /mm³"), (380, "3.500 a 10.500 /mm³"), y=132),
        row((40, "Linfócitos"), (220, "29,0 %"), (290, "1.827 /mm³"), (380, "900 a 2.900 /mm³"), y=148),
        row((40, "Plaquetas"), (220, "231.000 /mm³"), (380, "150.000 a 450.000 /mm³"), y=164),
    )
    got = _by_name(doc)
    assert (got["RBC"].value, got["RBC"].unit, got["RBC"].needs_review) == (4.85, "10^6/uL", False)
    wbc, plt, lym = got["WBC"], got["Platelets"], got["Lymphocytes #"]
    assert (wbc.value, wbc.value_text, wbc.reference_range.low, wbc.reference_range.high) == (6300, "6.300", 3500, 10500)
    assert (plt.value, plt.reference_range.high, plt.needs_review) == (231000, 450000, False)
    assert (lym.value, lym.reference_range.low, lym.reference_range.high, lym.flag) == (1827, 900, 2900, "normal")


def test_a_dotted_group_of_three_is_a_decimal_where_the_document_writes_decimal_points():
    doc = _doc(
        row((40, "Specific Gravity"), (220, "1.015"), (380, "1.005 - 1.030"), y=100),
        row((40, "Hemoglobin"), (220, "14.6"), (300, "g/dL"), (380, "13.5 - 17.5"), y=116),
        row((40, "Creatinine"), (220, "0.98"), (300, "mg/dL"), (380, "0.70 - 1.30"), y=132),
    )
    assert _by_name(doc)["Urine Specific Gravity"].value == 1.015
    assert writes_decimal_commas(["4,85", "14,6", "43,9", "6.300"])
    assert not writes_decimal_commas(["4,85", "14,6", "43,9", "14.6"])  # one decimal point in the page: no


def test_in_a_decimal_comma_document_a_dotted_value_only_its_analyte_can_have_as_a_decimal_stays_a_decimal():
    doc = _doc(
        row((40, "Hemoglobina"), (220, "14,6"), (300, "g/dL"), (380, "13,5 - 17,5"), y=100),
        row((40, "Hematócrito"), (220, "43,9"), (300, "%"), (380, "39,0 - 50,0"), y=116),
        row((40, "Creatinina"), (220, "1,05"), (300, "mg/dL"), (380, "0,70 - 1,30"), y=132),
        row((40, "Densidade"), (220, "1.015"), (380, "1.005 - 1.030"), y=148),
        row((40, "Leucócitos"), (220, "6.300"), (300, "/mm³"), (380, "3.500 - 10.500"), y=164),
    )
    got = _by_name(doc)
    sg = got["Urine Specific Gravity"]
    assert (sg.value, sg.reference_range.low, sg.reference_range.high, sg.flag) == (1.015, 1.005, 1.03, "normal")
    assert (got["WBC"].value, got["WBC"].reference_range.high) == (6300, 10500)


def test_a_microscopy_count_printed_as_a_span_in_the_result_column_is_the_value():
    doc = _doc(
        row((40, "Investigation"), (230, "Observed Value"), (330, "Unit"), (420, "Biological Reference Interval"), y=80),
        row((40, "Pus Cells"), (230, "2-3"), (330, "/hpf"), (420, "0 - 5"), y=100),
        row((40, "Specific Gravity"), (230, "1.020"), (420, "1.005 - 1.030"), y=116),
    )
    pus = parse_document(doc).results[0]
    assert (pus.value, pus.value_text, pus.unit, pus.reference_range.text) == (None, "2-3", "/HPF", "0 - 5")


def test_a_sign_glued_to_the_value_is_its_flag():
    doc = _doc(
        row((40, "Untersuchung"), (220, "Ergebnis"), (300, "Einheit"), (380, "Referenzbereich"), y=80),
        row((40, "Thrombozyten"), (220, "412+"), (300, "/nl"), (380, "150-370"), y=100),
        row((40, "Hämoglobin"), (220, "12,9-"), (300, "g/dl"), (380, "13,5 - 17,2"), y=116),
    )
    got = _by_name(doc)
    assert (got["Platelets"].value, got["Platelets"].flag, got["Platelets"].flag_source) == (412, "high", "printed")
    assert (got["Hemoglobin"].value, got["Hemoglobin"].flag, got["Hemoglobin"].flag_source) == (12.9, "low", "printed")


def test_tests_printed_as_cards_a_heading_then_labelled_result_and_reference():
    doc = _doc(
        _bold(row((40, "Hemoglobin"), y=100)),
        row((60, "Result: 12.8 g/dL"), (250, "Reference: 12.0 - 15.5 g/dL"), (450, "Normal"), y=114),
        _bold(row((40, "Ferritin"), y=136)),
        row((60, "Result: 9 ng/mL"), (250, "Reference: 15 - 150 ng/mL"), (450, "Low"), y=150),
        _bold(row((40, "Vitamin D, 25-Hydroxy"), y=172)),
        row((60, "Your result: 22 ng/mL"), (250, "Reference range: 30 - 100 ng/mL"), y=186),
    )
    got = [(r.name, r.value, r.unit, r.reference_range.text, r.flag) for r in parse_document(doc).results]
    assert got == [
        ("Hemoglobin", 12.8, "g/dL", "12.0 - 15.5", "normal"),
        ("Ferritin", 9.0, "ng/mL", "15 - 150", "low"),
        ("25-OH Vitamin D", 22.0, "ng/mL", "30 - 100", "low"),
    ]


def test_a_heading_above_a_table_row_that_has_its_name_stays_a_section():
    doc = _doc(
        _bold(row((40, "CHEMISTRY"), y=100)),
        row((40, "Sodium"), (200, "138"), (260, "mmol/L"), (340, "135 - 145"), y=114),
    )
    (na,) = parse_document(doc).results
    assert (na.name, na.section) == ("Sodium", "CHEMISTRY")


def _bold(words):
    return [Word(w.text, w.x0, w.y0, w.x1, w.y1, w.confidence, True) for w in words]


def test_a_range_with_its_own_label_inside_its_brackets():
    for printed, low, high in [("(ref 12.0-16.0)", 12.0, 16.0), ("(optimal <100)", None, 100.0),
                               ("(Ref. range: 3.5-5.0)", 3.5, 5.0), ("(normal 70-99)", 70.0, 99.0)]:
        rng = parse_range(printed)
        assert (rng.low, rng.high, rng.text) == (low, high, printed)
    assert parse_range("(reference laboratory)") is None


@pytest.mark.parametrize("printed", ["02 - 10.", "(2 - 10.)", "2 - 10,", "2-10'"])
def test_a_speck_after_a_ranges_upper_bound_is_not_part_of_it(printed: str):
    """A scan reads dust after the last bound as a point or a comma: still the range 2-10."""
    rng = parse_range(printed)
    assert rng is not None and (rng.low, rng.high) == (2.0, 10.0)


@pytest.mark.parametrize(("printed", "folded_as"), [("Sari", "Sarı"), ("Koyu sari", "Koyu sarı"),
                                                    ("Saptanmadi", "Saptanmadı"), ("Zolty", "Żółty")])
def test_a_reading_written_without_its_dotless_i_or_stroked_l_is_still_a_reading(printed, folded_as):
    """OCR and keyboards without Turkish or Polish letters write ı as i and ł as l: the
    reading is the same word, as a result and as a range."""
    assert is_qualitative(printed) and is_qualitative(folded_as)
    rng = parse_range(printed)
    assert rng is not None and rng.text == printed and rng.low is None and rng.high is None


def test_a_flag_word_written_without_its_stroked_l_is_still_the_flag():
    assert parse_flag("nieprawidlowy") == parse_flag("Nieprawidłowy") == "abnormal"


def test_a_cumulative_report_reads_the_newest_dated_column_whichever_side_it_is_on():
    for dates, newest in ((("03/12/2024", "01/10/2024", "10/05/2023"), 0), (("10/05/2023", "01/10/2024", "03/12/2024"), 2)):
        values_by_date = {"03/12/2024": ("10.9 L", "8 L"), "01/10/2024": ("11.4 L", "11 L"), "10/05/2023": ("12.3", "25")}
        xs = (200, 270, 340)
        doc = _doc(
            row((40, "Test"), *zip(xs, dates, strict=True), (410, "Units"), (470, "Ref Range"), y=80),
            row((40, "Hemoglobin"), *((x, values_by_date[d][0]) for x, d in zip(xs, dates, strict=True)),
                (410, "g/dL"), (470, "12.0-15.5"), y=100),
            row((40, "Ferritin"), *((x, values_by_date[d][1]) for x, d in zip(xs, dates, strict=True)),
                (410, "ng/mL"), (470, "15-150"), y=116),
        )
        got = [(r.name, r.value, r.unit, r.flag) for r in parse_document(doc).results]
        assert got == [("Hemoglobin", 10.9, "g/dL", "low"), ("Ferritin", 8.0, "ng/mL", "low")], (newest, got)


def test_a_count_range_from_zero_goes_to_the_count_even_when_the_percentage_fits_it_too():
    """"Eosinófilos 3 % 189 /mm3 0 a 500": both 3 and 189 lie in 0-500, but the range is of
    the count's magnitude (a Brazilian leucogram prints the count's range only)."""
    doc = _doc(
        row((40, "Leucócitos"), (190, "6.300"), (230, "/mm3"), (370, "4.000 a 11.000"), y=100),
        row((40, "Eosinófilos"), (190, "3"), (210, "%"), (280, "189"), (310, "/mm3"), (370, "0 a 500"), y=116),
        row((40, "Monócitos"), (190, "7"), (210, "%"), (280, "441"), (310, "/mm3"), (370, "100 a 800"), y=132),
    )
    got = _by_name(doc)
    assert got["Eosinophils %"].reference_range is None
    assert got["Eosinophils #"].reference_range.high == 500.0 and got["Eosinophils #"].value == 189.0
    assert got["Monocytes #"].reference_range.high == 800.0


def test_a_cumulative_reports_dates_are_read_the_way_that_puts_them_in_order():
    """"12/01/25 03/02/25 04/03/25" run in order only day first (12 Jan, 3 Feb, 4 Mar); month
    first, 12/01/25 would be the newest and the oldest results would be taken."""
    xs = (170, 230, 290)
    doc = _doc(
        row((40, "Test"), *zip(xs, ("12/01/25", "03/02/25", "04/03/25"), strict=True), (360, "Units"),
            (430, "Ref Range"), y=80),
        row((40, "Haemoglobin"), (170, "128 L"), (230, "131"), (290, "135"), (360, "g/L"), (430, "130-180"), y=100),
        row((40, "Creatinine"), (170, "102"), (230, "110"), (290, "125 H"), (360, "umol/L"), (430, "60-110"), y=116),
    )
    got = [(r.name, r.value, r.flag) for r in parse_document(doc).results]
    assert got == [("Hemoglobin", 135.0, "normal"), ("Creatinine", 125.0, "high")]


def test_a_count_printed_with_two_dot_groups_is_thousands_in_any_document():
    """"Glóbulos rojos 4.500.000 /mm3" in a report whose decimals are points: two dot groups of
    three digits can only be thousands (a date's groups are of two)."""
    doc = _doc(
        row((40, "Hemoglobina"), (200, "14.2"), (260, "g/dL"), (340, "13.0 - 17.0"), y=100),
        row((40, "Glóbulos rojos"), (200, "4.500.000"), (260, "/mm3"), (340, "4.000.000 - 5.500.000"), y=116),
        row((40, "Hematocrito"), (200, "42.1"), (260, "%"), (340, "40.0 - 52.0"), y=132),
    )
    got = _by_name(doc)
    rbc = got["RBC"]
    assert rbc.value == 4_500_000.0 and rbc.value_text == "4.500.000"
    assert (rbc.reference_range.low, rbc.reference_range.high) == (4_000_000.0, 5_500_000.0)
    assert got["Hemoglobin"].value == 14.2


def test_on_a_recognised_page_commas_read_as_points_still_make_a_decimal_comma_document():
    """A photo of a Brazilian blood count: OCR took the tail off half the decimal commas
    ("13.1" for "13,1"), yet "11.240 /mm³" is eleven thousand leukocytes, not eleven."""
    cells = [("Hemácias", "4,52", "milhões/mm³", "3,90 a 5,03"), ("Hemoglobina", "13.1", "g/dL", "12,0 a 15,5"),
             ("Hematócrito", "39,8", "%", "34.9 a 44.5"), ("Leucócitos", "11.240", "/mm³", "3.500 a 10.500"),
             ("Plaquetas", "245.000", "/mm³", "150.000 a 450.000"), ("Creatinina", "0,78", "mg/dL", "0.50 a 1.10")]
    words = [w for i, (n, v, u, r) in enumerate(cells)
             for w in row((40, n), (240, v), (320, u), (400, r), y=100 + 16 * i)]
    for source, wbc, plt_high in (("ocr", 11240.0, 450000.0), ("text", 11.24, 450.0)):
        doc = Document([Page(1, 612, 792, words, source)], "test")
        got = {r.name_as_printed: r for r in parse_document(doc).results}
        # A text layer is exact: there, decimal points among the commas mean points.
        assert got["Leucócitos"].value == wbc and got["Hemoglobina"].value == 13.1
        assert got["Plaquetas"].reference_range.high == plt_high


def test_a_result_in_two_unit_systems_both_inside_the_range_keeps_the_first_value():
    """"Triglycérides 1,02 g/L 1,16 mmol/L (0,35 - 1,50)": both values lie inside the range and
    are of one magnitude, so nothing says the range was printed for the second: the row keeps
    the first value, the one the range stands beside."""
    doc = _doc(row((40, "Triglycérides"), (200, "1,02"), (230, "g/L"), (270, "1,16"), (300, "mmol/L"),
                   (360, "(0,35 - 1,50)"), y=100))
    (trig,) = parse_document(doc).results
    assert (trig.value, trig.unit, trig.flag) == (1.02, "g/L", "normal")

"""A routine urine examination and a serology block as Indian and many other labs print them,
on a small page of words: a "Biological Ref. Interval" header, sub-headings for each step
of the examination, graded qualitative readings, microscopy counts, and qualitative
results of tests whose codes measure a quantity."""

from __future__ import annotations

import pytest

from labintake.extract.document import Document, Page
from labintake.parse import parse_document
from labintake.parse.columns import find_header
from labintake.parse.lines import build_lines
from labintake.parse.values import is_qualitative
from tests.fixtures.words import row


def _doc(*word_lists) -> Document:
    return Document([Page(1, 612, 792, [w for ws in word_lists for w in ws], "text")], "test")


@pytest.mark.parametrize("heading", ["Biological Ref. Interval", "Bio. Ref. Interval", "Bio Ref Range",
                                     "Normal Ref. Range", "Reference Ranges", "Expected Values"])
def test_a_range_heading_made_of_reference_words(heading):
    [line] = build_lines(row((40, "Test Name"), (200, "Result"), (300, "Unit"), (360, heading), y=100))
    cols = find_header(line)
    assert cols is not None and [c.kind for c in cols][-1] == "range"


def test_a_result_word_is_not_a_range_heading():
    [line] = build_lines(row((40, "Test Name"), (200, "Result"), (300, "Unit"), (360, "Normal Values Pending"), y=100))
    cols = find_header(line)
    assert cols is None or "range" not in [c.kind for c in cols]


@pytest.mark.parametrize("text", ["Slightly Turbid", "Very cloudy", "leicht trüb", "Light Yellow"])
def test_a_degree_before_a_reading_is_one_qualitative_value(text):
    assert is_qualitative(text)


@pytest.mark.parametrize("text", ["Bursztynowy", "Jasnożółty", "Bezbarwny", "Farblos", "Incolore", "Kleurloos",
                                  "Renksiz", "Ambré"])
def test_urine_colours_in_more_languages_are_readings(text):
    """Amber and colourless as Polish, German, French, Dutch and Turkish labs print them: a
    Polish "Barwa  Bursztynowy  Żółty" row took its range's "Żółty" for the result."""
    assert is_qualitative(text)


def test_not_every_two_words_with_a_degree_are_a_reading():
    assert not is_qualitative("Slightly") and not is_qualitative("Very important")


URINE = (
    row((40, "URINE ROUTINE EXAMINATION"), y=80),
    row((40, "Test Name"), (200, "Result"), (300, "Unit"), (360, "Biological Ref. Interval"), y=100),
    row((40, "PHYSICAL EXAMINATION"), y=120),
    row((40, "Appearance"), (200, "Slightly Turbid"), (360, "Clear"), y=136),
    row((40, "Reaction (pH)"), (200, "6.0"), (360, "4.6 - 8.0"), y=152),
    row((40, "MICROSCOPIC EXAMINATION"), y=172),
    row((40, "Pus Cells"), (200, "8-10"), (300, "/hpf"), (360, "0 - 5"), y=188),
    row((40, "RBCs"), (200, "Nil"), (300, "/hpf"), (360, "0 - 2"), y=204),
    row((40, "SEROLOGY"), y=224),
    row((40, "CRP (Latex)"), (200, "Positive"), (360, "Negative"), y=240),
    row((40, "HBsAg (Rapid)"), (200, "Non Reactive"), (360, "Non Reactive"), y=256),
)


def test_the_steps_of_a_urine_examination_stay_in_urine():
    got = {r.name_as_printed: r for r in parse_document(_doc(*URINE)).results}
    assert got["Appearance"].value_text == "Slightly Turbid" and got["Appearance"].flag == "abnormal"
    # pH under "PHYSICAL EXAMINATION" of a urine examination is the urine pH, not blood pH.
    assert got["Reaction (pH)"].name == "Urine pH" and got["Reaction (pH)"].loinc == "5803-2"
    assert got["Pus Cells"].name == "Urine WBC" and got["Pus Cells"].value_text == "8-10"
    assert got["RBCs"].name == "Urine RBC"
    assert "URINE" in got["Pus Cells"].section and "MICROSCOPIC" in got["Pus Cells"].section


def test_pus_cells_outside_urine_get_no_urine_code():
    doc = _doc(row((40, "STOOL ROUTINE"), y=80),
               row((40, "Test Name"), (200, "Result"), (300, "Unit"), (360, "Reference Range"), y=100),
               row((40, "Pus Cells"), (200, "2-4"), (300, "/hpf"), (360, "0 - 5"), y=120))
    [r] = parse_document(doc).results
    assert r.loinc is None


def test_a_qualitative_result_of_a_quantity_code_is_left_uncoded():
    """"CRP (Latex) Positive": CRP's code measures mg/L; a reading gets no code and review,
    while a test whose code is a reading (HBsAg) keeps it."""
    got = {r.name_as_printed: r for r in parse_document(_doc(*URINE)).results}
    crp = got["CRP (Latex)"]
    assert crp.name == "CRP" and crp.loinc is None and crp.needs_review and crp.flag == "abnormal"
    assert got["HBsAg (Rapid)"].loinc == "5196-1"


def test_a_culture_with_no_growth_is_a_result():
    doc = _doc(
        row((40, "Test"), (200, "Result"), (300, "Unit"), (360, "Reference Range"), y=100),
        row((40, "Sodium"), (200, "140"), (300, "mmol/L"), (360, "136 - 145"), y=120),
        row((40, "Urine Culture"), (200, "No growth"), y=136),
    )
    got = [(r.name_as_printed, r.value_text) for r in parse_document(doc).results]
    assert got == [("Sodium", "140"), ("Urine Culture", "No growth")]


@pytest.mark.parametrize("heading", ["UROANÁLISIS", "UROANALISIS", "URIANÁLISIS"])
def test_a_urinalysis_heading_in_spanish_places_ph_in_urine(heading):
    """Spanish labs head the urine examination "Uroanálisis": pH under it is the urine pH
    (5.0–8.0 is no blood pH, and a blood pH of 6.0 would be sent to review as implausible)."""
    doc = _doc(row((40, heading), y=80),
               row((40, "Prueba"), (200, "Resultado"), (300, "Unidades"), (360, "Valor de referencia"), y=100),
               row((40, "pH"), (200, "6.0"), (360, "5.0 - 8.0"), y=120),
               row((40, "Densidad"), (200, "1.025"), (360, "1.005 - 1.030"), y=136),
               row((40, "Glucosa"), (200, "Negativo"), (300, "mg/dL"), (360, "Negativo"), y=152))
    got = {r.name_as_printed: r for r in parse_document(doc).results}
    assert got["pH"].name == "Urine pH" and got["pH"].loinc == "5803-2" and not got["pH"].needs_review
    assert got["Glucosa"].name == "Urine Glucose"


def _ph_under(heading: str):
    doc = _doc(row((40, heading), y=80),
               row((40, "Test"), (200, "Result"), (300, "Units"), (360, "Reference range"), y=100),
               row((40, "pH"), (200, "6.0"), (360, "5.0 - 8.0"), y=120))
    [r] = parse_document(doc).results
    return r


@pytest.mark.parametrize("heading", ["Urinalysis", "Urine examination", "Examen d'urine", "Análisis de orina",
                                     "Urinstatus", "Badanie ogólne moczu"])
def test_the_name_of_a_urine_examination_is_a_heading_in_any_case(heading):
    """A scan shows no bold: "Urinalysis" in plain title case over the table still heads it,
    so pH under it is the urine pH, not a blood pH sent to review."""
    r = _ph_under(heading)
    assert (r.name, r.loinc, r.section) == ("Urine pH", "5803-2", heading)


@pytest.mark.parametrize("line", ["Urine", "Urine sample received late in the day"])
def test_a_plain_line_mentioning_urine_is_no_heading(line):
    assert _ph_under(line).section is None


# A dipstick table with no heading, a blood count under it in the same table: a report whose
# urinalysis heading is not printed (or printed on the page before).
UNHEADED = (
    row((40, "Kod"), (100, "Test Adı"), (240, "Sonuç"), (340, "Referans Aralığı"), y=100),
    row((40, "UCOL35"), (100, "Renk"), (240, "Sarı"), (340, "Sarı"), y=116),
    row((40, "USG61"), (100, "Dansite"), (240, "1,013"), (340, "1,005 - 1,030"), y=132),
    row((40, "UPH49"), (100, "pH"), (240, "5,9"), (340, "5,0 - 8,0"), y=148),
    row((40, "UGLU25"), (100, "Glukoz"), (240, "Negatif"), (340, "Negatif"), y=164),
    row((40, "UBLO86"), (100, "Kan"), (240, "2+"), (340, "Negatif"), y=180),
    row((40, "UNIT51"), (100, "Nitrit"), (240, "Negatif"), (340, "Negatif"), y=196),
    row((40, "ULE08"), (100, "Lökosit"), (240, "Negatif"), (340, "Negatif"), y=212),
    row((40, "WBC12"), (100, "Lökosit"), (240, "2,0"), (340, "4,0 - 10,0 10^9/L"), y=228),
    row((40, "HGB29"), (100, "Hemoglobin"), (240, "169"), (340, "120 - 160 g/L"), y=244),
)


def test_a_urinalysis_without_its_heading_is_read_as_one():
    """Colour, specific gravity and nitrite are urine tests: the pH, glucose, blood and leukocytes
    between them are the strip's (a pH of 5.9 was a blood pH sent to review, and the review rows
    made a reading that took the code column for the names win). The blood count below stays."""
    results = parse_document(_doc(*UNHEADED)).results
    got = [(r.name_as_printed, r.name, r.loinc) for r in results]
    assert got == [
        ("Renk", "Urine Color", "5778-6"),
        ("Dansite", "Urine Specific Gravity", "5811-5"),
        ("pH", "Urine pH", "5803-2"),
        ("Glukoz", "Urine Glucose", "5792-7"),
        ("Kan", "Urine Blood", "5794-3"),
        ("Nitrit", "Urine Nitrite", "5802-4"),
        ("Lökosit", "Leukocyte Esterase", "5799-2"),
        ("Lökosit", "WBC", "6690-2"),
        ("Hemoglobin", "Hemoglobin", "718-7"),
    ]
    assert not any(r.needs_review for r in results)


def test_one_urine_word_does_not_make_a_urinalysis():
    """A lone "Colour" row (of a stool or a semen sample) leaves a pH beside it a blood pH."""
    doc = _doc(row((40, "Test"), (200, "Result"), (300, "Units"), (360, "Reference range"), y=100),
               row((40, "Colour"), (200, "Brown"), y=116),
               row((40, "pH"), (200, "7.41"), (360, "7.35 - 7.45"), y=132))
    got = {r.name_as_printed: r.name for r in parse_document(doc).results}
    assert got["pH"] == "Blood pH"


def test_a_stool_examination_is_no_urinalysis():
    """Colour and occult blood under a stool heading are the stool's: the pH beside them is not
    made the urine's."""
    doc = _doc(row((40, "STOOL EXAMINATION"), y=80),
               row((40, "Test"), (200, "Result"), (300, "Units"), (360, "Reference range"), y=100),
               row((40, "Colour"), (200, "Brown"), y=116),
               row((40, "Occult Blood"), (200, "Negative"), (360, "Negative"), y=132),
               row((40, "pH"), (200, "6.5"), y=148))
    got = {r.name_as_printed: r.name for r in parse_document(doc).results}
    assert got["pH"] != "Urine pH"

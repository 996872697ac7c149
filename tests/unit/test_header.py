"""Header fields: patient, dates, lab and provider from labelled text."""

from __future__ import annotations

from datetime import date

import pytest

from labintake.parse.header import parse_date, parse_header, parse_person_name, parse_sex
from labintake.parse.lines import build_lines
from tests.fixtures.words import row, words_at


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/04/2025", date(2025, 3, 4)),
        ("3/4/2025 08:15", date(2025, 3, 4)),
        ("25/03/2025", date(2025, 3, 25)),  # first part > 12: day first
        ("04.03.2025", date(2025, 3, 4)),
        ("2025-03-04", date(2025, 3, 4)),
        ("Mar 4, 2025", date(2025, 3, 4)),
        ("March 4th, 2025", date(2025, 3, 4)),
        ("4 Mar 2025", date(2025, 3, 4)),
        ("04-Mar-2025", date(2025, 3, 4)),
        ("on 2025-03-04 at 10:00", date(2025, 3, 4)),
        ("20250304 0815", date(2025, 3, 4)),  # as an LIS stores it
        ("04MAR2025", date(2025, 3, 4)),  # run together, as hospital systems print it
        ("4Mar25 08:15", date(2025, 3, 4)),
    ],
)
def test_dates(text, expected):
    assert parse_date(text) == expected


def test_two_digit_birth_year_is_in_the_past():
    assert parse_date("02/14/80", birth=True) == date(1980, 2, 14)
    assert parse_date("02/14/05", birth=True) == date(2005, 2, 14)


@pytest.mark.parametrize("text", ["", "unknown", "13/13/2025", "2025", "20251304", "123456789", "5 mg 1958", "10mar"])
def test_not_dates(text):
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "sex"),
    [("Female", "female"), ("F", "female"), ("M", "male"), ("male", "male"), ("45 Y / F", "female"),
     ("Other", "other"), ("U", None), ("Mujer", "female"), ("Varón", "male"), ("Hombre", "male"),
     ("Mulher", "female"), ("Homem", "male")],
)
def test_sex(text, sex):
    assert parse_sex(text) == sex


@pytest.mark.parametrize(
    ("text", "name"),
    [("Jane Q Doe", "Jane Q Doe"), ("DOE, JANE Q", "Jane Q Doe"), ("Doe, Jane", "Jane Doe")],
)
def test_person_names(text, name):
    assert parse_person_name(text) == name


def test_two_column_header_block():
    """Given a header with two label columns on each line, when parsed, then every field is found."""
    words = [
        *words_at("Northwind Clinical Laboratory", 54, 50),
        *row((54, "Patient: Jane Q Doe"), (330, "Collected: 03/04/2025"), y=100),
        *row((54, "DOB: 02/14/1980"), (330, "Reported: 03/05/2025"), y=116),
        *row((54, "Sex: Female"), (330, "Ordering Provider: Dr. Alan Smithee"), y=132),
        *row((54, "MRN: 000123"), y=148),
    ]
    patient, report = parse_header(build_lines(words))
    assert patient.name == "Jane Q Doe"
    assert patient.date_of_birth == date(1980, 2, 14)
    assert patient.sex == "female"
    assert patient.mrn == "000123"
    assert report.collected_at == date(2025, 3, 4)
    assert report.reported_at == date(2025, 3, 5)
    assert report.ordering_provider == "Dr. Alan Smithee"
    assert report.lab_name == "Northwind Clinical Laboratory"


def test_alternative_labels_on_one_line():
    """Given European dates and other label spellings run together, then each value stops at the next label."""
    words = [
        *words_at("Name: DOE, JOHN Date of Birth: 14.02.1980 Gender: M", 54, 100),
        *words_at("Patient ID: A-778 Collection Date: 2025-03-04 Physician: Dr. Who", 54, 116),
        *words_at("Laboratory: Example Lab East Report Date: Mar 5, 2025", 54, 132),
    ]
    patient, report = parse_header(build_lines(words))
    assert patient.name == "John Doe"
    assert patient.date_of_birth == date(1980, 2, 14)
    assert patient.sex == "male"
    assert patient.mrn == "A-778"
    assert report.collected_at == date(2025, 3, 4)
    assert report.reported_at == date(2025, 3, 5)
    assert report.ordering_provider == "Dr. Who"
    assert report.lab_name == "Example Lab East"


def test_ocr_without_space_after_colon():
    patient, _ = parse_header(build_lines(words_at("DOB:02/14/1980", 54, 100)))
    assert patient.date_of_birth == date(1980, 2, 14)


def test_missing_fields_are_none():
    patient, report = parse_header(build_lines(words_at("Nothing to see here", 54, 100)))
    assert patient.model_dump() == {"name": None, "date_of_birth": None, "sex": None, "mrn": None}
    assert report.collected_at is None and report.lab_name is None


# --- other languages and date conventions ----------------------------------------------------

from labintake.parse.header import day_first_convention  # noqa: E402


def _lines(*texts_at):
    words = []
    for x, y, text in texts_at:
        words += words_at(text, x, y)
    return build_lines(words)


@pytest.mark.parametrize(
    ("rows", "name", "dob", "sex", "collected"),
    [
        ([(40, 80, "Patient: Mustermann, Erika"), (310, 80, "Entnahme: 04.03.2025 07:45"),
          (40, 95, "Geb.-Datum: 14.02.1980"), (40, 110, "Geschlecht: weiblich")],
         "Erika Mustermann", date(1980, 2, 14), "female", date(2025, 3, 4)),
        ([(40, 80, "Nom : DUPONT Marie"), (300, 80, "Prélevé le : 04/03/2025 à 08h10"),
          (40, 95, "Né(e) le : 02/01/1970"), (40, 110, "Sexe : F")],
         "Marie Dupont", date(1970, 1, 2), "female", date(2025, 3, 4)),
        ([(40, 80, "Paciente: García López, Ana"), (310, 80, "Fecha de extracción: 04/03/2025"),
          (40, 95, "Fecha de nacimiento: 05/06/1990"), (40, 110, "Sexo: Femenino")],
         "Ana García López", date(1990, 6, 5), "female", date(2025, 3, 4)),
        ([(40, 80, "Paziente: Rossi Mario"), (310, 80, "Data prelievo: 4 marzo 2025"),
          (40, 95, "Data di nascita: 1 gennaio 1960"), (40, 110, "Sesso: M")],
         "Rossi Mario", date(1960, 1, 1), "male", date(2025, 3, 4)),
    ],
)
def test_european_headers(rows, name, dob, sex, collected):
    patient, report = parse_header(_lines(*rows))
    assert patient.name == name
    assert patient.date_of_birth == dob
    assert patient.sex == sex
    assert report.collected_at == collected


def test_an_unambiguous_date_decides_the_convention():
    lines = _lines((40, 80, "Patient: Jane Doe"), (40, 95, "DOB: 02/14/1980"), (40, 110, "Collected: 03/04/2025"))
    patient, report = parse_header(lines)
    assert report.collected_at == date(2025, 3, 4)  # month first: 02/14 said so
    lines = _lines((40, 80, "Patient: Jane Doe"), (40, 95, "DOB: 14/02/1980"), (40, 110, "Collected: 03/04/2025"))
    patient, report = parse_header(lines)
    assert report.collected_at == date(2025, 4, 3)  # day first: 14/02 said so
    assert day_first_convention(lines, set()) is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [("4. März 2025", date(2025, 3, 4)), ("4 mars 2025", date(2025, 3, 4)), ("4 de marzo de 2025", date(2025, 3, 4)),
     ("04-MAR-2025", date(2025, 3, 4)), ("March 4, 2025", date(2025, 3, 4)), ("2025-03-04", date(2025, 3, 4))],
)
def test_month_names_in_other_languages(text, expected):
    assert parse_date(text) == expected


def test_day_first_option():
    assert parse_date("04/03/2025", day_first=True) == date(2025, 3, 4)
    assert parse_date("04/03/2025") == date(2025, 4, 3)
    assert parse_date("13/03/2025") == date(2025, 3, 13)  # the only possible reading


@pytest.mark.parametrize("letterhead", [
    "CENTRO DIAGNOSTICO ITALIANO", "Clínica Santa Lucía", "MVZ Labor Nord", "Hôpital Saint-Louis",
    "Analisi Cliniche Rossi", "Lal PathLabs Ltd", "Laboratoire de Biologie Médicale du Parc",
])
def test_an_unlabelled_letterhead_in_many_languages_names_the_lab(letterhead):
    words = [*words_at(letterhead, 54, 60), *words_at("Patient: Maria Rossi", 54, 90)]
    _, report = parse_header(build_lines(words))
    assert report.lab_name == letterhead


@pytest.mark.parametrize(("letterhead", "lab"), [
    ("某某市人民医院检验报告单", "某某市人民医院"),
    ("Apollo Diagnostics - Laboratory Report", "Apollo Diagnostics"),
    ("Northwind Clinical Laboratory Test Report", "Northwind Clinical Laboratory"),
])
def test_a_report_title_after_the_labs_name_is_not_part_of_it(letterhead, lab):
    words = [*words_at(letterhead, 54, 60), *words_at("Patient: Maria Rossi", 54, 90)]
    _, report = parse_header(build_lines(words))
    assert report.lab_name == lab


def test_a_title_alone_names_no_lab():
    words = [*words_at("COMPREHENSIVE LAB REPORT", 54, 60), *words_at("Patient: Maria Rossi", 54, 90)]
    _, report = parse_header(build_lines(words))
    assert report.lab_name is None


@pytest.mark.parametrize(("line", "mrn"), [
    ("NHS No: 485 777 3456", "485 777 3456"), ("MRN: A-778 (old: 12)", "A-778"), ("Patient ID: 998877", "998877"),
])
def test_an_identifier_printed_in_digit_groups_is_kept_whole(line, mrn):
    patient, _ = parse_header(build_lines(words_at(line, 54, 100)))
    assert patient.mrn == mrn


def test_a_unit_in_a_table_the_header_runs_into_says_no_sex():
    words = [*words_at("PATIENT: DOE, JANE DOB: 02/11/1975", 54, 60), *words_at("| WBC | 7.4 | K/uL | 4.0-11.0 |", 54, 90)]
    patient, _ = parse_header(build_lines(words))
    assert patient.sex is None
    words = [*words_at("Jane Doe | 02/14/1980 | Female", 54, 60)]
    assert parse_header(build_lines(words))[0].sex == "female"

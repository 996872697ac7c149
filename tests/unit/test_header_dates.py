"""Dates in every common order, and the day/month order inferred from the report itself."""

from __future__ import annotations

from datetime import date

import pytest

from labintake.parse.dates import day_first_convention, parse_date
from labintake.parse.header import parse_header
from labintake.parse.lines import build_lines
from tests.fixtures.words import row, words_at


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14-Mar-2026", date(2026, 3, 14)), ("14-Mar-26", date(2026, 3, 14)), ("Mar 4, 2025", date(2025, 3, 4)),
        ("2025年3月4日", date(2025, 3, 4)), ("2025/03/04", date(2025, 3, 4)), ("2025.03.04", date(2025, 3, 4)),
        ("04.03.2025", date(2025, 3, 4)), ("4 março 2025", date(2025, 3, 4)), ("4 maart 2025", date(2025, 3, 4)),
        ("4 marca 2025", date(2025, 3, 4)), ("4 Mart 2025", date(2025, 3, 4)), ("4 Okt. 2025", date(2025, 10, 4)),
        ("14 Ağustos 2025", date(2025, 8, 14)), ("2025-10-03 07:53:04", date(2025, 10, 3)),
    ],
)
def test_date_shapes(text, expected):
    assert parse_date(text) == expected


def test_the_earliest_date_in_the_text_is_taken():
    assert parse_date("04/03/2025 (received 2025-03-06)", day_first=True) == date(2025, 3, 4)


@pytest.mark.parametrize(
    ("texts", "day_first"),
    [
        (["Example Lab, +44 20 7946 0000"], True),
        (["Phone: +91 72539 00000"], True),
        (["12 Example Road, Leeds LS1 4AB"], True),
        (["Example Labs Pvt. Ltd"], True),
        (["100 Main St, Springfield, IL 62701", "Phone (555) 010-0000"], False),
        (["Tel +1 555 010 0000"], False),
        (["nothing about where"], False),
        (["DOB: 14/02/1980", "Tel +1 555 010 0000"], True),  # a date that can only be read one way wins
        (["Colour  Pale Yellow", "Haemoglobin 12.1 g/dL"], True),  # British spellings
        (["Method : CLIA"], False),  # a method (chemiluminescence), not a US licence: no evidence
        (["CLIA #: 05D0000000"], False),
        # SI units US labs do not print: µmol/L for creatinine, g/L for haemoglobin, counts per litre
        (["Creatinine 71 umol/L 62 - 106", "Hemoglobin 135 g/L"], True),
        (["Total Bilirubin 03 umol/1 (02 - 21)"], True),  # OCR's 1 for l
        (["WBC 6.1 10^9/L"], True),
        (["Sodium 140 mmol/L", "Creatinine 0.9 mg/dL", "CRP 3 mg/L"], False),  # a US lab prints these
        (["Creatinine 71 umol/L", "Tel +1 555 010 0000"], False),  # Canada: nothing decides
    ],
)
def test_day_first_from_the_lab_country(texts, day_first):
    assert day_first_convention(texts) is day_first


def test_language_of_the_labels_makes_dates_day_first():
    assert day_first_convention(["04/03/2025"], local_language=True) is True


def test_indian_report_reads_ambiguous_dates_day_first():
    """Given an English report from a lab with an Indian phone number, then 04/03 is 4 March."""
    lines = build_lines([
        *words_at("Example Diagnostics +91 90000 00000", 40, 20),
        *row((40, "Name"), (130, "Mr Test Person"), (320, "Collection Date : 04/03/2025 08:49 PM"), y=80),
    ])
    _, report = parse_header(lines)
    assert report.collected_at == date(2025, 3, 4)


def test_first_parseable_collection_value_is_used():
    lines = build_lines([
        *words_at("Collection: Venous blood", 40, 60),
        *words_at("Specimen collected: 2025-03-04", 40, 76),
    ])
    _, report = parse_header(lines)
    assert report.collected_at == date(2025, 3, 4)


def test_report_date_and_birth_date_are_not_collection_dates():
    lines = build_lines([
        *row((40, "Patient: Test Sample"), (300, "Report Date: 18-Aug-2026"), y=60),
        *row((40, "DOB: 01/02/1990"), (300, "Received: 17-Aug-2026"), y=76),
    ])
    _, report = parse_header(lines)
    assert report.collected_at is None
    assert report.reported_at == date(2026, 8, 18)


def test_collection_shortly_before_the_report_decides_the_order():
    """Given only ambiguous dates and no hint of the lab's country, then the reading that
    puts collection shortly before the report wins (10/01 -> 12/01 is two days, day first)."""
    lines = build_lines([
        *row((40, "Patient Name:"), (130, "DOE, JANE"), (300, "Collected:"), (380, "10/01/2025 09:50"), y=60),
        *row((40, "Date of Birth:"), (130, "05/04/2001"), (300, "Reported:"), (380, "12/01/2025"), y=76),
    ])
    patient, report = parse_header(lines)
    assert report.collected_at == date(2025, 1, 10)
    assert report.reported_at == date(2025, 1, 12)
    assert patient.date_of_birth == date(2001, 4, 5)
    lines = build_lines([
        *row((40, "Collected:"), (130, "03/04/2025"), y=60),
        *row((40, "Reported:"), (130, "03/05/2025"), y=76),
    ])
    _, report = parse_header(lines)
    assert report.collected_at == date(2025, 3, 4)  # a day apart month first; a month day first


@pytest.mark.parametrize("text", ["14-08-202510:50", "14.08.202510:50"])
def test_a_time_glued_to_the_year_by_ocr_still_leaves_the_date(text):
    """A scan loses the space between a collection date and its time."""
    assert parse_date(text, day_first=True) == date(2025, 8, 14)


def test_a_longer_number_after_a_date_is_no_year():
    assert parse_date("14-08-20251") is None

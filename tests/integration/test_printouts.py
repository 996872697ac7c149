"""Older LIS printouts: a monospaced page with dot leaders, and a proportional one with dot
leaders and a colon before the value's column, read from the PDF and from a phone photo.

Given such a page, when it is read, then every row is a result named as printed without
its leaders or colon, and a faint monospace "%" on the photo is still the row's unit.
"""

from __future__ import annotations

import numpy as np

from bench.corpus import degrade
from labintake.extract import extract_document, sniff_type
from labintake.parse import parse_outcome
from tests.fixtures.pages import A4, pdf_page

MONO = [
    "PATIENT: HARTLEY, JOHN R             MRN: 00482913      SEX: M",
    "DOB: 07/19/1961   AGE: 65Y          LOCATION: OUTPT",
    "COLLECTED: 11/12/2026 07:45         RECEIVED: 11/12/2026 09:10",
    "-" * 78,
    "TEST                    RESULT     FLAG  UNITS        REF RANGE",
    "-" * 78,
    "CHEMISTRY",
    "GLUCOSE.................  142       H    mg/dL        70-99",
    "CREATININE..............  1.31      H    mg/dL        0.70-1.30",
    "POTASSIUM...............  3.3       L    mmol/L       3.5-5.1",
    "CO2.....................   25            mmol/L       22-29",
    "HEMATOLOGY",
    "WBC.....................  11.8      H    K/uL         4.5-11.0",
    "HGB.....................  13.9           g/dL         13.5-17.5",
    "HCT.....................  41.2           %            41.0-53.0",
    "PLT.....................  188            K/uL         150-400",
]
MONO_TRUTH = [("GLUCOSE", 142.0, "mg/dL"), ("CREATININE", 1.31, "mg/dL"), ("POTASSIUM", 3.3, "mmol/L"),
              ("CO2", 25.0, "mmol/L"), ("WBC", 11.8, "10^3/uL"), ("HGB", 13.9, "g/dL"), ("HCT", 41.2, "%"),
              ("PLT", 188.0, "10^3/uL")]

LEADERS = [("Serum Creatinine", "0.72", "mg/dL", "0.60 - 1.10"), ("Uric Acid", "6.8", "mg/dL", "2.6 - 6.0"),
           ("SGPT (ALT)", "48", "U/L", "< 35"), ("Total Protein", "7.1", "g/dL", "6.4 - 8.3"),
           ("Albumin", "4.2", "g/dL", "3.5 - 5.2")]


def _mono(c) -> None:
    c.setFont("Courier-Bold", 11)
    c.drawString(40, 800, "ST. MARY COMMUNITY HOSPITAL - LABORATORY")
    c.setFont("Courier", 9)
    for i, text in enumerate(MONO):
        c.drawString(40, 770 - 13 * i, text)


def _leaders(c) -> None:
    c.setFont("Helvetica-Bold", 13)
    c.drawString(40, 800, "Lakeside Medical Laboratory")
    c.setFont("Helvetica", 9)
    c.drawString(40, 780, "Name: Priya Raman          Age/Sex: 42 Y / F          Ref. By: Dr. S. Menon")
    c.drawString(40, 766, "Sample Collected On: 14 Nov 2026 08:30      Reported On: 14 Nov 2026 16:05")
    for i, (name, value, unit, rng) in enumerate(LEADERS):
        y = 722 - 15 * i
        c.drawString(40, y, name)
        width = c.stringWidth(name, "Helvetica", 9)
        c.drawString(42 + width, y, "." * int((230 - width) / c.stringWidth(".", "Helvetica", 9)))
        for x, text in ((280, ":"), (295, value), (350, unit), (420, rng)):
            c.drawString(x, y, text)


def _rows(data: bytes) -> list[tuple]:
    report = parse_outcome(extract_document(data, sniff_type(data))).report
    return [(r.name_as_printed, r.value, r.unit) for r in report.results]


def _photo(pdf: bytes) -> bytes:
    page = degrade.render_pages(pdf, 200)[0]
    return degrade.to_jpeg(degrade.photo(page, np.random.default_rng(1)))


def test_a_monospaced_printout_with_dot_leaders():
    assert _rows(pdf_page(_mono, A4)) == MONO_TRUTH


def test_a_phone_photo_of_a_monospaced_printout_keeps_a_faint_percent_sign():
    rows = _rows(_photo(pdf_page(_mono, A4)))
    assert [(name.rstrip("."), value, unit) for name, value, unit in rows] == MONO_TRUTH


def test_dot_leaders_and_a_colon_before_the_value_column():
    assert _rows(pdf_page(_leaders, A4)) == [(n, float(v), u) for n, v, u, _ in LEADERS]

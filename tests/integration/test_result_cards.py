"""Results printed as cards, one test per block, as many Brazilian and Iberian labs do.

Given a page where each test is its name in capitals, a line for its specimen and method,
"Resultado:" set apart from its value and "Valores de Referência:" with its range (as
bounds, or in words), when the PDF and a 200-dpi image of it are read, then every card is
one result named as printed, with its value, unit, range and code.
"""

from __future__ import annotations

import pytest

from labintake.extract import extract_document, sniff_type
from labintake.parse import parse_outcome
from tests.fixtures.pages import A4, page_png, pdf_page

CARDS = [("GLICOSE", "Material: Soro    Método: Enzimático colorimétrico", "92", "mg/dL", "70 a 99 mg/dL"),
         ("CREATININA", "Material: Soro    Método: Jaffé cinético", "0,84", "mg/dL", "0,55 a 1,02 mg/dL"),
         ("COLESTEROL TOTAL", "Material: Soro    Método: Enzimático", "228", "mg/dL",
          "Desejável: inferior a 190 mg/dL"),
         ("HEMOGLOBINA GLICADA - HbA1c", "Material: Sangue total com EDTA    Método: HPLC", "5,9", "%", "4,0 a 5,6 %"),
         ("FERRITINA", "Material: Soro    Método: Quimioluminescência", "45,6", "ng/mL", "10,0 a 291,0 ng/mL")]
TRUTH = [("GLICOSE", 92.0, "mg/dL", 70.0, 99.0, "normal", "2345-7"),
         ("CREATININA", 0.84, "mg/dL", 0.55, 1.02, "normal", "2160-0"),
         ("COLESTEROL TOTAL", 228.0, "mg/dL", None, 190.0, "high", "2093-3"),
         ("HEMOGLOBINA GLICADA - HbA1c", 5.9, "%", 4.0, 5.6, "high", "4548-4"),
         ("FERRITINA", 45.6, "ng/mL", 10.0, 291.0, "normal", "2276-4")]


def _cards(c) -> None:
    c.setFont("Helvetica-Bold", 12)
    c.drawString(40, 805, "LABORATÓRIO EXEMPLO DE ANÁLISES CLÍNICAS")
    c.setFont("Helvetica", 9)
    c.drawString(40, 785, "Paciente: MARIA APARECIDA SOUZA")
    c.drawString(360, 785, "Data de Nascimento: 14/09/1968")
    c.drawString(40, 772, "Data da Coleta: 19/11/2026")
    c.drawString(360, 772, "Sexo: Feminino")
    y = 740
    for name, specimen, value, unit, ref in CARDS:
        c.setFont("Helvetica-Bold", 10)
        c.drawString(40, y, name)
        c.setFont("Helvetica", 8)
        c.drawString(40, y - 13, specimen)
        c.setFont("Helvetica", 9)
        c.drawString(40, y - 28, "Resultado:")
        c.setFont("Helvetica-Bold", 10)
        c.drawString(140, y - 28, value)
        c.setFont("Helvetica", 9)
        c.drawString(200, y - 28, unit)
        c.setFont("Helvetica", 8)
        c.drawString(40, y - 41, f"Valores de Referência: {ref}")
        y -= 63


def _read(data: bytes) -> list[tuple]:
    report = parse_outcome(extract_document(data, sniff_type(data))).report
    return [(r.name_as_printed, r.value, r.unit, r.reference_range.low if r.reference_range else None,
             r.reference_range.high if r.reference_range else None, r.flag, r.loinc) for r in report.results]


def test_result_cards_in_a_digital_pdf():
    assert _read(pdf_page(_cards, A4)) == TRUTH


@pytest.mark.slow
def test_result_cards_in_an_image():
    assert _read(page_png(pdf_page(_cards, A4))) == TRUTH

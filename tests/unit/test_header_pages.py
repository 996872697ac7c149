"""Header traits on real rendered pages: a digital PDF (text layer) and an OCR'd image of it.

The page carries the header forms that labelled-field reading alone missed: a
'Patient Information' heading with the name on the line under it, labels stacked over
their values, a label/value grid without colons, an honorific, and a day-first date
that only the lab's country decides. Everything printed is fictitious.
"""

from __future__ import annotations

import io
from datetime import date

import pytest

from labintake.extract import extract_document
from labintake.parse.header import parse_header
from labintake.parse.lines import build_lines

_PAGE_H = 792.0


def _page_pdf() -> bytes:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter, invariant=1)

    def text(x, y, s, font="Helvetica", size=10.0):
        c.setFont(font, size)
        c.drawString(x, _PAGE_H - y, s)

    text(54, 50, "Harbourside Example Laboratory", "Helvetica-Bold", 15)
    text(54, 66, "1 Quay Lane, Exampleton   Tel +44 20 0000 0000", size=9)
    text(54, 100, "Patient Information", "Helvetica-Bold", 11)
    text(330, 100, "Specimen Information", "Helvetica-Bold", 11)
    text(54, 116, "Ms Harriet Placeholder")
    text(330, 116, "Accession: 00-111")
    for x, label in ((54, "Date of Birth"), (200, "Sex"), (330, "Collected"), (460, "Reported")):
        text(x, 140, label, "Helvetica-Bold", 9)
    for x, value in ((54, "05/06/1979"), (200, "Female"), (330, "04/03/2026"), (460, "05/03/2026")):
        text(x, 154, value)
    text(54, 178, "Patient ID")
    text(150, 178, "HX-0042")
    text(330, 178, "Referred by")
    text(430, 178, "Dr. Example Doctor")
    for x, label in ((54, "Test"), (250, "Result"), (330, "Units"), (420, "Reference Range")):
        text(x, 220, label, "Helvetica-Bold", 10)
    for i, (name, value, unit, rng) in enumerate((("Haemoglobin", "138", "g/L", "120 - 160"),
                                                  ("Sodium", "140", "mmol/L", "135 - 145"),
                                                  ("Potassium", "4.2", "mmol/L", "3.5 - 5.3"))):
        y = 240 + 16 * i
        for x, s in ((54, name), (250, value), (330, unit), (420, rng)):
            text(x, y, s)
    c.showPage()
    c.save()
    return buf.getvalue()


def _read(data: bytes, file_type: str):
    doc = extract_document(data, file_type)
    lines = [ln for page in doc.pages for ln in build_lines(page.words, page.number)]
    return parse_header(lines)


def _check(patient, report):
    assert patient.name == "Harriet Placeholder"
    assert patient.date_of_birth == date(1979, 6, 5)  # a UK lab: day first
    assert patient.sex == "female"
    assert patient.mrn == "HX-0042"
    assert report.collected_at == date(2026, 3, 4)
    assert report.reported_at == date(2026, 3, 5)
    assert report.ordering_provider == "Dr. Example Doctor"


def test_header_traits_on_a_digital_pdf():
    _check(*_read(_page_pdf(), "application/pdf"))


@pytest.mark.slow
def test_header_traits_on_an_ocr_image_of_the_same_page():
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(_page_pdf())
    try:
        img = pdf[0].render(scale=200 / 72).to_pil().convert("L")
    finally:
        pdf.close()
    buf = io.BytesIO()
    img.save(buf, format="PNG", dpi=(200, 200))
    _check(*_read(buf.getvalue(), "image/png"))

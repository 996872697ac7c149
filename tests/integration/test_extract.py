"""Extraction and parsing on real generated files: digital PDF, scan PNG, image-only PDF.

Every row and the patient fields must equal the ground truth the file was printed from.
"""

from __future__ import annotations

import io

import numpy as np
import pillow_heif
import pytest
from PIL import Image

from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.domain.schemas import LabReport
from labintake.extract import extract_document, sniff_type
from labintake.parse import parse_document
from tests.fixtures.reports import (
    blank_pdf_bytes,
    corrupt_pdf_bytes,
    corrupt_png_bytes,
    encrypted_pdf_bytes,
    make_image_only_pdf,
    make_multipage_pdf,
    make_pdf,
    make_png,
    sample_report,
)

SAMPLE = sample_report()


def _row(r):
    rng = r.reference_range
    return (r.name, r.loinc, r.value, r.value_text, r.unit,
            rng.low if rng else None, rng.high if rng else None, r.flag)


def assert_matches_truth(got: LabReport, truth: LabReport = SAMPLE.truth) -> None:
    assert [_row(r) for r in got.results] == [_row(r) for r in truth.results]
    assert [r.flag_source for r in got.results] == [r.flag_source for r in truth.results]
    assert [r.section for r in got.results] == [r.section for r in truth.results]
    assert got.patient == truth.patient
    assert got.report.collected_at == truth.report.collected_at
    assert got.report.reported_at == truth.report.reported_at
    assert got.report.ordering_provider == truth.report.ordering_provider
    assert got.report.lab_name == truth.report.lab_name
    for r in got.results:
        assert r.page == 1
        assert r.bbox is not None and 0 <= r.bbox[0] < r.bbox[2] <= 612 and 0 <= r.bbox[1] < r.bbox[3] <= 792
        assert r.confidence is not None and r.confidence > 0.8
        assert not r.needs_review


def _run(data: bytes):
    doc = extract_document(data, sniff_type(data))
    return doc, parse_document(doc)


def test_digital_pdf_reads_every_row():
    doc, report = _run(make_pdf(SAMPLE))
    assert doc.extractor == "pdfium-text"
    assert [p.source for p in doc.pages] == ["text"]
    assert_matches_truth(report)
    # The value boxes are where the Result column was printed (x = 230 pt).
    assert all(abs(r.bbox[0] - 230) < 1 for r in report.results)


def test_digital_pdf_marks_bold_flags():
    doc = extract_document(make_pdf(SAMPLE), "application/pdf")
    bold = {w.text for w in doc.pages[0].words if w.bold}
    assert {"112", "3.3", "131", "H", "L"} <= bold
    assert "245" not in bold


@pytest.mark.slow
def test_png_scan_reads_every_row():
    doc, report = _run(make_png(SAMPLE, dpi=200))
    assert doc.extractor == "rapidocr-3.10"
    assert [p.source for p in doc.pages] == ["ocr"]
    assert doc.pages[0].width == pytest.approx(612, abs=1)
    assert_matches_truth(report)
    # OCR boxes are scaled to points: the value column sits near x = 230 pt.
    assert all(abs(r.bbox[0] - 230) < 8 for r in report.results)


@pytest.mark.slow
def test_image_only_pdf_reads_every_row():
    data = make_image_only_pdf(SAMPLE)
    doc, report = _run(data)
    assert doc.extractor == "rapidocr-3.10"
    assert_matches_truth(report)


@pytest.mark.slow
@pytest.mark.parametrize("angle", [90, 180, 270])
def test_turned_scan_is_put_upright(angle):
    img = Image.open(io.BytesIO(make_png(SAMPLE))).rotate(angle, expand=True)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    _, report = _run(buf.getvalue())
    assert_matches_truth(report)


@pytest.mark.slow
def test_slightly_skewed_jpeg_scan():
    img = Image.open(io.BytesIO(make_png(SAMPLE))).rotate(2.0, fillcolor=255, resample=Image.BICUBIC)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=70)
    doc, report = _run(buf.getvalue())
    assert sniff_type(buf.getvalue()) == "image/jpeg"
    assert [_row(r) for r in report.results] == [_row(r) for r in SAMPLE.truth.results]


@pytest.mark.slow
def test_mixed_pdf_names_both_extractors():
    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    for data in (make_pdf(SAMPLE), make_image_only_pdf(SAMPLE)):
        src = pdfium.PdfDocument(data)
        out.import_pages(src)
        src.close()
    buf = io.BytesIO()
    out.save(buf)
    out.close()
    doc, report = _run(buf.getvalue())
    assert doc.extractor == "pdfium-text+rapidocr-3.10"
    assert [p.source for p in doc.pages] == ["text", "ocr"]
    assert [r.page for r in report.results] == [1] * 22 + [2] * 22


def test_a_results_table_pasted_as_a_picture_under_a_typed_letterhead_is_read():
    """A PDF whose letterhead and patient lines are text but whose results table is a picture
    (some systems export it so): the text layer holds no row, yet the file is no "not a lab
    report": its pictures cover a good part of the page, so the next reading OCRs it."""
    from reportlab.lib.utils import ImageReader

    from labintake.pipeline.work import read_report
    from tests.fixtures.pages import letterhead, page_image, pdf_page

    table = page_image(make_pdf(SAMPLE), dpi=150, mode="RGB")
    table = table.crop((0, int(table.height * 0.2), table.width, int(table.height * 0.7)))

    def draw(c) -> None:
        letterhead(c)
        height = 612 * table.height / table.width
        c.drawImage(ImageReader(table), 0, 700 - height, 612, height)

    reading = read_report(pdf_page(draw), "application/pdf")
    assert [a["strategy"] for a in reading.attempts][-1] != "default"
    got = {r.name: r.value for r in reading.outcome.report.results}
    assert got["Hemoglobin"] == 13.5 and len(got) >= 15


def test_a_pdf_whose_text_layer_is_nonsense_is_read_from_its_pixels():
    """A PDF that looks right but whose font maps every letter and digit to another letter
    ("ZlyBt zvkpBt bea"): no row and not one word of a lab report in its text, which says
    nothing about the page; its pixels are read and every row is found."""
    from labintake.pipeline.work import read_report
    from tests.fixtures.reports import garbled_text_layer_pdf

    reading = read_report(garbled_text_layer_pdf(SAMPLE), "application/pdf")
    assert [a["strategy"] for a in reading.attempts][:2] == ["default", "alternate"]
    assert [(r.name, r.value) for r in reading.outcome.report.results] == [(r.name, r.value) for r in SAMPLE.truth.results]
    assert reading.outcome.report.patient == SAMPLE.truth.patient


def test_a_text_layer_with_words_but_no_rows_is_not_read_again():
    """A clean letter with no result in it: not a lab report, and no OCR pass to say so."""
    from labintake.pipeline.work import read_report
    from tests.fixtures.pages import pdf_page

    def letter(c) -> None:
        c.setFont("Helvetica", 11)
        c.drawString(54, 700, "Patient: Jane Example")
        c.drawString(54, 680, "Thank you for your visit. Your next appointment is on Monday.")

    again: list[str] = []
    with pytest.raises(LabIntakeError) as exc:
        read_report(pdf_page(letter), "application/pdf", on_reextract=again.append)
    assert exc.value.code == ErrorCode.NOT_A_LAB_REPORT and again == []


def test_a_fax_in_normal_mode_is_read_with_square_pixels():
    """A 1-bit Group 4 TIFF at 204 x 98 dpi, as a fax machine stores a normal-mode page (each
    pixel twice as tall as it is wide): stretched to square pixels it reads as printed, the
    patient's name and the rows' codes with it."""
    page = Image.open(io.BytesIO(make_png(SAMPLE, dpi=204))).convert("L")
    squashed = page.resize((page.width, page.height // 2), Image.Resampling.LANCZOS).convert("1")
    out = io.BytesIO()
    squashed.save(out, "TIFF", dpi=(204, 98), compression="group4")
    doc, report = _run(out.getvalue())
    assert doc.pages[0].height == pytest.approx(792, rel=0.06)  # a Letter page, not half of one
    assert report.patient.name == SAMPLE.truth.patient.name
    got = {r.name: (r.value, r.loinc) for r in report.results}
    assert sum(got.get(r.name) == (r.value, r.loinc) for r in SAMPLE.truth.results) >= len(SAMPLE.truth.results) - 2


def test_values_filled_in_as_form_fields_are_read_from_the_text_layer():
    """A fillable PDF whose patient fields and results are form fields (the labels and ranges
    printed, the values filled in): the fields' values are part of what the page shows, and
    of its text layer once flattened; no OCR is needed."""
    from tests.fixtures.pages import pdf_page

    def form(c) -> None:
        c.setFont("Helvetica", 9)
        c.drawString(54, 730, "Patient:")
        c.acroForm.textfield(name="patient", value="Jane Example", x=100, y=726, width=150, height=13,
                             borderWidth=0, fontSize=9)
        c.drawString(300, 730, "DOB:")
        c.acroForm.textfield(name="dob", value="02/14/1980", x=330, y=726, width=80, height=13, borderWidth=0,
                             fontSize=9)
        for x, label in ((54, "Test"), (200, "Result"), (280, "Units"), (360, "Reference Range")):
            c.drawString(x, 690, label)
        for i, (name, value, unit, rng) in enumerate([("Glucose", "97", "mg/dL", "70-99"),
                                                      ("Potassium", "5.6", "mmol/L", "3.5-5.1")]):
            y = 674 - 16 * i
            c.drawString(54, y, name)
            c.acroForm.textfield(name=f"value{i}", value=value, x=198, y=y - 4, width=60, height=13,
                                 borderWidth=0, fontSize=9)
            c.drawString(280, y, unit)
            c.drawString(360, y, rng)

    doc, report = _run(pdf_page(form))
    assert [p.source for p in doc.pages] == ["text"]
    assert [(r.name, r.value, r.flag) for r in report.results] == [("Glucose", 97.0, "normal"),
                                                                   ("Potassium", 5.6, "high")]
    assert report.patient.name == "Jane Example"


# --- bad inputs ---------------------------------------------------------------------


def _code(data: bytes, file_type: str | None = None, **kw) -> ErrorCode:
    with pytest.raises(LabIntakeError) as exc:
        extract_document(data, file_type or sniff_type(data), **kw)
    return exc.value.code


def test_empty_file():
    with pytest.raises(LabIntakeError) as exc:
        sniff_type(b"")
    assert exc.value.code == ErrorCode.EMPTY_FILE
    assert _code(b"", "application/pdf") == ErrorCode.EMPTY_FILE


@pytest.mark.parametrize("data", [b"hello world", b"PK\x03\x04zipfile", b"GIF89a...."])
def test_unsupported_type(data):
    with pytest.raises(LabIntakeError) as exc:
        sniff_type(data)
    assert exc.value.code == ErrorCode.UNSUPPORTED_TYPE
    assert _code(data, "text/plain") == ErrorCode.UNSUPPORTED_TYPE


def test_sniffed_types():
    assert sniff_type(make_pdf(SAMPLE)) == "application/pdf"
    assert sniff_type(make_png(SAMPLE, dpi=50)) == "image/png"
    img = Image.new("RGB", (10, 10), "white")
    for fmt, mime in (("JPEG", "image/jpeg"), ("TIFF", "image/tiff"), ("WEBP", "image/webp")):
        buf = io.BytesIO()
        img.save(buf, format=fmt)
        assert sniff_type(buf.getvalue()) == mime


def test_a_heic_photo_is_sniffed_and_read_like_any_image():
    """iPhones store photos as HEIC: the report photographed so reads every row."""
    png = Image.open(io.BytesIO(make_png(SAMPLE, dpi=200))).convert("RGB")
    buf = io.BytesIO()
    pillow_heif.from_pillow(png).save(buf, quality=90)  # written here; the product opens it itself
    data = buf.getvalue()
    assert sniff_type(data) == "image/heic"
    doc, report = _run(data)
    assert [p.source for p in doc.pages] == ["ocr"]
    assert_matches_truth(report)


def test_a_dark_mode_screenshot_is_read_as_light_text_on_dark():
    """A portal's page captured in dark mode: light text on a dark grey background."""
    page = np.asarray(Image.open(io.BytesIO(make_png(SAMPLE, dpi=110))).convert("RGB"))  # a screen's dpi
    dark = (255 - page) * 0.85 + np.array([30, 32, 36]) * 0.15
    buf = io.BytesIO()
    Image.fromarray(dark.astype(np.uint8)).save(buf, format="PNG")
    _, report = _run(buf.getvalue())
    assert_matches_truth(report)


def test_a_photo_of_a_page_on_a_dark_desk_is_not_inverted():
    from labintake.extract.ocr import _light_on_dark

    desk = np.full((800, 600), 40, np.uint8)
    desk[150:650, 120:480] = 235  # the sheet: 37 % of the frame
    assert not _light_on_dark(desk)
    screen = np.full((800, 600), 35, np.uint8)
    screen[100:700:20, 50:550] = 220  # lines of light text
    assert _light_on_dark(screen)
    # An underexposed photo: the sheet at 80 on a desk at 20, its ink at 25. Dark, but paper.
    dim = np.full((800, 600), 20, np.uint8)
    dim[100:740, 80:540] = 80
    dim[150:600:25, 120:450] = 25
    assert not _light_on_dark(dim)
    # A white page with a few lines of ink: 99 % of it is paper.
    blank = np.full((800, 600), 255, np.uint8)
    blank[100:104, 50:550] = 0
    assert not _light_on_dark(blank)


def test_corrupt_pdf():
    assert _code(corrupt_pdf_bytes()) == ErrorCode.CORRUPT_PDF


def test_truncated_pdf():
    data = make_pdf(SAMPLE)
    assert _code(data[: len(data) // 3]) == ErrorCode.CORRUPT_PDF


def test_encrypted_pdf():
    assert _code(encrypted_pdf_bytes()) == ErrorCode.ENCRYPTED_PDF


def test_too_many_pages():
    assert _code(make_multipage_pdf(4), max_pages=3) == ErrorCode.TOO_MANY_PAGES


def test_corrupt_png():
    assert _code(corrupt_png_bytes()) == ErrorCode.IMAGE_UNREADABLE


def test_image_too_large():
    assert _code(make_png(SAMPLE, dpi=100), max_pixels=500_000) == ErrorCode.IMAGE_TOO_LARGE


@pytest.mark.slow
def test_blank_pdf_has_no_text():
    assert _code(blank_pdf_bytes()) == ErrorCode.NO_TEXT_FOUND


@pytest.mark.slow
def test_blank_image_has_no_text():
    buf = io.BytesIO()
    Image.new("RGB", (850, 1100), "white").save(buf, format="PNG")
    assert _code(buf.getvalue()) == ErrorCode.NO_TEXT_FOUND


def test_text_that_is_not_a_lab_report():
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.drawString(72, 720, "Dear customer, thank you for your order of three garden chairs.")
    c.drawString(72, 700, "Your delivery is planned for next Tuesday between 8 and 12.")
    c.showPage()
    c.save()
    doc = extract_document(buf.getvalue(), "application/pdf")
    with pytest.raises(LabIntakeError) as exc:
        parse_document(doc)
    assert exc.value.code == ErrorCode.NOT_A_LAB_REPORT


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_a_digital_pdf_printed_turned_on_its_page_reads_upright(turn):
    """A report whose text runs down, up or upside down on the displayed page (a landscape
    table printed across a portrait sheet) is read from its text layer, turned upright; it
    used to find no row and fail whole."""
    doc, report = _run(make_pdf(SAMPLE, turn=turn))
    assert doc.extractor == "pdfium-text" and [p.source for p in doc.pages] == ["text"]
    assert_matches_truth(report)
    page = doc.pages[0]
    assert (page.width, page.height) == pytest.approx((612, 792))  # the upright report's own page


@pytest.mark.parametrize("turn", [0, 90, 270])
def test_the_page_image_of_a_turned_report_shows_each_value_inside_its_box(turn, tmp_path):
    """The review page draws a value's box over the page image: for a report printed turned on
    its page the image is turned as its text layer was read, so every box holds ink."""
    from labintake.web.ui.render import PX_PER_PT, page_png

    data = make_pdf(SAMPLE, turn=turn)
    _, report = _run(data)
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    image = Image.open(io.BytesIO(page_png(path, "application/pdf", 1, max_pixels=60_000_000, max_pages=5,
                                           max_render_pixels=10_000_000))).convert("L")
    assert image.width < image.height  # upright: a portrait report
    for r in report.results:
        x0, y0, x1, y1 = (round(v * PX_PER_PT) for v in r.bbox)
        assert image.crop((x0, y0, x1, y1)).getextrema()[0] < 100, (r.name, r.bbox)  # dark ink in the box

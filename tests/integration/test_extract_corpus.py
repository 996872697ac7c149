"""The benchmark corpus as tests: every layout's digital PDF is read perfectly, a scan
and a photo nearly so, and a bad text layer is retried with OCR.

The full accuracy table is `make bench-accuracy` (bench/accuracy.py); these tests keep
the fast part of it from regressing.
"""

from __future__ import annotations

import io
import json

import pytest

from bench.accuracy import score_file
from bench.corpus import build
from bench.corpus.layouts import LAYOUTS
from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.extract import sniff_type
from labintake.pipeline.work import read_report


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    return out, build(out, formats=("digital_pdf",))


def _score(out, item):
    data = (out / item.path).read_bytes()
    reading = read_report(data, sniff_type(data))
    truth = json.loads((out / item.truth).read_text(encoding="utf-8"))
    score, misses = score_file(truth, reading.report.model_dump(mode="json"), 0.0, item.pages)
    return reading, score, misses


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_digital_pdf_of_every_layout(corpus, layout):
    out, items = corpus
    (item,) = [i for i in items if i.layout == layout]
    reading, score, misses = _score(out, item)
    assert score.f1 == 1.0, misses
    assert score.unit_ok == score.found and score.flag_ok == score.found, misses
    assert (score.name_ok, score.dob_ok, score.collected_ok) == (1, 1, 1), misses
    assert len(reading.attempts) == 1
    for r in reading.report.results:  # provenance on every value
        assert r.page is not None and r.bbox is not None and r.confidence is not None


def test_generator_is_deterministic(tmp_path):
    a = build(tmp_path / "a", layouts=["two_column"], formats=("digital_pdf",))
    b = build(tmp_path / "b", layouts=["two_column"], formats=("digital_pdf",))
    assert (tmp_path / "a" / a[0].path).read_bytes() == (tmp_path / "b" / b[0].path).read_bytes()
    assert (tmp_path / "a" / a[0].truth).read_text() == (tmp_path / "b" / b[0].truth).read_text()


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["scan_png", "photo_jpeg"])
def test_scan_and_photo(tmp_path, fmt):
    items = build(tmp_path, layouts=["european_de"], formats=(fmt,))
    reading, score, misses = _score(tmp_path, items[0])
    assert score.f1 >= 0.95, misses
    assert (score.name_ok, score.dob_ok, score.collected_ok) == (1, 1, 1), misses
    page = reading.document.pages[0]
    assert page.source == "ocr"
    if fmt == "photo_jpeg":
        assert page.preprocessing == "dewarped"
    assert all(0 < r.confidence <= 1 for r in reading.report.results)


@pytest.mark.slow
def test_bad_text_layer_is_retried_with_ocr():
    """Given a scanned page whose invisible text layer is wrong (a bad OCR layer from a
    scanner: implausible values), when it is read, then validation fails on the text
    layer and the next strategy reads the pixels instead."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from tests.fixtures.reports import _render, make_pdf, sample_report

    sample = sample_report()
    img = _render(make_pdf(sample), 200)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(612, 792), invariant=1)
    c.drawImage(ImageReader(img), 0, 0, width=612, height=792)
    t = c.beginText(54, 600)
    t.setTextRenderMode(3)  # invisible, as OCR layers are
    t.setFont("Helvetica", 10)
    for line in ["Test Result Units Reference Range", "Sodium 9139 mmol/L 136-145", "Potassium 83 mmol/L 3.5-5.1",
                 "Glucose 11200 mg/dL 70-99", "Calcium 94 mg/dL 8.6-10.3"]:
        t.textLine(line)
    c.drawText(t)
    c.showPage()
    c.save()
    reading = read_report(buf.getvalue(), "application/pdf")
    assert [a["strategy"] for a in reading.attempts] == ["default", "alternate"]
    assert reading.attempts[0]["failed"] and not reading.attempts[1]["failed"]
    assert reading.document.pages[0].source == "ocr"
    assert len(reading.report.results) == len(sample.truth.results)


def test_all_attempts_failing_is_parse_validation_failed(monkeypatch):
    """Given rows that fail validation whatever the strategy, then the file fails with
    parse_validation_failed after three attempts."""
    from labintake.extract.document import Document, Page
    from tests.fixtures.words import row

    words = [*row((54, "Test"), (230, "Result"), (340, "Units"), (450, "Reference Range"), y=100)]
    for i, (name, value, unit) in enumerate([("Sodium", "9139", "mmol/L"), ("Potassium", "83", "mmol/L"),
                                             ("Glucose", "11200", "mg/dL"), ("Calcium", "94", "mg/dL")]):
        words += row((54, name), (230, value), (340, unit), (450, "1-2"), y=120 + 16 * i)
    calls = []

    def fake_extract(data, file_type, *, strategy, **kw):
        calls.append(strategy)
        return Document([Page(1, 612, 792, words, "ocr")], "fake")

    monkeypatch.setattr("labintake.extract.extract_document", fake_extract)
    with pytest.raises(LabIntakeError) as exc:
        read_report(b"%PDF-", "application/pdf")
    assert exc.value.code == ErrorCode.PARSE_VALIDATION_FAILED
    assert calls == ["default", "alternate", "hires"]
    assert exc.value.details["attempts"] == 3

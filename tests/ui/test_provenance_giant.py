"""A giant page (a PDF declaring a 3000 x 3000 pt page) is rendered for review below 2 px per
point (the render cap); the value's box still lands where the value is, because the page
scales boxes by the served image's own size over the page's size in points."""

from __future__ import annotations

import io
from typing import Any

import pytest

from tests.ui.conftest import upload_and_process

pytestmark = pytest.mark.slow

SIDE = 3000.0  # points: at 2 px/pt this page would be 36 MP, over the 25 MP render cap


def _giant_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(SIDE, SIDE), invariant=1)
    top = SIDE - 60
    c.setFont("Helvetica-Bold", 14)
    c.drawString(54, top, "Example Clinical Laboratory")
    c.setFont("Helvetica", 10)
    c.drawString(54, top - 20, "Patient: Jane Example    DOB: 02/14/1980    Collected: 03/04/2025")
    rows = [("Test", "Result", "Units", "Reference Range"), ("Hemoglobin", "13.5", "g/dL", "12.0-16.0"),
            ("Glucose", "92", "mg/dL", "70-99"), ("Sodium", "140", "mmol/L", "136-145")]
    for i, cells in enumerate(rows):
        for x, text in zip((54, 220, 320, 420), cells, strict=True):
            c.drawString(x, top - 60 - 16 * i, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def test_a_box_on_a_capped_render_lands_on_its_value(page: Any, files: Any) -> None:
    sid = upload_and_process(page, files(("giant.pdf", _giant_pdf())))
    page.wait_for_url(f"**/sessions/{sid}/review*", timeout=90_000)
    current = page.evaluate("() => LI.json('current')")
    i, row = next((i, r) for i, r in enumerate(current["results"]) if r["name"] == "Hemoglobin")
    assert current["pageSizes"]["1"] == [SIDE, SIDE]
    page.click(f".value-btn[data-index='{i}']")
    page.wait_for_function("() => { const i = document.getElementById('page-img');"
                           " return i.complete && i.naturalWidth > 0 && !document.getElementById('box').hidden; }")
    natural = page.evaluate("() => document.getElementById('page-img').naturalWidth")
    assert natural < 2 * SIDE  # the render was capped
    # The box's left and top edges, as fractions of the image, are the value's in the page
    # (less the 3 px of padding the page draws around a box).
    left, top = page.evaluate("() => { const s = document.getElementById('box').style;"
                              " return [parseFloat(s.left), parseFloat(s.top)]; }")
    pad = 3 / natural
    assert abs(left / 100 - (row["bbox"][0] / SIDE - pad)) < 0.002, (left, row["bbox"])
    assert abs(top / 100 - (row["bbox"][1] / SIDE - pad)) < 0.002, (top, row["bbox"])

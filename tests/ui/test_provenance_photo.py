"""Provenance on a phone photo, in the browser (issue 12): every value's box, as the review page
draws it, sits on that value's row of the page it shows; the page zooms to the value and can be
zoomed, moved and seen whole. How a box is judged against the truth: tests/fixtures/provenance.py."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.fixtures.provenance import SAMPLE, landed, render, tilted_photo
from tests.ui.conftest import shot, upload_and_process

pytestmark = pytest.mark.slow

# The box's centre in the image's own pixels, from where both are drawn on the screen: the box
# and the image share one transformed canvas, so the ratio holds at any zoom, mid-transition too.
BOX_CENTRE = """() => {
  const img = document.getElementById('page-img'), b = document.getElementById('box');
  const i = img.getBoundingClientRect(), r = b.getBoundingClientRect();
  return [((r.left + r.right) / 2 - i.left) / i.width * img.naturalWidth,
          ((r.top + r.bottom) / 2 - i.top) / i.height * img.naturalHeight];
}"""


def _settled(page: Any) -> None:
    """Wait for the box's and the zoom's 0.2 s transitions to end: mid-way, the box is still
    on its way from the previous value."""
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")


def _box_on_screen(page: Any) -> dict[str, float]:
    box = page.locator("[data-testid=bbox]").bounding_box()
    assert box
    return box


def test_a_phone_photo_review_puts_every_box_on_its_row_and_zooms(page: Any, files: Any) -> None:
    """Given a tilted phone photo of a known report, when each value is selected on the review
    page, then its box (as drawn over the page image shown) has its centre on the value's own
    row for at least 95% of values, the page is zoomed to the value so the box is large enough
    to read, zoom in/out, drag and 'Whole page' move the view, and the box stays on its value."""
    photo = tilted_photo(render(200), np.random.default_rng(12))
    sid = upload_and_process(page, files(("phone-photo.jpg", photo)))
    page.wait_for_url(f"**/sessions/{sid}/review*", timeout=300_000)
    results = page.evaluate("() => LI.json('current').results")
    assert len(results) >= 0.8 * len(SAMPLE.rows), "too few rows read to judge the boxes"

    centres: dict[str, tuple[float, float]] = {}
    for i, row in enumerate(results):
        page.click(f".value-btn[data-index='{i}']")
        page.wait_for_function("() => { const i = document.getElementById('page-img');"
                               " return i.complete && i.naturalWidth > 0 && !document.getElementById('box').hidden; }")
        _settled(page)
        x, y = page.evaluate(BOX_CENTRE)
        centres[row["name"]] = (x, y)
    src = page.get_attribute("[data-testid=page-image]", "src")
    shown = page.request.get(src)
    assert shown.ok and shown.headers["content-type"] == "image/png"
    hits, misses = landed(shown.body(), centres, page.evaluate("() => LI.json('current').pxPerPt"))
    assert hits >= 0.95 * len(results), (f"{hits} of {len(results)} boxes on their row", misses)

    # Selecting a value zooms to it: the box is big enough to read and inside the window.
    hb = next(i for i, r in enumerate(results) if r["name"] == "Hemoglobin")
    page.click(f".value-btn[data-index='{hb}']")
    frame = page.locator("[data-testid=page-frame]")
    page.wait_for_function("() => document.getElementById('frame').classList.contains('zoomed')")
    _settled(page)
    box, window = _box_on_screen(page), frame.bounding_box()
    assert window and box["height"] >= 14, box  # a speck at 380 px wide; readable now
    assert window["x"] <= box["x"] and box["x"] + box["width"] <= window["x"] + window["width"]
    assert window["y"] <= box["y"] and box["y"] + box["height"] <= window["y"] + window["height"]
    shot(page, "review-photo")

    page.click("[data-testid=zoom-in]")
    _settled(page)
    bigger = _box_on_screen(page)
    assert bigger["width"] == pytest.approx(box["width"] * 1.5, rel=0.05)
    page.click("[data-testid=zoom-out]")
    _settled(page)
    assert _box_on_screen(page)["width"] == pytest.approx(box["width"], rel=0.05)
    # Dragging moves the page under the window (pointer events, as a mouse or a finger would).
    before = _box_on_screen(page)
    cx, cy = window["x"] + window["width"] / 2, window["y"] + window["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx - 60, cy - 40, steps=5)
    page.mouse.up()
    moved = _box_on_screen(page)
    assert moved["x"] == pytest.approx(before["x"] - 60, abs=3) and moved["y"] == pytest.approx(before["y"] - 40, abs=3)
    # Whole page: the image fits the window's width, the box still on Hemoglobin.
    page.click("[data-testid=zoom-fit]")
    _settled(page)
    image = page.locator("[data-testid=page-image]").bounding_box()
    window = frame.bounding_box()
    assert image and window and image["width"] == pytest.approx(window["width"], abs=3)
    x, y = page.evaluate(BOX_CENTRE)
    assert landed(shown.body(), {"Hemoglobin": (x, y)}, 2.0)[0] == 1
    page.click("[data-testid=zoom-value]")
    _settled(page)
    assert _box_on_screen(page)["width"] == pytest.approx(box["width"], rel=0.05)

"""OCR reads only the inked part of a page, at the page's own scale: the same words, in the
page's coordinates, for less detection work."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from labintake.extract import ocr
from tests.fixtures.reports import make_png, sample_report


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    return cv2.imdecode(np.frombuffer(make_png(sample_report()), np.uint8), cv2.IMREAD_GRAYSCALE)


def test_the_inked_part_of_a_page_is_read_with_the_same_words_where_the_page_has_them(
        page: np.ndarray, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a 200-dpi report page with margins and a blank foot, when it is read, then only the
    inked part goes to the detector, and the words are those of the whole page read as a whole,
    each within a few pixels of where the whole-page reading put it (the
    word boxes are estimated from the recogniser's character positions, a few pixels coarse)."""
    part = ocr._content(page, ocr.get_engine().max_side_len)
    assert part is not None and part.top > 0 and part.left > 0
    assert part.image.size < 0.85 * page.size * part.sx * part.sy
    assert part.image.shape[0] % 32 == 0 and part.image.shape[1] % 32 == 0  # the detector's grid

    cropped = ocr._recognise(page)
    monkeypatch.setattr(ocr, "_WORTH_CROPPING", 0.0)  # never worth it: the whole page, as before
    whole = ocr._recognise(page)

    assert [w.text for w in cropped] == [w.text for w in whole]
    assert len(whole) > 100
    for a, b in zip(cropped, whole, strict=True):
        assert max(abs(a.x0 - b.x0), abs(a.y0 - b.y0), abs(a.x1 - b.x1), abs(a.y1 - b.y1)) < 12, (a, b)


def test_a_speck_in_the_margin_does_not_hold_the_page_open(page: np.ndarray) -> None:
    specked = page.copy()
    specked[5:7, 5:7] = 0  # a 2-pixel speck in the top-left corner
    specked[-8:-6, -8:-6] = 0
    clean, with_specks = ocr._content(page, 1400), ocr._content(specked, 1400)
    assert clean is not None and with_specks is not None
    assert (with_specks.top, with_specks.left, with_specks.image.shape) == (clean.top, clean.left, clean.image.shape)


def test_pages_where_cutting_saves_nothing_or_changes_the_scale_are_read_whole(page: np.ndarray) -> None:
    side = 1400
    # Ink from edge to edge (a noisy scan, a photo of a page on a desk).
    rng = np.random.default_rng(7)
    noisy = np.where(rng.random(page.shape) < 0.05, 0, page).astype(np.uint8)
    assert ocr._content(noisy, side) is None
    # A small image the detector enlarges (a 72-dpi screenshot): cutting it would change its scale.
    small = cv2.resize(page, None, fx=0.3, fy=0.3, interpolation=cv2.INTER_AREA)
    assert ocr._content(small, side) is None
    # A blank page: nothing to cut to.
    blank = np.full_like(page, 255)
    assert ocr._content(blank, side) is None


def test_grey_print_far_from_the_rest_stays_in_the_part(page: np.ndarray) -> None:
    """Given a page with a light-grey footer well below its table (darker than the paper, but
    lighter than Otsu's split between black ink and paper), the part read includes the footer."""
    footed = page.copy()
    cv2.putText(footed, "Page 1 of 2 - printed 2026-03-05", (300, 2120), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 175, 3)
    part = ocr._content(footed, 1400)
    assert part is not None
    assert (part.top + part.image.shape[0]) / part.sy > 2120

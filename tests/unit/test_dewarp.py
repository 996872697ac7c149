"""Finding the page in a phone photo: the outline must follow the paper, also in shadow."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from labintake.extract.dewarp import find_page

W, H = 1600, 2000  # the photo
CORNERS = np.float32([[180, 190], [1420, 170], [1470, 1830], [150, 1800]])  # TL, TR, BR, BL


def _photo(shadow: float) -> np.ndarray:
    """A page with lines of 'text' seen at an angle on a desk; ``shadow`` darkens the
    top-right corner of everything (page and desk) by that share."""
    page = np.full((1400, 1000), 235, np.float32)
    for y in range(120, 1300, 40):
        for x in range(80, 900, 130):
            cv2.rectangle(page, (x, y), (x + 90, y + 14), 40, -1)
    src = np.float32([[0, 0], [1000, 0], [1000, 1400], [0, 1400]])
    m = cv2.getPerspectiveTransform(src, CORNERS)
    img = cv2.warpPerspective(page, m, (W, H), borderMode=cv2.BORDER_CONSTANT, borderValue=85)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    dist = np.hypot(xx - W, yy) / np.hypot(W, H)  # 0 at the top-right corner
    img *= 1 - shadow * np.clip(1 - 1.6 * dist, 0, 1)
    return np.clip(img + np.random.default_rng(1).normal(0, 4, img.shape), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("shadow", [0.0, 0.45, 0.6, 0.7])
def test_the_outline_follows_the_paper_into_the_shadow(shadow: float):
    quad = find_page(_photo(shadow))
    assert quad is not None
    assert np.abs(quad - CORNERS).max() < 0.02 * W


def test_a_scan_has_no_outline():
    scan = _photo(0.0)[190:1800, 190:1420]  # the page only: no desk around it
    assert find_page(scan) is None


def test_a_page_cut_by_one_edge_of_the_frame_is_still_found():
    """A close shot at an angle: the page's bottom runs off the photo (its corners at the frame's
    bottom corners), desk on the other three sides. The outline is the page, its bottom side
    the frame's edge; cut by two edges, too little of it is known to dewarp by."""
    page = np.full((1400, 1000), 235, np.float32)
    for y in range(120, 1300, 40):
        for x in range(80, 900, 130):
            cv2.rectangle(page, (x, y), (x + 90, y + 14), 40, -1)
    corners = np.float32([[260, 150], [1340, 150], [W - 1, H - 1], [0, H - 1]])  # keystoned, bottom on the frame
    m = cv2.getPerspectiveTransform(np.float32([[0, 0], [1000, 0], [1000, 1400], [0, 1400]]), corners)
    img = cv2.warpPerspective(page, m, (W, H), borderMode=cv2.BORDER_CONSTANT, borderValue=85).astype(np.uint8)
    quad = find_page(img)
    assert quad is not None and np.abs(quad - corners).max() < 0.02 * W
    corner_cut = cv2.warpPerspective(page, cv2.getPerspectiveTransform(
        np.float32([[0, 0], [1000, 0], [1000, 1400], [0, 1400]]),
        np.float32([[260, 150], [W - 1, 150], [W - 1, H - 1], [0, H - 1]])), (W, H), borderValue=85).astype(np.uint8)
    assert find_page(corner_cut) is None

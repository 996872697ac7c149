"""Page orientation before OCR: a page turned a quarter either way is turned back, and a dark
edge along one side (a scanner's border, a sliver of desk beside a dewarped photo) does not
turn an upright page."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from labintake.extract.ocr import saturation
from labintake.extract.orientation import estimate_orientation, rotate
from tests.fixtures.reports import make_png, sample_report


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(make_png(sample_report(), dpi=100))).convert("L"))


@pytest.mark.parametrize("turns", [0, 1, 3])  # as printed, turned left, turned right
def test_a_quarter_turned_page_is_turned_back(page: np.ndarray, turns: int):
    turned = np.ascontiguousarray(np.rot90(page, turns))
    quarter, skew = estimate_orientation(turned)
    assert skew == 0.0
    assert np.array_equal(rotate(turned, quarter, 0.0), page)


def _turned(img: np.ndarray, degrees: float) -> np.ndarray:
    """``img`` turned counter-clockwise on a white ground that holds all of it."""
    import cv2

    h, w = img.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    c, s = abs(m[0, 0]), abs(m[0, 1])
    size = (int(h * s + w * c), int(h * c + w * s))
    m[0, 2] += size[0] / 2 - w / 2
    m[1, 2] += size[1] / 2 - h / 2
    return cv2.warpAffine(img, m, size, borderValue=255)


@pytest.mark.parametrize("degrees", [3, -12, 20, 35])
def test_a_page_fed_crooked_with_no_outline_to_dewarp_by_is_levelled(page: np.ndarray, degrees: float):
    """A page turned well past a scanner's slight skew, on a white ground (a photo filling the
    frame, a crooked feed): the text's angle is found, not a quarter turn."""
    quarter, skew = estimate_orientation(_turned(page, degrees))
    assert quarter == 0 and abs(skew + degrees) <= 0.6


@pytest.mark.parametrize("side", ["left", "bottom"])
def test_a_dark_edge_does_not_turn_an_upright_page(page: np.ndarray, side: str):
    edged = page.copy()
    if side == "left":
        edged[:, :12] = 30
    else:
        edged[-12:, :] = 30
    assert estimate_orientation(edged)[0] == 0


@pytest.mark.parametrize("dimmest", [0.45, 0.6])
def test_a_page_lit_from_one_side_is_not_turned(page: np.ndarray, dimmest: float):
    """A photo with a shadow across it, its left side at 45 % of the light: the dim half is
    paper in less light, not one block of ink whose edge would turn the page a quarter."""
    light = np.linspace(dimmest, 1.0, page.shape[1], dtype=np.float32)[None, :]
    assert estimate_orientation((page.astype(np.float32) * light).astype(np.uint8)) == (0, 0.0)


def test_a_photo_lit_from_one_side_is_read_whole():
    """The same page as a JPEG whose left side is at 45 % of the light: every result is read
    (it used to be turned a quarter and fail whole as not_a_lab_report)."""
    from labintake.extract import extract_document
    from labintake.parse import parse_outcome

    report = sample_report()
    rgb = np.asarray(Image.open(io.BytesIO(make_png(report, dpi=150))).convert("RGB")).astype(np.float32)
    light = np.linspace(0.45, 1.0, rgb.shape[1], dtype=np.float32)[None, :, None]
    out = io.BytesIO()
    Image.fromarray((rgb * light).astype(np.uint8)).save(out, "JPEG", quality=85)
    results = parse_outcome(extract_document(out.getvalue(), "image/jpeg")).report.results
    assert [(r.name, r.value) for r in results] == [(r.name, r.value) for r in report.truth.results]


def test_a_photo_taken_sideways_is_measured_in_the_points_of_its_paper():
    """The dewarped page's short side is the paper's width, whichever way the phone was held:
    a sideways photo's page is as wide in points as the upright photo's (about 612)."""
    from labintake.extract.ocr import ocr_image
    from tests.fixtures.provenance import render, sideways_photo, tilted_photo

    page = render(150)
    widths = []
    for make in (tilted_photo, sideways_photo):
        rgb = np.asarray(Image.open(io.BytesIO(make(page, np.random.default_rng(7)))).convert("RGB"))
        read = ocr_image(rgb, 150)
        assert read.preprocessing == "dewarped"
        widths.append(read.width)
    assert all(560 <= w <= 660 for w in widths), widths


def test_saturation_is_the_spread_between_the_brightest_and_darkest_channel():
    rng = np.random.default_rng(7)
    rgb = rng.integers(0, 256, size=(31, 47, 3), dtype=np.uint8)
    expected = (rgb.max(axis=2).astype(int) - rgb.min(axis=2)).astype(np.uint8)
    assert np.array_equal(saturation(rgb), expected)
    assert not saturation(np.full((4, 4, 3), 128, np.uint8)).any()  # grey has none

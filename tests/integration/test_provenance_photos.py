"""Provenance on photos and scans (issue 12): a value's box lands on its row of the page image
the review page shows.

The OCR measures word boxes on the page as it read it: a phone photo dewarped, a page turned
upright and deskewed. The review page draws a box at ``bbox * pxPerPt`` over
``GET /api/files/{id}/pages/{n}.png``; that image used to be the photo as uploaded, so on a
tilted photo the box of Hemoglobin fell on Hematocrit or off the page. How a box is judged
against the truth: ``tests/fixtures/provenance.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import cv2
import httpx
import numpy as np
import pytest

from labintake import auth
from labintake.extract.dewarp import dewarp, page_frame, replay_frame
from labintake.extract.orientation import rotate
from labintake.service import LabIntake
from labintake.web import WebConfig, create_app
from labintake.web.ui.render import PX_PER_PT
from tests.api.conftest import Server, new_session, wait_finished
from tests.conftest import make_settings, migrated_database, start_processing
from tests.fixtures.provenance import CASES, SAMPLE, box_centres, landed, render


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The generated photos and scans processed by a real server; per file, its results and its
    page image, both as the review page fetches them."""
    tmp = tmp_path_factory.mktemp("provenance")
    gen = migrated_database(request.param, tmp)
    li = LabIntake(make_settings(tmp, next(gen)))
    start_processing(li)
    rng = np.random.default_rng(12)
    page = render(200)
    uploads = [(name, make(page, rng)) for name, make in CASES.items()]
    try:
        with Server(create_app(li, WebConfig(cookie_secure=False))) as server:
            with li.db.transaction() as s:
                token = auth.create_token(s, auth.create_user(s, "reviewer@example.org", "correct horse battery"), "t")
            with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
                session_id, _ = new_session(client, uploads)
                assert client.post(f"/api/sessions/{session_id}/start").status_code == 200
                final, _ = wait_finished(client, session_id, timeout=600)
                out = {}
                for f in final["files"]:
                    assert f["status"] == "completed", f
                    report = client.get(f"/api/files/{f['fileId']}/result", params={"as": "extracted"}).json()
                    assert {r.get("page") or 1 for r in report["results"]} == {1}
                    png = client.get(f"/api/files/{f['fileId']}/pages/1.png")
                    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
                    out[f["fileName"]] = {"results": report["results"], "png": png.content}
                yield out
    finally:
        li.stop()
        for _ in gen:
            pass


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_each_value_box_lands_on_its_row_of_the_page_shown(served: dict[str, Any], name: str) -> None:
    """Given a tilted and a sideways phone photo and a crooked scan fed in sideways, of a known
    report, when they are read and the review page's image is fetched, then at least 95% of the
    value boxes have their centre inside their own row of the image shown."""
    results = served[name]["results"]
    assert len(results) >= 0.8 * len(SAMPLE.rows), "too few rows read to judge the boxes"
    hits, misses = landed(served[name]["png"], box_centres(results, PX_PER_PT), PX_PER_PT)
    assert hits >= 0.95 * len(results), (f"{hits} of {len(results)} boxes on their row", misses)


@pytest.mark.parametrize("quarter", [0, 90, 270])
@pytest.mark.parametrize("flipped", [False, True])
def test_the_recorded_frame_replays_the_page_the_ocr_read(quarter: int, flipped: bool) -> None:
    """The geometry ``ocr_image`` applies (dewarp by the page outline, quarter turn, deskew, a turn
    over) is replayed from its recorded frame onto the original image pixel for pixel."""
    rng = np.random.default_rng(quarter + flipped)
    img = cv2.GaussianBlur((rng.random((700, 500)) * 255).astype(np.uint8), (0, 0), 3)
    quad = np.float32([[40, 30], [460, 50], [470, 660], [30, 640]])
    for outline in (None, quad):
        read = dewarp(img, outline) if outline is not None else img
        assert read is not None
        read = rotate(read, quarter, 2.5)
        if flipped:
            read = np.ascontiguousarray(read[::-1, ::-1])
        replayed = replay_frame(img, page_frame(img.shape, outline, quarter, 2.5, flipped, 72.0), 1.0)
        assert replayed.shape == read.shape
        inner = (slice(20, -20), slice(20, -20))  # the rims differ only in what fills the corners
        assert np.abs(replayed.astype(int) - read.astype(int))[inner].mean() < 0.5


def test_a_frame_replayed_from_a_smaller_image_lands_where_the_ocr_measured() -> None:
    """The page is replayed from an image of any size (a PDF page rendered smaller than the OCR
    rendered it): a point of the read page lands at the same place, in points."""
    img = np.full((1000, 800), 255, np.uint8)
    cv2.rectangle(img, (300, 400), (340, 420), 0, -1)  # a dark mark, centre (320, 410)
    frame = page_frame(img.shape, None, 90, 0.0, False, 100.0)  # read at 100 dpi, turned a quarter
    shown = replay_frame(cv2.resize(img, (400, 500), interpolation=cv2.INTER_AREA), frame, 2.0)
    assert shown.shape == (round(800 * 0.72 * 2), round(1000 * 0.72 * 2))  # portrait turned landscape
    ys, xs = np.nonzero(shown < 128)
    # Turned clockwise, (x, y) -> (h - 1 - y, x) at 100 dpi; then 0.72 pt a pixel, 2 px a point.
    assert abs(xs.mean() - (999 - 410) * 0.72 * 2) < 2 and abs(ys.mean() - 320 * 0.72 * 2) < 2


def test_a_kept_page_keeps_its_frame() -> None:
    """A page kept in the page cache (a retry resumes from it) keeps the geometry it was read
    with, as JSON, so the review page can still show it as read."""
    import json

    from labintake.extract.document import Page, Word

    frame = page_frame((1000, 800), np.float32([[40, 30], [760, 50], [770, 960], [30, 940]]), 90, 1.5, True, 96.0)
    page = Page(1, 612.0, 792.0, [Word("13.5", 230, 250, 248, 262, 0.99)], "ocr", frame=frame)
    back = Page.from_dict(json.loads(json.dumps(page.to_dict())))
    assert back.frame == frame and back.from_cache

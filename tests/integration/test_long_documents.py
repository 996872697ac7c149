"""Long documents: a 300-page PDF is accepted, page progress moves while a file is read (and
is throttled for fast pages), and a retry after the worker died resumes after the pages OCR
already read instead of at page 1."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from labintake.db.models import FileProcessingStatus
from labintake.db.pages import CachedPage
from labintake.service import LabIntake
from tests.conftest import make_settings, start_processing
from tests.fixtures.longdocs import long_digital_pdf, scanned_pdf
from tests.integration.helpers import events, status_paths, upload, wait_finished, wait_until

HAPPY = ["pending", "downloading", "extracting", "parsing", "saving", "completed"]


def make_app(tmp_path: Path, backend: dict[str, str], **overrides: object) -> LabIntake:
    li = LabIntake(make_settings(tmp_path, backend["database_url"], executor=backend["executor"], **overrides))
    start_processing(li)
    return li


def _page_events(evts: list, fps_id: str) -> list:
    return [e for e in evts if e.file_id == fps_id and e.payload and "pages_done" in e.payload]


def test_a_300_page_digital_pdf_completes_with_few_page_writes(tmp_path: Path, backend: dict[str, str]) -> None:
    """Given a 300-page digital PDF (the old default limit was 50), when it runs with the default
    page limit, then it completes; its progress says 300 of 300 pages; and its page progress was
    written far fewer times than it has pages (at most once a second: text pages take
    milliseconds), each page event moving forwards."""
    li = make_app(tmp_path, backend)
    try:
        assert li.settings.max_pages == 500
        user = li.local_user_id()
        session_id, (fps_id,) = upload(li, user, tmp_path, {"long.pdf": long_digital_pdf(300)})
        li.start(session_id, user)
        final = wait_finished(li, session_id, user)
        (entry,) = final["files"]
        assert entry["status"] == "completed", entry
        assert (entry["pagesDone"], entry["pagesTotal"]) == (300, 300)
        evts = events(li, session_id)
        pages = _page_events(evts, fps_id)
        assert len(pages) < 300
        done = [e.payload["pages_done"] for e in pages]
        assert done == sorted(done) and all(e.payload["pages_total"] == 300 for e in pages)
        assert all(e.status == "extracting" and 30 <= e.progress < 60 for e in pages)
        # The status path is the happy one, page events aside.
        path = [s for i, s in enumerate(status_paths(evts)[fps_id]) if i == 0 or s != status_paths(evts)[fps_id][i - 1]]
        assert path == HAPPY
        with li.db.read() as s:
            assert s.execute(select(func.count()).select_from(CachedPage)).scalar_one() == 0  # text pages: none kept
    finally:
        li.stop()


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["embedded-sqlite", pytest.param("embedded-postgresql", marks=pytest.mark.postgres)],
                         indirect=True)
def test_a_retry_after_the_worker_died_resumes_after_the_pages_already_read(
    tmp_path: Path, backend: dict[str, str]
) -> None:
    """Given a 3-page scanned PDF, when its worker process is killed (kill -9) after OCR has
    finished at least one page, then the file is retried and completes, and the retry reads
    with OCR only the pages not kept: the parsing event and parsing_metadata count the pages
    reused, and the kept pages are dropped once the results are saved."""
    li = make_app(tmp_path, backend, ocr_dpi=100, workers=1)
    try:
        user = li.local_user_id()
        session_id, (fps_id,) = upload(li, user, tmp_path, {"scan.pdf": scanned_pdf(3)})
        li.start(session_id, user)

        def page_read(p: dict) -> bool:
            (f,) = p["files"]
            assert f["status"] in ("pending", "downloading", "extracting"), f  # the kill must come mid-reading
            return f["status"] == "extracting" and (f["pagesDone"] or 0) >= 1

        snap = wait_until(li, session_id, user, page_read, timeout=600)
        assert snap["files"][0]["pagesTotal"] == 3
        with li.db.read() as s:
            kept = s.execute(select(func.count()).select_from(CachedPage)).scalar_one()
        assert kept >= 1  # written in the same transaction as pagesDone
        (worker,) = [w for w in li.executor._workers if w.current == fps_id]  # type: ignore[union-attr]
        os.kill(worker.pid, signal.SIGKILL)  # type: ignore[arg-type]

        final = wait_finished(li, session_id, user, timeout=600)
        (entry,) = final["files"]
        assert entry["status"] == "completed", entry
        evts = events(li, session_id)
        assert [e.payload["error_code"] for e in evts if e.file_id == fps_id and e.status == "pending"
                and e.payload and "error_code" in e.payload] == ["worker_lost"]
        parsing = [e.payload for e in evts if e.file_id == fps_id and e.status == "parsing"]
        assert parsing[-1]["ocr_pages"] == 3
        assert parsing[-1]["ocr_pages_reused"] >= kept  # not read again
        with li.db.read() as s:
            row = s.execute(select(FileProcessingStatus).where(FileProcessingStatus.id == fps_id)).scalar_one()
            assert row.parsing_metadata["ocr_pages_reused"] == parsing[-1]["ocr_pages_reused"]
            assert s.execute(select(func.count()).select_from(CachedPage)).scalar_one() == 0
    finally:
        li.stop()

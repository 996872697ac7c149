"""Long documents: a 300-page PDF is accepted, page progress moves while a file is read (and
is throttled for fast pages), and a retry after the worker died resumes after the pages OCR
already read instead of at page 1."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from labintake.db import transitions as tx
from labintake.db.models import FileProcessingStatus
from labintake.db.pages import CachedPage
from labintake.domain.schemas import LabReport
from labintake.pipeline.runner import FileRunner
from labintake.pipeline.work import Done, Extracted, Message, PageDone, Parsed
from labintake.service import LabIntake, accounts, sessions
from tests.conftest import make_settings, start_processing
from tests.fixtures.longdocs import long_digital_pdf, scanned_pdf
from tests.integration.helpers import events, status_paths, upload, wait_finished, wait_until
from tests.integration.test_reextract_status import ScriptedWorker

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
        user = accounts.local_user_id(li)
        session_id, (fps_id,) = upload(li, user, tmp_path, {"long.pdf": long_digital_pdf(300)})
        sessions.start(li, session_id, user)
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
    """Given a 6-page scanned PDF, when its worker process is killed (kill -9) after OCR has
    finished at least one page, then the file is retried and completes, and the retry reads
    with OCR only the pages not kept: the parsing event and parsing_metadata count the pages
    reused, and the kept pages are dropped once the results are saved."""
    li = make_app(tmp_path, backend, ocr_dpi=100, workers=1)
    try:
        user = accounts.local_user_id(li)
        session_id, (fps_id,) = upload(li, user, tmp_path, {"scan.pdf": scanned_pdf(6)})
        sessions.start(li, session_id, user)

        def page_read(p: dict) -> bool:
            (f,) = p["files"]
            assert f["status"] in ("pending", "downloading", "extracting"), f  # the kill must come mid-reading
            return f["status"] == "extracting" and (f["pagesDone"] or 0) >= 1

        snap = wait_until(li, session_id, user, page_read, timeout=600)
        assert snap["files"][0]["pagesTotal"] == 6
        with li.db.read() as s:
            kept = s.execute(select(func.count()).select_from(CachedPage)).scalar_one()
        assert kept >= 1  # written in the same transaction as pagesDone
        (worker,) = [w for w in li.executor._workers if w.current == fps_id]  # type: ignore[union-attr]
        os.kill(worker.pid, signal.SIGKILL)  # type: ignore[arg-type]

        final = wait_finished(li, session_id, user, timeout=600)
        (entry,) = final["files"]
        assert entry["status"] == "completed", entry
        evts = events(li, session_id)
        # Handed back on the same attempt, its worker's death counted (issue 14: restarts cost nothing).
        assert [e.payload["reason"] for e in evts if e.file_id == fps_id and e.status == "pending"
                and e.payload and "reason" in e.payload] == ["worker_crashed"]
        parsing = [e.payload for e in evts if e.file_id == fps_id and e.status == "parsing"]
        assert parsing[-1]["ocr_pages"] == 6
        assert parsing[-1]["ocr_pages_reused"] >= kept  # not read again
        with li.db.read() as s:
            row = s.execute(select(FileProcessingStatus).where(FileProcessingStatus.id == fps_id)).scalar_one()
            assert row.parsing_metadata["ocr_pages_reused"] == parsing[-1]["ocr_pages_reused"]
            assert s.execute(select(func.count()).select_from(CachedPage)).scalar_one() == 0
    finally:
        li.stop()


class TimedWorker(ScriptedWorker):
    """The scripted worker, noting the time the runner is ready to wait for each message."""

    def __init__(self, messages: list[Message]) -> None:
        super().__init__(messages)
        self.waits: list[float] = []

    def recv(self, timeout: float) -> Message:
        self.waits.append(timeout)
        return super().recv(timeout)

    def recv_within(self, seconds: float) -> Message | None:
        return None  # a parse slower than the runner's window: it waits for it with the file's limit


@pytest.mark.parametrize(("pages", "limit"), [(1, 5.0), (300, 5.0 + 299 * 2.0)])
def test_the_file_time_limit_grows_with_its_pages(tmp_path: Path, sqlite_url: str, pages: int, limit: float) -> None:
    """Given a 5 s limit for a one-page file and 2 s per further page, when the worker says the
    file has ``pages`` pages, then the runner waits for the rest of the file up to 5 + 2 x (pages - 1) s."""
    settings = make_settings(tmp_path, sqlite_url, file_timeout_seconds=5.0, file_timeout_per_page_seconds=2.0)
    li = LabIntake(settings)
    try:
        user = accounts.local_user_id(li)
        session_id, _ = upload(li, user, tmp_path, {"r.pdf": long_digital_pdf(2)})
        sessions.start(li, session_id, user)
        with li.db.transaction() as s:
            [claim] = tx.claim(s, worker_id="test", slots=1, global_cap=5, per_session_cap=3, lease_seconds=60)
        worker = TimedWorker([PageDone("default", 0, pages), Extracted("text", "pdfium-text", pages, 0),
                              Parsed(LabReport().model_dump(mode="json"), {}), Done()])
        outcome = FileRunner(li.db, li.storage, settings).run(claim, worker)  # type: ignore[arg-type]
        assert outcome.status == "completed"
        assert 5.0 - 1 < worker.waits[0] <= 5.0  # before the page count is known: the base
        assert limit - 5 < worker.waits[2] <= limit  # waiting for the parsed report
    finally:
        li.stop()

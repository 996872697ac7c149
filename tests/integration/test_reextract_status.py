"""The status shows the real stage while a file is read again after a failed validation."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from labintake.db import transitions as tx
from labintake.db.models import SessionEvent
from labintake.domain.schemas import LabReport
from labintake.pipeline.runner import FileRunner
from labintake.pipeline.work import Done, Extracted, Message, Parsed, Reextracting
from labintake.service import LabIntake, accounts, sessions
from tests.conftest import make_settings
from tests.fixtures.reports import make_pdf, sample_report


class ScriptedWorker:
    """A worker process stand-in that answers with a fixed list of messages."""

    def __init__(self, messages: list[Message]) -> None:
        self.messages = list(messages)

    def wait_ready(self, timeout: float) -> None:
        pass

    def submit(self, job: object) -> None:
        pass

    def recv(self, timeout: float) -> Message:
        return self.messages.pop(0)

    def recv_within(self, seconds: float) -> Message | None:
        return self.messages.pop(0)

    def finish(self) -> None:
        assert isinstance(self.messages.pop(0), Done)

    def release(self) -> None:
        pass

    def replace(self) -> None:
        pass


def test_a_second_reading_moves_the_file_back_to_extracting(tmp_path: Path, sqlite_url: str) -> None:
    """Given a file whose first reading fails validation, when the worker reads it again, then
    the file's status goes parsing → extracting → parsing before saving (it used to stay
    ``parsing`` through the whole second reading), and the row keeps the first reading's text."""
    settings = make_settings(tmp_path, sqlite_url)
    li = LabIntake(settings)
    try:
        user = accounts.local_user_id(li)
        session_id = sessions.create(li, user).id
        (tmp_path / "r.pdf").write_bytes(make_pdf(sample_report()))
        fps_id = sessions.add_path(li, session_id, user, tmp_path / "r.pdf")
        sessions.start(li, session_id, user)
        with li.db.transaction() as s:
            [claim] = tx.claim(s, worker_id="test", slots=1, global_cap=5, per_session_cap=3, lease_seconds=60)
        report = LabReport().model_dump(mode="json")
        worker = ScriptedWorker([
            Extracted("first", "pdf-text", 1, 0), Reextracting("alternate"), Extracted("second", "ocr", 1, 1),
            Parsed(report, {}), Done(),
        ])
        outcome = FileRunner(li.db, li.storage, settings).run(claim, worker)  # type: ignore[arg-type]
        assert outcome.status == "completed"
        with li.db.read() as s:
            statuses = s.execute(
                select(SessionEvent.status).where(SessionEvent.file_id == fps_id).order_by(SessionEvent.id)
            ).scalars().all()
        assert statuses == ["pending", "downloading", "extracting", "parsing", "extracting", "parsing",
                            "saving", "completed"]
    finally:
        li.stop()

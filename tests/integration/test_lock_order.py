"""Bulk changes to a session (cancel, deadline) never deadlock with a worker moving one of its files.

PostgreSQL only: SQLite serialises writers. Each test holds a file the way a worker's status
write does (its row locked, the summary not yet), lets the bulk change reach that file, then
finishes the worker's write, whose trigger needs the summary row. Taken in the wrong order,
PostgreSQL reports a deadlock here every time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from labintake.db import recovery
from labintake.db import sessions as repo
from labintake.db import transitions as tx
from labintake.db.engine import Database
from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.models import ProcessingSession, utcnow
from labintake.domain.status import FileStatus, SessionState
from tests.integration.test_summary_trigger import add_file, aggregate_of, new_session, summary_of

pytestmark = pytest.mark.postgres


@pytest.fixture
def db(pg_url: str) -> Iterator[Database]:
    database = Database(pg_url, pool_size=6)
    yield database
    database.dispose()


def running_session_with_a_file_being_read(db: Database) -> tuple[str, str, str, str]:
    """A running session: one file in ``extracting`` (a worker's), one still pending."""
    session_id, user_id = new_session(db)
    reading, waiting = add_file(db, session_id), add_file(db, session_id)
    with db.transaction() as s:
        repo.set_state(s, session_id, user_id, SessionState.RUNNING)
        for a, b in [(FileStatus.PENDING, FileStatus.DOWNLOADING), (FileStatus.DOWNLOADING, FileStatus.EXTRACTING)]:
            assert tx.transition(s, reading, a, b) is not None
    return session_id, user_id, reading, waiting


def lock_waiters(db: Database) -> int:
    with db.read(system=True) as s:
        return int(s.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )).scalar_one())


def race_worker_against(db: Database, reading: str, bulk: Callable[[Session], object]) -> list[BaseException]:
    """The worker holds ``reading`` (row locked); ``bulk`` runs until it waits for a lock; then the
    worker's write (extracting -> parsing) completes. The errors either side raised."""
    errors: list[BaseException] = []

    def run_bulk() -> None:
        try:
            with db.transaction() as s:
                bulk(s)
        except BaseException as exc:  # noqa: BLE001 - surfaced to the test
            errors.append(exc)

    bulk_thread = threading.Thread(target=run_bulk)
    try:
        with db.transaction() as worker:
            worker.execute(select(FPS.id).where(FPS.id == reading).with_for_update(key_share=True)).all()
            bulk_thread.start()
            deadline = time.monotonic() + 30
            while lock_waiters(db) == 0 and bulk_thread.is_alive():
                assert time.monotonic() < deadline, "the bulk change never reached the worker's file"
                time.sleep(0.02)
            assert tx.transition(worker, reading, FileStatus.EXTRACTING, FileStatus.PARSING) is not None
    except BaseException as exc:  # noqa: BLE001 - the deadlock may be reported on this side
        errors.append(exc)
    bulk_thread.join(timeout=60)
    assert not bulk_thread.is_alive()
    return errors


def test_cancel_while_a_worker_writes_a_file_of_the_session(db: Database) -> None:
    """Given a worker writing a file's next stage, when the user cancels the session at that
    moment, then both complete (no deadlock), every file ends cancelled, and the summary is exact."""
    session_id, user_id, reading, waiting = running_session_with_a_file_being_read(db)
    errors = race_worker_against(db, reading, lambda s: repo.cancel(s, session_id, user_id))
    assert errors == []
    with db.read() as s:
        statuses = dict(s.execute(select(FPS.id, FPS.status).where(FPS.session_id == session_id)).all())
    assert statuses == {reading: "cancelled", waiting: "cancelled"}
    summary = summary_of(db, session_id)
    assert summary == aggregate_of(db, session_id)
    assert summary is not None and summary["session_status"] == "cancelled"


def test_deadline_while_a_worker_writes_a_file_of_the_session(db: Database) -> None:
    """Given a worker writing a file's next stage, when the session's deadline passes at that
    moment, then both complete (no deadlock) and every unfinished file ends ``timeout``."""
    session_id, _, reading, waiting = running_session_with_a_file_being_read(db)
    with db.transaction() as s:
        s.execute(update(ProcessingSession).where(ProcessingSession.id == session_id)
                  .values(deadline_at=utcnow() - timedelta(seconds=1)))
    errors = race_worker_against(db, reading, lambda s: recovery.expire_sessions(s))
    assert errors == []
    with db.read() as s:
        statuses = dict(s.execute(select(FPS.id, FPS.status).where(FPS.session_id == session_id)).all())
    assert statuses == {reading: "timeout", waiting: "timeout"}
    assert summary_of(db, session_id) == aggregate_of(db, session_id)


def test_cancel_leaves_another_users_session_alone(db: Database) -> None:
    """Given a session of one user, when another user asks to cancel it, then nothing moves."""
    session_id, _, reading, waiting = running_session_with_a_file_being_read(db)
    with db.transaction() as s:
        stranger = repo.get_or_create_user(s, "stranger@example.test").id
        assert repo.cancel(s, session_id, stranger) == []
    with db.read() as s:
        statuses = dict(s.execute(select(FPS.id, FPS.status).where(FPS.session_id == session_id)).all())
        state = s.execute(select(ProcessingSession.state).where(ProcessingSession.id == session_id)).scalar_one()
    assert statuses == {reading: "extracting", waiting: "pending"} and state == "running"

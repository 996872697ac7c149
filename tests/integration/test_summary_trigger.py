"""The summary row equals the aggregate of its file rows, whatever happens to them."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, text

from labintake.db import sessions as repo
from labintake.db import transitions as tx
from labintake.db.engine import Database
from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.models import ProcessingSession, SessionProcessingSummary
from labintake.db.progress import aggregate_summary
from labintake.domain.status import TRANSITIONS, FileStatus, SessionState

Op = tuple[str, int, Any]
ops = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.just(0), st.none()),
        st.tuples(st.just("move"), st.integers(0, 30), st.integers(0, 10)),
        st.tuples(st.just("delete"), st.integers(0, 30), st.none()),
        st.tuples(st.just("state"), st.just(0), st.sampled_from(list(SessionState))),
    ),
    max_size=40,
)


def summary_of(db: Database, session_id: str) -> dict[str, Any] | None:
    with db.read() as s:
        row = s.execute(
            select(SessionProcessingSummary).where(SessionProcessingSummary.session_id == session_id)
        ).scalar_one_or_none()
        if row is None:
            return None
        return {k: getattr(row, k) for k in (
            "total_files", "completed_files", "failed_files", "processing_files",
            "pending_files", "overall_progress", "session_status")}


def aggregate_of(db: Database, session_id: str) -> dict[str, Any]:
    with db.read() as s:
        statuses = [FileStatus(x) for x in s.execute(select(FPS.status).where(FPS.session_id == session_id)).scalars()]
        state = s.execute(select(ProcessingSession.state).where(ProcessingSession.id == session_id)).scalar_one()
    return aggregate_summary(statuses, state)


def new_session(db: Database) -> tuple[str, str]:
    with db.transaction() as s:
        user = repo.get_or_create_user(s, "prop@example.test")
        return repo.create_session(s, user.id).id, user.id


def add_file(db: Database, session_id: str) -> str:
    with db.transaction() as s:
        session = s.get(ProcessingSession, session_id)
        _, fps = repo.add_file(s, session, repo.NewFile("0" * 64, "0" * 64, "a.pdf", "application/pdf", 10),
                               max_retry_attempts=3)
        return fps.id


@pytest.fixture
def db(db_url: str):  # type: ignore[no-untyped-def]
    database = Database(db_url)
    yield database
    database.dispose()


def test_summary_matches_aggregate_after_any_sequence(db: Database) -> None:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(ops)
    def check(sequence: list[Op]) -> None:
        session_id, user_id = new_session(db)
        files: list[str] = []
        for kind, index, arg in sequence:
            if kind == "add":
                files.append(add_file(db, session_id))
            elif kind == "move" and files:
                fps_id = files[index % len(files)]
                with db.transaction() as s:
                    current = FileStatus(s.execute(select(FPS.status).where(FPS.id == fps_id)).scalar_one())
                    targets = sorted(TRANSITIONS[current])
                    if targets:
                        tx.transition(s, fps_id, current, targets[arg % len(targets)])
            elif kind == "delete" and files:
                fps_id = files.pop(index % len(files))
                with db.transaction() as s:
                    s.execute(delete(FPS).where(FPS.id == fps_id))
            elif kind == "state":
                with db.transaction() as s:
                    repo.set_state(s, session_id, user_id, arg)
            summary = summary_of(db, session_id)
            if summary is not None:
                assert summary == aggregate_of(db, session_id)
        if files:
            assert summary_of(db, session_id) == aggregate_of(db, session_id)

    check()


def test_check_constraints_match_the_enums(db: Database) -> None:
    """The database refuses a status the domain does not know."""
    session_id, _ = new_session(db)
    fps_id = add_file(db, session_id)
    with pytest.raises(Exception, match="(?i)check"):
        with db.transaction() as s:
            s.execute(text("UPDATE file_processing_status SET status = 'bogus' WHERE id = :id"), {"id": fps_id})
    for status in FileStatus:  # every enum value is accepted
        with db.transaction() as s:
            s.execute(text("UPDATE file_processing_status SET status = :st WHERE id = :id"),
                      {"st": status.value, "id": fps_id})


@pytest.mark.postgres
def test_concurrent_updates_from_many_connections_keep_the_summary_exact(pg_url: str) -> None:
    """Given 40 files of one session, when 8 connections walk them through their stages at
    once, then the summary equals the aggregate of the file rows at the end."""
    db = Database(pg_url, pool_size=10)
    session_id, user_id = new_session(db)
    files = [add_file(db, session_id) for _ in range(40)]
    with db.transaction() as s:
        repo.set_state(s, session_id, user_id, SessionState.RUNNING)
    path = [FileStatus.PENDING, FileStatus.DOWNLOADING, FileStatus.EXTRACTING, FileStatus.PARSING,
            FileStatus.SAVING]
    errors: list[BaseException] = []

    def walk(chunk: list[str], ending: FileStatus) -> None:
        try:
            for fps_id in chunk:
                for a, b in zip(path, [*path[1:], ending], strict=True):
                    with db.transaction() as s:
                        assert tx.transition(s, fps_id, a, b) is not None
        except BaseException as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)

    threads = [
        threading.Thread(target=walk, args=(files[i::8], FileStatus.FAILED if i == 0 else FileStatus.COMPLETED))
        for i in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    summary = summary_of(db, session_id)
    assert summary == aggregate_of(db, session_id)
    assert summary is not None and summary["completed_files"] == 35 and summary["failed_files"] == 5
    assert summary["session_status"] == "partial"
    db.dispose()

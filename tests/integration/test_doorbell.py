"""Every event a transaction commits rings the doorbell, whoever wrote it; none rings on rollback."""

from __future__ import annotations

from pathlib import Path

import pytest

from labintake.db import sessions as repo
from labintake.domain.status import SessionState
from labintake.service import LabIntake, accounts, progress, sessions
from tests.conftest import make_settings
from tests.fixtures.reports import make_pdf, sample_report


def test_state_changes_uploads_and_rollbacks(tmp_path: Path, sqlite_url: str) -> None:
    """Given a subscriber, when a session is paused, a file uploaded, and a transaction that wrote
    an event is rolled back, then it hears the first two (the progress cache relies on this: a
    pause used to be invisible to it) and not the third."""
    li = LabIntake(make_settings(tmp_path, sqlite_url))
    try:
        user = accounts.local_user_id(li)
        session_id = sessions.create(li, user).id
        heard: list[int] = []
        li.doorbell.subscribe(session_id, lambda _sid, event_id: heard.append(event_id))
        sessions.set_state(li, session_id, user, SessionState.PAUSED)
        assert len(heard) == 1
        (tmp_path / "a.pdf").write_bytes(b"%PDF-1.7 not really")
        sessions.add_path(li, session_id, user, tmp_path / "a.pdf")
        assert len(heard) >= 2 and heard == sorted(heard)
        before = list(heard)
        with pytest.raises(RuntimeError), li.db.transaction() as s:
            repo.set_state(s, session_id, user, SessionState.RUNNING)
            raise RuntimeError("rolled back")
        assert heard == before
    finally:
        li.stop()


def test_sqlite_watcher_rings_for_other_processes_writes_only(tmp_path: Path, sqlite_url: str) -> None:
    """Given two LabIntakes on one SQLite file (a server and a `labintake process`), when one
    pauses a session, then the other's watcher rings its doorbell for that event (and its
    cached progress shows the pause), while its own writes are not rung a second time."""
    server = LabIntake(make_settings(tmp_path / "a", sqlite_url))
    other = LabIntake(make_settings(tmp_path / "b", sqlite_url))
    try:
        server.start_listener()
        watcher = server.listener
        user = accounts.local_user_id(server)
        session_id = sessions.create(server, user).id
        heard: list[int] = []
        server.doorbell.subscribe(session_id, lambda _sid, event_id: heard.append(event_id))
        (tmp_path / "r.pdf").write_bytes(make_pdf(sample_report()))  # every entry point inspects uploads
        sessions.add_path(server, session_id, user, tmp_path / "r.pdf")  # this process's own write
        rung_by_commit = list(heard)
        assert rung_by_commit and watcher.check() == 0 and heard == rung_by_commit  # type: ignore[union-attr]
        assert progress.read(server, session_id, user)["summary"]["session_status"] == "pending"  # type: ignore[index]

        sessions.set_state(other, session_id, user, SessionState.PAUSED)  # another process's write
        assert heard == rung_by_commit  # nothing here knows yet
        assert watcher.check() == 1  # type: ignore[union-attr]
        assert len(heard) == len(rung_by_commit) + 1 and heard[-1] > rung_by_commit[-1]
        assert progress.read(server, session_id, user)["summary"]["session_status"] == "paused"  # type: ignore[index]
    finally:
        other.stop()
        server.stop()


@pytest.mark.postgres
def test_a_deletion_on_one_replica_drops_the_session_from_anothers_cache(tmp_path: Path, pg_url: str) -> None:
    """Given two replicas on PostgreSQL and a session whose progress one of them has cached,
    when the other deletes it, then the first soon answers 'no such session' (no event says
    'deleted'; the deletion notifies)."""
    import time

    a = LabIntake(make_settings(tmp_path / "a", pg_url))
    b = LabIntake(make_settings(tmp_path / "b", pg_url))
    try:
        a.start_listener()
        assert a.listener.connected.wait(10)  # type: ignore[union-attr]
        user = accounts.local_user_id(a)
        session_id = sessions.create(a, user).id
        (tmp_path / "r.pdf").write_bytes(make_pdf(sample_report()))  # every entry point inspects uploads
        sessions.add_path(a, session_id, user, tmp_path / "r.pdf")
        assert progress.read(a, session_id, user) is not None
        assert a.progress_cache.get(session_id, user) is not None  # cached
        sessions.delete(b, session_id, user)
        deadline = time.monotonic() + 5
        while progress.read(a, session_id, user) is not None:
            assert time.monotonic() < deadline, "replica a still serves the deleted session"
            time.sleep(0.05)
    finally:
        b.stop()
        a.stop()


def test_the_doorbell_keeps_its_own_event_ids_only_for_a_watcher() -> None:
    """Without a SQLite watcher (PostgreSQL, or no server) nothing is kept per event; with one,
    what the watcher has passed is dropped, so the set stays small however long it runs."""
    from labintake.notify import Doorbell

    bell = Doorbell()
    bell.ring_all([("s", i) for i in range(1, 1001)])
    assert bell.rung_here(list(range(1, 1001))) == set()  # nothing kept
    bell.track_local = True
    bell.ring_all([("s", 1001), ("s", 1002), ("s", 1005)])
    assert bell.rung_here([1001, 1003]) == {1001}
    assert bell.rung_here([1004, 1005, 1006]) == {1005}
    assert bell._local == set()  # 1002 was passed by: dropped


def test_cli_uploads_are_inspected_like_web_uploads(tmp_path: Path, sqlite_url: str) -> None:
    """Given a file that is not a readable PDF, when it is added the CLI's way (``add_path``),
    then it fails at once with ``corrupt_pdf``, as a web upload does (the CLI used to skip the
    inspection and queue it)."""
    li = LabIntake(make_settings(tmp_path / "a", sqlite_url))
    try:
        user = accounts.local_user_id(li)
        session_id = sessions.create(li, user).id
        (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.7 not really")
        sessions.add_path(li, session_id, user, tmp_path / "bad.pdf")
        files = progress.read(li, session_id, user)["files"]  # type: ignore[index]
        assert [(f["status"], f["errorCode"]) for f in files] == [("failed", "corrupt_pdf")]
    finally:
        li.stop()

"""Running real sessions through the real executor, and reading what happened from the event log."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from labintake.db.models import SessionEvent
from labintake.domain.status import ACTIVE_STATUSES, SessionStatus
from labintake.service import LabIntake, progress, sessions


def upload(li: LabIntake, user_id: str, tmp_path: Path, files: dict[str, bytes]) -> tuple[str, list[str]]:
    session_id = sessions.create(li, user_id).id
    ids = []
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        ids.append(sessions.add_path(li, session_id, user_id, path))
    return session_id, ids


def wait_until(li: LabIntake, session_id: str, user_id: str, predicate, timeout: float = 120.0) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Wait (woken by the doorbell) until ``predicate(progress)`` holds; fail after ``timeout``."""
    rang = threading.Event()
    unsubscribe = li.doorbell.subscribe(session_id, lambda *_: rang.set())
    try:
        deadline = time.monotonic() + timeout
        while True:
            snap = progress.read(li, session_id, user_id)
            assert snap is not None
            if predicate(snap):
                return snap
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting; last progress: {snap}")
            rang.wait(0.5)
            rang.clear()
    finally:
        unsubscribe()


def wait_finished(li: LabIntake, session_id: str, user_id: str, timeout: float = 120.0) -> dict[str, Any]:
    return wait_until(
        li, session_id, user_id,
        lambda p: SessionStatus(p["summary"]["session_status"]).is_terminal, timeout,
    )


def events(li: LabIntake, session_id: str) -> list[Any]:
    """The session's event rows (id, kind, file_id, status, progress, payload), in id order."""
    E = SessionEvent
    with li.db.read() as s:
        return list(
            s.execute(
                select(E.id, E.kind, E.file_id, E.status, E.progress, E.payload)
                .where(E.session_id == session_id).order_by(E.id)
            ).all()
        )


def max_running(evts: list[Any]) -> int:
    """The most files of the session in a running stage at once, replayed from the event log."""
    running: set[str] = set()
    peak = 0
    for e in evts:
        if e.kind != "file" or e.file_id is None:
            continue
        if e.status in {s.value for s in ACTIVE_STATUSES}:
            running.add(e.file_id)
        else:
            running.discard(e.file_id)
        peak = max(peak, len(running))
    return peak


def status_paths(evts: list[Any]) -> dict[str, list[str]]:
    paths: dict[str, list[str]] = {}
    for e in evts:
        if e.kind == "file" and e.file_id:
            paths.setdefault(e.file_id, []).append(e.status or "")
    return paths


def deadline_passes_now(li: LabIntake, session_id: str) -> None:
    """Move the session's deadline (set at its start) to a second ago: the test decides when it
    passes, after what must finish first has finished, whatever the machine's speed."""
    from datetime import timedelta

    from sqlalchemy import update

    from labintake.db.models import ProcessingSession, utcnow

    with li.db.transaction(system=True) as s:
        changed = s.execute(
            update(ProcessingSession)
            .where(ProcessingSession.id == session_id, ProcessingSession.deadline_at.is_not(None))
            .values(deadline_at=utcnow() - timedelta(seconds=1))
        ).rowcount  # type: ignore[attr-defined]
    assert changed == 1, "the session has no deadline"

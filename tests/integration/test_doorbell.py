"""Every event a transaction commits rings the doorbell, whoever wrote it; none rings on rollback."""

from __future__ import annotations

from pathlib import Path

import pytest

from labintake.db import sessions as repo
from labintake.domain.status import SessionState
from labintake.service import LabIntake
from tests.conftest import make_settings


def test_state_changes_uploads_and_rollbacks(tmp_path: Path, sqlite_url: str) -> None:
    """Given a subscriber, when a session is paused, a file uploaded, and a transaction that wrote
    an event is rolled back, then it hears the first two (the progress cache relies on this: a
    pause used to be invisible to it) and not the third."""
    li = LabIntake(make_settings(tmp_path, sqlite_url))
    try:
        user = li.local_user_id()
        session_id = li.create_session(user)
        heard: list[int] = []
        li.doorbell.subscribe(session_id, lambda _sid, event_id: heard.append(event_id))
        li.set_state(session_id, user, SessionState.PAUSED)
        assert len(heard) == 1
        (tmp_path / "a.pdf").write_bytes(b"%PDF-1.7 not really")
        li.add_path(session_id, user, tmp_path / "a.pdf")
        assert len(heard) >= 2 and heard == sorted(heard)
        before = list(heard)
        with pytest.raises(RuntimeError), li.db.transaction() as s:
            repo.set_state(s, session_id, user, SessionState.RUNNING)
            raise RuntimeError("rolled back")
        assert heard == before
    finally:
        li.stop()

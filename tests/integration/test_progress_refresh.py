"""A stale progress snapshot is brought up to date by a delta read, and equals a full read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event

from labintake.db import sessions as repo
from labintake.db import transitions as tx
from labintake.db.models import ProcessingSession
from labintake.db.progress import progress_snapshot
from labintake.domain.status import NEXT_STAGE, FileStatus, SessionState
from labintake.service import LabIntake, accounts, progress
from tests.conftest import make_settings


def _comparable(snap: dict[str, Any]) -> dict[str, Any]:
    """Everything but what moves with the clock (the timestamp, running files' elapsed time)."""
    files = [{k: v for k, v in f.items() if k != "processingTime" or f["status"] == "completed"}
             for f in snap["files"]]
    return {**{k: v for k, v in snap.items() if k != "timestamp"}, "files": files}


def test_a_big_session_changing_is_read_by_deltas_and_stays_exact(db_url: str, tmp_path: Path) -> None:
    """Given a 60-file session read once, when files move on, new files arrive and the session's
    summary changes, then every later read is answered from the old snapshot plus the files
    changed after its event id (never all 60 rows again), and equals a full read from scratch."""
    li = LabIntake(make_settings(tmp_path, db_url))
    try:
        user = accounts.local_user_id(li)
        with li.db.transaction() as s:
            session = repo.create_session(s, user)
            ids = [repo.add_file(s, session, repo.NewFile("0" * 64, "0" * 64, f"r{i}.pdf", "application/pdf", 1),
                                 max_retry_attempts=3)[1].id for i in range(60)]
            repo.set_state(s, session.id, user, SessionState.RUNNING)
        session_id = session.id
        assert len(progress.read(li, session_id, user)["files"]) == 60  # type: ignore[index]

        file_reads: list[str] = []

        @event.listens_for(li.db.engine, "before_cursor_execute")
        def _seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if statement.lstrip().upper().startswith("SELECT") and "FROM file_processing_status" in statement:
                file_reads.append(statement)

        status = dict.fromkeys(ids, FileStatus.PENDING)
        with li.db.transaction() as s:
            for fps_id in ids[:5]:
                tx.transition(s, fps_id, status[fps_id], NEXT_STAGE[status[fps_id]])
                status[fps_id] = NEXT_STAGE[status[fps_id]]
        for step in range(6):
            with li.db.transaction() as s:
                fps_id = ids[step]
                tx.transition(s, fps_id, status[fps_id], NEXT_STAGE[status[fps_id]])
                status[fps_id] = NEXT_STAGE[status[fps_id]]
                if step == 3:  # a file arrives mid-way: listed last, like a full read lists it
                    added = repo.add_file(s, s.get(ProcessingSession, session_id),
                                          repo.NewFile("1" * 64, "1" * 64, "late.pdf", "application/pdf", 1),
                                          max_retry_attempts=3)[1]
            file_reads.clear()
            got = progress.read(li, session_id, user)
            assert got is not None
            assert len(file_reads) == 1 and "session_events.id >" in file_reads[0], file_reads  # a delta
            with li.db.read() as s:
                found = progress_snapshot(s, session_id, user)
            assert found is not None
            assert _comparable(got) == _comparable(found[1])
            assert got["files"][-1]["fileName"] == ("late.pdf" if step >= 3 else "r59.pdf")
        assert [f["status"] for f in got["files"][:6]] == [status[i].value for i in ids[:6]]
        assert got["files"][-1]["fileId"] == added.id and got["summary"]["total_files"] == 61
    finally:
        li.stop()

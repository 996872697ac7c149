"""The application's services: what the CLI and the web both call.

``LabIntake`` wires settings, database, storage and executor together. Each method is
one unit of work; none of them knows about HTTP or terminals.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, BinaryIO

from labintake.db import sessions as repo
from labintake.db import transitions as tx
from labintake.db.engine import Database
from labintake.db.migrate import upgrade
from labintake.db.models import ProcessingSession, SessionProcessingSummary
from labintake.db.progress import session_progress
from labintake.db.transitions import Moved
from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.domain.status import FileStatus, SessionState, SessionStatus
from labintake.notify import Doorbell
from labintake.settings import Settings
from labintake.storage import LocalStorage

log = logging.getLogger(__name__)

SNIFF_BYTES = 64


class LabIntake:
    def __init__(self, settings: Settings, *, migrate: bool = True) -> None:
        self.settings = settings
        if not settings.is_postgres:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        if migrate:
            upgrade(settings.db_url)
        self.db = Database(settings.db_url)
        self.storage = LocalStorage(settings.files_dir)
        self.doorbell = Doorbell()
        self.executor = None

    # --- executor -------------------------------------------------------------------------

    def start_executor(self) -> None:
        from labintake.executors.embedded import EmbeddedExecutor

        self.executor = EmbeddedExecutor(self.db, self.storage, self.settings, on_event=self._rang)
        self.executor.start()

    def stop(self) -> None:
        if self.executor is not None:
            self.executor.stop()
            self.executor = None
        self.db.dispose()

    def _rang(self, moved: Moved) -> None:
        self.doorbell.ring(moved.session_id, moved.event_id)

    def _after(self, moved: list[Moved], *, wake: bool = True) -> None:
        for m in moved:
            self.doorbell.ring(m.session_id, m.event_id)
        if wake and self.executor is not None:
            self.executor.wake()

    # --- users and sessions ---------------------------------------------------------------

    def local_user_id(self) -> str:
        with self.db.transaction() as s:
            return repo.get_or_create_user(s, repo.LOCAL_USER_EMAIL).id

    def create_session(self, user_id: str, name: str = "") -> str:
        with self.db.transaction() as s:
            return repo.create_session(s, user_id, name).id

    def add_file(self, session_id: str, user_id: str, stream: BinaryIO, file_name: str) -> str:
        """Store one upload and queue it; a file that fails validation is stored as failed at once.

        Returns the file's status id (``fileId`` in progress responses).
        """
        from labintake.extract import sniff_type

        stored = self.storage.put(stream, max_bytes=self.settings.max_file_bytes)
        error: LabIntakeError | None = None
        file_type = "application/octet-stream"
        try:
            with self.storage.path(stored.key).open("rb") as fh:
                file_type = sniff_type(fh.read(SNIFF_BYTES))
        except LabIntakeError as exc:
            error = exc
        with self.db.transaction() as s:
            session = s.get(ProcessingSession, session_id)
            if session is None or session.user_id != user_id:
                raise LabIntakeError(ErrorCode.INTERNAL_ERROR, "no such session")
            new = repo.NewFile(stored.key, stored.sha256, sanitize_name(file_name), file_type, stored.size)
            _, status = repo.add_file(s, session, new, max_retry_attempts=self.settings.max_retry_attempts)
            moved = tx.fail(s, status.id, FileStatus.PENDING, error) if error else None
        self._after([moved] if moved else [], wake=True)
        return status.id

    def add_path(self, session_id: str, user_id: str, path: Path) -> str:
        with path.open("rb") as fh:
            return self.add_file(session_id, user_id, fh, path.name)

    def set_state(self, session_id: str, user_id: str, state: SessionState) -> None:
        with self.db.transaction() as s:
            if state is SessionState.CANCELLED:
                moved = repo.cancel(s, session_id, user_id)
            else:
                repo.set_state(s, session_id, user_id, state)
                moved = []
        if state is SessionState.CANCELLED and self.executor is not None:
            self.executor.cancel_running(session_id)
        self._after(moved)

    def start(self, session_id: str, user_id: str) -> None:
        self.set_state(session_id, user_id, SessionState.RUNNING)

    def retry(self, fps_id: str, user_id: str) -> bool:
        with self.db.transaction() as s:
            moved = repo.retry_file(s, fps_id, user_id)
        self._after([moved] if moved else [])
        return moved is not None

    # --- reading --------------------------------------------------------------------------

    def progress(self, session_id: str, user_id: str) -> dict[str, Any] | None:
        with self.db.read() as s:
            return session_progress(s, session_id, user_id)

    def session_status(self, session_id: str) -> SessionStatus | None:
        with self.db.read() as s:
            status = s.query(SessionProcessingSummary.session_status).filter_by(session_id=session_id).scalar()
        return SessionStatus(status) if status else None


def sanitize_name(name: str) -> str:
    """A display name safe to store and show: no directories, no control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".")
    return cleaned[:255] or "unnamed"

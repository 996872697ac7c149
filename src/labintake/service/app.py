"""The application's services: what the CLI and the web both call.

``LabIntake`` wires settings, database, storage and executor together. Each method is
one unit of work; none of them knows about HTTP or terminals.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from labintake import metrics
from labintake.auth import TokenCache
from labintake.db import sessions as repo
from labintake.db import transitions as tx
from labintake.db.engine import Database
from labintake.db.migrate import prepare
from labintake.db.models import ProcessingSession, SessionProcessingSummary
from labintake.db.progress import progress_snapshot
from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.domain.status import FileStatus, SessionState, SessionStatus
from labintake.notify import Doorbell
from labintake.progress_cache import ProgressCache, merge
from labintake.settings import Settings
from labintake.storage import open_storage

if TYPE_CHECKING:
    from labintake.executors.distributed import DistributedWorker
    from labintake.executors.embedded import EmbeddedExecutor
    from labintake.intake import IntakeFolder
    from labintake.notify import PgListener, SqliteWatcher
    from labintake.service.notifier import Notifier

log = logging.getLogger(__name__)



class LabIntake:
    def __init__(self, settings: Settings, *, migrate: bool = True) -> None:
        self.settings = settings
        if migrate:
            prepare(settings)
        elif not settings.is_postgres:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.db = Database(settings.db_url)
        self.doorbell = Doorbell()
        # Every committed event rings, whoever wrote it: API, executor, CLI.
        self.db.on_events = self.doorbell.ring_all
        self.storage = open_storage(settings)
        self.progress_cache = ProgressCache(self.doorbell)
        self.tokens = TokenCache()
        self.executor: EmbeddedExecutor | DistributedWorker | None = None
        self.listener: PgListener | SqliteWatcher | None = None
        self.notifier: Notifier | None = None

    # --- executor -------------------------------------------------------------------------

    def start_executor(self) -> None:
        """Start processing in this process: the embedded executor, or, in the distributed
        deployment, nothing but admission (files run on ``labintake worker``) and the
        LISTEN connection that wakes push clients for events written by other processes."""
        self.start_listener()
        self.start_notifier()
        if self.settings.distributed:
            return
        from labintake.executors.embedded import EmbeddedExecutor

        self.executor = EmbeddedExecutor(self.db, self.storage, self.settings)
        self.executor.start()

    def start_processing(self) -> None:
        """Run files in this process whatever the deployment (``labintake process``, tests): the
        embedded executor, or on the distributed setting a procrastinate worker of its own."""
        if self.settings.distributed:
            self.start_listener()
            self.start_worker()
        else:
            self.start_executor()

    def start_listener(self) -> None:
        """Ring the doorbell for events other processes write: one LISTEN connection on
        PostgreSQL, a once-a-second look at the event table on SQLite."""
        if self.listener is not None:
            return
        if self.settings.is_postgres:
            from labintake.notify import PgListener

            self.listener = PgListener(
                self.settings.db_url, self.doorbell,
                on_connect=self.progress_cache.resume, on_disconnect=self.progress_cache.suspend,
                on_auth_change=self.tokens.clear,
            )
        else:
            from labintake.notify import SqliteWatcher

            self.listener = SqliteWatcher(self.db, self.doorbell, on_auth_epoch=self.tokens.at_epoch)
        self.listener.start()

    def start_worker(self, concurrency: int | None = None) -> None:
        """Run files from the job queue in this process (``labintake worker``)."""
        self.start_notifier()
        from labintake.executors.distributed import DistributedWorker

        self.executor = DistributedWorker(
            self.db, self.storage, self.settings, concurrency=concurrency
        )
        self.executor.start()

    def start_notifier(self) -> None:
        """Send session-end emails and webhooks from the outbox in this process (serve and worker)."""
        if self.notifier is not None:
            return
        from labintake.service.notifier import Notifier

        self.notifier = Notifier(self.db, self.settings, self.doorbell)
        self.notifier.start()

    def stop(self) -> None:
        if self.notifier is not None:
            self.notifier.stop()
            self.notifier = None
        if self.executor is not None:
            self.executor.stop()
            self.executor = None
        if self.listener is not None:
            self.listener.stop()
            self.listener = None
        self.db.dispose()

    def _queue_changed(self) -> None:
        """Files became admissible (upload, start, resume, retry): look for work now. Push
        clients need nothing here: the doorbell rang when the transaction committed."""
        if self.executor is not None:
            self.executor.wake()
        elif self.settings.distributed:
            # An API replica admits right away (admission and job deferral: one transaction);
            # the workers' own admission loops would otherwise pick the files up within a second.
            from labintake.executors.distributed import admit

            try:
                admit(self.db, self.settings)
            except LabIntakeError as exc:
                log.warning("admission deferred to the workers: %s", exc.code)

    def files_queued(self) -> None:
        """Files became admissible through a service function (a replaced file): look for work now."""
        self._queue_changed()

    # --- users and sessions ---------------------------------------------------------------

    def local_user_id(self) -> str:
        with self.db.transaction() as s:
            return repo.get_or_create_user(s, repo.LOCAL_USER_EMAIL).id

    def user_id_for(self, email: str) -> str | None:
        """The account with this email, or None."""
        from labintake.auth import normalise_email
        from labintake.db.users import user_by_email

        with self.db.read(system=True) as s:
            user = user_by_email(s, normalise_email(email))
            return user.id if user is not None else None

    def intake_folder(self, folder: Path, user_id: str) -> IntakeFolder:
        """An intake folder feeding this service (run it with ``.run(stop_event)``)."""
        from labintake.intake import IntakeFolder

        return IntakeFolder(
            self, folder, user_id,
            settle_seconds=self.settings.intake_settle_seconds, poll_seconds=self.settings.intake_poll_seconds,
        )

    def create_session(self, user_id: str, name: str = "", *, timeout_seconds: float | None = None) -> str:
        """A new session; ``timeout_seconds``: its own deadline instead of the setting's."""
        with self.db.transaction() as s:
            return repo.create_session(s, user_id, name, timeout_seconds=timeout_seconds).id

    def add_file(self, session_id: str, user_id: str, stream: BinaryIO, file_name: str) -> str:
        """Store one file and queue it, even if the session already has the same bytes (the CLI).

        A file that fails a check is stored as failed at once. Returns the file's status id
        (``fileId`` in progress responses).
        """
        added = self.upload(session_id, user_id, stream, file_name, dedupe=False)
        if added.file_id is None:  # too large: nothing was stored
            raise LabIntakeError(added.error_code or ErrorCode.INTERNAL_ERROR, added.error_message)
        return added.file_id

    def add_path(self, session_id: str, user_id: str, path: Path) -> str:
        with path.open("rb") as fh:
            return self.add_file(session_id, user_id, fh, path.name)

    def set_state(self, session_id: str, user_id: str, state: SessionState) -> None:
        with self.db.transaction() as s:
            if state is SessionState.CANCELLED:
                repo.cancel(s, session_id, user_id)
            else:
                repo.set_state(s, session_id, user_id, state, timeout_seconds=self.settings.session_timeout_seconds)
        if state is SessionState.CANCELLED and self.executor is not None:
            self.executor.cancel_running(session_id)
        self._queue_changed()

    def start(self, session_id: str, user_id: str) -> None:
        self.set_state(session_id, user_id, SessionState.RUNNING)

    def retry(self, fps_id: str, user_id: str) -> bool:
        with self.db.transaction() as s:
            moved = repo.retry_file(s, fps_id, user_id)
        self._queue_changed()
        return moved is not None

    # --- reading --------------------------------------------------------------------------

    def progress(self, session_id: str, user_id: str, since: int | None = None) -> dict[str, Any] | None:
        """The seed's progress object (None: not this user's session), from memory when the
        session has not changed since it was last read (see ``progress_cache``). With ``since``
        (an event id) only the files changed after it are listed (``db.progress``)."""
        if not looks_like_id(session_id):
            return None  # e.g. a NUL byte, which PostgreSQL refuses in text: simply no such session
        cached = self.cached_progress(session_id, user_id, since)
        if cached is not None:
            return cached
        # No delta asked, but an outdated snapshot is at hand: read only what changed after it.
        base = self.progress_cache.outdated(session_id, user_id) if since is None else None
        with self.db.read() as s:
            # The event id is read first: a change committed between the two reads makes the
            # entry older than the snapshot, never newer, so it can only be rebuilt too early.
            found = progress_snapshot(s, session_id, user_id, since=base[0] if base else since)
        if found is None:
            return None
        event_id, snapshot = found
        if base is not None:
            snapshot = merge(base[1], snapshot)
        if since is None:  # a delta is not the whole picture: only whole snapshots are kept
            self.progress_cache.put(session_id, user_id, event_id, snapshot)
        return snapshot

    def cached_progress(self, session_id: str, user_id: str, since: int | None = None) -> dict[str, Any] | None:
        """Only what memory holds: lets the web answer a poll without a thread hop. A delta is
        answered from memory only when nothing changed after ``since`` (an empty file list)."""
        snap = self.progress_cache.get(session_id, user_id)
        if snap is None or since is None:
            return snap
        if snap["lastEventId"] > since:
            return None  # some files changed after ``since``: the delta read finds which
        return {**snap, "files": [], "since": since}

    def session_status(self, session_id: str) -> SessionStatus | None:
        with self.db.read() as s:
            status = s.query(SessionProcessingSummary.session_status).filter_by(session_id=session_id).scalar()
        return SessionStatus(status) if status else None

    # --- API additions: checked uploads and deletion (web) ----------------------------------

    def upload(
        self,
        session_id: str,
        user_id: str,
        stream: BinaryIO,
        file_name: str,
        *,
        dedupe: bool = True,
    ) -> Upload:
        """Store one upload and queue it; every check that can run before queueing runs here.

        Too large: rejected, nothing stored. Wrong type, or the inspection (page/pixel limits,
        corrupt or encrypted PDF: ``extract.inspect``) refuses it: stored as failed with its code. With ``dedupe``,
        the same bytes already in this session are not added again; ``duplicate_of`` names
        the first copy.
        """
        from labintake.db import history

        name = sanitize_name(file_name)
        try:
            stored = self.storage.put(stream, max_bytes=self.settings.max_file_bytes)
        except LabIntakeError as exc:
            if exc.code is not ErrorCode.FILE_TOO_LARGE:
                raise
            return Upload(None, name, "rejected", exc.code.value, exc.message)
        file_type, page_count, error = self.inspect_stored(stored.key)
        with self.db.transaction() as s:
            session = s.get(ProcessingSession, session_id)
            if session is None or session.user_id != user_id:
                raise LabIntakeError(ErrorCode.INTERNAL_ERROR, "no such session")
            first = history.duplicate_in_session(s, session_id, user_id, stored.sha256) if dedupe else None
            if first is None:
                new = repo.NewFile(stored.key, stored.sha256, name, file_type, stored.size, page_count)
                _, status = repo.add_file(s, session, new, max_retry_attempts=self.settings.max_retry_attempts)
                if error:
                    tx.fail(s, status.id, FileStatus.PENDING, error)
        if first is not None:
            return Upload(None, name, "duplicate", None, None, duplicate_of=first)
        self._queue_changed()
        if error is not None:
            metrics.FILES_FINISHED.labels(FileStatus.FAILED.value, metrics.kind_of(file_type)).inc()
            metrics.FAILURES.labels(error.code.value).inc()
            return Upload(status.id, name, FileStatus.FAILED.value, error.code.value, error.message)
        return Upload(status.id, name, FileStatus.PENDING.value, None, None)

    def inspect_stored(self, key: str) -> tuple[str, int | None, LabIntakeError | None]:
        """Stored bytes' sniffed type, page count and the inspection's refusal, if any
        (``extract.inspect``: page and pixel limits, PDFs that open): every upload and replacement."""
        from labintake.extract import sniff_type
        from labintake.extract.inspect import inspect_upload

        file_type, page_count = "application/octet-stream", None
        path = self.storage.path(key)
        try:
            with path.open("rb") as fh:
                file_type = sniff_type(fh.read(1024))
            page_count = inspect_upload(
                path, file_type, max_pages=self.settings.max_pages, max_pixels=self.settings.max_image_pixels
            )
        except LabIntakeError as exc:
            return file_type, page_count, exc
        return file_type, page_count, None

    def delete_session(self, session_id: str, user_id: str) -> bool:
        """Delete a session with its files, events and results; stored bytes nothing else uses go too.

        Running files are stopped first; their workers' late writes find no row and are dropped.
        """
        from labintake.db import history

        with self.db.read() as s:
            if history.session_state(s, session_id, user_id) is None:
                return False
        if self.executor is not None:
            self.executor.cancel_running(session_id)
        with self.db.transaction() as s:
            keys = history.delete_session(s, session_id, user_id)
        self.progress_cache.forget(session_id)
        if keys is None:
            return False
        # A concurrent upload of the same bytes could re-reference a key between this check and
        # the unlink; storage is content-addressed, so its worker would fail storage_unavailable
        # and the user can upload again. Rare enough not to lock uploads for.
        with self.db.read(system=True) as s:  # other users' uploads may share the bytes
            for key in history.unreferenced_keys(s, keys):
                self.storage.delete(key)
        return True


@dataclass(frozen=True, slots=True)
class Upload:
    """What became of one uploaded file: queued (pending), failed at once, rejected, or a duplicate."""

    file_id: str | None  # file_processing_status.id; None when nothing was added
    file_name: str
    status: str  # pending | failed | rejected | duplicate
    error_code: str | None
    error_message: str | None
    duplicate_of: str | None = None


def prepare_database(settings: Settings) -> None:
    """``labintake db upgrade``: the data directory (SQLite) and every migration."""
    prepare(settings)


def looks_like_id(value: str) -> bool:
    """Ids are UUIDs in text form; anything else cannot name a row."""
    try:
        uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return False
    return True


def sanitize_name(name: str) -> str:
    """A display name safe to store and show: no directories, no control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".")
    return cleaned[:255] or "unnamed"

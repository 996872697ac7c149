"""The composition root: ``LabIntake`` wires settings, database, storage, caches and the
executor together, and starts and stops what runs in this process (executor, worker, listener,
notifier). The use cases are functions in the modules beside this one (``sessions``, ``files``,
``progress``, ``accounts``…), each taking this object; none of them knows about HTTP or terminals.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from labintake.auth import TokenCache
from labintake.db.engine import Database
from labintake.db.migrate import prepare
from labintake.domain.errors import LabIntakeError
from labintake.notify import Doorbell
from labintake.progress_cache import ProgressCache
from labintake.settings import Settings
from labintake.storage import open_storage

if TYPE_CHECKING:
    from labintake.executors.distributed import DistributedWorker
    from labintake.executors.embedded import EmbeddedExecutor
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

    def start_worker(self, concurrency: int | None = None) -> LabIntake:
        """Run files from the job queue in this process (``labintake worker``); returns self."""
        self.start_notifier()
        from labintake.executors.distributed import DistributedWorker

        self.executor = DistributedWorker(
            self.db, self.storage, self.settings, concurrency=concurrency
        )
        self.executor.start()
        return self

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

    def files_queued(self) -> None:
        """Files became admissible (upload, start, resume, retry, a replaced file): look for work
        now. Push clients need nothing here: the doorbell rang when the transaction committed."""
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

    def stop_running(self, session_id: str) -> None:
        """Stop this process's workers on the session's files (cancel, delete); on the distributed
        setting the workers see the cancelled state at their next stage."""
        if self.executor is not None:
            self.executor.cancel_running(session_id)


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

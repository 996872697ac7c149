"""Engines and transactions for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from labintake.db import scope
from labintake.domain.errors import ErrorCode, LabIntakeError

log = logging.getLogger(__name__)

EVENTS_KEY = "labintake_events"  # see transitions.add_event

# One round trip: the role and the user for this transaction only, and no system scope.
_ENTER_SCOPE = text("SELECT set_config('role', :role, true), set_config('app.user_id', :user_id, true), "
                    "set_config('app.system', '', true)")
# A login that cannot switch role: the user's policy still binds it (FORCE binds an owner too).
_ENTER_USER = text("SELECT set_config('app.user_id', :user_id, true), set_config('app.system', '', true)")
# A unit of work inside a request that nobody scoped: not system work either (sees no rows).
_NO_SCOPE = text("SELECT set_config('app.system', '', true)")


# Threads that may hold a SQLite connection at once: the web server's threadpool (anyio's
# default limiter, 40) plus the executor's own threads. A SQLite connection is only a file
# handle, so the pool keeps that many: connections past pool_size are opened and closed per
# use, and each opening runs the PRAGMAs below (that churn was most of the cost of opening a
# thousand push streams at once).
SQLITE_POOL_SIZE = 50


def conninfo(sqlalchemy_url: str) -> str:
    """The libpq connection string for a ``postgresql+psycopg://`` URL (LISTEN and the job
    queue talk to psycopg directly)."""
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)


def connect_args(url: str) -> dict[str, str]:
    """PostgreSQL: every connection starts as system work (``app.system = on``, see
    ``db.scope``); a unit of work for one user switches to the row-level-security role, which
    the system policy never admits. Set at connect, so system work costs no round trip."""
    if not url.startswith("postgresql"):
        return {}
    options = make_url(url).query.get("options")
    given = options if isinstance(options, str) else " ".join(options or ())
    return {"options": " ".join(filter(None, [given, f"-c {scope.SYSTEM_SETTING}=on"]))}


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            pool_size=max(pool_size, SQLITE_POOL_SIZE),
            max_overflow=20,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True,
                         connect_args=connect_args(url))


def _configure_sqlite(engine: Engine) -> None:
    """WAL for concurrent readers, and BEGIN IMMEDIATE so writers queue instead of deadlocking.

    pysqlite's own transaction handling would start transactions lazily (deferred), and two
    deferred transactions that both upgrade to a write lock fail with "database is locked"
    instead of waiting; taking the write lock at BEGIN makes busy_timeout apply.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        readonly = conn.get_execution_options().get("labintake_readonly", False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


class Database:
    """The engine plus a session factory; the caller decides where a transaction begins and ends."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size)
        self.is_postgres = self.engine.dialect.name == "postgresql"
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._readers = sessionmaker(
            self.engine.execution_options(labintake_readonly=True), expire_on_commit=False
        )
        self._rls: bool | None = None  # PostgreSQL: can we switch to the RLS role? (checked once)
        # Called after each commit with the (session id, event id) pairs it wrote.
        self.on_events: Callable[[list[tuple[str, int]]], None] | None = None

    @contextmanager
    def transaction(self, *, system: bool = False) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on error.

        Scoped to the current user (``db.scope``) on PostgreSQL unless ``system``. After the
        commit, the session events it wrote are handed to ``on_events`` (the doorbell).
        """
        with translate_db_errors(), self._sessions() as session:
            with session.begin():
                self._enter_scope(session, system)
                yield session
            events = session.info.pop(EVENTS_KEY, None)
        if events and self.on_events is not None:
            self.on_events(events)

    @contextmanager
    def read(self, *, system: bool = False) -> Iterator[Session]:
        """A read-only unit of work; on SQLite a deferred BEGIN, so readers never queue behind writers."""
        with translate_db_errors(), self._readers() as session:
            try:
                self._enter_scope(session, system)
                yield session
            finally:
                session.rollback()

    def _enter_scope(self, session: Session, system: bool) -> None:
        user_id = None if system else scope.current_user.get()
        if user_id is None:
            if not system and scope.in_request.get():
                # A request path that forgot to scope itself: fail closed, and say where.
                scope.unscoped_in_request()
                if self.is_postgres:
                    session.execute(_NO_SCOPE)
            return  # otherwise system work: the connection's app.system (connect_args) admits it
        if not self.is_postgres:
            return
        if self._rls_available(session):
            session.execute(_ENTER_SCOPE, {"role": scope.APP_ROLE, "user_id": user_id})
        else:
            session.execute(_ENTER_USER, {"user_id": user_id})

    def _rls_available(self, session: Session) -> bool:
        if self._rls is None:
            self._rls = bool(
                session.execute(
                    text("SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :r) "
                         "THEN pg_has_role(current_user, :r, 'MEMBER') ELSE false END"),
                    {"r": scope.APP_ROLE},
                ).scalar()
            )
            if not self._rls:
                log.warning("this login cannot SET ROLE %s: a user's work is scoped by app.user_id alone "
                            "(a superuser or the owner of tables without FORCE is not bound)", scope.APP_ROLE)
        return self._rls

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def translate_db_errors() -> Iterator[None]:
    """A database that is down or locked for too long becomes ``database_unavailable``."""
    try:
        yield
    except OperationalError as exc:
        if not _is_unavailable(exc):
            raise
        raise LabIntakeError(ErrorCode.DATABASE_UNAVAILABLE, detail=type(exc.orig).__name__) from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise LabIntakeError(ErrorCode.DATABASE_UNAVAILABLE, detail="connection lost") from exc
        raise


_SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o", "readonly database")


def _is_unavailable(exc: OperationalError) -> bool:
    """PostgreSQL raises OperationalError for lost connections only; SQLite for SQL errors too."""
    module = type(exc.orig).__module__
    if module.startswith("sqlite3"):
        return any(m in str(exc.orig).lower() for m in _SQLITE_UNAVAILABLE)
    return True

"""Shared fixtures: real databases (SQLite files, and PostgreSQL when reachable), settings, apps."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from labintake.db.migrate import upgrade
from labintake.settings import Settings

PG_URL = os.environ.get("LABINTAKE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# One template per test process: two runs at once (two checkouts, CI beside a session) must not
# clone or drop each other's template (CREATE DATABASE … TEMPLATE fails while another session uses it).
_TEMPLATE = f"labintake_test_template_{os.getpid()}"
_pg_state: dict[str, object] = {}


def _pg_admin():  # type: ignore[no-untyped-def]
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


def postgres_available() -> str | None:
    """None if PostgreSQL is reachable, else the reason it is not."""
    if "reason" not in _pg_state:
        try:
            engine = _pg_admin()
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()
            _pg_state["reason"] = None
        except Exception as exc:  # noqa: BLE001 - any failure means "not here"
            _pg_state["reason"] = f"PostgreSQL at {PG_URL} is not reachable ({type(exc).__name__}); `make test` starts it"
    return _pg_state["reason"]  # type: ignore[return-value]


def _template_ready() -> None:
    """A migrated template database; each test clones it (CREATE DATABASE … TEMPLATE), which is fast."""
    if _pg_state.get("template"):
        return
    engine = _pg_admin()
    with engine.connect() as conn:
        stale = conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE 'labintake_test_template%'"))
        for (name,) in stale.all():  # left by a run that was killed: its process is gone
            pid = name.rsplit("_", 1)[-1]
            if name == _TEMPLATE or not pid.isdigit() or not Path(f"/proc/{pid}").exists():
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {_TEMPLATE}"))
    engine.dispose()
    upgrade(str(make_url(PG_URL).set(database=_TEMPLATE).render_as_string(hide_password=False)))
    _pg_state["template"] = True


def drop_template() -> None:
    """Drop this process's template at the end of the run (pytest_sessionfinish)."""
    if not _pg_state.get("template"):
        return
    engine = _pg_admin()
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {_TEMPLATE} WITH (FORCE)"))
    engine.dispose()
    _pg_state["template"] = False


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    drop_template()


def fresh_pg_database() -> str:
    _template_ready()
    name = f"labintake_t_{uuid.uuid4().hex[:12]}"
    engine = _pg_admin()
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {_TEMPLATE}"))
    engine.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    engine = _pg_admin()
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {make_url(url).database} WITH (FORCE)"))
    engine.dispose()


@contextmanager
def pg_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database, dropped afterwards; the test is skipped where
    PostgreSQL is not reachable."""
    reason = postgres_available()
    if reason:
        pytest.skip(reason)
    url = fresh_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(url)


def migrated_database(kind: str, folder: Path) -> Iterator[str]:
    """A migrated, empty database of ``kind`` (sqlite or postgresql), dropped afterwards."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'labintake.db'}"
        upgrade(url)
        yield url
        return
    with pg_database() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: a SQLite file, and a fresh PostgreSQL database."""
    yield from migrated_database(request.param, tmp_path)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'labintake.db'}"
    upgrade(url)
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_database() as url:
        yield url


def make_settings(tmp_path: Path, db_url: str | None = None, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "database_url": db_url,
        "workers": 2,
        "poll_interval_seconds": 0.05,
        "retry_backoff_seconds": 0.1,
        "lease_seconds": 5.0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


BACKENDS = [
    "embedded-sqlite",
    pytest.param("embedded-postgresql", marks=pytest.mark.postgres),
    pytest.param("procrastinate", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Database and executor for the contract suite: the same tests against every executor."""
    if request.param == "embedded-sqlite":
        url = f"sqlite:///{tmp_path / 'labintake.db'}"
        upgrade(url)
        yield {"database_url": url, "executor": "embedded"}
        return
    with pg_database() as pg:
        yield {"database_url": pg, "executor": request.param.split("-")[0]}


def start_processing(li) -> None:  # type: ignore[no-untyped-def]
    """Run files in this process with the configured executor (a procrastinate worker, or embedded)."""
    li.start_processing()

"""Apply Alembic migrations programmatically (``labintake db upgrade``, and on start)."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # Passed as an attribute, not an option: ConfigParser would choke on '%' in passwords.
    cfg.attributes["url"] = url
    return cfg


def prepare(settings: Settings) -> None:
    """Make the database ready to use: the data directory for SQLite (this user's only: health
    data lives there), then every migration (as the tables' owner, ``migration_database_url``,
    when the app logs in as another role), then the SQLite file made private too."""
    if not settings.is_postgres:
        private_dir(settings.data_dir)
    try:
        upgrade(settings.migration_database_url or settings.db_url)
    except OperationalError as exc:  # the server is down or unreachable: say so, the caller may wait
        raise LabIntakeError(ErrorCode.DATABASE_UNAVAILABLE, detail=type(exc.orig).__name__) from exc
    if not settings.is_postgres:
        private_file(Path(make_url(settings.db_url).database or ""))


def private_dir(path: Path) -> None:
    """Create ``path`` readable by this user only; an existing folder is left as its owner set it."""
    if not path.exists():
        path.mkdir(parents=True, mode=0o700)
        path.chmod(0o700)


def private_file(path: Path) -> None:
    """The SQLite file readable by this user only; SQLite gives its -wal and -shm files the
    same mode."""
    if path.is_file():
        try:
            path.chmod(0o600)
        except PermissionError:  # not ours to change: say so, do not fail
            log.warning("cannot make the database file private", extra={"path": str(path)})


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)

"""Apply Alembic migrations programmatically (``labintake db upgrade``, and on start)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from labintake.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # Passed as an attribute, not an option: ConfigParser would choke on '%' in passwords.
    cfg.attributes["url"] = url
    return cfg


def prepare(settings: Settings) -> None:
    """Make the database ready to use: the data directory for SQLite, then every migration."""
    if not settings.is_postgres:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.db_url)


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)

"""Alembic environment: the URL comes from ``labintake.db.migrate`` (never from alembic.ini)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from labintake.db.engine import connect_args
from labintake.db.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = config.attributes.get("url")
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # Migrations act for everyone: with FORCE ROW LEVEL SECURITY (revision 0013) the owner is
    # bound by the policies too, and a data migration must see every user's rows.
    engine = create_engine(str(url), poolclass=pool.NullPool, connect_args=connect_args(str(url)))
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `labintake db upgrade`")
run_migrations_online()

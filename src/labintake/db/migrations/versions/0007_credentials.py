"""credentials that end: token expiry and revocation, browser-session idle time, an auth epoch

Revision ID: 0007
Revises: 0006

``api_tokens.expires_at`` / ``revoked_at``: a token stops working at either. Tokens made
before this revision keep working until revoked (their expiry is unknown, not invented).
``browser_sessions.last_seen_at``: a session idle longer than the idle timeout ends.
``auth_epoch``: one row whose counter goes up with every revocation, disable or password
change, so every process drops its cached credentials (PostgreSQL also notifies
``labintake_auth``; the SQLite watcher reads the counter once a second).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

APP_ROLE = "labintake_app"


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("revoked_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("browser_sessions") as batch:
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(), nullable=True))
    auth_epoch = op.create_table(
        "auth_epoch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_epoch")),
    )
    op.bulk_insert(auth_epoch, [{"id": 1, "epoch": 0}])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
    EXECUTE 'GRANT SELECT, UPDATE ON auth_epoch TO {APP_ROLE}';
  END IF;
END $$"""
        )


def downgrade() -> None:
    op.drop_table("auth_epoch")
    with op.batch_alter_table("browser_sessions") as batch:
        batch.drop_column("last_seen_at")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("revoked_at")
        batch.drop_column("expires_at")

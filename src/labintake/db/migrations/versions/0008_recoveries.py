"""worker-crash recoveries, and a session's own deadline

``processing_sessions.timeout_seconds``: the deadline a session was created with
(``POST /api/sessions`` ``timeoutSeconds``), counted from its first start; None means the
``LABINTAKE_SESSION_TIMEOUT_SECONDS`` setting applies.

Revision ID: 0008
Revises: 0007

``file_processing_status.recoveries``: how many times the worker process running this file
died while the server around it lived. A restart of the whole server (or a replica whose
lease expired) never counts and never costs an attempt; a file that kills its own worker
process three times is stopped with ``worker_lost`` (a poison pill). A manual retry resets it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN with a constant default: no table rebuild on SQLite, so the summary
    # triggers on file_processing_status stay as they are.
    op.add_column(
        "file_processing_status",
        sa.Column("recoveries", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("processing_sessions", sa.Column("timeout_seconds", sa.Float(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN on both (SQLite 3.35+): a batch rebuild of these tables would
    # trip the summary triggers that name them.
    op.execute("ALTER TABLE processing_sessions DROP COLUMN timeout_seconds")
    op.execute("ALTER TABLE file_processing_status DROP COLUMN recoveries")

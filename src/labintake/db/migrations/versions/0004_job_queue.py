"""procrastinate's job queue schema (PostgreSQL only; the embedded executor needs no queue)

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    exists = bind.exec_driver_sql("SELECT to_regclass('procrastinate_jobs') IS NOT NULL").scalar()
    if not exists:
        from procrastinate.schema import SchemaManager

        # The schema of the pinned procrastinate release; later releases ship their own
        # migrations, applied in a new revision of ours when we upgrade the pin.
        bind.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))


def downgrade() -> None:
    # The queue's schema belongs to procrastinate; dropping it would lose queued jobs.
    pass

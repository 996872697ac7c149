"""summary: a session not started yet is pending, whatever its files did at upload

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

from labintake.db import triggers

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in [*triggers.drop(dialect), *triggers.ddl(dialect)]:
        op.execute(statement)


def downgrade() -> None:
    pass  # the previous rule differs only for sessions that were never started

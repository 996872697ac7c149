"""test results keep the printed label and why they need review

Revision ID: 0006
Revises: 0005

``name_as_printed``: the label exactly as on the page (``name`` is the canonical one when
the catalog is certain). ``review_reason``: a short stable code saying why a person should
look at a row that was kept rather than dropped (``needs_review``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("test_results") as batch:
        batch.add_column(sa.Column("name_as_printed", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("review_reason", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("test_results") as batch:
        batch.drop_column("review_reason")
        batch.drop_column("name_as_printed")

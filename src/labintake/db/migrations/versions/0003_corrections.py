"""corrections and report reviews (kept apart from extracted data)

Revision ID: 0003
Revises: 0002

``corrections``: one row per field a person corrected on the review page (the new value and
the extracted one it replaced); ``report_reviews``: when a person confirmed a report. On
PostgreSQL both get the same owner policy as every user-owned table (revision 0002).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APP_ROLE = "labintake_app"
TABLES = ("corrections", "report_reviews")
_CURRENT_USER = "NULLIF(current_setting('app.user_id', true), '')"


def upgrade() -> None:
    op.create_table(
        "corrections",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("file_id", sa.String(length=36), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("original", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_corrections_user_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["file_id"], ["uploaded_files.id"],
                                name=op.f("fk_corrections_file_id_uploaded_files"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrections")),
        sa.UniqueConstraint("file_id", "target", name="uq_corrections_file_id_target"),
    )
    with op.batch_alter_table("corrections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_corrections_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_corrections_file_id"), ["file_id"], unique=False)

    op.create_table(
        "report_reviews",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("file_id", sa.String(length=36), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_report_reviews_user_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["file_id"], ["uploaded_files.id"],
                                name=op.f("fk_report_reviews_file_id_uploaded_files"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_reviews")),
        sa.UniqueConstraint("file_id", name=op.f("uq_report_reviews_file_id")),
    )
    with op.batch_alter_table("report_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_reviews_user_id"), ["user_id"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY {table}_owner ON {table} "
                f"USING (user_id = {_CURRENT_USER}) WITH CHECK (user_id = {_CURRENT_USER})"
            )
        op.execute(
            f"""DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON {", ".join(TABLES)} TO {APP_ROLE}';
  END IF;
END $$"""
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP POLICY IF EXISTS {table}_owner ON {table}")
    op.drop_table("report_reviews")
    op.drop_table("corrections")

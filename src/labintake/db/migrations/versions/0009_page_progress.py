"""page progress within extracting, and the page cache a retry resumes from

Revision ID: 0009
Revises: 0007

``file_processing_status.pages_done`` / ``pages_total``: how far the current reading of a
file has got (the progress JSON's ``pagesDone``/``pagesTotal``). ``page_cache``: each page
of an uploaded file as OCR read it, per strategy, kept as it finishes, so a retry after a
timeout or a crash resumes after the last page kept. On PostgreSQL it gets the same owner
policy as every user-owned table (revision 0002).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

APP_ROLE = "labintake_app"
_CURRENT_USER = "NULLIF(current_setting('app.user_id', true), '')"


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy): the summary triggers on this table stay in place.
    op.add_column("file_processing_status", sa.Column("pages_done", sa.Integer(), nullable=True))
    op.add_column("file_processing_status", sa.Column("pages_total", sa.Integer(), nullable=True))
    op.create_table(
        "page_cache",
        sa.Column("file_id", sa.String(length=36), nullable=False),
        sa.Column("strategy", sa.String(length=16), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["uploaded_files.id"],
                                name=op.f("fk_page_cache_file_id_uploaded_files"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_page_cache_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("file_id", "strategy", "page", name=op.f("pk_page_cache")),
    )
    op.create_index(op.f("ix_page_cache_user_id"), "page_cache", ["user_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE page_cache ENABLE ROW LEVEL SECURITY")
        op.execute(
            "CREATE POLICY page_cache_owner ON page_cache "
            f"USING (user_id = {_CURRENT_USER}) WITH CHECK (user_id = {_CURRENT_USER})"
        )
        op.execute(
            f"""DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON page_cache TO {APP_ROLE}';
  END IF;
END $$"""
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP POLICY IF EXISTS page_cache_owner ON page_cache")
    op.drop_index(op.f("ix_page_cache_user_id"), table_name="page_cache")
    op.drop_table("page_cache")
    with op.batch_alter_table("file_processing_status") as batch:
        batch.drop_column("pages_total")
        batch.drop_column("pages_done")

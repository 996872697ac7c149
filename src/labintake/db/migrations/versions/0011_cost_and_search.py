"""cost per file and search: CPU-seconds, vision tokens and their cost; a normalised search column

Revision ID: 0011
Revises: 0007

``file_processing_status`` gains ``cpu_seconds``, ``vision_input_tokens``,
``vision_output_tokens``, ``compute_cost`` and ``vision_cost`` (stored when a file ends, at
the prices of that day) and ``search_text``: the file name, patient name and lab name,
lowercased with accents stripped (``domain.search.normalise``, maintained by the app).

The index behind a substring search: on PostgreSQL a trigram GIN index (``pg_trgm``; when
the extension cannot be created, the search still works, by a scan); on SQLite an FTS5
trigram table ``file_search`` with the row's rowid, kept in step by triggers.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COLUMNS = ("cpu_seconds", "vision_input_tokens", "vision_output_tokens", "compute_cost", "vision_cost",
           "search_text")

SQLITE_UP = [
    "CREATE VIRTUAL TABLE file_search USING fts5(search_text, tokenize='trigram')",
    """CREATE TRIGGER file_search_insert AFTER INSERT ON file_processing_status BEGIN
  INSERT INTO file_search(rowid, search_text) VALUES (new.rowid, coalesce(new.search_text, ''));
END""",
    """CREATE TRIGGER file_search_update AFTER UPDATE OF search_text ON file_processing_status BEGIN
  UPDATE file_search SET search_text = coalesce(new.search_text, '') WHERE rowid = new.rowid;
END""",
    """CREATE TRIGGER file_search_delete AFTER DELETE ON file_processing_status BEGIN
  DELETE FROM file_search WHERE rowid = old.rowid;
END""",
]

PG_UP = [
    # pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it. A role
    # that may not still gets a working, unindexed search rather than a failed upgrade.
    """DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN insufficient_privilege OR feature_not_supported OR undefined_file THEN
  RAISE NOTICE 'pg_trgm unavailable: file search runs unindexed';
END $$""",
    # fastupdate off: a file's search text is written twice in its life (upload, save), and a
    # pending list makes the planner shun the index until the next vacuum (measured: a 20,000-row
    # bulk insert left it choosing a sequential scan, 25x slower).
    """DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE INDEX IF NOT EXISTS ix_file_processing_status_search_text
      ON file_processing_status USING gin (search_text gin_trgm_ops) WITH (fastupdate = off);
  END IF;
END $$""",
]


def upgrade() -> None:
    op.add_column("file_processing_status", sa.Column("cpu_seconds", sa.Float(), nullable=True))
    op.add_column("file_processing_status", sa.Column("vision_input_tokens", sa.Integer(), nullable=True))
    op.add_column("file_processing_status", sa.Column("vision_output_tokens", sa.Integer(), nullable=True))
    op.add_column("file_processing_status", sa.Column("compute_cost", sa.Float(), nullable=True))
    op.add_column("file_processing_status", sa.Column("vision_cost", sa.Float(), nullable=True))
    op.add_column("file_processing_status", sa.Column("search_text", sa.Text(), nullable=True))
    _backfill()
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_UP if dialect == "sqlite" else PG_UP if dialect == "postgresql" else []:
        op.execute(statement)
    if dialect == "sqlite":
        op.execute("INSERT INTO file_search(rowid, search_text) "
                   "SELECT rowid, coalesce(search_text, '') FROM file_processing_status")


def _backfill() -> None:
    """The search text of every existing file, computed as the app does (in Python: the
    accent folding is ``unicodedata``'s, the same on both databases)."""
    from labintake.domain.search import searchable

    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT f.id, f.file_name, p.name, r.lab_name FROM file_processing_status f "
        "LEFT JOIN lab_reports r ON r.file_id = f.file_id LEFT JOIN patients p ON p.id = r.patient_id"
    )).all()
    update = sa.text("UPDATE file_processing_status SET search_text = :t WHERE id = :i")
    for start in range(0, len(rows), 1000):
        bind.execute(update, [{"i": r[0], "t": searchable(r[1], r[2], r[3])} for r in rows[start:start + 1000]])


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("file_search_insert", "file_search_update", "file_search_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS file_search")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_file_processing_status_search_text")
    with op.batch_alter_table("file_processing_status") as batch:
        for column in reversed(COLUMNS):
            batch.drop_column(column)

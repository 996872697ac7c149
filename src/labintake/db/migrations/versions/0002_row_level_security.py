"""row-level security for the application role (PostgreSQL only)

Revision ID: 0002
Revises: 0001

Every user-owned table gets a policy keyed on the per-transaction setting ``app.user_id``
(``SET LOCAL app.user_id = '…'``): a query that forgets its ``WHERE user_id = …`` sees no
other user's rows, and without the setting it sees nothing at all. The policies bind
every role that does not own the tables (owners and BYPASSRLS roles, such as the
migrating and worker role, are exempt — the seed's service role). ``labintake_app`` is
such a role: NOLOGIN, granted to the login role the API connects as, or used with
``SET ROLE labintake_app``. On SQLite this revision does nothing.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APP_ROLE = "labintake_app"

# table -> the column that holds the owner's id
OWNED = {
    "users": "id",
    "api_tokens": "user_id",
    "browser_sessions": "user_id",
    "processing_sessions": "user_id",
    "uploaded_files": "user_id",
    "file_processing_status": "user_id",
    "session_processing_summary": "user_id",
    "session_events": "user_id",
    "patients": "user_id",
    "lab_reports": "user_id",
    "test_results": "user_id",
    "parsed_documents": "user_id",
}

# NULLIF: an unset setting reads as '' after a SET LOCAL elsewhere in the session; both mean nobody.
_CURRENT_USER = "NULLIF(current_setting('app.user_id', true), '')"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
    CREATE ROLE {APP_ROLE} NOLOGIN;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'cannot create role {APP_ROLE}; create it as a superuser and re-grant';
END $$"""
    )
    has_role = f"EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}')"
    for table, column in OWNED.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY {table}_owner ON {table} "
            f"USING ({column} = {_CURRENT_USER}) WITH CHECK ({column} = {_CURRENT_USER})"
        )
    op.execute(
        f"""DO $$
BEGIN
  IF {has_role} THEN
    EXECUTE 'GRANT USAGE ON SCHEMA ' || quote_ident(current_schema()) || ' TO {APP_ROLE}';
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON {", ".join(OWNED)} TO {APP_ROLE}';
    EXECUTE 'GRANT SELECT ON alembic_version TO {APP_ROLE}';
    EXECUTE 'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ' || quote_ident(current_schema()) || ' TO {APP_ROLE}';
  END IF;
END $$"""
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in OWNED:
        op.execute(f"DROP POLICY IF EXISTS {table}_owner ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute(
        f"""DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
    EXECUTE 'REVOKE ALL ON {", ".join(OWNED)} FROM {APP_ROLE}';
    EXECUTE 'REVOKE ALL ON ALL SEQUENCES IN SCHEMA ' || quote_ident(current_schema()) || ' FROM {APP_ROLE}';
  END IF;
END $$"""
    )

"""row-level security binds the tables' owner too (FORCE), with an explicit system scope

Revision ID: 0013
Revises: 0012

Until now the policies bound only roles that do not own the tables, and LabIntake's login
role owned them: every unit of work not switched to ``labintake_app`` read everything.
Now every table with row-level security is ``FORCE ROW LEVEL SECURITY``, so the owner is
bound as well, and a second policy, ``<table>_system``, lets work done for everyone see
all rows only when it says so: the transaction (or connection) sets ``app.system = 'on'``
and is not running as ``labintake_app``. ``Database`` sets it for system units of work
(workers, recovery, admission, authentication); a unit of work scoped to a user switches
to ``labintake_app`` and so never matches it. With neither setting a query sees no rows.

The setting is not a secret: it keeps a query that forgets its ``WHERE user_id`` from
reading another user's rows, not SQL that an attacker writes (bound parameters guard
that). Superusers and BYPASSRLS roles are not bound by any policy.
On SQLite this revision does nothing.
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

APP_ROLE = "labintake_app"
SYSTEM = f"(current_setting('app.system', true) = 'on' AND current_user <> '{APP_ROLE}')"

# Every table of this schema that has row-level security enabled, whichever revision made it.
_RLS_TABLES = """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r' AND c.relrowsecurity AND n.nspname = current_schema()"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""DO $$
DECLARE t text;
BEGIN
  FOR t IN {_RLS_TABLES} LOOP
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('DROP POLICY IF EXISTS %I ON %I', t || '_system', t);
    EXECUTE format('CREATE POLICY %I ON %I USING {SYSTEM.replace("'", "''")} WITH CHECK {SYSTEM.replace("'", "''")}',
                   t || '_system', t);
  END LOOP;
END $$"""
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""DO $$
DECLARE t text;
BEGIN
  FOR t IN {_RLS_TABLES} LOOP
    EXECUTE format('DROP POLICY IF EXISTS %I ON %I', t || '_system', t);
    EXECUTE format('ALTER TABLE %I NO FORCE ROW LEVEL SECURITY', t);
  END LOOP;
END $$"""
    )

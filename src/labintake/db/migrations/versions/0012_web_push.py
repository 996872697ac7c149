"""web push: browsers' push subscriptions, the server's VAPID key, deliveries of kind push

Revision ID: 0012
Revises: 0011

``push_subscriptions``: one row per browser (or installed web app) of a user that turned
session-end push notifications on: the push service's endpoint and the keys messages are
encrypted to (RFC 8291). On PostgreSQL it gets the owner policy of every user-owned table.
``push_keys``: the server's VAPID key pair (RFC 8292), one row made on first use. No user
owns it and the app role is granted nothing on it: only system-scope code reads it.
``notification_deliveries.kind`` may now be ``push`` (target: the subscription's id).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

APP_ROLE = "labintake_app"
_CURRENT_USER = "NULLIF(current_setting('app.user_id', true), '')"
KINDS_BEFORE = "kind IN ('email', 'webhook')"
KINDS_AFTER = "kind IN ('email', 'webhook', 'push')"


def _kinds(check: str) -> None:
    with op.batch_alter_table("notification_deliveries", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_notification_deliveries_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_notification_deliveries_kind"), check)


def upgrade() -> None:
    op.create_table(
        "push_subscriptions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("endpoint", sa.String(length=2000), nullable=False),
        sa.Column("p256dh", sa.String(length=128), nullable=False),
        sa.Column("auth", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_push_subscriptions_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_subscriptions")),
        sa.UniqueConstraint("user_id", "endpoint", name="uq_push_subscriptions_user_id_endpoint"),
    )
    with op.batch_alter_table("push_subscriptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_push_subscriptions_user_id"), ["user_id"], unique=False)
    op.create_table(
        "push_keys",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("private_pem", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_keys")),
    )
    _kinds(KINDS_AFTER)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE push_subscriptions ENABLE ROW LEVEL SECURITY")
        op.execute(
            "CREATE POLICY push_subscriptions_owner ON push_subscriptions "
            f"USING (user_id = {_CURRENT_USER}) WITH CHECK (user_id = {_CURRENT_USER})"
        )
        op.execute(
            f"""DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON push_subscriptions TO {APP_ROLE}';
  END IF;
END $$"""
        )


def downgrade() -> None:
    op.execute("DELETE FROM notification_deliveries WHERE kind = 'push'")
    _kinds(KINDS_BEFORE)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP POLICY IF EXISTS push_subscriptions_owner ON push_subscriptions")
    op.drop_table("push_keys")
    op.drop_table("push_subscriptions")

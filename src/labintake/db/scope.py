"""Whose data a unit of work may see: the per-request user, enforced by PostgreSQL.

The web layer sets ``current_user`` once it has authenticated a request. On PostgreSQL
every transaction begun while it is set switches to the row-level-security role
(``SET LOCAL ROLE labintake_app``) with ``app.user_id`` set, so a query that forgets its
``WHERE user_id = …`` still sees nothing of another user's. Work done for everyone
(admission, recovery, workers, authentication itself) runs outside that scope, or asks
for ``system=True`` explicitly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

APP_ROLE = "labintake_app"

current_user: ContextVar[str | None] = ContextVar("labintake_current_user", default=None)


@contextmanager
def acting_as(user_id: str | None) -> Iterator[None]:
    """Run a block as ``user_id`` (tests, CLI); the web layer sets the variable per request."""
    token = current_user.set(user_id)
    try:
        yield
    finally:
        current_user.reset(token)

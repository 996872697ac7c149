"""Whose data a unit of work may see: the per-request user, enforced by PostgreSQL.

The web layer sets ``current_user`` once it has authenticated a request. On PostgreSQL
every transaction begun while it is set switches to the row-level-security role
(``SET LOCAL ROLE labintake_app``) with ``app.user_id`` set, so a query that forgets its
``WHERE user_id = …`` still sees nothing of another user's. Work done for everyone
(admission, recovery, workers, authentication itself) runs outside that scope, or asks
for ``system=True`` explicitly: its connections carry ``app.system = on``, which the
``<table>_system`` policies admit (revision 0013; the tables are FORCE ROW LEVEL SECURITY,
so even their owner sees nothing without one or the other).

Inside an HTTP request (``in_request``, set by the web layer) a unit of work with no user
that did not ask for ``system=True`` is a request path that forgot its scope: it is not
treated as system work (it sees no rows on PostgreSQL) and a warning names it.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

APP_ROLE = "labintake_app"
SYSTEM_SETTING = "app.system"

log = logging.getLogger(__name__)

current_user: ContextVar[str | None] = ContextVar("labintake_current_user", default=None)
in_request: ContextVar[bool] = ContextVar("labintake_in_request", default=False)

# How many units of work a request began unscoped (not system, no user), since start.
unscoped_units = 0


@contextmanager
def acting_as(user_id: str | None) -> Iterator[None]:
    """Run a block as ``user_id`` (tests, CLI); the web layer sets the variable per request."""
    token = current_user.set(user_id)
    try:
        yield
    finally:
        current_user.reset(token)


def unscoped_in_request() -> None:
    """Count and report a unit of work a request began with neither a user nor ``system=True``."""
    global unscoped_units
    unscoped_units += 1
    frames = [f for f in traceback.extract_stack(limit=12)
              if not f.filename.endswith(("contextlib.py", "scope.py", "engine.py"))]
    where = " < ".join(f"{f.name} ({f.filename.rsplit('/', 1)[-1]}:{f.lineno})" for f in reversed(frames[-3:]))
    log.warning("a request began a unit of work with no user scope; it sees no rows on PostgreSQL: %s", where)

"""A stampede of one bearer token (a thousand streams reconnecting at once) makes one check."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import event

from labintake import auth
from labintake.service import LabIntake
from labintake.web.deps import TokenChecks
from tests.conftest import make_settings
from tests.fixtures.aio import run


def _token_reads(li: LabIntake) -> list[str]:
    reads: list[str] = []

    @event.listens_for(li.db.engine, "before_cursor_execute")
    def _seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "api_tokens" in statement:
            reads.append(statement)

    return reads


def test_concurrent_first_requests_of_one_token_share_one_check(db_url: str, tmp_path: Path) -> None:
    """Given a token the cache has never seen, when 200 requests bring it at the same moment,
    then the database is asked once, every request gets the same user, and a bad token asked
    for by many at once is refused to each of them (again with one check)."""
    li = LabIntake(make_settings(tmp_path, db_url))
    try:
        with li.db.transaction() as s:
            user_id = auth.create_user(s, "stampede@example.org", "correct horse battery")
            token = auth.create_token(s, user_id, "stampede")
        reads = _token_reads(li)
        checks = TokenChecks()

        async def stampede(secret: str) -> list[str | None]:
            # gather starts every request before any thread's answer can come back to the loop
            return await asyncio.gather(*(checks.user_id(li, secret) for _ in range(200)))

        assert run(stampede(token)) == [user_id] * 200
        assert len(reads) == 1, reads
        assert li.tokens.get(token) == user_id  # and remembered: the next request needs no check

        assert run(stampede(auth.TOKEN_PREFIX + "not-a-token")) == [None] * 200
        assert len(reads) == 2, reads
    finally:
        li.stop()


def test_a_waiter_that_goes_away_does_not_cancel_the_others(db_url: str, tmp_path: Path) -> None:
    li = LabIntake(make_settings(tmp_path, db_url))
    try:
        with li.db.transaction() as s:
            user_id = auth.create_user(s, "hangup@example.org", "correct horse battery")
            token = auth.create_token(s, user_id, "hangup")
        checks = TokenChecks()

        async def scenario() -> list[str | None]:
            first = asyncio.ensure_future(checks.user_id(li, token))
            others = [asyncio.ensure_future(checks.user_id(li, token)) for _ in range(5)]
            await asyncio.sleep(0)  # every request has joined the one check
            first.cancel()  # its client hung up
            return await asyncio.gather(*others)

        assert run(scenario()) == [user_id] * 5
    finally:
        li.stop()

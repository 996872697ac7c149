"""Issue 13's credential upkeep that no other test showed: expired and idle browser sessions are
purged (item 7), password hashes run a bounded number at a time (item 4), and the deployed
proxy limits the login form (item 4)."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from labintake import auth
from labintake.db.engine import Database
from labintake.db.models import BrowserSession, utcnow

NGINX = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "labintake.conf"


def test_expired_and_idle_browser_sessions_are_purged(db_url: str) -> None:
    """Given a live, an expired and an idle browser session, when the purge runs, then only the
    live one is left, and it still logs its user in."""
    db = Database(db_url)
    try:
        with db.transaction() as s:
            user_id = auth.create_user(s, "purge@example.org", "correct horse battery")
            live = auth.start_browser_session(s, user_id)
            expired = auth.start_browser_session(s, user_id)
            idle = auth.start_browser_session(s, user_id)
        with db.transaction() as s:
            s.execute(update(BrowserSession).where(BrowserSession.id == auth.digest(expired.cookie))
                      .values(expires_at=utcnow() - timedelta(seconds=1)))
            s.execute(update(BrowserSession).where(BrowserSession.id == auth.digest(idle.cookie))
                      .values(last_seen_at=utcnow() - timedelta(hours=9)))
        with db.transaction() as s:
            assert auth.purge_browser_sessions(s, timedelta(hours=8)) == 2
        with db.read() as s:
            assert s.execute(select(func.count()).select_from(BrowserSession)).scalar_one() == 1
            found = auth.browser_user(s, live.cookie)
        assert found is not None and found.user_id == user_id
    finally:
        db.dispose()


def test_password_hashes_wait_for_a_free_slot() -> None:
    """Given every hashing slot taken, when a password is hashed, then it waits; once a slot is
    free it finishes (an argon2 hash takes 64 MiB, so a login flood must queue, not multiply)."""
    slots = auth._HASH_SLOTS
    taken = 0
    while slots.acquire(blocking=False):
        taken += 1
    assert taken >= 2, "the slots are bounded and were all free"
    done = threading.Event()
    hashed: list[str] = []

    def hash_one() -> None:
        hashed.append(auth.hash_password("correct horse battery"))
        done.set()

    worker = threading.Thread(target=hash_one, daemon=True)
    try:
        worker.start()
        assert not done.wait(1.0), "a hash ran although every slot was taken"
    finally:
        for _ in range(taken):
            slots.release()
    assert done.wait(60)
    assert auth.verify_password(hashed[0], "correct horse battery")


def test_the_proxy_config_limits_login_attempts() -> None:
    """deploy/nginx: POST /login goes through a limit_req zone (429 past it), header and body
    timeouts are set."""
    conf = NGINX.read_text()
    zone = re.search(r"limit_req_zone\s+\S+\s+zone=(\w+):", conf)
    assert zone, "no limit_req_zone"
    login = re.search(r"location\s+=\s+/login\s*\{(.*?)\}", conf, re.S)
    assert login and f"limit_req zone={zone.group(1)}" in login.group(1), "the login location is not limited"
    assert "limit_req_status 429" in login.group(1)
    for directive in ("client_header_timeout", "client_body_timeout"):
        assert re.search(rf"^\s*{directive}\s+\d+s?;", conf, re.M), directive

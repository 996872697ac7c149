"""Credentials that end, on a real server: revoked and expired tokens, disabled users, password
changes, idle browser sessions, and login throttling."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from labintake import auth
from labintake.db.models import ApiToken, BrowserSession, utcnow
from tests.api.conftest import Api


def wait_status(client: httpx.Client, path: str, status: int, timeout: float = 5.0) -> httpx.Response:
    """The cache is dropped when the auth epoch moves: at once on PostgreSQL (NOTIFY), within the
    SQLite watcher's one-second look otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(path)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.1)


def browser(api: Api, email: str, password: str) -> httpx.Client:
    """A logged-in browser: the login form's CSRF cookie and field, then the session cookie."""
    client = api.anonymous()
    form = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": csrf, "next": "/"})
    assert response.status_code == 303, response.text
    return client


def test_a_revoked_token_gets_401_even_while_cached(api: Api) -> None:
    _, client = api.user("revoke@example.test")
    assert client.get("/api/sessions").status_code == 200  # now in the token cache
    with api.li.db.transaction() as s:
        assert auth.revoke_tokens(s, "revoke@example.test", None) == 1
    response = wait_status(client, "/api/sessions", 401)
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"


def test_a_disabled_user_gets_401_and_enabled_again_works(api: Api) -> None:
    _, client = api.user("disable@example.test")
    assert client.get("/api/sessions").status_code == 200
    with api.li.db.transaction() as s:
        auth.set_active(s, "disable@example.test", False)
    assert wait_status(client, "/api/sessions", 401).status_code == 401
    with api.li.db.transaction() as s:
        auth.set_active(s, "disable@example.test", True)
    assert wait_status(client, "/api/sessions", 200).status_code == 200


def test_an_expired_token_gets_401(api: Api) -> None:
    user_id, _ = api.user("expiry@example.test")
    with api.li.db.transaction() as s:
        token = auth.create_token(s, user_id, "short", ttl=timedelta(seconds=1))
    client = httpx.Client(base_url=api.url, headers={"Authorization": f"Bearer {token}"})
    try:
        assert client.get("/api/sessions").status_code == 200  # cached no longer than its life
        deadline = time.monotonic() + 30
        while client.get("/api/sessions").status_code != 401:  # the expiry passes: refused from then on
            assert time.monotonic() < deadline, "an expired token still works"
            time.sleep(0.1)
        assert client.get("/api/sessions").status_code == 401
    finally:
        client.close()


def test_a_password_change_ends_the_users_browser_sessions(api: Api) -> None:
    api.user("change@example.test", "first long password")
    client = browser(api, "change@example.test", "first long password")
    assert client.get("/api/me").status_code == 200
    with api.li.db.transaction() as s:
        auth.set_password(s, "change@example.test", "second long password")
    assert client.get("/api/me").status_code == 401
    assert client.get("/upload").status_code == 303  # the page sends the browser to log in


def test_an_idle_browser_session_ends(api: Api) -> None:
    api.user("idle@example.test", "idle long password")
    client = browser(api, "idle@example.test", "idle long password")
    assert client.get("/api/me").status_code == 200
    long_ago = utcnow() - api.li.settings.session_idle - timedelta(minutes=1)
    with api.li.db.transaction(system=True) as s:  # as if the last request was 8 h ago
        s.execute(update(BrowserSession).values(last_seen_at=long_ago, created_at=long_ago))
    assert client.get("/api/me").status_code == 401


def test_repeated_wrong_passwords_are_throttled_with_retry_after(api: Api) -> None:
    """Given 5 wrong passwords for one account, the 6th attempt, even with the right password,
    is refused with 429 and Retry-After, on the styled page with the email kept."""
    api.user("throttle@example.test", "the right long password")
    client = api.anonymous()
    for attempt in range(6):
        form = client.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        password = "the right long password" if attempt == 5 else f"wrong guess {attempt}"
        response = client.post("/login", data={"email": "throttle@example.test", "password": password,
                                               "csrf_token": csrf, "next": "/"})
        if attempt < 5:
            assert response.status_code == 401
            assert "Wrong email or password" in response.text and 'value="throttle@example.test"' in response.text
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many failed attempts" in response.text and 'href="/static/css/app.css"' in response.text


def test_tokens_made_before_expiry_existed_keep_working(api: Api) -> None:
    """A token row with no expiry (from before migration 0007) is valid until revoked."""
    user_id, _ = api.user("legacy@example.test")
    with api.li.db.transaction() as s:
        token = auth.create_token(s, user_id, "old", ttl=None)
        s.execute(update(ApiToken).where(ApiToken.name == "old").values(expires_at=None))
    with httpx.Client(base_url=api.url, headers={"Authorization": f"Bearer {token}"}) as client:
        assert client.get("/api/sessions").status_code == 200


@pytest.mark.parametrize("weak", ["short", "password1234"])
def test_a_weak_password_is_refused_when_creating_a_user(api: Api, weak: str) -> None:
    with api.li.db.transaction() as s, pytest.raises(auth.WeakPassword):
        auth.create_user(s, f"weak-{len(weak)}@example.test", weak)

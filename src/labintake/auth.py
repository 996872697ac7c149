"""Accounts and credentials: argon2 password hashes, bearer tokens and browser sessions.

Only digests of secrets are stored: a token or session cookie found in a database dump
cannot be replayed. Tokens and cookies are 256-bit random values, so a plain sha256 is
enough (no salt or stretching needed, unlike passwords).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.orm import Session

from labintake.db import users as repo
from labintake.db.engine import Database
from labintake.db.models import ApiToken, utcnow

TOKEN_PREFIX = "li_"
SESSION_TTL = timedelta(days=7)
SESSION_IDLE = timedelta(hours=8)  # LABINTAKE_SESSION_IDLE_HOURS
TOKEN_TTL = timedelta(days=90)  # LABINTAKE_TOKEN_TTL_DAYS
_TOUCH_EVERY = 60.0  # seconds: last-used/last-seen stamps are written at most this often

_hasher = PasswordHasher()
# Each argon2 hash takes 64 MiB for a moment: a login flood must not take memory with it.
# Two per core keeps the cores busy; the rest wait their turn.
_HASH_SLOTS = threading.BoundedSemaphore(2 * (os.cpu_count() or 1))
MIN_PASSWORD_LENGTH = 12


class WeakPassword(ValueError):
    """A password the policy refuses; the message says why (for the CLI and the settings page)."""


def check_password(password: str, email: str | None = None) -> None:
    """At least 12 characters, not one of the commonest passwords, not the email itself."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"use at least {MIN_PASSWORD_LENGTH} characters")
    folded = password.strip().lower()
    if folded in _common_passwords() or len(set(folded)) <= 2:
        raise WeakPassword("that password is among the most common ones; choose another")
    if email and folded in {email.lower(), email.lower().split("@")[0]}:
        raise WeakPassword("the password may not be the email address")


@functools.cache
def _common_passwords() -> frozenset[str]:
    from importlib.resources import files

    text = files("labintake").joinpath("data", "common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


class AuthError(Exception):
    """Bad credentials or an unusable account (the web renders it as ``unauthorized``)."""


def hash_password(password: str) -> str:
    with _HASH_SLOTS:
        return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        # Same cost as a real check, so response time does not reveal which accounts exist.
        hash_password(password)
        return False
    try:
        with _HASH_SLOTS:
            return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def random_password() -> str:
    return secrets.token_urlsafe(18)


def same(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two secrets; None never matches."""
    return a is not None and b is not None and hmac.compare_digest(a.encode(), b.encode())


# --- accounts -------------------------------------------------------------------------------


def create_user(s: Session, email: str, password: str) -> str:
    """A new active user (email is normalised to lower case); raises AuthError if it exists,
    WeakPassword if the password is refused."""
    email = normalise_email(email)
    if repo.user_by_email(s, email) is not None:
        raise AuthError(f"a user {email} already exists")
    check_password(password, email)
    return repo.add_user(s, email, hash_password(password)).id


def set_password(s: Session, email: str, password: str) -> str:
    """A new password; the user's browser sessions end (tokens stay: revoke them on their own)."""
    user = repo.user_by_email(s, normalise_email(email))
    if user is None:
        raise AuthError(f"no user {email}")
    check_password(password, user.email)
    user.password_hash = hash_password(password)
    repo.end_browser_sessions_of(s, user.id)
    repo.bump_auth_epoch(s)
    return user.id


def set_active(s: Session, email: str, active: bool) -> str:
    """Disable (or enable) an account: a disabled user's sessions end and every credential
    of theirs gets 401 at once, in every process."""
    user = repo.user_by_email(s, normalise_email(email))
    if user is None:
        raise AuthError(f"no user {email}")
    user.is_active = active
    if not active:
        repo.end_browser_sessions_of(s, user.id)
    repo.bump_auth_epoch(s)
    return user.id


def login(s: Session, email: str, password: str) -> str:
    """The user id for valid credentials of an active user, else AuthError."""
    user = repo.user_by_email(s, normalise_email(email))
    if not verify_password(user.password_hash if user else None, password) or user is None or not user.is_active:
        raise AuthError("invalid email or password")
    if _hasher.check_needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    return user.id


def normalise_email(email: str) -> str:
    return email.strip().lower()


# --- bearer tokens --------------------------------------------------------------------------


def create_token(s: Session, user_id: str, name: str = "", *, ttl: timedelta | None = TOKEN_TTL) -> str:
    """A new bearer token for the user, valid for ``ttl`` (None: until revoked); returned
    once, only its sha256 is stored."""
    token = TOKEN_PREFIX + new_secret()
    repo.add_token(s, user_id, digest(token), name, expires_at=utcnow() + ttl if ttl is not None else None)
    return token


def revoke_tokens(s: Session, email: str, token_id: str | None) -> int:
    """Revoke one token (by id, or a unique prefix of it) or all (None) of a user's; how many."""
    user = repo.user_by_email(s, normalise_email(email))
    if user is None:
        raise AuthError(f"no user {email}")
    if token_id is not None:
        matches = [t for t in repo.tokens_of(s, user.id) if t.id.startswith(token_id)]
        if len(matches) != 1:
            raise AuthError(f"no single token of {user.email} starts with {token_id!r}")
    revoked = repo.revoke_tokens(s, user.id, token_id, now=utcnow())
    repo.bump_auth_epoch(s)
    return revoked


def list_tokens(s: Session, email: str) -> list[ApiToken]:
    user = repo.user_by_email(s, normalise_email(email))
    if user is None:
        raise AuthError(f"no user {email}")
    return repo.tokens_of(s, user.id)


class TokenCache:
    """Bearer token -> user, remembered for ``ttl`` seconds so a polling client costs no
    database read per request. Only hits of live tokens are kept, never past the token's own
    expiry; ``clear()`` runs whenever the auth epoch moves (a revocation, disable or password
    change in any process), so those get 401 at once here too."""

    def __init__(self, ttl: float = 30.0, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._entries: dict[str, tuple[str, float]] = {}
        self.epoch: int | None = None

    def get(self, token: str) -> str | None:
        entry = self._entries.get(digest(token))
        if entry is None or time.monotonic() > entry[1]:
            return None
        return entry[0]

    def put(self, token: str, user_id: str, *, expires_in: float | None = None) -> None:
        if len(self._entries) >= self.size:
            self._entries.clear()  # rare: a simple bound beats an LRU here
        ttl = self.ttl if expires_in is None else max(0.0, min(self.ttl, expires_in))
        self._entries[digest(token)] = (user_id, time.monotonic() + ttl)

    def clear(self) -> None:
        self._entries = {}

    def at_epoch(self, epoch: int) -> None:
        """The auth epoch read from the database: a change drops every entry."""
        if epoch != self.epoch:
            self.clear()
            self.epoch = epoch


@dataclass(frozen=True, slots=True)
class TokenUser:
    user_id: str
    expires_in: float | None  # seconds the token has left; None: no expiry


def user_for_token(db: Database, token: str) -> str | None:
    found = token_user(db, token)
    return found.user_id if found else None


def token_user(db: Database, token: str) -> TokenUser | None:
    """The owner of a live bearer token. A read; ``last_used_at`` is written at most once a
    minute, so authenticating does not turn every request into a write (SQLite has one writer)."""
    now = utcnow()
    with db.read(system=True) as s:  # before we know whose it is
        found = repo.token_owner(s, digest(token), now=now)
    if found is None:
        return None
    token_id, user_id, last_used, expires_at = found
    if last_used is None or (now - last_used).total_seconds() > _TOUCH_EVERY:
        with db.transaction(system=True) as s:
            repo.touch_token(s, token_id, now)
    return TokenUser(user_id, (expires_at - now).total_seconds() if expires_at else None)


# --- browser sessions -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BrowserLogin:
    cookie: str  # the cookie value; only its sha256 is stored
    csrf_token: str


@dataclass(frozen=True, slots=True)
class BrowserUser:
    user_id: str
    csrf_token: str


def start_browser_session(s: Session, user_id: str, ttl: timedelta = SESSION_TTL) -> BrowserLogin:
    cookie, csrf = new_secret(), new_secret()
    repo.add_browser_session(s, digest(cookie), user_id, csrf, expires_at=utcnow() + ttl)
    return BrowserLogin(cookie, csrf)


def browser_user(s: Session, cookie: str, idle: timedelta = SESSION_IDLE) -> BrowserUser | None:
    """The user of a live browser session (a read; see ``browser_user_seen`` for the idle clock)."""
    now = utcnow()
    found = repo.browser_session(s, digest(cookie), now=now, idle_since=now - idle)
    return BrowserUser(found[0], found[1]) if found else None


def browser_user_seen(db: Database, cookie: str, idle: timedelta = SESSION_IDLE) -> BrowserUser | None:
    """The user of a live browser session, and the session's idle clock reset (written at most
    once a minute): a session not used for ``idle`` ends."""
    now = utcnow()
    with db.read(system=True) as s:  # before we know whose it is
        found = repo.browser_session(s, digest(cookie), now=now, idle_since=now - idle)
    if found is None:
        return None
    user_id, csrf, seen = found
    if (now - seen).total_seconds() > _TOUCH_EVERY:
        with db.transaction(system=True) as s:
            repo.touch_browser_session(s, digest(cookie), now)
    return BrowserUser(user_id, csrf)


def purge_browser_sessions(s: Session, idle: timedelta = SESSION_IDLE) -> int:
    """Delete expired and idle browser sessions (at login and at start)."""
    now = utcnow()
    return repo.delete_expired_browser_sessions(s, now=now, idle_since=now - idle)


def end_browser_session(s: Session, cookie: str) -> None:
    repo.delete_browser_session(s, digest(cookie))

"""Request dependencies: the service container and the authenticated user.

Database lookups run in the threadpool, so they never block the event loop; plain
attribute reads are async (no thread hop).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from labintake import auth
from labintake.domain.errors import ErrorCode
from labintake.service import LabIntake, accounts
from labintake.web.errors import ApiError, error_response, unauthorized

SESSION_COOKIE = "li_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class WebConfig:
    """What the web layer needs beyond ``Settings`` (passed to ``create_app``)."""

    executor_expected: bool = True  # /readyz requires a running executor
    cookie_secure: bool = True
    heartbeat_seconds: float = 15.0  # SSE comment / WebSocket heartbeat interval
    cors_origins: tuple[str, ...] = field(default_factory=tuple)


async def get_li(request: Request) -> LabIntake:
    return request.app.state.li


async def get_config(request: Request) -> WebConfig:
    return request.app.state.web


LI = Annotated[LabIntake, Depends(get_li)]
Config = Annotated[WebConfig, Depends(get_config)]

_bearer = HTTPBearer(auto_error=False, description="A token from `labintake tokens create EMAIL`.")
_cookie = APIKeyCookie(
    name=SESSION_COOKIE, auto_error=False,
    description=f"The browser session from POST /login; unsafe methods also need the {CSRF_HEADER} header.",
)


def authenticate(li: LabIntake, request: Request, bearer: str | None, cookie: str | None,
                 *, check_csrf: bool) -> str:
    """The user id for a bearer token or a browser session cookie, else 401.

    A cookie is sent by the browser on its own, so a state-changing request that relies on
    it must also prove it came from our page (the CSRF token, sent as a header).
    """
    if bearer:
        token = accounts.token_user(li, bearer)  # remembered in the token cache for at most its life
        if token is None:
            raise unauthorized()
        return token.user_id
    if cookie:
        found = accounts.browser_user(li, cookie)
        if found is None:
            raise unauthorized()
        if check_csrf and request.method not in SAFE_METHODS and not auth.same(
            request.headers.get(CSRF_HEADER), found.csrf_token
        ):
            raise ApiError(403, ErrorCode.CSRF_FAILED, f"Send the {CSRF_HEADER} header from GET /api/me.")
        return found.user_id
    raise unauthorized()


class TokenChecks:
    """Bearer-token checks in flight, shared: when many requests bring a token the cache does not
    hold yet (a thousand streams reconnecting after a restart), one of them reads the database
    and the others wait for its answer, instead of a thousand reads queueing in the threadpool.
    One per app; the event loop is the only one touching it."""

    def __init__(self) -> None:
        self._running: dict[str, asyncio.Task[str | None]] = {}

    async def user_id(self, li: LabIntake, token: str) -> str | None:
        key = auth.digest(token)
        task = self._running.get(key)
        if task is None:
            task = asyncio.ensure_future(run_in_threadpool(self._check, li, token))
            self._running[key] = task
            task.add_done_callback(lambda done: self._finished(key, done))
        # Shielded: a waiter that goes away (client hung up) does not cancel the others' check.
        return await asyncio.shield(task)

    @staticmethod
    def _check(li: LabIntake, token: str) -> str | None:
        found = accounts.token_user(li, token)  # remembered in the token cache for at most its life
        return found.user_id if found else None

    def _finished(self, key: str, task: asyncio.Task[str | None]) -> None:
        if self._running.get(key) is task:
            del self._running[key]
        if not task.cancelled():
            task.exception()  # retrieved: every waiter may have gone away meanwhile


async def current_user(
    request: Request,
    li: LI,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> str:
    """The authenticated user; from here on every transaction of the request is scoped to them.

    Async on purpose: the context variable set here is seen by the rest of the request
    (a sync dependency runs in a thread whose context changes are lost), and the lookup
    still runs in the threadpool.
    """
    token = bearer.credentials if bearer else None
    if token:
        # A known token: no thread hop, no read; an unknown one: one check however many ask at once.
        user_id = li.tokens.get(token) or await request.app.state.token_checks.user_id(li, token)
        if user_id is None:
            raise unauthorized()
    else:
        user_id = await run_in_threadpool(authenticate, li, request, None, cookie, check_csrf=True)
    accounts.scope_to(user_id)
    return user_id


CurrentUser = Annotated[str, Depends(current_user)]


class CredentialsFirst:
    """A request that changes something under ``/api/`` is turned away before its body is read
    when it brings no credentials, or a bearer token that is not live: FastAPI reads a JSON
    body before it resolves the route's dependencies, so an anonymous client could otherwise
    make the server take in a body only to answer 401. (A session cookie is checked by the
    route, with its CSRF token; the body before it is bounded by ``max_json_bytes``.) Pure ASGI."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] in SAFE_METHODS
                or not scope["path"].startswith(("/api/", "/functions/"))):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        scheme, _, token = headers.get("authorization", "").partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else ""
        if token:
            li: LabIntake = scope["app"].state.li
            known = li.tokens.get(token) or await scope["app"].state.token_checks.user_id(li, token)
        else:
            known = SESSION_COOKIE in cookie_parser(headers.get("cookie", ""))
        if not known:
            refused = unauthorized()
            await error_response(refused.status, refused.code, refused.message, refused.headers)(scope, receive, send)
            return
        await self.app(scope, receive, send)

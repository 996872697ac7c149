"""Request dependencies: the service container and the authenticated user.

Database lookups run in the threadpool, so they never block the event loop; plain
attribute reads are async (no thread hop).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from labintake import auth
from labintake.domain.errors import ErrorCode
from labintake.service import LabIntake, accounts
from labintake.web.errors import ApiError, unauthorized

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
    user_id = li.tokens.get(token) if token else None  # a known token: no thread hop, no read
    if user_id is None:
        user_id = await run_in_threadpool(authenticate, li, request, token, cookie, check_csrf=True)
    accounts.scope_to(user_id)
    return user_id


CurrentUser = Annotated[str, Depends(current_user)]

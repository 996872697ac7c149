"""A minimal browser login: a form with a CSRF token, a session cookie, logout.

Before login there is no session to hold a CSRF token, so the form uses a double-submit
token: a random value in a cookie and the same value in a hidden field; a cross-site
form can send the cookie but cannot read it to fill in the field.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from labintake import auth
from labintake.service import accounts
from labintake.throttle import LoginThrottle
from labintake.web.deps import LI, SESSION_COOKIE, Config, WebConfig
from labintake.web.errors import NoNul

router = APIRouter(tags=["auth"])

LOGIN_CSRF_COOKIE = "li_login_csrf"


def _safe_next(target: str) -> str:
    """Only a path on this site: never an absolute or protocol-relative URL (open redirect)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _form(request: Request, config: WebConfig, next_: str, error: str = "", status: int = 200,
          email: str = "") -> HTMLResponse:
    """The styled login page again, with what went wrong and the email kept."""
    from labintake.web.ui.pages import templates

    csrf = auth.new_secret()
    response = templates.TemplateResponse(
        request, "login.html",
        {"viewer": None, "path": "/login", "next": _safe_next(next_), "csrf": csrf, "error": error, "email": email},
        status_code=status,
    )
    response.set_cookie(LOGIN_CSRF_COOKIE, csrf, max_age=3600, httponly=True, samesite="strict",
                        secure=config.cookie_secure, path="/login")
    return response


@router.post("/login", response_class=HTMLResponse, summary="Log in (form post with CSRF token)",
             responses={303: {"description": "Logged in: the session cookie is set."},
                        401: {"description": "Wrong email or password (the form again)."},
                        403: {"description": "Missing or wrong CSRF token (the form again)."}})
def login(
    request: Request,
    li: LI,
    config: Config,
    email: Annotated[str, Form(max_length=320), NoNul],
    password: Annotated[str, Form(max_length=1024), NoNul],
    csrf_token: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=2000)] = "/",  # noqa: A002
) -> Response:
    if not auth.same(csrf_token, request.cookies.get(LOGIN_CSRF_COOKIE)):
        return _form(request, config, next, "The form expired; please try again.", status=403, email=email)
    throttle: LoginThrottle = request.app.state.login_throttle
    keys = (f"account:{auth.normalise_email(email)}", f"client:{request.client.host if request.client else ''}")
    wait = throttle.retry_after(*keys)
    if wait > 0:  # refused before the password is hashed: a flood costs no memory
        minutes = max(1, math.ceil(wait / 60))
        response = _form(request, config, next, f"Too many failed attempts. Try again in {minutes} minute"
                         f"{'s' if minutes > 1 else ''}.", status=429, email=email)
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response
    try:
        session = accounts.login(li, email, password)
    except accounts.AuthError:
        throttle.failed(*keys)
        return _form(request, config, next, "Wrong email or password.", status=401, email=email)
    throttle.succeeded(keys[0])
    redirect = RedirectResponse(_safe_next(next), status_code=303)
    redirect.set_cookie(SESSION_COOKIE, session.cookie, max_age=int(auth.SESSION_TTL.total_seconds()),
                        httponly=True, samesite="lax", secure=config.cookie_secure, path="/")
    redirect.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return redirect


@router.post("/logout", status_code=303, response_class=Response, summary="Log out (form post with CSRF token)",
             responses={303: {"description": "Logged out."}, 403: {"description": "Missing or wrong CSRF token."}})
def logout(
    request: Request,
    li: LI,
    config: Config,
    csrf_token: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        if not accounts.logout(li, cookie, csrf_token or request.headers.get("X-CSRF-Token")):
            return Response(status_code=403)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=config.cookie_secure, httponly=True, samesite="lax")
    return response

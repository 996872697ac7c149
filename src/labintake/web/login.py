"""A minimal browser login: a form with a CSRF token, a session cookie, logout.

Before login there is no session to hold a CSRF token, so the form uses a double-submit
token: a random value in a cookie and the same value in a hidden field; a cross-site
form can send the cookie but cannot read it to fill in the field.
"""

from __future__ import annotations

import html
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from labintake import auth
from labintake.service import accounts
from labintake.web.deps import LI, SESSION_COOKIE, Config, WebConfig
from labintake.web.errors import NoNul

router = APIRouter(tags=["auth"])

LOGIN_CSRF_COOKIE = "li_login_csrf"

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>LabIntake — log in</title>
<style>body{{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem}}
label{{display:block;margin:.8rem 0 .2rem}}input{{width:100%;padding:.4rem;box-sizing:border-box}}
button{{margin-top:1rem;padding:.5rem 1rem}}.error{{color:#b00020}}
@media (prefers-color-scheme:dark){{body{{background:#111;color:#eee}}input{{background:#222;color:#eee}}}}</style>
</head><body><h1>LabIntake</h1>{error}
<form method="post" action="/login">
<input type="hidden" name="csrf_token" value="{csrf}"><input type="hidden" name="next" value="{next}">
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Log in</button></form></body></html>"""


def _safe_next(target: str) -> str:
    """Only a path on this site: never an absolute or protocol-relative URL (open redirect)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _form(config: WebConfig, next_: str, error: str = "", status: int = 200) -> HTMLResponse:
    csrf = auth.new_secret()
    body = _PAGE.format(
        csrf=csrf, next=html.escape(_safe_next(next_), quote=True),
        error=f'<p class="error">{html.escape(error)}</p>' if error else "",
    )
    response = HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})
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
        return _form(config, next, "The form expired; please try again.", status=403)
    try:
        session = accounts.login(li, email, password)
    except accounts.AuthError:
        return _form(config, next, "Wrong email or password.", status=401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, session.cookie, max_age=int(auth.SESSION_TTL.total_seconds()),
                        httponly=True, samesite="lax", secure=config.cookie_secure, path="/")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


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

"""The browser pages (DESIGN §7 web UI): server-rendered Jinja2, a little vanilla JS each.

Pages authenticate with the browser session cookie only; without one they redirect to
the login page. Each page is rendered with the true state at request time, so a refresh
shows what the database says before any script runs; scripts then follow changes.
"""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from labintake import auth
from labintake.domain import labels
from labintake.domain.errors import ERRORS, FILE_ERROR_CODES, LabIntakeError
from labintake.domain.status import USER_RETRYABLE_STATUSES, SessionStatus, vocabulary
from labintake.service import LabIntake, accounts, analytics, notifications, reading, sessions
from labintake.service.accounts import Viewer
from labintake.web.deps import LI, SESSION_COOKIE, Config
from labintake.web.ui.render import PX_PER_PT

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
templates = Jinja2Templates(directory=str(TEMPLATES))

router = APIRouter(include_in_schema=False)

STATUS_LABELS = {status.value: label for status, label in labels.FILE_STATUSES.items()}
STATUS_ICONS = {
    "pending": "upload", "downloading": "download", "extracting": "search", "parsing": "file-text",
    "saving": "save", "completed": "circle-check", "failed": "circle-alert", "timeout": "clock",
    "cancelled": "circle-x",
}
ACCEPTED = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
            ".tif": "image/tiff", ".tiff": "image/tiff", ".webp": "image/webp",
            ".heic": "image/heic", ".heif": "image/heic"}


def _to_json(value: Any) -> Markup:
    """JSON safe inside <script type="application/json">: no '</' can close the element."""
    text = json.dumps(value, separators=(",", ":"), default=str)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


templates.env.filters["tojson_safe"] = _to_json
templates.env.globals.update(STATUS_LABELS=STATUS_LABELS, STATUS_ICONS=STATUS_ICONS)


def _badge(file_type: str) -> str:
    return "PDF" if file_type == "application/pdf" else "IMAGE" if file_type.startswith("image/") else "FILE"


templates.env.filters["badge"] = _badge
# Human labels for stored codes (domain/labels.py): pages never show 'partial' or 'corrupt_pdf'.
templates.env.filters.update(file_type_label=labels.file_type, file_status_label=labels.file_status,
                             session_status_label=labels.session_status, error_title=labels.error_title)


def _duration(ms: int | None) -> str:
    if ms is None:
        return ""
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"


templates.env.filters["duration"] = _duration


def _money(value: float, currency: str) -> str:
    """A cost estimate: cents for sums, two significant digits for fractions of a cent."""
    if value == 0:
        return f"0 {currency}"
    if abs(value) >= 0.01:
        return f"{value:,.2f} {currency}"
    digits = max(2, -math.floor(math.log10(abs(value))) + 1)
    return f"{value:.{digits}f} {currency}"


templates.env.filters["money"] = _money


def _viewer(li: LabIntake, request: Request) -> Viewer | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    return accounts.viewer(li, cookie) if cookie else None


def _login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)


def _page(request: Request, viewer: Viewer | None, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(
        request, name, {"viewer": viewer, "path": request.url.path, **context}, status_code=status,
        headers={"Cache-Control": "no-store"},
    )


def _not_found(request: Request, viewer: Viewer, what: str) -> HTMLResponse:
    return _page(request, viewer, "not_found.html", status=404, what=what)


def unknown_url(request: Request) -> HTMLResponse:
    """The HTML 404 for a browser at a URL nothing answers (JSON stays under /api)."""
    li = request.app.state.li
    return _page(request, _viewer(li, request), "not_found.html", status=404, what="page")


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> FileResponse:
    # Browsers ask for /favicon.ico whatever the page links: the same SVG the pages link.
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})


@router.get("/")
def home(request: Request, li: LI) -> Response:
    return RedirectResponse("/upload" if _viewer(li, request) else "/login", status_code=303)


@router.get("/login")
def login_page(request: Request, li: LI, config: Config, next: str = "/upload") -> Response:  # noqa: A002
    """The login form; ``POST /login`` (web/login.py) checks it. Double-submit CSRF as there."""
    from labintake.web.login import LOGIN_CSRF_COOKIE, _safe_next

    target = _safe_next(next)
    if _viewer(li, request) is not None:
        return RedirectResponse(target, status_code=303)
    csrf = auth.new_secret()
    response = _page(request, None, "login.html", next=target, csrf=csrf)
    response.set_cookie(LOGIN_CSRF_COOKIE, csrf, max_age=3600, httponly=True, samesite="strict",
                        secure=config.cookie_secure, path="/login")
    return response


@router.get("/upload")
def upload_page(request: Request, li: LI) -> Response:
    viewer = _viewer(li, request)
    if viewer is None:
        return _login(request)
    limits = {"maxFileBytes": li.settings.max_file_bytes, "accepted": ACCEPTED}
    return _page(request, viewer, "upload.html", limits=limits)


def _messages() -> dict[str, str]:
    return {code.value: info.message for code, info in ERRORS.items() if code in FILE_ERROR_CODES}


@router.get("/sessions/{session_id}")
def progress_page(session_id: str, request: Request, li: LI) -> Response:
    viewer = _viewer(li, request)
    if viewer is None:
        return _login(request)
    snap = reading.snapshot(li, session_id, viewer.user_id)
    if snap is None:
        return _not_found(request, viewer, "session")
    config = {"sessionId": session_id, "concurrency": li.settings.per_session_concurrency,
              "messages": _messages(), "pageSize": 50, "labels": labels.as_json(),
              "pace": reading.pace(li, session_id, viewer.user_id)}
    return _page(request, viewer, "progress.html", snap=snap, config=config, vocabulary=vocabulary(),
                 session_name=sessions.name_of(li, session_id, viewer.user_id))


@router.get("/sessions/{session_id}/review")
def review_page(session_id: str, request: Request, li: LI, file: str | None = None) -> Response:
    viewer = _viewer(li, request)
    if viewer is None:
        return _login(request)
    found = reading.review(li, session_id, viewer.user_id)
    if found is None:
        return _not_found(request, viewer, "session")
    files = found.files
    failed = [f for f in found.snapshot["files"] if f["status"] in USER_RETRYABLE_STATUSES]
    current = next((f for f in files if f["fileId"] == file), files[0] if files else None)
    return _page(request, viewer, "review.html", session_id=session_id, files=files, current=current,
                 failed=failed, px_per_pt=PX_PER_PT)


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.get("/history")
def history_page(
    request: Request, li: LI,
    since: str | None = None, until: str | None = None, status: str | None = None,
    type: str | None = None,  # noqa: A002 - the query parameter's name
    q: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    viewer = _viewer(li, request)
    if viewer is None:
        return _login(request)
    size = 20
    status_value = status if status in {s.value for s in SessionStatus} else None
    file_type = {"pdf": "application/pdf", "image": "image/"}.get(type or "")
    found = sessions.list_page(
        li, viewer.user_id, since=_day(since), until=_day(until),
        status=SessionStatus(status_value) if status_value else None, file_type=file_type,
        limit=size, offset=(page - 1) * size, query=q,
    )
    items, total = [item.model_dump(mode="json") for item in found.items], found.total
    filters = {"q": q or "", "since": since or "", "until": until or "", "status": status_value or "",
               "type": type or ""}
    query = "&".join(f"{k}={quote(v)}" for k, v in filters.items() if v)
    return _page(request, viewer, "history.html", items=items, total=total, page=page,
                 pages=max(1, -(-total // size)), filters=filters, query=query,
                 statuses=[s.value for s in SessionStatus])


@router.get("/analytics")
def analytics_page(request: Request, li: LI, since: str | None = None, until: str | None = None) -> Response:
    viewer = _viewer(li, request)
    if viewer is None:
        return _login(request)
    try:
        figures = analytics.analytics(li, viewer.user_id, _day(since), _day(until))
        problem = None
    except LabIntakeError as exc:  # a range the wrong way round: say so, show the default range
        figures, problem = analytics.analytics(li, viewer.user_id), exc.message
    data = figures.model_dump(mode="json")
    query = f"since={data['range']['since']}&until={data['range']['until']}"
    return _page(request, viewer, "analytics.html", figures=data, problem=problem, query=query)


@router.get("/patients")
def patients_page(request: Request, li: LI) -> Response:
    viewer = _viewer(li, request)
    if viewer is None:
        return _login(request)
    people = reading.patients(li, viewer.user_id)
    return _page(request, viewer, "patients.html", patients=people)


@router.get("/patients/{patient_id}")
def patient_page(patient_id: str, request: Request, li: LI, analyte: str | None = None) -> Response:
    viewer = _viewer(li, request)
    if viewer is None:
        return _login(request)
    view = reading.patient(li, patient_id, viewer.user_id, analyte, default=_default_analyte)
    if view is None:
        return _not_found(request, viewer, "patient")
    return _page(request, viewer, "patient.html", patient=view.patient, analytes=view.analytes,
                 chosen=view.chosen, points=view.points)


def _default_analyte(analytes: list[dict[str, Any]]) -> str | None:
    """HbA1c when the patient has it (the usual thing to follow over time), else the most frequent."""
    for a in analytes:
        if a["loinc"] == "4548-4":
            return "4548-4"
    if not analytes:
        return None
    return analytes[0]["loinc"] or analytes[0]["name"]


@router.get("/settings")
def settings_page(request: Request, li: LI) -> Response:
    """Notifications: the session-end email switch, push on this device, webhooks and their delivery log."""
    viewer = _viewer(li, request)
    if viewer is None:
        return _login(request)
    prefs = notifications.settings_of(li, viewer.user_id)
    hooks = notifications.list_webhooks(li, viewer.user_id)
    push = notifications.push_settings(li, viewer.user_id)
    return _page(request, viewer, "settings.html", prefs=prefs, hooks=hooks, push=push)

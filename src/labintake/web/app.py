"""The FastAPI application: ``create_app(li)`` serves one ``LabIntake`` container.

The app neither starts nor stops the container (``labintake serve`` and the tests do);
it only reads ``li.executor`` for readiness.
"""

from __future__ import annotations

import html

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse

from labintake import __doc__ as package_doc
from labintake.service import LabIntake
from labintake.throttle import LoginThrottle, UploadSlots
from labintake.web import errors, feed, push, ui
from labintake.web.api import files, meta, sessions, webhooks
from labintake.web.deps import CSRF_HEADER, CredentialsFirst, TokenChecks, WebConfig
from labintake.web.login import router as login_router
from labintake.web.metrics import MetricsMiddleware
from labintake.web.security import RequestScope, SecurityHeaders

DESCRIPTION = """Upload lab reports (PDFs, scans, photos), follow each file's progress live,
and read the structured results.

**Auth:** `Authorization: Bearer <token>` (from `labintake tokens create EMAIL`), or the browser
session cookie from `POST /login` (unsafe methods then also need the `X-CSRF-Token` header from
`GET /api/me`). Another user's session, file or result is always `404`.

**Errors:** every failure is `{"error": {"code": "…", "message": "…"}}` with a stable `code`.
"""


_DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>LabIntake API</title><link rel="icon" href="/static/favicon.svg">
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css"></head>
<body><div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/js/swagger-init.js"></script></body></html>"""


def create_app(li: LabIntake, config: WebConfig | None = None) -> FastAPI:
    if config is None:
        config = WebConfig(cors_origins=li.settings.cors_origins)
    app = FastAPI(
        docs_url=None,  # served below from vendored assets: /docs must work with no internet
        redoc_url=None,
        title="LabIntake",
        version=_version(),
        summary=(package_doc or "").strip().splitlines()[0] if package_doc else None,
        description=DESCRIPTION,
    )
    app.state.li = li
    app.state.web = config
    app.state.login_throttle = LoginThrottle()  # per process: see throttle.py
    app.state.upload_slots = UploadSlots(li.settings.max_concurrent_uploads)  # per user, per process
    app.state.feeds = feed.Feeds()  # push streams of one session share their reads
    app.state.token_checks = TokenChecks()  # a stampede of one unknown bearer token: one check
    errors.install(app, max_body_bytes=li.settings.max_request_bytes, max_other_bytes=li.settings.max_json_bytes)
    app.add_middleware(CredentialsFirst)  # before the size check and the body: an anonymous 401 first
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(SecurityHeaders, hsts=li.settings.https)
    app.add_middleware(RequestScope)  # a request's unscoped, non-system unit of work sees nothing
    if config.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=list(config.cors_origins), allow_credentials=True,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Last-Event-ID", CSRF_HEADER],
        )
    ui.install(app)  # pages, the UI's JSON routes and /static: before "/" below and login's form
    app.include_router(sessions.router)
    app.include_router(sessions.seed_router)
    app.include_router(push.router)
    app.include_router(files.router)
    app.include_router(meta.router)
    app.include_router(webhooks.router)
    app.include_router(login_router)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        # Swagger UI from vendored files and started from a file, not an inline script (CSP).
        return HTMLResponse(_DOCS_PAGE.format(openapi=html.escape(app.openapi_url or "/openapi.json")))

    return app


# The collector's thresholds while serving: a young generation of 50,000 objects instead of
# 700. Every pending push stream holds a few objects that outlive the young generation (its
# wake-up future, its connection's buffers), so with thousands open the default made young
# collections many times a second, each scanning the survivors, and promoted enough of them to
# run full collections while streams were opening. Measured with `python -m bench push-10k`
# on 2 cores: 10,000 streams opened in 12-15 s instead of 20-23 s, and commit -> event p99
# fell from 150-200 ms to 115 ms, the same as with the collector switched off. Memory is not
# at stake: cyclic garbage is still collected, 50,000 allocations later.
SERVING_GC_THRESHOLDS = (50_000, 20, 20)


def freeze_startup_objects() -> None:
    """Move everything built at start-up (models, routes, metadata) out of the collector's way,
    and set the collector's thresholds for serving (``SERVING_GC_THRESHOLDS``).

    A full collection walks every live object; the hundreds of thousands that the
    frameworks create at import time never die, and scanning them made the progress API's
    p99 three to five times its p95 (measured with `make bench`). Call once, after the app
    is built and before serving.
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(*SERVING_GC_THRESHOLDS)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("labintake")
    except PackageNotFoundError:
        return "0"

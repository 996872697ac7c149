"""The web UI: pages, the JSON endpoints they need, and the vendored static assets.

``install(app)`` adds all of it to a FastAPI app. Include it before the login router and
before any ``/`` route, so that the UI's ``GET /`` and ``GET /login`` pages are the ones served
(``POST /login`` and ``POST /logout`` stay in ``web/login.py``).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from labintake.web.ui import api, pages

STATIC = Path(__file__).resolve().parent.parent / "static"

router = APIRouter()
router.include_router(pages.router)
router.include_router(api.router)


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.state.html_not_found = pages.unknown_url  # web/errors.py answers a browser's 404 with it


__all__ = ["install", "router"]

"""One JSON error shape for every failure: ``{"error": {"code": …, "message": …}}``.

Codes are stable snake_case strings, every one of them a ``domain.errors.ErrorCode``: the
pipeline's and infrastructure's failures and the few only the HTTP layer returns
(``not_found``, ``unauthorized``, ``validation``, ``conflict``, …). Exception text never
reaches the client.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from labintake.domain.errors import ERRORS, ErrorCode, LabIntakeError
from labintake.service.models import NoNul  # noqa: F401 - re-exported for the routes

log = logging.getLogger(__name__)


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


class ApiError(Exception):
    """An HTTP-level failure with a stable code."""

    def __init__(self, status: int, code: ErrorCode, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


def not_found(what: str = "resource") -> ApiError:
    # The same answer whether the row does not exist or belongs to someone else.
    return ApiError(404, ErrorCode.NOT_FOUND, f"No such {what}.")


def unauthorized() -> ApiError:
    return ApiError(
        401, ErrorCode.UNAUTHORIZED, ERRORS[ErrorCode.UNAUTHORIZED].message,
        headers={"WWW-Authenticate": "Bearer"},
    )


def conflict(message: str) -> ApiError:
    return ApiError(409, ErrorCode.CONFLICT, message)


_HTTP_CODES = {
    400: ErrorCode.BAD_REQUEST, 401: ErrorCode.UNAUTHORIZED, 403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND, 405: ErrorCode.METHOD_NOT_ALLOWED, 406: ErrorCode.NOT_ACCEPTABLE,
    409: ErrorCode.CONFLICT, 413: ErrorCode.PAYLOAD_TOO_LARGE, 415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    422: ErrorCode.VALIDATION, 429: ErrorCode.TOO_MANY_REQUESTS,
}


def error_response(status: int, code: ErrorCode, message: str, headers: Mapping[str, str] | None = None,
                   **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code.value, "message": message, **extra}}, status_code=status, headers=headers)


# Declared on every route so that /docs shows the error shape.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No or invalid credentials (`unauthorized`)."},
    404: {"model": ErrorBody, "description": "Not found, or not yours (`not_found`)."},
    422: {"model": ErrorBody, "description": "The request is malformed (`validation`)."},
    503: {"model": ErrorBody, "description": "The database or file store is unavailable."},
}


class RejectNul:
    """A NUL character anywhere in the path or the query string is a validation error before
    any route runs: one check for every id, filter and search term in a URL. Pure ASGI."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and (
            "\x00" in scope["path"] or b"\x00" in unquote_to_bytes(scope.get("query_string", b""))
        ):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            response = error_response(422, ErrorCode.VALIDATION, "The request is not valid (a NUL character in the URL).")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once a body without a Content-Length passes the limit. FastAPI's
    HTTPException, so that body parsing passes it on (it turns other errors into a 400)."""

    def __init__(self, max_bytes: int) -> None:
        size = f"{max_bytes // (1024 * 1024)} MiB" if max_bytes >= 1024 * 1024 else f"{max_bytes} bytes"
        super().__init__(413, f"The request is larger than the limit of {size}; "
                              "upload the files in several requests.",
                         headers={"Connection": "close"})  # and stop reading the rest


class RefuseLargeBodies:
    """Request bodies over the limit get 413 ``payload_too_large`` in the one error shape. A
    Content-Length over it is refused before anything of the body is read, so nothing is
    spooled to disk for a request that will be refused; a body without one (chunked) is
    counted as it arrives. Multipart uploads may reach ``max_bytes``; any other body (JSON,
    a form) only ``max_other_bytes``, since it is read into memory whole. Pure ASGI."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_other_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_other_bytes = min(max_bytes, max_other_bytes or max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_other_bytes
        for name, value in scope["headers"]:
            if name == b"content-type" and value.lower().startswith(b"multipart/form-data"):
                limit = self.max_bytes
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                refused = BodyTooLarge(limit)
                response = error_response(413, ErrorCode.PAYLOAD_TOO_LARGE, refused.detail, headers=refused.headers)
                await response(scope, receive, send)
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


def wants_html(request: Request) -> bool:
    """A browser asking for a page: GET or HEAD, HTML accepted, and not the JSON API's paths
    (under ``/api`` every answer stays the one JSON error shape)."""
    path = request.url.path
    return (request.method in ("GET", "HEAD") and "text/html" in request.headers.get("accept", "")
            and not (path == "/api" or path.startswith(("/api/", "/functions/", "/static/"))))


def install(app: FastAPI, max_body_bytes: int | None = None, max_other_bytes: int | None = None) -> None:
    app.add_middleware(RejectNul)
    if max_body_bytes is not None:
        app.add_middleware(RefuseLargeBodies, max_bytes=max_body_bytes, max_other_bytes=max_other_bytes)

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(LabIntakeError)
    async def _domain(_: Request, exc: LabIntakeError) -> JSONResponse:
        if exc.http_status >= 500:
            log.warning("request failed: %s", exc.code)
        return error_response(exc.http_status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors()
        ]
        where = ", ".join(".".join(p["loc"]) for p in problems[:5])
        return error_response(422, ErrorCode.VALIDATION, f"The request is not valid ({where}).", problems=problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        page = getattr(request.app.state, "html_not_found", None)
        if exc.status_code == 404 and page is not None and wants_html(request):
            return page(request)  # a person's browser at an unknown URL: the styled page, not JSON
        code = _HTTP_CODES.get(
            exc.status_code, ErrorCode.INTERNAL_ERROR if exc.status_code >= 500 else ErrorCode.BAD_REQUEST
        )
        message = exc.detail if isinstance(exc.detail, str) else code.value.replace("_", " ")
        return error_response(exc.status_code, code, message, getattr(exc, "headers", None))

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> JSONResponse:
        # The last line of defence for a value the database refuses (validation should have).
        log.warning("database refused a value on %s %s: %s", request.method, request.url.path,
                    type(exc.orig).__name__)
        return error_response(422, ErrorCode.VALIDATION, "The request is not valid (a value the database cannot store).")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, ErrorCode.INTERNAL_ERROR, "An unexpected error occurred.")

"""Uploaded files read only once the caller is known.

FastAPI reads (and spools to disk) a multipart body before it resolves a route's
dependencies, so an anonymous client could fill the temp disk with uploads that are then
refused. A route that takes its files through :func:`files_of` declares no ``File``
parameter: its dependencies (authentication, CSRF, ownership) run first, and the body is
read in the route, after them. The OpenAPI document still describes the body
(:func:`multipart_body`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.datastructures import UploadFile

from labintake.domain.errors import ErrorCode
from labintake.throttle import UploadSlots
from labintake.web.errors import ApiError

UPLOAD_RETRY_AFTER_SECONDS = 5


def multipart_body(field: str, description: str, *, many: bool, required: bool = True) -> dict[str, Any]:
    """``openapi_extra`` for a route whose ``field`` carries one file or several."""
    binary = {"type": "string", "format": "binary"}
    prop = {"type": "array", "items": binary, "description": description} if many else {**binary,
                                                                                      "description": description}
    schema: dict[str, Any] = {"type": "object", "properties": {field: prop}}
    if required:
        schema["required"] = [field]
    return {"requestBody": {"required": required, "content": {"multipart/form-data": {"schema": schema}}}}


@asynccontextmanager
async def files_of(request: Request, field: str, *, user_id: str,
                   required: bool = True) -> AsyncIterator[list[UploadFile]]:
    """The files sent in ``field``, read now; closed (their spooled copies deleted) after.
    A malformed body is a 400 and one over the size limit a 413 (both raised while reading).
    ``user_id`` holds one of their upload slots meanwhile: past ``max_concurrent_uploads``
    at once, a 429 ``too_many_requests`` with Retry-After, before anything of the body is read."""
    slots: UploadSlots = request.app.state.upload_slots
    if not slots.acquire(user_id):
        raise ApiError(429, ErrorCode.TOO_MANY_REQUESTS,
                       f"{slots.limit} uploads of yours are already in progress; send this one when one has "
                       "finished.", headers={"Retry-After": str(UPLOAD_RETRY_AFTER_SECONDS)})
    try:
        form = await request.form()
        try:
            files = [v for v in form.getlist(field) if isinstance(v, UploadFile)]
            if required and not files:
                raise RequestValidationError([{"loc": ("body", field), "msg": "Field required", "type": "missing"}])
            yield files
        finally:
            await form.close()
    finally:
        slots.release(user_id)

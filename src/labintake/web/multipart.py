"""Uploaded files read only once the caller is known.

FastAPI reads (and spools to disk) a multipart body before it resolves a route's
dependencies, so an anonymous client could fill the temp disk with uploads that are then
refused. A route that takes its files through :func:`files_of` declares no ``File``
parameter: its dependencies (authentication, CSRF, ownership) run first, and the body is
read in the route, after them. The OpenAPI document still describes the body
(:func:`multipart_body`).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing, asynccontextmanager
from typing import Any

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from starlette.datastructures import FormData, Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

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
        form = await _read_form(request, request.app.state.li.settings.max_file_bytes)
        try:
            files = [v for v in form.getlist(field) if isinstance(v, UploadFile)]
            if required and not files:
                raise RequestValidationError([{"loc": ("body", field), "msg": "Field required", "type": "missing"}])
            yield files
        finally:
            await form.close()
    finally:
        slots.release(user_id)


class CappedFileParser(MultiPartParser):
    """Starlette's multipart parser, keeping at most ``max_file_bytes + 1`` bytes of each file:
    enough for storage to see that the file is over the limit (``file_too_large``, for that file
    alone, as before), while the rest of it is dropped as it streams in instead of being spooled
    to the temp disk first and measured after."""

    def __init__(self, headers: Headers, stream: AsyncGenerator[bytes, None], *, max_file_bytes: int) -> None:
        super().__init__(headers, stream)
        self.cap = max_file_bytes + 1
        self.kept = 0  # bytes kept of the current part

    def on_part_begin(self) -> None:
        super().on_part_begin()
        self.kept = 0

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._current_part.file is None:  # a plain field: Starlette's own limit applies
            super().on_part_data(data, start, end)
            return
        take = max(0, min(end - start, self.cap - self.kept))
        if take:
            self.kept += take
            super().on_part_data(data, start, start + take)


async def _read_form(request: Request, max_file_bytes: int) -> FormData:
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        return await request.form()  # nothing to stream: Starlette's answer (an empty form, or a 400)
    try:
        async with aclosing(request.stream()) as stream:
            return await CappedFileParser(request.headers, stream, max_file_bytes=max_file_bytes).parse()
    except MultiPartException as exc:
        raise HTTPException(status_code=400, detail=exc.message) from exc

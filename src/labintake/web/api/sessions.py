"""Sessions: create, upload, control, delete, list, progress and results."""

from __future__ import annotations

import time
from datetime import date
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from labintake import metrics as core_metrics
from labintake.domain.status import SessionState, SessionStatus
from labintake.service import LabIntake, sessions
from labintake.service.models import (
    Created,
    Named,
    Progress,
    SessionCreate,
    SessionPage,
    SessionResults,
    SessionStateOut,
    UploadResult,
)
from labintake.service.progress import cached as cached_progress
from labintake.service.progress import read as read_progress
from labintake.web import metrics
from labintake.web.deps import LI, CurrentUser
from labintake.web.errors import ERROR_RESPONSES, ErrorBody, not_found
from labintake.web.multipart import files_of, multipart_body

router = APIRouter(prefix="/api/sessions", tags=["sessions"], responses=ERROR_RESPONSES)


@router.post("", status_code=201, response_model=Created, summary="Create an upload session")
def create_session(li: LI, user_id: CurrentUser, body: Annotated[SessionCreate | None, Body()] = None) -> Created:
    if body is None:
        return sessions.create(li, user_id)
    return sessions.create(li, user_id, body.name, timeout_seconds=body.timeoutSeconds)


@router.patch("/{session_id}", response_model=Named, summary="Rename a session")
def rename_session(session_id: str, li: LI, user_id: CurrentUser, body: Annotated[SessionCreate, Body()]) -> Named:
    """An empty name goes back to the default: the first file's name and how many more."""
    return sessions.rename(li, session_id, user_id, body.name)


@router.get("", response_model=SessionPage, summary="The user's sessions (history)")
def list_sessions(
    li: LI,
    user_id: CurrentUser,
    since: Annotated[date | None, Query(description="Created on or after this day (UTC).")] = None,
    until: Annotated[date | None, Query(description="Created on or before this day (UTC).")] = None,
    status: Annotated[SessionStatus | None, Query(description="The session status.")] = None,
    file_type: Annotated[str | None, Query(
        max_length=100, description="A MIME type (`application/pdf`) or a prefix ending in `/` (`image/`).")] = None,
    q: Annotated[str | None, Query(
        max_length=100, description="Sessions with a file whose name, patient name or lab name contains this "
        "(case and accents ignored: `muller` finds `Müller`).")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> SessionPage:
    return sessions.list_page(li, user_id, since=since, until=until, status=status, file_type=file_type,
                              limit=limit, offset=offset, query=q)


@router.post(
    "/{session_id}/files",
    response_model=UploadResult,
    summary="Upload files (multipart, field `files`, repeated)",
    responses={409: {"model": ErrorBody, "description": "The session was cancelled (`conflict`)."},
               507: {"model": ErrorBody, "description": "The server's disk is full (`storage_full`): the file "
                     "that did not fit and those after it were not stored; files before it were."}},
    openapi_extra=multipart_body("files", "One or more PDFs or images.", many=True),
)
async def upload_files(session_id: str, request: Request, li: LI, user_id: CurrentUser) -> UploadResult:
    """Each file is checked before it is queued; a refused file gets its own error code and
    never affects the others. Identical bytes already in the session are reported as a duplicate.
    The caller is authenticated before the body is read: an anonymous upload is never spooled."""
    async with files_of(request, "files", user_id=user_id) as files:
        result = await run_in_threadpool(sessions.upload, li, session_id, user_id,
                                         [(f.file, f.filename or "") for f in files])
    for item in result.files:
        metrics.UPLOADS.labels(item.status).inc()
    return result


_CONTROL_RESPONSES: dict[int | str, dict[str, Any]] = {409: {"model": ErrorBody, "description": "Not possible in the session's state (`conflict`)."}}


@router.post("/{session_id}/start", response_model=SessionStateOut, responses=_CONTROL_RESPONSES,
             summary="Start processing")
def start(session_id: str, li: LI, user_id: CurrentUser) -> SessionStateOut:
    return SessionStateOut(id=session_id, state=sessions.control(li, session_id, user_id, SessionState.RUNNING))


@router.post("/{session_id}/pause", response_model=SessionStateOut, responses=_CONTROL_RESPONSES,
             summary="Pause: admit no new file; running files finish")
def pause(session_id: str, li: LI, user_id: CurrentUser) -> SessionStateOut:
    return SessionStateOut(id=session_id, state=sessions.control(li, session_id, user_id, SessionState.PAUSED))


@router.post("/{session_id}/resume", response_model=SessionStateOut, responses=_CONTROL_RESPONSES,
             summary="Resume a paused session")
def resume(session_id: str, li: LI, user_id: CurrentUser) -> SessionStateOut:
    return SessionStateOut(id=session_id, state=sessions.control(li, session_id, user_id, SessionState.RUNNING))


@router.post("/{session_id}/cancel", response_model=SessionStateOut, responses=_CONTROL_RESPONSES,
             summary="Cancel: pending files become cancelled, running ones are stopped")
def cancel(session_id: str, li: LI, user_id: CurrentUser) -> SessionStateOut:
    return SessionStateOut(id=session_id, state=sessions.control(li, session_id, user_id, SessionState.CANCELLED))


@router.delete("/{session_id}", status_code=204, response_class=Response,
               summary="Delete a session with its files and results")
def delete_session(session_id: str, li: LI, user_id: CurrentUser) -> Response:
    sessions.delete(li, session_id, user_id)
    return Response(status_code=204)


@router.get("/{session_id}/progress", response_model=Progress, summary="Session progress (the seed's shape)")
async def progress(
    session_id: str,
    li: LI,
    user_id: CurrentUser,
    since: Annotated[int | None, Query(
        ge=0, le=2**62, description="An event id (`lastEventId` of an earlier answer): list only the files "
                                    "changed after it. The summary is always whole.")] = None,
) -> JSONResponse:
    return await _progress(li, session_id, user_id, since)


class ProgressJSON(JSONResponse):
    """Encoded with orjson: a 1,000-file session's answer (250 kB) took the standard encoder
    about 5 ms of the event loop, more than reading it from the database (``make bench``)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


async def _progress(li: LabIntake, session_id: str, user_id: str, since: int | None = None) -> JSONResponse:
    """A poll of a session that has not changed since the last one is answered from memory on
    the event loop; otherwise one read in the threadpool."""
    start = time.perf_counter()
    snap = cached_progress(li, session_id, user_id, since)
    if snap is None:
        try:
            snap = await run_in_threadpool(read_progress, li, session_id, user_id, since)
        except Exception:
            core_metrics.PROGRESS_ERRORS.inc()
            raise
    core_metrics.PROGRESS_REQUESTS.inc()
    core_metrics.PROGRESS_SECONDS.observe(time.perf_counter() - start)
    if snap is None:
        raise not_found("session")
    # Returned as built: the shape is the seed's contract, the model documents it.
    return ProgressJSON(snap, headers={"Cache-Control": "no-store"})


@router.get("/{session_id}/results", response_model=SessionResults, summary="Every file's result")
def session_results(session_id: str, li: LI, user_id: CurrentUser) -> SessionResults:
    return sessions.results(li, session_id, user_id)


seed_router = APIRouter(tags=["sessions"], responses=ERROR_RESPONSES)


@seed_router.get("/functions/v1/get-processing-progress", response_model=Progress,
                 summary="The seed's progress path (same answer as /api/sessions/{id}/progress)")
async def seed_progress(sessionId: Annotated[str, Query(max_length=100)], li: LI, user_id: CurrentUser) -> JSONResponse:  # noqa: N803
    return await _progress(li, sessionId, user_id)

"""Sessions: create, upload, control, delete, list, progress and results."""

from __future__ import annotations

import time
from datetime import date
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Body, File, Query, Response, UploadFile
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from labintake import metrics as core_metrics
from labintake.db import history
from labintake.db.results import load_report
from labintake.domain.status import FileStatus, SessionState, SessionStatus
from labintake.service import LabIntake
from labintake.web import metrics
from labintake.web.deps import LI, CurrentUser
from labintake.web.errors import ERROR_RESPONSES, ErrorBody, conflict, not_found
from labintake.web.schemas import (
    Created,
    FileResult,
    Progress,
    SessionCreate,
    SessionPage,
    SessionResults,
    SessionStateOut,
    UploadedItem,
    UploadResult,
)
from labintake.web.uploads import inspect_upload

router = APIRouter(prefix="/api/sessions", tags=["sessions"], responses=ERROR_RESPONSES)


def _state(li: LabIntake, session_id: str, user_id: str) -> SessionState:
    with li.db.read() as s:
        state = history.session_state(s, session_id, user_id)
    if state is None:
        raise not_found("session")
    return SessionState(state)


@router.post("", status_code=201, response_model=Created, summary="Create an upload session")
def create_session(li: LI, user_id: CurrentUser, body: Annotated[SessionCreate | None, Body()] = None) -> Created:
    return Created(id=li.create_session(user_id, (body.name if body else "").strip()))


@router.get("", response_model=SessionPage, summary="The user's sessions (history)")
def list_sessions(
    li: LI,
    user_id: CurrentUser,
    since: Annotated[date | None, Query(description="Created on or after this day (UTC).")] = None,
    until: Annotated[date | None, Query(description="Created on or before this day (UTC).")] = None,
    status: Annotated[SessionStatus | None, Query(description="The session status.")] = None,
    file_type: Annotated[str | None, Query(
        max_length=100, description="A MIME type (`application/pdf`) or a prefix ending in `/` (`image/`).")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> SessionPage:
    with li.db.read() as s:
        items, total = history.list_sessions(
            s, user_id, history.SessionFilter(since, until, status, file_type or None), limit=limit, offset=offset
        )
    return SessionPage.model_validate({"items": items, "total": total, "limit": limit, "offset": offset})


@router.post(
    "/{session_id}/files",
    response_model=UploadResult,
    summary="Upload files (multipart, field `files`, repeated)",
    responses={409: {"model": ErrorBody, "description": "The session was cancelled (`conflict`)."}},
)
def upload_files(
    session_id: str,
    li: LI,
    user_id: CurrentUser,
    files: Annotated[list[UploadFile], File(description="One or more PDFs or images.")],
) -> UploadResult:
    """Each file is checked before it is queued; a refused file gets its own error code and
    never affects the others. Identical bytes already in the session are reported as a duplicate."""
    if _state(li, session_id, user_id) is SessionState.CANCELLED:
        raise conflict("The session was cancelled; create a new one.")
    check = partial(inspect_upload, li.settings)
    out = []
    for upload in files:
        try:
            result = li.upload(session_id, user_id, upload.file, upload.filename or "", inspect=check)
        finally:
            upload.file.close()
        metrics.UPLOADS.labels(result.status).inc()
        out.append(
            UploadedItem(
                fileId=result.file_id, fileName=result.file_name, status=result.status,  # type: ignore[arg-type]
                errorCode=result.error_code, error=result.error_message, duplicateOf=result.duplicate_of,
            )
        )
    return UploadResult(sessionId=session_id, files=out)


_CONTROL_RESPONSES = {409: {"model": ErrorBody, "description": "Not possible in the session's state (`conflict`)."}}


@router.post("/{session_id}/start", response_model=SessionStateOut, responses=_CONTROL_RESPONSES,
             summary="Start processing")
def start(session_id: str, li: LI, user_id: CurrentUser) -> SessionStateOut:
    return SessionStateOut(id=session_id, state=li.control(session_id, user_id, SessionState.RUNNING))


@router.post("/{session_id}/pause", response_model=SessionStateOut, responses=_CONTROL_RESPONSES,
             summary="Pause: admit no new file; running files finish")
def pause(session_id: str, li: LI, user_id: CurrentUser) -> SessionStateOut:
    return SessionStateOut(id=session_id, state=li.control(session_id, user_id, SessionState.PAUSED))


@router.post("/{session_id}/resume", response_model=SessionStateOut, responses=_CONTROL_RESPONSES,
             summary="Resume a paused session")
def resume(session_id: str, li: LI, user_id: CurrentUser) -> SessionStateOut:
    return SessionStateOut(id=session_id, state=li.control(session_id, user_id, SessionState.RUNNING))


@router.post("/{session_id}/cancel", response_model=SessionStateOut, responses=_CONTROL_RESPONSES,
             summary="Cancel: pending files become cancelled, running ones are stopped")
def cancel(session_id: str, li: LI, user_id: CurrentUser) -> SessionStateOut:
    return SessionStateOut(id=session_id, state=li.control(session_id, user_id, SessionState.CANCELLED))


@router.delete("/{session_id}", status_code=204, response_class=Response,
               summary="Delete a session with its files and results")
def delete_session(session_id: str, li: LI, user_id: CurrentUser) -> Response:
    if not li.delete_session(session_id, user_id):
        raise not_found("session")
    return Response(status_code=204)


@router.get("/{session_id}/progress", response_model=Progress, summary="Session progress (the seed's shape)")
async def progress(session_id: str, li: LI, user_id: CurrentUser) -> JSONResponse:
    return await _progress(li, session_id, user_id)


async def _progress(li: LabIntake, session_id: str, user_id: str) -> JSONResponse:
    """A poll of a session that has not changed since the last one is answered from memory on
    the event loop; otherwise one read in the threadpool."""
    start = time.perf_counter()
    snap = li.cached_progress(session_id, user_id)
    if snap is None:
        try:
            snap = await run_in_threadpool(li.progress, session_id, user_id)
        except Exception:
            core_metrics.PROGRESS_ERRORS.inc()
            raise
    core_metrics.PROGRESS_REQUESTS.inc()
    core_metrics.PROGRESS_SECONDS.observe(time.perf_counter() - start)
    if snap is None:
        raise not_found("session")
    # Returned as built: the shape is the seed's contract, the model documents it.
    return JSONResponse(snap, headers={"Cache-Control": "no-store"})


@router.get("/{session_id}/results", response_model=SessionResults, summary="Every file's result")
def session_results(session_id: str, li: LI, user_id: CurrentUser) -> SessionResults:
    with li.db.read() as s:
        if history.session_state(s, session_id, user_id) is None:
            raise not_found("session")
        files = []
        for f in history.session_files(s, session_id, user_id):
            report = load_report(s, f.file_id, user_id) if f.status == FileStatus.COMPLETED.value else None
            files.append(FileResult(fileId=f.fps_id, fileName=f.file_name, status=FileStatus(f.status),
                                    result=report.model_dump(mode="json") if report else None))
    return SessionResults(sessionId=session_id, files=files)


seed_router = APIRouter(tags=["sessions"], responses=ERROR_RESPONSES)


@seed_router.get("/functions/v1/get-processing-progress", response_model=Progress,
                 summary="The seed's progress path (same answer as /api/sessions/{id}/progress)")
async def seed_progress(sessionId: Annotated[str, Query(max_length=100)], li: LI, user_id: CurrentUser) -> JSONResponse:  # noqa: N803
    return await _progress(li, sessionId, user_id)

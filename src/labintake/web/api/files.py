"""Files: retry and results (JSON as DESIGN §4, FHIR R4, CSV)."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from labintake.domain.schemas import LabReport
from labintake.export import to_csv, to_fhir
from labintake.service import files
from labintake.service.models import RetryOut, UploadedItem
from labintake.web.deps import LI, CurrentUser
from labintake.web.errors import ERROR_RESPONSES, ErrorBody
from labintake.web.multipart import files_of, multipart_body

router = APIRouter(prefix="/api/files", tags=["files"], responses=ERROR_RESPONSES)

@router.post(
    "/{file_id}/retry", response_model=RetryOut, summary="Retry a failed, timed-out or cancelled file",
    responses={409: {"model": ErrorBody, "description": "The file is not failed, timed out or cancelled "
                     "(`conflict`), or its failure is one retrying cannot fix (`not_retryable`: replace it)."}},
)
def retry(file_id: str, li: LI, user_id: CurrentUser) -> RetryOut:
    """Back to pending with `attempt_number` + 1; the session is (re)started if it was not running.
    A file that failed in a way retrying cannot fix (`isRetryable` false) is refused: replace it."""
    return files.retry(li, file_id, user_id)


@router.post(
    "/{file_id}/replace", response_model=UploadedItem, summary="Upload a new copy into a failed file's place",
    responses={409: {"model": ErrorBody, "description": "The file is not failed, timed out or cancelled (`conflict`)."},
               413: {"model": ErrorBody, "description": "The new copy is over the size limit; nothing changed."},
               507: {"model": ErrorBody, "description": "The server's disk is full (`storage_full`); nothing changed."}},
    openapi_extra=multipart_body("file", "The new copy (PDF or image).", many=False, required=False),
)
async def replace(file_id: str, request: Request, li: LI, user_id: CurrentUser) -> UploadedItem:
    """The same file (its id stays), with new bytes: pending again as a first attempt, its old
    result dropped. The copy is inspected like an upload; a refused copy is `failed` at once.
    The caller is authenticated before the body is read, and the file's owner is checked
    before the copy is used: another user's id is 404 with or without one."""
    async with files_of(request, "file", user_id=user_id, required=False) as sent:
        file = sent[0] if sent else None
        return await run_in_threadpool(files.replace, li, file_id, user_id, file.file if file else None,
                                       file.filename or "" if file else "")


@router.delete(
    "/{file_id}", status_code=204, response_class=Response, summary="Remove a waiting or failed file from its session",
    responses={409: {"model": ErrorBody, "description": "The file is running or completed (`conflict`)."}},
)
def remove(file_id: str, li: LI, user_id: CurrentUser) -> Response:
    """A file can be taken out before it starts (pending), or after it failed, timed out or was cancelled."""
    files.remove(li, file_id, user_id)
    return Response(status_code=204)


@router.get(
    "/{file_id}/result",
    response_model=LabReport,
    summary="A completed file's report: reviewed (the person's corrections applied) unless as=extracted",
    responses={
        200: {"content": {"application/fhir+json": {}, "text/csv": {}},
              "description": "`json`: the DESIGN §4 object; `fhir`: a FHIR R4 Bundle; `csv`: one row per result. "
                             "Corrected results carry `corrected` (JSON, CSV) or a `corrected` tag and note (FHIR)."},
        409: {"model": ErrorBody, "description": "The file has no result (yet): `not_ready`."},
    },
)
def result(
    file_id: str,
    li: LI,
    user_id: CurrentUser,
    format: Annotated[Literal["json", "fhir", "csv"], Query(description="json, fhir or csv")] = "json",  # noqa: A002
    as_: Annotated[Literal["reviewed", "extracted"], Query(
        alias="as", description="reviewed (default): with corrections; extracted: as read from the file")] = "reviewed",
) -> Response:
    return render_result(files.reviewed(li, file_id, user_id) if as_ == "reviewed"
                         else files.extracted(li, file_id, user_id), format)


def render_result(done: files.FileReport, fmt: str) -> Response:
    """One file's report in ``fmt``, named after the uploaded file (``<stem>.json``, ``<stem>.csv``,
    ``<stem>.fhir.json``); a confirmed, reviewed report is a ``final`` FHIR DiagnosticReport."""
    stem = done.file_name.rsplit(".", 1)[0] if "." in done.file_name else done.file_name
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)[:100] or "result"
    if fmt == "fhir":
        body, media, suffix = json.dumps(to_fhir(done.report, bundle_id=done.file_id, confirmed=done.confirmed)), \
            "application/fhir+json", ".fhir.json"
    elif fmt == "csv":
        body, media, suffix = to_csv(done.report), "text/csv; charset=utf-8", ".csv"
    else:
        body, media, suffix = done.report.model_dump_json(), "application/json", ".json"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{safe}{suffix}"'})

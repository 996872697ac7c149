"""Files: retry and results (JSON as DESIGN §4, FHIR R4, CSV)."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from labintake.domain.schemas import LabReport
from labintake.export import to_csv, to_fhir
from labintake.service import files
from labintake.service.models import RetryOut
from labintake.web.deps import LI, CurrentUser
from labintake.web.errors import ERROR_RESPONSES, ErrorBody

router = APIRouter(prefix="/api/files", tags=["files"], responses=ERROR_RESPONSES)

@router.post(
    "/{file_id}/retry", response_model=RetryOut, summary="Retry a failed, timed-out or cancelled file",
    responses={409: {"model": ErrorBody, "description": "The file is not failed, timed out or cancelled."}},
)
def retry(file_id: str, li: LI, user_id: CurrentUser) -> RetryOut:
    """Back to pending with `attempt_number` + 1; the session is (re)started if it was not running."""
    return files.retry(li, file_id, user_id)


@router.get(
    "/{file_id}/result",
    response_model=LabReport,
    summary="A completed file's extracted report",
    responses={
        200: {"content": {"application/fhir+json": {}, "text/csv": {}},
              "description": "`json`: the DESIGN §4 object; `fhir`: a FHIR R4 Bundle; `csv`: one row per result."},
        409: {"model": ErrorBody, "description": "The file has no result (yet): `not_ready`."},
    },
)
def result(
    file_id: str,
    li: LI,
    user_id: CurrentUser,
    format: Annotated[Literal["json", "fhir", "csv"], Query(description="json, fhir or csv")] = "json",  # noqa: A002
) -> Response:
    owned = files.extracted(li, file_id, user_id)
    report = owned.report
    if format == "fhir":
        body = json.dumps(to_fhir(report, bundle_id=owned.file_id))
        return Response(body, media_type="application/fhir+json")
    if format == "csv":
        name = owned.file_name.rsplit(".", 1)[0] or "result"
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:100]
        return Response(to_csv(report), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{safe}.csv"'})
    return Response(report.model_dump_json(), media_type="application/json")

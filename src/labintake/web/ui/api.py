"""JSON endpoints the pages need beyond DESIGN §7: progress with event ids, corrections,
page images for provenance, the reviewed export and patient series.

Same auth as the API (bearer token, or the session cookie plus the CSRF header on
unsafe methods) and the same error shape.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from labintake.domain.clock import iso
from labintake.domain.status import FileStatus
from labintake.service import files, reading
from labintake.web.api.files import render_result
from labintake.web.deps import LI, CurrentUser
from labintake.web.errors import ERROR_RESPONSES, NoNul, not_found
from labintake.web.ui.render import NoSuchPage, page_png

router = APIRouter(responses=ERROR_RESPONSES)


@router.get("/api/ui/sessions/{session_id}/snapshot", tags=["progress"],
            summary="Progress (the seed's shape) plus the event id each file's row reflects")
def snapshot(session_id: str, li: LI, user_id: CurrentUser) -> JSONResponse:
    snap = reading.snapshot(li, session_id, user_id)
    if snap is None:
        raise not_found("session")
    return JSONResponse(snap, headers={"Cache-Control": "no-store"})


# --- review: corrections, confirmation, page images, reviewed export -----------------------


class CorrectionIn(BaseModel):
    target: Annotated[str, NoNul] = Field(max_length=100, description="`patient.name`, `report.collected_at`, "
                        "`results.3.value_text` (also name, unit, flag, loinc, reference_range.text).")
    value: Annotated[str, NoNul] | None = Field(max_length=500, description="The corrected value; null or empty clears it.")


class CorrectionOut(BaseModel):
    target: str
    value: Any
    original: Any
    corrected: bool = Field(description="False when the value equals the extracted one (nothing stored).")


@router.get("/api/files/{file_id}/corrections", tags=["review"], summary="A file's corrections and review state")
def get_corrections(file_id: str, li: LI, user_id: CurrentUser) -> dict[str, Any]:
    review = files.review_state(li, file_id, user_id)
    return {"fileId": file_id, "corrections": review.corrections, "confirmedAt": iso(review.confirmed_at)}


@router.put("/api/files/{file_id}/corrections", tags=["review"], response_model=CorrectionOut,
            summary="Correct one field (kept apart from the extracted data)")
def put_correction(file_id: str, li: LI, user_id: CurrentUser, body: Annotated[CorrectionIn, Body()]) -> CorrectionOut:
    done = files.correct(li, file_id, user_id, body.target, body.value)
    return CorrectionOut(target=body.target, value=done.value, original=done.original, corrected=done.kept)


@router.post("/api/files/{file_id}/confirm", tags=["review"], summary="Confirm a reviewed report")
def confirm(file_id: str, li: LI, user_id: CurrentUser) -> dict[str, Any]:
    return {"fileId": file_id, "confirmedAt": iso(files.confirm(li, file_id, user_id))}


@router.get("/api/files/{file_id}/reviewed", tags=["review"], include_in_schema=False)
def reviewed(
    file_id: str, li: LI, user_id: CurrentUser,
    format: Annotated[Literal["json", "fhir", "csv"], Query()] = "json",  # noqa: A002
) -> Response:
    """Kept for links made before ``/result`` returned the reviewed report by default."""
    return render_result(files.reviewed(li, file_id, user_id), format)


@router.get("/api/files/{file_id}/pages/{page}.png", tags=["review"], response_class=Response,
            responses={200: {"content": {"image/png": {}}}},
            summary="A page of the uploaded file at 2 px per PDF point (boxes are in points)")
def page_image(file_id: str, page: int, li: LI, user_id: CurrentUser) -> Response:
    if page < 1:
        raise not_found("file")
    stored = files.stored(li, file_id, user_id)
    if stored.status != FileStatus.COMPLETED:
        # Only files that were read are shown: a failed upload may be anything, and is not rendered.
        raise not_found("page")
    try:
        png = page_png(stored.path, stored.file_type, page,
                       max_pixels=li.settings.max_image_pixels, max_pages=li.settings.max_pages,
                       max_render_pixels=li.settings.max_render_pixels, frame=stored.page_frames.get(str(page)))
    except NoSuchPage:
        raise not_found("page") from None
    return Response(png, media_type="image/png")  # never cached: see web/security.py


# --- patients -------------------------------------------------------------------------------


@router.get("/api/patients", tags=["patients"], summary="The user's patients")
def list_patients(li: LI, user_id: CurrentUser) -> list[dict[str, Any]]:
    return reading.patients(li, user_id)


@router.get("/api/patients/{patient_id}/series", tags=["patients"],
            summary="One analyte (LOINC code or name) across a patient's reports")
def patient_series(
    patient_id: str, li: LI, user_id: CurrentUser, analyte: Annotated[str, Query(max_length=200)]
) -> dict[str, Any]:
    points = reading.patient_series(li, patient_id, user_id, analyte)
    if points is None:
        raise not_found("patient")
    return {"patientId": patient_id, "analyte": analyte, "points": points}


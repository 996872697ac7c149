"""JSON endpoints the pages need beyond DESIGN §7: progress with event ids, corrections,
page images for provenance, the reviewed export and patient series.

Same auth as the API (bearer token, or the session cookie plus the CSRF header on
unsafe methods) and the same error shape.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from labintake.domain.errors import ErrorCode
from labintake.db import corrections as corr
from labintake.db.results import load_report
from labintake.export import to_csv, to_fhir
from labintake.domain.status import FileStatus
from labintake.web.deps import LI, CurrentUser
from labintake.web.errors import ERROR_RESPONSES, ApiError, NoNul, not_found
from labintake.web.ui import data
from labintake.web.ui.render import NoSuchPage, page_png

router = APIRouter(responses=ERROR_RESPONSES)


@router.get("/api/ui/sessions/{session_id}/snapshot", tags=["progress"],
            summary="Progress (the seed's shape) plus the event id each file's row reflects")
def snapshot(session_id: str, li: LI, user_id: CurrentUser) -> JSONResponse:
    with li.db.read() as s:
        snap = data.snapshot(s, session_id, user_id)
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


def _owned_report(li: Any, s: Any, fps_id: str, user_id: str) -> tuple[Any, Any]:
    stored = data.stored_file(s, fps_id, user_id)
    if stored is None:
        raise not_found("file")
    report = load_report(s, stored.id, user_id)
    if report is None:
        raise ApiError(409, ErrorCode.NOT_READY, "The file has no result yet; corrections apply to completed files.")
    return stored, report


@router.get("/api/files/{file_id}/corrections", tags=["review"], summary="A file's corrections and review state")
def get_corrections(file_id: str, li: LI, user_id: CurrentUser) -> dict[str, Any]:
    with li.db.read() as s:
        stored, _ = _owned_report(li, s, file_id, user_id)
        return {"fileId": file_id, "corrections": corr.corrections(s, stored.id, user_id),
                "confirmedAt": data.iso(corr.confirmed_at(s, stored.id, user_id))}


@router.put("/api/files/{file_id}/corrections", tags=["review"], response_model=CorrectionOut,
            summary="Correct one field (kept apart from the extracted data)")
def put_correction(file_id: str, li: LI, user_id: CurrentUser, body: Annotated[CorrectionIn, Body()]) -> CorrectionOut:
    with li.db.transaction() as s:
        stored, report = _owned_report(li, s, file_id, user_id)
        try:
            value, original = corr.check(report, body.target, body.value)
        except corr.BadCorrection as exc:
            raise ApiError(422, ErrorCode.VALIDATION, str(exc)) from None
        kept = corr.save(s, user_id=user_id, file_id=stored.id, target=body.target, value=value, original=original)
    return CorrectionOut(target=body.target, value=value, original=original, corrected=kept)


@router.post("/api/files/{file_id}/confirm", tags=["review"], summary="Confirm a reviewed report")
def confirm(file_id: str, li: LI, user_id: CurrentUser) -> dict[str, Any]:
    with li.db.transaction() as s:
        stored, _ = _owned_report(li, s, file_id, user_id)
        when = corr.confirm(s, user_id=user_id, file_id=stored.id)
    return {"fileId": file_id, "confirmedAt": data.iso(when)}


@router.get("/api/files/{file_id}/reviewed", tags=["review"],
            summary="The report with the person's corrections applied (json, fhir or csv)")
def reviewed(
    file_id: str, li: LI, user_id: CurrentUser,
    format: Annotated[Literal["json", "fhir", "csv"], Query()] = "json",  # noqa: A002
) -> Response:
    with li.db.read() as s:
        stored, report = _owned_report(li, s, file_id, user_id)
        report = corr.apply(report, corr.corrections(s, stored.id, user_id))
    if format == "fhir":
        return Response(json.dumps(to_fhir(report, bundle_id=stored.id)), media_type="application/fhir+json")
    if format == "csv":
        return Response(to_csv(report), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="reviewed.csv"'})
    return Response(report.model_dump_json(), media_type="application/json")


@router.get("/api/files/{file_id}/pages/{page}.png", tags=["review"], response_class=Response,
            responses={200: {"content": {"image/png": {}}}},
            summary="A page of the uploaded file at 2 px per PDF point (boxes are in points)")
def page_image(file_id: str, page: int, li: LI, user_id: CurrentUser) -> Response:
    with li.db.read() as s:
        stored = data.stored_file(s, file_id, user_id)
    if stored is None or page < 1:
        raise not_found("file")
    if stored.status != FileStatus.COMPLETED.value:
        # Only files that were read are shown: a failed upload may be anything, and is not rendered.
        raise not_found("page")
    try:
        png = page_png(li.storage.path(stored.storage_key), stored.file_type, page,
                       max_pixels=li.settings.max_image_pixels, max_pages=li.settings.max_pages,
                       max_render_pixels=li.settings.max_render_pixels)
    except NoSuchPage:
        raise not_found("page") from None
    return Response(png, media_type="image/png")  # never cached: see web/security.py


# --- patients -------------------------------------------------------------------------------


@router.get("/api/patients", tags=["patients"], summary="The user's patients")
def list_patients(li: LI, user_id: CurrentUser) -> list[dict[str, Any]]:
    with li.db.read() as s:
        return data.patients(s, user_id)


@router.get("/api/patients/{patient_id}/series", tags=["patients"],
            summary="One analyte (LOINC code or name) across a patient's reports")
def patient_series(
    patient_id: str, li: LI, user_id: CurrentUser, analyte: Annotated[str, Query(max_length=200)]
) -> dict[str, Any]:
    with li.db.read() as s:
        if data.patient(s, patient_id, user_id) is None:
            raise not_found("patient")
        return {"patientId": patient_id, "analyte": analyte,
                "points": data.patient_series(s, patient_id, user_id, analyte)}


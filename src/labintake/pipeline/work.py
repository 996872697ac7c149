"""The CPU-bound part of a file's journey, run inside a worker process.

It knows nothing of databases or queues: bytes in, messages out. The runner in the
parent turns each message into a status write, so a worker that is killed mid-file
leaves nothing half-written.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labintake.domain.errors import ErrorCode, LabIntakeError

log = logging.getLogger(__name__)

TEXT_CACHE_CHARS = 1000


@dataclass(frozen=True, slots=True)
class Job:
    """Everything a worker needs for one file; picklable, no ORM objects."""

    fps_id: str
    path: str
    file_type: str
    max_pages: int
    max_pixels: int
    ocr_dpi: int


# Messages a worker sends back, in order: ("extracted", info), then ("parsed", report, meta)
# or ("error", code, message, details) at any point.
Send = Callable[[tuple[Any, ...]], None]


def run_job(job: Job, send: Send) -> None:
    try:
        _run(job, send)
    except LabIntakeError as exc:
        send(("error", exc.code.value, exc.message, exc.details))
    except MemoryError:
        send(("error", ErrorCode.INTERNAL_ERROR.value, None, {"exception": "MemoryError"}))
    except Exception as exc:  # noqa: BLE001 - the boundary: anything unexpected becomes a code
        # The type and where it happened go to the log (debug), never the message text,
        # which could quote document content.
        log.debug("unexpected error in worker: %s", traceback.format_exc())
        send(("error", ErrorCode.INTERNAL_ERROR.value, None, {"exception": type(exc).__name__}))


def _run(job: Job, send: Send) -> None:
    from labintake.extract import extract_document
    from labintake.parse import parse_document

    try:
        data = Path(job.path).read_bytes()
    except OSError as exc:
        raise LabIntakeError(ErrorCode.STORAGE_UNAVAILABLE, detail=type(exc).__name__) from exc
    doc = extract_document(
        data, job.file_type, max_pages=job.max_pages, max_pixels=job.max_pixels, ocr_dpi=job.ocr_dpi
    )
    send(
        (
            "extracted",
            {
                "text": doc.text[:TEXT_CACHE_CHARS],
                "model": doc.extractor,
                "pages": len(doc.pages),
                "ocr_pages": sum(p.source == "ocr" for p in doc.pages),
            },
        )
    )
    report = parse_document(doc)
    meta = {
        "pages": len(doc.pages),
        "results": len(report.results),
        "needs_review": sum(r.needs_review for r in report.results),
        "flags_derived": sum(r.flag_source == "derived" for r in report.results),
        "sections": sorted({r.section for r in report.results if r.section}),
    }
    send(("parsed", report.model_dump(mode="json"), meta))

"""Stored bytes: the one inspection every upload and replacement passes, and the removal of
bytes no uploaded file points at any more (storage is content-addressed and shared)."""

from __future__ import annotations

from labintake.db import history
from labintake.domain.errors import LabIntakeError
from labintake.extract import sniff_type
from labintake.extract.inspect import inspect_upload
from labintake.service.app import LabIntake


def inspect(li: LabIntake, key: str) -> tuple[str, int | None, LabIntakeError | None]:
    """Stored bytes' sniffed type, page count and the inspection's refusal, if any
    (``extract.inspect``: page and pixel limits, PDFs that open)."""
    file_type, page_count = "application/octet-stream", None
    path = li.storage.path(key)
    try:
        with path.open("rb") as fh:
            file_type = sniff_type(fh.read(1024))
        page_count = inspect_upload(
            path, file_type, max_pages=li.settings.max_pages, max_pixels=li.settings.max_image_pixels
        )
    except LabIntakeError as exc:
        return file_type, page_count, exc
    return file_type, page_count, None


def drop_unused(li: LabIntake, keys: list[str]) -> None:
    """Remove stored bytes no uploaded file (of any user) points at any more."""
    with li.db.read(system=True) as s:
        unused = history.unreferenced_keys(s, keys)
    for key in unused:
        li.storage.delete(key)

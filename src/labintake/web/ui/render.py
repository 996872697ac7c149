"""A page of an uploaded file as a PNG, for showing where a value came from.

Word boxes are in PDF points from the page's top-left (``extract/document.py``); every
page is rendered at ``PX_PER_PT`` pixels per point, so the page script places a box at
``bbox * PX_PER_PT`` pixels of the image with no other information. Images are scaled
with the same dpi rule the OCR used (``extract/image.py``); a page the OCR deskewed or
turned is shown as uploaded, so its boxes can be a little off.
"""

from __future__ import annotations

import io
from pathlib import Path

from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.extract.inspect import PDFIUM_LOCK as _PDFIUM  # pdfium is not thread-safe: one lock for the process
from labintake.extract.sniff import IMAGE_TYPES, PDF


class NoSuchPage(LookupError):
    """The file has no page with that number."""


PX_PER_PT = 2.0  # 144 dpi: sharp enough to read a value, small enough to send quickly


def page_png(path: Path, file_type: str, page: int, *, max_pixels: int, max_pages: int) -> bytes:
    """The 1-based ``page`` rendered at PX_PER_PT; NoSuchPage past the end, LabIntakeError if unreadable."""
    if file_type == PDF:
        import pypdfium2 as pdfium

        with _PDFIUM:
            doc = pdfium.PdfDocument(str(path))
            try:
                if not 1 <= page <= len(doc):
                    raise NoSuchPage(page)
                image = doc[page - 1].render(scale=PX_PER_PT).to_pil()
            finally:
                doc.close()
    elif file_type in IMAGE_TYPES:
        from labintake.extract.image import iter_frames

        image = None
        for index, (frame, dpi, _total) in enumerate(
            iter_frames(path.read_bytes(), max_pixels=max_pixels, max_pages=max_pages)
        ):
            if index == page - 1:
                factor = PX_PER_PT * 72.0 / dpi
                size = (max(1, round(frame.width * factor)), max(1, round(frame.height * factor)))
                image = frame.resize(size) if size != frame.size else frame
                break
        if image is None:
            raise NoSuchPage(page)
    else:
        raise LabIntakeError(ErrorCode.UNSUPPORTED_TYPE)
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", optimize=False, compress_level=3)
    return out.getvalue()

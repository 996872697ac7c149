"""A page of an uploaded file as a PNG, for showing where a value came from.

Word boxes are in PDF points from the page's top-left (``extract/document.py``); every
page is rendered at ``PX_PER_PT`` pixels per point, so the page script places a box at
``bbox * PX_PER_PT`` pixels of the image with no other information. Images are scaled
with the same dpi rule the OCR used (``extract/image.py``); a page the OCR deskewed or
turned is shown as uploaded, so its boxes can be a little off. A PDF page whose text runs
sideways is shown turned as its text layer was read (``extract.pdf.text_turn``).
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


def render_scale(width_pt: float, height_pt: float, max_render_pixels: int) -> float:
    """PX_PER_PT, or less when that would make the image larger than ``max_render_pixels``:
    a tiny PDF can declare a 200-inch page, whose render would take gigabytes."""
    area = max(1.0, width_pt * height_pt)
    return min(PX_PER_PT, (max_render_pixels / area) ** 0.5)


def page_png(path: Path, file_type: str, page: int, *, max_pixels: int, max_pages: int,
             max_render_pixels: int) -> bytes:
    """The 1-based ``page`` rendered at PX_PER_PT (less for a giant page); NoSuchPage past the
    end, LabIntakeError (``corrupt_pdf``, ``encrypted_pdf``, …) if unreadable."""
    if file_type == PDF:
        from labintake.extract.pdf import open_pdf, text_turn

        with _PDFIUM:
            doc = open_pdf(path.read_bytes(), max_pages)
            try:
                if not 1 <= page <= len(doc):
                    raise NoSuchPage(page)
                pdf_page = doc[page - 1]
                width, height = pdf_page.get_size()
                scale = render_scale(width, height, max_render_pixels)
                image = pdf_page.render(scale=scale, rotation=text_turn(pdf_page)).to_pil()
            finally:
                doc.close()
    elif file_type in IMAGE_TYPES:
        from labintake.extract.image import iter_frames

        image = None
        for index, (frame, dpi, _total) in enumerate(
            iter_frames(path.read_bytes(), max_pixels=max_pixels, max_pages=max_pages)
        ):
            if index == page - 1:
                factor = min(PX_PER_PT * 72.0 / dpi, (max_render_pixels / max(1, frame.width * frame.height)) ** 0.5)
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

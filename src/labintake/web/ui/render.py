"""A page of an uploaded file as a PNG, for showing where a value came from.

Word boxes are in PDF points from the page's top-left (``extract/document.py``); every
page is rendered at ``PX_PER_PT`` pixels per point, so the page script places a box at
``bbox * PX_PER_PT`` pixels of the image with no other information.

A page read with OCR is shown as it was read: a phone photo dewarped (the page cut out of the
desk and made rectangular), any page turned upright and deskewed, with the geometry the OCR
recorded (``frame``, from ``extract.dewarp.page_frame``, kept in the file's parsing_metadata).
Its boxes were measured on that page, so they land on their rows; shown as uploaded, a box of
a tilted photo fell a row or more off. Only the geometry is replayed: the colours are the
photo's own (the OCR's grey, light-flattened copy would hide a value printed in red). A PDF page
whose text layer was read and that runs sideways is shown turned as it was read
(``extract.pdf.text_turn``). An image read without a recorded frame (read before frames were
kept, or by the vision model) is shown as uploaded, scaled with the OCR's dpi rule.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image

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
             max_render_pixels: int, frame: dict[str, Any] | None = None) -> bytes:
    """The 1-based ``page`` rendered at PX_PER_PT (less for a giant page); NoSuchPage past the
    end, LabIntakeError (``corrupt_pdf``, ``encrypted_pdf``, …) if unreadable. ``frame``: the
    geometry OCR read the page with (see the module's docstring); the page is shown so."""
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
                # An OCR'd page's frame starts from the page as pdfium draws it, unturned.
                image = pdf_page.render(scale=scale, rotation=0 if frame else text_turn(pdf_page)).to_pil()
            finally:
                doc.close()
    elif file_type in IMAGE_TYPES:
        from labintake.extract.image import iter_frames

        image = None
        for index, (frame_rgb, dpi, _total) in enumerate(
            iter_frames(path.read_bytes(), max_pixels=max_pixels, max_pages=max_pages)
        ):
            if index == page - 1 and frame:
                image = frame_rgb  # replayed below, from the full-size image
            elif index == page - 1:
                pixels = max(1, frame_rgb.width * frame_rgb.height)
                factor = min(PX_PER_PT * 72.0 / dpi, (max_render_pixels / pixels) ** 0.5)
                size = (max(1, round(frame_rgb.width * factor)), max(1, round(frame_rgb.height * factor)))
                image = frame_rgb.resize(size) if size != frame_rgb.size else frame_rgb
            if image is not None:
                break
        if image is None:
            raise NoSuchPage(page)
    else:
        raise LabIntakeError(ErrorCode.UNSUPPORTED_TYPE)
    if frame:
        image = _as_read(image.convert("RGB"), frame, max_render_pixels)
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", optimize=False, compress_level=3)
    return out.getvalue()


def _as_read(image: Image.Image, frame: dict[str, Any], max_render_pixels: int) -> Image.Image:
    """The page as OCR read it (dewarped, turned, deskewed), at PX_PER_PT (less for a giant page)."""
    import numpy as np

    from labintake.extract.dewarp import replay_frame

    to_pt = 72.0 / float(frame["dpi"])
    scale = render_scale(frame["size"][0] * to_pt, frame["size"][1] * to_pt, max_render_pixels)
    return Image.fromarray(replay_frame(np.asarray(image), frame, scale))

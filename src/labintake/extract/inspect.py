"""Checks a file must pass before it is queued: page and pixel limits, PDFs that open.

The one inspection every entry point runs (web upload, ``labintake process``, the intake
folder): the service's upload calls it, so no interface can skip it.

Header reads only: an image's size comes from its header and its chunks' checksums, a
PDF's page count from its cross-reference table; nothing is rendered here.
"""

from __future__ import annotations

import threading
from pathlib import Path

from labintake.extract.sniff import IMAGE_TYPES, PDF

# pdfium is not thread-safe, and uploads are checked in the threadpool.
PDFIUM_LOCK = threading.Lock()


def inspect_upload(path: Path, file_type: str, *, max_pages: int, max_pixels: int) -> int | None:
    """The page count, or raise the code the file would fail with later anyway."""
    if file_type == PDF:
        return _pdf_pages(path, max_pages)
    if file_type in IMAGE_TYPES:
        return _image_frames(path, max_pages, max_pixels)
    return None


def _pdf_pages(path: Path, max_pages: int) -> int:
    from labintake.extract.pdf import open_pdf

    with PDFIUM_LOCK:
        doc = open_pdf(str(path), max_pages)  # type: ignore[arg-type]  # pdfium opens paths too
        try:
            return len(doc)
        finally:
            doc.close()


def _image_frames(path: Path, max_pages: int, max_pixels: int) -> int:
    from PIL import Image

    from labintake.extract.image import check_limits, image_errors

    with image_errors(), Image.open(path) as img:
        frames = getattr(img, "n_frames", 1)
        check_limits(*img.size, frames, max_pixels=max_pixels, max_pages=max_pages)
        img.verify()  # chunk checksums and structure, without decoding pixels
    return frames

"""Checks an upload must pass before it is queued: page and pixel limits, PDFs that open.

Header reads only: an image's size comes from its header and its chunks' checksums, a
PDF's page count from its cross-reference table; nothing is rendered here.
"""

from __future__ import annotations

import threading
import warnings
from pathlib import Path

from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.extract.sniff import IMAGE_TYPES, PDF
from labintake.settings import Settings

# pdfium is not thread-safe, and uploads are checked in the threadpool.
_PDFIUM = threading.Lock()


def inspect_upload(settings: Settings, path: Path, file_type: str) -> int | None:
    """The page count, or raise the code the file would fail with later anyway."""
    if file_type == PDF:
        return _pdf_pages(settings, path)
    if file_type in IMAGE_TYPES:
        return _image_frames(settings, path)
    return None


def _pdf_pages(settings: Settings, path: Path) -> int:
    from labintake.extract.pdf import open_pdf

    with _PDFIUM:
        doc = open_pdf(str(path), settings.max_pages)  # type: ignore[arg-type]  # pdfium opens paths too
        try:
            return len(doc)
        finally:
            doc.close()


def _image_frames(settings: Settings, path: Path) -> int:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                width, height = img.size
                frames = getattr(img, "n_frames", 1)
                if width * height > settings.max_image_pixels:
                    raise LabIntakeError(ErrorCode.IMAGE_TOO_LARGE, pixels=width * height,
                                         limit=settings.max_image_pixels)
                if frames > settings.max_pages:
                    raise LabIntakeError(ErrorCode.TOO_MANY_PAGES, pages=frames, limit=settings.max_pages)
                img.verify()  # chunk checksums and structure, without decoding pixels
    except LabIntakeError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise LabIntakeError(ErrorCode.IMAGE_TOO_LARGE) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise LabIntakeError(ErrorCode.IMAGE_UNREADABLE, reason=type(exc).__name__) from exc
    return frames

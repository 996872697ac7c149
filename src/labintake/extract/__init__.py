"""Bytes in, :class:`Document` out: PDF text layers, OCR for scans and images.

``sniff_type`` decides what a file is from its magic bytes; ``extract_document`` turns
it into pages of words with boxes (PDF points, top-left origin) and confidences.
Library exceptions are translated into :class:`LabIntakeError` codes here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

import numpy as np

from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.extract.document import Document, Page, Word
from labintake.extract.sniff import IMAGE_TYPES, PDF, SUPPORTED_TYPES, sniff_type
from labintake.settings import Settings

__all__ = ["Document", "Page", "Word", "STRATEGIES", "SUPPORTED_TYPES", "extract_document", "sniff_type"]

STRATEGIES = ("default", "alternate", "hires")


# The limits' defaults are the settings' own (one home); the pipeline passes the configured ones.
_SETTING = Settings.model_fields


def extract_document(
    data: bytes,
    file_type: str,
    *,
    max_pages: int = _SETTING["max_pages"].default,
    max_pixels: int = _SETTING["max_image_pixels"].default,
    ocr_dpi: int = _SETTING["ocr_dpi"].default,
    on_page: Callable[[int, int, Page | None], None] | None = None,
    strategy: str = "default",
    cached: Mapping[int, Page] | None = None,
) -> Document:
    """Read every page of ``data`` (of MIME type ``file_type``) into words.

    ``strategy`` is how hard to try: ``default`` (PDF text layers where usable; images
    dewarped when a page outline is found), ``alternate`` (every PDF page through OCR;
    images the other way round: raw if the default dewarped, dewarped if it did not),
    ``hires`` (OCR at 300 dpi and a larger detector input). The pipeline moves to the
    next one when a report fails validation.

    Raises ``LabIntakeError`` with ``empty_file``, ``unsupported_type``, ``corrupt_pdf``,
    ``encrypted_pdf``, ``too_many_pages``, ``image_unreadable``, ``image_too_large`` or
    ``no_text_found``. ``on_page(done, total, page)`` is called once with ``(0, total, None)``
    when the page count is known and then after each page, for finer progress within the
    extracting stage (an OCR page takes seconds) and to keep OCR'd pages as they finish.
    ``cached``: pages (by number) an earlier attempt of this strategy read with OCR; they are
    used instead of reading them again (a retry after a timeout resumes, not restarts).
    """
    if not data:
        raise LabIntakeError(ErrorCode.EMPTY_FILE)
    if file_type not in SUPPORTED_TYPES:
        raise LabIntakeError(ErrorCode.UNSUPPORTED_TYPE, file_type=file_type)
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown extraction strategy {strategy!r}")
    mode = {"default": "auto", "alternate": "alternate", "hires": "hires"}[strategy]
    ocr = partial(_ocr, mode=mode)

    if file_type == PDF:
        from labintake.extract.pdf import TEXT_EXTRACTOR, extract_pdf

        pages, sources = extract_pdf(
            data, max_pages=max_pages, max_pixels=max_pixels,
            ocr_dpi=max(ocr_dpi, 300) if strategy == "hires" else ocr_dpi, ocr=ocr,
            on_page=on_page, force_ocr=strategy != "default", cached=cached,
        )
        names = []
        if "text" in sources:
            names.append(TEXT_EXTRACTOR)
        if "ocr" in sources:
            names.append(_ocr_name())
        doc = Document(pages, "+".join(names) or TEXT_EXTRACTOR)
    else:
        assert file_type in IMAGE_TYPES
        from labintake.extract.image import iter_frames

        pages = []
        frames = iter_frames(data, max_pixels=max_pixels, max_pages=max_pages)
        for index, (frame, dpi, total) in enumerate(frames):
            if index == 0 and on_page is not None:
                on_page(0, total, None)
            kept = cached.get(index + 1) if cached else None
            if kept is not None:
                page = kept
            else:
                page = ocr(np.asarray(frame), dpi)
                page.number = index + 1
            del frame  # one decoded frame at a time
            pages.append(page)
            if on_page is not None:
                on_page(index + 1, total, page)
        doc = Document(pages, _ocr_name())

    if not any(w.text for p in doc.pages for w in p.words):
        raise LabIntakeError(ErrorCode.NO_TEXT_FOUND, pages=len(doc.pages))
    return doc


def _ocr(rgb: np.ndarray, dpi: float, *, mode: str) -> Page:
    # Imported lazily: onnxruntime and the models cost ~1 s and ~0.6 GB, and digital
    # PDFs never need them.
    from labintake.extract.ocr import ocr_image

    result = ocr_image(rgb, dpi, mode=mode)
    page = Page(1, result.width, result.height, result.words, "ocr", dict(result.timings))
    page.preprocessing = result.preprocessing
    page.frame = result.frame
    return page


def _ocr_name() -> str:
    from labintake.extract.ocr import ENGINE_NAME

    return ENGINE_NAME

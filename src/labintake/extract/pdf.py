"""PDF pages to words: the text layer via pdfium where it is usable, OCR where it is not."""

from __future__ import annotations

import ctypes
import time
import unicodedata
from collections.abc import Callable, Mapping

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.extract.document import Page, Word

TEXT_EXTRACTOR = "pdfium-text"

# on_page(done, total, page): once with (0, total, None) when the page count is known, then
# after each page with the page just read.
OnPage = Callable[[int, int, Page | None], None]

# Fewer printable characters than this on a page means a scan (or a scan with a page
# number stamped on it): ~50 was the useful threshold measured on generated and real PDFs.
MIN_TEXT_CHARS = 50
# A text layer whose characters are mostly unmappable (broken ToUnicode maps print as
# U+FFFD, private-use glyphs or control codes) is worse than OCR.
MIN_CLEAN_RATIO = 0.8
_BOLD_WEIGHT = 600
_FORCE_BOLD = 1 << 18  # PDF font descriptor flag 19


def open_pdf(data: bytes, max_pages: int) -> pdfium.PdfDocument:
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise LabIntakeError(ErrorCode.ENCRYPTED_PDF) from exc
        raise LabIntakeError(ErrorCode.CORRUPT_PDF, reason=str(exc)[:200]) from exc
    n = len(doc)
    if n == 0:
        doc.close()
        raise LabIntakeError(ErrorCode.CORRUPT_PDF, reason="no pages")
    if n > max_pages:
        doc.close()
        raise LabIntakeError(ErrorCode.TOO_MANY_PAGES, pages=n, limit=max_pages)
    return doc


def extract_pdf(
    data: bytes,
    *,
    max_pages: int,
    max_pixels: int,
    ocr_dpi: int,
    ocr: Callable[[np.ndarray, float], Page],
    on_page: OnPage | None = None,
    force_ocr: bool = False,
    cached: Mapping[int, Page] | None = None,
) -> tuple[list[Page], set[str]]:
    """Pages of words and the set of sources used ("text", "ocr").

    ``force_ocr`` reads every page's pixels even where a text layer looks usable: the
    retry for a text layer that parsed badly (wrong ToUnicode maps that still look
    like letters, text drawn as invisible glyphs over an image). ``cached``: pages (by
    number) an earlier attempt already read with OCR; they are used as they are.

    One page at a time: a page is loaded, read and closed (its rendered bitmap freed)
    before the next, so memory does not grow with the page count beyond the words kept.
    """
    doc = open_pdf(data, max_pages)
    pages: list[Page] = []
    sources: set[str] = set()
    total = len(doc)
    try:
        if on_page is not None:
            on_page(0, total, None)
        for index in range(total):
            kept = cached.get(index + 1) if cached else None
            if kept is not None:
                pages.append(kept)
                sources.add(kept.source)
                if on_page is not None:
                    on_page(index + 1, total, kept)
                continue
            try:
                page = _with_fields_flattened(doc, index, doc[index])
            except pdfium.PdfiumError as exc:
                raise LabIntakeError(ErrorCode.CORRUPT_PDF, page=index + 1) from exc
            try:
                width, height = page.get_size()
                t0 = time.perf_counter()
                words: list[Word] = []
                if not force_ocr:  # the page size follows its text if that was turned upright
                    words, (width, height) = text_layer_words(page, width, height)
                if _usable(words):
                    out = Page(index + 1, width, height, words, "text", {"text_layer": time.perf_counter() - t0})
                    out.scanned_image = _mostly_image(page, width, height)
                    pages.append(out)
                    sources.add("text")
                else:
                    pages.append(_ocr_page(page, index + 1, width, height, ocr_dpi, max_pixels, ocr))
                    sources.add("ocr")
            finally:
                page.close()
            if on_page is not None:
                on_page(index + 1, total, pages[-1])
    finally:
        doc.close()
    return pages, sources


def _with_fields_flattened(doc: pdfium.PdfDocument, index: int, page: pdfium.PdfPage) -> pdfium.PdfPage:
    """The page with what its annotations show made part of its content: a report whose
    values are filled-in form fields holds them in widgets, outside the text layer."""
    if pdfium_c.FPDFPage_GetAnnotCount(page.raw) == 0:
        return page
    if pdfium_c.FPDFPage_Flatten(page.raw, pdfium_c.FLAT_NORMALDISPLAY) != pdfium_c.FLATTEN_SUCCESS:
        return page
    page.close()
    return doc[index]  # loaded again: the flattened content is read from the document


def _ocr_page(page, number, width, height, ocr_dpi, max_pixels, ocr) -> Page:
    dpi = _render_dpi(width, height, ocr_dpi, max_pixels)
    t0 = time.perf_counter()
    try:
        bitmap = page.render(scale=dpi / 72.0)
    except pdfium.PdfiumError as exc:
        raise LabIntakeError(ErrorCode.CORRUPT_PDF, page=number) from exc
    try:
        rgb = bitmap.to_numpy()[:, :, :3][:, :, ::-1].copy()  # pdfium renders BGR(x)
    finally:
        bitmap.close()  # pdfium's buffer now, not whenever the garbage collector gets to it
    rendered = time.perf_counter() - t0
    out = ocr(rgb, dpi)
    out.number = number
    out.timings["render"] = rendered
    return out


def _mostly_image(page: pdfium.PdfPage, width: float, height: float) -> bool:
    """Whether pictures cover a good part of the page (a fifth or more): a scan under an OCR
    text layer, or a results table pasted in as a picture under a typed letterhead. Such a
    page's pixels may hold rows its text layer does not; a logo is far smaller."""
    covered = 0.0
    try:
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
            left, bottom, right, top = obj.get_bounds()
            covered += max(0.0, right - left) * max(0.0, top - bottom)
    except pdfium.PdfiumError:
        return False
    return covered >= _PICTURE_SHARE * width * height


_PICTURE_SHARE = 0.2


def _render_dpi(width: float, height: float, dpi: int, max_pixels: int) -> float:
    # Oversized pages (posters, mis-set media boxes) are rendered at a lower dpi rather
    # than refused: the limit protects memory, and OCR downsizes to 1400 px anyway.
    pixels = (width * dpi / 72.0) * (height * dpi / 72.0)
    if pixels <= max_pixels:
        return float(dpi)
    return dpi * (max_pixels / pixels) ** 0.5


def _usable(words: list[Word]) -> bool:
    text = "".join(w.text for w in words)
    if len(text) < MIN_TEXT_CHARS:
        return False
    clean = sum(1 for ch in text if _is_clean(ch))
    return clean / len(text) >= MIN_CLEAN_RATIO


def _is_clean(ch: str) -> bool:
    if ch == "\ufffd":
        return False
    cat = unicodedata.category(ch)
    return cat[0] in "LNPS" and cat != "Co"


# A character of the text layer: text, box (top-left origin), bold, coloured; None is a break.
_Char = tuple[str, float, float, float, float, bool, bool]


def text_layer_words(page: pdfium.PdfPage, width: float, height: float) -> tuple[list[Word], tuple[float, float]]:
    """Characters with loose (font-height) boxes, joined into words, and the page size
    they are measured in.

    Loose boxes give every character of a line the same top and bottom, which makes
    line grouping stable; tight boxes make ``.`` and ``g`` jump up and down. Text drawn
    sideways or upside down on the displayed page (a landscape table printed across a
    portrait page) is turned upright first, the page with it.
    """
    chars, size = _upright(_chars(page), width, height)
    return _join_words(chars), size


# Clockwise quarter turns that put text running each way upright (for showing the page).
_TURN_DEGREES = {"right": 0, "down": 270, "up": 90, "left": 180}


def text_turn(page: pdfium.PdfPage) -> int:
    """Degrees to turn the displayed page clockwise so its text reads upright, as
    ``text_layer_words`` reads it (its word boxes are in that frame)."""
    return _TURN_DEGREES[_direction(_chars(page))]


def _chars(page: pdfium.PdfPage) -> list[_Char | None]:
    """The text layer's characters in the displayed page's frame; None where a word breaks."""
    textpage = page.get_textpage()
    try:
        transform = _to_top_left(page)
        chars: list[_Char | None] = []
        n = textpage.count_chars()
        name_buf = ctypes.create_string_buffer(128)
        flags = ctypes.c_int()
        rgba = [ctypes.c_uint() for _ in range(4)]
        for i in range(n):
            code = pdfium_c.FPDFText_GetUnicode(textpage, i)
            ch = chr(code) if code else ""
            if not ch or ch.isspace() or code in (0xFFFE, 0xFEFF, 0x2):
                chars.append(None)
                continue
            try:
                left, b, r, t = textpage.get_charbox(i, loose=True)
            except pdfium.PdfiumError:
                continue
            chars.append((ch, *transform(left, b, r, t), _is_bold(textpage, i, name_buf, flags),
                          _is_coloured(textpage, i, rgba)))
    finally:
        textpage.close()
    return chars


def _direction(chars: list[_Char | None]) -> str:
    """Which way most text runs on the displayed page: the direction from each character
    to the next one in the same word votes."""
    votes = {"right": 0.0, "down": 0.0, "up": 0.0, "left": 0.0}
    for a, b in zip(chars, chars[1:], strict=False):
        if a is None or b is None:
            continue
        dx, dy = (b[1] + b[3] - a[1] - a[3]) / 2, (b[2] + b[4] - a[2] - a[4]) / 2
        size = max(a[3] - a[1], a[4] - a[2], 1.0)
        if max(abs(dx), abs(dy)) > 3 * size:
            continue  # the next line, or a jump across the page
        key = ("right" if dx > 0 else "left") if abs(dx) >= abs(dy) else ("down" if dy > 0 else "up")
        votes[key] += 1
    turn = max(votes, key=lambda k: votes[k])
    return "right" if votes[turn] < 2 * votes["right"] + 5 else turn


def _upright(chars: list[_Char | None], width: float, height: float) -> tuple[list[_Char | None], tuple[float, float]]:
    """The characters turned so that most text runs left to right."""
    turn = _direction(chars)
    if turn == "right":
        return chars, (width, height)

    def rotate(x: float, y: float) -> tuple[float, float]:
        if turn == "down":  # read top to bottom: turn the page a quarter counter-clockwise
            return y, width - x
        if turn == "up":  # read bottom to top: a quarter clockwise
            return height - y, x
        return width - x, height - y  # upside down

    out: list[_Char | None] = []
    for c in chars:
        if c is None:
            out.append(None)
            continue
        ax, ay = rotate(c[1], c[2])
        bx, by = rotate(c[3], c[4])
        out.append((c[0], min(ax, bx), min(ay, by), max(ax, bx), max(ay, by), c[5], c[6]))
    return out, ((height, width) if turn in ("down", "up") else (width, height))


def _join_words(chars: list[_Char | None]) -> list[Word]:
    words: list[Word] = []
    run: list[_Char] = []
    for c in chars:
        if c is None:
            _flush(run, words)
            continue
        _, x0, y0, x1, y1, _, _ = c
        if run:
            prev = run[-1]
            height = max(y1 - y0, prev[4] - prev[2], 1.0)
            same_line = abs((y0 + y1) / 2 - (prev[2] + prev[4]) / 2) < height * 0.5
            # pdfium usually emits generated spaces between words; a gap wider than
            # a quarter of the font height without one is still a word break.
            if not same_line or x0 - prev[3] > height * 0.25 or x0 < prev[1] - height:
                _flush(run, words)
        run.append(c)
    _flush(run, words)
    return words


def _is_bold(textpage, index: int, name_buf, flags) -> bool:
    # The standard-14 fonts (Helvetica-Bold…) report weight 0, so the font name and the
    # ForceBold descriptor flag are checked too. Bold marks flagged values on many LIS
    # printouts.
    if pdfium_c.FPDFText_GetFontWeight(textpage, index) >= _BOLD_WEIGHT:
        return True
    if pdfium_c.FPDFText_GetFontInfo(textpage, index, name_buf, len(name_buf), flags):
        if flags.value & _FORCE_BOLD:
            return True
        name = name_buf.value.decode("latin-1", "replace").lower()
        return any(k in name for k in ("bold", "black", "heavy", "semibold"))
    return False


def _is_coloured(textpage, index: int, rgba: list[ctypes.c_uint]) -> bool:
    """The character is filled with a saturated colour: its channels differ by more than a
    third of their range (black, greys and dark blue-black body text do not)."""
    if not pdfium_c.FPDFText_GetFillColor(textpage, index, *(ctypes.byref(c) for c in rgba)):
        return False
    r, g, b = rgba[0].value, rgba[1].value, rgba[2].value
    return max(r, g, b) - min(r, g, b) > 85


def _flush(chars: list, words: list[Word]) -> None:
    if not chars:
        return
    text = unicodedata.normalize("NFKC", "".join(c[0] for c in chars))
    words.append(
        Word(
            text,
            min(c[1] for c in chars),
            min(c[2] for c in chars),
            max(c[3] for c in chars),
            max(c[4] for c in chars),
            1.0,
            sum(c[5] for c in chars) * 2 > len(chars),
            all(c[6] for c in chars),
        )
    )
    chars.clear()


def _to_top_left(page: pdfium.PdfPage) -> Callable[[float, float, float, float], tuple]:
    """Map PDF user-space boxes (origin bottom-left, unrotated) to the displayed page's
    top-left-origin frame, honouring the crop box and the page's /Rotate."""
    left, bottom, right, top = page.get_cropbox()
    w0, h0 = right - left, top - bottom
    rotation = page.get_rotation() % 360

    def point(x: float, y: float) -> tuple[float, float]:
        x, y = x - left, y - bottom
        if rotation == 90:
            return y, x
        if rotation == 180:
            return w0 - x, y
        if rotation == 270:
            return h0 - y, w0 - x
        return x, h0 - y

    def box(left: float, b: float, r: float, t: float) -> tuple[float, float, float, float]:
        ax, ay = point(left, b)
        bx, by = point(r, t)
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)

    return box

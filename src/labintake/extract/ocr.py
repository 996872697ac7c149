"""Local OCR with RapidOCR (bundled PP-OCR ONNX models), plus page orientation and deskew.

Measured on this kind of machine (6 generated report pages, 113 rows, clean, degraded and
photographed): the line-rotation classifier flips short
strings (``g/dL`` -> ``7p/6``), so it is off and orientation is handled here for the
whole page instead. ``max_side_len=1400`` halves memory and time at no accuracy cost on
200-300 dpi pages. A recogniser width of 96 px (default 320) stops short cells such as
``%`` or ``H`` being padded to 320 px each, which cut recognition time by half with
identical text on the sample pages. Only the inked part of a page goes to the detector, at
the scale and on the grid it reads the whole page at (``_content``): the same letters, and
on the benchmark's page (margins and a blank foot) 68 % of the pixels; a page inked to its
edges is read whole.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import cv2
import numpy as np

from labintake.extract.document import Word
from labintake.extract.ocr_words import latin_words
from labintake.extract.orientation import estimate_orientation, rotate
from labintake.extract.rules import ink_of, without_rule_glyphs
from labintake.extract.second_look import missed_marks

ENGINE_NAME = "rapidocr-3.10"

_PARAMS = {
    "Global.use_cls": False,
    "Global.max_side_len": 1400,
    "Global.log_level": "error",
    "Rec.rec_img_shape": [3, 48, 96],
    "Rec.rec_batch_num": 6,
    # onnxruntime's memory arena reuses buffers between calls: detection 20 % and recognition
    # 10 % faster on 200-dpi scans, for ~280 MB more resident memory (1.08 GB vs 0.80 GB).
    "EngineConfig.onnxruntime.enable_cpu_mem_arena": True,
}

_engine = None
_engine_lock = threading.Lock()
_call_lock = threading.Lock()


def configure(*, threads: int | None = None) -> None:
    """Set onnxruntime's threads per OCR call before the engine is first created.

    The default uses every core, right for one worker per machine; with N worker
    processes on C cores, ``threads=max(1, C // N)`` avoids oversubscription.
    """
    if _engine is not None:
        raise RuntimeError("configure() must be called before the OCR engine is created")
    if threads is not None:
        _PARAMS["EngineConfig.onnxruntime.intra_op_num_threads"] = int(threads)


def get_engine():
    """The process-wide RapidOCR engine, created on first use (model load takes 1-3 s).

    RapidOCR only downloads a model when its file is missing; the default models ship in
    the wheel, and :func:`check_models` verifies that before anything is loaded.
    """
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                check_models()
                from rapidocr import RapidOCR

                _engine = RapidOCR(params=dict(_PARAMS))
    return _engine


def check_models() -> None:
    """Fail loudly (instead of attempting a download) if the bundled models are missing."""
    from importlib.resources import files

    models = files("rapidocr") / "models"
    for name in ("PP-OCRv6_det_small.onnx", "PP-OCRv6_rec_small.onnx"):
        if not (models / name).is_file():
            raise RuntimeError(f"RapidOCR model {name} is not bundled; refusing to download it")


@dataclass(frozen=True, slots=True)
class OcrPage:
    words: list[Word]  # in points, in the frame of the upright page
    width: float  # points
    height: float  # points
    rotation: int  # degrees the image was turned clockwise to be upright
    skew: float  # degrees of small-angle correction applied
    preprocessing: str = "raw"  # "raw" or "dewarped" (page outline found and flattened)
    timings: dict[str, float] = field(default_factory=dict)
    # The geometry from the given image to the one read (dewarp.page_frame): the review page
    # shows the page as read, so the words' boxes land on it.
    frame: dict | None = None


MODES = ("auto", "alternate", "hires", "raw", "dewarp")
_HIRES_SIDE = 2200  # detector input for the "hires" retry (default 1400)


def ocr_image(rgb: np.ndarray, dpi: float, *, mode: str = "auto") -> OcrPage:
    """OCR an RGB page image; return words in PDF points (pixels x 72/dpi).

    ``mode``: ``auto`` dewarps a photo when a page outline is found; ``alternate`` does
    the opposite of ``auto`` (the raw path when auto would dewarp, a forced dewarp with
    light flattening otherwise); ``hires`` is ``auto`` with a larger detector input.
    """
    if mode not in MODES:
        raise ValueError(f"unknown OCR mode {mode!r}")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    if _light_on_dark(gray):
        gray = 255 - gray  # a screenshot of an app in dark mode: OCR reads dark ink on light paper
    # Colour, carried through the same warps as the grey image, tells a value printed in red.
    sat = saturation(rgb) if rgb.ndim == 3 else np.zeros_like(gray)
    from labintake.extract.dewarp import dewarp, find_page, flatten_light, page_frame

    shape, flattened_by = gray.shape, None

    quad = find_page(gray)
    use_dewarp = quad is not None
    if mode == "alternate":
        use_dewarp = not use_dewarp
    elif mode == "raw":
        use_dewarp = False
    preprocessing = "raw"
    if use_dewarp:
        warped = dewarp(gray, quad) if quad is not None else None
        warped_sat = dewarp(sat, quad) if warped is not None and quad is not None else None
        if warped is not None and warped_sat is not None:
            gray, sat, flattened_by = warped, warped_sat, quad
            # The page now fills the image: its short side is the paper's width, so the
            # scale to points follows from the paper (A4/Letter are ~8.3-8.5 in wide).
            # The short side, not the image's width: a photo taken sideways is turned
            # upright only later.
            dpi = min(gray.shape[:2]) / 8.4
            preprocessing = "dewarped"
        gray = flatten_light(gray)
        if warped is None:
            preprocessing = "flattened"
    timings["dewarp"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    quarter, skew = estimate_orientation(gray)
    gray = rotate(gray, quarter, skew)
    sat = rotate(sat, quarter, skew, border=0)
    timings["orientation"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    side = _HIRES_SIDE if mode == "hires" else None
    words = _recognise(gray, side)
    timings["recognise"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    flipped = _looks_upside_down(gray, words)
    if flipped:
        gray = np.ascontiguousarray(gray[::-1, ::-1])
        sat = np.ascontiguousarray(sat[::-1, ::-1])
        quarter = (quarter + 180) % 360
        words = _recognise(gray, side)
    timings["upside_down_check"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    # (A rule's piece beside an empty cell is boxed by the detector or by the second look.)
    ink = ink_of(gray)
    words = without_rule_glyphs(ink, words + missed_marks(gray, ink, words, _read_crop))
    timings["second_look"] = time.perf_counter() - t0
    scale = 72.0 / dpi
    h, w = gray.shape[:2]
    scaled = [
        Word(wd.text, wd.x0 * scale, wd.y0 * scale, wd.x1 * scale, wd.y1 * scale, wd.confidence,
             coloured=_ink_is_coloured(gray, sat, wd))
        for wd in words
    ]
    frame = page_frame(shape, flattened_by, (quarter - 180) % 360 if flipped else quarter, skew, flipped, dpi)
    return OcrPage(scaled, w * scale, h * scale, quarter, skew, preprocessing, timings, frame)


def saturation(rgb: np.ndarray) -> np.ndarray:
    """Per pixel, the brightest channel minus the darkest (0 for grey ink and paper).

    OpenCV's per-channel max/min: numpy's ``rgb.max(axis=2)`` over the last axis of an
    interleaved image took ~0.19 s on a 200-dpi A4 page, a tenth of its OCR time."""
    r, g, b = cv2.split(rgb)
    return cv2.subtract(cv2.max(cv2.max(r, g), b), cv2.min(cv2.min(r, g), b))


def _light_on_dark(gray: np.ndarray) -> bool:
    """Light text on a dark background: most of the image is dark, and what is not is
    sparse (text), not a sheet of paper (a photo of a page on a dark desk is mostly page)."""
    small = gray[:: max(1, gray.shape[0] // 400), :: max(1, gray.shape[1] // 400)].astype(np.float32)
    # Judged on the image's own range: a dim photo of paper (paper at 80, ink at 20) is dark
    # only in absolute terms.
    lo, hi = np.percentile(small, (1, 99))
    if hi - lo >= 40:  # (a page of white with a few lines of ink has no range to stretch)
        small = (small - lo) * (255.0 / float(hi - lo))
    return float(np.median(small)) < 90 and float((small > 160).mean()) < 0.15


def _recognise(gray: np.ndarray, max_side: int | None = None) -> list[Word]:
    engine = get_engine()
    part = _content(gray, max_side or engine.max_side_len)
    # RapidOCR keeps per-call options as engine state, so every call states them all,
    # and calls are serialised: the engine is shared by the threads of a process.
    with _call_lock:
        default_side = engine.max_side_len
        detector = engine._load_det_model()
        default_limit = detector.limit_side_len
        if part is not None:  # already at the detector's scale and grid: nothing to resize
            engine.max_side_len = max(part.image.shape)
            detector.limit_side_len = _GRID
        elif max_side is not None:
            engine.max_side_len = max_side
        try:
            out = engine(
                cv2.cvtColor(gray if part is None else part.image, cv2.COLOR_GRAY2BGR),
                use_det=True, use_cls=False, use_rec=True, return_word_box=True,
            )
        finally:
            engine.max_side_len = default_side
            detector.limit_side_len = default_limit
    # Boxes back to the page's pixels.
    sx, sy, left, top = (1.0, 1.0, 0, 0) if part is None else (part.sx, part.sy, part.left, part.top)
    if out.txts is None:
        return []
    words: list[Word] = []
    for box, text, score, parts in zip(out.boxes, out.txts, out.scores, out.word_results, strict=True):
        pieces = [p for p in (parts or ()) if p and p[0].strip() and p[2] is not None]
        if not pieces:
            pieces = [(text, score, box)]
        else:
            pieces = latin_words(text, pieces)
        for piece_text, piece_score, piece_box in pieces:
            pts = np.asarray(piece_box, dtype=float)
            words.append(
                Word(
                    piece_text.strip(),
                    (float(pts[:, 0].min()) + left) / sx,
                    (float(pts[:, 1].min()) + top) / sy,
                    (float(pts[:, 0].max()) + left) / sx,
                    (float(pts[:, 1].max()) + top) / sy,
                    float(min(max(piece_score, 0.0), 1.0)),
                )
            )
    return words


_DETECTOR_MIN_SIDE = 736  # RapidOCR's detector enlarges an image whose short side is below this
_GRID = 32  # the detector's input is a multiple of this on each side
_MARGIN = 0.02  # of the page's long side, kept around the inked part
_WORTH_CROPPING = 0.85  # read only the inked part when it is at most this share of the page


@dataclass(frozen=True, slots=True)
class Part:
    """The inked part of a page, at the scale and on the grid the detector reads the whole page
    at: ``image`` is the page resized by (``sx``, ``sy``), from (``left``, ``top``) on."""

    image: np.ndarray
    sx: float
    sy: float
    left: int
    top: int


def _content(gray: np.ndarray, side: int) -> Part | None:
    """The part of the page that holds ink, with a margin around it, or None to read it whole.

    Detection costs in proportion to the pixels it looks at, and a page's margins and the
    blank foot of a short report are a third of a page or more. The part is cut only where
    it saves work: the page is big enough that the detector does not enlarge it, and the part
    is cut from the page as the detector would size it (the long side to ``side``, each side to
    a multiple of 32) along that grid, so every letter reaches the detector at the same scale
    and position as before. What still differs is the blank beyond the margin, which the
    detector no longer sees (cutting at every blank gap as well moved boxes by a pixel near the
    cuts and changed readings, so only the margins are cut). A row or column counts as inked
    when more than a few of its pixels are darker than the paper, so a scanner's speck does
    not hold the margin open (a noisy scan is read whole, as before)."""
    h, w = gray.shape[:2]
    r = min(1.0, side / max(h, w))
    if min(int(h * r), int(w * r)) < _DETECTOR_MIN_SIDE:
        return None
    big_h, big_w = (max(_GRID, round(int(n * r) / _GRID) * _GRID) for n in (h, w))
    # Anything visibly darker than the paper is ink here, not Otsu's split: grey print (a
    # footer, a faint header) must not fall outside the part and be lost.
    paper = float(np.median(gray[::8, ::8]))
    ink = gray < paper - 40
    rows = np.flatnonzero(ink.sum(axis=1) > max(3, w // 200))
    cols = np.flatnonzero(ink.sum(axis=0) > max(3, h // 200))
    if not len(rows) or not len(cols):
        return None
    pad = _MARGIN * max(h, w)
    sy, sx = big_h / h, big_w / w

    def on_grid(lo: float, hi: float, scale: float, size: int) -> tuple[int, int]:
        start = max(0, int((lo - pad) * scale) // _GRID * _GRID)
        return start, min(size, -(-int((hi + pad) * scale) // _GRID) * _GRID)

    y0, y1 = on_grid(rows[0], rows[-1] + 1, sy, big_h)
    x0, x1 = on_grid(cols[0], cols[-1] + 1, sx, big_w)
    if (y1 - y0) * (x1 - x0) > _WORTH_CROPPING * big_h * big_w:
        return None
    big = cv2.resize(gray, (big_w, big_h), interpolation=cv2.INTER_LINEAR)
    return Part(np.ascontiguousarray(big[y0:y1, x0:x1]), sx, sy, x0, y0)


def _ink_is_coloured(gray: np.ndarray, sat: np.ndarray, word: Word) -> bool:
    """The word's ink (pixels well below the paper's brightness) is a saturated colour: red,
    blue, orange print, not black toner on tinted paper."""
    y0, y1, x0, x1 = int(word.y0), int(word.y1) + 1, int(word.x0), int(word.x1) + 1
    box = gray[y0:y1, x0:x1]
    if box.size < 30:
        return False
    paper, darkest = np.percentile(box, 90), np.percentile(box, 2)
    if paper - darkest < 40:
        return False  # no contrast: nothing printed to judge
    ink = box < paper - 0.5 * (paper - darkest)
    return bool(np.median(sat[y0:y1, x0:x1][ink]) > 70)


def _looks_upside_down(gray: np.ndarray, words: list[Word], sample: int = 6) -> bool:
    """Read a few of the widest words turned 180 degrees: upright text scores higher."""
    if not words:
        return False
    mean_conf = sum(w.confidence for w in words) / len(words)
    if mean_conf > 0.93 and len(words) >= 10:
        return False  # upside-down text never reads this cleanly
    widest = sorted(words, key=lambda w: w.x1 - w.x0, reverse=True)[:sample]
    as_is = flipped = 0.0
    for w in widest:
        crop = gray[int(w.y0) : int(w.y1) + 1, int(w.x0) : int(w.x1) + 1]
        if crop.size == 0:
            continue
        as_is += _read_crop(crop)[1]
        flipped += _read_crop(np.ascontiguousarray(crop[::-1, ::-1]))[1]
    return flipped > as_is + 0.1 * len(widest)


def _read_crop(crop: np.ndarray) -> tuple[str, float]:
    """The recogniser's reading of a small crop (no detection) and its score."""
    with _call_lock:
        out = get_engine()(cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR), use_det=False, use_cls=False, use_rec=True,
                           return_word_box=False)
    texts, scores = getattr(out, "txts", None) or ("",), getattr(out, "scores", None) or (0.0,)
    return str(texts[0]), float(scores[0])

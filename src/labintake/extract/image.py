"""Decode uploaded images with Pillow: orientation from EXIF, pixel limit, greyscale-safe RGB."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

from labintake.domain.errors import ErrorCode, LabIntakeError

# HEIC/HEIF photos (the iPhone camera's format) open through Pillow like any other image.
pillow_heif.register_heif_opener()

# Pillow's own bomb check warns above MAX_IMAGE_PIXELS and raises at twice that; our
# limit is enforced explicitly below, before any pixel is decoded.
DECODE_ERRORS = (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError)


@contextmanager
def image_errors() -> Iterator[None]:
    """Pillow's failures as our codes, in one place: a decompression bomb is too large, a
    file Pillow cannot decode is unreadable; a bomb warning is raised as an error."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except LabIntakeError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise LabIntakeError(ErrorCode.IMAGE_TOO_LARGE) from exc
    except DECODE_ERRORS as exc:
        raise LabIntakeError(ErrorCode.IMAGE_UNREADABLE, reason=type(exc).__name__) from exc


def check_limits(width: int, height: int, frames: int, *, max_pixels: int, max_pages: int) -> None:
    """The one check of an image against the limits, at upload and again when it is read."""
    if frames > max_pages:
        raise LabIntakeError(ErrorCode.TOO_MANY_PAGES, pages=frames, limit=max_pages)
    if width * height > max_pixels:
        raise LabIntakeError(ErrorCode.IMAGE_TOO_LARGE, pixels=width * height, limit=max_pixels)


def iter_frames(data: bytes, *, max_pixels: int, max_pages: int) -> Iterator[tuple[Image.Image, float, int]]:
    """Yield each frame (multi-page TIFF: each page) as an upright RGB image, its dpi and
    the number of frames.

    The dpi comes from the file when it carries a plausible one; otherwise the page is
    assumed to be US Letter wide, which keeps word boxes in sensible point units.
    """
    with image_errors():
        img = Image.open(io.BytesIO(data))

    with img:
        n_frames = getattr(img, "n_frames", 1)
        for index in range(n_frames):
            with image_errors():
                img.seek(index)
                check_limits(*img.size, n_frames, max_pixels=max_pixels, max_pages=max_pages)
                frame = ImageOps.exif_transpose(img)  # phones store rotation in EXIF
                frame = _square_pixels(_to_rgb(frame), img.info.get("dpi"), max_pixels)
            yield frame, _dpi(img, frame.width), n_frames


def _square_pixels(img: Image.Image, dpi: object, max_pixels: int) -> Image.Image:
    """A fax in normal mode is 204 x 98 dpi: each pixel twice as tall as it is wide, the text
    squashed to half its height. Stretched to square pixels, it reads as it was printed."""
    if not isinstance(dpi, (tuple, list)) or len(dpi) != 2:
        return img
    try:
        x, y = float(dpi[0]), float(dpi[1])
    except (TypeError, ValueError):
        return img
    # Only a plausible fax-like ratio (a file claiming 1200 x 36 dpi is not stretched 33-fold).
    if not (36 <= x <= 1200 and 36 <= y <= 1200) or not 0.25 <= x / y <= 4 or 0.8 <= x / y <= 1.25:
        return img
    size = (img.width, round(img.height * x / y)) if x > y else (round(img.width * y / x), img.height)
    if size[0] * size[1] > max_pixels:
        return img  # read squashed rather than past the memory limit
    return img.resize(size, Image.Resampling.LANCZOS)


def _to_rgb(img: Image.Image) -> Image.Image:
    img.load()
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        # Transparent areas of screenshots are black in RGB; paper is white.
        rgba = img.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, "white")
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    if img.mode.startswith("I;16") or img.mode == "I":
        # 16-bit scans: scale to 8 bits instead of letting convert() clip to white.
        img = img.convert("I").point(lambda v: v / 256).convert("L")
    return img.convert("RGB")


def _dpi(img: Image.Image, width_px: int) -> float:
    dpi = img.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        value = 0.0
    if 72 <= value <= 1200:
        return value
    return max(width_px / 8.5, 1.0)

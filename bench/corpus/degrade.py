"""Digital PDF -> the other three formats: a 200-dpi scan, a phone photo, an image-only PDF.

Each degradation is seeded, so the same page always gives the same bytes.
"""

from __future__ import annotations

import io

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image


def render_pages(pdf: bytes, dpi: int) -> list[np.ndarray]:
    """Greyscale pages at ``dpi``."""
    doc = pdfium.PdfDocument(pdf)
    try:
        return [np.asarray(doc[i].render(scale=dpi / 72).to_pil().convert("L")) for i in range(len(doc))]
    finally:
        doc.close()


def scan(page: np.ndarray, rng: np.random.Generator, level: float | None = None) -> np.ndarray:
    """A flatbed scan: slight rotation (0.4-1.5 degrees), blur, sensor noise, grey paper.

    ``level`` (0..1, generated layouts only; None keeps the hand-drawn layouts' bytes):
    rougher scans rotate more (up to 2.5 degrees), blur and speckle more, and get a
    darker band where the page lifted off the glass."""
    if level is not None:
        return _scan_level(page, rng, level)
    h, w = page.shape
    angle = float(rng.uniform(0.4, 1.5) * rng.choice([-1, 1]))
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    img = cv2.warpAffine(page, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    img = cv2.GaussianBlur(img, (3, 3), 0.6)
    img = img.astype(np.float32) * 0.92 + 10  # paper is never pure white, ink never pure black
    img += rng.normal(0, 9, img.shape)
    # A few dust specks.
    for _ in range(40):
        y, x = int(rng.integers(0, h)), int(rng.integers(0, w))
        cv2.circle(img, (x, y), int(rng.integers(1, 3)), float(rng.uniform(60, 160)), -1)
    return np.clip(img, 0, 255).astype(np.uint8)


def _scan_level(page: np.ndarray, rng: np.random.Generator, level: float) -> np.ndarray:
    h, w = page.shape
    angle = float(rng.uniform(0.2, 0.8 + 1.7 * level) * rng.choice([-1, 1]))
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    img = cv2.warpAffine(page, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    img = cv2.GaussianBlur(img, (3, 3), 0.4 + 0.5 * level)
    img = img.astype(np.float32) * (0.95 - 0.08 * level) + 8 + 10 * level
    img += rng.normal(0, 5 + 8 * level, img.shape)
    if level > 0.5:  # the page's edge lifted off the glass: a soft dark band along one side
        xx = np.arange(w, dtype=np.float32)
        band = np.clip(1 - xx / (w * 0.06), 0, 1) * 60 * level
        img -= band[None, :] if rng.random() < 0.5 else band[None, ::-1]
    for _ in range(int(20 + 60 * level)):
        y, x = int(rng.integers(0, h)), int(rng.integers(0, w))
        cv2.circle(img, (x, y), int(rng.integers(1, 3)), float(rng.uniform(60, 160)), -1)
    return np.clip(img, 0, 255).astype(np.uint8)


def photo(page: np.ndarray, rng: np.random.Generator, level: float | None = None) -> np.ndarray:
    """A phone photo: the page on a desk, seen at an angle, with uneven light and JPEG blur.

    ``level`` (0..1, generated layouts only): a steeper angle, harder light falloff,
    and at high levels a soft shadow across the page (a hand or the phone)."""
    strength = 0.045 if level is None else 0.02 + 0.04 * level
    falloff = 0.45 if level is None else 0.25 + 0.35 * level
    h, w = page.shape
    pad_x, pad_y = int(w * 0.12), int(h * 0.10)
    W, H = w + 2 * pad_x, h + 2 * pad_y
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = lambda: rng.uniform(-strength, strength)  # noqa: E731
    dst = np.float32([
        [pad_x + jitter() * w, pad_y + jitter() * h],
        [pad_x + w + jitter() * w, pad_y + jitter() * h],
        [pad_x + w + jitter() * w, pad_y + h + jitter() * h],
        [pad_x + jitter() * w, pad_y + h + jitter() * h],
    ])
    m = cv2.getPerspectiveTransform(src, dst)
    desk = float(rng.uniform(60, 110))
    img = cv2.warpPerspective(page.astype(np.float32), m, (W, H), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=desk)
    # Light falls off from one corner, plus a soft vignette.
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    cx, cy = rng.uniform(0, W), rng.uniform(0, H)
    dist = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) / np.hypot(W, H)
    light = 1.0 - falloff * dist
    img = img * light
    if level is not None and level > 0.6:
        x0 = rng.uniform(0.2, 0.8) * W
        shadow = 1 - 0.25 * level / (1 + np.exp(-(xx - x0) / (0.03 * W)))
        img = img * shadow
    img = cv2.GaussianBlur(img, (0, 0), 0.9)
    img += rng.normal(0, 5, img.shape)
    rgb = np.clip(np.dstack([img * 1.0, img * 0.97, img * 0.9]), 0, 255).astype(np.uint8)
    return rgb


def to_png(img: np.ndarray, dpi: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG", dpi=(dpi, dpi), optimize=False)
    return buf.getvalue()


def to_jpeg(img: np.ndarray, quality: int = 82) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=quality)  # no dpi: phones don't set one
    return buf.getvalue()


def image_only_pdf(pages: list[np.ndarray], size: tuple[float, float]) -> bytes:
    """Scanned pages in a PDF with no text layer, JPEG-compressed as scanners do."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=size, invariant=1)
    for page in pages:
        jpg = io.BytesIO()
        Image.fromarray(page).save(jpg, format="JPEG", quality=75)
        jpg.seek(0)
        c.drawImage(ImageReader(jpg), 0, 0, width=size[0], height=size[1])
        c.showPage()
    c.save()
    return buf.getvalue()

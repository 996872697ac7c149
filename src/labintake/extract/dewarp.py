"""Phone photos: find the page outline, undo the perspective, even out the light.

Measured on generated phone photos: a small gain for RapidOCR from dewarping, and an outline found
imperfectly on about one photo in six; so the outline must pass sanity checks (four
corners, convex, a page-like aspect ratio, brighter than its surroundings, its sides on
real edges), and the pipeline keeps the raw image as another strategy when a dewarped page
fails validation.

A global brightness threshold alone loses a page corner that lies in shadow (the corner
falls below the threshold and the outline cuts across the page, which then warps every
column); a local threshold keeps it, since a shadowed page is still brighter than the desk
beside it.
"""

from __future__ import annotations

import cv2
import numpy as np

_WORK = 800  # px, longest side of the image the outline is searched on
_MIN_AREA, _MAX_AREA = 0.25, 0.92  # page area as a share of the photo
_ASPECT = (1.15, 1.65)  # long side / short side: A4 1.41, Letter 1.29, Legal 1.65


def find_page(gray: np.ndarray) -> np.ndarray | None:
    """The page's four corners (TL, TR, BR, BL) in pixels, or None when the image is
    not a photo of a page on a darker background (scans, renders, screenshots)."""
    h, w = gray.shape[:2]
    f = _WORK / max(h, w)
    small = cv2.resize(gray, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)
    blur = cv2.GaussianBlur(small, (7, 7), 0)
    _, mask = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    # Brighter than its neighbourhood: the page's rim where light is low (see the docstring).
    block = (max(small.shape[:2]) // 4) | 1
    local = cv2.adaptiveThreshold(blur, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, -10)
    mask = cv2.bitwise_or(mask, local)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    contour = cv2.convexHull(max(contours, key=cv2.contourArea))
    area = cv2.contourArea(contour) / float(small.shape[0] * small.shape[1])
    if not _MIN_AREA <= area <= _MAX_AREA:
        return None
    peri = cv2.arcLength(contour, True)
    quad = None
    for eps in (0.01, 0.02, 0.03, 0.05):
        approx = cv2.approxPolyDP(contour, eps * peri, True)
        if len(approx) == 4:
            quad = approx.reshape(4, 2).astype(np.float32)
            break
    if quad is None or not cv2.isContourConvex(quad.reshape(-1, 1, 2).astype(np.int32)):
        return None
    quad = _order(quad)
    inner = _inner_sides(quad, small.shape)
    if len(inner) < 3:
        # A photographed page has desk around it on three sides at least (a close shot may
        # cut it at one edge of the frame); a scan or a render has none.
        return None
    width, height = _size(quad)
    ratio = max(width, height) / max(1.0, min(width, height))
    if not _ASPECT[0] <= ratio <= _ASPECT[1]:
        return None
    inside = cv2.fillConvexPoly(np.zeros_like(small), quad.astype(np.int32), 1).astype(bool)
    if small[inside].mean() - small[~inside].mean() < 30:
        return None  # not a bright page on a darker desk
    if not _on_edges(blur, quad, inner):
        return None  # a side cuts across the page or the desk: warping by it would bend the text
    return quad / f


def _inner_sides(quad: np.ndarray, shape: tuple[int, ...]) -> list[int]:
    """The sides (0 top, 1 right, 2 bottom, 3 left; side i runs from corner i to i+1) that
    lie inside the image rather than along its border, where the frame cut the page."""
    h, w = shape[:2]
    margin = 0.01 * max(h, w)

    def on_border(p: np.ndarray, q: np.ndarray) -> bool:
        return any((p[k] < margin and q[k] < margin) or (p[k] > lim - margin and q[k] > lim - margin)
                   for k, lim in ((0, w), (1, h)))

    return [i for i in range(4) if not on_border(quad[i], quad[(i + 1) % 4])]


def _on_edges(gray: np.ndarray, quad: np.ndarray, sides: list[int]) -> bool:
    """True when every stretch of the outline's ``sides`` lies on a brightness edge: the
    weakest tenth of points along them has at least a quarter of the typical edge strength."""
    gx = cv2.Sobel(gray.astype(np.float32), cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(gray.astype(np.float32), cv2.CV_32F, 0, 1)
    strength = cv2.dilate(np.hypot(gx, gy), np.ones((5, 5), np.uint8))  # the edge within 2 px
    h, w = gray.shape[:2]
    t = np.linspace(0.05, 0.95, 50, dtype=np.float32)[:, None]
    points = np.concatenate([quad[i] + t * (quad[(i + 1) % 4] - quad[i]) for i in sides])
    xs = np.clip(np.round(points[:, 0]).astype(int), 0, w - 1)
    ys = np.clip(np.round(points[:, 1]).astype(int), 0, h - 1)
    along = strength[ys, xs]
    return bool(np.percentile(along, 10) >= 0.25 * np.median(along) > 0)


def dewarp(gray: np.ndarray, quad: np.ndarray) -> np.ndarray | None:
    """The page cut out of the photo and made rectangular."""
    width, height = _size(quad)
    if width < 300 or height < 300:
        return None
    dst = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
    return cv2.warpPerspective(gray, m, (int(width), int(height)), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REPLICATE)


def flatten_light(gray: np.ndarray) -> np.ndarray:
    """Divide by the paper's brightness (text removed by a closing) so shadows and
    light fall-off become white paper again."""
    h, w = gray.shape[:2]
    f = 0.25
    small = cv2.resize(gray, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    bg = cv2.medianBlur(bg, 15)
    bg = cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(gray, np.maximum(bg, 1), scale=255)


def _order(quad: np.ndarray) -> np.ndarray:
    s = quad.sum(axis=1)
    d = np.diff(quad, axis=1).ravel()
    return np.array([quad[np.argmin(s)], quad[np.argmin(d)], quad[np.argmax(s)], quad[np.argmax(d)]], dtype=np.float32)


def _size(quad: np.ndarray) -> tuple[float, float]:
    tl, tr, br, bl = quad
    width = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    height = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    return float(width), float(height)


# --- the page's frame: how the image OCR read was made from the image it was given ----------
#
# Word boxes are measured on the flattened page (dewarped, turned, deskewed, maybe turned
# over); the review page must show that same page, or a box lands on the wrong row of a
# tilted photo. The geometric steps are all projective, so one 3x3 matrix replays them.


def page_frame(shape: tuple[int, ...], quad: np.ndarray | None, quarter: int, skew: float, flipped: bool,
               dpi: float) -> dict[str, object]:
    """The geometry ``ocr_image`` applied to an image of ``shape``: the page outline ``quad`` it
    dewarped by (None: not dewarped), the quarter turn and skew of ``rotate``, a final 180-degree
    flip; ``dpi`` turns the read image's pixels into points. JSON-able (kept with the page)."""
    h, w = shape[:2]
    m = np.eye(3)
    if quad is not None:
        width, height = _size(quad)
        dst = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
        m = cv2.getPerspectiveTransform(quad.astype(np.float32), dst).astype(np.float64)
        w, h = int(width), int(height)
    if quarter == 90:  # np.rot90(k=-1): clockwise
        m = np.array([[0, -1, h - 1], [1, 0, 0], [0, 0, 1]], dtype=np.float64) @ m
        w, h = h, w
    elif quarter == 270:  # np.rot90(k=-3)
        m = np.array([[0, 1, 0], [-1, 0, w - 1], [0, 0, 1]], dtype=np.float64) @ m
        w, h = h, w
    elif quarter:
        raise ValueError(f"quarter turn of {quarter} degrees")
    if skew:
        m = np.vstack([cv2.getRotationMatrix2D((w / 2, h / 2), skew, 1.0), [0, 0, 1]]) @ m
    if flipped:
        m = np.array([[-1, 0, w - 1], [0, -1, h - 1], [0, 0, 1]], dtype=np.float64) @ m
    return {"matrix": [float(v) for v in m.ravel()], "source": [int(shape[1]), int(shape[0])],
            "size": [int(w), int(h)], "dpi": float(dpi)}


def replay_frame(image: np.ndarray, frame: dict, px_per_pt: float, *, fill: int = 255) -> np.ndarray:
    """``image`` (the source page at any scale; colour or grey) made into the page OCR read, at
    ``px_per_pt`` pixels per point: a word box ``b`` in points lies at ``b * px_per_pt`` on it."""
    src_w, src_h = frame["source"]
    k = px_per_pt * 72.0 / float(frame["dpi"])
    shrink = k * src_w / image.shape[1]
    if shrink < 0.9:  # a phone photo shown smaller: averaged down first, not sampled (no aliasing)
        image = cv2.resize(image, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA)
    h, w = image.shape[:2]
    to_source = np.diag([src_w / w, src_h / h, 1.0])  # the given image need not be OCR's size
    m = np.diag([k, k, 1.0]) @ np.asarray(frame["matrix"], dtype=np.float64).reshape(3, 3) @ to_source
    size = (max(1, round(frame["size"][0] * k)), max(1, round(frame["size"][1] * k)))
    border = (fill,) * (image.shape[2] if image.ndim == 3 else 1)
    return cv2.warpPerspective(image, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                               borderValue=border)

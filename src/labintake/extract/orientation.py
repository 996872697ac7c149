"""Page orientation and skew from the text lines themselves.

Text lines make the row-sum profile of a binarised page spiky: the profile's energy
peaks when lines are exactly horizontal. Comparing the best energy of the page and of
the page turned 90 degrees tells portrait from landscape text, and the best small
angle is the skew. On a ~1000 px thumbnail this costs a few tens of milliseconds.
0 versus 180 degrees cannot be told apart this way; ocr._looks_upside_down() compares
recogniser confidence on a few lines read both ways instead.
"""

from __future__ import annotations

import cv2
import numpy as np

_THUMB = 1000
_RIM = 0.03  # share of each side left out of the orientation estimate
_SKEW_LIMIT = 6.0  # degrees; larger angles are photos, not slightly crooked scans
_INK_SHARE = 0.25  # of a thumbnail's pixels: a page of text is 3-15 % ink


def estimate_orientation(gray: np.ndarray) -> tuple[int, float]:
    """(quarter turn clockwise in {0, 90, 270}, skew in degrees) to make text level.

    A slightly crooked scan is levelled by a search of +-6 degrees. A page turned further
    (a photo of a page that fills the frame, fed crooked, no outline to dewarp by) shows no
    sharp peak there, for either quarter: then a wide search on a smaller thumbnail finds
    the angle, refined on the full one."""
    binary = _binarise_thumb(gray)
    best: tuple[float, int, float] = (-1.0, 0, 0.0)
    peaks = []
    for quarter in (0, 90):
        img = binary if quarter == 0 else np.ascontiguousarray(np.rot90(binary, -1))
        angle, energy, peak = _best_angle(img)
        peaks.append(peak)
        if energy > best[0]:
            best = (energy, quarter, angle)
    if max(peaks) < _SHARP_PEAK:
        best = _wide_search(binary)
    _, quarter, angle = best
    if quarter == 90 and _needs_270(binary):
        quarter = 270
    return quarter, angle


_SHARP_PEAK = 3.0  # best energy over the median of the searched angles, on level text 3.4-78 (measured)
_WIDE_LIMIT = 40.0


def _wide_search(binary: np.ndarray) -> tuple[float, int, float]:
    """(energy, quarter, angle) from a search of +-40 degrees in half-degree steps on a
    half-size thumbnail, refined on ``binary``."""
    small = (cv2.resize(binary, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA) > 0.25).astype(np.float32)
    found = []
    for quarter in (0, 90):
        img = small if quarter == 0 else np.ascontiguousarray(np.rot90(small, -1))
        angles = np.arange(-_WIDE_LIMIT, _WIDE_LIMIT + 0.01, 0.5)
        coarse = float(max(angles, key=lambda a: _energy(img, float(a))))
        energy, angle = _refined(binary if quarter == 0 else np.ascontiguousarray(np.rot90(binary, -1)), coarse)
        found.append((energy, quarter, round(angle, 2)))
    return max(found)


def _binarise_thumb(gray: np.ndarray) -> np.ndarray:
    h, w = gray.shape[:2]
    f = min(1.0, _THUMB / max(h, w))
    small = cv2.resize(gray, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)
    _, binary = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    if binary.mean() > _INK_SHARE:
        # Far more "ink" than a page of text holds: a photo lit from one side, whose dim half
        # fell below the page's one threshold and became one dark block (its edge outweighs
        # every text line). Ink is then judged against the paper around it.
        paper = cv2.medianBlur(cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8)), 31)
        even = cv2.divide(small, np.maximum(paper, 1), scale=255)
        _, binary = cv2.threshold(even, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    h2, w2 = binary.shape
    # The page's rim holds no text but often a dark edge (a scanner's border, a sliver of desk
    # beside a dewarped photo): one long dark line outweighs every text line and turns the
    # page a quarter. Leave the rim out.
    my, mx = max(1, int(h2 * _RIM)), max(1, int(w2 * _RIM))
    binary[:my, :] = 0
    binary[-my:, :] = 0
    binary[:, :mx] = 0
    binary[:, -mx:] = 0
    return binary.astype(np.float32)


def _energy(binary: np.ndarray, angle: float) -> float:
    if angle:
        h, w = binary.shape
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        binary = cv2.warpAffine(binary, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
    profile = binary.sum(axis=1)
    return float(np.square(np.diff(profile)).sum())


def _best_angle(binary: np.ndarray) -> tuple[float, float, float]:
    """(angle, its energy, how sharp the peak is): a coarse 1-degree search, then a
    0.2-degree refinement around the winner."""
    coarse = [(_energy(binary, float(a)), float(a)) for a in np.arange(-_SKEW_LIMIT, _SKEW_LIMIT + 0.01, 1.0)]
    top = max(coarse)
    energy, angle = _refined(binary, top[1])
    peak = top[0] / max(float(np.median([e for e, _ in coarse])), 1e-9)
    return (0.0 if abs(angle) < 0.15 else round(angle, 2)), energy, peak


def _refined(binary: np.ndarray, around: float) -> tuple[float, float]:
    """(energy, angle) of the best angle within 0.8 degrees of ``around``, in 0.2-degree steps."""
    return max((_energy(binary, float(a)), float(a)) for a in np.arange(around - 0.8, around + 0.81, 0.2))


def _needs_270(binary: np.ndarray) -> bool:
    # A cheap first guess between 90 and 270: report text is left-aligned, so after
    # the 90-degree turn most ink should sit in the left half. A wrong guess leaves the
    # page upside down, which _looks_upside_down() then catches (at the cost of a
    # second OCR pass).
    turned = np.rot90(binary, -1)
    cols = turned.sum(axis=0)
    half = len(cols) // 2
    return cols[half:].sum() > cols[:half].sum() * 1.15


def rotate(gray: np.ndarray, quarter: int, skew: float, border: int = 255) -> np.ndarray:
    if quarter:
        gray = np.ascontiguousarray(np.rot90(gray, -quarter // 90))
    if skew:
        h, w = gray.shape
        m = cv2.getRotationMatrix2D((w / 2, h / 2), skew, 1.0)
        gray = cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=border)
    return gray

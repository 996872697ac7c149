"""The fonts a generated report may use: (regular, bold) reportlab font names.

The 14 standard PDF fonts cover Latin-1 only, so Polish, Turkish and arrows (↑ ↓) need a
TrueType font: DejaVu (Debian's fonts-dejavu-core, present wherever LabIntake's tests
run). Chinese is embedded from WenQuanYi Micro Hei (Debian's fonts-wqy-microhei) so the
page renders, and so scans and photos of it show the characters; without that file it
falls back to reportlab's built-in CID font STSong-Light, which needs no file but is not
embedded: its text layer is right, yet a renderer with no CJK font draws no glyphs, so
the corpus then leaves out the image formats of Chinese reports (see
:func:`cjk_renders`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
_TTF = {
    "sans_ttf": ("DejaVuSans", "DejaVuSans-Bold"),
    "serif_ttf": ("DejaVuSerif", "DejaVuSerif-Bold"),
    "mono_ttf": ("DejaVuSansMono", "DejaVuSansMono-Bold"),
}
_STANDARD = {
    "helvetica": ("Helvetica", "Helvetica-Bold"),
    "times": ("Times-Roman", "Times-Bold"),
    "courier": ("Courier", "Courier-Bold"),
}
CJK = "STSong-Light"
CJK_EMBEDDED = "WQYMicroHei"


def cjk_renders() -> bool:
    """Whether Chinese pages are drawn with an embedded font (so their images show text)."""
    return _WQY.exists()


@cache
def _register(name: str) -> str:
    if name == CJK:
        pdfmetrics.registerFont(UnicodeCIDFont(CJK))
    elif name == CJK_EMBEDDED:
        pdfmetrics.registerFont(TTFont(CJK_EMBEDDED, str(_WQY), subfontIndex=0))
    else:
        path = _DEJAVU / f"{name}.ttf"
        if not path.exists():
            raise FileNotFoundError(f"{path} is needed to draw this report (Debian: fonts-dejavu-core)")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    return name


def fonts(font: str, lang: str) -> tuple[str, str]:
    """(regular, bold) for a font choice; Chinese reports use the CJK font throughout."""
    if lang == "zh":
        name = _register(CJK_EMBEDDED if cjk_renders() else CJK)
        return name, name
    if font in _STANDARD:
        return _STANDARD[font]
    regular, bold = _TTF[font]
    return _register(regular), _register(bold)


def is_mono(font: str) -> bool:
    return font in ("courier", "mono_ttf")

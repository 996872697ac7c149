"""What extraction produces: pages of words with boxes and confidence.

Coordinates are in PDF points (1/72 in) from the page's top-left corner, for text
layers and OCR alike (OCR pixel boxes are scaled by 72/dpi), so parsing never has to
know where the words came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float = 1.0
    bold: bool = False
    # Printed in a colour (red, blue, orange…), not in black or grey: many LIS print an
    # out-of-range value so, with no letter beside it.
    coloured: bool = False

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.x0, self.y0, self.x1, self.y1)


@dataclass(slots=True)
class Page:
    number: int  # 1-based
    width: float
    height: float
    words: list[Word] = field(default_factory=list)
    source: str = "text"  # "text" (PDF text layer), "ocr" or "vision"
    # Seconds per stage for this page (render, orientation, dewarp, recognise…).
    timings: dict[str, float] = field(default_factory=dict)
    # How the page image was prepared before OCR ("raw", "dewarped"), for parsing_metadata.
    preprocessing: str | None = None
    # A text-layer page that pictures cover a good part of: a scan with an OCR layer, whose
    # text may be wrong where the picture is right, or a results table pasted in as a picture.
    scanned_image: bool = False
    # Read in an earlier attempt and kept (an OCR'd page is not read twice; see to_dict).
    from_cache: bool = False
    # OCR'd pages: how the image read was made from the page's image (extract.dewarp.page_frame),
    # so the review page can show the page as read, where the word boxes were measured.
    frame: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The page as JSON-able data, for the page cache (an OCR'd page is kept as it finishes,
        so a retry after a timeout or a crash resumes after it)."""
        return {
            "number": self.number, "width": self.width, "height": self.height, "source": self.source,
            "preprocessing": self.preprocessing, "scanned_image": self.scanned_image, "frame": self.frame,
            "words": [[w.text, w.x0, w.y0, w.x1, w.y1, w.confidence, w.bold] for w in self.words],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Page:
        words = [Word(str(t), float(x0), float(y0), float(x1), float(y1), float(c), bool(b))
                 for t, x0, y0, x1, y1, c, b in data["words"]]
        return cls(int(data["number"]), float(data["width"]), float(data["height"]), words, data["source"],
                   {}, data.get("preprocessing"), bool(data.get("scanned_image")), True, data.get("frame"))


@dataclass(slots=True)
class Document:
    pages: list[Page]
    extractor: str  # names the extractor, stored as extraction_model

    @property
    def text(self) -> str:
        """Plain text, one line per word row; for caching and debugging, never for logs."""
        out: list[str] = []
        for page in self.pages:
            out.append(" ".join(w.text for w in page.words))
        return "\n".join(out)

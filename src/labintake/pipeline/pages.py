"""Page progress from a worker, throttled: what the runner writes while a file is read.

A worker reports every page it finishes (``PageDone``). A digital PDF reads hundreds of
pages a second, an OCR page takes seconds, so the runner writes the file's page progress
(one transaction: the row, an event and the OCR'd pages to keep) at most once per
``interval`` per file, and once more ``interval`` after the last write when something is
still unwritten (a trailing write, so the page never shows a stale page for long). A file
read within ``interval`` of entering extracting, and a one-page file, write nothing extra.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from labintake.pipeline.work import PageDone

WRITE_INTERVAL = 1.0  # seconds: at most one page-progress write per file per second


class PageProgress:
    def __init__(self, *, variant: Callable[[str], str], interval: float = WRITE_INTERVAL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._variant = variant  # strategy -> the page cache's key (strategy and dpi)
        self._interval = interval
        self._clock = clock
        self.done = 0
        self.total = 0
        self.pages: list[tuple[str, int, dict[str, Any]]] = []  # OCR'd pages not yet kept
        self.ocr_read = False  # some page was read with OCR (and may have been kept)
        self._unwritten = False
        self._last = clock()

    def restart(self) -> None:
        """A reading starts (entering extracting is itself a write): nothing due yet."""
        self.done = self.total = 0
        self._unwritten = False
        self._last = self._clock()

    def add(self, msg: PageDone) -> None:
        self.done, self.total = msg.done, msg.total
        if msg.page is not None:
            self.ocr_read = True
            self.pages.append((self._variant(msg.strategy), int(msg.page["number"]), msg.page))
        # A one-page file has no page progress to show: its stages say it all (and its events
        # stay the six of the happy path); its OCR'd page is still kept when the reading ends.
        if msg.total > 1:
            self._unwritten = True

    @property
    def due(self) -> bool:
        return self._unwritten and self._clock() - self._last >= self._interval

    def next_write(self) -> float | None:
        """When the trailing write is due (monotonic clock), or None when nothing is unwritten."""
        return self._last + self._interval if self._unwritten else None

    def take(self) -> tuple[int, int, list[tuple[str, int, dict[str, Any]]]]:
        """What to write now; the interval starts again."""
        pages, self.pages = self.pages, []
        self._unwritten = False
        self._last = self._clock()
        return self.done, self.total, pages

    def take_pages(self) -> list[tuple[str, int, dict[str, Any]]]:
        """Only the OCR'd pages not yet kept (the reading ended: no progress to show)."""
        pages, self.pages = self.pages, []
        return pages

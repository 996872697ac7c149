"""Page progress: the throttle (a fake clock), the progress figure, and a kept page's round trip."""

from __future__ import annotations

from labintake.db.pages import extracting_progress
from labintake.extract.document import Page, Word
from labintake.pipeline.pages import PageProgress
from labintake.pipeline.work import PageDone


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _progress(clock: Clock) -> PageProgress:
    progress = PageProgress(variant=lambda strategy: f"{strategy}@200", interval=1.0, clock=clock)
    progress.restart()
    return progress


def test_fast_pages_are_written_at_most_once_per_interval_with_a_trailing_write() -> None:
    """Given 300 text pages read in half a second, nothing is due until a second has passed since
    the reading started; then one write covers them all, and the trailing write is scheduled an
    interval after the last write while something is unwritten."""
    clock = Clock()
    p = _progress(clock)
    assert p.next_write() is None  # nothing read yet: no trailing write either
    for done in range(301):
        p.add(PageDone("default", done, 300))
        clock.now += 0.5 / 300
        assert not p.due
    assert p.next_write() == 101.0
    clock.now = 101.0
    assert p.due
    assert p.take() == (300, 300, [])
    assert not p.due and p.next_write() is None


def test_slow_pages_are_each_written_and_ocr_pages_are_handed_over_once() -> None:
    clock = Clock()
    p = _progress(clock)
    p.add(PageDone("default", 0, 3))
    writes = []
    for done in (1, 2, 3):
        clock.now += 4.0  # an OCR page
        p.add(PageDone("default", done, 3, {"number": done, "words": []}))
        assert p.due
        writes.append(p.take())
    assert [(d, t, [(k, n) for k, n, _ in pages]) for d, t, pages in writes] == [
        (1, 3, [("default@200", 1)]), (2, 3, [("default@200", 2)]), (3, 3, [("default@200", 3)]),
    ]
    assert p.take_pages() == []


def test_a_one_page_file_writes_no_page_progress_but_its_page_is_kept() -> None:
    clock = Clock()
    p = _progress(clock)
    p.add(PageDone("default", 0, 1))
    clock.now += 5
    p.add(PageDone("default", 1, 1, {"number": 1, "words": []}))
    clock.now += 5
    assert not p.due and p.next_write() is None
    assert [(k, n) for k, n, _ in p.take_pages()] == [("default@200", 1)]


def test_progress_moves_from_extracting_towards_parsing_without_reaching_it() -> None:
    assert extracting_progress(0, 300) == 30
    assert extracting_progress(150, 300) == 44
    assert extracting_progress(300, 300) == 59
    assert extracting_progress(5, 0) == 30


def test_a_kept_page_reads_back_as_it_was_marked_as_reused() -> None:
    page = Page(2, 612.0, 792.0, [Word("Hemoglobin", 1, 2, 3, 4, 0.9, True)], "ocr", {"recognise": 3.0}, "raw")
    back = Page.from_dict(page.to_dict())
    assert (back.number, back.width, back.height, back.words, back.source, back.preprocessing) == (
        2, 612.0, 792.0, page.words, "ocr", "raw")
    assert back.from_cache and not page.from_cache

"""Long documents: peak memory of one worker process reading a long scanned PDF.

Pages are read one at a time (rendered, OCR'd, released), so a worker's peak RSS should not
grow with the page count: the figure is the peak RSS (``VmHWM``) of a real worker process
after a 300-page scan (``--quick``: 10 pages), and the baseline is the same worker's peak on
a 2-page scan of the same pages, measured in the same run. The target is 1.5 GB.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.common import Row
from labintake.pipeline.procpool import WorkerProcess
from labintake.pipeline.work import Done, Failed, Job, PageDone, StageContext
from tests.fixtures.longdocs import join_pdfs
from tests.fixtures.reports import make_image_only_pdf, sample_report

TARGET_BYTES = 1.5e9


def _peak_rss(pid: int) -> int:
    """The process's peak resident set size (Linux ``VmHWM``), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/PID/status (Linux only)")


def _read(pdf: bytes, folder: Path) -> tuple[float, float, int]:
    """(peak RSS in bytes, seconds, pages) of a fresh worker process reading ``pdf``."""
    path = folder / f"scan-{len(pdf)}.pdf"
    path.write_bytes(pdf)
    worker = WorkerProcess()
    try:
        worker.wait_ready(300)
        started = time.monotonic()
        worker.submit(Job("bench", str(path), "application/pdf", StageContext.defaults()))
        pages = 0
        while True:
            msg = worker.recv(6 * 3600)
            if isinstance(msg, PageDone):
                pages = max(pages, msg.done)
            elif isinstance(msg, Failed):
                raise RuntimeError(f"the bench scan failed: {msg.code}")
            elif isinstance(msg, Done):  # after Parsed: the worker is free again
                break
        seconds = time.monotonic() - started
        return float(_peak_rss(worker.pid)), seconds, pages  # type: ignore[arg-type]
    finally:
        worker.stop()


def run(quick: bool = False) -> list[Row]:
    pages = 10 if quick else 300
    page = make_image_only_pdf(sample_report())  # a 200-dpi scan of a full report page
    with tempfile.TemporaryDirectory(prefix="labintake-bench-longdoc-") as tmp:
        folder = Path(tmp)
        small_rss, _, _ = _read(join_pdfs([page] * 2), folder)
        rss, seconds, read = _read(join_pdfs([page] * pages), folder)
    verdict = "within" if rss <= TARGET_BYTES else "OVER"
    print(f"longdoc: worker peak RSS {rss / 1e6:,.0f} MB on a {pages}-page scan "
          f"({verdict} the {TARGET_BYTES / 1e9:.1f} GB target); 2 pages: {small_rss / 1e6:,.0f} MB")
    return [
        Row("longdoc", f"worker peak RSS, {pages}-page scanned PDF (baseline: 2 pages; target <= 1.5 GB)",
            rss / 1e6, "MB", small_rss / 1e6),
        Row("longdoc", f"seconds per page, {pages}-page scanned PDF", seconds / max(1, read), "s/page"),
    ]

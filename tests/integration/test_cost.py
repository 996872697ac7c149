"""Cost per file: the worker measures its CPU-seconds and the vision tokens it was billed for,
sends them with the job's last message, and the runner stores them with their price."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from labintake.db.models import FileProcessingStatus as FPS
from labintake.domain.search import normalise
from labintake.extract.vision import VisionConfig
from labintake.pipeline.vision import read_with_vision
from labintake.pipeline.work import Failed, Job, Parsed, StageContext, run_job
from labintake.service import LabIntake, accounts, sessions
from tests.conftest import make_settings, start_processing
from tests.fixtures.reports import blank_pdf_bytes, make_multipage_pdf, make_pdf, sample_report
from tests.integration.helpers import upload, wait_finished
from tests.integration.test_vision import ANSWER

USAGE = {"prompt_tokens": 1200, "completion_tokens": 300, "total_tokens": 1500}


class _Billing(BaseHTTPRequestHandler):
    """An OpenAI-compatible endpoint that reports token usage, as real ones do."""

    def do_POST(self):  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers["Content-Length"]))
        out = json.dumps({"choices": [{"index": 0, "message": {"role": "assistant", "content": json.dumps(ANSWER)}}],
                          "usage": USAGE})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(out.encode())

    def log_message(self, *args):  # keep test output quiet
        pass


@pytest.fixture
def billing() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Billing)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def _vision(url: str) -> VisionConfig:
    return VisionConfig(enabled=True, base_url=url, model="tiny-vision", dpi=50)


def test_vision_tokens_are_added_up_per_page(billing: str) -> None:
    usage: dict[str, int] = {}
    read_with_vision(make_multipage_pdf(2), "application/pdf", _vision(billing), max_pages=5, max_pixels=10**7,
                     usage=usage)
    assert usage == {"input_tokens": 2400, "output_tokens": 600}


def _run(tmp_path: Path, data: bytes, context: StageContext) -> list[Any]:
    path = tmp_path / "f.pdf"
    path.write_bytes(data)
    sent: list[Any] = []
    run_job(Job("fps", str(path), "application/pdf", context), sent.append)
    return sent


def test_the_last_message_carries_cpu_seconds_and_tokens(tmp_path: Path, billing: str) -> None:
    """Given a page local parsing cannot read and a vision model that bills tokens, when the worker
    runs it, then ``Parsed`` says the CPU time it took and the tokens the model reported; a file
    that fails says its CPU time too."""
    context = StageContext(max_pages=5, max_pixels=10**7, ocr_dpi=100, vision=_vision(billing))
    parsed = _run(tmp_path, make_multipage_pdf(1), context)[-1]
    assert isinstance(parsed, Parsed) and parsed.cost is not None
    assert parsed.cost.cpu_seconds > 0
    assert (parsed.cost.vision_input_tokens, parsed.cost.vision_output_tokens) == (1200, 300)
    failed = _run(tmp_path, b"%PDF-1.7\n garbage", StageContext.defaults())[-1]
    assert isinstance(failed, Failed) and failed.cost is not None and failed.cost.cpu_seconds >= 0
    assert failed.cost.vision_input_tokens == 0


@pytest.fixture
def app(tmp_path: Path, backend: dict[str, str]) -> Iterator[LabIntake]:
    li = LabIntake(make_settings(tmp_path, backend["database_url"], executor=backend["executor"],
                                 cost_per_cpu_hour=36.0))
    start_processing(li)
    yield li
    li.stop()


def test_processed_files_store_cpu_seconds_cost_and_search_text(app: LabIntake, tmp_path: Path) -> None:
    """Given a good report and a blank page, when both are processed, then each row stores the
    worker's CPU-seconds and their price (36 per CPU-hour = 0.01 per CPU-second), and the
    completed file is findable by its patient's name."""
    user = accounts.local_user_id(app)
    report = make_pdf(sample_report())
    session_id, _ = upload(app, user, tmp_path, {"good.pdf": report, "blank.pdf": blank_pdf_bytes()})
    sessions.start(app, session_id, user)
    final = wait_finished(app, session_id, user)
    assert {f["fileName"]: f["status"] for f in final["files"]} == {"good.pdf": "completed", "blank.pdf": "failed"}
    with app.db.read() as s:
        rows = {r.file_name: r for r in s.execute(
            select(FPS.file_name, FPS.cpu_seconds, FPS.compute_cost, FPS.vision_cost, FPS.search_text)
            .where(FPS.session_id == session_id)).all()}
    for name in ("good.pdf", "blank.pdf"):
        row = rows[name]
        assert row.cpu_seconds is not None and row.cpu_seconds > 0
        assert row.compute_cost == pytest.approx(row.cpu_seconds * 0.01, rel=1e-3, abs=1e-7)
        assert row.vision_cost is None  # no vision model: nothing billed
    sample = sample_report()
    good = rows["good.pdf"].search_text
    assert good == f"good.pdf\n{normalise(sample.truth.patient.name)}\n{normalise(sample.lab_name)}"
    assert rows["blank.pdf"].search_text == "blank.pdf"

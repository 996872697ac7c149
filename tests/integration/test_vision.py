"""The optional vision-LLM extractor against a local server speaking the OpenAI
chat-completions protocol (no network): request shape, answer validation, wiring."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.extract.vision import VisionConfig
from labintake.pipeline.vision import read_with_vision
from labintake.settings import Settings
from tests.fixtures.reports import make_pdf, sample_report

ANSWER = {
    "patient": {"name": "DOE, JANE Q", "date_of_birth": "1980-02-14", "sex": "F", "mrn": "000123"},
    "report": {"lab_name": "Northwind Clinical Laboratory", "collected_at": "2025-03-04",
               "reported_at": "2025-03-05", "ordering_provider": "Dr. Alan Smithee"},
    "results": [
        {"name": "Hemoglobin", "value_text": "13.5", "unit": "g/dL", "reference_range": "12.0-16.0",
         "flag": None, "section": "CBC"},
        {"name": "Glucose", "value_text": "112", "unit": "mg/dL", "reference_range": "70-99", "flag": "H"},
        {"name": "Potassium", "value_text": "33", "unit": "mmol/L", "reference_range": "3.5-5.1", "flag": None},
        {"name": "Nonsense row without a value", "value_text": "", "unit": None},
    ],
}


class _Handler(BaseHTTPRequestHandler):
    requests: list[dict] = []
    reply: str = json.dumps(ANSWER)

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        out = json.dumps({"id": "x", "object": "chat.completion", "model": body["model"],
                          "choices": [{"index": 0, "finish_reason": "stop",
                                       "message": {"role": "assistant", "content": type(self).reply}}]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(out.encode())

    def log_message(self, *args):  # keep test output quiet
        pass


@pytest.fixture
def server():
    _Handler.requests = []
    _Handler.reply = json.dumps(ANSWER)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def _config(url: str) -> VisionConfig:
    return VisionConfig(enabled=True, base_url=url, api_key="test-key", model="tiny-vision", dpi=50)


def test_vision_answer_passes_the_same_validation(server):
    doc, outcome = read_with_vision(make_pdf(sample_report()), "application/pdf", _config(server),
                                    max_pages=5, max_pixels=10_000_000)
    (req,) = _Handler.requests
    assert req["path"] == "/v1/chat/completions"
    assert req["auth"] == "Bearer test-key"
    assert req["body"]["model"] == "tiny-vision"
    image = req["body"]["messages"][1]["content"][1]["image_url"]["url"]
    assert image.startswith("data:image/png;base64,")

    assert doc.extractor == "vision:tiny-vision"
    report = outcome.report
    assert report.patient.name == "Jane Q Doe" and report.patient.sex == "female"
    assert str(report.report.collected_at) == "2025-03-04"
    hgb, glu, k = report.results  # the row without a value is dropped, as locally
    assert (hgb.loinc, hgb.value, hgb.flag, hgb.flag_source) == ("718-7", 13.5, "normal", "derived")
    assert (glu.flag, glu.flag_source, glu.page) == ("high", "printed", 1)
    # A misread the model might make (33 mmol/L potassium) is caught by validation.
    assert k.needs_review
    assert any("implausible" in p for p in outcome.problems)


def test_vision_garbage_answer_is_a_validation_failure(server):
    _Handler.reply = "Sorry, I cannot help with that."
    with pytest.raises(LabIntakeError) as exc:
        read_with_vision(make_pdf(sample_report()), "application/pdf", _config(server), max_pages=5,
                         max_pixels=10_000_000)
    assert exc.value.code == ErrorCode.PARSE_VALIDATION_FAILED


def test_vision_is_off_by_default():
    settings = Settings()
    assert settings.vision_enabled is False
    assert VisionConfig.from_settings(settings).enabled is False

"""Logs: one structured JSON line per stage transition, with ids, attempt and duration, and never
the document's content (no patient name, no values) at info level."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

from labintake import logs
from labintake.service import LabIntake, accounts, sessions
from tests.conftest import make_settings
from tests.fixtures.reports import make_pdf, sample_report
from tests.integration.helpers import upload, wait_finished


def test_transitions_are_logged_as_json_without_patient_data(tmp_path: Path, sqlite_url: str) -> None:
    stream = io.StringIO()  # not a terminal: JSON lines
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    logs.configure("INFO", stream=stream)
    li = LabIntake(make_settings(tmp_path, sqlite_url))
    try:
        li.start_executor()
        user = accounts.local_user_id(li)
        session_id, ids = upload(li, user, tmp_path, {"report.pdf": make_pdf(sample_report())})
        sessions.start(li, session_id, user)
        assert wait_finished(li, session_id, user)["summary"]["session_status"] == "completed"
    finally:
        li.stop()
        root.handlers[:], root.level = saved
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    transitions = [e for e in lines if e.get("file_id") == ids[0] and "stage_seconds" in e]
    assert [e["status"] for e in transitions] == ["extracting", "parsing", "saving", "completed"]
    assert all(e["session_id"] == session_id and e["attempt"] == 1 and e["level"] == "info" for e in transitions)
    # Every field but the timestamp, whose clock digits can spell a value ("13:31:13.504" holds "13.5").
    text = "\n".join(json.dumps({k: v for k, v in e.items() if k != "ts"}, ensure_ascii=False) for e in lines)
    truth = sample_report().truth
    for secret in (truth.patient.name, truth.patient.mrn, "Hemoglobin", "13.5"):
        assert secret not in text


def test_no_query_string_reaches_a_log_line(tmp_path: Path, sqlite_url: str) -> None:
    """uvicorn logs every request and WebSocket at info with its full path: the query (which can
    carry a token or a patient's name in a filter) is cut off before any handler writes it."""
    import httpx

    from labintake.web import WebConfig, create_app
    from tests.api.conftest import Server

    stream = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    logs.configure("INFO", stream=stream)
    li = LabIntake(make_settings(tmp_path, sqlite_url))
    try:
        with Server(create_app(li, WebConfig(cookie_secure=False))) as server:
            httpx.get(server.url + "/api/sessions?token=li_SECRET&q=Doe%20Jane")
            httpx.get(server.url + "/healthz?x=1")
    finally:
        li.stop()
        root.handlers[:], root.level = saved
    text = stream.getvalue()
    assert "/api/sessions" in text and "/healthz" in text  # the requests were logged
    assert "SECRET" not in text and "Doe" not in text and "?" not in text


def test_the_filter_cuts_queries_in_messages_and_arguments() -> None:
    record = logging.makeLogRecord({"msg": 'GET /a?b=c %s "%s" %d', "args": ("1.2.3.4", "/ws?token=t", 3)})
    logs.DropQueryStrings().filter(record)
    assert record.getMessage() == 'GET /a 1.2.3.4 "/ws" 3'
    plain = logging.makeLogRecord({"msg": "see /page?name=Doe for details"})
    logs.DropQueryStrings().filter(plain)
    assert plain.getMessage() == "see /page for details"

"""The README cannot lie about metrics: every metric it names exists at /metrics and is observed
by a small real run (a completed file, a corrupt one, a runaway one, one whose stored bytes
vanished, a progress poll and a push stream), on the embedded executor and on procrastinate."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.models import UploadedFile
from labintake.service import LabIntake
from labintake.web import WebConfig, create_app
from tests.api.conftest import Api, Server, read_sse, upload, wait_finished
from tests.conftest import make_settings, migrated_database, start_processing
from tests.fixtures.reports import corrupt_pdf_bytes, make_pdf, sample_report

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
# Counters of faults: they exist from the start and move only when the fault happens.
FAULT_ONLY = {"labintake_progress_request_errors"}


def named_in_readme() -> set[str]:
    section = README.split("## Observability", 1)[1].split("\n## ", 1)[0]
    return {re.sub(r"_total$", "", name) for name in re.findall(r"`(labintake_[a-z_]+)`", section)}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def small_api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LABINTAKE_TEST_FAULT", "hang:RUNAWAY")  # before the worker processes start
        gen = migrated_database(request.param, tmp_path)
        url = next(gen)
        li = LabIntake(make_settings(tmp_path, url, workers=3, file_timeout_seconds=10.0,
                                      retry_backoff_seconds=0.05, per_session_concurrency=1))
        start_processing(li)
        api = Api(li, "")
        try:
            with Server(create_app(li, WebConfig(cookie_secure=False, heartbeat_seconds=0.5))) as server:
                api.url = server.url
                yield api
        finally:
            for client in api.clients:
                client.close()
            li.stop()
            for _ in gen:
                pass


def wait_until(client: httpx.Client, session_id: str, predicate, timeout: float = 120) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate(client.get(f"/api/sessions/{session_id}/progress").json()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def families(client: httpx.Client) -> dict[str, list[tuple[str, dict[str, str], float]]]:
    text = client.get("/metrics").text
    return {f.name: [(s.name, s.labels, s.value) for s in f.samples] for f in text_string_to_metric_families(text)}


def observed(samples: list[tuple[str, dict[str, str], float]]) -> bool:
    """A counter or histogram that moved; a gauge that was set (a labelled one has a child)."""
    counts = [v for name, _, v in samples if name.endswith(("_count", "_total"))]
    return sum(counts) > 0 if counts else bool(samples)


def test_every_metric_the_readme_names_exists_and_is_observed_in_a_small_run(small_api: Api) -> None:
    names = named_in_readme()
    assert {"labintake_queue_depth", "labintake_queue_wait_seconds", "labintake_first_progress_seconds"} <= names
    _, client = small_api.user("metrics-readme@example.test")
    pdf = make_pdf(sample_report())
    session_id = client.post("/api/sessions", json={"name": "metrics"}).json()["id"]
    added = upload(client, session_id, [  # one at a time (cap 1), the runaway first: it holds the slot
        ("runaway.pdf", pdf + b"\n% RUNAWAY\n"), ("good.pdf", pdf), ("bad.pdf", corrupt_pdf_bytes()),
        ("vanished.pdf", pdf + b"\n% vanished\n"),
    ])
    vanished = next(f["fileId"] for f in added if f["fileName"] == "vanished.pdf")
    with small_api.li.db.read() as s:
        key = s.execute(select(UploadedFile.storage_key).join(FPS, FPS.file_id == UploadedFile.id)
                        .where(FPS.id == vanished)).scalar_one()
    small_api.li.storage.path(key).unlink()  # storage_unavailable: retried, then failed
    depth = families(small_api.anonymous())["labintake_queue_depth"]
    assert depth[0][2] == 0  # not started: nothing is queued yet
    stream = threading.Thread(target=read_sse, args=(client, session_id), daemon=True)
    stream.start()
    assert client.post(f"/api/sessions/{session_id}/start").status_code == 200
    wait_until(client, session_id, lambda p: p["files"][0]["status"] == "extracting")
    # The runaway holds the session's only slot until its time limit: the other two wait (the
    # corrupt PDF was refused at upload).
    assert families(small_api.anonymous())["labintake_queue_depth"][0][2] == 2
    final, _ = wait_finished(client, session_id)
    stream.join(60)
    by_name = {f["fileName"]: (f["status"], f["errorCode"]) for f in final["files"]}
    assert by_name == {"good.pdf": ("completed", None), "bad.pdf": ("failed", "corrupt_pdf"),
                       "runaway.pdf": ("timeout", "file_timeout"), "vanished.pdf": ("failed", "storage_unavailable")}
    found = families(small_api.anonymous())
    missing = sorted(names - set(found))
    assert missing == [], f"the README names metrics that do not exist: {missing}"
    unobserved = sorted(n for n in names - FAULT_ONLY if not observed(found[n]))
    assert unobserved == [], f"metrics the README names that a run never observes: {unobserved}"
    assert found["labintake_queue_depth"][0][2] == 0  # everything finished: nothing waits

"""The CLI as a user runs it: subprocesses, real files, real exit codes; and crash recovery."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from labintake.db.engine import Database
from labintake.db.models import FileProcessingStatus, LabReport
from tests.fixtures.reports import corrupt_pdf_bytes, make_pdf, make_png, sample_report

LABINTAKE = [sys.executable, "-m", "labintake.cli"]


def env_for(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABINTAKE_")}
    env.update({"LABINTAKE_DATA_DIR": str(data_dir), "LABINTAKE_WORKERS": "2", **extra})
    return env


@pytest.fixture(scope="module")
def report_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reports")
    rep = sample_report()
    files = {"pdf": folder / "report.pdf", "png": folder / "report.png", "bad": folder / "broken.pdf"}
    files["pdf"].write_bytes(make_pdf(rep))
    files["png"].write_bytes(make_png(rep))
    files["bad"].write_bytes(corrupt_pdf_bytes())
    return files


def test_extract_prints_the_json_contract(report_files: dict[str, Path], tmp_path: Path) -> None:
    out = subprocess.run([*LABINTAKE, "extract", str(report_files["pdf"]), "--format", "json"],
                         capture_output=True, text=True, env=env_for(tmp_path), timeout=120, check=True)
    data = json.loads(out.stdout)
    truth = sample_report().truth
    assert data["patient"]["name"] == truth.patient.name
    assert len(data["results"]) == len(truth.results)
    assert {r["name"] for r in data["results"]} == {r.name for r in truth.results}


def test_process_writes_results_and_exits_non_zero_when_a_file_failed(
    report_files: dict[str, Path], tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"
    run = subprocess.run(
        [*LABINTAKE, "process", str(report_files["pdf"]), str(report_files["bad"]), "--out", str(out_dir),
         "--format", "csv"],
        capture_output=True, text=True, env=env_for(tmp_path / "data"), timeout=300,
    )
    assert run.returncode == 1, run.stderr
    assert "corrupt_pdf" in run.stderr and "partial" in run.stderr
    written = sorted(p.name for p in out_dir.iterdir())
    assert written == ["report.csv"]
    lines = (out_dir / "report.csv").read_text().splitlines()
    assert lines[0].startswith("patient_name,") and len(lines) == 1 + len(sample_report().rows)

    ok = subprocess.run([*LABINTAKE, "process", str(report_files["pdf"]), "--format", "fhir", "--out", str(out_dir)],
                        capture_output=True, text=True, env=env_for(tmp_path / "data"), timeout=300)
    assert ok.returncode == 0, ok.stderr
    bundle = json.loads((out_dir / "report.fhir.json").read_text())
    assert bundle["resourceType"] == "Bundle"


@pytest.mark.slow
def test_kill_9_mid_stage_then_restart_finishes_every_file_exactly_once(
    report_files: dict[str, Path], tmp_path: Path
) -> None:
    """Given `labintake process` of 6 files killed with SIGKILL while files are mid-stage, when
    `labintake serve` starts on the same data, then every file reaches a terminal status, none is
    stuck, and none is saved twice."""
    data_dir = tmp_path / "data"
    files = [str(report_files["png"])] * 2 + [str(report_files["pdf"])] * 4
    proc = subprocess.Popen([*LABINTAKE, "process", *files], env=env_for(data_dir),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    db = Database(f"sqlite:///{data_dir / 'labintake.db'}")
    try:
        deadline = time.monotonic() + 120
        running = 0
        while time.monotonic() < deadline and not running:
            time.sleep(0.1)
            try:
                with db.read() as s:
                    running = s.execute(
                        select(func.count()).where(FileProcessingStatus.status.in_(["extracting", "parsing"]))
                    ).scalar_one()
            except Exception:  # noqa: BLE001 - the database may not exist yet
                running = 0
        assert running, "no file reached a running stage"
        os.killpg(proc.pid, signal.SIGKILL)  # the process and its worker processes
        proc.wait(timeout=10)
        with db.read() as s:
            stuck = s.execute(select(func.count()).where(
                FileProcessingStatus.status.in_(["downloading", "extracting", "parsing", "saving"]))).scalar_one()
        assert stuck >= 1  # the crash really left files mid-stage

        log = (tmp_path / "serve.log").open("wb")
        server = subprocess.Popen([*LABINTAKE, "serve", "--port", "0"], env=env_for(data_dir),
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                with db.read() as s:
                    statuses = list(s.execute(select(FileProcessingStatus.status)).scalars())
                if all(st in ("completed", "failed", "timeout", "cancelled") for st in statuses):
                    break
                time.sleep(0.2)
            assert statuses == ["completed"] * 6 or sorted(statuses) == ["completed"] * 6, statuses
            with db.read() as s:
                reports = s.execute(select(LabReport.file_id, func.count()).group_by(LabReport.file_id)).all()
                attempts = list(s.execute(select(FileProcessingStatus.attempt_number)).scalars())
            assert len(reports) == 6 and all(n == 1 for _, n in reports)
            assert attempts == [1] * 6  # a restart never costs an attempt
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            log.close()
    finally:
        db.dispose()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.mark.postgres
def test_process_on_postgresql_runs_its_own_files(report_files: dict[str, Path], tmp_path: Path, pg_url: str) -> None:
    """`labintake process` against PostgreSQL (where files normally run on `labintake worker`)
    still processes its files itself, through a worker of its own."""
    run = subprocess.run([*LABINTAKE, "process", str(report_files["pdf"]), "--out", str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=300,
                         env=env_for(tmp_path / "data", LABINTAKE_DATABASE_URL=pg_url))
    assert run.returncode == 0, run.stderr
    assert json.loads((tmp_path / "out" / "report.json").read_text())["patient"]["name"] == "Jane Q Doe"


def test_watch_processes_dropped_files_and_survives_a_restart(report_files: dict[str, Path], tmp_path: Path) -> None:
    """Given `labintake watch DIR`, when a report and a corrupt file are dropped in, the watcher
    is killed with SIGKILL and started again, then the report ends in DIR/done and the corrupt
    file in DIR/failed with its reason, each processed once."""
    folder = tmp_path / "intake"
    env = env_for(tmp_path / "data", LABINTAKE_INTAKE_SETTLE_SECONDS="0.2", LABINTAKE_INTAKE_POLL_SECONDS="0.1")

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen([*LABINTAKE, "watch", str(folder)], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)

    def wait_for(predicate, timeout: float = 120.0) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while not predicate():
            assert time.monotonic() < deadline, sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
            time.sleep(0.1)

    watcher = start()
    try:
        wait_for(lambda: (folder / "done").is_dir())
        (folder / "report.pdf").write_bytes(report_files["pdf"].read_bytes())
        (folder / "broken.pdf").write_bytes(report_files["bad"].read_bytes())
        wait_for(lambda: not (folder / "report.pdf").exists())  # claimed
        os.killpg(watcher.pid, signal.SIGKILL)
        watcher.wait(timeout=10)
        watcher = start()
        wait_for(lambda: (folder / "done" / "report.pdf").exists()
                 and (folder / "failed" / "broken.pdf.error.txt").exists())
        assert "corrupt_pdf" in (folder / "failed" / "broken.pdf.error.txt").read_text()
    finally:
        os.killpg(watcher.pid, signal.SIGTERM)
        watcher.wait(timeout=30)
    db = Database(f"sqlite:///{tmp_path / 'data' / 'labintake.db'}")
    try:
        with db.read() as s:
            reports = s.execute(select(func.count()).select_from(LabReport)).scalar_one()
            files = s.execute(select(func.count()).select_from(FileProcessingStatus)).scalar_one()
        assert (reports, files) == (1, 2)
    finally:
        db.dispose()


def test_accounts_and_tokens_from_the_cli(tmp_path: Path) -> None:
    """users create reads the password from stdin and refuses a weak one; tokens are listed
    (never shown again), revoked one by one or all at once; users can be disabled and enabled."""
    env = env_for(tmp_path / "data")

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*LABINTAKE, *args], input=stdin, capture_output=True, text=True, env=env, timeout=120)

    weak = run("users", "create", "cli@example.test", "--password-stdin", stdin="short\n")
    assert weak.returncode == 2 and "12 characters" in weak.stderr
    made = run("users", "create", "cli@example.test", "--password-stdin", stdin="a long enough secret\n")
    assert made.returncode == 0, made.stderr
    flagged = run("users", "password", "cli@example.test", "--password", "another long secret")
    assert flagged.returncode == 0 and "visible to other users" in flagged.stderr

    first = run("tokens", "create", "cli@example.test", "--name", "first", "--days", "7").stdout.strip()
    second = run("tokens", "create", "cli@example.test", "--name", "second").stdout.strip()
    assert first.startswith("li_") and second.startswith("li_")
    listing = run("tokens", "list", "cli@example.test").stderr
    assert "first" in listing and "second" in listing and first not in listing and listing.count("active") == 2
    token_id = re.search(r"│ ([0-9a-f]{8}) │ first", listing).group(1)  # type: ignore[union-attr]
    assert run("tokens", "revoke", "cli@example.test", token_id).returncode == 0
    listing = run("tokens", "list", "cli@example.test").stderr
    assert listing.count("revoked") == 1 and listing.count("active") == 1
    assert "revoked 1 token " in run("tokens", "revoke", "cli@example.test", "--all").stderr
    assert run("tokens", "revoke", "cli@example.test").returncode == 2  # neither an id nor --all

    assert run("users", "disable", "cli@example.test").returncode == 0
    assert run("users", "enable", "cli@example.test").returncode == 0
    assert run("users", "disable", "nobody@example.test").returncode == 2


def test_serve_answers_503_past_its_connection_limit_and_recovers(tmp_path: Path) -> None:
    """Given `labintake serve` with LABINTAKE_MAX_CONNECTIONS=3 and three idle connections held
    open, when another request comes, then it is answered 503 at once (not queued, not hung);
    when they close, requests are served again."""
    import socket

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = env_for(tmp_path / "data", LABINTAKE_MAX_CONNECTIONS="3", LABINTAKE_KEEP_ALIVE_SECONDS="60")
    with (tmp_path / "serve.log").open("wb") as log:
        server = subprocess.Popen([*LABINTAKE, "serve", "--port", str(port), "--no-executor"], env=env,
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}/healthz"
        held: list[socket.socket] = []
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(url, timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                time.sleep(0.2)
            for _ in range(3):
                held.append(socket.create_connection(("127.0.0.1", port)))
            time.sleep(0.5)  # accepted by the server
            assert httpx.get(url, timeout=10).status_code == 503
            for conn in held:
                conn.close()
            held.clear()
            time.sleep(0.5)
            assert httpx.get(url, timeout=10).status_code == 200
        finally:
            for conn in held:
                conn.close()
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

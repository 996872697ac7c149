"""The disk full during an upload: `labintake serve` whose files folder is a small tmpfs."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from labintake.db.engine import Database
from labintake.db.models import FileProcessingStatus as FPS
from labintake.domain.errors import ERRORS, ErrorCode
from tests.e2e.faultkit import all_terminal, assert_settled, clean_env, make_token, serve, wait_until
from tests.fixtures.reports import make_pdf, sample_report

pytestmark = pytest.mark.slow

DISK = 2 * 1024 * 1024  # the files folder's size


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """``data/files`` on a 2 MB tmpfs (root may mount one; anyone else: skipped, saying why)."""
    files = tmp_path / "data" / "files"
    files.mkdir(parents=True, mode=0o700)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK},mode=0700", "tmpfs", str(files)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield files
    finally:
        subprocess.run(["umount", "-l", str(files)], check=False)


def used(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_an_upload_past_a_full_disk_is_507_storage_full_and_leaves_nothing_behind(
    tmp_path: Path, small_disk: Path
) -> None:
    """Given a server whose files folder has 2 MB, when a 3 MB PDF is uploaded over HTTP, then the
    answer is 507 `storage_full` with its human message, no partial file is left on the disk and
    no row in the database, and afterwards a small report still uploads, runs and completes."""
    env = clean_env(LABINTAKE_DATA_DIR=str(tmp_path / "data"), LABINTAKE_EXECUTOR="embedded",
                    LABINTAKE_WORKERS="1")
    token = make_token(env)
    proc, url = serve(env, tmp_path / "serve.log")
    db = Database(f"sqlite:///{tmp_path / 'data' / 'labintake.db'}")
    try:
        client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
        session_id = client.post("/api/sessions", json={"name": "disk full"}).json()["id"]
        report = make_pdf(sample_report())
        big = report + b"\n%" + b"x" * (3 * 1024 * 1024) + b"\n"
        response = client.post(f"/api/sessions/{session_id}/files",
                               files=[("files", ("big.pdf", big, "application/pdf"))])
        assert response.status_code == 507, (response.status_code, response.text)
        error = response.json()["error"]
        assert error["code"] == "storage_full"
        assert error["message"] == ERRORS[ErrorCode.STORAGE_FULL].message
        assert used(small_disk) == [], "a partial upload was left on the disk"
        with db.read() as s:
            assert s.execute(select(func.count()).select_from(FPS)).scalar_one() == 0
        assert client.get(f"/api/sessions/{session_id}/progress").json()["summary"]["total_files"] == 0

        # The server keeps working: a file that fits is stored, processed and saved once.
        response = client.post(f"/api/sessions/{session_id}/files",
                               files=[("files", ("report.pdf", report, "application/pdf"))])
        assert response.status_code == 200, response.text
        assert [f["status"] for f in response.json()["files"]] == ["pending"]
        assert client.post(f"/api/sessions/{session_id}/start").status_code == 200
        rows = wait_until(db, all_terminal, "the small report", timeout=240)
        assert list(rows.values()) == ["completed"], proc.tail()
        assert assert_settled(db)
        assert [p.name for p in used(small_disk)] == [hashlib.sha256(report).hexdigest()]
        client.close()
    finally:
        db.dispose()
        proc.stop()

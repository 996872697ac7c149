"""Storage backends: a directory, and S3-compatible object storage (moto's server on loopback)."""

from __future__ import annotations

import hashlib
import io
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.service import accounts, sessions
from labintake.storage import LocalStorage, open_storage
from tests.conftest import make_settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    moto_server = pytest.importorskip("moto.server", reason="moto[server] is in the test extra")
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def test_local_storage_is_content_addressed_and_enforces_the_size_limit(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path)
    data = b"%PDF-1.7 synthetic"
    stored = store.put(io.BytesIO(data))
    assert stored.key == hashlib.sha256(data).hexdigest() and stored.size == len(data)
    assert store.fetch(stored.key).read_bytes() == data
    with pytest.raises(LabIntakeError) as err:
        store.put(io.BytesIO(b"x" * 100), max_bytes=10)
    assert err.value.code is ErrorCode.FILE_TOO_LARGE
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".upload-")]  # no temp file left behind
    store.delete(stored.key)
    with pytest.raises(LabIntakeError) as err:
        store.fetch(stored.key)
    assert err.value.code is ErrorCode.STORAGE_UNAVAILABLE


def test_s3_storage_round_trip_through_a_real_s3_server(tmp_path: Path, s3_endpoint: str, s3_env: None) -> None:
    import boto3

    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(Bucket="reports")
    api = open_storage(make_settings(tmp_path / "api", storage_url=f"s3://reports/uploads?endpoint_url={s3_endpoint}"))
    worker = open_storage(make_settings(tmp_path / "worker", storage_url=f"s3://reports/uploads?endpoint_url={s3_endpoint}"))
    data = b"\x89PNG\r\n\x1a\n synthetic image bytes"
    stored = api.put(io.BytesIO(data))
    assert api.writable()
    # Another machine has no cached copy: fetch downloads it and checks the hash.
    assert not worker.path(stored.key).exists()
    assert worker.fetch(stored.key).read_bytes() == data
    api.delete(stored.key)
    fresh = open_storage(make_settings(tmp_path / "third", storage_url=f"s3://reports/uploads?endpoint_url={s3_endpoint}"))
    with pytest.raises(LabIntakeError) as err:
        fresh.fetch(stored.key)
    assert err.value.code is ErrorCode.STORAGE_UNAVAILABLE


def test_s3_storage_unreachable_is_storage_unavailable(tmp_path: Path, s3_env: None) -> None:
    store = open_storage(make_settings(tmp_path, storage_url=f"s3://reports?endpoint_url=http://127.0.0.1:{_free_port()}"))
    assert not store.writable()
    with pytest.raises(LabIntakeError) as err:
        store.put(io.BytesIO(b"data"))
    assert err.value.code is ErrorCode.STORAGE_UNAVAILABLE


def test_the_data_dir_and_its_files_are_private(tmp_path: Path) -> None:
    """Health data on disk: the data dir is created 0700, the SQLite file (and its WAL) and
    uploaded files 0600, whatever the umask."""
    import stat

    from labintake.service import LabIntake

    old = os.umask(0o022)
    try:
        li = LabIntake(make_settings(tmp_path / "fresh", None))
        try:
            session_id = sessions.create(li, accounts.local_user_id(li)).id
            sessions.add_file(li, session_id, accounts.local_user_id(li), io.BytesIO(b"%PDF-1.7 not really"), "r.pdf")
            mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
            data = li.settings.data_dir
            assert mode(data) == 0o700
            assert mode(data / "labintake.db") == 0o600
            assert all(mode(p) == 0o600 for p in data.rglob("*") if p.is_file()), \
                {str(p): oct(mode(p)) for p in data.rglob("*")}
            assert all(mode(p) == 0o700 for p in data.rglob("*") if p.is_dir())
        finally:
            li.stop()
    finally:
        os.umask(old)

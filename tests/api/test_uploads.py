"""Bad uploads: each gets its own clear error code; nothing else in the request is affected."""

from __future__ import annotations

import struct
import zlib

import pytest

from tests.api.conftest import API_SETTINGS, Api, new_session, upload
from tests.fixtures.reports import encrypted_pdf_bytes, make_pdf, make_png, sample_report


def absurd_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims width x height pixels (a decompression bomb's header)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def good_pdf() -> bytes:
    return make_pdf(sample_report())


def test_each_bad_file_gets_its_own_code_and_the_good_one_is_queued(api: Api, good_pdf: bytes) -> None:
    """Given one request with a good PDF and every kind of bad file, then each bad file has a
    clear code and message, the good one is pending, and the response is a 200 for all of them."""
    _, client = api.user("uploads@example.org")
    limit = int(API_SETTINGS["max_file_bytes"])  # type: ignore[call-overload]
    session_id, files = new_session(client, [
        ("good.pdf", good_pdf),
        ("empty.pdf", b""),
        ("huge.pdf", b"%PDF-1.7\n" + b"0" * limit),
        ("archive.pdf", b"PK\x03\x04" + b"\x00" * 200),
        ("truncated.pdf", good_pdf[: len(good_pdf) // 3]),
        ("locked.pdf", encrypted_pdf_bytes()),
        ("bomb.png", absurd_png()),
    ])
    by_name = {f["fileName"]: f for f in files}
    assert by_name["good.pdf"]["status"] == "pending" and by_name["good.pdf"]["errorCode"] is None
    expected = {
        "empty.pdf": ("failed", "empty_file"),
        "huge.pdf": ("rejected", "file_too_large"),
        "archive.pdf": ("failed", "unsupported_type"),
        "truncated.pdf": ("failed", "corrupt_pdf"),
        "locked.pdf": ("failed", "encrypted_pdf"),
        "bomb.png": ("failed", "image_too_large"),
    }
    for name, (status, code) in expected.items():
        assert (by_name[name]["status"], by_name[name]["errorCode"]) == (status, code), by_name[name]
        assert by_name[name]["error"] and "Traceback" not in by_name[name]["error"]
    assert by_name["huge.pdf"]["fileId"] is None  # nothing stored
    progress = client.get(f"/api/sessions/{session_id}/progress").json()
    assert len(progress["files"]) == 6
    assert {f["fileName"]: f["errorCode"] for f in progress["files"]}["locked.pdf"] == "encrypted_pdf"
    client.post(f"/api/sessions/{session_id}/start")
    final = _wait(client, session_id)
    assert {f["fileName"]: f["status"] for f in final["files"]}["good.pdf"] == "completed"
    assert final["summary"]["session_status"] == "partial"


def _wait(client, session_id):  # type: ignore[no-untyped-def]
    from tests.api.conftest import wait_finished

    return wait_finished(client, session_id)[0]


def test_names_are_sanitised_path_traversal_and_unicode(api: Api) -> None:
    _, client = api.user("names@example.org")
    png = make_png(sample_report(), dpi=40)
    session_id, files = new_session(client, [
        ("../../etc/passwd.png", png),
        ("Blutbild_Müller_検査.pdf", b"%PDF-1.7 not really"),
        ("..\\..\\windows\\system.ini", b"\x00\x01"),
        ("\x1b[31mred\u202e.pdf", b"PK\x03\x04"),
        ("...", b"PK\x03\x04!"),
    ])
    names = [f["fileName"] for f in files]
    assert names[0] == "passwd.png"
    assert names[1] == "Blutbild_Müller_検査.pdf"
    assert names[2] == "system.ini"
    assert "\x1b" not in names[3] and "\u202e" not in names[3] and names[3].endswith(".pdf")
    assert names[4] == "unnamed"
    assert all("/" not in n and "\\" not in n and not n.startswith(".") for n in names)
    assert files[0]["status"] == "pending"
    # Stored bytes live under their sha256, never under the name given.
    assert not any((api.li.settings.data_dir / "etc").exists() for _ in [0])
    progress = client.get(f"/api/sessions/{session_id}/progress").json()
    assert [f["fileName"] for f in progress["files"]] == names


def test_identical_bytes_in_one_session_are_a_duplicate(api: Api, good_pdf: bytes) -> None:
    _, client = api.user("dupes@example.org")
    session_id, files = new_session(client, [("a.pdf", good_pdf), ("b.pdf", good_pdf)])
    assert files[0]["status"] == "pending"
    assert files[1]["status"] == "duplicate" and files[1]["duplicateOf"] == files[0]["fileId"]
    again = upload(client, session_id, [("c.pdf", good_pdf)])
    assert again[0]["status"] == "duplicate" and again[0]["duplicateOf"] == files[0]["fileId"]
    # Another session may hold the same bytes.
    _, other = new_session(client, [("a.pdf", good_pdf)])
    assert other[0]["status"] == "pending"
    assert len(client.get(f"/api/sessions/{session_id}/progress").json()["files"]) == 1


def test_uploads_need_the_files_field_and_a_live_session(api: Api) -> None:
    _, client = api.user("upload-errors@example.org")
    session_id, _ = new_session(client)
    response = client.post(f"/api/sessions/{session_id}/files", data={"other": "x"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "validation"
    client.post(f"/api/sessions/{session_id}/cancel")
    response = client.post(f"/api/sessions/{session_id}/files", files=[("files", ("a.pdf", b"%PDF-", "x/y"))])
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"


def test_a_request_larger_than_the_limit_is_refused_before_its_body_is_read(api: Api) -> None:
    """Given a request whose Content-Length is over max_request_bytes, then the answer is 413
    `payload_too_large` in the one error shape, at once: the server does not wait for (or spool)
    a body it will refuse."""
    import json
    import socket
    from urllib.parse import urlsplit

    _, client = api.user("too-big@example.org")
    session_id, _ = new_session(client)
    url = urlsplit(api.url)
    token = client.headers["Authorization"]
    size = api.li.settings.max_request_bytes + 1
    head = (
        f"POST /api/sessions/{session_id}/files HTTP/1.1\r\nHost: {url.hostname}\r\n"
        f"Authorization: {token}\r\nContent-Type: multipart/form-data; boundary=x\r\n"
        f"Content-Length: {size}\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(head.encode() + b"--x\r\n")  # a few bytes of a body that would be over a gigabyte
        answer = b""
        while chunk := sock.recv(65536):  # the server answers and closes without the rest
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] == b"413", answer[:300]
    body = json.loads(rest.partition(b"\r\n\r\n")[2])
    assert body["error"]["code"] == "payload_too_large" and body["error"]["message"]
    assert client.get(f"/api/sessions/{session_id}/progress").json()["files"] == []


def test_a_chunked_body_over_the_limit_is_cut_off_with_413(api: Api) -> None:
    """Given a body sent without a Content-Length (chunked) that grows past max_request_bytes,
    then the server stops reading at the limit and answers 413 `payload_too_large`."""
    _, client = api.user("chunked@example.org")
    session_id, _ = new_session(client)
    limit = api.li.settings.max_request_bytes
    sent = 0

    def body():  # type: ignore[no-untyped-def]
        nonlocal sent
        yield b"--x\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.pdf\"\r\n\r\n%PDF-1.7\n"
        chunk = b"0" * (1024 * 1024)
        while sent < limit * 4:  # far more than the limit, unless the server stops us
            sent += len(chunk)
            yield chunk

    response = client.post(f"/api/sessions/{session_id}/files", content=body(),
                           headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"
    assert sent < limit * 4  # it did not read to the end
    assert client.get(f"/api/sessions/{session_id}/progress").json()["files"] == []


def test_an_anonymous_upload_is_refused_before_its_body_is_read(api: Api) -> None:
    """Given a client with no credentials that announces a 4 MB multipart upload and sends only
    its first bytes, then the server answers 401 without waiting for the rest: the body is not
    read (nor spooled to disk) for a caller it will refuse. (It used to wait for the whole body.)"""
    import socket
    from urllib.parse import urlparse

    _, owner = api.user("anon-upload-owner@example.org")
    session_id, _ = new_session(owner)
    url = urlparse(api.url)
    head = (f"POST /api/sessions/{session_id}/files HTTP/1.1\r\nHost: {url.hostname}\r\n"
            "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 4000000\r\n\r\n"
            "--x\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.7\n")
    with socket.create_connection((url.hostname, url.port), timeout=20) as conn:
        conn.sendall(head.encode())
        answer = conn.recv(4096).decode("latin-1")  # times out (fails) if the server waits for the body
    assert answer.startswith("HTTP/1.1 401"), answer[:200]
    assert owner.get(f"/api/sessions/{session_id}/progress").json()["files"] == []

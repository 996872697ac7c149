"""Bodies are read only for callers who may send them, over real HTTP: an unauthenticated
JSON POST gets its 401 before the server reads its body, a JSON body is bounded by its own
(small) limit, and one user may have only so many uploads in flight at once (429 with
Retry-After past that), while another user's upload goes through."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from labintake.service import LabIntake
from labintake.web import WebConfig, create_app
from tests.api.conftest import Api, Server, new_session
from tests.conftest import make_settings
from tests.fixtures.aio import run
from tests.fixtures.reports import make_pdf, sample_report

SLOW_UPLOAD_BYTES = 3 * 1024 * 1024


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, object]]:
    tmp = tmp_path_factory.mktemp("bodies")
    li = LabIntake(make_settings(tmp, None, max_concurrent_uploads=1, max_json_bytes=64 * 1024,
                                 max_file_bytes=5 * 1024 * 1024))
    app = create_app(li, WebConfig(cookie_secure=False, heartbeat_seconds=0.5))
    api = Api(li, "")
    try:
        with Server(app) as server:
            api.url = server.url
            yield api, app
    finally:
        for client in api.clients:
            client.close()
        li.stop()


def _open(api: Api, head: str, body: bytes = b"") -> socket.socket:
    host, port = api.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=20)
    sock.sendall(head.encode() + body)
    return sock


def _answer(sock: socket.socket) -> str:
    """The response (head and body) the server sent while the client still owes it most of the
    request body (a server that waits for the body sends nothing, and this raises ``TimeoutError``)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return (head + b"\r\n\r\n" + body).decode("latin-1")


@pytest.mark.parametrize("credentials", ["", "Authorization: Bearer li_forged\r\n"])
def test_an_unauthenticated_json_post_is_refused_before_its_body(served: tuple[Api, object], credentials: str) -> None:
    """Given a JSON POST that announces 60 KB (under every limit) and sends 10 bytes of it, when it
    has no credentials or a token that is not live, then the 401 arrives anyway: the server did not
    wait for the body it would have had to read before FastAPI's authentication ran."""
    api, _ = served
    head = (f"POST /api/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{credentials}"
            f"Content-Length: {60 * 1024}\r\n\r\n")
    with _open(api, head, b'{"name": "') as sock:
        answer = _answer(sock)
    assert answer.startswith("HTTP/1.1 401"), answer
    assert "www-authenticate: bearer" in answer.lower() and '"code":"unauthorized"' in answer


def test_a_json_body_has_its_own_small_limit(served: tuple[Api, object]) -> None:
    """A body that is not an upload is read into memory whole: past max_json_bytes it is a 413 at
    once (even with a session cookie, which the route checks only after the body), while an upload
    of the same size is fine."""
    api, _ = served
    head = ("POST /api/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Cookie: li_session=forged\r\nContent-Length: 200000\r\n\r\n")
    with _open(api, head, b"{") as sock:
        answer = _answer(sock)
    assert answer.startswith("HTTP/1.1 413") and '"code":"payload_too_large"' in answer, answer
    _, client = api.user("big@example.org")
    session_id, _ = new_session(client, [("report.pdf", make_pdf(sample_report()) + b"\0" * 200_000)])  # a 200
    too_big = client.patch(f"/api/sessions/{session_id}", json={"name": "x" * 100_000})
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "payload_too_large"


def _slow_upload(api: Api, token: str, session_id: str) -> socket.socket:
    """An upload that sends its head and the first bytes of a 3 MB file, then waits."""
    boundary = "li-boundary"
    preamble = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"slow.pdf\"\r\n"
                "Content-Type: application/pdf\r\n\r\n").encode()
    length = len(preamble) + SLOW_UPLOAD_BYTES + len(f"\r\n--{boundary}--\r\n")
    head = (f"POST /api/sessions/{session_id}/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\n\r\n")
    return _open(api, head, preamble + b"%PDF-1.4\n" + b"0" * 1000)


def _until(predicate, what: str) -> None:  # type: ignore[no-untyped-def]
    for _ in range(400):  # bounded: at most ~20 s
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(what)


def test_uploads_in_flight_per_user_are_capped(served: tuple[Api, object]) -> None:
    """Given max_concurrent_uploads = 1 and one slow upload of ada's in flight, when ada sends
    another, then it gets 429 too_many_requests with Retry-After before its body is read; bob's
    upload goes through; once ada's slow upload hangs up, her slot is free again."""
    api, app = served
    slots = app.state.upload_slots  # type: ignore[attr-defined]
    ada_id, ada = api.user("ada@example.org")
    _, bob = api.user("bob@example.org")
    ada_session, _ = new_session(ada)
    bob_session, _ = new_session(bob)
    pdf = make_pdf(sample_report())
    slow = _slow_upload(api, api.token_of(ada), ada_session)
    try:
        _until(lambda: slots.running(ada_id) == 1, "the slow upload never took its slot")
        second = ada.post(f"/api/sessions/{ada_session}/files", files=[("files", ("b.pdf", pdf, "application/pdf"))])
        assert second.status_code == 429, second.text
        assert second.json()["error"]["code"] == "too_many_requests"
        assert int(second.headers["retry-after"]) > 0
        replace = ada.post("/api/files/00000000-0000-0000-0000-000000000000/replace",
                           files=[("file", ("c.pdf", pdf, "application/pdf"))])
        assert replace.status_code == 429, replace.text  # a replacement is an upload too
        other = bob.post(f"/api/sessions/{bob_session}/files", files=[("files", ("b.pdf", pdf, "application/pdf"))])
        assert other.status_code == 200, other.text
    finally:
        slow.close()
    _until(lambda: slots.running(ada_id) == 0, "the hung-up upload kept its slot")
    again = ada.post(f"/api/sessions/{ada_session}/files", files=[("files", ("b.pdf", pdf, "application/pdf"))])
    assert again.status_code == 200, again.text


def test_an_oversize_file_is_dropped_as_it_streams_not_spooled_whole() -> None:
    """Given a multipart body with a 3 MB file and a small one, when it is parsed with a 1 KiB
    per-file limit, then of the big file only limit + 1 bytes are kept (enough to refuse it as
    file_too_large), the rest never reaches the temp file, and the small file is whole."""

    from starlette.datastructures import Headers, UploadFile

    from labintake.web.multipart import CappedFileParser

    big, small = b"B" * (3 * 1024 * 1024), b"%PDF-1.4 small"
    body = b"".join(
        b"--x\r\nContent-Disposition: form-data; name=\"files\"; filename=\"" + name + b"\"\r\n"
        b"Content-Type: application/pdf\r\n\r\n" + data + b"\r\n" for name, data in ((b"big.pdf", big),
                                                                                   (b"small.pdf", small))
    ) + b"--x--\r\n"

    async def stream():  # type: ignore[no-untyped-def]
        for i in range(0, len(body), 64 * 1024):
            yield body[i:i + 64 * 1024]

    async def parse() -> list[tuple[str, bytes]]:
        headers = Headers({"content-type": "multipart/form-data; boundary=x"})
        form = await CappedFileParser(headers, stream(), max_file_bytes=1024).parse()
        out = []
        for value in form.getlist("files"):
            assert isinstance(value, UploadFile)
            await value.seek(0)
            out.append((value.filename or "", await value.read()))
        await form.close()
        return out

    parsed = run(parse())
    assert parsed == [("big.pdf", big[:1025]), ("small.pdf", small)]


def test_an_oversize_file_is_refused_alone(served: tuple[Api, object]) -> None:
    """Over HTTP: the file over max_file_bytes is rejected file_too_large, its neighbour queued."""
    api, _ = served
    _, client = api.user("oversize@example.org")
    _, files = new_session(client, [("huge.pdf", b"%PDF-1.4\n" + b"0" * (6 * 1024 * 1024)),
                                    ("ok.pdf", make_pdf(sample_report()))])
    by_name = {f["fileName"]: f for f in files}
    assert (by_name["huge.pdf"]["status"], by_name["huge.pdf"]["errorCode"]) == ("rejected", "file_too_large")
    assert by_name["ok.pdf"]["status"] == "pending"

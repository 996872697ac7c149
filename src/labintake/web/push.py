"""Push: Server-Sent Events and a WebSocket over the ``session_events`` log.

The doorbell only says "something changed"; the event table says what. A connection
subscribes to the doorbell *first*, then replays events after the client's last id, then
sleeps until the bell rings and reads what is new: an event committed between the replay
and the wait rings a bell that is already being listened to, so nothing is missed.
Database reads run in the threadpool; the event loop only waits.

Ordering: every event of a session is written while its transaction holds the session's
summary row lock (the summary triggers take it), so per-session ids are in commit order
and "everything with id > N" is exactly what a client that saw N has missed.
"""

from __future__ import annotations

import asyncio
import bisect
import json
from dataclasses import dataclass
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response, WebSocket
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect, WebSocketState

from labintake.db import history, scope
from labintake.db.models import utcnow
from labintake.db.progress import iso
from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.domain.status import EventKind, FileStatus, SessionState, SessionStatus
from labintake.notify import Doorbell
from labintake.service import LabIntake
from labintake import metrics
from labintake.web import metrics as web_metrics
from labintake.web.deps import LI, SESSION_COOKIE, Config, CurrentUser, WebConfig, authenticate
from labintake.web.errors import ERROR_RESPONSES, ApiError, not_found

router = APIRouter(tags=["progress"])

BATCH = 500


class Bell:
    """A doorbell subscription that wakes an asyncio task from any thread, and remembers the
    highest event id it was rung for."""

    def __init__(self, doorbell: Doorbell, session_id: str) -> None:
        self._loop = asyncio.get_running_loop()
        self._rung = asyncio.Event()
        self.latest = 0
        self._unsubscribe = doorbell.subscribe(session_id, self._ring)

    def _ring(self, _session_id: str, event_id: int) -> None:
        try:
            self._loop.call_soon_threadsafe(self._note, event_id)
        except RuntimeError:  # the loop has closed: the connection is gone
            pass

    def _note(self, event_id: int) -> None:
        self.latest = max(self.latest, event_id)
        self._rung.set()

    async def wait(self, timeout: float) -> bool:
        """True when rung, False after ``timeout`` seconds of quiet."""
        try:
            await asyncio.wait_for(self._rung.wait(), timeout)
        except TimeoutError:
            return False
        self._rung.clear()
        return True

    def close(self) -> None:
        self._unsubscribe()


class SessionFeed:
    """The recent events of one session, shared by every stream of it in this process: a
    status change costs one read however many streams watch the session (ten streams of one
    session used to make ten identical reads per change).

    Invariant: ``rows`` holds every event of the session with ``base < id <= upto``, in id
    order. It holds because a session's ids are in commit order (module docstring): once a
    read has returned event N, no event with a smaller id can commit later. So a stream rung
    for event E <= ``upto`` finds it here, and a read after ``upto`` is all that is new.
    """

    KEEP = 2000  # events kept in memory per watched session

    def __init__(self, session_id: str, user_id: str, after: int) -> None:
        self.session_id = session_id
        self.user_id = user_id
        self.base = self.upto = after
        self.rows: list[Any] = []
        self.streams = 0
        self._lock = asyncio.Lock()
        self._done: Done | None | bool = None
        self._done_at = -1

    async def after(self, li: LabIntake, after: int, rung_for: int) -> list[Any]:
        """The events after ``after`` up to at least ``rung_for`` (one shared read if needed)."""
        if after < self.base:  # behind the window (never for a live stream): a read of its own
            return await run_in_threadpool(_read, li, self.session_id, self.user_id, after)
        if rung_for > self.upto:
            async with self._lock:  # the first stream reads; the others find the rows here
                if rung_for > self.upto:
                    new = await run_in_threadpool(_read, li, self.session_id, self.user_id, self.upto)
                    if new:
                        self.rows.extend(new)
                        self.upto = new[-1].id
                        if len(self.rows) > self.KEEP:
                            dropped = len(self.rows) - self.KEEP
                            self.base = self.rows[dropped - 1].id
                            del self.rows[:dropped]
        start = bisect.bisect_right(self.rows, after, key=lambda row: row.id)
        return self.rows[start:start + BATCH]

    async def done(self, li: LabIntake, after: int) -> Done | None | bool:
        """``_done`` for a stream that has seen every event up to ``after``, shared by the
        streams at the same point: an answer read once the feed held ``upto`` is still right
        for them (a later change rings the bell, and a Done is re-checked against the events)."""
        if after != self.upto:
            return await run_in_threadpool(_done, li, self.session_id, self.user_id)
        async with self._lock:
            if self._done_at != self.upto:
                at = self.upto
                self._done = await run_in_threadpool(_done, li, self.session_id, self.user_id)
                self._done_at = at
            return self._done


class Feeds:
    """The process's shared session feeds, created with a session's first stream and dropped
    with its last."""

    def __init__(self) -> None:
        self._feeds: dict[tuple[str, str], SessionFeed] = {}

    def open(self, session_id: str, user_id: str, after: int) -> SessionFeed:
        feed = self._feeds.get((session_id, user_id))
        if feed is None:
            feed = self._feeds[(session_id, user_id)] = SessionFeed(session_id, user_id, after)
        feed.streams += 1
        return feed

    def close(self, feed: SessionFeed) -> None:
        feed.streams -= 1
        if feed.streams <= 0:
            self._feeds.pop((feed.session_id, feed.user_id), None)

    def __len__(self) -> int:
        return len(self._feeds)


def _read(li: LabIntake, session_id: str, user_id: str, after: int) -> list[Any]:
    with li.db.read() as s:
        return history.events_after(s, session_id, user_id, after, BATCH)


@dataclass(frozen=True, slots=True)
class Done:
    status: str
    progress: int


def _done(li: LabIntake, session_id: str, user_id: str) -> Done | None | bool:
    """Done if the session was started (or cancelled) and its files add up to a terminal status;
    None while it is not; False if the session is not (or no longer) this user's."""
    with li.db.read() as s:
        return _done_in(s, session_id, user_id)


def _done_in(s: Any, session_id: str, user_id: str) -> Done | None | bool:
    state = history.session_state(s, session_id, user_id)
    if state is None:
        return False
    if state == SessionState.OPEN.value:
        return None  # more files may still be uploaded
    summary = history.summary_status(s, session_id, user_id)
    if summary is None:  # no files at all
        return Done(SessionStatus.CANCELLED.value, 0) if state == SessionState.CANCELLED.value else None
    status, progress = summary
    return Done(status, progress) if SessionStatus(status).is_terminal else None


def _open(li: LabIntake, session_id: str, user_id: str, after: int) -> tuple[list[Any], bool] | None:
    """What a new stream starts with, in one read: the events after ``after`` and whether the
    session is already over for this client (done, with nothing left to replay); None if the
    session is not this user's."""
    with li.db.read() as s:
        done = _done_in(s, session_id, user_id)
        if done is False:
            return None
        rows = history.events_after(s, session_id, user_id, after, BATCH)
    return rows, not rows and isinstance(done, Done)


def is_final(row: Any) -> bool:
    return row.kind == EventKind.SESSION and row.status is not None and SessionStatus(row.status).is_terminal


def final_message(done: Done, session_id: str) -> dict[str, Any]:
    """The closing event when the session's own final event came before the stream's last one
    (e.g. every file was refused at upload, before the session was started). It has no id."""
    return {"id": None, "kind": EventKind.SESSION.value, "sessionId": session_id, "fileId": None, "status": done.status,
            "progress": done.progress, "errorCode": None, "at": iso(utcnow())}


def message(row: Any, session_id: str) -> dict[str, Any]:
    """An event for clients: codes and numbers only (payloads may grow; only known keys pass)."""
    payload = row.payload or {}
    return {
        "id": row.id,
        "kind": row.kind,
        "sessionId": session_id,
        "fileId": row.file_id,
        "status": row.status,
        "progress": row.progress,
        "errorCode": payload.get("error_code"),
        "at": iso(row.created_at),
    }


def sse(msg: dict[str, Any]) -> str:
    head = f"id: {msg['id']}\n" if msg["id"] is not None else ""
    return f"{head}event: {msg['kind']}\ndata: {json.dumps(msg)}\n\n"


def _observe_latency(rows: list[Any]) -> None:
    now = utcnow()
    for row in rows:
        metrics.PUSH_SECONDS.observe(max(0.0, (now - row.created_at).total_seconds()))


async def follow(
    li: LabIntake, feeds: Feeds, bell: Bell, session_id: str, user_id: str, after: int, rows: list[Any],
    heartbeat: float,
) -> AsyncIterator[list[dict[str, Any]] | None]:
    """Batches of event messages in id order (None: a heartbeat is due).

    Ends once the session is done: after its final ``session`` event, or with a closing
    event when that came earlier (see ``final_message``), or when the session is deleted.
    Live events come through the session's shared feed; replays and heartbeats read directly.
    """
    feed = feeds.open(session_id, user_id, rows[-1].id if rows else after)
    try:
        async for batch in _follow(li, feed, bell, session_id, user_id, after, rows, heartbeat):
            yield batch
    finally:
        feeds.close(feed)


async def _follow(
    li: LabIntake, feed: SessionFeed, bell: Bell, session_id: str, user_id: str, after: int, rows: list[Any],
    heartbeat: float,
) -> AsyncIterator[list[dict[str, Any]] | None]:
    while True:
        if rows:
            yield [message(row, session_id) for row in rows]
            after = rows[-1].id
            if len(rows) == BATCH:  # more history to replay before waiting
                rows = await run_in_threadpool(_read, li, session_id, user_id, after)
                continue
            last = rows[-1]
            if last.kind != EventKind.FILE or FileStatus(last.status).is_terminal:
                done = await feed.done(li, after)
                if done is False:
                    return
                if isinstance(done, Done):
                    if is_final(last):
                        return
                    # The summary was read after the events: the transaction that ended the
                    # session may have committed in between. Its events come first.
                    rows = await run_in_threadpool(_read, li, session_id, user_id, after)
                    if rows:
                        continue
                    yield [final_message(done, session_id)]
                    return
        if await bell.wait(heartbeat):
            rows = await feed.after(li, after, bell.latest)
            _observe_latency(rows)
        else:
            done = await run_in_threadpool(_done, li, session_id, user_id)
            if done is False:
                return  # deleted while we were watching
            yield None
            rows = await run_in_threadpool(_read, li, session_id, user_id, after)
            if not rows and isinstance(done, Done):
                yield [final_message(done, session_id)]
                return


@router.get(
    "/api/sessions/{session_id}/events",
    summary="Session events (Server-Sent Events)",
    response_class=StreamingResponse,
    responses={
        **ERROR_RESPONSES,
        200: {"content": {"text/event-stream": {}},
              "description": "`id:` the event id, `event:` its kind (file, session_state, session), "
                             "`data:` a PushEvent as JSON. Ends after the final `session` event."},
        204: {"description": "The session already finished and the client has seen its final event."},
    },
)
async def events(
    request: Request,
    session_id: str,
    user_id: CurrentUser,
    li: LI,
    config: Config,
    last_event_id: Annotated[int | None, Header(alias="Last-Event-ID", ge=0)] = None,
    after: Annotated[int | None, Query(ge=0, description="Same as Last-Event-ID, for clients that cannot set headers.")] = None,
) -> Response:
    """Every status change of every file of the session, resumable with `Last-Event-ID`."""
    since = max(last_event_id or 0, after or 0)
    bell = Bell(li.doorbell, session_id)  # before the replay: see the module docstring
    try:
        opened = await run_in_threadpool(_open, li, session_id, user_id, since)
        if opened is None:
            raise not_found("session")
        rows, finished = opened
        if finished:
            bell.close()
            return Response(status_code=204)  # EventSource stops reconnecting on 204
    except BaseException:
        bell.close()
        raise
    return StreamingResponse(
        _sse_body(li, request.app.state.feeds, bell, session_id, user_id, since, rows, config.heartbeat_seconds),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _sse_body(
    li: LabIntake, feeds: Feeds, bell: Bell, session_id: str, user_id: str, since: int, rows: list[Any],
    heartbeat: float,
) -> AsyncIterator[str]:
    metrics.PUSH_CONNECTIONS.labels("sse").inc()
    try:
        yield "retry: 2000\n\n"
        async for batch in follow(li, feeds, bell, session_id, user_id, since, rows, heartbeat):
            if batch is None:
                yield ": heartbeat\n\n"
                continue
            web_metrics.PUSH_EVENTS.labels("sse").inc(len(batch))
            yield "".join(sse(msg) for msg in batch)
    except LabIntakeError:
        return  # database gone: end the stream; the client reconnects with Last-Event-ID
    finally:
        bell.close()
        metrics.PUSH_CONNECTIONS.labels("sse").dec()


# --- WebSocket ------------------------------------------------------------------------------


def _ws_user(li: LabIntake, websocket: WebSocket, config: WebConfig, token: str | None) -> str:
    header = websocket.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    bearer = value.strip() if scheme.lower() == "bearer" and value.strip() else token
    cookie = None if bearer else websocket.cookies.get(SESSION_COOKIE)
    if cookie:
        # Browsers send cookies on cross-site WebSocket handshakes when SameSite allows;
        # only our own pages (or configured origins) may use the session cookie here.
        origin = websocket.headers.get("origin")
        host = websocket.headers.get("host", "")
        if origin and origin.split("://", 1)[-1] != host and origin not in config.cors_origins:
            raise ApiError(403, ErrorCode.FORBIDDEN, "This origin may not open the WebSocket.")
    return authenticate(li, websocket, bearer, cookie, check_csrf=False)  # type: ignore[arg-type]


@router.websocket("/api/sessions/{session_id}/ws")
async def websocket_events(
    websocket: WebSocket,
    session_id: str,
    token: str | None = None,
    after: int = 0,
) -> None:
    """The same events as SSE, one JSON message each; auth by bearer header, ``?token=`` or cookie.
    Closes with 1000 after the final event; 4401 unauthorized, 4403 forbidden, 4404 not found."""
    li: LabIntake = websocket.app.state.li
    config: WebConfig = websocket.app.state.web
    await websocket.accept()
    try:
        user_id = await run_in_threadpool(_ws_user, li, websocket, config, token)
        scope.current_user.set(user_id)  # the rest of this connection reads as its user
        if await run_in_threadpool(_done, li, session_id, user_id) is False:
            raise not_found("session")
    except ApiError as exc:
        await websocket.send_json({"error": {"code": exc.code, "message": exc.message}})
        await websocket.close(code=4000 + exc.status)
        return
    bell = Bell(li.doorbell, session_id)
    metrics.PUSH_CONNECTIONS.labels("ws").inc()
    listener = asyncio.create_task(_until_disconnect(websocket))
    pump = asyncio.create_task(_ws_pump(li, websocket.app.state.feeds, websocket, bell, session_id, user_id,
                                        max(0, after), config.heartbeat_seconds))
    try:
        await asyncio.wait({listener, pump}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (listener, pump):
            task.cancel()
        await asyncio.gather(listener, pump, return_exceptions=True)
        bell.close()
        metrics.PUSH_CONNECTIONS.labels("ws").dec()
        if websocket.application_state == WebSocketState.CONNECTED and websocket.client_state == WebSocketState.CONNECTED:
            try:
                await websocket.close(code=1000)
            except (RuntimeError, WebSocketDisconnect):
                pass


async def _until_disconnect(websocket: WebSocket) -> None:
    while True:
        msg = await websocket.receive()
        if msg["type"] == "websocket.disconnect":
            return


async def _ws_pump(li: LabIntake, feeds: Feeds, websocket: WebSocket, bell: Bell, session_id: str,
                   user_id: str, after: int, heartbeat: float) -> None:
    try:
        opened = await run_in_threadpool(_open, li, session_id, user_id, after)
        if opened is None or opened[1]:  # deleted since the handshake, or nothing left to say
            return
        rows = opened[0]
        async for batch in follow(li, feeds, bell, session_id, user_id, after, rows, heartbeat):
            if batch is None:
                await websocket.send_json({"kind": "heartbeat"})
                continue
            web_metrics.PUSH_EVENTS.labels("ws").inc(len(batch))
            for msg in batch:
                await websocket.send_json(msg)
    except (WebSocketDisconnect, LabIntakeError):
        return

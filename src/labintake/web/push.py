"""Push routes: Server-Sent Events and a WebSocket over the ``session_events`` log.

Both follow a session through ``web.feed`` (the doorbell, shared feeds, message shapes);
the WebSocket authenticates itself (a handshake carries no CSRF header).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response, WebSocket
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect, WebSocketState

from labintake import metrics
from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.service import LabIntake, accounts
from labintake.service import events as event_log
from labintake.service.events import Stage
from labintake.web import metrics as web_metrics
from labintake.web.deps import LI, SESSION_COOKIE, Config, CurrentUser, WebConfig, authenticate
from labintake.web.errors import ERROR_RESPONSES, ApiError, not_found
from labintake.web.feed import Feeds, Watch, follow

router = APIRouter(tags=["progress"])


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
    feeds: Feeds = request.app.state.feeds
    watch = feeds.watch(li.doorbell, session_id, user_id, since, config.heartbeat_seconds)  # see web/feed.py
    try:
        opened = await watch.feed.open(li, since)
        if opened is None:
            raise not_found("session")
        rows, finished = opened
        if finished:
            watch.close()
            return Response(status_code=204)  # EventSource stops reconnecting on 204
    except BaseException:
        watch.close()
        raise
    return StreamingResponse(
        sse_body(li, watch, since, rows, config.heartbeat_seconds),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def sse_body(li: LabIntake, watch: Watch, since: int, rows: list[Any], heartbeat: float) -> AsyncIterator[str]:
    """The stream's body; it releases ``watch`` when it ends, and also when it is dropped without
    ever being started (a client gone before the first chunk: its ``finally`` never runs)."""
    body = _sse_body(li, watch, since, rows, heartbeat)
    weakref.finalize(body, watch.close).atexit = False
    return body


async def _sse_body(li: LabIntake, watch: Watch, since: int, rows: list[Any], heartbeat: float) -> AsyncIterator[str]:
    metrics.PUSH_CONNECTIONS.labels("sse").inc()
    try:
        yield "retry: 2000\n\n"
        async for batch in follow(li, watch, since, rows, heartbeat):
            if batch is None:
                yield ": heartbeat\n\n"
                continue
            web_metrics.PUSH_EVENTS.labels("sse").inc(len(batch))
            yield batch[0].sse if len(batch) == 1 else "".join(msg.sse for msg in batch)
    except LabIntakeError:
        return  # database gone: end the stream; the client reconnects with Last-Event-ID
    finally:
        watch.close()
        metrics.PUSH_CONNECTIONS.labels("sse").dec()


# --- WebSocket ------------------------------------------------------------------------------


# A browser's WebSocket cannot send an Authorization header; it can offer subprotocols:
# ``new WebSocket(url, ["labintake.bearer", token])``. The token never goes into a URL (URLs
# end up in logs and proxies' access logs).
WS_BEARER_PROTOCOL = "labintake.bearer"


def _offered_token(websocket: WebSocket) -> str | None:
    offered = [p.strip() for p in websocket.headers.get("sec-websocket-protocol", "").split(",") if p.strip()]
    if WS_BEARER_PROTOCOL in offered:
        rest = offered[offered.index(WS_BEARER_PROTOCOL) + 1:]
        return rest[0] if rest else None
    return None


def _ws_user(li: LabIntake, websocket: WebSocket, config: WebConfig) -> str:
    header = websocket.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    bearer = value.strip() if scheme.lower() == "bearer" and value.strip() else _offered_token(websocket)
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
    after: int = 0,
) -> None:
    """The same events as SSE, one JSON message each; auth by a bearer header, the bearer token
    offered as subprotocols ``labintake.bearer, <token>``, or the session cookie (never in the URL).
    Closes with 1000 after the final event; 4401 unauthorized, 4403 forbidden, 4404 not found."""
    li: LabIntake = websocket.app.state.li
    config: WebConfig = websocket.app.state.web
    offered = _offered_token(websocket) is not None
    await websocket.accept(subprotocol=WS_BEARER_PROTOCOL if offered else None)
    try:
        user_id = await run_in_threadpool(_ws_user, li, websocket, config)
        accounts.scope_to(user_id)  # the rest of this connection reads as its user
        if (await run_in_threadpool(event_log.end_of, li, session_id, user_id)).stage is Stage.GONE:
            raise not_found("session")
    except ApiError as exc:
        await websocket.send_json({"error": {"code": exc.code, "message": exc.message}})
        await websocket.close(code=4000 + exc.status)
        return
    feeds: Feeds = websocket.app.state.feeds
    watch = feeds.watch(li.doorbell, session_id, user_id, max(0, after), config.heartbeat_seconds)
    metrics.PUSH_CONNECTIONS.labels("ws").inc()
    listener = asyncio.create_task(_until_disconnect(websocket))
    pump = asyncio.create_task(_ws_pump(li, websocket, watch, max(0, after), config.heartbeat_seconds))
    try:
        await asyncio.wait({listener, pump}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (listener, pump):
            task.cancel()
        await asyncio.gather(listener, pump, return_exceptions=True)
        watch.close()
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


async def _ws_pump(li: LabIntake, websocket: WebSocket, watch: Watch, after: int, heartbeat: float) -> None:
    try:
        opened = await watch.feed.open(li, after)
        if opened is None or opened[1]:  # deleted since the handshake, or nothing left to say
            return
        async for batch in follow(li, watch, after, opened[0], heartbeat):
            if batch is None:
                await websocket.send_json({"kind": "heartbeat"})
                continue
            web_metrics.PUSH_EVENTS.labels("ws").inc(len(batch))
            for msg in batch:
                await websocket.send_text(msg.json)
    except (WebSocketDisconnect, LabIntakeError):
        return

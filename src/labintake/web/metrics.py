"""Prometheus metrics of the web layer; push and progress metrics are ``labintake.metrics``'s."""

from __future__ import annotations

import time

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_LATENCY = Histogram(
    "labintake_api_request_seconds", "HTTP API latency by route template.", ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
PUSH_EVENTS = Counter("labintake_push_events_total", "Events sent to push clients.", ["transport"])
UPLOADS = Counter("labintake_uploads_total", "Uploaded files by outcome.", ["status"])


class MetricsMiddleware:
    """API latency per route template, measured to the start of the response (so a stream's
    lifetime is not counted as latency). Pure ASGI: it does not buffer or wrap bodies."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                route = getattr(scope.get("route"), "path", "unmatched")
                API_LATENCY.labels(scope["method"], route, str(message["status"])).observe(
                    time.perf_counter() - start
                )
            await send(message)

        await self.app(scope, receive, timed)

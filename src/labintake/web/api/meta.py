"""Health, readiness, metrics, analytics and the current user."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from labintake import auth
from labintake.domain.errors import ErrorCode
from labintake.service import accounts, reading
from labintake.service import analytics as analytics_service
from labintake.service.models import Analytics, Health, Me, Ready
from labintake.web.deps import LI, SESSION_COOKIE, Config, CurrentUser
from labintake.web.errors import ERROR_RESPONSES, ErrorBody, error_response

router = APIRouter(tags=["service"])


@router.get("/healthz", response_model=Health, summary="Liveness: the process answers")
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz", response_model=Ready, summary="Readiness: database, executor, storage",
    responses={503: {"model": ErrorBody, "description": "A dependency is down (`not_ready`)."}},
)
def readyz(li: LI, config: Config) -> Response:
    # The embedded executor says whether it started; the distributed worker runs once it exists.
    executor = li.executor is not None and bool(getattr(li.executor, "started", True))
    checks: dict[str, bool | None] = {
        "database": reading.database_ok(li),
        "executor": executor if config.executor_expected else None,
        "storage": li.storage.writable(),
    }
    if all(v is not False for v in checks.values()):
        return Response(Ready(status="ready", checks=checks).model_dump_json(), media_type="application/json")
    down = ", ".join(k for k, v in checks.items() if v is False)
    return error_response(503, ErrorCode.NOT_READY, f"Not ready: {down}.", checks=checks)


@router.get("/metrics", summary="Prometheus metrics (bearer LABINTAKE_METRICS_TOKEN, or loopback only)",
            response_class=Response,
            responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}, 403: {"model": ErrorBody}})
def prometheus(request: Request, li: LI) -> Response:
    # Counts by status, type and error reveal how the service is used: not for everyone.
    expected = li.settings.metrics_token
    if expected is not None:
        sent = request.headers.get("authorization", "")
        if not auth.same(sent.removeprefix("Bearer ").strip(), expected.get_secret_value()):
            return error_response(403, ErrorCode.FORBIDDEN, "Send the metrics token: Authorization: Bearer <token>.")
    elif not _is_loopback(request.client.host if request.client else ""):
        return error_response(403, ErrorCode.FORBIDDEN, "Metrics answer loopback clients only; set LABINTAKE_METRICS_TOKEN.")
    reading.refresh_queue_depth(li)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _is_loopback(host: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


_SINCE = Query(description="First day (UTC) of the range; default 29 days before `until`.")
_UNTIL = Query(description="Last day (UTC) of the range, inclusive; default today.")


@router.get("/api/analytics", response_model=Analytics, tags=["history"], responses=ERROR_RESPONSES,
            summary="The user's processing statistics over a date range: series, file types, stages, cost")
def analytics(li: LI, user_id: CurrentUser, since: Annotated[date | None, _SINCE] = None,
              until: Annotated[date | None, _UNTIL] = None) -> Analytics:
    return analytics_service.analytics(li, user_id, since, until)


@router.get("/api/analytics.csv", tags=["history"], response_class=Response, responses=ERROR_RESPONSES,
            summary="The same statistics as CSV (section, period, file type, measure, value)")
def analytics_csv(li: LI, user_id: CurrentUser, since: Annotated[date | None, _SINCE] = None,
                  until: Annotated[date | None, _UNTIL] = None) -> Response:
    figures = analytics_service.analytics(li, user_id, since, until)
    name = f"labintake-analytics-{figures.range.since}-{figures.range.until}.csv"
    return Response(analytics_service.to_csv(figures), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/api/me", response_model=Me, summary="Who is logged in (and the CSRF token for cookie sessions)",
            tags=["auth"], responses=ERROR_RESPONSES)
def me(request: Request, li: LI, user_id: CurrentUser) -> Me:
    cookie = request.cookies.get(SESSION_COOKIE)
    return accounts.me(li, user_id, cookie if not request.headers.get("authorization") else None)

"""Analytics over a date range: series by day (or week), file types compared, time per stage,
and cost per file, from the user's finished files; and the same figures as CSV.

Percentiles are computed here, in Python, so both databases give the same figures.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from labintake.db import analytics as rows
from labintake.db import history
from labintake.domain import labels
from labintake.domain.clock import utcnow
from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.domain.status import FileStatus
from labintake.export import safe_cell
from labintake.service.app import LabIntake
from labintake.service.models import Analytics

DEFAULT_DAYS = 30
WEEKLY_OVER_DAYS = 90  # longer ranges are shown by week: a chart of 365 daily bars says less
MAX_DAYS = 3 * 366
STAGES = {"extracting": "extract", "parsing": "parse", "saving": "save"}
STAGE_LABELS = {"extract": "Reading the file (extract)", "parse": "Finding results (parse)",
                "save": "Saving (save)"}


def date_range(since: date | None, until: date | None, today: date | None = None) -> tuple[date, date]:
    """The range asked for, or the last 30 days (UTC) up to ``until`` or today."""
    end = until or today or utcnow().date()
    start = since or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise LabIntakeError(ErrorCode.BAD_REQUEST, "The start of the date range is after its end.")
    if (end - start).days + 1 > MAX_DAYS:
        raise LabIntakeError(ErrorCode.BAD_REQUEST, f"A date range is at most {MAX_DAYS} days.")
    return start, end


def percentile(values: list[float], p: float) -> float | None:
    """The p-th percentile (0–100), linear between the closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low, high = math.floor(k), math.ceil(k)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _periods(since: date, until: date, weekly: bool) -> list[date]:
    first = since - timedelta(days=since.weekday()) if weekly else since
    step = timedelta(days=7 if weekly else 1)
    out, day = [], first
    while day <= until:
        out.append(day)
        day += step
    return out


def analytics(li: LabIntake, user_id: str, since: date | None = None, until: date | None = None) -> Analytics:
    start, end = date_range(since, until)
    with li.db.read() as s:
        figures = history.analytics(s, user_id, start, end)
        finished = rows.finished_files(s, user_id, start, end)
        changes = rows.status_changes(s, user_id, finished)
    figures.update(over_time(finished, changes, start, end))
    figures["cost"] = cost_figures(finished, li.settings)
    return Analytics.model_validate(figures)


def over_time(finished: list[rows.FinishedFile], changes: dict[str, list[tuple[str, datetime]]],
              since: date, until: date) -> dict[str, Any]:
    weekly = (until - since).days + 1 > WEEKLY_OVER_DAYS
    periods = _periods(since, until, weekly)
    index = {p: i for i, p in enumerate(periods)}
    n = len(periods)
    files, completed, failed, pages = [0] * n, [0] * n, [0] * n, [0] * n
    cost = [0.0] * n
    times: dict[str, list[list[float]]] = defaultdict(lambda: [[] for _ in range(n)])
    for f in finished:
        day = f.completed_at.date()
        i = index[day - timedelta(days=day.weekday()) if weekly else day]
        files[i] += 1
        cost[i] += (f.compute_cost or 0.0) + (f.vision_cost or 0.0)
        if f.status == FileStatus.COMPLETED.value:
            completed[i] += 1
            pages[i] += f.pages or 1
            if f.duration_ms is not None:
                times[f.file_type][i].append(f.duration_ms / 1000)
        else:
            failed[i] += 1
    series = {
        "periods": periods, "files": files, "completed": completed, "failed": failed, "pages": pages,
        "successRate": [_r(c / (c + x), 4) if c + x else None for c, x in zip(completed, failed, strict=True)],
        "cost": [round(c, 6) for c in cost],
        "timeByType": [
            {"fileType": t, "label": labels.file_type(t),
             "median": [_r(percentile(v, 50)) for v in per], "p95": [_r(percentile(v, 95)) for v in per]}
            for t, per in sorted(times.items())
        ],
    }
    return {"range": {"since": since, "until": until, "granularity": "week" if weekly else "day"},
            "series": series, "fileTypes": compare_types(finished), "stages": stage_times(finished, changes)}


def compare_types(finished: list[rows.FinishedFile]) -> list[dict[str, Any]]:
    by_type: dict[str, list[rows.FinishedFile]] = defaultdict(list)
    for f in finished:
        by_type[f.file_type].append(f)
    out = []
    for file_type, group in sorted(by_type.items()):
        done = [f for f in group if f.status == FileStatus.COMPLETED.value]
        seconds = [f.duration_ms / 1000 for f in done if f.duration_ms is not None]
        pages = sum(f.pages or 1 for f in done)
        measured = [f for f in group if f.cpu_seconds is not None]
        out.append({
            "fileType": file_type, "label": labels.file_type(file_type), "files": len(group),
            "completed": len(done), "failed": len(group) - len(done),
            "successRate": _r(len(done) / len(group), 4), "pages": pages,
            "secondsPerPage": _r(sum(seconds) / pages) if seconds and pages else None,
            "medianSeconds": _r(percentile(seconds, 50)), "p95Seconds": _r(percentile(seconds, 95)),
            "cpuSecondsPerFile": _r(sum(f.cpu_seconds or 0.0 for f in measured) / len(measured)) if measured else None,
            "costPerFile": _r(sum((f.compute_cost or 0.0) + (f.vision_cost or 0.0) for f in measured) / len(measured), 8)
            if measured else None,
        })
    return out


def stage_times(finished: list[rows.FinishedFile], changes: dict[str, list[tuple[str, datetime]]]) -> list[dict[str, Any]]:
    """Seconds each completed file spent in each stage: the time from entering it to the next
    change, summed over re-readings and attempts. (A failed file's stages stop short: they
    would pull the figures down.)"""
    per_stage: dict[str, list[float]] = {stage: [] for stage in STAGE_LABELS}
    for f in finished:
        if f.status != FileStatus.COMPLETED.value:
            continue
        spent: dict[str, float] = {}
        events = changes.get(f.id, [])
        for (status, at), (_, following) in zip(events, events[1:], strict=False):
            stage = STAGES.get(status)
            if stage is not None:
                spent[stage] = spent.get(stage, 0.0) + max(0.0, (following - at).total_seconds())
        for stage, seconds in spent.items():
            per_stage[stage].append(seconds)
    return [
        {"stage": stage, "label": STAGE_LABELS[stage], "files": len(values),
         "meanSeconds": _r(sum(values) / len(values)) if values else None,
         "medianSeconds": _r(percentile(values, 50)), "p95Seconds": _r(percentile(values, 95))}
        for stage, values in per_stage.items()
    ]


def cost_figures(finished: list[rows.FinishedFile], settings: Any) -> dict[str, Any]:
    measured = [f for f in finished if f.cpu_seconds is not None or f.vision_cost is not None]
    compute = sum(f.compute_cost or 0.0 for f in measured)
    vision = sum(f.vision_cost or 0.0 for f in measured)
    pages = sum(f.pages or 1 for f in measured)
    total = compute + vision
    return {
        "currency": settings.cost_currency, "perCpuHour": settings.cost_per_cpu_hour,
        "visionInputPerMTok": settings.vision_price_input_per_mtok,
        "visionOutputPerMTok": settings.vision_price_output_per_mtok,
        "files": len(measured), "unmeasured": len(finished) - len(measured),
        "cpuSeconds": round(sum(f.cpu_seconds or 0.0 for f in measured), 3),
        "computeCost": round(compute, 8), "visionCost": round(vision, 8), "totalCost": round(total, 8),
        "visionInputTokens": sum(f.vision_input_tokens or 0 for f in measured),
        "visionOutputTokens": sum(f.vision_output_tokens or 0 for f in measured),
        "costPerFile": round(total / len(measured), 8) if measured else None,
        "costPerPage": round(total / pages, 8) if measured and pages else None,
    }


CSV_HEADER = ["section", "period", "file_type", "measure", "value"]


def to_csv(figures: Analytics) -> str:
    """The figures as one long table (section, period, file type, measure, value): easy to
    pivot in a spreadsheet. File types and errors in words; cells guarded against formulas."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_HEADER)

    def row(section: str, period: object, file_type: str, measure: str, value: object) -> None:
        w.writerow([safe_cell(v) for v in (section, period, file_type, measure, "" if value is None else value)])

    r = figures.range
    row("range", f"{r.since}..{r.until}", "", "granularity", r.granularity)
    sr = figures.series
    for i, period in enumerate(sr.periods):
        for measure in ("files", "completed", "failed", "successRate", "pages", "cost"):
            row("series", period, "", measure, getattr(sr, measure)[i])
        for t in sr.timeByType:
            row("series", period, t.label, "median_seconds", t.median[i])
            row("series", period, t.label, "p95_seconds", t.p95[i])
    for ft in figures.fileTypes:
        for measure in ("files", "completed", "failed", "successRate", "pages", "secondsPerPage", "medianSeconds",
                        "p95Seconds", "cpuSecondsPerFile", "costPerFile"):
            row("file_types", "", ft.label, measure, getattr(ft, measure))
    for st in figures.stages:
        for measure in ("files", "meanSeconds", "medianSeconds", "p95Seconds"):
            row("stages", "", "", f"{st.stage}_{measure}", getattr(st, measure))
    for measure, value in figures.cost.model_dump().items():
        row("cost", "", "", measure, value)
    for e in figures.failuresByErrorCode:
        row("failures", "", "", e.label, e.count)
    return out.getvalue()

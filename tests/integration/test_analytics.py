"""Analytics over time on both databases: series by day and week, percentiles, file types
compared, time per stage from the status events, cost estimates, human labels and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, update

from labintake import auth
from labintake.db import sessions as repo
from labintake.db.models import FileProcessingStatus as FPS
from labintake.db.models import SessionEvent, UploadedFile
from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.domain.status import EventKind
from labintake.service import LabIntake
from labintake.service import analytics as service
from tests.conftest import make_settings

DAY1, DAY2 = date(2026, 3, 2), date(2026, 3, 3)  # a Monday and a Tuesday


def test_percentile_and_range_rules() -> None:
    assert service.percentile([], 50) is None
    assert service.percentile([4.0], 95) == 4.0
    assert service.percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert service.percentile(list(map(float, range(1, 101))), 95) == pytest.approx(95.05)
    assert service.date_range(None, None, today=DAY2) == (DAY2 - timedelta(days=29), DAY2)
    assert service.date_range(DAY1, None, today=DAY2) == (DAY1, DAY2)
    with pytest.raises(LabIntakeError) as exc:
        service.date_range(DAY2, DAY1)
    assert exc.value.code is ErrorCode.BAD_REQUEST
    with pytest.raises(LabIntakeError):
        service.date_range(date(2020, 1, 1), date(2026, 1, 1))


@pytest.fixture
def li(db_url: str, tmp_path: Path) -> Iterator[LabIntake]:
    app = LabIntake(make_settings(tmp_path, db_url, cost_per_cpu_hour=3.6, vision_price_input_per_mtok=2.0,
                                  vision_price_output_per_mtok=8.0, cost_currency="=EUR"))
    yield app
    app.db.dispose()


def _finished(li: LabIntake, user: str, session, name: str, mime: str, status: str, *,  # type: ignore[no-untyped-def]
              ended: datetime, seconds: float, pages: int, cpu: float | None = None,
              tokens: tuple[int, int] = (0, 0), error: str | None = None,
              stages: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> str:
    """A file that ended at ``ended`` after ``seconds``, with its status events: extracting,
    parsing and saving lasting ``stages`` seconds, then its final status."""
    with li.db.transaction() as s:
        upload, fps = repo.add_file(s, session, repo.NewFile("k", "0" * 64, name, mime, 1), max_retry_attempts=3)
        s.execute(update(UploadedFile).where(UploadedFile.id == upload.id).values(page_count=pages))
        prices = li.settings
        values = {"status": status, "processing_completed_at": ended, "processing_duration_ms": int(seconds * 1000),
                  "error_code": error}
        if cpu is not None:
            values.update(cpu_seconds=cpu, compute_cost=cpu / 3600 * prices.cost_per_cpu_hour)
        if any(tokens):
            values.update(vision_input_tokens=tokens[0], vision_output_tokens=tokens[1],
                          vision_cost=(tokens[0] * 2.0 + tokens[1] * 8.0) / 1e6)
        s.execute(update(FPS).where(FPS.id == fps.id).values(**values))
        at = ended - timedelta(seconds=sum(stages))
        for stage, length in zip(("extracting", "parsing", "saving"), stages, strict=True):
            s.execute(insert(SessionEvent).values(session_id=session.id, user_id=user, file_id=fps.id,
                                                  kind=EventKind.FILE, status=stage, created_at=at))
            at += timedelta(seconds=length)
        s.execute(insert(SessionEvent).values(session_id=session.id, user_id=user, file_id=fps.id,
                                              kind=EventKind.FILE, status=status, created_at=at))
        return fps.id


def _seed(li: LabIntake) -> str:
    with li.db.transaction() as s:
        user = auth.create_user(s, "stats@example.org", "correct horse battery")
        other = auth.create_user(s, "other@example.org", "correct horse battery")
        session = repo.create_session(s, user)
        theirs = repo.create_session(s, other)
    noon1, noon2 = datetime.combine(DAY1, datetime.min.time()) + timedelta(hours=12), \
        datetime.combine(DAY2, datetime.min.time()) + timedelta(hours=12)
    _finished(li, user, session, "a.pdf", "application/pdf", "completed", ended=noon1, seconds=2, pages=2, cpu=1.0,
              stages=(1.0, 0.5, 0.25))
    _finished(li, user, session, "b.pdf", "application/pdf", "completed", ended=noon1, seconds=4, pages=2, cpu=3.0,
              stages=(3.0, 0.5, 0.25))
    _finished(li, user, session, "c.pdf", "application/pdf", "failed", ended=noon1, seconds=1, pages=1, cpu=0.5,
              error="corrupt_pdf")
    _finished(li, user, session, "d.jpg", "image/jpeg", "completed", ended=noon2, seconds=10, pages=1, cpu=8.0,
              tokens=(1000, 500), stages=(8.0, 1.0, 0.5))
    _finished(li, user, session, "e.bin", "application/octet-stream", "timeout", ended=noon2, seconds=120, pages=1)
    _finished(li, other, theirs, "x.pdf", "application/pdf", "completed", ended=noon1, seconds=99, pages=9, cpu=99.0)
    return user


def test_series_types_stages_and_cost(li: LabIntake) -> None:
    """Given five finished files over two days (and another user's), when the analytics of
    those days are read, then every figure counts the user's files only, as computed by hand."""
    user = _seed(li)
    a = service.analytics(li, user, DAY1, DAY2)
    assert a.range.granularity == "day" and a.series.periods == [DAY1, DAY2]
    s = a.series
    assert (s.files, s.completed, s.failed, s.pages) == ([3, 2], [2, 1], [1, 1], [4, 1])
    assert s.successRate == [pytest.approx(2 / 3, abs=1e-4), 0.5]
    pdf, jpeg = s.timeByType
    assert (pdf.label, pdf.median, pdf.p95) == ("PDF", [3.0, None], [pytest.approx(3.9), None])
    assert (jpeg.label, jpeg.median) == ("Photo (JPEG)", [None, 10.0])

    types = {t.label: t for t in a.fileTypes}
    assert set(types) == {"PDF", "Photo (JPEG)", "Other file"}  # never "application/octet-stream"
    assert types["PDF"].secondsPerPage == 1.5 and types["PDF"].successRate == pytest.approx(0.6667, abs=1e-4)
    assert types["PDF"].cpuSecondsPerFile == 1.5  # (1 + 3 + 0.5) / 3
    assert types["Other file"].successRate == 0 and types["Other file"].costPerFile is None

    stages = {st.stage: st for st in a.stages}
    assert stages["extract"].files == 3 and stages["extract"].medianSeconds == 3.0
    assert stages["parse"].meanSeconds == pytest.approx(2 / 3, abs=1e-3) and stages["save"].p95Seconds == pytest.approx(0.475)

    c = a.cost
    assert (c.files, c.unmeasured, c.cpuSeconds) == (4, 1, 12.5)
    assert (a.sessions, a.files, a.completed, a.failed, a.timeouts) == (1, 5, 3, 2, 1)
    assert c.computeCost == pytest.approx(12.5 / 1000)  # 3.6 per CPU-hour = 0.001 per CPU-second
    assert c.visionCost == pytest.approx((1000 * 2 + 500 * 8) / 1e6)
    assert (c.visionInputTokens, c.visionOutputTokens) == (1000, 500)
    assert c.costPerFile == pytest.approx(c.totalCost / 4)
    assert s.cost == [pytest.approx(0.0045), pytest.approx(0.008 + 0.006)]
    assert [(e.errorCode, e.label) for e in a.failuresByErrorCode] == [("corrupt_pdf", "Damaged PDF")]

    # Another range: nothing ended in it.
    empty = service.analytics(li, user, DAY2 + timedelta(days=1), DAY2 + timedelta(days=2))
    assert empty.series.files == [0, 0] and empty.fileTypes == [] and empty.cost.costPerFile is None


def test_long_ranges_are_weekly_and_csv_is_guarded(li: LabIntake) -> None:
    user = _seed(li)
    a = service.analytics(li, user, DAY1 - timedelta(days=120), DAY2)
    assert a.range.granularity == "week"
    assert all(p.weekday() == 0 for p in a.series.periods) and a.series.periods[-1] == DAY1
    assert a.series.files[-1] == 5 and sum(a.series.files) == 5

    text = service.to_csv(service.analytics(li, user, DAY1, DAY2))
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == service.CSV_HEADER
    assert ["series", "2026-03-02", "PDF", "median_seconds", "3.0"] in table
    assert ["file_types", "", "Photo (JPEG)", "secondsPerPage", "10.0"] in table
    assert ["failures", "", "", "Damaged PDF", "1"] in table
    assert ["cost", "", "", "currency", "'=EUR"] in table  # a formula-looking cell arrives as text
    assert "application/" not in text and "corrupt_pdf" not in text

"""The typed objects the service layer returns; the HTTP API sends them as they are (they are
its response models: what /docs shows and what responses are checked against)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from labintake.domain.status import FileStatus, SessionState, SessionStatus


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain a NUL character")
    return value


# For text a client sends in a body or form: PostgreSQL cannot store a NUL character, and no
# name, address or value has one, so it is a validation error instead of a database error.
NoNul = AfterValidator(_no_nul)
MAX_SESSION_TIMEOUT_SECONDS = 7 * 24 * 3600  # a session's own deadline: one second to one week


class Created(BaseModel):
    id: str


class SessionCreate(BaseModel):
    name: Annotated[str, NoNul] = Field("", max_length=200, description="A label shown in the history.")
    timeoutSeconds: float | None = Field(
        None, ge=1, le=MAX_SESSION_TIMEOUT_SECONDS, strict=True,  # strict: true or "60" is no number
        description="This session's deadline in seconds, counted from its first start (instead of "
        "LABINTAKE_SESSION_TIMEOUT_SECONDS). When it passes, unfinished files end `timeout` "
        "(`session_timeout`) and completed results are kept.",
    )


class Named(BaseModel):
    id: str
    name: str = Field(description="The session's name; by default its first file's name and how many more.")


class UploadedItem(BaseModel):
    fileId: str | None = Field(description="The file's id (as in progress), or null when nothing was added.")
    fileName: str = Field(description="The sanitised name the file is stored under.")
    status: Literal["pending", "failed", "rejected", "duplicate"] = Field(
        description="pending: queued; failed: stored but refused (see errorCode); "
        "rejected: not stored (too large); duplicate: identical bytes already in this session."
    )
    errorCode: str | None = None
    error: str | None = None
    duplicateOf: str | None = Field(None, description="For a duplicate: the fileId of the first copy.")


class UploadResult(BaseModel):
    sessionId: str
    files: list[UploadedItem]


class SessionStateOut(BaseModel):
    id: str
    state: SessionState


class Summary(BaseModel):
    """The seed's summary object (snake_case as in the seed)."""

    total_files: int
    completed_files: int
    failed_files: int
    processing_files: int
    pending_files: int
    overall_progress: int = Field(description="floor(100 x completed / total), as the seed computes it.")
    session_status: SessionStatus


class FileProgress(BaseModel):
    fileId: str
    fileName: str
    fileType: str
    status: FileStatus
    progress: int = Field(ge=0, le=100)
    error: str | None = Field(description="A message for the user when the file failed, timed out or was cancelled.")
    errorCode: str | None = Field(None, description="The stable code behind `error`.")
    processingTime: int | None = Field(description="Milliseconds: the final duration, or elapsed while running.")
    attemptNumber: int
    isRetryable: bool
    pagesDone: int | None = Field(
        None, description="Pages read so far by the current reading (moves while extracting; null before it starts)."
    )
    pagesTotal: int | None = Field(None, description="The file's page count, once its reading has started.")


class Progress(BaseModel):
    """The seed's progress response, field for field, plus the event id it reflects."""

    sessionId: str
    summary: Summary
    files: list[FileProgress]
    timestamp: str
    lastEventId: int | None = Field(
        None, description="Every change up to this event id is in the answer: poll with `?since=` it for a delta.")
    since: int | None = Field(
        None, description="Present on a delta (`?since=`): `files` lists only the files changed after this id.")


class SessionItem(BaseModel):
    id: str
    name: str
    state: SessionState
    createdAt: str
    startedAt: str | None
    completedAt: str | None
    totalProcessingTimeMs: int | None
    fileTypes: list[str]
    summary: Summary


class SessionPage(BaseModel):
    items: list[SessionItem]
    total: int
    limit: int
    offset: int


class RetryOut(BaseModel):
    fileId: str
    status: FileStatus


class FileResult(BaseModel):
    fileId: str
    fileName: str
    status: FileStatus
    result: dict[str, object] | None = Field(description="The extracted report (DESIGN §4) once completed.")


class SessionResults(BaseModel):
    sessionId: str
    files: list[FileResult]


class TypeStats(BaseModel):
    fileType: str
    label: str = Field(description="The file type in words (`PDF`, `Photo (JPEG)`).")
    files: int
    completed: int
    failed: int
    avgProcessingMs: int | None
    maxProcessingMs: int | None


class ErrorCount(BaseModel):
    errorCode: str
    label: str = Field(description="The error in words (`Damaged PDF`).")
    count: int


class DateRange(BaseModel):
    since: date
    until: date = Field(description="Inclusive (UTC days).")
    granularity: Literal["day", "week"] = Field(description="Weeks (from Monday) for ranges over 90 days.")


class TypeTimes(BaseModel):
    fileType: str
    label: str
    median: list[float | None] = Field(description="Median processing seconds of completed files, per period.")
    p95: list[float | None]


class Series(BaseModel):
    """One value per period (``periods``), oldest first; files counted on the day they ended."""

    periods: list[date]
    files: list[int]
    completed: list[int]
    failed: list[int]
    successRate: list[float | None]
    pages: list[int] = Field(description="Pages of the files completed.")
    cost: list[float]
    timeByType: list[TypeTimes]


class TypeComparison(BaseModel):
    fileType: str
    label: str
    files: int
    completed: int
    failed: int
    successRate: float | None
    pages: int
    secondsPerPage: float | None
    medianSeconds: float | None
    p95Seconds: float | None
    cpuSecondsPerFile: float | None
    costPerFile: float | None


class StageTime(BaseModel):
    """Seconds completed files spent in a stage (from their status events)."""

    stage: Literal["extract", "parse", "save"]
    label: str
    files: int
    meanSeconds: float | None
    medianSeconds: float | None
    p95Seconds: float | None


class CostFigures(BaseModel):
    """Estimates: CPU-seconds of the worker process × the CPU-hour price, and vision-LLM tokens ×
    their prices, each stored when the file ended at the prices configured then."""

    currency: str
    perCpuHour: float = Field(description="The price configured now (stored costs used the price of their day).")
    visionInputPerMTok: float
    visionOutputPerMTok: float
    files: int = Field(description="Finished files with a measured cost.")
    unmeasured: int = Field(description="Finished files without one (before the measurement, or a killed worker).")
    cpuSeconds: float
    computeCost: float
    visionCost: float
    visionInputTokens: int
    visionOutputTokens: int
    totalCost: float
    costPerFile: float | None
    costPerPage: float | None


class Analytics(BaseModel):
    sessions: int
    files: int
    completed: int
    failed: int = Field(description="failed + timeout")
    timeouts: int
    cancelled: int
    successRate: float | None = Field(description="completed / (completed + failed)")
    timeoutRate: float | None
    retriedFiles: int = Field(description="Finished files that needed more than one attempt.")
    retrySuccessRate: float | None
    byFileType: list[TypeStats]
    failuresByErrorCode: list[ErrorCount]
    range: DateRange = Field(description="Files that ended in it (or were uploaded in it and have not ended); "
                             "sessions created in it.")
    series: Series
    fileTypes: list[TypeComparison]
    stages: list[StageTime]
    cost: CostFigures


class Me(BaseModel):
    id: str
    email: str
    csrfToken: str | None = Field(description="For cookie sessions: send it as X-CSRF-Token on unsafe requests.")


class Health(BaseModel):
    status: Literal["ok"]


class Ready(BaseModel):
    status: Literal["ready"]
    checks: dict[str, bool | None]


class PushEvent(BaseModel):
    """One event as SSE `data:` / a WebSocket message: status codes only, never exception text."""

    id: int | None
    kind: str = Field(description="file | session_state | session")
    sessionId: str
    fileId: str | None
    status: str | None
    progress: int | None
    errorCode: str | None
    at: str | None
    pagesDone: int | None = Field(None, description="On a page-progress event (status extracting): pages read.")
    pagesTotal: int | None = Field(None, description="On a page-progress event: the file's page count.")

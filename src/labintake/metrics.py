"""Prometheus metrics (served at ``/metrics``). Labels are bounded: never ids, never names.

The runner and executor live in the serving process (worker processes only compute),
so the default registry sees everything in the embedded deployment.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# Buckets in seconds: a digital page takes milliseconds, an OCR'd photo several seconds.
_STAGE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
_FAST_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)


def kind_of(file_type: str | None) -> str:
    """A bounded label for a MIME type: pdf, image or other."""
    if not file_type:
        return "other"
    if file_type == "application/pdf":
        return "pdf"
    if file_type.startswith("image/"):
        return "image"
    return "other"


FILES_FINISHED = Counter(
    "labintake_files_finished_total", "Files that reached a final status.", ["status", "file_type"]
)
FAILURES = Counter("labintake_file_failures_total", "Failed or timed-out files by error code.", ["error_code"])
RETRIES = Counter("labintake_retries_total", "Automatic and manual retries scheduled.", ["kind", "error_code"])
RETRY_OUTCOMES = Counter(
    "labintake_retry_outcomes_total", "Final status of files that needed more than one attempt.", ["status"]
)
TIMEOUTS = Counter("labintake_timeouts_total", "Files that ran out of time.", ["scope"])
STAGE_SECONDS = Histogram(
    "labintake_stage_duration_seconds", "Time spent in each stage.", ["stage", "file_type"],
    buckets=_STAGE_BUCKETS,
)
PROCESSING_SECONDS = Histogram(
    "labintake_file_processing_seconds", "Claim to completion, per file.", ["file_type"], buckets=_STAGE_BUCKETS
)
QUEUE_WAIT_SECONDS = Histogram(
    "labintake_queue_wait_seconds", "Time a file waited between upload (or retry) and being claimed.",
    buckets=_STAGE_BUCKETS,
)
QUEUE_DEPTH = Gauge("labintake_queue_depth", "Pending files of running sessions.")
RUNNING_FILES = Gauge("labintake_running_files", "Files running in this process.")
PROGRESS_SECONDS = Histogram(
    "labintake_progress_request_seconds", "Latency of progress reads (poll API).", buckets=_FAST_BUCKETS
)
PROGRESS_ERRORS = Counter("labintake_progress_request_errors_total", "Progress reads that failed.")
PROGRESS_REQUESTS = Counter("labintake_progress_requests_total", "Progress reads served.")
PUSH_SECONDS = Histogram(
    "labintake_push_latency_seconds", "Status write commit to event sent on a push stream.", buckets=_FAST_BUCKETS
)
PUSH_CONNECTIONS = Gauge("labintake_push_connections", "Open SSE and WebSocket streams.", ["transport"])
FIRST_PROGRESS_SECONDS = Histogram(
    "labintake_first_progress_seconds", "Session start to its first file leaving pending.", buckets=_STAGE_BUCKETS
)

NOTIFICATION_ATTEMPTS = Counter(
    "labintake_notification_attempts_total",
    "Session-end email, webhook and push delivery attempts by outcome (delivered, retry, failed, skipped).",
    ["kind", "outcome"],
)

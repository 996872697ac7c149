"""File and session statuses, and the only legal ways a file's status changes.

::

    pending ──► downloading ──► extracting ──► parsing ──► saving ──► completed
       ▲  │          │               │            │          │
       │  │          └───────────────┴─────┬──────┴──────────┘
       │  │                                ▼
       │  └──────────────────────► failed | timeout | cancelled
       │                                   │
       └──── retry (automatic for transient errors, or by the user) ◄┘

A running stage may also go back to ``pending`` when a transient error is retried
or a dead worker's lease is recovered; ``parsing`` goes back to ``extracting`` when a
report fails validation and the file is read again with the next strategy. ``completed``
is final.
"""

from __future__ import annotations

from enum import StrEnum


class FileStatus(StrEnum):
    PENDING = "pending"
    DOWNLOADING = "downloading"
    EXTRACTING = "extracting"
    PARSING = "parsing"
    SAVING = "saving"
    COMPLETED = "completed"
    FAILED = "failed"
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"

    @property
    def progress(self) -> int:
        """The seed's progress value for a file that has just entered this status."""
        return STAGE_PROGRESS[self]

    @property
    def is_active(self) -> bool:
        return self in ACTIVE_STATUSES

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATUSES


class SessionState(StrEnum):
    """What the user asked of a session (stored on ``processing_sessions``)."""

    OPEN = "open"  # accepting uploads, not started
    RUNNING = "running"
    PAUSED = "paused"
    CANCELLED = "cancelled"


class SessionStatus(StrEnum):
    """What a session's files add up to (stored on ``session_processing_summary``)."""

    PENDING = "pending"
    PROCESSING = "processing"
    PAUSED = "paused"
    COMPLETED = "completed"
    PARTIAL = "partial"  # finished, some files failed
    FAILED = "failed"  # finished, every file failed
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        return self in SESSION_TERMINAL_STATUSES


class EventKind(StrEnum):
    """What a ``session_events`` row records (also the SSE ``event:`` name)."""

    FILE = "file"  # a file entered ``status`` (its progress and payload alongside)
    SESSION_STATE = "session_state"  # the user started, paused, resumed or cancelled the session
    SESSION = "session"  # the session's files have all finished: ``status`` is the terminal one
    FILE_REMOVED = "file_removed"  # the user removed a file (waiting or failed) from the session


ACTIVE_STATUSES = frozenset(
    {FileStatus.DOWNLOADING, FileStatus.EXTRACTING, FileStatus.PARSING, FileStatus.SAVING}
)
TERMINAL_STATUSES = frozenset(
    {FileStatus.COMPLETED, FileStatus.FAILED, FileStatus.TIMEOUT, FileStatus.CANCELLED}
)
# Statuses a session summary counts as failures.
FAILURE_STATUSES = frozenset({FileStatus.FAILED, FileStatus.TIMEOUT})
# Finished without a result: the user may retry these, and the progress shows their error.
USER_RETRYABLE_STATUSES = frozenset({FileStatus.FAILED, FileStatus.TIMEOUT, FileStatus.CANCELLED})
# Files the user may take out of a session, or put a new copy into: none is running.
REMOVABLE_STATUSES = frozenset({FileStatus.PENDING, *USER_RETRYABLE_STATUSES})
# Files that hold a worker's lease (active) or wait for one (pending).
OPEN_STATUSES = frozenset({FileStatus.PENDING, *ACTIVE_STATUSES})

SESSION_TERMINAL_STATUSES = frozenset(
    {
        SessionStatus.COMPLETED,
        SessionStatus.PARTIAL,
        SessionStatus.FAILED,
        SessionStatus.TIMEOUT,
        SessionStatus.CANCELLED,
    }
)

# What the user may ask of a session: target state -> the states it may be asked from.
# Asking for the state a session is already in is not an error (nothing changes).
SESSION_CONTROL: dict[SessionState, frozenset[SessionState]] = {
    SessionState.RUNNING: frozenset({SessionState.OPEN, SessionState.PAUSED}),
    SessionState.PAUSED: frozenset({SessionState.OPEN, SessionState.RUNNING}),
    SessionState.CANCELLED: frozenset({SessionState.OPEN, SessionState.RUNNING, SessionState.PAUSED}),
}

STAGE_PROGRESS: dict[FileStatus, int] = {
    FileStatus.PENDING: 0,
    FileStatus.DOWNLOADING: 10,
    FileStatus.EXTRACTING: 30,
    FileStatus.PARSING: 60,
    FileStatus.SAVING: 90,
    FileStatus.COMPLETED: 100,
    # A finished failure keeps the progress it had reached; these are only defaults.
    FileStatus.FAILED: 0,
    FileStatus.TIMEOUT: 0,
    FileStatus.CANCELLED: 0,
}

# The stage that follows each running stage on the happy path.
NEXT_STAGE: dict[FileStatus, FileStatus] = {
    FileStatus.PENDING: FileStatus.DOWNLOADING,
    FileStatus.DOWNLOADING: FileStatus.EXTRACTING,
    FileStatus.EXTRACTING: FileStatus.PARSING,
    FileStatus.PARSING: FileStatus.SAVING,
    FileStatus.SAVING: FileStatus.COMPLETED,
}

_ENDINGS = {FileStatus.FAILED, FileStatus.TIMEOUT, FileStatus.CANCELLED}

TRANSITIONS: dict[FileStatus, frozenset[FileStatus]] = {
    FileStatus.PENDING: frozenset(
        {FileStatus.DOWNLOADING, FileStatus.FAILED, FileStatus.TIMEOUT, FileStatus.CANCELLED}
    ),
    **{
        stage: frozenset({NEXT_STAGE[stage], FileStatus.PENDING, *_ENDINGS})
        for stage in ACTIVE_STATUSES
    },
    # A report that fails validation is read again with the next strategy.
    FileStatus.PARSING: frozenset({FileStatus.SAVING, FileStatus.EXTRACTING, FileStatus.PENDING, *_ENDINGS}),
    FileStatus.COMPLETED: frozenset(),
    FileStatus.FAILED: frozenset({FileStatus.PENDING}),
    FileStatus.TIMEOUT: frozenset({FileStatus.PENDING}),
    FileStatus.CANCELLED: frozenset({FileStatus.PENDING}),
}


class IllegalTransition(ValueError):
    """A status change the transition table does not allow."""

    def __init__(self, current: FileStatus, target: FileStatus) -> None:
        super().__init__(f"illegal file status transition {current} -> {target}")
        self.current = current
        self.target = target


def check_transition(current: FileStatus | str, target: FileStatus | str) -> FileStatus:
    """Return ``target`` as a FileStatus if ``current -> target`` is legal, else raise."""
    current, target = FileStatus(current), FileStatus(target)
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(current, target)
    return target


class IllegalSessionControl(ValueError):
    """A start, pause, resume or cancel the session's state does not allow."""

    def __init__(self, current: SessionState, target: SessionState) -> None:
        super().__init__(f"A session that is {current.value} cannot become {target.value}.")
        self.current = current
        self.target = target


def check_session_control(current: SessionState, target: SessionState) -> bool:
    """True if ``current -> target`` changes the session, False if it is already there; raises
    IllegalSessionControl when the table does not allow it."""
    if current is target:
        return False
    if current not in SESSION_CONTROL.get(target, frozenset()):
        raise IllegalSessionControl(current, target)
    return True


def vocabulary() -> dict[str, object]:
    """The status vocabulary the browser needs, from the sets above (served as JSON)."""
    return {
        "fileStatuses": [s.value for s in FileStatus],
        "sessionStatuses": [s.value for s in SessionStatus],
        "active": sorted(s.value for s in ACTIVE_STATUSES),
        "finished": sorted(s.value for s in TERMINAL_STATUSES),
        "failure": sorted(s.value for s in FAILURE_STATUSES),
        "userRetryable": sorted(s.value for s in USER_RETRYABLE_STATUSES),
        "sessionTerminal": sorted(s.value for s in SESSION_TERMINAL_STATUSES),
        "stageProgress": {s.value: p for s, p in STAGE_PROGRESS.items()},
    }


def sources_of(target: FileStatus) -> frozenset[FileStatus]:
    """Every status from which ``target`` may be reached (for compare-and-set writes)."""
    return frozenset(s for s, targets in TRANSITIONS.items() if target in targets)


def summarize(statuses: list[FileStatus], state: SessionState, timed_out: bool = False) -> SessionStatus:
    """The session status that a list of file statuses adds up to.

    The database triggers implement the same rule in SQL; a test checks both agree.
    """
    total = len(statuses)
    pending = sum(s == FileStatus.PENDING for s in statuses)
    running = sum(s in ACTIVE_STATUSES for s in statuses)
    completed = sum(s == FileStatus.COMPLETED for s in statuses)
    failed = sum(s in FAILURE_STATUSES for s in statuses)
    cancelled = sum(s == FileStatus.CANCELLED for s in statuses)
    timeouts = sum(s == FileStatus.TIMEOUT for s in statuses)
    return session_status_from_counts(
        total, pending, running, completed, failed, cancelled, timeouts, state, timed_out
    )


def session_status_from_counts(
    total: int,
    pending: int,
    running: int,
    completed: int,
    failed: int,
    cancelled: int,
    timeouts: int,
    state: SessionState | str,
    timed_out: bool = False,
) -> SessionStatus:
    state = SessionState(state)
    if total == 0:
        return SessionStatus.CANCELLED if state == SessionState.CANCELLED else SessionStatus.PENDING
    if state == SessionState.OPEN:
        return SessionStatus.PENDING  # still being filled: not started, so not finished either
    if pending + running == 0:
        if cancelled > 0 or state == SessionState.CANCELLED:
            return SessionStatus.CANCELLED
        if timed_out:
            return SessionStatus.TIMEOUT
        if completed == total:
            return SessionStatus.COMPLETED
        if completed == 0:
            return SessionStatus.TIMEOUT if timeouts == failed else SessionStatus.FAILED
        return SessionStatus.PARTIAL
    if state == SessionState.CANCELLED:
        return SessionStatus.CANCELLED
    if state == SessionState.PAUSED:
        return SessionStatus.PAUSED
    if running > 0 or completed + failed > 0 or state == SessionState.RUNNING:
        return SessionStatus.PROCESSING
    return SessionStatus.PENDING


def overall_progress(total: int, completed: int) -> int:
    """floor(100 x completed / total), the seed's definition (3 files, 2 done -> 66)."""
    return (100 * completed) // total if total else 0

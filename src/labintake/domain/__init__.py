"""The pure core: statuses, transitions, error codes and the extracted-data schema.

Nothing here imports web, database or queue libraries.
"""

from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.domain.status import (
    ACTIVE_STATUSES,
    TERMINAL_STATUSES,
    FileStatus,
    IllegalTransition,
    SessionState,
    SessionStatus,
    check_transition,
)

__all__ = [
    "ACTIVE_STATUSES",
    "TERMINAL_STATUSES",
    "ErrorCode",
    "FileStatus",
    "IllegalTransition",
    "LabIntakeError",
    "SessionState",
    "SessionStatus",
    "check_transition",
]

"""The transition table and the session status rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labintake.domain.status import (
    ACTIVE_STATUSES,
    TRANSITIONS,
    FileStatus,
    IllegalTransition,
    SessionState,
    SessionStatus,
    check_transition,
    overall_progress,
    sources_of,
    summarize,
)


def test_every_status_has_a_row_in_the_table() -> None:
    assert set(TRANSITIONS) == set(FileStatus)


def test_happy_path_is_legal_and_progress_rises() -> None:
    path = [FileStatus.PENDING, FileStatus.DOWNLOADING, FileStatus.EXTRACTING,
            FileStatus.PARSING, FileStatus.SAVING, FileStatus.COMPLETED]
    for a, b in zip(path, path[1:], strict=False):
        assert check_transition(a, b) is b
    assert [s.progress for s in path] == [0, 10, 30, 60, 90, 100]


@pytest.mark.parametrize("target", list(FileStatus))
def test_completed_is_final(target: FileStatus) -> None:
    with pytest.raises(IllegalTransition):
        check_transition(FileStatus.COMPLETED, target)


def test_stages_cannot_be_skipped() -> None:
    with pytest.raises(IllegalTransition):
        check_transition(FileStatus.PENDING, FileStatus.PARSING)
    with pytest.raises(IllegalTransition):
        check_transition(FileStatus.DOWNLOADING, FileStatus.COMPLETED)


def test_every_running_stage_can_fail_time_out_be_cancelled_or_go_back_to_pending() -> None:
    for stage in ACTIVE_STATUSES:
        for end in (FileStatus.FAILED, FileStatus.TIMEOUT, FileStatus.CANCELLED, FileStatus.PENDING):
            check_transition(stage, end)


def test_sources_of_is_the_inverse_of_the_table() -> None:
    for target in FileStatus:
        for source in sources_of(target):
            check_transition(source, target)


def test_seed_counts_three_files_one_failed() -> None:
    statuses = [FileStatus.COMPLETED, FileStatus.COMPLETED, FileStatus.FAILED]
    assert summarize(statuses, SessionState.RUNNING) is SessionStatus.PARTIAL
    assert overall_progress(3, 2) == 66


@pytest.mark.parametrize(
    ("statuses", "state", "expected"),
    [
        ([], SessionState.OPEN, SessionStatus.PENDING),
        ([FileStatus.PENDING], SessionState.OPEN, SessionStatus.PENDING),
        ([FileStatus.FAILED], SessionState.OPEN, SessionStatus.PENDING),  # refused at upload, not started
        ([FileStatus.PENDING], SessionState.RUNNING, SessionStatus.PROCESSING),
        ([FileStatus.PENDING, FileStatus.COMPLETED], SessionState.PAUSED, SessionStatus.PAUSED),
        ([FileStatus.COMPLETED] * 2, SessionState.RUNNING, SessionStatus.COMPLETED),
        ([FileStatus.FAILED, FileStatus.TIMEOUT], SessionState.RUNNING, SessionStatus.FAILED),
        ([FileStatus.TIMEOUT], SessionState.RUNNING, SessionStatus.TIMEOUT),
        ([FileStatus.COMPLETED, FileStatus.CANCELLED], SessionState.CANCELLED, SessionStatus.CANCELLED),
        ([FileStatus.EXTRACTING], SessionState.CANCELLED, SessionStatus.CANCELLED),
    ],
)
def test_session_status_rule(statuses, state, expected) -> None:  # type: ignore[no-untyped-def]
    assert summarize(statuses, state) is expected


@given(st.lists(st.sampled_from(list(FileStatus)), max_size=20), st.sampled_from(list(SessionState)))
def test_finished_sessions_are_terminal(statuses: list[FileStatus], state: SessionState) -> None:
    status = summarize(statuses, state)
    unfinished = any(s is FileStatus.PENDING or s in ACTIVE_STATUSES for s in statuses)
    if statuses and not unfinished and state is not SessionState.OPEN:
        assert status.is_terminal
    if state is SessionState.OPEN:
        assert status is SessionStatus.PENDING  # not started: never finished
    if unfinished and state is not SessionState.CANCELLED:
        assert not status.is_terminal


# --- one home per rule (issue 11) ------------------------------------------------------------


def test_session_control_table_allows_and_refuses() -> None:
    from labintake.domain.status import IllegalSessionControl, SessionState, check_session_control

    assert check_session_control(SessionState.OPEN, SessionState.RUNNING) is True
    assert check_session_control(SessionState.PAUSED, SessionState.PAUSED) is False  # already there
    with pytest.raises(IllegalSessionControl):
        check_session_control(SessionState.CANCELLED, SessionState.RUNNING)
    with pytest.raises(IllegalSessionControl):
        check_session_control(SessionState.CANCELLED, SessionState.PAUSED)


def test_every_http_error_code_is_an_error_code() -> None:
    from labintake.domain.errors import ERRORS, ErrorCode
    from labintake.web.errors import _HTTP_CODES

    assert set(ERRORS) == set(ErrorCode)
    assert all(isinstance(code, ErrorCode) for code in _HTTP_CODES.values())


def test_trigger_ddl_takes_its_status_literals_from_the_enums() -> None:
    from labintake.db import triggers
    from labintake.domain.status import ACTIVE_STATUSES

    assert triggers.ACTIVE == "(" + ", ".join(f"'{s.value}'" for s in FileStatus if s in ACTIVE_STATUSES) + ")"


def test_served_vocabulary_matches_the_domain_sets() -> None:
    from labintake.domain.status import ACTIVE_STATUSES, USER_RETRYABLE_STATUSES, vocabulary

    v = vocabulary()
    assert set(v["active"]) == {s.value for s in ACTIVE_STATUSES}  # type: ignore[arg-type]
    assert set(v["userRetryable"]) == {s.value for s in USER_RETRYABLE_STATUSES}  # type: ignore[arg-type]

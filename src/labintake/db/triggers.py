"""Trigger DDL that keeps ``session_processing_summary`` equal to its file rows.

The triggers apply *deltas* (a file leaving one status and entering another moves one
count), never a re-aggregation: O(1) per write whatever the session size, and safe under
concurrent writers on PostgreSQL, where the UPDATE of the summary row takes a row lock
that serialises writers of one session (a re-count would read a stale snapshot).
The session status rule mirrors ``domain.status.session_status_from_counts``; a test
checks both agree.

Migrations import these strings at the revision they belong to; a later change to the
rule goes into a new revision that replaces the functions/triggers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from labintake.domain.status import (
    ACTIVE_STATUSES,
    FAILURE_STATUSES,
    FileStatus,
    SessionState,
    SessionStatus,
)


def _lit(value: FileStatus | SessionState | SessionStatus) -> str:
    return f"'{value.value}'"


def _set(statuses: Iterable[FileStatus]) -> str:
    """An SQL list of statuses, in the enum's order (so the generated DDL never changes)."""
    wanted = set(statuses)
    return "(" + ", ".join(_lit(s) for s in FileStatus if s in wanted) + ")"


ACTIVE = _set(ACTIVE_STATUSES)
FAILURES = _set(FAILURE_STATUSES)


def _counts(row: str, sign: str, as_int: Callable[[str], str]) -> str:
    """SET fragments that add (sign '+') or remove (sign '-') one file in status ``row.status``."""
    s = f"{row}.status"
    return ",\n    ".join(
        [
            f"total_files = total_files {sign} 1",
            f"pending_files = pending_files {sign} {as_int(f'{s} = ' + _lit(FileStatus.PENDING))}",
            f"processing_files = processing_files {sign} {as_int(f'{s} IN {ACTIVE}')}",
            f"completed_files = completed_files {sign} {as_int(f'{s} = ' + _lit(FileStatus.COMPLETED))}",
            f"failed_files = failed_files {sign} {as_int(f'{s} IN {FAILURES}')}",
            f"timeout_files = timeout_files {sign} {as_int(f'{s} = ' + _lit(FileStatus.TIMEOUT))}",
            f"cancelled_files = cancelled_files {sign} {as_int(f'{s} = ' + _lit(FileStatus.CANCELLED))}",
        ]
    )


def _status_case(state: str) -> str:
    """``domain.status.session_status_from_counts`` in SQL, every literal from the enums."""
    St, Ss = SessionState, SessionStatus
    return f"""CASE
      WHEN total_files = 0 THEN CASE WHEN {state} = {_lit(St.CANCELLED)} THEN {_lit(Ss.CANCELLED)} ELSE {_lit(Ss.PENDING)} END
      WHEN {state} = {_lit(St.OPEN)} THEN {_lit(Ss.PENDING)}
      WHEN pending_files + processing_files = 0 THEN CASE
          WHEN cancelled_files > 0 OR {state} = {_lit(St.CANCELLED)} THEN {_lit(Ss.CANCELLED)}
          WHEN timed_out THEN {_lit(Ss.TIMEOUT)}
          WHEN completed_files = total_files THEN {_lit(Ss.COMPLETED)}
          WHEN completed_files = 0 AND timeout_files = failed_files THEN {_lit(Ss.TIMEOUT)}
          WHEN completed_files = 0 THEN {_lit(Ss.FAILED)}
          ELSE {_lit(Ss.PARTIAL)} END
      WHEN {state} = {_lit(St.CANCELLED)} THEN {_lit(Ss.CANCELLED)}
      WHEN {state} = {_lit(St.PAUSED)} THEN {_lit(Ss.PAUSED)}
      WHEN processing_files > 0 OR completed_files + failed_files > 0 OR {state} = {_lit(St.RUNNING)}
          THEN {_lit(Ss.PROCESSING)}
      ELSE {_lit(Ss.PENDING)} END"""


def _refresh(where: str, now: str, ms_between: Callable[[str, str], str]) -> str:
    """The derived columns, recomputed from the (already updated) counts."""
    state = "(SELECT state FROM processing_sessions WHERE processing_sessions.id = session_processing_summary.session_id)"
    done = "total_files > 0 AND pending_files + processing_files = 0"
    completed_at = f"CASE WHEN {done} THEN COALESCE(processing_completed_at, {now}) ELSE NULL END"
    return f"""UPDATE session_processing_summary SET
    overall_progress = CASE WHEN total_files > 0 THEN (100 * completed_files) / total_files ELSE 0 END,
    session_status = {_status_case(state)},
    processing_completed_at = {completed_at},
    total_processing_time_ms = CASE WHEN {done} AND processing_started_at IS NOT NULL
        THEN {ms_between('processing_started_at', completed_at)} ELSE NULL END,
    updated_at = {now}
  WHERE {where}"""


# --- SQLite -------------------------------------------------------------------------------

_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f000', 'now')"  # six fractional digits, like SQLAlchemy


def _sqlite_int(expr: str) -> str:
    return f"({expr})"


def _sqlite_ms(start: str, end: str) -> str:
    return f"CAST(ROUND((julianday({end}) - julianday({start})) * 86400000) AS INTEGER)"


def _sqlite_ensure_row() -> str:
    return f"""INSERT OR IGNORE INTO session_processing_summary
    (id, session_id, user_id, total_files, pending_files, processing_files, completed_files,
     failed_files, timeout_files, cancelled_files, overall_progress, session_status, timed_out,
     can_resume, updated_at)
  VALUES (lower(hex(randomblob(16))), NEW.session_id, NEW.user_id, 0, 0, 0, 0, 0, 0, 0, 0,
     {_lit(SessionStatus.PENDING)}, 0, 1, {_SQLITE_NOW})"""


def sqlite_ddl() -> list[str]:
    started = "processing_started_at = COALESCE(processing_started_at, NEW.processing_started_at)"
    refresh_new = _refresh("session_id = NEW.session_id", _SQLITE_NOW, _sqlite_ms)
    return [
        f"""CREATE TRIGGER trg_summary_file_insert AFTER INSERT ON file_processing_status
BEGIN
  {_sqlite_ensure_row()};
  UPDATE session_processing_summary SET
    {_counts('NEW', '+', _sqlite_int)},
    {started}
  WHERE session_id = NEW.session_id;
  {refresh_new};
END""",
        f"""CREATE TRIGGER trg_summary_file_update AFTER UPDATE OF status ON file_processing_status
WHEN OLD.status IS NOT NEW.status
BEGIN
  UPDATE session_processing_summary SET
    {_counts('OLD', '-', _sqlite_int)}
  WHERE session_id = OLD.session_id;
  UPDATE session_processing_summary SET
    {_counts('NEW', '+', _sqlite_int)},
    {started}
  WHERE session_id = NEW.session_id;
  {refresh_new};
END""",
        f"""CREATE TRIGGER trg_summary_file_delete AFTER DELETE ON file_processing_status
BEGIN
  UPDATE session_processing_summary SET
    {_counts('OLD', '-', _sqlite_int)}
  WHERE session_id = OLD.session_id;
  {_refresh("session_id = OLD.session_id", _SQLITE_NOW, _sqlite_ms)};
END""",
        f"""CREATE TRIGGER trg_summary_session_state AFTER UPDATE OF state ON processing_sessions
WHEN OLD.state IS NOT NEW.state
BEGIN
  {_refresh("session_id = NEW.id", _SQLITE_NOW, _sqlite_ms)};
END""",
    ]


SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS trg_summary_file_insert",
    "DROP TRIGGER IF EXISTS trg_summary_file_update",
    "DROP TRIGGER IF EXISTS trg_summary_file_delete",
    "DROP TRIGGER IF EXISTS trg_summary_session_state",
]

# --- PostgreSQL ---------------------------------------------------------------------------

_PG_NOW = "(now() AT TIME ZONE 'UTC')"


def _pg_int(expr: str) -> str:
    return f"({expr})::int"


def _pg_ms(start: str, end: str) -> str:
    return f"(EXTRACT(EPOCH FROM ({end}) - {start}) * 1000)::bigint"


def postgresql_ddl() -> list[str]:
    started = "processing_started_at = COALESCE(processing_started_at, NEW.processing_started_at)"
    return [
        f"""CREATE OR REPLACE FUNCTION labintake_refresh_summary(p_session_id text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  {_refresh("session_id = p_session_id", _PG_NOW, _pg_ms)};
END $$""",
        f"""CREATE OR REPLACE FUNCTION labintake_summary_on_file() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO session_processing_summary
      (id, session_id, user_id, total_files, pending_files, processing_files, completed_files,
       failed_files, timeout_files, cancelled_files, overall_progress, session_status, timed_out,
       can_resume, updated_at)
    VALUES (gen_random_uuid()::text, NEW.session_id, NEW.user_id, 0, 0, 0, 0, 0, 0, 0, 0,
       {_lit(SessionStatus.PENDING)}, false, true, {_PG_NOW})
    ON CONFLICT (session_id) DO NOTHING;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE session_processing_summary SET
      {_counts('OLD', '-', _pg_int)}
    WHERE session_id = OLD.session_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE session_processing_summary SET
      {_counts('NEW', '+', _pg_int)},
      {started}
    WHERE session_id = NEW.session_id;
    PERFORM labintake_refresh_summary(NEW.session_id);
  ELSE
    PERFORM labintake_refresh_summary(OLD.session_id);
  END IF;
  RETURN NULL;
END $$""",
        """CREATE OR REPLACE FUNCTION labintake_summary_on_session() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  PERFORM labintake_refresh_summary(NEW.id);
  RETURN NULL;
END $$""",
        # A doorbell for push across processes: the session and event id, never the data.
        """CREATE OR REPLACE FUNCTION labintake_notify_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('labintake_events', NEW.session_id || ':' || NEW.id);
  RETURN NULL;
END $$""",
        """CREATE TRIGGER trg_summary_file_insert AFTER INSERT ON file_processing_status
FOR EACH ROW EXECUTE FUNCTION labintake_summary_on_file()""",
        """CREATE TRIGGER trg_summary_file_update AFTER UPDATE OF status ON file_processing_status
FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION labintake_summary_on_file()""",
        """CREATE TRIGGER trg_summary_file_delete AFTER DELETE ON file_processing_status
FOR EACH ROW EXECUTE FUNCTION labintake_summary_on_file()""",
        """CREATE TRIGGER trg_summary_session_state AFTER UPDATE OF state ON processing_sessions
FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION labintake_summary_on_session()""",
        """CREATE TRIGGER trg_session_events_notify AFTER INSERT ON session_events
FOR EACH ROW EXECUTE FUNCTION labintake_notify_event()""",
    ]


POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS trg_session_events_notify ON session_events",
    "DROP TRIGGER IF EXISTS trg_summary_session_state ON processing_sessions",
    "DROP TRIGGER IF EXISTS trg_summary_file_delete ON file_processing_status",
    "DROP TRIGGER IF EXISTS trg_summary_file_update ON file_processing_status",
    "DROP TRIGGER IF EXISTS trg_summary_file_insert ON file_processing_status",
    "DROP FUNCTION IF EXISTS labintake_notify_event()",
    "DROP FUNCTION IF EXISTS labintake_summary_on_session()",
    "DROP FUNCTION IF EXISTS labintake_summary_on_file()",
    "DROP FUNCTION IF EXISTS labintake_refresh_summary(text)",
]


def ddl(dialect: str) -> list[str]:
    return postgresql_ddl() if dialect == "postgresql" else sqlite_ddl()


def drop(dialect: str) -> list[str]:
    return POSTGRESQL_DROP if dialect == "postgresql" else SQLITE_DROP

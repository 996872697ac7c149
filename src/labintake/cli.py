"""The ``labintake`` command: the same services as the web, in a terminal."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from labintake import logs
from labintake.domain.errors import ErrorCode, LabIntakeError
from labintake.domain.status import (
    FAILURE_STATUSES,
    SESSION_TERMINAL_STATUSES,
    TERMINAL_STATUSES,
    FileStatus,
    SessionState,
)
from labintake.export import FORMATS, render
from labintake.settings import Settings

if TYPE_CHECKING:
    from labintake.service import LabIntake

app = typer.Typer(help="LabIntake: lab reports in, structured results out.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")

console = Console(stderr=True)

STATUS_STYLE = {
    "pending": "grey62", "downloading": "blue", "extracting": "yellow", "parsing": "magenta",
    "saving": "green", "completed": "bold green", "failed": "red", "timeout": "dark_orange",
    "cancelled": "grey50",
}

# Exit codes: 0 all completed, 1 some file failed or could not be read, 2 usage or no such user.
EXIT_FAILED = 1


def _register_account_commands() -> None:
    from labintake.cli_accounts import tokens_app, users_app

    app.add_typer(users_app, name="users")
    app.add_typer(tokens_app, name="tokens")


def _settings() -> Settings:
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:  # a setting that makes no sense: say which, and stop
        for err in exc.errors():
            name = "LABINTAKE_" + "_".join(str(p) for p in err["loc"]).upper()
            console.print(f"[red]{name}: {err['msg']}[/red]")
        raise typer.Exit(2) from None


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (serve and process also do this on start)."""
    from labintake.service.app import prepare_database

    prepare_database(_settings())
    console.print("[green]database is up to date[/green]")


@app.command()
def extract(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A PDF or image.")],
    format: Annotated[str, typer.Option("--format", "-f", help="json, csv or fhir")] = "json",
) -> None:
    """Extract one file and print the result (nothing is stored)."""
    from labintake.extract import sniff_type
    from labintake.pipeline.work import StageContext, read_report

    if format not in FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
    settings = _settings()
    data = file.read_bytes()
    try:
        # The worker's own path: the same strategies, retries and validation as `process`.
        report = read_report(data, sniff_type(data), StageContext.from_settings(settings)).report
    except LabIntakeError as exc:
        console.print(f"[red]{exc.code}[/red]: {exc.message}")
        raise typer.Exit(EXIT_FAILED) from None
    sys.stdout.write(render(report, format).rstrip("\n") + "\n")


@app.command()
def process(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, help="PDFs and images.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write one result file per input here.")] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="json, csv or fhir")] = "json",
) -> None:
    """Process files through the pipeline with live progress; exit 1 if any file failed."""
    from labintake.service import LabIntake, accounts, progress, sessions

    if format not in FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
    settings = _settings()
    logs.configure("WARNING")
    li = LabIntake(settings)
    user_id = accounts.local_user_id(li)
    session_id = sessions.create(li, user_id, f"cli {time.strftime('%Y-%m-%d %H:%M')}").id
    ids = [sessions.add_path(li, session_id, user_id, f) for f in files]
    li.start_processing()  # on PostgreSQL too: this command runs its own files
    sessions.start(li, session_id, user_id)
    try:
        final = _watch(li, session_id, user_id, ids)
    except KeyboardInterrupt:
        console.print("[yellow]interrupted: cancelling the session[/yellow]")
        sessions.set_state(li, session_id, user_id, SessionState.CANCELLED)
        stopped = progress.read(li, session_id, user_id)
        assert stopped is not None
        final = stopped
    try:
        if out is not None:
            _write_results(li, final, user_id, out, format)
    finally:
        li.stop()
    _print_summary(final)
    if final["summary"]["completed_files"] != final["summary"]["total_files"]:
        raise typer.Exit(EXIT_FAILED)


def _watch(li, session_id: str, user_id: str, ids: list[str]) -> dict:
    """Live per-file bars until the session is finished; woken by the doorbell, not a fixed poll."""
    from labintake.service import progress

    changed = threading.Event()
    unsubscribe = li.doorbell.subscribe(session_id, lambda *_: changed.set())
    columns = (
        TextColumn("{task.fields[name]:<32.32}"),
        BarColumn(bar_width=30),
        TaskProgressColumn(),
        TextColumn("[{task.fields[style]}]{task.fields[status]:<11}[/]"),
        TimeElapsedColumn(),
        TextColumn("[red]{task.fields[error]}[/red]"),
    )
    try:
        with Progress(*columns, console=console, transient=False) as bars:
            tasks = {}
            while True:
                snap = progress.read(li, session_id, user_id)
                assert snap is not None  # this command's own session
                for f in snap["files"]:
                    fields = {
                        "name": f["fileName"], "status": f["status"],
                        "style": STATUS_STYLE.get(f["status"], "white"),
                        "error": (f["errorCode"] or "") if f["status"] in FAILURE_STATUSES else "",
                    }
                    if f["fileId"] not in tasks:
                        tasks[f["fileId"]] = bars.add_task("", total=100, **fields)
                    task = tasks[f["fileId"]]
                    done = f["status"] in TERMINAL_STATUSES
                    bars.update(task, completed=f["progress"], **fields)
                    if done and not bars.tasks[bars.task_ids.index(task)].finished:
                        bars.stop_task(task)
                if snap["summary"]["session_status"] in SESSION_TERMINAL_STATUSES:
                    return snap
                changed.wait(1.0)
                changed.clear()
    finally:
        unsubscribe()


def _write_results(li, final: dict, user_id: str, out: Path, fmt: str) -> None:
    from labintake.service import files

    out.mkdir(parents=True, exist_ok=True)
    suffix = {"json": ".json", "csv": ".csv", "fhir": ".fhir.json"}[fmt]
    for f in final["files"]:
        if f["status"] != FileStatus.COMPLETED:
            continue
        report = files.extracted(li, f["fileId"], user_id).report
        (out / (Path(f["fileName"]).stem + suffix)).write_text(render(report, fmt).rstrip("\n") + "\n")


def _print_summary(final: dict) -> None:
    table = Table(title=f"Session {final['sessionId'][:8]} — {final['summary']['session_status']}")
    for col in ("file", "status", "time", "attempt", "error"):
        table.add_column(col)
    for f in final["files"]:
        ms = f["processingTime"]
        status = f"[{STATUS_STYLE.get(f['status'], 'white')}]{f['status']}[/]"
        if f.get("toCheck"):
            status += f", [yellow]{f['toCheck']} to check[/]"  # kept, but a person should look
        table.add_row(
            f["fileName"], status,
            f"{ms / 1000:.1f}s" if ms is not None else "", str(f["attemptNumber"]),
            f"{f['errorCode']}: {f['error']}" if f["error"] else "",
        )
    console.print(table)
    s = final["summary"]
    to_check = sum(f.get("toCheck") or 0 for f in final["files"])
    console.print(
        f"{s['completed_files']} completed{f' ({to_check} results to check)' if to_check else ''}, "
        f"{s['failed_files']} failed, "
        f"{s['total_files'] - s['completed_files'] - s['failed_files']} other, of {s['total_files']}"
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    no_executor: Annotated[bool, typer.Option("--no-executor", help="API only; workers run elsewhere.")] = False,
) -> None:
    """Run LabIntake: applies migrations, starts the executor and serves the web app and API."""
    import signal as signals

    import uvicorn

    from labintake.service import LabIntake
    from labintake.web import WebConfig, create_app, freeze_startup_objects

    settings = _settings()
    logs.configure(settings.log_level)
    li = LabIntake(settings)
    try:
        _first_account(li, f"http://{host}:{port}/login")
        li.start_listener()  # push wakes for events written by other processes (PostgreSQL)
        if not no_executor:
            li.start_executor()
        config = WebConfig(
            executor_expected=not no_executor,
            # Browsers keep Secure cookies off plain http except on loopback; behind a TLS proxy
            # (LABINTAKE_PUBLIC_URL=https://…) the app binds loopback and the cookies stay Secure.
            cookie_secure=settings.https or not _is_loopback(host),
            cors_origins=settings.cors_origins,
        )
        console.print(
            f"LabIntake on http://{host}:{port} ({'no executor' if no_executor else f'{settings.workers} workers'});"
            f" data in {settings.data_dir}"
        )
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(li, config), host=host, port=port, log_config=None, lifespan="off",
                ws="websockets-sansio", timeout_graceful_shutdown=5,
                # Bounded work: past LABINTAKE_MAX_CONNECTIONS a request is answered 503 at once.
                limit_concurrency=settings.max_connections, timeout_keep_alive=settings.keep_alive_seconds,
                # X-Forwarded-For/-Proto only from the proxies named in LABINTAKE_TRUSTED_PROXIES.
                proxy_headers=bool(settings.trusted_proxies),
                forwarded_allow_ips=",".join(settings.trusted_proxies) or None,
            )
        )
        intake_stop = _start_intake(li, settings)
        freeze_startup_objects()
        # uvicorn catches SIGTERM, shuts the server down, then raises the signal again under the
        # handler that was there before: with the default one the process would die right there,
        # before li.stop() below hands running files back (a SIGTERM as abrupt as kill -9).
        signals.signal(signals.SIGTERM, lambda *_: None)
        server.run()  # returns on SIGINT/SIGTERM
        intake_stop.set()
    finally:
        li.stop()


def _intake_user(li: LabIntake, email: str | None) -> str:
    """The account intake files belong to: ``email``'s, or the local account's."""
    from labintake.service import accounts

    if email is None:
        return accounts.local_user_id(li)
    user_id = accounts.user_id_for(li, email)
    if user_id is None:
        console.print(f"[red]no account {email}: create it with `labintake users create {email}`[/red]")
        raise typer.Exit(2)
    return user_id


def _start_intake(li: LabIntake, settings: Settings) -> threading.Event:
    """With ``LABINTAKE_INTAKE_DIR``, watch that folder beside the server; returns its stop event."""
    from labintake.intake import IntakeFolder

    stop = threading.Event()
    if settings.intake_dir is not None:
        intake = IntakeFolder(li, settings.intake_dir, _intake_user(li, settings.intake_user))
        threading.Thread(target=intake.run, args=(stop,), name="intake", daemon=True).start()
        console.print(f"watching the intake folder {intake.folder}")
    return stop


def _is_loopback(host: str) -> bool:
    return host in ("localhost", "127.0.0.1", "::1") or host.startswith("127.")


def _first_account(li, login_url: str) -> None:
    """On a first start nobody can log in: give the local account a random password and say so."""
    from labintake.service import accounts

    password = accounts.first_account(li)
    if password is None:
        return
    email = accounts.LOCAL_USER_EMAIL
    console.print(
        f"[bold]First start:[/bold] log in at {login_url} as [bold]{email}[/bold] "
        f"with password [bold]{password}[/bold]\n(shown once; set another with "
        f"`labintake users password {email}`, or add users with `labintake users create`)"
    )


@app.command()
def watch(
    folder: Annotated[Path | None, typer.Argument(file_okay=False, help="The intake folder (default LABINTAKE_INTAKE_DIR).")] = None,
    user: Annotated[str | None, typer.Option("--user", "-u", help="Account the files belong to (default the local account).")] = None,
) -> None:
    """Process files dropped into FOLDER; each ends in FOLDER/done or FOLDER/failed (with a .error.txt)."""
    import signal as signals

    from labintake.intake import IntakeFolder
    from labintake.service import LabIntake

    settings = _settings()
    folder = folder or settings.intake_dir
    if folder is None:
        raise typer.BadParameter("name a folder, or set LABINTAKE_INTAKE_DIR", param_hint="FOLDER")
    logs.configure(settings.log_level)
    li = LabIntake(settings)
    stop = threading.Event()
    signals.signal(signals.SIGTERM, lambda *_: stop.set())
    try:
        intake = IntakeFolder(li, folder, _intake_user(li, user or settings.intake_user))
        li.start_processing()  # this command runs the files it picks up (a worker, on PostgreSQL)
        console.print(f"watching {intake.folder}: results go to done/ and failed/; Ctrl+C stops")
        intake.run(stop)
    except KeyboardInterrupt:
        pass
    finally:
        li.stop()


@app.command()
def worker(
    concurrency: Annotated[int | None, typer.Option(help="Files at once in this worker (default: CPU count).")] = None,
) -> None:
    """Run files from the PostgreSQL job queue (procrastinate). Start as many as you like, anywhere."""
    import signal as signals

    from labintake.service import LabIntake

    settings = _settings()
    logs.configure(settings.log_level)
    if not settings.is_postgres:
        console.print("[red]`labintake worker` needs LABINTAKE_DATABASE_URL=postgresql+psycopg://…[/red]")
        raise typer.Exit(2)
    stop = threading.Event()
    signals.signal(signals.SIGTERM, lambda *_: stop.set())
    li = _when_database_is_up(lambda: LabIntake(settings), stop)
    if li is None:
        return
    try:
        # Its first look at the database (recovery) may meet an outage that began after the check above.
        if _when_database_is_up(lambda: li.start_worker(concurrency), stop) is None:
            return
        console.print(f"LabIntake worker running {concurrency or settings.workers} files at once")
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        li.stop()


def _when_database_is_up(start: Callable[[], LabIntake], stop: threading.Event) -> LabIntake | None:
    """``start()`` once the database answers: a worker started while PostgreSQL is down (or
    that lost it during its migrations, or during its first recovery) waits for it instead of
    exiting; None if stopped first."""
    delay = 0.5
    while True:
        try:
            return start()
        except LabIntakeError as exc:
            if exc.code is not ErrorCode.DATABASE_UNAVAILABLE:
                raise
            console.print(f"[yellow]database unavailable; trying again in {delay:.1f} s[/yellow]")
        if stop.wait(delay):
            return None
        delay = min(delay * 2, 10.0)


_register_account_commands()


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()

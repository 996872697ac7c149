"""Worker processes that can be killed one at a time.

``concurrent.futures.ProcessPoolExecutor`` cannot stop one runaway task without
breaking the whole pool, so each worker here is its own process with its own pipe:
a file that outlives its limit gets its worker killed and replaced, and the others
never notice. Workers are started with ``spawn`` (the parent runs threads) and keep
their OCR engine loaded between files.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import threading
import time
from multiprocessing.connection import Connection

from labintake.pipeline.work import Done, Job, Message, Ready, run_job

log = logging.getLogger(__name__)

_CTX = mp.get_context("spawn")


# How often a worker checks that the process that started it is still there (seconds).
PARENT_CHECK_SECONDS = 1.0


def _die_with_parent(parent_pid: int) -> None:
    """Exit when the parent process is gone, however it went (``kill -9`` of the server): a
    worker busy with a runaway file reads no pipe, so it would never notice and run on.
    A daemon thread watches the parent's pid (not ``PR_SET_PDEATHSIG``, which fires when the
    parent *thread* that started the worker ends)."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _worker_main(conn: Connection, parent_pid: int) -> None:
    _die_with_parent(parent_pid)
    # The parent decides when to stop us; Ctrl-C in a terminal must not kill a file mid-way.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Extraction is batch work: the processes that answer people (API, push) come first.
    os.nice(5)
    import labintake.extract  # noqa: F401 - warm up imports before the first file's clock starts
    import labintake.parse  # noqa: F401

    try:
        conn.send(Ready(os.getpid()))
    except OSError:
        return  # stopped before it was ever used (a shutdown right after a replacement)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # parent gone
        if job is None:
            return
        try:
            run_job(job, conn.send)
            conn.send(Done())
        except (BrokenPipeError, OSError):
            return


class WorkerDied(RuntimeError):
    """The worker process exited while it held a file."""


class WorkerProcess:
    def __init__(self) -> None:
        # Re-entrant: replace() kills under the lock. Every close of the pipe happens under it,
        # so two threads can never both close it (the second close used to fail with EBADF).
        self._lock = threading.RLock()
        self.current: str | None = None  # the file it is working on
        self._retired = False  # stopped for good: a replace() only cleans up
        self._start()

    def _start(self) -> None:
        parent, child = _CTX.Pipe(duplex=True)
        self.conn = parent
        self.process = _CTX.Process(target=_worker_main, args=(child, os.getpid()), daemon=True,
                                    name="labintake-worker")
        self.process.start()
        child.close()
        self.ready = False
        self.started_at = time.monotonic()

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def wait_ready(self, timeout: float) -> None:
        if self.ready:
            return
        msg = self.recv(timeout)
        if not isinstance(msg, Ready):
            raise WorkerDied(f"unexpected first message {type(msg).__name__}")
        self.ready = True

    def submit(self, job: Job) -> None:
        with self._lock:
            self.current = job.fps_id
            try:
                self.conn.send(job)
            except (BrokenPipeError, OSError) as exc:
                raise WorkerDied(f"exit code {self.process.exitcode}") from exc

    def recv_within(self, seconds: float) -> Message | None:
        """The next message if it comes within ``seconds``, else None (WorkerDied as recv)."""
        try:
            return self.recv(seconds)
        except TimeoutError:
            return None

    def finish(self) -> None:
        """Read the closing "done" of the file just answered, so the pipe is clean for the
        next file, and mark the worker free (a worker that does not say it is done is replaced).

        Free before the result is written: once the file's status is final, the heartbeat sees
        it is no longer running and would otherwise "stop" it by killing a worker that is
        already done with it.
        """
        try:
            msg = self.recv(5.0)
        except (TimeoutError, WorkerDied):
            self.replace()
            return
        if not isinstance(msg, Done):
            self.replace()
            return
        self.release()

    def release(self) -> None:
        with self._lock:
            self.current = None

    def interrupt(self, fps_id: str) -> None:
        """Kill the process if (and only if) it is still working on ``fps_id``.

        The runner waiting on it sees the worker die and replaces it.
        """
        with self._lock:
            if self.current == fps_id and self.process.is_alive():
                self.process.kill()

    def recv(self, timeout: float) -> Message:
        """The next message, or TimeoutError after ``timeout`` seconds, or WorkerDied."""
        try:
            ready = timeout > 0 and self.conn.poll(timeout)
        except OSError as exc:  # the pipe was closed: the worker was stopped
            raise WorkerDied(f"exit code {self.process.exitcode}") from exc
        if not ready:
            if not self.process.is_alive():
                raise WorkerDied(f"exit code {self.process.exitcode}")
            raise TimeoutError
        try:
            return self.conn.recv()
        except (EOFError, OSError) as exc:
            raise WorkerDied(f"exit code {self.process.exitcode}") from exc

    def kill(self) -> None:
        """Kill the process and close the pipe; safe to call twice and from any thread."""
        with self._lock:
            if self.process.is_alive():
                self.process.kill()
            self.process.join(timeout=5)
            if not self.conn.closed:
                self.conn.close()

    def replace(self) -> None:
        """Kill this worker and start a fresh one in its place (unless it has been stopped)."""
        log.info("replacing worker", extra={"pid": self.pid, "exitcode": self.process.exitcode})
        with self._lock:
            self.kill()
            self.current = None
            if not self._retired:
                self._start()

    def retire(self) -> None:
        """From now on a replace() cleans up without starting a new process."""
        with self._lock:
            self._retired = True

    def stop(self) -> None:
        """Stop for good. A busy worker's process is killed, but its pipe is left to the
        thread reading it: that thread sees the worker die and cleans up through replace()."""
        with self._lock:
            self._retired = True
            if self.current is not None:
                if self.process.is_alive():
                    self.process.kill()
                return
            if not self.conn.closed:
                try:
                    self.conn.send(None)
                except (BrokenPipeError, OSError):
                    pass
        self.process.join(timeout=2)
        self.kill()

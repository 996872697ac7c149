"""Faults a test can plant in a worker process or its runner; inert outside a pytest run.

``LABINTAKE_TEST_FAULT=crash:MARKER`` kills the worker process (SIGKILL, as a segfault or the
OOM killer would) on any file whose bytes contain ``MARKER``; ``hang:MARKER`` makes it hang
(a runaway file, without depending on how fast OCR is on this machine); ``stall-saving:MARKER``
holds the runner (in the server or worker process, not the worker process) in the ``saving``
stage, before the results are written, until the file is no longer its own (a SIGTERM's
shutdown handed it back) or ``STALL_LIMIT`` seconds pass: a test signals the process while a
file is certainly saving, without timing luck. Honoured only while
pytest runs a test (``PYTEST_CURRENT_TEST`` is set for the test process and inherited by the
processes it starts), so a deployment can never trip it.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable

ENV = "LABINTAKE_TEST_FAULT"


def _spec() -> tuple[str, str] | None:
    """The planted fault's kind and marker (under pytest only), or None."""
    spec = os.environ.get(ENV, "")
    if not spec or "PYTEST_CURRENT_TEST" not in os.environ:
        return None
    kind, _, marker = spec.partition(":")
    return (kind, marker) if marker else None


def planted(data: bytes) -> str | None:
    """The fault planted for these bytes ("crash", "hang"), or None."""
    spec = _spec()
    if spec is not None and spec[0] in ("crash", "hang") and spec[1].encode() in data:
        return spec[0]
    return None


def trip(data: bytes) -> None:
    """Act out the fault planted for these bytes, if any (in the worker process)."""
    kind = planted(data)
    if kind == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    elif kind == "hang":
        threading.Event().wait()  # until the runner's file timeout kills this process


STALL_LIMIT = 120.0


def stalls_saving(path: str) -> bool:
    """A ``stall-saving`` fault is planted for this file (which the runner then saves in a
    transaction of its own, so there is a committed ``saving`` to hold). Reads the file only
    when this fault is planted."""
    spec = _spec()
    if spec is None or spec[0] != "stall-saving":
        return False
    with open(path, "rb") as fh:
        return spec[1].encode() in fh.read()


def stall_saving(path: str, still_ours: Callable[[], bool]) -> None:
    """In the runner, once the file is ``saving``: hold while ``still_ours()`` (see the module
    docstring)."""
    if not stalls_saving(path):
        return
    deadline = time.monotonic() + STALL_LIMIT
    while time.monotonic() < deadline and still_ours():
        time.sleep(0.1)

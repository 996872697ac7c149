"""Faults a test can plant in a worker process; inert outside a pytest run.

``LABINTAKE_TEST_FAULT=crash:MARKER`` kills the worker process (SIGKILL, as a segfault or the
OOM killer would) on any file whose bytes contain ``MARKER``; ``hang:MARKER`` makes it hang
(a runaway file, without depending on how fast OCR is on this machine). Honoured only while
pytest runs a test (``PYTEST_CURRENT_TEST`` is set for the test process and inherited by the
processes it starts), so a deployment can never trip it.
"""

from __future__ import annotations

import os
import signal
import threading

ENV = "LABINTAKE_TEST_FAULT"


def planted(data: bytes) -> str | None:
    """The fault planted for these bytes ("crash", "hang"), or None."""
    spec = os.environ.get(ENV, "")
    if not spec or "PYTEST_CURRENT_TEST" not in os.environ:
        return None
    kind, _, marker = spec.partition(":")
    if kind in ("crash", "hang") and marker and marker.encode() in data:
        return kind
    return None


def trip(data: bytes) -> None:
    """Act out the fault planted for these bytes, if any (in the worker process)."""
    kind = planted(data)
    if kind == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    elif kind == "hang":
        threading.Event().wait()  # until the runner's file timeout kills this process

"""Structured logs: JSON lines when not on a terminal, plain text on one.

Log records carry ids (session, file), statuses and codes as ``extra`` fields; never
extracted text or patient data at info level.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(f"{k}={v}" for k, v in record.__dict__.items() if k not in _STANDARD)
        base = f"{self.formatTime(record, '%H:%M:%S')} {record.levelname:<7} {record.name}: {record.getMessage()}"
        text = f"{base} {extras}".rstrip()
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


_QUERY = re.compile(r"(/[^\s?\"]*)\?[^\s\"]*")


class DropQueryStrings(logging.Filter):
    """No query string reaches a log line: a URL's query can carry a secret (a WebSocket
    ``?token=`` once did, logged in full by uvicorn at info) or a patient's name in a filter."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()  # arguments of any type (an httpx URL, uvicorn's path)
        if "?" in message:
            record.msg, record.args = _QUERY.sub(r"\1", message), None
        return True


def configure(level: str = "INFO", *, stream=None) -> None:
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    handler.setFormatter(TextFormatter() if stream.isatty() else JsonFormatter())
    handler.addFilter(DropQueryStrings())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())

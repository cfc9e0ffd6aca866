"""The server's log as JSON lines: one a request (the request log), and every other record (errors with
the id of the request they are about).

A request's line names what was asked (method, path: never the query, which holds codes, unless the
operator asks for it; never the body), which operation answered, with which code system and version,
the status, how long it took and the request's id. Clinical codes are data about patients: by default
nothing of them reaches the log.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import select
import sys
import time
from collections.abc import Iterable
from typing import Any

import orjson

from .request_records import AnsweredRequest

__all__ = ["ACCESS_LOGGER", "JsonFormatter", "RequestLog", "configure_logging", "request_id", "request_log_enabled"]

#: What a client's ``X-Request-Id`` may be to be kept: anything else (too long, spaces, quotes, control
#: characters that could forge a log line or a header) is replaced by a new id.
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
ACCESS_LOGGER = "terminology.access"


def request_id(given: str | None) -> str:
    """The client's id if it is sane (1 to 128 characters of ``A-Za-z0-9._:-``), else a new one: 32 hex
    digits, a random prefix for this process and a count (an id names a request, it guards nothing:
    counting costs half what reading the system's random source did)."""
    if given is not None and _SANE_ID.fullmatch(given):
        return given
    return f"{_process_prefix}{next(_count):016x}"


def _new_process_prefix() -> None:
    global _process_prefix, _count
    _process_prefix, _count = os.urandom(8).hex(), itertools.count()


_process_prefix, _count = "", itertools.count()
_new_process_prefix()
# (a forked worker starts its own prefix: otherwise every worker would count from the parent's)
os.register_at_fork(after_in_child=_new_process_prefix)


class RequestLog:
    """Writes one JSON line a request to the file descriptor ``fd`` (standard error), several lines a
    ``write`` but never more than ``PIPE_BUF`` bytes: so that the lines of several worker processes
    writing to one pipe never interleave."""

    def __init__(self, fd: int = 2, log_query: bool = False) -> None:
        self.fd = fd
        self.log_query = log_query

    def line(self, request: AnsweredRequest) -> bytes:
        """The JSON line of ``request``, with its newline."""
        line: dict[str, Any] = {
            "time": _now(request.time),
            "level": "INFO",
            "logger": ACCESS_LOGGER,
            "method": request.method,
            "path": request.path,
            "operation": request.operation,
            "status": request.status,
            "duration_ms": int(request.seconds * 1_000_000) / 1000,  # (to the µs: round() costs a fifth of the line)
            "request_id": request.request_id,
        }
        if self.log_query and request.query:
            line["query"] = request.query
        if request.answered_by is not None:
            line["system"], line["version"] = request.answered_by
        return orjson.dumps(line, option=orjson.OPT_APPEND_NEWLINE)

    def write_all(self, requests: Iterable[AnsweredRequest]) -> None:
        chunk = bytearray()
        for request in requests:
            line = self.line(request)
            if chunk and len(chunk) + len(line) > select.PIPE_BUF:
                self._write(chunk)
                chunk = bytearray()
            chunk += line
        if chunk:
            self._write(chunk)

    def _write(self, data: bytearray) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]


class JsonFormatter(logging.Formatter):
    """A log record as one JSON line: time, level, logger, message, the request id it is about (given as
    ``extra={"request_id": ...}``) and any traceback (the log's, never an answer's)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {"time": _now(record.created), "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        request = getattr(record, "request_id", None)
        if request:
            line["request_id"] = request
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line).decode()


def configure_logging(level: str) -> None:
    """The process's log at ``level``, in JSON lines on standard error."""
    root = logging.getLogger()
    root.setLevel(level)
    if not root.handlers:
        root.addHandler(logging.StreamHandler(sys.stderr))
    for handler in root.handlers:
        handler.setFormatter(JsonFormatter())


def request_log_enabled() -> bool:
    """Whether the log takes the request log's lines (of level INFO)."""
    return logging.getLogger(ACCESS_LOGGER).isEnabledFor(logging.INFO)


_second: tuple[int, str] = (0, "")
# ``.000Z`` to ``.999Z``: formatting the milliseconds took two thirds of the time's cost
_MILLISECONDS = tuple(f".{millisecond:03d}Z" for millisecond in range(1000))


def _now(now: float | None = None) -> str:
    """``2026-12-01T00:03:57.123Z``; the text of the second is made once a second, not once a line."""
    global _second
    now = time.time() if now is None else now
    second = int(now)
    cached = _second  # (one read: another thread may replace it meanwhile)
    if cached[0] != second:
        cached = _second = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
    return cached[1] + _MILLISECONDS[int((now - second) * 1000)]

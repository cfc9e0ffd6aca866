"""The requests a worker answered, counted (the metrics) and logged (the request log) off their path.

A request only appends its record; a thread of the worker writes what has gathered every
:data:`WRITE_INTERVAL` seconds: each metric it touched once, under one lock, and the log's lines a few
kilobytes a write. Written as each request ended, the log and the metrics took about 7 µs of a
``$validate-code``'s 44 in one process (their own 4 µs, and the request's code run colder beside them).

The records are written before the front layer answers ``/metrics`` (a worker's own counts are never
behind its answer; another worker's are at most an interval behind) and when the worker exits (granian's
workers run ``multiprocessing``'s finalizers; a process that is killed loses at most an interval).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from collections import deque
from multiprocessing import util
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .metrics import ServerMetrics
    from .request_log import RequestLog

__all__ = ["WRITE_INTERVAL", "AnsweredRequest", "RequestRecords"]

log = logging.getLogger(__name__)

#: Seconds between a worker's writes of its records.
WRITE_INTERVAL = 0.05


class AnsweredRequest(NamedTuple):
    """What the log and the metrics keep of one request."""

    time: float  # when it was answered (the Unix time)
    method: str
    path: str
    query: str | None  # only where the operator has the log keep it
    status: int
    operation: str
    seconds: float
    request_id: str
    answered_by: tuple[str, str] | None  # the code system and version that answered
    too_costly: bool


class RequestRecords:
    """Gathers :class:`AnsweredRequest` records and writes them to ``metrics`` and ``request_log`` (either
    may be None) from a thread of each process that adds any."""

    def __init__(self, metrics: ServerMetrics | None, request_log: RequestLog | None, interval: float = WRITE_INTERVAL) -> None:
        self.metrics = metrics
        self.request_log = request_log
        self.interval = interval
        self._pending: deque[AnsweredRequest] = deque()
        self._writing = threading.Lock()
        self._writer_started = False
        _ALL.add(self)

    def add(self, request: AnsweredRequest) -> None:
        self._pending.append(request)  # (a deque's append is atomic: no lock on the request's path)
        if not self._writer_started:
            self._start_writer()

    def flush(self) -> None:
        """Writes every record gathered so far."""
        with self._writing:
            pending = self._pending
            taken = [pending.popleft() for _ in range(len(pending))]
            if not taken:
                return
            if self.metrics is not None:
                self.metrics.observe_all((request.operation, request.status, request.seconds, request.too_costly) for request in taken)
            if self.request_log is not None:
                self.request_log.write_all(taken)

    def _start_writer(self) -> None:
        with self._writing:
            if self._writer_started:
                return
            self._writer_started = True
        itself = weakref.ref(self)  # (the thread and the exit hooks let the records go with their app)
        threading.Thread(target=_write_every, args=(itself, self.interval), name="request-records", daemon=True).start()
        atexit.register(_flush, itself)
        util.Finalize(None, _flush, args=(itself,), exitpriority=10)

    def _forked(self) -> None:
        """In a new process: no writer yet, and what the parent had gathered is the parent's."""
        self._writing = threading.Lock()
        self._pending.clear()
        self._writer_started = False


def _write_every(records: weakref.ref[RequestRecords], interval: float) -> None:
    while True:
        time.sleep(interval)
        try:
            if not _flush(records):
                return
        except Exception:  # (a log that cannot be written loses those lines; the next are tried again)
            log.exception("the records of answered requests could not be written")


def _flush(records: weakref.ref[RequestRecords]) -> bool:
    """Writes the records' gathered requests; False once they are gone."""
    alive = records()
    if alive is None:
        return False
    alive.flush()
    return True


_ALL: weakref.WeakSet[RequestRecords] = weakref.WeakSet()
os.register_at_fork(after_in_child=lambda: [records._forked() for records in list(_ALL)])

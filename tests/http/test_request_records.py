"""terminology.http.request_records: the requests a worker answered, written to the log and the metrics by a
thread of its own; all of them, each once, in whole lines."""

from __future__ import annotations

import os
import re
import select
import time

import orjson

from terminology.http.metrics import ServerMetrics
from terminology.http.request_log import RequestLog
from terminology.http.request_records import AnsweredRequest, RequestRecords

LABELS = 'operation="lookup",status="200"'


def _request(number: int, path: str = "/fhir/CodeSystem/$lookup") -> AnsweredRequest:
    return AnsweredRequest(time.time(), "GET", path, None, 200, "lookup", 0.0001 * number, f"rid-{number}", None, number % 10 == 0)


def _read_lines(fd: int, count: int, seconds: float = 10.0) -> list[bytes]:
    """``count`` lines from the pipe ``fd``, or as many as came within ``seconds``."""
    text, deadline = b"", time.monotonic() + seconds
    while text.count(b"\n") < count and select.select([fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
        text += os.read(fd, 65536)
    return text.splitlines()


def _count(metrics: ServerMetrics, name: str, labels: str) -> float:
    found = re.search(rf"^{name}\{{{re.escape(labels)}\}} (\S+)$", metrics.exposition({}).body.decode(), re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_the_writer_thread_writes_every_record_once_within_an_interval() -> None:
    read, write = os.pipe()
    try:
        metrics = ServerMetrics(())
        records = RequestRecords(metrics, RequestLog(write))
        for number in range(1, 251):
            records.add(_request(number))
        lines = _read_lines(read, 250)  # (the thread writes the log after the metrics)
        assert [orjson.loads(line)["request_id"] for line in lines] == [f"rid-{number}" for number in range(1, 251)]
        assert _count(metrics, "terminology_request_duration_seconds_count", LABELS) == 250
        assert _count(metrics, "terminology_request_duration_seconds_sum", LABELS) == sum(0.0001 * number for number in range(1, 251))
        assert _count(metrics, "terminology_too_costly_total", 'operation="lookup"') == 25
    finally:
        os.close(read)
        os.close(write)


def test_a_flush_writes_what_has_gathered_at_once_in_whole_lines_of_at_most_pipe_buf_a_write(monkeypatch) -> None:
    read, write = os.pipe()
    writes: list[int] = []
    real_write = os.write

    def counted(fd: int, data) -> int:
        writes.append(len(data))
        return real_write(fd, data)

    try:
        records = RequestRecords(None, RequestLog(write))
        for number in range(40):
            records.add(_request(number, "/fhir/CodeSystem/$lookup/" + "x" * 300))
        monkeypatch.setattr(os, "write", counted)
        records.flush()
        monkeypatch.undo()
        lines = _read_lines(read, 40)
        assert len(writes) > 1 and max(writes) <= select.PIPE_BUF and sum(writes) == sum(len(line) + 1 for line in lines)
        assert [orjson.loads(line)["request_id"] for line in lines] == [f"rid-{number}" for number in range(40)]
    finally:
        os.close(read)
        os.close(write)


def test_a_forked_process_writes_none_of_its_parents_records(tmp_path) -> None:
    read, write = os.pipe()
    try:
        records = RequestRecords(None, RequestLog(write), interval=3600)  # (the thread waits: only flush() writes)
        records.add(_request(1))
        child = os.fork()
        if child == 0:
            records.add(_request(2))
            records.flush()
            os._exit(0)
        assert os.waitpid(child, 0)[1] == 0
        records.flush()
        assert sorted(orjson.loads(line)["request_id"] for line in _read_lines(read, 2)) == ["rid-1", "rid-2"]
    finally:
        os.close(read)
        os.close(write)

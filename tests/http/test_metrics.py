"""terminology.http.metrics: the histogram's buckets as Prometheus reads them, and the counts of several
processes writing into one folder added up (as the server's forked workers do)."""

from __future__ import annotations

import os
import re

from terminology.http.metrics import MULTIPROCESS_DIR, ServerMetrics

LABELS = 'operation="lookup",status="200"'


def _buckets(text: str) -> dict[str, float]:
    return {bound: float(value) for bound, value in re.findall(rf'_bucket\{{le="([^"]+)",{LABELS}\}} (\S+)', text)}


def test_a_time_counts_in_every_bucket_from_the_first_bound_at_or_above_it() -> None:
    metrics = ServerMetrics(())
    metrics.observe_all(("lookup", 200, seconds, False) for seconds in (0.0005, 0.0006, 11.0))
    text = metrics.exposition({}).body.decode()
    buckets = _buckets(text)
    assert (buckets["0.0005"], buckets["0.001"], buckets["10.0"], buckets["+Inf"]) == (1, 2, 2, 3)
    assert f"terminology_request_duration_seconds_count{{{LABELS}}} 3.0" in text
    assert re.search(rf"terminology_request_duration_seconds_sum\{{{LABELS}\}} 11\.001", text)


def test_the_counts_of_forked_processes_are_added_up(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(MULTIPROCESS_DIR, str(tmp_path))
    metrics = ServerMetrics(())
    metrics.observe_all([("lookup", 200, 0.001, False)])
    child = os.fork()
    if child == 0:  # (the child counts into files of its own, as a worker does, and leaves at once)
        metrics.observe_all([("lookup", 200, 0.001, True)] * 3)
        os._exit(0)
    assert os.waitpid(child, 0)[1] == 0
    text = metrics.exposition({}).body.decode()
    assert f"terminology_request_duration_seconds_count{{{LABELS}}} 4.0" in text
    assert 'terminology_too_costly_total{operation="lookup"} 3.0' in text
    assert len(list(tmp_path.glob("histogram_*.db"))) == 2



def test_a_reading_never_meets_a_file_being_made(tmp_path, monkeypatch) -> None:
    """Processes start their files while /metrics reads the folder: a reading sees each file whole or not
    at all (a file seen between its making and its sizing is empty, and reading it fails)."""
    monkeypatch.setenv(MULTIPROCESS_DIR, str(tmp_path))
    metrics = ServerMetrics(())
    children = []
    for _ in range(40):
        child = os.fork()
        if child == 0:
            metrics.observe_all([("lookup", 200, 0.001, False)])
            os._exit(0)
        children.append(child)
        metrics.exposition({})  # (reading while the children make their files)
    assert all(os.waitpid(child, 0)[1] == 0 for child in children)
    text = metrics.exposition({}).body.decode()
    assert f"terminology_request_duration_seconds_count{{{LABELS}}} 40.0" in text
    assert sorted(path.suffix for path in tmp_path.iterdir()) == [".db"] * 40

"""The operations surface of the real server (``terminology serve``, two granian workers) over HTTP: health,
the request id in the header, the OperationOutcome and the log's JSON lines, metrics added up across the
workers, the headers, CORS and the admin token."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from running_server import RunningServer, serving, stop

from terminology.http.request_records import WRITE_INTERVAL

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ORIGIN = "https://clinic.example.org"
TOKEN = "s3cret-admin-token"
#: A code that must never reach the log (the log holds no codes unless the operator asks).
SECRET_CODE = "S72.001A"


@pytest.fixture(scope="module")
def server(release_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    env = {"TERMINOLOGY_ADMIN_TOKEN": TOKEN, "TERMINOLOGY_CORS_ORIGINS": ORIGIN}
    with serving(release_cache, tmp_path_factory.mktemp("serve") / "server.log", workers=2, env=env) as running:
        yield running


def _root(server: RunningServer) -> str:
    return server.base.removesuffix("/fhir")


def _validate(server: RunningServer, code: str, **headers: str) -> requests.Response:
    # (requests.get: a new connection each time, so that the kernel hands them to both workers)
    return requests.get(f"{server.base}/CodeSystem/$validate-code", params={"url": ICD10CM, "code": code}, headers=headers, timeout=30)


def _log_lines(server: RunningServer, request_id: str, wait: float = 5.0) -> list[dict]:
    """The log's JSON lines about ``request_id`` (a worker writes its line as it answers: wait a little)."""
    deadline = time.monotonic() + wait
    while True:
        lines = [json.loads(line) for line in server.output().splitlines() if line.startswith("{") and request_id in line]
        if lines or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


def _written() -> None:
    """Waits until every worker has written the records of the requests it answered (each writes them
    every WRITE_INTERVAL; the one asked for /metrics writes its own first)."""
    time.sleep(10 * WRITE_INTERVAL)


def _count(exposition: str, name: str, labels: str) -> float:
    found = re.search(rf"^{name}\{{{re.escape(labels)}\}} (\S+)$", exposition, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_livez_and_readyz(server) -> None:
    live = requests.get(_root(server) + "/livez", timeout=10)
    ready = requests.get(_root(server) + "/readyz", timeout=10)
    assert (live.status_code, live.json()) == (200, {"status": "live"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
    assert live.headers["Content-Type"] == "application/json"


def test_metrics_add_up_every_workers_requests_exactly(server) -> None:
    """N requests spread over both workers; /metrics, asked several times (so that each worker answers
    some), counts exactly N each time."""
    labels = 'operation="validate_code",status="200"'
    _written()
    before = _count(requests.get(_root(server) + "/metrics", timeout=30).text, "terminology_request_duration_seconds_count", labels)
    sent = 60
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda i: _validate(server, ("A00.0", "Z66", "E11.9")[i % 3]).status_code, range(sent)))
    assert statuses == [200] * sent
    _written()
    for _ in range(8):
        exposition = requests.get(_root(server) + "/metrics", timeout=30).text
        assert _count(exposition, "terminology_request_duration_seconds_count", labels) == before + sent
        assert _count(exposition, "terminology_request_duration_seconds_bucket", f'le="+Inf",{labels}') == before + sent
    assert _count(exposition, "terminology_code_system_info", f'default="true",system="{ICD10CM}",version="2026"') == 1


def test_the_request_id_is_the_clients_in_the_header_the_outcome_and_the_log(server) -> None:
    answer = _validate(server, "NOT.A.CODE", **{"X-Request-Id": "trace-over-http-1"})
    assert answer.headers["X-Request-Id"] == "trace-over-http-1"
    lines = _log_lines(server, "trace-over-http-1")
    assert len(lines) == 1
    line = lines[0]
    assert {key: line[key] for key in ("method", "path", "operation", "status", "request_id")} == {
        "method": "GET", "path": "/fhir/CodeSystem/$validate-code", "operation": "validate_code", "status": 200,
        "request_id": "trace-over-http-1",
    }  # fmt: skip
    assert line["level"] == "INFO" and line["duration_ms"] >= 0 and (line["system"], line["version"]) == (ICD10CM, "2026")


def test_an_error_is_logged_once_with_the_id_the_operation_outcome_names(server) -> None:
    answer = requests.get(f"{server.base}/CodeSystem/$lookup", params={"system": "http://example.org/none", "code": "x"}, timeout=30)
    request_id = answer.headers["X-Request-Id"]
    assert answer.status_code == 404 and len(request_id) == 32
    assert answer.json()["issue"][0]["diagnostics"] == f"request-id: {request_id}"
    assert [line["status"] for line in _log_lines(server, request_id)] == [404]


def test_an_insane_request_id_is_replaced(server) -> None:
    answer = _validate(server, "Z66", **{"X-Request-Id": "x" * 200})
    assert answer.headers["X-Request-Id"] != "x" * 200 and re.fullmatch("[0-9a-f]{32}", answer.headers["X-Request-Id"])


def test_new_request_ids_are_unique_across_the_workers(server) -> None:
    # (each worker counts under a prefix of its own, drawn after the fork: the parent's would repeat)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda code: _validate(server, code), ["Z66", "M48.48XA", "S72.001A", "A00.0"] * 50))
    ids = [answer.headers["X-Request-Id"] for answer in answers]
    prefixes = {id_[:16] for id_ in ids}
    assert len(set(ids)) == 200 and all(re.fullmatch(r"[0-9a-f]{32}", id_) for id_ in ids)
    assert len(prefixes) == 2  # (both workers answered: new connections are spread over them)


def test_the_log_holds_no_code_and_no_query(server) -> None:
    answer = _validate(server, SECRET_CODE, **{"X-Request-Id": "no-phi-1"})
    assert answer.status_code == 200 and _log_lines(server, "no-phi-1")
    assert SECRET_CODE not in server.output() and "code=" not in server.output()


def test_the_server_header_names_no_library(server) -> None:
    for answer in (_validate(server, "Z66"), requests.get(_root(server) + "/nowhere", timeout=10)):
        assert answer.headers["Server"] == "terminology"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "granian" not in requests.get(_root(server) + "/metrics", timeout=30).text.lower()


def test_cors_preflight_and_answer(server) -> None:
    preflight = requests.options(
        f"{server.base}/CodeSystem/$validate-code", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}, timeout=10
    )
    assert preflight.status_code == 204 and preflight.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Access-Control-Allow-Origin" not in _validate(server, "Z66", Origin="https://elsewhere.example").headers


def test_the_admin_token(server) -> None:
    url = _root(server) + "/admin/settings"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, headers={"Authorization": "Bearer wrong"}, timeout=10).status_code == 401
    answer = requests.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert answer.status_code == 200 and answer.json()["TERMINOLOGY_CORS_ORIGINS"] == [ORIGIN] and TOKEN not in answer.text


def test_the_query_is_logged_when_asked_and_the_metrics_folder_goes_with_the_server(release_cache, tmp_path) -> None:
    env = {"TERMINOLOGY_LOG_QUERY": "true", "TERMINOLOGY_LOG_LEVEL": "debug"}
    with serving(release_cache, tmp_path / "server.log", env=env) as running:
        _validate(running, "Z66", **{"X-Request-Id": "with-query-1"})
        [line] = _log_lines(running, "with-query-1")
        folder = Path(re.search(r"metrics are added up in (\S+)\"", running.output()).group(1))
        assert folder.is_dir()
    assert "code=Z66" in line["query"]
    assert not folder.exists()


def test_the_request_log_is_off_when_asked(release_cache, tmp_path) -> None:
    with serving(release_cache, tmp_path / "server.log", env={"TERMINOLOGY_ACCESS_LOG": "false"}) as running:
        assert _validate(running, "Z66", **{"X-Request-Id": "unlogged-1"}).status_code == 200
        assert _log_lines(running, "unlogged-1", wait=1.0) == []
        assert "serving on" in running.output()  # (the rest of the log is still there)


def test_the_last_requests_are_logged_and_counted_when_the_server_stops(release_cache, tmp_path) -> None:
    # (a worker writes its records every WRITE_INTERVAL, and what is left when it exits: none is lost at a stop)
    with serving(release_cache, tmp_path / "server.log", workers=2) as running:
        ids = [f"before-the-stop-{number}" for number in range(20)]
        for each in ids:
            assert _validate(running, "Z66", **{"X-Request-Id": each}).status_code == 200
        stop(running)
        logged = {json.loads(line)["request_id"] for line in running.output().splitlines() if line.startswith('{"time"') and "before-the-stop" in line}
    assert logged == set(ids)

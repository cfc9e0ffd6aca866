"""The client's retries and error answers, against a local server that fails on purpose: 429 and 503 and
connection failures are retried with backoff (honouring Retry-After), nothing else is."""

from __future__ import annotations

import socket
import time
from datetime import datetime, timezone

import pytest

from terminology.client import ClientError, OperationOutcomeError, ServerUnreachable, TerminologyClient
from terminology.client.transport import MAX_WAIT, retry_after_seconds

from .stub_server import Reply, Request, fhir, stub_server

SUBSUMES = {"resourceType": "Parameters", "parameter": [{"name": "outcome", "valueCode": "subsumes"}]}
BUSY = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "transient", "diagnostics": "Busy"}]}
BAD_CODE = {
    "resourceType": "OperationOutcome",
    "issue": [{"severity": "error", "code": "invalid", "details": {"text": "The parameter 'codeA' is not a code"}}],
}


def _replies(*replies: Reply):
    """Answers the requests with ``replies`` in turn, the last one to every request after it."""
    queue = list(replies)
    return lambda request: queue.pop(0) if len(queue) > 1 else queue[0]


def _client(server, **options) -> TerminologyClient:
    return TerminologyClient(server.base, **{"retries": 3, "backoff": 0.01, **options})


def test_a_503_is_retried_then_answered():
    with stub_server(_replies(fhir(BUSY, 503), fhir(SUBSUMES))) as server, _client(server) as client:
        assert client.subsumes("M48.4", "M48.48XA").outcome == "subsumes"
    assert len(server.requests) == 2
    assert server.requests[0] == server.requests[1]


def test_a_429_waits_what_retry_after_asks():
    with stub_server(_replies(fhir(BUSY, 429, **{"Retry-After": "1"}), fhir(SUBSUMES))) as server, _client(server) as client:
        started = time.monotonic()
        assert client.subsumes("M48.4", "M48.48XA").outcome == "subsumes"
        waited = time.monotonic() - started
    assert len(server.requests) == 2
    assert 1.0 <= waited < 1.0 + 0.5  # Retry-After, not the 0.01 s backoff


def test_a_503_to_the_end_is_server_unreachable_after_every_retry():
    with stub_server(_replies(fhir(BUSY, 503))) as server, _client(server, retries=2) as client:
        with pytest.raises(ServerUnreachable, match=r"after 3 attempt\(s\): HTTP 503 \(Busy\)"):
            client.subsumes("M48.4", "M48.48XA")
    assert len(server.requests) == 3


def test_backoff_doubles_between_retries():
    with stub_server(_replies(fhir(BUSY, 503))) as server, _client(server, retries=3, backoff=0.1) as client:
        started = time.monotonic()
        with pytest.raises(ServerUnreachable):
            client.subsumes("M48.4", "M48.48XA")
        waited = time.monotonic() - started
    assert 0.7 <= waited < 0.7 + 0.5  # 0.1 + 0.2 + 0.4


def test_connection_refused_is_server_unreachable_quickly():
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    with TerminologyClient(f"http://127.0.0.1:{port}/fhir", retries=2, backoff=0.01) as client:
        with pytest.raises(ServerUnreachable, match=r"after 3 attempt\(s\).*[Rr]efused"):
            client.lookup("M48.48XA")
    assert time.monotonic() - started < 2


def test_a_timeout_is_retried_then_server_unreachable():
    with stub_server(_replies(Reply(200, SUBSUMES, delay=1.0))) as server, _client(server, retries=1, timeout=0.2) as client:
        with pytest.raises(ServerUnreachable, match=r"after 2 attempt\(s\).*[Tt]imed out"):
            client.subsumes("M48.4", "M48.48XA")
    assert len(server.requests) == 2


def test_a_400_operation_outcome_is_raised_and_not_retried():
    with stub_server(_replies(fhir(BAD_CODE, 400))) as server, _client(server) as client:
        with pytest.raises(OperationOutcomeError) as raised:
            client.subsumes("M48.4", "M48.48XA")
    assert len(server.requests) == 1
    error = raised.value
    assert (error.status, error.outcome) == (400, BAD_CODE)
    assert [(issue.severity, issue.code, issue.message) for issue in error.issues] == [
        ("error", "invalid", "The parameter 'codeA' is not a code")
    ]
    assert str(error) == "The parameter 'codeA' is not a code"


@pytest.mark.parametrize("status", [404, 500, 502])
def test_an_error_that_is_no_operation_outcome_says_what_came_back(status):
    page = Reply(status, b"<html><body><h1>Bad Gateway</h1></body></html>", {"Content-Type": "text/html"})
    with stub_server(_replies(page)) as server, _client(server) as client:
        with pytest.raises(OperationOutcomeError) as raised:
            client.lookup("M48.48XA")
    assert len(server.requests) == 1
    error = raised.value
    assert error.status == status and error.outcome is None
    [issue] = error.issues
    assert issue.severity == "error"
    assert issue.code == ("not-found" if status == 404 else "exception")
    assert f"HTTP {status} " in issue.message and "without an OperationOutcome" in issue.message
    assert "text/html" in issue.message and "Bad Gateway" in issue.message


def test_a_success_that_is_not_json_is_a_client_error():
    with stub_server(_replies(Reply(200, b"<html>hello</html>", {"Content-Type": "text/html"}))) as server, _client(server) as client:
        with pytest.raises(ClientError, match="text/html.*not FHIR JSON"):
            client.lookup("M48.48XA")


def test_every_request_asks_for_fhir_json_and_carries_the_given_headers_and_auth():
    with stub_server(_replies(fhir(SUBSUMES))) as server:
        with _client(server, headers={"X-Tenant": "north"}, auth=("user", "secret")) as client:
            client.subsumes("M48.4", "M48.48XA")
    headers = server.requests[0].headers
    assert headers["Accept"] == "application/fhir+json"
    assert headers["X-Tenant"] == "north"
    assert headers["Authorization"].startswith("Basic ")


def test_retry_after_in_seconds_or_as_a_date_within_bounds():
    now = datetime(2026, 11, 30, 12, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds("3", now) == 3.0
    assert retry_after_seconds("Mon, 30 Nov 2026 12:00:05 GMT", now) == 5.0
    assert retry_after_seconds("Mon, 30 Nov 2026 11:00:00 GMT", now) == 0.0  # in the past: at once
    assert retry_after_seconds("86400", now) == MAX_WAIT
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_subsumes_sends_r4_parameters():
    with stub_server(_replies(fhir(SUBSUMES))) as server, _client(server) as client:
        client.subsumes("M48.4", "M48.48XA", version="2026")
    [request] = server.requests
    assert request == Request("GET", "CodeSystem/$subsumes", request.query, request.headers, None)
    assert dict(request.query) == {"system": "http://hl7.org/fhir/sid/icd-10-cm", "codeA": "M48.4", "codeB": "M48.48XA", "version": "2026"}

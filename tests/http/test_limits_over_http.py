"""The request body's bound over real HTTP, from a server started as a user starts it (granian): a body
whose Content-Length is past the bound is refused before any of it is sent; a chunked one is refused as
soon as what came passes the bound, while the client is still sending; one at the bound is answered."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import orjson
import pytest
import requests

from running_server import RunningServer, serving

LIMIT = 1000
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
PATH = "/fhir/CodeSystem/$validate-code"
NAMED = "this server takes at most 1,000 (TERMINOLOGY_MAX_BODY_BYTES)"


@pytest.fixture(scope="module")
def server(registry, release_cache, tmp_path_factory) -> Iterator[RunningServer]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TERMINOLOGY_MAX_BODY_BYTES", str(LIMIT))  # (the server reads its settings from the environment)
        with serving(release_cache, tmp_path_factory.mktemp("serve") / "server.log") as running:
            yield running


def _body(size: int) -> bytes:
    """A $validate-code of Z66 as FHIR JSON of exactly ``size`` bytes (padded with white space)."""
    body = orjson.dumps({"resourceType": "Parameters", "parameter": [{"name": "url", "valueUri": ICD10CM}, {"name": "code", "valueCode": "Z66"}]})
    assert len(body) <= size
    return body[:-1] + b" " * (size - len(body)) + body[-1:]


def _connect(server: RunningServer) -> socket.socket:
    host, port = server.base.removeprefix("http://").split("/")[0].split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def _head(framing: str) -> bytes:
    return (f"POST {PATH} HTTP/1.1\r\nHost: test\r\nContent-Type: application/fhir+json\r\n{framing}\r\n").encode()


def _response(connection: socket.socket) -> tuple[int, dict]:
    """The status and the OperationOutcome or Parameters of the response that comes on ``connection``."""
    received = b""
    while b"\r\n\r\n" not in received:
        received += connection.recv(65536) or pytest.fail(f"the connection closed before a response: {received!r}")
    head, _, body = received.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")))
    while len(body) < length:
        body += connection.recv(65536) or pytest.fail("the connection closed within the response")
    return int(head.split(b" ")[1]), orjson.loads(body[:length])


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


@pytest.mark.parametrize("size, status", [(LIMIT, 200), (LIMIT + 1, 413)])
def test_a_body_of_the_bound_is_answered_and_one_byte_more_is_a_413(server, size, status) -> None:
    answer = requests.post(server.base + PATH.removeprefix("/fhir"), data=_body(size), headers={"Content-Type": "application/fhir+json"}, timeout=30)
    assert answer.status_code == status
    if status == 413:
        assert answer.json()["issue"][0]["code"] == "too-long"
        assert answer.json()["issue"][0]["details"]["text"] == f"The request body is 1,001 bytes; {NAMED}"


def test_a_content_length_past_the_bound_is_refused_before_the_body_is_sent(server) -> None:
    with _connect(server) as connection:
        connection.sendall(_head(f"Content-Length: {10**12}\r\n"))  # and not a byte of the body
        status, outcome = _response(connection)
    assert status == 413 and outcome["issue"][0]["details"]["text"] == f"The request body is 1,000,000,000,000 bytes; {NAMED}"


def test_a_chunked_body_past_the_bound_is_refused_while_it_is_still_being_sent(server) -> None:
    with _connect(server) as connection:
        connection.sendall(_head("Transfer-Encoding: chunked\r\n"))
        for _ in range(3):
            connection.sendall(_chunk(b" " * 400))  # 1,200 bytes, and no last chunk: the body has not ended
        status, outcome = _response(connection)
    assert status == 413 and outcome["issue"][0]["details"]["text"] == f"The request body is more than 1,000 bytes; {NAMED}"


def test_a_chunked_body_within_the_bound_is_answered(server) -> None:
    body = _body(LIMIT)
    with _connect(server) as connection:
        connection.sendall(_head("Transfer-Encoding: chunked\r\n") + _chunk(body[:600]) + _chunk(body[600:]) + b"0\r\n\r\n")
        status, parameters = _response(connection)
    assert status == 200 and parameters["parameter"][0] == {"name": "result", "valueBoolean": True}


def test_the_server_answers_after_refusing(server) -> None:
    test_a_content_length_past_the_bound_is_refused_before_the_body_is_sent(server)
    test_a_chunked_body_past_the_bound_is_refused_while_it_is_still_being_sent(server)
    answer = requests.get(server.base + "/CodeSystem/$validate-code", params={"url": ICD10CM, "code": "Z66"}, timeout=30)
    assert answer.status_code == 200 and answer.json()["parameter"][0]["valueBoolean"] is True

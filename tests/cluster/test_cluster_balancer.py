"""Replicas of the real server behind HAProxy (deploy/haproxy/haproxy.cfg, started by scripts/cluster.py), on the
loopback: every replica answers the same requests with the same bytes, and a replica killed under load costs
no request, the survivors carrying the load."""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from running_cluster import clustered

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
#: Headers that differ from one answer to the next by design: the time, and which replica answered.
VOLATILE_HEADERS = {"date", "x-served-by"}
#: What differs from one answer to the next by design in a body: an expansion's own id and time (two expansions
#: by the same replica differ there too).
EXPANSION_STAMP = re.compile(rb'"identifier":"urn:uuid:[0-9a-f-]{36}","timestamp":"[^"]+"')
VALUE_SET = {
    "resourceType": "ValueSet",
    "url": "http://example.org/fhir/ValueSet/spondylopathies",
    "version": "1",
    "status": "active",
    "compose": {"include": [{"system": ICD10CM, "filter": [{"property": "concept", "op": "is-a", "value": "M48"}]}]},
}


def _parameters(*parameters: dict) -> str:
    return json.dumps({"resourceType": "Parameters", "parameter": list(parameters)})


#: (method, path under the base, body): answers of every kind, errors included.
REQUESTS = [
    ("GET", f"CodeSystem/$validate-code?url={ICD10CM}&code=M48.48XA", None),
    ("GET", f"CodeSystem/$validate-code?url={ICD10CM}&code=ZZZ", None),
    ("GET", f"CodeSystem/$lookup?system={ICD10CM}&code=E11.22", None),
    ("GET", f"ValueSet/$expand?url={ICD10CM}%3Ffhir_vs&filter=spinal%20stenosis&count=10", None),
    ("GET", "metadata", None),
    ("GET", "CodeSystem/$lookup?system=http://example.org/unknown&code=1", None),
    ("POST", "ValueSet/$validate-code", _parameters(
        {"name": "url", "valueUri": VALUE_SET["url"]}, {"name": "system", "valueUri": ICD10CM},
        {"name": "code", "valueCode": "M48.48XA"}, {"name": "tx-resource", "resource": VALUE_SET},
    )),
    ("POST", "ValueSet/$expand", _parameters({"name": "valueSet", "resource": VALUE_SET}, {"name": "count", "valueInteger": 5})),
]  # fmt: skip
TRIES = 30  # sends of one request before every replica must have answered it at least once


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def _send(connection: http.client.HTTPConnection, base_path: str, method: str, path: str, body: str | None) -> Answer:
    # The same request id every time: an OperationOutcome names it, and it is the client's to choose.
    headers = {"Accept": "application/fhir+json", "X-Request-Id": "cluster-test"}
    if body is not None:
        headers["Content-Type"] = "application/fhir+json"
    connection.request(method, f"{base_path}/{path}", body, headers)
    response = connection.getresponse()
    return Answer(response.status, {name.lower(): value for name, value in response.getheaders()}, response.read())


@pytest.fixture(scope="module")
def cluster(registry, release_cache, tmp_path_factory):
    """3 replicas behind the balancer, shared by the tests of this module that leave it whole."""
    with clustered(release_cache, tmp_path_factory.mktemp("cluster")) as running:
        yield running


def test_every_replica_answers_the_same_requests_with_the_same_bytes(cluster):
    base = urlsplit(cluster.base)
    connection = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
    names = {replica.name for replica in cluster.replicas}
    for method, path, body in REQUESTS:
        by_replica: dict[str, Answer] = {}
        for _ in range(TRIES):
            answer = _send(connection, base.path, method, path, body)
            by_replica.setdefault(answer.headers["x-served-by"], answer)
            if by_replica.keys() == names:
                break
        assert by_replica.keys() == names, f"{method} {path}: answered only by {sorted(by_replica)} in {TRIES} tries"
        first, *others = by_replica.values()
        assert 200 <= first.status < 500 and first.body, (method, path, first.status)
        for other in others:
            assert (other.status, _unstamped(other.body)) == (first.status, _unstamped(first.body)), f"{method} {path}"
            assert _lasting(other.headers) == _lasting(first.headers), f"{method} {path}"
    connection.close()


def _unstamped(body: bytes) -> bytes:
    return EXPANSION_STAMP.sub(b"(stamp)", body)


def _lasting(headers: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name not in VOLATILE_HEADERS}


# -- a replica killed under load -------------------------------------------------------------------

CLIENTS = 4
SECONDS = 4.0  # of load
KILL_AT = 1.5  # seconds into the load
SETTLE = 1.0  # seconds after the kill before the answers are counted as the survivors' alone
MAX_REQUESTS = 40_000
LOAD = [
    ("GET", f"CodeSystem/$validate-code?url={ICD10CM}&code={code}", None)
    for code in ("M48.48XA", "E11.22", "S92.001A", "J18.9", "m4848xa", "ZZZ", "I10", "C86.0")
] + [("GET", f"CodeSystem/$lookup?system={ICD10CM}&code=S92.001A", None), REQUESTS[6]]


@dataclass
class Outcomes:
    """What the clients saw: (seconds into the load, replica) of each answer, and every failure."""

    answered: list[tuple[float, str]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _client(base: str, started: float, outcomes: Outcomes) -> None:
    url = urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    sent = 0
    while time.monotonic() - started < SECONDS and len(outcomes.answered) < MAX_REQUESTS:
        method, path, body = LOAD[sent % len(LOAD)]
        sent += 1
        try:
            answer = _send(connection, url.path, method, path, body)
        except (OSError, http.client.HTTPException) as error:
            with outcomes.lock:
                outcomes.failed.append(f"{method} {path}: {error!r}")
            connection.close()
            continue
        with outcomes.lock:
            if answer.status == 200:
                outcomes.answered.append((time.monotonic() - started, answer.headers["x-served-by"]))
            else:
                outcomes.failed.append(f"{method} {path}: {answer.status} {answer.body[:200]!r}")
    connection.close()


def test_a_replica_killed_under_load_costs_no_request_and_the_survivors_carry_the_load(compiled_content, tmp_path):
    with clustered(compiled_content, tmp_path) as cluster:
        killed = cluster.replicas[1]
        outcomes = Outcomes()
        started = time.monotonic()
        clients = [threading.Thread(target=_client, args=(cluster.base, started, outcomes)) for _ in range(CLIENTS)]
        for client in clients:
            client.start()
        time.sleep(KILL_AT)
        killed.kill()
        killed_at = time.monotonic() - started
        for client in clients:
            client.join(SECONDS + 30)
        servers = cluster.servers()

    assert not outcomes.failed, outcomes.failed[:10]
    before = Counter(replica for at, replica in outcomes.answered if at < killed_at)
    after = Counter(replica for at, replica in outcomes.answered if at > killed_at + SETTLE)
    assert set(before) == {replica.name for replica in cluster.replicas}, before  # all three took the load
    assert killed.name not in after, after
    survivors = {replica.name for replica in cluster.replicas} - {killed.name}
    assert set(after) == survivors and all(after[name] > 0 for name in survivors), after
    assert servers[killed.name]["status"].startswith("DOWN"), servers[killed.name]
    assert all(servers[name]["status"] == "UP" for name in survivors), servers

"""The validator's caches across replicas behind HAProxy, kept in Redis (scripts/cluster.py): a cache started
through one replica is seen by the others; with Redis stopped, requests naming a cache are a 503 and the rest
are answered; with Redis back, caches work again; and the HL7 conformance suite passes through the balancer,
with ``$cache-control``, every test it passes on one server."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from cache_requests import CODE_SYSTEM, JSON, VALUE_SET, outcome_text, parameters, tx_resources
from running_cluster import clustered

from running_server import ROOT

RUNNER = ROOT.parent / "shared" / "txtests" / "run.py"
PASSING = Path(__file__).resolve().parents[1] / "conformance_passing.txt"
TRIES = 30  # sends of one request before every replica must have answered it at least once


@pytest.fixture(scope="module")
def cluster(release_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with clustered(release_cache, tmp_path_factory.mktemp("cluster"), replicas=3) as running:
        yield running


def _start(cluster: Any) -> str:
    body = parameters(*tx_resources(CODE_SYSTEM, VALUE_SET))
    response = requests.post(f"{cluster.base}/$cache-control", params={"mode": "start"}, json=body, headers=JSON, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["parameter"][0]["valueId"]


def _validate(cluster: Any, code: str, cache_id: str) -> requests.Response:
    body = parameters({"name": "url", "valueUri": VALUE_SET["url"]}, {"name": "system", "valueUri": CODE_SYSTEM["url"]}, {"name": "code", "valueCode": code})
    # (a new connection each time, so that the balancer chooses a replica for each)
    return requests.post(f"{cluster.base}/ValueSet/$validate-code", json=body, headers={**JSON, "X-Cache-Id": cache_id}, timeout=30)


def _result(response: requests.Response) -> bool:
    assert response.status_code == 200, response.text
    return next(p["valueBoolean"] for p in response.json()["parameter"] if p["name"] == "result")


def test_a_cache_started_through_one_replica_is_seen_by_every_replica(cluster) -> None:
    cache_id = _start(cluster)
    answered_by: dict[str, list[bool]] = {}
    for _ in range(TRIES):
        response = _validate(cluster, "red", cache_id)
        answered_by.setdefault(response.headers["X-Served-By"], []).append(_result(response))
        if len(answered_by) == len(cluster.replicas):
            break
    assert len(answered_by) == len(cluster.replicas), f"not every replica answered in {TRIES} tries: {sorted(answered_by)}"
    assert all(all(results) for results in answered_by.values()), answered_by
    assert _result(_validate(cluster, "green", cache_id)) is False  # (green is in the code system, not the value set)


def test_with_redis_stopped_only_cache_requests_fail_and_with_it_back_caches_work_again(cluster) -> None:
    cache_id = _start(cluster)
    cluster.stop_redis()
    try:
        refused = _validate(cluster, "red", cache_id)
        assert refused.status_code == 503, refused.text
        assert "try again" in outcome_text(refused).lower() or "redis" in outcome_text(refused).lower()
        lookup = requests.get(f"{cluster.base}/CodeSystem/$lookup", params={"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M48.48XA"}, headers=JSON, timeout=30)
        assert lookup.status_code == 200, lookup.text
        assert {server["status"] for server in cluster.servers().values()} == {"UP"}  # (no replica taken out)
    finally:
        cluster.start_redis()
    # Redis came back empty (it keeps nothing on disk): the old id is unknown, and a new cache works
    assert _validate(cluster, "red", cache_id).status_code == 404
    assert _result(_validate(cluster, "red", _start(cluster))) is True


@pytest.mark.skipif(not RUNNER.exists(), reason=f"the conformance runner is not at {RUNNER}")
def test_the_conformance_suite_passes_through_the_balancer_with_cache_control(cluster) -> None:
    run = subprocess.run([sys.executable, str(RUNNER), "--server", cluster.base, "--fhir-version", "4.0", "--json"],
                         capture_output=True, text=True, timeout=900)  # fmt: skip
    assert run.stdout.strip(), f"the runner printed no report:\n{run.stderr[-3000:]}"
    report = json.loads(run.stdout)
    passing = {f"{t['suite']}/{t['test']}" for t in report["tests"] if t["status"] == "PASS"}
    expected = {line.strip() for line in PASSING.read_text().splitlines() if line.strip() and not line.startswith("#")}
    assert not sorted(expected - passing), "conformance tests that pass on one server and fail through the balancer:\n" + "\n".join(sorted(expected - passing))

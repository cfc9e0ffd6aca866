"""Requests of the validator's caches to a running server, shared by the tests of each store."""

from __future__ import annotations

from typing import Any

import requests

from running_server import RunningServer

__all__ = ["CODE_SYSTEM", "JSON", "VALUE_SET", "end", "outcome_text", "parameters", "result", "start", "tx_resources", "validate"]

CODE_SYSTEM = {
    "resourceType": "CodeSystem", "url": "http://example.org/cs/colours", "version": "1", "status": "active",
    "content": "complete", "concept": [{"code": "red", "display": "Red"}, {"code": "green", "display": "Green"}],
}  # fmt: skip
VALUE_SET = {
    "resourceType": "ValueSet", "url": "http://example.org/vs/reds", "version": "1", "status": "active",
    "compose": {"include": [{"system": "http://example.org/cs/colours", "concept": [{"code": "red"}]}]},
}  # fmt: skip
JSON = {"Content-Type": "application/fhir+json", "Accept": "application/fhir+json"}


def parameters(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Parameters", "parameter": list(entries)}


def tx_resources(*resources: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"name": "tx-resource", "resource": resource} for resource in resources]


def validate(server: RunningServer, code: str, *entries: dict[str, Any], **headers: str) -> requests.Response:
    body = parameters({"name": "url", "valueUri": VALUE_SET["url"]}, {"name": "system", "valueUri": CODE_SYSTEM["url"]}, {"name": "code", "valueCode": code}, *entries)
    # (a new connection each time: the kernel hands them to both workers of the files store's server)
    return requests.post(f"{server.base}/ValueSet/$validate-code", json=body, headers={**JSON, **headers}, timeout=30)


def result(response: requests.Response) -> bool:
    assert response.status_code == 200, response.text
    return next(p["valueBoolean"] for p in response.json()["parameter"] if p["name"] == "result")


def start(server: RunningServer, *resources: dict[str, Any]) -> str:
    response = requests.post(f"{server.base}/$cache-control", params={"mode": "start"}, json=parameters(*tx_resources(*resources)), headers=JSON, timeout=30)
    assert response.status_code == 200, response.text
    [entry] = response.json()["parameter"]
    assert entry["name"] == "cache-id"
    return entry["valueId"]


def end(server: RunningServer, cache_id: str) -> requests.Response:
    return requests.post(f"{server.base}/$cache-control", params={"mode": "end"}, json=parameters(), headers={**JSON, "X-Cache-Id": cache_id}, timeout=30)


def outcome_text(response: requests.Response) -> str:
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    return " ".join(issue["details"]["text"] for issue in outcome["issue"])

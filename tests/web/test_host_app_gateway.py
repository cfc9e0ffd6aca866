"""A host app that mounts the plugin and wraps itself in the Gateway gets the request ids, the headers and
the metrics of the standalone server on the blueprint's answers too."""

from __future__ import annotations

from flask import Flask

from terminology.http.gateway import Gateway
from terminology.http.metrics import ServerMetrics
from terminology.web import Terminology


def test_the_blueprints_answers_pass_through_the_gateway(registry) -> None:
    host = Flask("host")
    Terminology(host, registry=registry, url_prefix="/r4")
    metrics = ServerMetrics(())
    host.wsgi_app = Gateway(host.wsgi_app, {"/metrics": metrics.exposition}, metrics=metrics)  # type: ignore[method-assign]
    client = host.test_client()
    answer = client.get("/r4/CodeSystem/$lookup?system=http://hl7.org/fhir/sid/icd-10-cm&code=NOPE", headers={"X-Request-Id": "host-1"})
    assert answer.status_code == 404 and answer.headers["X-Request-Id"] == "host-1"
    assert answer.get_json()["issue"][0]["diagnostics"] == "request-id: host-1"
    assert answer.headers["Cache-Control"] == "no-store" and answer.headers["X-Content-Type-Options"] == "nosniff"
    assert 'terminology_request_duration_seconds_count{operation="lookup",status="404"} 1.0' in client.get("/metrics").data.decode()

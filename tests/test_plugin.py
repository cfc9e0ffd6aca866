"""The Flask extension mounted into someone else's app: its routes, hooks and 404s stay the host's,
and the FHIR API below the prefix goes through Flask (unlike ``create_app``'s WSGI fast path)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask, abort, request

from terminology.content import build_registry
from terminology.registry import Registry
from terminology.web.app import create_app
from terminology.web.extension import Terminology, TerminologyState

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
PREFIX = "/api/terminology"


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    return build_registry(cache_dir=tmp_path_factory.mktemp("cache"))


def _host_app() -> Flask:
    app = Flask("host")

    @app.route("/hello")
    def hello() -> str:
        return "hello from the host"

    return app


@pytest.fixture
def host(registry: Registry) -> Flask:
    app = _host_app()
    Terminology().init_app(app, url_prefix=PREFIX, registry=registry)
    return app


def _validate(client, base: str, code: str, **kwargs):
    return client.get(f"{base}/CodeSystem/$validate-code", query_string={"url": ICD10CM, "code": code}, **kwargs)


def _parameter(parameters: dict, name: str) -> dict:
    return next(p for p in parameters["parameter"] if p["name"] == name)


def test_host_routes_still_work(host: Flask) -> None:
    response = host.test_client().get("/hello")
    assert response.status_code == 200
    assert response.text == "hello from the host"


def test_validate_code_through_the_blueprint(host: Flask) -> None:
    response = _validate(host.test_client(), PREFIX, "M48.48XA")
    assert response.status_code == 200
    assert response.content_type.startswith("application/fhir+json")
    assert _parameter(response.json, "result")["valueBoolean"] is True

    sloppy = _validate(host.test_client(), PREFIX, "m4848xa").json
    assert _parameter(sloppy, "result")["valueBoolean"] is False
    assert _parameter(sloppy, "normalized-code")["valueCode"] == "M48.48XA"


def test_post_through_the_blueprint(host: Flask) -> None:
    body = {"resourceType": "Parameters", "parameter": [{"name": "system", "valueUri": ICD10CM}, {"name": "code", "valueCode": "M48.48XA"}]}
    response = host.test_client().post(
        f"{PREFIX}/CodeSystem/$lookup", data=json.dumps(body), content_type="application/fhir+json"
    )
    assert response.status_code == 200
    assert _parameter(response.json, "code")["valueCode"] == "M48.48XA"


def test_state_is_kept_in_app_extensions(host: Flask, registry: Registry) -> None:
    state = host.extensions["terminology"]
    assert isinstance(state, TerminologyState)
    assert state.url_prefix == PREFIX
    assert state.registry is registry


def test_capability_statement_uses_the_prefix(host: Flask) -> None:
    statement = host.test_client().get(f"{PREFIX}/metadata").json
    assert statement["implementation"]["url"] == f"http://localhost{PREFIX}"
    assert statement["url"] == f"http://localhost{PREFIX}/metadata"


def test_capability_statement_includes_the_hosts_script_root(host: Flask) -> None:
    # the host app mounted below /portal (SCRIPT_NAME), as behind a DispatcherMiddleware or a proxy
    statement = host.test_client().get(f"{PREFIX}/metadata", base_url="http://example.org/portal/").json
    assert statement["implementation"]["url"] == f"http://example.org/portal{PREFIX}"


def test_host_before_request_hooks_apply_to_terminology_routes(registry: Registry) -> None:
    app = _host_app()

    @app.before_request
    def require_api_key():
        if request.headers.get("X-Api-Key") != "secret":
            abort(401)

    Terminology().init_app(app, url_prefix=PREFIX, registry=registry)
    client = app.test_client()
    assert _validate(client, PREFIX, "M48.48XA").status_code == 401
    assert client.get(f"{PREFIX}/metadata").status_code == 401
    assert client.get("/hello").status_code == 401
    allowed = _validate(client, PREFIX, "M48.48XA", headers={"X-Api-Key": "secret"})
    assert allowed.status_code == 200
    assert _parameter(allowed.json, "result")["valueBoolean"] is True


def test_unknown_path_below_the_prefix_is_a_fhir_404(host: Flask) -> None:
    response = host.test_client().get(f"{PREFIX}/NoSuchResource")
    assert response.status_code == 404
    assert response.content_type.startswith("application/fhir+json")
    assert response.json["resourceType"] == "OperationOutcome"
    assert response.json["issue"][0]["code"] == "not-found"


def test_unknown_path_outside_the_prefix_is_the_hosts_404(host: Flask) -> None:
    response = host.test_client().get("/no/such/page")
    assert response.status_code == 404
    assert response.content_type.startswith("text/html")
    assert b"OperationOutcome" not in response.data


def test_config_keys_are_honoured(registry: Registry) -> None:
    app = _host_app()
    app.config.update(TERMINOLOGY_URL_PREFIX="/tx/", TERMINOLOGY_MAX_BODY_BYTES=200)
    state = Terminology().init_app(app, registry=registry)
    assert state.url_prefix == "/tx"
    client = app.test_client()

    assert _parameter(_validate(client, "/tx", "M48.48XA").json, "result")["valueBoolean"] is True
    assert client.get("/fhir/metadata").status_code == 404  # the default prefix is not mounted
    assert client.get("/tx/metadata").json["implementation"]["url"] == "http://localhost/tx"

    small = {"resourceType": "Parameters", "parameter": [{"name": "url", "valueUri": ICD10CM}, {"name": "code", "valueCode": "A00.0"}]}
    assert len(json.dumps(small)) <= 200
    response = client.post("/tx/CodeSystem/$validate-code", data=json.dumps(small), content_type="application/fhir+json")
    assert response.status_code == 200

    large = {**small, "id": "x" * 300}
    response = client.post("/tx/CodeSystem/$validate-code", data=json.dumps(large), content_type="application/fhir+json")
    assert response.status_code == 413
    assert response.json["resourceType"] == "OperationOutcome"
    assert response.json["issue"][0]["code"] == "too-long"


def test_constructor_form(registry: Registry) -> None:
    app = _host_app()
    extension = Terminology(app, registry=registry, url_prefix=PREFIX)
    assert app.extensions["terminology"].registry is registry
    assert extension.registry is registry
    assert _parameter(_validate(app.test_client(), PREFIX, "M48.48").json, "result")["valueBoolean"] is True
    assert app.test_client().get("/hello").status_code == 200


def test_create_app_serves_below_fhir(registry: Registry) -> None:
    app = create_app(registry=registry)
    client = app.test_client()
    statement = client.get("/fhir/metadata").json
    assert statement["resourceType"] == "CapabilityStatement"
    assert statement["implementation"]["url"] == "http://localhost/fhir"
    assert _parameter(_validate(client, "/fhir", "M48.48XA").json, "result")["valueBoolean"] is True
    missing = client.get("/fhir/NoSuchResource")
    assert missing.status_code == 404
    assert missing.json["resourceType"] == "OperationOutcome"


def test_create_app_leaves_other_paths_to_flask(registry: Registry) -> None:
    client = create_app(registry=registry).test_client()
    for path in ("/fhirish", "/other/fhir/metadata"):  # (the root is the code browser's page)
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.content_type.startswith("text/html"), path


def test_create_app_honours_config(registry: Registry) -> None:
    client = create_app({"TERMINOLOGY_URL_PREFIX": "/r4"}, registry=registry).test_client()
    assert client.get("/r4/metadata").json["implementation"]["url"] == "http://localhost/r4"
    assert client.get("/fhir/metadata").status_code == 404


def test_resource_paths_are_served(tmp_path) -> None:
    """FHIR resources named in TERMINOLOGY_RESOURCE_PATHS (here a folder) are served beside ICD-10-CM."""
    folder = tmp_path / "terminology"
    folder.mkdir()
    animals = json.loads((Path(__file__).parent / "fixtures" / "codesystem-animals.json").read_text())
    (folder / "animals.json").write_text(json.dumps(animals))
    app = Flask("host")
    app.config.update(TERMINOLOGY_RESOURCE_PATHS=[str(folder)], TERMINOLOGY_CACHE_DIR=str(tmp_path / "cache"))
    Terminology().init_app(app)
    answer = app.test_client().get(
        "/fhir/CodeSystem/$validate-code", query_string={"url": animals["url"], "code": "dog"}
    ).get_json()
    [result] = [p["valueBoolean"] for p in answer["parameter"] if p["name"] == "result"]
    assert result is True
    icd = app.test_client().get("/fhir/CodeSystem/$validate-code?url=http://hl7.org/fhir/sid/icd-10-cm&code=M48.48XA")
    assert icd.status_code == 200

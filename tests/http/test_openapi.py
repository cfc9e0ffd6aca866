"""terminology.http.openapi: ``[base]/openapi.json``, a valid OpenAPI 3 description of exactly the routes,
whose parameters are those the server takes and those its CapabilityStatement and definitions publish."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from terminology.http.openapi import openapi_description
from terminology.web.blueprint import EXTENSION_KEY

BASE = "http://tx.example.org/fhir"


@pytest.fixture(scope="module")
def description(client) -> dict:
    answer = client.get("/fhir/openapi.json")
    assert (answer.status_code, answer.content_type) == (200, "application/json")
    return answer.get_json()


@pytest.fixture(scope="module")
def router(app):
    return app.extensions[EXTENSION_KEY].dispatcher.router


def _described(description: dict) -> set[tuple[str, str]]:
    return {(path, method.upper()) for path, item in description["paths"].items() for method in item if method != "parameters"}


def _query_names(description: dict, path: str) -> set[str]:
    return {parameter["name"] for parameter in description["paths"][path]["get"]["parameters"]} - {"_format"}


def _body_names(description: dict, path: str) -> set[str]:
    schema_name = description["paths"][path]["post"]["requestBody"]["content"]["application/fhir+json"]["schema"]["$ref"].rpartition("/")[2]
    items = description["components"]["schemas"][schema_name]["properties"]["parameter"]["items"]["anyOf"]
    return {item["properties"]["name"]["enum"][0] for item in items}


def test_it_is_a_valid_openapi_3_document_served_at_the_base(description) -> None:
    validate(description)
    assert description["openapi"].startswith("3.")
    assert description["servers"] == [{"url": "http://localhost/fhir"}]


def test_it_describes_every_route_and_method_and_nothing_else(description, router) -> None:
    routed = {(path, method) for path, methods in router.methods().items() for method in methods}
    assert _described(description) == routed
    for path, method in _described(description):
        router.resolve(method, path.replace("{id}", "some-id"))  # (raises for what is not routed)


@pytest.mark.parametrize("path", ["/Foo/$bar", "/CodeSystem/{id}/history/1", "/ValueSet/$unknown"])
def test_a_route_it_cannot_describe_is_refused_not_left_out(path) -> None:
    with pytest.raises(ValueError, match="terminology/http/openapi.py|No parameters"):
        openapi_description({path: ("GET",)}, BASE)


def test_each_operation_takes_the_query_parameters_described_and_refuses_others(description, client) -> None:
    operations = [path for path, item in description["paths"].items() if "$" in path and "{id}" not in path and "get" in item]
    assert len(operations) >= 7
    for path in operations:
        for name in _query_names(description, path):
            answer = client.get(f"/fhir{path}", query_string={name: "x"})
            assert "does not take" not in answer.get_data(as_text=True), (path, name)
        if _query_names(description, path):
            refused = client.get(f"/fhir{path}", query_string={"notAParameter": "x"})
            assert refused.status_code == 400 and "does not take" in refused.get_data(as_text=True), path


def test_each_search_takes_the_parameters_described(description, client) -> None:
    for kind in ("CodeSystem", "ValueSet", "ConceptMap"):
        for name in _query_names(description, f"/{kind}"):
            answer = client.get(f"/fhir/{kind}", query_string={name: "1"})
            assert "does not support the parameter" not in answer.get_data(as_text=True), (kind, name)


def test_it_agrees_with_the_capability_statement_and_the_published_definitions(description, client) -> None:
    statement = client.get("/fhir/metadata").get_json()
    for resource in statement["rest"][0]["resource"]:
        for operation in resource.get("operation", []):
            assert f"/{resource['type']}/${operation['name']}" in description["paths"]
        if resource.get("searchParam"):
            assert {p["name"] for p in resource["searchParam"]} <= _query_names(description, f"/{resource['type']}")
    capabilities = client.get("/fhir/metadata", query_string={"mode": "terminology"}).get_json()
    assert {p["name"] for p in capabilities["expansion"]["parameter"]} <= _body_names(description, "/ValueSet/$expand")
    definition = client.get("/fhir/OperationDefinition/CodeSystem-drg-cc-exclusion").get_json()
    assert {p["name"] for p in definition["parameter"] if p["use"] == "in"} == _body_names(description, "/CodeSystem/$drg-cc-exclusion")


def test_a_batch_entry_cannot_ask_for_it(client) -> None:
    bundle = {"resourceType": "Bundle", "type": "batch", "entry": [{"request": {"method": "GET", "url": "openapi.json"}}]}
    entry = client.post("/fhir", json=bundle, content_type="application/fhir+json").get_json()["entry"][0]
    assert entry["response"]["status"].startswith("400")
    assert "not one" in entry["resource"]["issue"][0]["details"]["text"]

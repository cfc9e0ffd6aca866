"""/metadata: the CapabilityStatement, and the TerminologyCapabilities with ?mode=terminology."""

from __future__ import annotations

import pytest

from terminology import __version__
from terminology.fhir.search import SEARCH_PARAMETERS

from .helpers import ICD10CM, error_outcome, resource_of


@pytest.fixture(scope="module")
def statement(client):
    return resource_of(client.get("/fhir/metadata"))


def test_capability_statement(statement):
    assert statement["resourceType"] == "CapabilityStatement"
    assert statement["instantiates"] == ["http://hl7.org/fhir/CapabilityStatement/terminology-server"]
    assert statement["fhirVersion"] == "4.0.1"
    assert statement["kind"] == "instance"
    assert statement["status"] == "active"
    assert statement["software"]["version"] == __version__
    assert statement["software"]["releaseDate"]
    assert statement["implementation"]["url"] == "http://localhost/fhir"
    assert {"application/fhir+json", "application/fhir+xml"} <= set(statement["format"])


def test_rest(statement):
    [rest] = statement["rest"]
    assert rest["mode"] == "server"
    assert rest["security"]["description"]
    assert rest["security"]["cors"] is True
    [code_system] = [r for r in rest["resource"] if r["type"] == "CodeSystem"]
    assert {i["code"] for i in code_system["interaction"]} == {"read", "search-type"}
    assert {p["name"]: p["type"] for p in code_system["searchParam"]} == SEARCH_PARAMETERS["CodeSystem"]
    assert {o["name"]: o["definition"] for o in code_system["operation"]} == {
        "lookup": "http://hl7.org/fhir/OperationDefinition/CodeSystem-lookup",
        "validate-code": "http://hl7.org/fhir/OperationDefinition/CodeSystem-validate-code",
        "subsumes": "http://hl7.org/fhir/OperationDefinition/CodeSystem-subsumes",
        "drg-cc-exclusion": "http://fhir.icd10cm-terminology.org/OperationDefinition/CodeSystem-drg-cc-exclusion",
    }
    assert rest["interaction"] == [{"code": "batch"}]


@pytest.mark.parametrize("mode", ["full", "normative"])
def test_other_modes_give_the_statement(client, statement, mode):
    assert resource_of(client.get("/fhir/metadata", query_string={"mode": mode})) == statement


def test_the_statement_in_xml(client, statement):
    assert resource_of(client.get("/fhir/metadata?_format=xml"), format="xml") == statement


def test_terminology_capabilities(client):
    capabilities = resource_of(client.get("/fhir/metadata?mode=terminology"))
    assert capabilities["resourceType"] == "TerminologyCapabilities"
    assert capabilities["kind"] == "instance"
    assert capabilities["software"] == {"name": "terminology", "version": __version__}  # R4 has no releaseDate here
    [code_system] = [item for item in capabilities["codeSystem"] if item["uri"] == ICD10CM]
    # the embedded releases, each a version; the newest the default
    assert {version["code"]: version["isDefault"] for version in code_system["version"]} == {"2021": False, "2025": False, "2026": True}
    uris = {item["uri"] for item in capabilities["codeSystem"]}
    assert "http://hl7.org/fhir/administrative-gender" in uris  # FHIR's own code systems too
    assert "tx-resource" in {p["name"] for p in capabilities["expansion"]["parameter"]}
    assert resource_of(client.get("/fhir/metadata?mode=terminology&_format=xml"), format="xml") == capabilities


def test_unknown_mode(client):
    outcome = error_outcome(client.get("/fhir/metadata?mode=bogus"), 400)
    assert "'bogus'" in outcome["issue"][0]["details"]["text"]
    assert "mode" in outcome["issue"][0]["details"]["text"]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_metadata_is_read_only(client, method):
    outcome = error_outcome(client.open("/fhir/metadata", method=method), 405)
    assert outcome["issue"][0]["code"] == "not-supported"


def test_trailing_slash(client, statement):
    assert resource_of(client.get("/fhir/metadata/")) == statement

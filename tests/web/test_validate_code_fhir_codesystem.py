"""CodeSystem/$validate-code on FHIR CodeSystems sent as tx-resource: concept status, supplements."""

from __future__ import annotations

from typing import Any

import pytest

from fixture_resources import ANIMALS, SUPPLEMENT, resources

from .helpers import issues, param, parameters, parameters_body, resource_of

VALIDATE = "/fhir/CodeSystem/$validate-code"
TX_RESOURCES = [{"name": "tx-resource", "resource": r} for r in resources()]
AGEING = {
    "resourceType": "CodeSystem", "url": "http://example.org/fhir/CodeSystem/ageing", "status": "active",
    "content": "complete",
    "concept": [
        {"code": "old", "display": "Old", "extension": [
            {"url": "http://hl7.org/fhir/StructureDefinition/structuredefinition-standards-status", "valueCode": "deprecated"},
        ]},
        {"code": "new", "display": "New", "designation": [{"value": "Fresh", "extension": [
            {"url": "http://hl7.org/fhir/StructureDefinition/structuredefinition-standards-status", "valueCode": "withdrawn"},
        ]}]},
    ],
}  # fmt: skip


def _validate(client, *entries: dict[str, Any]) -> dict[str, Any]:
    body = parameters_body(*entries, *TX_RESOURCES, {"name": "tx-resource", "resource": AGEING})
    return resource_of(client.post(VALIDATE, data=body, content_type="application/fhir+json"))


def _coding(system: str, code: str) -> dict[str, Any]:
    return {"name": "coding", "valueCoding": {"system": system, "code": code}}


def _message_ids(result) -> list[str]:
    return [ext["valueString"] for issue in issues(result) for ext in issue.get("extension", [])]


def test_a_deprecated_concept_is_valid_with_a_warning_and_its_status(client):
    result = _validate(client, _coding(AGEING["url"], "old"))
    assert param(result, "result") is True
    assert param(result, "status") == "deprecated"
    assert _message_ids(result) == ["DEPRECATED_CONCEPT_FOUND"]
    assert param(result, "message") == "The concept 'old' is deprecated and its use should be reviewed"


@pytest.mark.parametrize("system, code, status", [(AGEING["url"], "new", None), (ANIMALS, "mammoth", "retired"), (ANIMALS, "dog", None)])
def test_the_status_is_reported_only_for_a_concept_on_its_way_out(client, system, code, status):
    assert param(_validate(client, _coding(system, code)), "status") == status


def test_a_supplement_is_no_code_system_to_code_in(client):
    result = _validate(client, _coding(SUPPLEMENT, "bird"))
    assert param(result, "result") is False
    assert _message_ids(result) == ["CODESYSTEM_CS_NO_SUPPLEMENT"]
    assert param(result, "message") == (
        f"CodeSystem {SUPPLEMENT}|1.0.0 is a supplement, so can't be used as a value in Coding.system"
    )
    assert parameters(result, "x-caused-by-unknown-system") != []


def test_a_version_of_a_code_system_that_is_not_known_at_all(client):
    nope = "http://example.org/fhir/CodeSystem/nope"
    result = _validate(client, {"name": "coding", "valueCoding": {"system": nope, "version": "1.0", "code": "a"}})
    assert param(result, "result") is False
    assert _message_ids(result) == ["UNKNOWN_CODESYSTEM_VERSION_NONE"]
    assert param(result, "message").endswith("version '1.0' could not be found, so the code cannot be validated. No versions of this code system are known")
    assert param(result, "x-caused-by-unknown-system") == nope  # the system is what is missing, not a version of it


def test_a_display_that_is_no_longer_correct_is_valid_with_a_warning(client):
    entries = ({"name": "url", "valueUri": AGEING["url"]}, {"name": "code", "valueCode": "new"}, {"name": "display", "valueString": "Fresh"})
    result = _validate(client, *entries)
    assert param(result, "result") is True
    (issue,) = issues(result)
    assert issue["severity"] == "warning"
    assert issue["details"]["text"] == (
        "'Fresh' is no longer considered a correct display for code 'new' (status = withdrawn). The correct display is one of \"New\"."
    )

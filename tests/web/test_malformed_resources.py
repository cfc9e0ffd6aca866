"""A ValueSet or CodeSystem with elements of the wrong JSON type, sent with a request (``valueSet``,
``tx-resource``) or given at start-up (``--resources``): a 400 OperationOutcome naming the element
where its content is used, never a 500; and a server given one still starts, holding it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fixture_resources import ANIMALS, VS
from terminology.content import build_registry
from terminology.web.app import create_app

from .helpers import FHIR_JSON, error_outcome, issues, outcome_text, param, parameters_body, resource_of

VALIDATE_IN_VALUE_SET = "/fhir/ValueSet/$validate-code"
VALIDATE_IN_CODE_SYSTEM = "/fhir/CodeSystem/$validate-code"
CODE = [{"name": "system", "valueUri": ANIMALS}, {"name": "code", "valueCode": "cat"}]
# (include, the element it names)
MALFORMED_INCLUDES = [
    ({"system": ANIMALS, "version": 2026}, "ValueSet.compose.include[0].version"),
    ({"system": 2026}, "ValueSet.compose.include[0].system"),
    ({"valueSet": "http://example.org/fhir/ValueSet/other"}, "ValueSet.compose.include[0].valueSet"),
    ({"system": ANIMALS, "concept": [{"code": "cat", "display": 5}]}, "ValueSet.compose.include[0].concept[0].display"),
]
# (an R4 primitive's extensions belong in ``_op``; a string there is taken as no extensions)
FILTER_WITH_AN_OP_STRING = {"system": ANIMALS, "filter": [{"property": "concept", "op": "is-a", "value": "mammal", "_op": "x"}]}
ANIMALS_WITH_A_BAD_DISPLAY = {
    "resourceType": "CodeSystem", "id": "bad-animals", "url": ANIMALS + "-bad", "status": "active", "content": "complete",
    "concept": [{"code": "cat", "display": "Cat"}, {"code": "dog", "display": ["Dog"]}],
}  # fmt: skip


def _value_set(include: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "ValueSet", "id": "malformed", "url": VS + "malformed", "status": "active", "compose": {"include": [include]}}


def _refused(response, element: str) -> None:
    outcome = error_outcome(response, 400)
    assert element in outcome_text(outcome)
    assert [issue.get("expression") for issue in issues(outcome)] == [[element]]


def _post(client, url: str, *entries: dict[str, Any]):
    return client.post(url, data=parameters_body(*entries), content_type=FHIR_JSON)


@pytest.mark.parametrize("include, element", MALFORMED_INCLUDES)
def test_a_value_set_sent_as_value_set_is_refused_naming_the_element(client, include, element):
    _refused(_post(client, VALIDATE_IN_VALUE_SET, {"name": "valueSet", "resource": _value_set(include)}, *CODE), element)


@pytest.mark.parametrize("include, element", MALFORMED_INCLUDES)
def test_a_value_set_sent_as_tx_resource_is_refused_naming_the_element(client, include, element):
    response = _post(
        client, VALIDATE_IN_VALUE_SET, {"name": "url", "valueUri": VS + "malformed"}, {"name": "tx-resource", "resource": _value_set(include)}, *CODE
    )  # fmt: skip
    _refused(response, element)


def test_a_code_system_sent_as_tx_resource_is_refused_where_its_concepts_are_read(client):
    response = _post(
        client, VALIDATE_IN_CODE_SYSTEM, {"name": "tx-resource", "resource": ANIMALS_WITH_A_BAD_DISPLAY},
        {"name": "url", "valueUri": ANIMALS + "-bad"}, {"name": "code", "valueCode": "cat"},
    )  # fmt: skip
    _refused(response, "CodeSystem.concept[1].display")


@pytest.fixture(scope="module")
def given_malformed_resources(tmp_path_factory):
    """A client of a server started with malformed resources among its ``--resources``."""
    folder = tmp_path_factory.mktemp("resources")
    (folder / "valueset.json").write_text(json.dumps(_value_set(MALFORMED_INCLUDES[0][0])))
    (folder / "codesystem.json").write_text(json.dumps(ANIMALS_WITH_A_BAD_DISPLAY))
    (folder / "valueset-op.json").write_text(json.dumps({**_value_set(FILTER_WITH_AN_OP_STRING), "id": "op", "url": VS + "op"}))
    registry = build_registry(cache_dir=tmp_path_factory.mktemp("release-cache"), resource_paths=[folder])
    return create_app(registry=registry).test_client()


def test_a_server_given_malformed_resources_starts_and_holds_them(given_malformed_resources):
    client = given_malformed_resources
    read = client.get("/fhir/ValueSet/malformed")  # as it was given (so not valid R4)
    assert read.status_code == 200 and read.get_json()["compose"]["include"][0]["version"] == 2026
    assert resource_of(client.get("/fhir/CodeSystem/bad-animals"))["url"] == ANIMALS + "-bad"
    assert client.get("/fhir/ValueSet/op").status_code == 200
    # and it answers for the rest as ever
    known = _post(client, VALIDATE_IN_CODE_SYSTEM, {"name": "url", "valueUri": "http://hl7.org/fhir/sid/icd-10-cm"},
                  {"name": "code", "valueCode": "M48.48XA"})  # fmt: skip
    assert param(resource_of(known), "result") is True


def test_a_malformed_resource_given_at_start_up_is_refused_where_it_is_used(given_malformed_resources):
    client = given_malformed_resources
    _refused(_post(client, VALIDATE_IN_VALUE_SET, {"name": "url", "valueUri": VS + "malformed"}, *CODE), "ValueSet.compose.include[0].version")
    response = _post(client, VALIDATE_IN_CODE_SYSTEM, {"name": "url", "valueUri": ANIMALS + "-bad"}, {"name": "code", "valueCode": "cat"})
    _refused(response, "CodeSystem.concept[1].display")

"""MS-DRG over HTTP: ``CodeSystem/$drg-cc-exclusion`` (GET, POST, XML, its errors), its OperationDefinition and
its place in the CapabilityStatement; ``drg-severity`` in ``$lookup`` and in a value set's filter."""

from __future__ import annotations

import random

import orjson
import pytest

from msdrg_oracle import collection_members, severities, table_6k

from .helpers import ICD10CM, LOOKUP, error_outcome, param, parameters, parameters_body, resource_of

OPERATION = "/fhir/CodeSystem/$drg-cc-exclusion"
DEFINITION = "http://fhir.icd10cm-terminology.org/OperationDefinition/CodeSystem-drg-cc-exclusion"


def _answer(client, status=200, **query):
    return resource_of(client.get(OPERATION, query_string=query), status)


def test_get_post_and_form_give_one_answer(client):
    asked = {"principal": "A00.0", "secondary": "A00.1", "version": "2026"}
    answer = _answer(client, **asked)
    assert answer == {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "excluded", "valueBoolean": True},
            {"name": "severity", "valueCode": "cc"},
            {"name": "collection", "valueString": "0002"},
            {"name": "ms-drg-version", "valueString": "43.0"},
            {"name": "version", "valueString": "2026"},
            {"name": "message", "valueString": (
                "A00.1 is a CC in MS-DRG v43.0, but not under the principal diagnosis A00.0: A00.0 is in its PDX collection "
                "0002 (3 principal diagnoses), so A00.1 counts as a non-CC"
            )},
        ],
    }  # fmt: skip
    body = parameters_body(
        {"name": "principal", "valueCode": "A00.0"}, {"name": "secondary", "valueCode": "A00.1"}, {"name": "version", "valueString": "2026"}
    )
    assert resource_of(client.post(OPERATION, data=body, content_type="application/fhir+json")) == answer
    assert resource_of(client.post(OPERATION, data=asked)) == answer
    assert resource_of(client.get(OPERATION, query_string={**asked, "_format": "xml"}), format="xml") == answer


def test_the_conditions_of_parts_2_and_3(client):
    answer = _answer(client, principal="A00.0", secondary="R57.0", date="2026-06-01")
    assert (param(answer, "excluded"), param(answer, "discharged-alive-only"), param(answer, "issues")) == (False, True, None)
    trauma = _answer(client, principal="A00.0", secondary="S06.1X3A", version="2026")
    groups = [[(p["name"], next(v for k, v in p.items() if k.startswith("value"))) for p in g["part"]] for g in parameters(trauma, "drg-exclusion")]
    assert groups[0] == [("mdc", "01"), ("drg", "082"), ("drg", "083"), ("drg", "084"), ("title", "Traumatic Stupor and Coma >1 Hour")]
    assert [g[0][1] for g in groups] == ["01", "24", "24"]


def test_a_code_neither_cc_nor_mcc(client):
    answer = _answer(client, principal="A00.0", secondary="Z00.00", version="2026")
    assert param(answer, "excluded") is False
    assert param(answer, "severity") is None and param(answer, "collection") is None


def test_a_sample_agrees_with_table_6k(client):
    oracle, listed = table_6k(), severities()
    draw = random.Random(11)
    secondaries = [code for code, number in oracle.collection_of.items() if number is not None]
    for _ in range(100):
        secondary = draw.choice(secondaries)
        principal = draw.choice(collection_members()[oracle.collection_of[secondary]] if draw.random() < 0.5 else secondaries)
        answer = _answer(client, principal=principal, secondary=secondary, version="2026")
        assert param(answer, "excluded") == oracle.excludes(principal, secondary), (principal, secondary)
        assert param(answer, "severity") == listed[secondary]


def test_without_version_the_newest_release_answers_with_its_warning_where_it_is_not_in_effect(client):
    answer = _answer(client, principal="A00.0", secondary="A00.1", date="2027-01-15")
    assert param(answer, "version") == "2026"
    [issue] = param(answer, "issues")["issue"]
    assert issue["severity"] == "warning" and "2027-01-15" in issue["details"]["text"]


@pytest.mark.parametrize(
    ("query", "status", "said"),
    [
        ({"secondary": "A00.1"}, 400, "$drg-cc-exclusion needs the parameter 'principal'"),
        ({"principal": "A00.0"}, 400, "$drg-cc-exclusion needs the parameter 'secondary'"),
        ({"principal": "A00.0", "secondary": "A00.1", "code": "A00.1"}, 400, "does not take the parameter(s) 'code'"),
        ({"principal": "A00.0", "secondary": ""}, 400, "The parameter 'secondary' is empty"),
        ({"principal": "A00.0", "secondary": "A00.1", "date": "June"}, 400, "must be a date"),
        ({"principal": "A000", "secondary": "A00.1"}, 404, "did you mean 'A00.0'?"),
        ({"principal": "A00.0", "secondary": "XYZ"}, 404, "Unable to find code 'XYZ'"),
        ({"principal": "A00", "secondary": "A00.1"}, 400, "The principal diagnosis must be a billable code"),
        ({"principal": "A00.0", "secondary": "A00.1", "version": "2025"}, 404, "No MS-DRG version is loaded for ICD-10-CM version 2025"),
        ({"principal": "A00.0", "secondary": "A00.1", "date": "2021-06-01"}, 404, "No MS-DRG version is loaded for ICD-10-CM version 2021"),
        ({"principal": "A00.0", "secondary": "A00.1", "version": "1999"}, 404, "1999"),
    ],
)
def test_bad_requests_are_answered_with_what_is_wrong(client, query, status, said):
    [issue] = error_outcome(client.get(OPERATION, query_string=query), status)["issue"]
    assert said in issue["details"]["text"]


def test_repeated_parameters_and_other_methods_are_refused(client):
    error_outcome(client.get(f"{OPERATION}?principal=A00.0&principal=A00.9&secondary=A00.1"), 400)
    error_outcome(client.put(OPERATION), 405)


def test_the_operation_definition_is_served_and_declares_what_the_operation_takes(client):
    definition = resource_of(client.get("/fhir/OperationDefinition/CodeSystem-drg-cc-exclusion"))
    assert (definition["url"], definition["code"], definition["resource"]) == (DEFINITION, "drg-cc-exclusion", ["CodeSystem"])
    assert (definition["type"], definition["instance"], definition["system"]) == (True, False, False)
    inputs = {p["name"]: p["min"] for p in definition["parameter"] if p["use"] == "in"}
    assert inputs == {"principal": 1, "secondary": 1, "version": 0, "date": 0}
    outputs = {p["name"] for p in definition["parameter"] if p["use"] == "out"}
    answered = {p["name"] for p in _answer(client, principal="A00.0", secondary="R57.0", date="2027-01-01")["parameter"]}
    answered |= {p["name"] for p in _answer(client, principal="A00.0", secondary="J96.01", version="2026")["parameter"]}
    assert answered == outputs
    assert resource_of(client.get("/fhir/OperationDefinition/CodeSystem-drg-cc-exclusion?_format=xml"), format="xml") == definition
    assert "CodeSystem-drg-cc-exclusion" in error_outcome(client.get("/fhir/OperationDefinition/CodeSystem-lookup"), 404)["issue"][0]["details"]["text"]


def test_the_capability_statement_names_the_operation_and_its_definition(client):
    statement = resource_of(client.get("/fhir/metadata"))
    [code_system] = [r for r in statement["rest"][0]["resource"] if r["type"] == "CodeSystem"]
    assert {"name": "drg-cc-exclusion", "definition": DEFINITION} in code_system["operation"]
    assert {"type": "OperationDefinition", "interaction": [{"code": "read"}]} in statement["rest"][0]["resource"]


def test_lookup_gives_the_severity_in_fy2026_only(client):
    fy2026 = resource_of(client.get(LOOKUP, query_string={"system": ICD10CM, "code": "R57.0", "version": "2026"}))
    found = {p["part"][0]["valueCode"]: p["part"][1] for p in parameters(fy2026, "property") if p["part"][0]["valueCode"].startswith("drg-")}
    assert found == {
        "drg-severity": {"name": "value", "valueCode": "mcc"},
        "drg-cc-exclusion-collection": {"name": "value", "valueString": "1561"},
        "drg-discharged-alive-only": {"name": "value", "valueBoolean": True},
    }
    fy2025 = resource_of(client.get(LOOKUP, query_string={"system": ICD10CM, "code": "R57.0", "version": "2025", "property": "drg-severity"}))
    assert parameters(fy2025, "property") == []


def test_a_value_set_of_every_mcc_expands_to_the_mcc_list(client):
    value_set = {
        "resourceType": "ValueSet",
        "status": "active",
        "compose": {"include": [{"system": ICD10CM, "version": "2026", "filter": [{"property": "drg-severity", "op": "=", "value": "mcc"}]}]},
    }
    body = orjson.dumps({"resourceType": "Parameters", "parameter": [{"name": "valueSet", "resource": value_set}, {"name": "count", "valueInteger": 5000}]})
    expansion = resource_of(client.post("/fhir/ValueSet/$expand", data=body, content_type="application/fhir+json"))["expansion"]
    mcc = sorted(code for code, level in severities().items() if level == "mcc")
    assert expansion["total"] == len(mcc) == 3354
    assert sorted(c["code"] for c in expansion["contains"]) == mcc

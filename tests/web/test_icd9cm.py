"""ICD-9-CM over HTTP: $lookup, $validate-code (with the code meant where a code lacks its dot), $expand of a
value set that includes it, read and search of its CodeSystem, and the errors."""

from __future__ import annotations

import pytest

from .helpers import LOOKUP, VALIDATE, error_outcome, issues, outcome_text, param, parameters, parts, property_values, resource_of

ICD9CM = "http://hl7.org/fhir/sid/icd-9-cm"
SHORT_TITLE = {"system": "http://fhir.icd10cm-terminology.org/CodeSystem/icd9cm-designation-use", "code": "short-title", "display": "Short title"}


def _lookup(client, code: str, status: int = 200, **more: str):
    response = client.get(LOOKUP, query_string={"system": ICD9CM, "code": code, **more})
    return resource_of(response) if status == 200 else error_outcome(response, status)


def _validate(client, code: str, **more: str):
    return resource_of(client.get(VALIDATE, query_string={"url": ICD9CM, "code": code, **more}))


@pytest.mark.parametrize(
    "code, display, short, kind",
    [
        ("250.00", "Diabetes mellitus without mention of complication, type II or unspecified type, not stated as uncontrolled",
         "DMII wo cmp nt st uncntr", "diagnosis"),
        ("V45.81", "Aortocoronary bypass status", "Aortocoronary bypass", "diagnosis"),
        ("E880.9", "Accidental fall on or from other stairs or steps", "Fall on stair/step NEC", "diagnosis"),
        ("042", "Human immunodeficiency virus [HIV] disease", "Human immuno virus dis", "diagnosis"),
        ("00.01", "Therapeutic ultrasound of vessels of head and neck", "Ther ult head & neck ves", "procedure"),
        ("01.6", "Excision of lesion of skull", "Excise skull lesion", "procedure"),
    ],
)  # fmt: skip
def test_lookup(client, code, display, short, kind):
    answer = _lookup(client, code)
    assert (param(answer, "name"), param(answer, "version"), param(answer, "display")) == ("ICD9CM", "32", display)
    assert param(answer, "abstract") is False
    designations = [parts(p) for p in parameters(answer, "designation")]
    assert {"language": "en", "use": SHORT_TITLE, "value": short, "subproperty": []} in designations
    assert property_values(answer, "kind") == [kind]


def test_lookup_of_an_unknown_code_is_a_404(client):
    outcome = _lookup(client, "250.0", status=404)  # a category: CMS's files have no title for it
    assert "Unable to find code '250.0' in http://hl7.org/fhir/sid/icd-9-cm version 32" in outcome_text(outcome)


def test_validate_a_code(client):
    answer = _validate(client, "V45.81", display="Aortocoronary bypass status")
    assert (param(answer, "result"), param(answer, "version"), issues(answer)) == (True, "32", [])
    assert param(_validate(client, "E880.9", version="32"), "result") is True


@pytest.mark.parametrize("written, meant", [("25000", "250.00"), ("v4581", "V45.81"), ("E8809", "E880.9"), ("0001", "00.01")])
def test_a_code_without_its_dot_is_not_valid_and_names_the_code_meant(client, written, meant):
    answer = _validate(client, written)
    assert param(answer, "result") is False and param(answer, "normalized-code") == meant
    assert f"did you mean '{meant}'?" in param(answer, "message")


def test_a_code_that_may_be_a_diagnosis_or_a_procedure_names_none(client):
    answer = _validate(client, "0010")  # 001.0 (cholera) or 00.10 (implantation of chemotherapeutic agent)
    assert param(answer, "result") is False and param(answer, "normalized-code") is None
    assert [param(_validate(client, code), "display") for code in ("001.0", "00.10")] == [
        "Cholera due to vibrio cholerae", "Implantation of chemotherapeutic agent"]  # fmt: skip


def test_an_unknown_version_is_not_found(client):
    answer = _validate(client, "250.00", version="31")
    assert param(answer, "result") is False and "31" in param(answer, "message")


def test_a_malformed_request_is_a_400(client):
    outcome = error_outcome(client.get(LOOKUP, query_string={"system": ICD9CM}), 400)
    assert "code" in outcome_text(outcome)


def test_expand_a_value_set_of_procedures(client):
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "valueSet", "resource": {"resourceType": "ValueSet", "status": "active", "compose": {"include": [
            {"system": ICD9CM, "filter": [{"property": "kind", "op": "=", "value": "procedure"}]}]}}},
        {"name": "filter", "valueString": "ultrasound heart"}, {"name": "count", "valueInteger": 5}]}  # fmt: skip
    expansion = resource_of(client.post("/fhir/ValueSet/$expand", json=body, content_type="application/fhir+json"))["expansion"]
    codes = [(c["system"], c["code"]) for c in expansion["contains"]]
    assert (ICD9CM, "00.02") in codes and all(code[2] == "." for _, code in codes)
    assert {"name": "used-codesystem", "valueUri": f"{ICD9CM}|32"} in expansion["parameter"]


def test_every_diagnosis_by_the_implicit_value_set(client):
    expansion = resource_of(client.get("/fhir/ValueSet/$expand", query_string={"url": f"{ICD9CM}?fhir_vs", "count": "2"}))["expansion"]
    assert expansion["total"] == 18_449 and [c["code"] for c in expansion["contains"]] == ["001.0", "001.1"]


def test_read_and_search_the_code_system(client):
    resource = resource_of(client.get("/fhir/CodeSystem/icd-9-cm"))
    assert (resource["url"], resource["version"], resource["content"], resource["count"]) == (ICD9CM, "32", "complete", 18_449)
    assert resource["property"] == [{"code": "kind", "type": "code", "description": resource["property"][0]["description"]}]
    bundle = resource_of(client.get("/fhir/CodeSystem", query_string={"url": ICD9CM}))
    assert [entry["resource"]["id"] for entry in bundle["entry"]] == ["icd-9-cm"]

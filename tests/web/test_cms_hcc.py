"""The CMS-HCC content over HTTP: the ``hcc`` property in ``$lookup``, ``$translate`` of CMS's maps both ways,
the category code systems and maps read and searched, a value set filtered on ``hcc``, and errors. Every row
is checked in process (``tests/test_cms_hcc.py``, ``tests/providers/test_icd10cm_hcc.py``); here, a sample."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import ICD10CM, LOOKUP, error_outcome, outcome_text, param, parameters, parameters_body, parts, properties, resource_of

CMS_HCC = "http://terminology.hl7.org/CodeSystem/cmshcc"
CMS_RXHCC = "http://terminology.hl7.org/CodeSystem/cmsrxhcc"
TRANSLATE = "/fhir/ConceptMap/$translate"
V28_MAP = "http://fhir.icd10cm-terminology.org/ConceptMap/icd10cm-to-cmshcc-v28"
DIABETES = "Diabetes with Chronic Complications"


def _translate(client, status: int = 200, **query: str) -> dict[str, Any]:
    response = client.get(TRANSLATE, query_string=query)
    return resource_of(response) if status == 200 else error_outcome(response, status)


def _matches(resource: dict[str, Any]) -> list[dict[str, Any]]:
    return [{key: value for key, value in parts(match).items() if key != "subproperty"} for match in parameters(resource, "match")]


def test_a_lookup_gives_each_category_of_the_payment_years_of_the_release(client):
    resource = resource_of(client.get(LOOKUP, query_string={"system": ICD10CM, "code": "E11.22", "property": "hcc"}))
    found = properties(resource, "hcc")
    v28 = [p for p in found if p["value"]["version"] == "V28"]
    assert [p["value"] for p in v28] == [{"system": CMS_HCC, "version": "V28", "code": "37", "display": DIABETES}] * 2
    assert [{s["code"]: s["value"] for s in p["subproperty"]} for p in v28] == [{"model": "V28", "year": 2026}, {"model": "V28", "year": 2027}]
    assert {p["value"]["system"] for p in found} == {CMS_HCC, CMS_RXHCC}
    earlier = resource_of(client.get(LOOKUP, query_string={"system": ICD10CM, "code": "E11.22", "property": "hcc", "version": "2025"}))
    assert {s["value"] for p in properties(earlier, "hcc") for s in p["subproperty"] if s["code"] == "year"} == {2025, 2026}


def test_translate_a_code_by_the_maps_url_and_payment_year(client):
    resource = _translate(client, url=V28_MAP, conceptMapVersion="2026", system=ICD10CM, code="E11.22")
    assert param(resource, "result") is True and param(resource, "message") is None
    assert _matches(resource) == [
        {"equivalence": "wider", "concept": {"system": CMS_HCC, "version": "V28", "code": "37", "display": DIABETES}, "source": f"{V28_MAP}|2026"}
    ]


def test_translate_a_code_by_the_target_system_and_model(client):
    resource = _translate(client, system=ICD10CM, code="E11.22", targetsystem=f"{CMS_HCC}|V24")
    assert [(m["concept"]["code"], m["source"]) for m in _matches(resource)] == [
        ("18", "http://fhir.icd10cm-terminology.org/ConceptMap/icd10cm-to-cmshcc-v24|2025"),
        ("18", "http://fhir.icd10cm-terminology.org/ConceptMap/icd10cm-to-cmshcc-v24|2026"),
    ]


def test_translate_a_category_back_to_its_codes(client):
    resource = _translate(client, url=V28_MAP, conceptMapVersion="2026", system=CMS_HCC, version="V28", code="37", reverse="true")
    matches = _matches(resource)
    assert {m["equivalence"] for m in matches} == {"wider"} and {m["source"] for m in matches} == {f"{V28_MAP}|2026"}
    codes = {m["concept"]["code"] for m in matches}
    assert {"E11.22", "E10.21"} <= codes and len(codes) > 100
    assert {m["concept"]["system"] for m in matches} == {ICD10CM}


def test_a_translation_names_a_code_the_release_asked_about_does_not_have(client):
    resource = _translate(client, url=V28_MAP, conceptMapVersion="2025", system=ICD10CM, code="C86.0")
    assert param(resource, "result") is True
    assert param(resource, "message").startswith("C86.0 was billable until 2024-09-30; since FY2025 it is a header: use C86.00")


def test_the_maps_are_read_and_searched(client):
    bundle = resource_of(client.get("/fhir/ConceptMap", query_string={"url": V28_MAP, "_elements": "url,version"}))
    assert sorted(entry["resource"]["version"] for entry in bundle["entry"]) == ["2025", "2026", "2027"]
    read = resource_of(client.get("/fhir/ConceptMap/icd10cm-to-cmshcc-v28-2026"))
    assert (read["url"], read["version"]) == (V28_MAP, "2026")
    [group] = read["group"]
    assert (group["source"], group["target"], group["targetVersion"]) == (ICD10CM, CMS_HCC, "V28")
    assert {"code": "E11.22", "target": [{"code": "37", "display": DIABETES, "equivalence": "wider"}]} in group["element"]
    assert sum(len(element["target"]) for element in group["element"]) == 8_317


def test_a_model_is_a_version_of_the_category_code_system(client):
    read = resource_of(client.get("/fhir/CodeSystem/cmshcc-v28", query_string={"_summary": "false"}))
    assert (read["url"], read["version"], read["content"], len(read["concept"])) == (CMS_HCC, "V28", "complete", 115)
    assert {"code": "37", "display": DIABETES} in read["concept"]
    lookup = resource_of(client.get(LOOKUP, query_string={"system": CMS_HCC, "version": "V24", "code": "18"}))
    assert param(lookup, "display") == DIABETES and param(lookup, "version") == "V24"
    rx = resource_of(client.get(LOOKUP, query_string={"system": CMS_RXHCC, "code": "30"}))
    assert (param(rx, "version"), param(rx, "display")) == ("V08", "Diabetes with Complications")


def test_a_value_set_filters_on_a_category_of_a_model(client):
    value_set = {
        "resourceType": "ValueSet",
        "status": "active",
        "compose": {"include": [{"system": ICD10CM, "filter": [{"property": "hcc", "op": "=", "value": "V28|37"}]}]},
    }
    body = parameters_body({"name": "valueSet", "resource": value_set}, {"name": "count", "valueInteger": 5})
    expansion = resource_of(client.post("/fhir/ValueSet/$expand", data=body, content_type="application/fhir+json"))["expansion"]
    assert expansion["total"] > 100 and len(expansion["contains"]) == 5
    body = parameters_body({"name": "valueSet", "resource": value_set}, {"name": "coding", "valueCoding": {"system": ICD10CM, "code": "E11.22"}})
    assert param(resource_of(client.post("/fhir/ValueSet/$validate-code", data=body, content_type="application/fhir+json")), "result") is True


# -- errors ----------------------------------------------------------------------------------------


def test_an_unknown_map_or_payment_year_is_not_found(client):
    outcome = _translate(client, 404, url=V28_MAP, conceptMapVersion="2024", system=ICD10CM, code="E11.22")
    assert "version '2024'" in outcome_text(outcome)
    outcome = _translate(client, 404, url=V28_MAP.replace("v28", "v99"), system=ICD10CM, code="E11.22")
    assert "Unable to find ConceptMap" in outcome_text(outcome)


@pytest.mark.parametrize("version", ["V99", "V20X"])
def test_an_unknown_model_is_not_found(client, version):
    outcome = error_outcome(client.get(LOOKUP, query_string={"system": CMS_HCC, "version": version, "code": "37"}), 404)
    assert version in outcome_text(outcome)


def test_a_filter_value_that_names_no_model_is_a_bad_request(client):
    value_set = {
        "resourceType": "ValueSet",
        "status": "active",
        "compose": {"include": [{"system": ICD10CM, "filter": [{"property": "hcc", "op": "=", "value": "V99|37"}]}]},
    }
    body = parameters_body({"name": "valueSet", "resource": value_set})
    outcome = error_outcome(client.post("/fhir/ValueSet/$expand", data=body, content_type="application/fhir+json"), 400)
    assert "the models are" in outcome_text(outcome)

"""ValueSet/$expand and ValueSet/$validate-code on ICD-10-CM: implicit value sets, the typeahead
text index, the ICD-10-CM filters (billable, notSelectable, chapter, block), paging, too-costly."""

from __future__ import annotations

from typing import Any

import pytest
import simple_icd_10_cm as oracle

from .helpers import error_outcome, param, parameters_body, resource_of

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ALL = f"{ICD10CM}?fhir_vs"
EXPAND = "/fhir/ValueSet/$expand"


def _expand(client, status: int = 200, **query: Any) -> dict[str, Any]:
    response = client.get(EXPAND, query_string=query)
    return resource_of(response) if status == 200 else error_outcome(response, status)


def _codes(value_set: dict[str, Any]) -> list[str]:
    return [entry["code"] for entry in value_set["expansion"].get("contains", [])]


def _billable_value_set(**more: Any) -> dict[str, Any]:
    include: dict[str, Any] = {"system": ICD10CM, "filter": [{"property": "billable", "op": "=", "value": "true"}]}
    include.update(more)
    return {"resourceType": "ValueSet", "url": "http://example.org/fhir/ValueSet/icd-billable", "status": "active",
            "compose": {"include": [include]}}


def test_typeahead_finds_the_fatigue_fracture_of_the_sacrum_first(client):
    value_set = _expand(client, url=ALL, filter="fatigue fract sacr", count=5)
    assert _codes(value_set) == ["M48.48", "M48.48XA", "M48.48XD", "M48.48XG", "M48.48XS"]
    assert value_set["expansion"]["total"] == 5
    assert {"name": "filter", "valueString": "fatigue fract sacr"} in value_set["expansion"]["parameter"]
    assert {"name": "used-codesystem", "valueUri": f"{ICD10CM}|2026"} in value_set["expansion"]["parameter"]


@pytest.mark.parametrize("text", ["sacr fatigue fract", "FRACT FATIGUE SACR"])
def test_typeahead_words_in_any_order_and_case(client, text):
    assert _codes(_expand(client, url=ALL, filter=text, count=5))[0] == "M48.48"


def test_typeahead_by_inclusion_term(client):
    assert "M48.4" in _codes(_expand(client, url=ALL, filter="stress fracture vertebra", count=20))


def test_typeahead_by_code_prefix_lists_exactly_those_codes(client, registry):
    value_set = _expand(client, url=ALL, filter="M48.4", count=100)
    entries = registry.code_system(ICD10CM).release.entries
    expected = sorted(code for code in entries if code.startswith("M48.4"))
    assert sorted(_codes(value_set)) == expected
    assert _codes(value_set)[0] == "M48.4"
    assert value_set["expansion"]["total"] == len(expected)


def test_typeahead_pages_are_consistent(client):
    whole = _codes(_expand(client, url=ALL, filter="diab mell", count=60))
    first, second = (_codes(_expand(client, url=ALL, filter="diab mell", count=30, offset=o)) for o in (0, 30))
    assert first + second == whole
    assert _expand(client, url=ALL, filter="diab mell", count=1)["expansion"]["total"] > 60


def test_is_a_implicit_value_set(client):
    value_set = _expand(client, url=f"{ICD10CM}?fhir_vs=isa/M48.4", excludeNested="true")
    expected = [code for code in oracle.get_descendants("M48.4")]
    assert sorted(_codes(value_set)) == sorted(["M48.4", *expected])


def test_is_a_implicit_value_set_nests_by_default(client):
    (top,) = _expand(client, url=f"{ICD10CM}?fhir_vs=isa/M48.4")["expansion"]["contains"]
    assert top["code"] == "M48.4"
    assert [child["code"] for child in top["contains"]] == sorted(oracle.get_children("M48.4"))


def test_the_whole_code_system_without_count_is_too_costly(client):
    outcome = _expand(client, status=422, url=ALL)
    assert outcome["issue"][0]["code"] == "too-costly"
    assert "count" in outcome["issue"][0]["details"]["text"]


def test_the_whole_code_system_in_pages(client):
    page = _expand(client, url=ALL, count=3, offset=0)
    assert page["expansion"]["total"] == 98444
    assert len(_codes(page)) == 3


def test_the_last_page_of_the_whole_code_system(client):
    page = _expand(client, url=ALL, count=10, offset=98440)
    last = oracle.get_all_codes(with_dots=True)[-1]  # the tabular list's order, which the expansion keeps
    assert page["expansion"]["total"] == 98444 and _codes(page)[-1] == last
    assert len(_codes(page)) == 4


def test_pages_of_a_chapter_join_up(client):
    value_set = {"resourceType": "ValueSet", "status": "active", "compose": {"include": [
        {"system": ICD10CM, "filter": [{"property": "chapter", "op": "=", "value": "13"}]}]}}  # fmt: skip

    def page(count: int, offset: int = 0) -> dict[str, Any]:
        body = parameters_body(
            {"name": "valueSet", "resource": value_set},
            {"name": "count", "valueInteger": count},
            {"name": "offset", "valueInteger": offset},
        )
        return resource_of(client.post(EXPAND, data=body, content_type="application/fhir+json"))

    whole = page(10_000)
    total = whole["expansion"]["total"]
    pages = [page(3_000, offset) for offset in range(0, total, 3_000)]
    assert [code for p in pages for code in _codes(p)] == _codes(whole)
    assert {p["expansion"]["total"] for p in pages} == {total} and len(_codes(whole)) == total > 8_000


def test_billable_filter_against_the_oracle(client):
    body = parameters_body({"name": "valueSet", "resource": _billable_value_set()}, {"name": "count", "valueInteger": 10})
    value_set = resource_of(client.post(EXPAND, data=body, content_type="application/fhir+json"))
    leaves = {code for code in oracle.get_all_codes() if "-" not in code and not code.isdigit() and oracle.is_leaf(code)}
    assert value_set["expansion"]["total"] == len(leaves)
    assert all(oracle.is_leaf(code) for code in _codes(value_set))


@pytest.mark.parametrize(("code", "member"), [("M48.48XA", True), ("M48.48", False), ("M48.4", False), ("A00.0", True)])
def test_validate_against_the_billable_filter_without_expanding(client, code, member):
    body = parameters_body(
        {"name": "valueSet", "resource": _billable_value_set()},
        {"name": "coding", "valueCoding": {"system": ICD10CM, "code": code}},
    )
    answer = resource_of(client.post("/fhir/ValueSet/$validate-code", data=body, content_type="application/fhir+json"))
    assert param(answer, "result") is member


@pytest.mark.parametrize(("prop", "value", "code", "member"), [
    ("chapter", "13", "M48.48XA", True), ("chapter", "19", "M48.48XA", False),
    ("block", "M45-M49", "M48.48XA", True), ("block", "M40-M54", "M48.48XA", False),
    ("notSelectable", "true", "M48.48", True), ("notSelectable", "true", "M48.48XA", False),
])  # fmt: skip
def test_icd10cm_property_filters(client, prop, value, code, member):
    value_set = _billable_value_set(filter=[{"property": prop, "op": "=", "value": value}])
    body = parameters_body(
        {"name": "valueSet", "resource": value_set}, {"name": "coding", "valueCoding": {"system": ICD10CM, "code": code}}
    )
    answer = resource_of(client.post("/fhir/ValueSet/$validate-code", data=body, content_type="application/fhir+json"))
    assert param(answer, "result") is member


@pytest.mark.parametrize(("prop", "value", "oracle_code"), [
    ("chapter", "13", "13"), ("chapter", "22", "22"), ("block", "M45-M49", "M45-M49"), ("block", "S00-S09", "S00-S09"),
])  # fmt: skip
def test_a_chapter_or_block_filter_expands_to_the_oracles_descendants(client, prop, value, oracle_code):
    value_set = {"resourceType": "ValueSet", "status": "active", "compose": {"include": [
        {"system": ICD10CM, "filter": [{"property": prop, "op": "=", "value": value}]}]}}  # fmt: skip
    body = parameters_body(
        {"name": "valueSet", "resource": value_set}, {"name": "count", "valueInteger": 10_000},
        {"name": "excludeNested", "valueBoolean": True},
    )
    expanded = _codes(resource_of(client.post(EXPAND, data=body, content_type="application/fhir+json")))
    assert expanded == list(dict.fromkeys(oracle.get_descendants(oracle_code)))  # (the oracle repeats a few)


def test_exclude_not_for_ui_leaves_out_headers(client):
    value_set = _expand(client, url=f"{ICD10CM}?fhir_vs=isa/M48.4", excludeNotForUI="true")
    assert "M48.4" not in _codes(value_set) and "M48.48" not in _codes(value_set)
    assert "M48.48XA" in _codes(value_set)
    assert all(oracle.is_leaf(code) for code in _codes(value_set))


def test_designations_are_the_inclusion_terms(client):
    value_set = _expand(client, url=f"{ICD10CM}?fhir_vs=isa/M48.4", includeDesignations="true", count=1)
    [entry] = value_set["expansion"]["contains"]
    assert entry["code"] == "M48.4"
    assert "Stress fracture of vertebra" in [d["value"] for d in entry.get("designation", [])]


def test_a_value_set_without_url_is_named_sensibly(client):
    value_set = _billable_value_set()
    del value_set["url"]
    body = parameters_body(
        {"name": "valueSet", "resource": value_set}, {"name": "coding", "valueCoding": {"system": ICD10CM, "code": "M48.48"}}
    )
    answer = resource_of(client.post("/fhir/ValueSet/$validate-code", data=body, content_type="application/fhir+json"))
    assert param(answer, "result") is False
    assert "'None'" not in param(answer, "message")
    assert "'(unidentified)'" in param(answer, "message")  # tx.fhir.org's words

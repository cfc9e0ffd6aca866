"""Search and read of every CodeSystem (supplements too), ValueSet and ConceptMap over HTTP: R4's
search parameters, paging with links, _summary, _elements, _total, and strict or lenient handling."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from terminology.fhir.search import SEARCH_PARAMETERS

from .helpers import ICD10CM, error_outcome, resource_of

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
GUIDANCE = RESOURCES / "icd10cm-guidance" / "package"
SUPPLEMENT_ID = "icd10cm-guidance-m4848"
SUBSETTED = {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"}


def _guidance(kind: str) -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted(GUIDANCE.glob(f"{kind}-*.json"))]


def _fhir_r4_value_sets() -> list[dict]:
    bundle = json.loads(gzip.decompress((RESOURCES / "fhir-r4" / "valuesets.json.gz").read_bytes()))
    return [entry["resource"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == "ValueSet"]


def _search(client, kind: str, query, status: int = 200, headers=None) -> dict:
    return resource_of(client.get(f"/fhir/{kind}", query_string=query, headers=headers or {}), status)


def _ids(bundle: dict) -> list[str]:
    return [entry["resource"]["id"] for entry in bundle.get("entry", []) if entry["search"]["mode"] == "match"]


# --- every resource findable ------------------------------------------------------------------


def test_the_guidance_supplement_is_listed_and_read(client):
    bundle = _search(client, "CodeSystem", {"url": f"http://fhir.icd10cm-terminology.org/CodeSystem/{SUPPLEMENT_ID}"})
    assert _ids(bundle) == [SUPPLEMENT_ID]
    read = resource_of(client.get(f"/fhir/CodeSystem/{SUPPLEMENT_ID}"))
    (written,) = [cs for cs in _guidance("CodeSystem") if cs["id"] == SUPPLEMENT_ID]
    assert read["content"] == "supplement" and read["supplements"] == written["supplements"]
    assert read["url"] == written["url"] and read["version"] == written["version"]


def test_a_search_leaves_content_as_it_is_and_marks_what_it_leaves_out(client):
    entries = _search(client, "CodeSystem", {"url": ICD10CM})["entry"]
    assert [entry["resource"]["version"] for entry in entries] == ["2021", "2025", "2026"]  # the embedded releases
    for entry in entries:
        assert entry["resource"]["content"] == "complete"
        assert "concept" not in entry["resource"] and SUBSETTED in entry["resource"]["meta"]["tag"]


def test_every_guidance_resource_is_found_by_its_id_and_url(client):
    for kind in ("CodeSystem", "ValueSet"):
        for resource in _guidance(kind):
            assert _ids(_search(client, kind, {"url": resource["url"]})) == [resource["id"]]
            assert resource_of(client.get(f"/fhir/{kind}/{resource['id']}"))["url"] == resource["url"]


# --- search parameters ------------------------------------------------------------------------


def test_supplements_and_content_mode(client):
    assert _ids(_search(client, "CodeSystem", {"supplements": ICD10CM})) == [SUPPLEMENT_ID]
    assert _ids(_search(client, "CodeSystem", {"supplements": f"{ICD10CM}|2026"})) == [SUPPLEMENT_ID]
    assert _ids(_search(client, "CodeSystem", {"supplements": f"{ICD10CM}|2025"})) == []
    supplements = _ids(_search(client, "CodeSystem", {"content-mode": "supplement", "_count": "1000"}))
    assert SUPPLEMENT_ID in supplements and "icd-10-cm" not in supplements


def test_reference_finds_the_value_sets_that_include_a_system(client):
    found = _search(client, "ValueSet", {"reference": ICD10CM, "_count": "1000"})
    expected = {
        vs["id"]
        for vs in _guidance("ValueSet") + _fhir_r4_value_sets()
        if any(include.get("system") == ICD10CM for include in (vs.get("compose") or {}).get("include", []))
    }
    assert expected and set(_ids(found)) == expected


def test_publisher_and_description(client):
    found = set(_ids(_search(client, "ValueSet", {"publisher": "the TERMINOLOGY", "_count": "1000"})))
    assert found == {vs["id"] for vs in _guidance("ValueSet")}
    contains = set(_ids(_search(client, "ValueSet", {"description:contains": "tells a fatigue fracture apart"})))
    assert contains == {"icd10cm-m4848-acute-traumatic-fractures"}


@pytest.mark.parametrize(
    ("date", "found"),
    [("2026-11-24", True), ("2026-11", True), ("ge2026", True), ("lt2026-11-24", False), ("gt2026-11-24", False), ("ne2026", False)],
)
def test_date(client, date, found):
    ids = set(_ids(_search(client, "ValueSet", {"date": date, "publisher": "The terminology project"})))
    assert (ids == {vs["id"] for vs in _guidance("ValueSet")}) if found else not ids


def test_identifier(client):
    value_sets = [vs for vs in _fhir_r4_value_sets() if vs.get("identifier")]
    chosen = value_sets[len(value_sets) // 2]
    identifier = chosen["identifier"][0]
    with_system = f"{identifier['system']}|{identifier['value']}"
    expected = {vs["id"] for vs in value_sets if any(i == identifier for i in vs["identifier"])}
    assert set(_ids(_search(client, "ValueSet", {"identifier": with_system}))) == expected
    assert chosen["id"] in set(_ids(_search(client, "ValueSet", {"identifier": identifier["value"]})))


def test_several_values_or_and_several_parameters_and(client):
    urls = [vs["url"] for vs in _guidance("ValueSet")][:2]
    assert len(_ids(_search(client, "ValueSet", {"url": ",".join(urls)}))) == 2
    assert _ids(_search(client, "ValueSet", [("url", urls[0]), ("url", urls[1])])) == []


def test_concept_map_source_and_target(maps_client):
    assert _ids(_search(maps_client, "ConceptMap", {"source": "http://example.org/fhir/ValueSet/animals-all"})) == ["animals-to-species"]
    assert _ids(_search(maps_client, "ConceptMap", {"target": "http://example.org/fhir/ValueSet/taxa"})) == ["animals-to-species"]
    assert _ids(_search(maps_client, "ConceptMap", {"target": "http://example.org/fhir/ValueSet/animals-all"})) == []
    assert _ids(_search(maps_client, "ConceptMap", {"publisher:missing": "true", "status": "draft"})) == ["colors-1-to-2"]


# --- paging and what is shown -----------------------------------------------------------------


def test_pages_follow_next_links_through_every_match(client):
    first = _search(client, "ValueSet", {"_count": "200"})
    total, ids, bundle = first["total"], [], first
    assert total >= len(_fhir_r4_value_sets()) + len(_guidance("ValueSet"))
    while True:
        ids += _ids(bundle)
        following = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
        if not following:
            break
        parts = urlsplit(following[0])
        bundle = _search(client, "ValueSet", parse_qsl(parts.query))
    assert len(ids) == len(set(ids)) == total


def test_default_page_and_previous_link(client):
    bundle = _search(client, "ValueSet", {"_offset": "100"})
    relations = {link["relation"]: link["url"] for link in bundle["link"]}
    assert len(bundle["entry"]) == 100 and "previous" in relations and "_offset=0" in relations["previous"]


def test_summary_count_true_and_elements(client):
    counted = _search(client, "ValueSet", {"_summary": "count"})
    assert counted["total"] > 600 and "entry" not in counted
    summary = _search(client, "ValueSet", {"url": "http://fhir.icd10cm-terminology.org/ValueSet/icd10cm-billable", "_summary": "true"})
    resource = summary["entry"][0]["resource"]
    assert "compose" not in resource and "description" not in resource and resource["name"] == "Icd10cmBillable"
    assert SUBSETTED in resource["meta"]["tag"]
    elements = _search(client, "ValueSet", {"url": "http://fhir.icd10cm-terminology.org/ValueSet/icd10cm-billable", "_elements": "title"})
    assert set(elements["entry"][0]["resource"]) == {"resourceType", "id", "meta", "status", "title"}
    assert "total" not in _search(client, "ValueSet", {"_total": "none", "_count": "1"})


def test_read_with_summary(client):
    resource = resource_of(client.get("/fhir/ValueSet/icd10cm-billable", query_string={"_summary": "true"}))
    assert "compose" not in resource and SUBSETTED in resource["meta"]["tag"]
    assert "compose" in resource_of(client.get("/fhir/ValueSet/icd10cm-billable"))


# --- strict and lenient -----------------------------------------------------------------------


def test_an_unknown_parameter_is_an_error_naming_what_is_supported(client):
    outcome = error_outcome(client.get("/fhir/ValueSet", query_string={"colour": "red"}), 400)
    text = json.dumps(outcome)
    assert "colour" in text and "reference" in text and "handling=lenient" in text


@pytest.mark.parametrize(("query", "says"), [("date=lately", "'lately' is not a FHIR date"), ("name:below=x", "does not take :below")])
def test_a_malformed_value_or_modifier_is_an_error(client, query, says):
    outcome = error_outcome(client.get(f"/fhir/ValueSet?{query}"), 400)
    assert says in outcome["issue"][0]["details"]["text"]


def test_lenient_handling_ignores_it_with_a_warning(client):
    bundle = _search(client, "ValueSet", {"colour": "red", "_count": "1"}, headers={"Prefer": "handling=lenient"})
    outcomes = [entry for entry in bundle["entry"] if entry["search"]["mode"] == "outcome"]
    assert len(outcomes) == 1 and "colour" in json.dumps(outcomes[0]["resource"])
    assert outcomes[0]["resource"]["issue"][0]["severity"] == "warning"


def test_the_capability_statement_lists_exactly_the_parameters_supported(client):
    (rest,) = resource_of(client.get("/fhir/metadata"))["rest"]
    for resource in rest["resource"]:
        listed = {parameter["name"]: parameter["type"] for parameter in resource.get("searchParam", [])}
        assert listed == SEARCH_PARAMETERS.get(resource["type"], {})  # (OperationDefinitions are read, not searched)
        for name in listed:  # each is accepted ...
            value = "2020" if listed[name] == "date" else "x"
            assert client.get(f"/fhir/{resource['type']}", query_string={name: value}).status_code == 200, name


# --- a code system given as a resource is shown as it was given ---------------------------------


def _v2_code_systems() -> list[dict]:
    bundle = json.loads(gzip.decompress((RESOURCES / "fhir-r4" / "v2-tables.json.gz").read_bytes()))
    return [entry["resource"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == "CodeSystem"]


def test_a_code_system_is_found_and_read_with_its_own_elements(client):
    chosen = next(cs for cs in _v2_code_systems() if cs.get("identifier") and cs.get("contact") and cs.get("concept"))
    identifier = chosen["identifier"][0]
    (entry,) = _search(client, "CodeSystem", {"identifier": f"{identifier['system']}|{identifier['value']}"})["entry"]
    read = resource_of(client.get(f"/fhir/CodeSystem/{chosen['id']}"))
    for shown in (entry["resource"], read):
        assert {key: value for key, value in shown.items() if key != "meta"} == {
            key: value for key, value in chosen.items() if key not in ("meta", "concept")
        }
        assert SUBSETTED in shown["meta"]["tag"]
    whole = resource_of(client.get(f"/fhir/CodeSystem/{chosen['id']}", query_string={"_summary": "false"}))
    assert whole["concept"] == chosen["concept"] and whole["identifier"] == chosen["identifier"]


def test_a_code_system_a_supplement_stands_in_for_is_listed_once(registry):
    from terminology.operations.search import search_code_systems
    from terminology.operations.search_criteria import Criterion, SearchRequest
    from terminology.operations.supplements import with_supplements

    supplemented = with_supplements(registry, [f"http://fhir.icd10cm-terminology.org/CodeSystem/{SUPPLEMENT_ID}"])
    page = search_code_systems(supplemented, SearchRequest((Criterion("url", "uri", (ICD10CM,)),)))
    releases = {found.metadata.version: found.get() for found in page.found}
    assert page.total == len(releases) == 3 and sorted(releases) == ["2021", "2025", "2026"]  # each release once
    assert releases["2026"] is supplemented.code_system(ICD10CM)  # the release the supplement names, supplemented
    assert (releases["2021"], releases["2025"]) == (registry.code_system(ICD10CM, "2021"), registry.code_system(ICD10CM, "2025"))

"""Search on the wire: reading a query, and the searchset Bundle of a page."""

from __future__ import annotations

import pytest

from terminology.errors import InvalidRequest
from terminology.fhir.search import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    SEARCH_PARAMETERS,
    lenient_handling,
    read_search,
    read_shown,
    searchset_bundle,
    subsetted,
)

SUBSETTED = {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"}


def test_criteria_with_modifiers_and_values() -> None:
    search = read_search("ValueSet", [("name:contains", "icd"), ("status", "active,draft"), ("date", "ge2020-01")])
    by_name = {criterion.name: criterion for criterion in search.request.criteria}
    assert by_name["name"].modifier == "contains" and by_name["name"].values == ("icd",)
    assert by_name["status"].values == ("active", "draft")
    assert by_name["date"].values[0].prefix == "ge"
    assert search.request.count == DEFAULT_PAGE_SIZE and search.request.offset == 0


def test_an_escaped_comma_is_part_of_a_value() -> None:
    (criterion,) = read_search("CodeSystem", [("publisher", r"Smith\, Jones")]).request.criteria
    assert criterion.values == ("Smith, Jones",)


def test_paging_and_summary_parameters() -> None:
    search = read_search("ConceptMap", [("_count", "5"), ("_offset", "10"), ("_total", "none")])
    assert (search.request.count, search.request.offset, search.total) == (5, 10, "none")
    assert read_search("ConceptMap", [("_count", str(MAX_PAGE_SIZE + 1))]).request.count == MAX_PAGE_SIZE
    assert read_search("ConceptMap", [("_summary", "count")]).request.count == 0


@pytest.mark.parametrize(
    "query",
    [
        [("nonsense", "x")],
        [("name:below", "x")],
        [("url:missing", "maybe")],
        [("date", "soon")],
        [("_count", "-1")],
        [("_count", "²")],
        [("date", "ge9999-12-31T23:59:59Z")],
        [("_offset", "x")],
        [("_summary", "short")],
        [("_total", "all")],
        [("_summary", "true"), ("_elements", "url")],
        [("_elements", "url,(x)")],
        [("_count", "1"), ("_count", "2")],
        [("status", "active,")],
    ],
)
def test_what_cannot_be_searched_is_an_error(query: list[tuple[str, str]]) -> None:
    with pytest.raises(InvalidRequest):
        read_search("ValueSet", query)


def test_lenient_handling_ignores_with_a_warning() -> None:
    search = read_search("ValueSet", [("nonsense", "x"), ("name:below", "x"), ("name", "icd")], lenient=True)
    assert [criterion.name for criterion in search.request.criteria] == ["name"]
    assert len(search.warnings) == 2 and "'nonsense'" in search.warnings[0]


def test_every_type_has_the_common_parameters() -> None:
    for kind, parameters in SEARCH_PARAMETERS.items():
        assert {"url", "version", "name", "title", "status", "publisher", "description", "date", "identifier"} <= set(parameters), kind


def test_summary_keeps_summary_and_mandatory_elements_and_marks_subsetted() -> None:
    resource = {"resourceType": "ValueSet", "id": "x", "url": "u", "status": "active", "description": "d", "compose": {}}
    shown = subsetted("ValueSet", resource, "true", ())
    assert set(shown) == {"resourceType", "id", "url", "status", "meta"}
    assert shown["meta"]["tag"] == [SUBSETTED]
    assert set(subsetted("ValueSet", resource, None, ("description",))) == {"resourceType", "id", "status", "description", "meta"}
    assert subsetted("ValueSet", resource, None, ()) == resource
    assert subsetted("ValueSet", resource, "false", ()) == resource


def test_summary_elements_are_r4s() -> None:
    from fhir.resources.R4B.codesystem import CodeSystem
    from fhir.resources.R4B.conceptmap import ConceptMap
    from fhir.resources.R4B.valueset import ValueSet

    for model in (CodeSystem, ValueSet, ConceptMap):
        summary = {name for name, field in model.model_fields.items() if (field.json_schema_extra or {}).get("summary_element_property")}
        resource = {name: "x" for name in model.model_fields if name != "meta"} | {"resourceType": model.__name__}
        shown = subsetted(model.__name__, resource, "true", ())
        assert set(shown) - {"resourceType"} == summary, model.__name__  # meta: added, to say SUBSETTED


def test_bundle_links_page_through_the_matches() -> None:
    search = read_search("ValueSet", [("name", "a"), ("_count", "2"), ("_offset", "2")])
    resources = [{"resourceType": "ValueSet", "id": f"v{n}", "status": "active"} for n in (2, 3)]
    bundle = searchset_bundle("ValueSet", resources, 5, search, "http://x/fhir", [("name", "a"), ("_count", "2"), ("_offset", "2")])
    links = {link["relation"]: link["url"] for link in bundle["link"]}
    assert links["self"] == "http://x/fhir/ValueSet?name=a&_count=2&_offset=2"
    assert links["next"] == "http://x/fhir/ValueSet?name=a&_count=2&_offset=4"
    assert links["previous"] == "http://x/fhir/ValueSet?name=a&_count=2&_offset=0"
    assert bundle["total"] == 5 and [entry["fullUrl"] for entry in bundle["entry"]] == ["http://x/fhir/ValueSet/v2", "http://x/fhir/ValueSet/v3"]


def test_the_last_page_has_no_next_link_and_total_none_no_total() -> None:
    search = read_search("ValueSet", [("_count", "2"), ("_offset", "4"), ("_total", "none")])
    bundle = searchset_bundle("ValueSet", [], 5, search, "http://x/fhir", [("_count", "2"), ("_offset", "4"), ("_total", "none")])
    assert {link["relation"] for link in bundle["link"]} == {"self", "previous"}
    assert "total" not in bundle and "entry" not in bundle


def test_a_lenient_search_carries_its_warnings_in_an_outcome_entry() -> None:
    search = read_search("ValueSet", [("nonsense", "x")], lenient=True)
    bundle = searchset_bundle("ValueSet", [], 0, search, "http://x/fhir", [("nonsense", "x")])
    (entry,) = bundle["entry"]
    assert entry["search"] == {"mode": "outcome"} and entry["resource"]["resourceType"] == "OperationOutcome"
    (issue,) = entry["resource"]["issue"]
    assert issue["severity"] == "warning" and "'nonsense'" in issue["details"]["text"]


def test_lenient_handling_is_read_from_prefer() -> None:
    assert lenient_handling("handling=lenient") and lenient_handling("return=minimal, handling = lenient")
    assert not lenient_handling(None) and not lenient_handling("handling=strict")


def test_a_read_shows_a_summary_or_elements_but_not_a_count() -> None:
    assert read_shown([("_summary", "true")]).summary == "true"
    assert read_shown([("_elements", "url,name")]).elements == ("url", "name")
    with pytest.raises(InvalidRequest):
        read_shown([("_summary", "count")])

"""Where a resource enters: read by its kind, its contained resources with it; and written back as it came."""

from __future__ import annotations

import pytest

from fixture_resources import ANIMALS, VS, value_set, with_contained_value_set
from terminology.definitions import CodeSystemDefinition, ConceptMapDefinition, SupplementDefinition, ValueSetDefinition
from terminology.definitions.implicit import implicit_value_set
from terminology.errors import InvalidRequest
from terminology.fhir.definitions import read_resource, resource_json


@pytest.mark.parametrize(
    "resource, kind",
    [
        ({"resourceType": "ValueSet"}, ValueSetDefinition),
        ({"resourceType": "CodeSystem", "content": "complete"}, CodeSystemDefinition),
        ({"resourceType": "CodeSystem", "content": "supplement", "supplements": ANIMALS}, SupplementDefinition),
        ({"resourceType": "ConceptMap"}, ConceptMapDefinition),
    ],
)
def test_each_kind_is_read_into_its_definition(resource, kind):
    assert type(read_resource(resource)) is kind


def test_other_kinds_are_passed_over_and_what_is_no_resource_is_refused():
    assert read_resource({"resourceType": "StructureDefinition"}) is None
    with pytest.raises(InvalidRequest) as raised:
        read_resource(["x"], "tx-resource")
    assert raised.value.expression == "tx-resource"


@pytest.mark.parametrize("contained_url", [None, VS + "penguin"])
def test_contained_resources_are_read_and_the_compose_names_them(contained_url):
    read = read_resource(with_contained_value_set(contained_url))
    name = contained_url or "#vs1"
    (contained,) = read.contained
    assert contained.url == name and contained.compose.includes[0].concepts[0].code == "penguin"
    assert read.compose.includes[0].value_sets == (name,)
    assert read.contained_canonicals == {name}


def test_contained_items_that_are_no_terminology_resources_are_passed_over():
    resource = {**with_contained_value_set(None)}
    resource["contained"] = [*resource["contained"], {"id": "x"}, {"resourceType": "Patient", "id": "p"}, "junk"]
    assert [c.url for c in read_resource(resource).contained] == ["#vs1"]


def test_a_resource_is_written_back_as_it_came():
    resource = value_set("filter-mammals")
    assert resource_json(read_resource(resource)) == resource


def test_an_implicit_value_set_is_written_from_what_it_holds():
    url = "http://hl7.org/fhir/sid/icd-10-cm?fhir_vs=isa/M48.4"
    system, definition = implicit_value_set(url)
    assert implicit_value_set(url)[1] is definition and system == "http://hl7.org/fhir/sid/icd-10-cm"
    assert resource_json(definition) == {
        "resourceType": "ValueSet", "url": url, "name": "Implicit", "title": f"M48.4 and the codes below it in {system}", "status": "active",
        "compose": {"include": [{"system": system, "filter": [{"property": "concept", "op": "is-a", "value": "M48.4"}]}]},
    }  # fmt: skip

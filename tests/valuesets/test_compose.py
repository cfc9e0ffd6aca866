"""Reading a ValueSet's compose: once per resource."""

from __future__ import annotations

from fixture_resources import ANIMALS, value_set
from terminology.valuesets import compose as compose_module
from terminology.valuesets.compose import read_compose
from terminology.valuesets.implicit import implicit_value_set


def test_a_resource_is_read_once_and_another_resource_anew():
    resource = value_set("filter-mammals")
    first = read_compose(resource)
    assert read_compose(resource) is first
    other = value_set("filter-mammals")
    other["compose"]["include"][0]["filter"][0]["value"] = "bird"
    assert read_compose(other).includes[0].filters[0].value == "bird"
    assert read_compose(resource).includes[0].filters[0].value == "mammal"


def test_the_remembered_composes_are_bounded():
    for index in range(compose_module._READ.limit + 10):
        read_compose({"resourceType": "ValueSet", "compose": {"include": [{"system": f"{ANIMALS}/{index}"}]}})
    assert len(compose_module._READ) <= compose_module._READ.limit


def test_an_implicit_value_set_is_one_resource_per_url():
    url = "http://hl7.org/fhir/sid/icd-10-cm?fhir_vs=isa/M48.4"
    assert implicit_value_set(url) is implicit_value_set(url)
    assert implicit_value_set(url)[1]["compose"]["include"][0]["filter"][0]["value"] == "M48.4"

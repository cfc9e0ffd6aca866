"""The registry's concept maps: by url, url|version (latest by default, wildcards), id, in layers."""

from __future__ import annotations

from fixture_resources import ANIMALS, COLORS
from terminology.definitions import ConceptMapDefinition, ResourceMetadata
from terminology.definitions.concept_map import MapGroup
from terminology.registry import Registry


def _map(version: str | None, id: str = "m", source: str = ANIMALS) -> ConceptMapDefinition:
    metadata = ResourceMetadata("ConceptMap", id=id, url="http://example.org/cm", version=version, status="draft")
    return ConceptMapDefinition(metadata, groups=(MapGroup(source, None, None, None),))


def test_registry_finds_maps_by_url_version_and_id():
    registry = Registry()
    old, new = _map("1.2.0", "old"), _map("1.10.0", "new")
    registry.add(old)
    registry.add(new)
    assert registry.concept_map("http://example.org/cm") is new  # the latest: 1.10 after 1.2
    assert registry.concept_map("http://example.org/cm", "1.2.0") is old
    assert registry.concept_map("http://example.org/cm|1.2.0") is old
    assert registry.concept_map("http://example.org/cm", "1.x") is new
    assert registry.concept_map("http://example.org/cm", "2.0.0") is None
    assert registry.concept_map_by_id("old") is old and registry.concept_map_by_id("nope") is None
    assert list(registry.concept_maps()) == [old, new]


def test_registry_keeps_two_maps_of_one_url_and_version():
    registry = Registry()
    first, second = _map("1", "a"), _map("1", "b", source=COLORS)
    registry.add(first)
    registry.add(second)
    assert registry.concept_maps_for("http://example.org/cm") == [first, second]
    assert registry.concept_map("http://example.org/cm", "1") is second


def test_registry_layers_maps_over_the_parent():
    parent = Registry()
    parent.add(_map("1", "base"))
    layer = Registry(parent)
    assert layer.concept_map_by_id("base").metadata.version == "1"
    assert layer.concept_map("http://example.org/cm").metadata.id == "base"
    request = _map("2", "request")
    layer.add(request)
    assert layer.concept_map("http://example.org/cm") is request
    assert layer.concept_map("http://example.org/cm", "1").metadata.id == "base"
    assert [m.metadata.id for m in layer.concept_maps()] == ["request", "base"]
    assert [m.metadata.id for m in parent.concept_maps()] == ["base"]  # the layer leaves the parent alone


def test_registry_ignores_a_map_without_url():
    registry = Registry()
    registry.add(ConceptMapDefinition(ResourceMetadata("ConceptMap", id="x", status="draft")))
    assert list(registry.concept_maps()) == [] and registry.concept_map_by_id("x") is None

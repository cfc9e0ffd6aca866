"""The registry: code systems, value sets and supplements by url, url|version and wildcard versions, in layers."""

from __future__ import annotations

import pytest

from conftest import assert_valid_r4
from fixture_resources import ANIMALS, COLORS, SHAPES, SUPPLEMENT, UNITS, VS, definition, fixture_registry, load, resources, value_set
from terminology.providers.codesystem import FhirCodeSystemProvider
from terminology.registry import Registry
from terminology.versions import version_key, version_matches


@pytest.fixture
def registry() -> Registry:
    return fixture_registry()


def _add(registry: Registry, resource: dict) -> None:
    registry.add(definition(resource))


def _with_version(resource, version, **changes):
    return {**resource, "version": version, **changes}


@pytest.mark.parametrize("resource", resources(), ids=lambda r: r["id"])
def test_fixtures_are_valid_r4(resource):
    assert_valid_r4(resource)


# --- versions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern, version, fits",
    [
        ("1.x", "1.0.0", True),
        ("1.x", "1.2.0", True),
        ("1.*", "1.2.0", True),
        ("1.x", "2.0.0", False),
        ("1.x", "10.0.0", False),
        ("1.0.x", "1.0.7", True),
        ("1.0.x", "1.2.0", False),
        ("1.x.0", "1.5.0", True),
        ("1.x.0", "1.5.1", False),
        ("1.0.0", "1.0.0", False),  # no wildcard: not a pattern
        ("1.x", None, False),
    ],
)
def test_version_matches(pattern, version, fits):
    assert version_matches(pattern, version) is fits


def test_version_key_orders_numerically():
    versions = ["1.10.0", "1.2.0", "1.9", "2", "1.2.0-beta", "0.9"]
    assert sorted(versions, key=version_key)[-1] == "2"
    assert sorted(versions, key=version_key).index("1.10.0") > sorted(versions, key=version_key).index("1.9")


# --- code systems ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, version, found",
    [
        (COLORS, None, "2.0.0"),  # the latest
        (COLORS, "1.0.0", "1.0.0"),
        (COLORS, "1.2.0", "1.2.0"),
        (COLORS, "2.0.0", "2.0.0"),
        (COLORS, "1.x", "1.2.0"),  # the latest that fits
        (COLORS, "1.0.x", "1.0.0"),
        (COLORS, "2.x", "2.0.0"),
        (COLORS, "3.x", None),
        (COLORS, "9.9.9", None),
        (ANIMALS, None, "1.0.0"),
        (ANIMALS, "1.0.0", "1.0.0"),
        (UNITS, "1", "1"),
        ("http://example.org/fhir/CodeSystem/nope", None, None),
        (SUPPLEMENT, None, None),  # a supplement is no code system
    ],
)
def test_code_system_lookup(registry, url, version, found):
    provider = registry.code_system(url, version)
    assert (provider.info.version if provider is not None else None) == found
    if provider is not None:
        assert provider.info.url == url


def test_a_version_s_own_codes(registry):
    assert registry.code_system(COLORS, "1.0.0").locate("blue") is None
    assert registry.code_system(COLORS, "2.0.0").locate("blue") is not None
    assert registry.code_system(COLORS, "1.x").locate("yellow") is not None


def test_versions(registry):
    assert registry.versions(COLORS) == ["1.0.0", "1.2.0", "2.0.0"]
    assert registry.versions(ANIMALS) == ["1.0.0"]
    assert registry.versions("http://example.org/nope") == []


def test_code_system_by_id(registry):
    assert registry.code_system_by_id("shapes").info.url == SHAPES
    assert registry.code_system_by_id("colors-1.2.0").info.version == "1.2.0"
    assert registry.code_system_by_id("nope") is None


def test_the_same_provider_each_time(registry):
    assert registry.code_system(ANIMALS) is registry.code_system(ANIMALS, "1.0.0")


def test_a_provider_added_as_default_wins_over_the_latest():
    registry = Registry()
    old = FhirCodeSystemProvider(definition(load("codesystem-colors-1.0.0.json")))
    new = FhirCodeSystemProvider(definition(load("codesystem-colors-2.0.0.json")))
    registry.add_code_system(new)
    registry.add_code_system(old, default=True)
    assert registry.code_system(COLORS) is old
    assert registry.code_system(COLORS, "2.0.0") is new
    assert sorted(registry.catalog()) == [(COLORS, "1.0.0", True), (COLORS, "2.0.0", False)]


def test_the_same_provider_version_twice_is_refused():
    registry = Registry()
    registry.add_code_system(FhirCodeSystemProvider(definition(load("codesystem-shapes.json"))))
    with pytest.raises(ValueError):
        registry.add_code_system(FhirCodeSystemProvider(definition(load("codesystem-shapes.json"))))


def test_a_resource_replaces_the_same_version():
    registry = Registry()
    _add(registry, load("codesystem-colors-1.0.0.json"))
    changed = load("codesystem-colors-1.0.0.json")
    changed["concept"].append({"code": "purple", "display": "Purple"})
    _add(registry, changed)
    assert registry.versions(COLORS) == ["1.0.0"]
    assert registry.code_system(COLORS).locate("purple") is not None


def test_placeholders_and_other_resources_are_left_out():
    registry = Registry()
    _add(registry, {**load("codesystem-shapes.json"), "content": "not-present", "concept": []})
    _add(registry, {"resourceType": "ConceptMap", "url": "http://example.org/cm"})
    _add(registry, {"resourceType": "CodeSystem", "content": "complete"})  # no url
    assert registry.code_system(SHAPES) is None
    assert list(registry.catalog()) == []


def test_catalog(registry):
    catalog = sorted(registry.catalog())
    assert catalog == [
        (ANIMALS, "1.0.0", True),
        (COLORS, "1.0.0", False),
        (COLORS, "1.2.0", False),
        (COLORS, "2.0.0", True),
        (SHAPES, "2024", True),
        (UNITS, "1", True),
    ]


# --- layers ---------------------------------------------------------------------------------


@pytest.fixture
def layered(registry) -> Registry:
    child = Registry(parent=registry)
    _add(child, 
        _with_version(load("codesystem-colors-2.0.0.json"), "2.0.0", concept=[{"code": "purple", "display": "Purple"}])
    )
    _add(child, _with_version(load("codesystem-colors-2.0.0.json"), "3.0.0", id="colors-3"))
    _add(child, {**load("codesystem-units.json"), "id": "units-child", "concept": [{"code": "g", "display": "Gram"}]})
    return child


def test_a_child_registry_shadows_its_parent(layered, registry):
    assert layered.code_system(COLORS, "2.0.0").locate("purple") is not None
    assert layered.code_system(COLORS, "2.0.0").locate("blue") is None
    assert registry.code_system(COLORS, "2.0.0").locate("purple") is None  # the parent is unchanged
    assert layered.code_system(COLORS).info.version == "3.0.0"
    assert layered.code_system(UNITS).locate("g") is not None and layered.code_system(UNITS).locate("KG") is None


def test_a_child_registry_falls_back_to_its_parent(layered, registry):
    assert layered.code_system(COLORS, "1.0.0") is registry.code_system(COLORS, "1.0.0")
    assert layered.code_system(COLORS, "1.x") is registry.code_system(COLORS, "1.2.0")
    assert layered.code_system(ANIMALS) is registry.code_system(ANIMALS)
    assert layered.code_system_by_id("shapes") is registry.code_system(SHAPES)
    assert layered.value_set(VS + "mixed") is registry.value_set(VS + "mixed")
    assert layered.supplement(SUPPLEMENT).metadata.id == "animals-de"
    assert layered.versions(COLORS) == ["1.0.0", "1.2.0", "2.0.0", "3.0.0"]


@pytest.mark.parametrize("parent_version, child_version, default", [("1.0.0", "2.0.0", "2.0.0"), ("2.0.0", "1.0.0", "2.0.0"), ("2018-08-12", "4.0.0", "4.0.0")])
def test_the_default_version_across_layers(parent_version, child_version, default):
    """The later of the two; versions of different kinds (a date, a number) do not compare: the child's stands."""
    parent = Registry()
    _add(parent, _with_version(load("codesystem-shapes.json"), parent_version))
    child = Registry(parent=parent)
    _add(child, _with_version(load("codesystem-shapes.json"), child_version))
    assert child.code_system(SHAPES).info.version == default
    assert [version for url, version, is_default in child.catalog() if is_default] == [default]  # the catalog agrees


def test_catalog_of_layers(layered):
    colors = sorted(entry for entry in layered.catalog() if entry[0] == COLORS)
    assert colors == [(COLORS, "1.0.0", False), (COLORS, "1.2.0", False), (COLORS, "2.0.0", False), (COLORS, "3.0.0", True)]
    units = [entry for entry in layered.catalog() if entry[0] == UNITS]
    assert units == [(UNITS, "1", True)]  # once, though both layers have it
    assert {url for url, _, _ in layered.catalog()} == {ANIMALS, COLORS, SHAPES, UNITS}


def test_catalog_of_a_layer_with_an_older_version_only(registry):
    """As a supplement of an older version makes one: the parent's default stays the one default."""
    child = Registry(parent=registry)
    _add(child, _with_version(load("codesystem-colors-1.0.0.json"), "1.0.0", concept=[{"code": "purple", "display": "Purple"}]))
    assert child.code_system(COLORS).info.version == "2.0.0"
    colors = sorted(entry for entry in child.catalog() if entry[0] == COLORS)
    assert colors == [(COLORS, "1.0.0", False), (COLORS, "1.2.0", False), (COLORS, "2.0.0", True)]


def test_code_system_entries_list_every_layer_without_making_providers(layered):
    entries = list(layered.code_system_entries())
    found = sorted((entry.metadata.url, entry.metadata.version) for entry in entries)
    assert (COLORS, "3.0.0") in found and (ANIMALS, "1.0.0") in found and (SHAPES, "2024") in found
    assert all(entry.provider is None for entry in entries if entry.definition is not None)
    assert {entry.content for entry in entries} <= {"complete", "fragment", "example"}


# --- value sets -----------------------------------------------------------------------------


@pytest.fixture
def versioned(registry) -> Registry:
    _add(registry, _with_version(load("valuesets-compose.json")["entry"][0]["resource"], "2.0.0", title="All v2"))
    _add(registry, _with_version(load("valuesets-compose.json")["entry"][0]["resource"], "1.10.0", title="All v1.10"))
    return registry


@pytest.mark.parametrize(
    "url, version, found",
    [
        (VS + "animals-all", None, "2.0.0"),  # the latest
        (VS + "animals-all", "1.0.0", "1.0.0"),
        (VS + "animals-all", "1.10.0", "1.10.0"),
        (VS + "animals-all|1.0.0", None, "1.0.0"),
        (VS + "animals-all|2.0.0", None, "2.0.0"),
        (VS + "animals-all|3.0.0", None, None),
        (VS + "animals-all", "3.0.0", None),
        (VS + "nope", None, None),
    ],
)
def test_value_set_lookup(versioned, url, version, found):
    resource = versioned.value_set(url, version)
    assert (resource.metadata.version if resource is not None else None) == found


def test_value_set_by_id(registry):
    assert registry.value_set_by_id("mixed").url == VS + "mixed"
    assert registry.value_set_by_id("nope") is None
    assert len(list(registry.value_sets())) == 51


def test_a_child_value_set_shadows_and_falls_back(registry):
    child = Registry(parent=registry)
    _add(child, _with_version(value_set("mixed"), "1.0.0", title="Shadowed"))
    assert child.value_set(VS + "mixed").metadata.title == "Shadowed"
    assert registry.value_set(VS + "mixed").metadata.title is None
    assert child.value_set(VS + "animals-all").metadata.version == "1.0.0"
    assert child.value_set_by_id("animals-all").url == VS + "animals-all"


# --- supplements ----------------------------------------------------------------------------


@pytest.mark.parametrize("canonical, version", [(SUPPLEMENT, None), (SUPPLEMENT + "|1.0.0", None), (SUPPLEMENT, "1.0.0")])
def test_supplement_lookup(registry, canonical, version):
    found = registry.supplement(canonical, version)
    assert found.metadata.id == "animals-de" and found.supplements == f"{ANIMALS}|1.0.0"


@pytest.mark.parametrize("canonical, version", [(SUPPLEMENT + "|2.0.0", None), ("http://example.org/nope", None), (ANIMALS, None)])
def test_unknown_supplement(registry, canonical, version):
    assert registry.supplement(canonical, version) is None


def test_supplement_without_version_is_the_latest(registry):
    _add(registry, _with_version(load("codesystem-animals-de.json"), "2.0.0"))
    assert registry.supplement(SUPPLEMENT).metadata.version == "2.0.0"
    assert registry.supplement(SUPPLEMENT, "1.0.0").metadata.version == "1.0.0"

"""The small CodeSystems and ValueSets of ``tests/fixtures/``: reading them, and a registry holding them."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from terminology.definitions import Definition, ValueSetDefinition
from terminology.fhir.definitions import read_resource
from terminology.registry import Registry

__all__ = [
    "ANIMALS",
    "COLORS",
    "CONCEPT_MAP_FILES",
    "FIXTURES",
    "SHAPES",
    "SUPPLEMENT",
    "UNITS",
    "VS",
    "definition",
    "fixture_registry",
    "load",
    "resources",
    "value_set",
    "value_set_definition",
    "with_contained_value_set",
    "with_deprecated_cat",
]

FIXTURES = Path(__file__).parent / "fixtures"
ANIMALS = "http://example.org/fhir/CodeSystem/animals"
SHAPES = "http://example.org/fhir/CodeSystem/shapes"
UNITS = "http://example.org/fhir/CodeSystem/units"
COLORS = "http://example.org/fhir/CodeSystem/colors"
SUPPLEMENT = "http://example.org/fhir/CodeSystem/animals-de"
VS = "http://example.org/fhir/ValueSet/"
CONCEPT_MAP_FILES = ("conceptmap-animals.json", "conceptmap-colors.json")


@cache
def _read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def load(name: str) -> dict[str, Any]:
    """A fresh copy of one fixture file (``codesystem-animals.json``): tests may change it."""
    return json.loads(_read(name))


def resources() -> list[dict[str, Any]]:
    """Every fixture resource (the Bundles' entries unpacked), fresh copies."""
    found = []
    for path in sorted(FIXTURES.glob("*.json")):
        resource = load(path.name)
        if resource["resourceType"] == "Bundle":
            found += [entry["resource"] for entry in resource["entry"]]
        else:
            found.append(resource)
    return found


def value_set(id: str) -> dict[str, Any]:
    return next(r for r in resources() if r["resourceType"] == "ValueSet" and r["id"] == id)


def value_set_definition(id: str) -> ValueSetDefinition:
    """The fixture value set ``id`` as the server reads it."""
    read = definition(value_set(id))
    assert isinstance(read, ValueSetDefinition)
    return read


def with_contained_value_set(contained_url: str | None) -> dict[str, Any]:
    """A value set (without url) of the penguin, from a contained value set it names by local reference,
    and the mammals."""
    contained = {
        "resourceType": "ValueSet", "id": "vs1", "status": "active",
        "compose": {"include": [{"system": ANIMALS, "concept": [{"code": "penguin"}]}]},
    }  # fmt: skip
    if contained_url is not None:
        contained["url"] = contained_url
    return {
        "resourceType": "ValueSet", "id": "with-contained", "status": "active", "contained": [contained],
        "compose": {"include": [{"valueSet": ["#vs1"]}, {"valueSet": [VS + "filter-mammals"]}]},
    }  # fmt: skip


DEPRECATED_IN_VALUE_SET = "http://hl7.org/fhir/StructureDefinition/valueset-deprecated"


def with_deprecated_cat() -> dict[str, Any]:
    """A value set of the dog and the cat that marks the cat deprecated in it."""
    return {
        "resourceType": "ValueSet", "url": VS + "cat-deprecated", "status": "active",
        "compose": {"include": [{"system": ANIMALS, "concept": [
            {"code": "dog"},
            {"code": "cat", "extension": [{"url": DEPRECATED_IN_VALUE_SET, "valueBoolean": True}]},
        ]}]},
    }  # fmt: skip


def definition(resource: dict[str, Any]) -> Definition:
    """A CodeSystem, ValueSet or ConceptMap as the server reads it where it enters."""
    read = read_resource(resource)
    assert read is not None, f"not a terminology resource: {resource.get('resourceType')}"
    return read


def fixture_registry(parent: Registry | None = None) -> Registry:
    registry = Registry(parent)
    for resource in resources():
        registry.add(definition(resource))
    return registry

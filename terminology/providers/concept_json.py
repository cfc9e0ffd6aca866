"""Reading what a CodeSystem resource says of its concepts (designations, properties, property
definitions), and what a supplement adds to the concepts of the code system it supplements."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..canonical import canonical_of
from ..extensions import annotations, carried, read_extensions
from ..model import Coding, Designation, Extension, Property, PropertyDefinition

__all__ = ["ConceptAdditions", "SupplementAdditions", "read_definition", "read_designation", "read_property", "read_supplement"]

_VALUE_KEYS = {
    "valueCode": "code",
    "valueString": "string",
    "valueBoolean": "boolean",
    "valueInteger": "integer",
    "valueDecimal": "decimal",
    "valueDateTime": "dateTime",
    "valueCoding": "Coding",
}


@dataclass(slots=True)
class ConceptAdditions:
    """What a supplement says of one concept; its designations name the supplement as their source."""

    designations: list[Designation] = field(default_factory=list)
    properties: list[Property] = field(default_factory=list)
    annotations: list[Property] = field(default_factory=list)  # stated by extensions (order, label ...)
    carried: list[Extension] = field(default_factory=list)  # extensions an expansion carries on


@dataclass(slots=True)
class SupplementAdditions:
    definitions: list[PropertyDefinition]
    concepts: dict[str, ConceptAdditions]  # by code, as the supplement writes it


def read_supplement(supplement: Mapping[str, Any]) -> SupplementAdditions:
    source = canonical_of(supplement)
    concepts: dict[str, ConceptAdditions] = {}
    for item in _flatten(supplement.get("concept") or ()):
        if not isinstance(item.get("code"), str):
            continue
        added = concepts.setdefault(item["code"], ConceptAdditions())
        added.designations += [read_designation(d, source) for d in item.get("designation") or () if isinstance(d, dict)]
        added.properties += [p for p in (read_property(p) for p in item.get("property") or ()) if p is not None]
        extensions = read_extensions(item)
        added.annotations += annotations(extensions)
        added.carried += carried(extensions)
    definitions = [read_definition(p) for p in supplement.get("property") or () if isinstance(p, dict)]
    return SupplementAdditions(definitions, concepts)


def read_definition(item: Mapping[str, Any]) -> PropertyDefinition:
    return PropertyDefinition(str(item.get("code", "")), str(item.get("type", "string")), item.get("description") or "", item.get("uri"))


def read_designation(item: Mapping[str, Any], source: str | None = None) -> Designation:
    use = item.get("use")
    use_coding = Coding(use.get("system"), use.get("version"), use.get("code"), use.get("display")) if isinstance(use, dict) else None
    return Designation(str(item.get("value", "")), item.get("language"), use_coding, read_extensions(item), source)


def read_property(item: Any) -> Property | None:
    """A concept's property value. Simple extensions on it qualify it: each is a subproperty, named by
    the last part of its url (``.../StructureDefinition/guidance-topic`` gives ``guidance-topic``)."""
    if not isinstance(item, dict) or not isinstance(item.get("code"), str):
        return None
    value = _typed_value(item)
    if value is None:
        return None
    qualifiers = tuple(
        Property(url.rstrip("/").rsplit("/", 1)[-1], *typed)
        for extension in item.get("extension") or ()
        if isinstance(extension, dict) and isinstance(url := extension.get("url"), str) and (typed := _typed_value(extension))
    )
    return Property(item["code"], *value, subproperties=qualifiers)


def _typed_value(item: Mapping[str, Any]) -> tuple[Any, str] | None:
    """(value, FHIR type) of an element's ``value[x]`` of a type a property can have."""
    for key, type_ in _VALUE_KEYS.items():
        if key in item:
            value = item[key]
            if type_ == "Coding" and isinstance(value, dict):
                value = Coding(value.get("system"), value.get("version"), value.get("code"), value.get("display"))
            return value, type_
    return None


def _flatten(concepts: Iterable[Any]) -> Iterator[Mapping[str, Any]]:
    for item in concepts:
        if isinstance(item, dict):
            yield item
            yield from _flatten(item.get("concept") or ())



"""Reading the FHIR JSON elements that resources share: text, codings, extensions, designations, properties."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Coding, Designation, Extension, Property, PropertyDefinition

__all__ = [
    "items",
    "read_coding",
    "read_designation",
    "read_extensions",
    "read_property",
    "read_property_definition",
    "text",
]

_VALUE_KEYS = {
    "valueCode": "code",
    "valueString": "string",
    "valueBoolean": "boolean",
    "valueInteger": "integer",
    "valueDecimal": "decimal",
    "valueDateTime": "dateTime",
    "valueCoding": "Coding",
}


def text(value: Any) -> str | None:
    """``value`` if it is a string, else None (an element of the wrong type says nothing)."""
    return value if isinstance(value, str) else None


def items(value: Any) -> list[Any]:
    """The items of an array element; nothing for an element that is not an array."""
    return value if isinstance(value, list) else []


def read_coding(item: Mapping[str, Any]) -> Coding:
    return Coding(item.get("system"), item.get("version"), item.get("code"), item.get("display"))


def read_extensions(item: Mapping[str, Any]) -> tuple[Extension, ...]:
    """The simple (single-valued) extensions of a JSON element."""
    found = []
    for extension in item.get("extension") or ():
        if not isinstance(extension, dict) or not isinstance(extension.get("url"), str):
            continue
        value = next(((key, value) for key, value in extension.items() if key.startswith("value")), None)
        if value is not None:
            found.append(Extension(extension["url"], value[0][5:], value[1]))
    return tuple(found)


def read_designation(item: Mapping[str, Any], source: str | None = None) -> Designation:
    """``source``: ``url|version`` of the supplement that adds it."""
    use = item.get("use")
    use_coding = read_coding(use) if isinstance(use, dict) else None
    return Designation(str(item.get("value", "")), item.get("language"), use_coding, read_extensions(item), source)


def read_property_definition(item: Mapping[str, Any]) -> PropertyDefinition:
    """A ``CodeSystem.property``."""
    return PropertyDefinition(str(item.get("code", "")), str(item.get("type", "string")), item.get("description") or "", item.get("uri"))


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
                value = read_coding(value)
            return value, type_
    return None

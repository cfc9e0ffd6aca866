"""Reading the FHIR JSON elements that resources share: text, codings, extensions, designations, properties."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InvalidRequest
from ..model import Coding, Designation, Extension, Property, PropertyDefinition

__all__ = [
    "array",
    "items",
    "read_coding",
    "read_designations",
    "read_extensions",
    "read_property",
    "read_property_definition",
    "string",
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
# The JSON types of FHIR's primitive types that are not strings in JSON (value[x] spelling); the rest of
# the primitives are strings, and every other type (Coding, Quantity ...) is an object.
_NUMBERS = frozenset({"Integer", "Decimal", "PositiveInt", "UnsignedInt"})
_STRINGS = frozenset({
    "String", "Code", "Uri", "Url", "Canonical", "Id", "Oid", "Uuid", "Markdown", "Base64Binary",
    "Date", "DateTime", "Time", "Instant", "Integer64",
})  # fmt: skip


def text(value: Any) -> str | None:
    """``value`` if it is a string, else None (an element of the wrong type says nothing)."""
    return value if isinstance(value, str) else None


def items(value: Any) -> list[Any]:
    """The items of an array element; nothing for an element that is not an array."""
    return value if isinstance(value, list) else []


def string(holder: Mapping[str, Any], key: str, path: str) -> str | None:
    """``holder[key]`` where it is a string, None where it is absent; :class:`InvalidRequest` naming
    ``path.key`` where it is anything else (for what a resource cannot be used without reading right)."""
    value = holder.get(key)
    if value is None or isinstance(value, str):
        return value
    raise InvalidRequest(f"{path}.{key} must be a string", expression=f"{path}.{key}")


def array(holder: Mapping[str, Any], key: str, path: str) -> list[Any]:
    """``holder[key]`` where it is an array, nothing where it is absent; :class:`InvalidRequest` naming
    ``path.key`` where it is anything else."""
    value = holder.get(key)
    if value is None or isinstance(value, list):
        return value or []
    raise InvalidRequest(f"{path}.{key} must be an array", expression=f"{path}.{key}")


def read_coding(item: Mapping[str, Any]) -> Coding:
    """Its elements of the wrong type are taken as absent."""
    return Coding(text(item.get("system")), text(item.get("version")), text(item.get("code")), text(item.get("display")))


def read_extensions(item: Mapping[str, Any]) -> tuple[Extension, ...]:
    """The simple (single-valued) extensions of a JSON element; one whose value is not of the JSON type
    its name says is passed over."""
    found = []
    for extension in items(item.get("extension")):
        if not isinstance(extension, dict) or not isinstance(extension.get("url"), str):
            continue
        value = next(((key, value) for key, value in extension.items() if key.startswith("value")), None)
        if value is not None and _is_json_type(value[1], value[0][5:]):
            found.append(Extension(extension["url"], value[0][5:], value[1]))
    return tuple(found)


def read_designations(value: Any, source: str | None = None) -> tuple[Designation, ...]:
    """The designations of a concept (its ``designation`` element); one without a string ``value`` is
    passed over, and its other elements of the wrong type are taken as absent. ``source``:
    ``url|version`` of the supplement that adds them."""
    return tuple(
        Designation(item["value"], text(item.get("language")), _use(item.get("use")), read_extensions(item), source)
        for item in items(value)
        if isinstance(item, dict) and isinstance(item.get("value"), str)
    )


def _use(use: Any) -> Coding | None:
    return read_coding(use) if isinstance(use, dict) else None


def read_property_definition(item: Any) -> PropertyDefinition | None:
    """A ``CodeSystem.property``; None for one without a string ``code`` (its other elements of the
    wrong type are taken as absent)."""
    if not isinstance(item, dict) or not isinstance(item.get("code"), str):
        return None
    return PropertyDefinition(item["code"], text(item.get("type")) or "string", text(item.get("description")) or "", text(item.get("uri")))


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
        for extension in items(item.get("extension"))
        if isinstance(extension, dict) and isinstance(url := extension.get("url"), str) and (typed := _typed_value(extension))
    )
    return Property(item["code"], *value, subproperties=qualifiers)


def _typed_value(item: Mapping[str, Any]) -> tuple[Any, str] | None:
    """(value, FHIR type) of an element's ``value[x]`` of a type a property can have; None where it has
    none, or one that is not of the JSON type its name says."""
    for key, type_ in _VALUE_KEYS.items():
        if key in item:
            value = item[key]
            if not _is_json_type(value, key[5:]):
                return None
            return (read_coding(value) if type_ == "Coding" else value), type_
    return None


def _is_json_type(value: Any, type_: str) -> bool:
    """Whether ``value`` is of the JSON type FHIR writes a ``value[x]`` of ``type_`` (``"Decimal"``) in."""
    if type_ == "Boolean":
        return isinstance(value, bool)
    if type_ in _NUMBERS:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if type_ in _STRINGS:
        return isinstance(value, str)
    return isinstance(value, dict)

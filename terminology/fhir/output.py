"""Writing operation results as a ``Parameters`` resource."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..identity_cache import IdentityCache
from ..model import Coding, Designation, Extension, Property

__all__ = ["ParametersBuilder", "coding_json", "designation_json", "extension_json", "typed_value"]


def coding_json(coding: Coding) -> dict[str, str]:
    result = {}
    if coding.system is not None:
        result["system"] = coding.system
    if coding.version is not None:
        result["version"] = coding.version
    if coding.code is not None:
        result["code"] = coding.code
    if coding.display is not None:
        result["display"] = coding.display
    return result


_VALUE_KEYS: dict[str, str] = {}  # FHIR type -> its value[x] key, made once per type
_STRUCTURED = frozenset({"Coding", "CodeableConcept"})  # the types whose JSON value is made from ours


def _value_key(type_: str) -> str:
    key = _VALUE_KEYS.get(type_)
    if key is None:
        key = _VALUE_KEYS[type_] = "value" + type_[0].upper() + type_[1:]
    return key


def typed_value(type_: str, value: Any) -> tuple[str, Any]:
    """The ``value[x]`` key and JSON value of a typed value (``code`` -> ``valueCode``)."""
    if type_ == "Coding":
        return "valueCoding", coding_json(value)
    if type_ == "CodeableConcept":
        concept = {"coding": [coding_json(coding) for coding in value.codings]}
        if value.text is not None:
            concept["text"] = value.text
        return "valueCodeableConcept", concept
    return _value_key(type_), value


def _property_json(prop: Property, name: str) -> dict[str, Any]:
    """A ``property`` (or ``subproperty``) parameter, built directly: a lookup writes scores of them."""
    type_ = prop.type
    value = coding_json(prop.value) if type_ == "Coding" else prop.value
    parts: list[dict[str, Any]] = [
        {"name": "code", "valueCode": prop.code},
        {"name": "value", _VALUE_KEYS.get(type_) or _value_key(type_): value},
    ]
    if prop.description is not None:
        parts.append({"name": "description", "valueString": prop.description})
    if prop.subproperties:
        parts += _SUBPROPERTY_PARTS.get(prop.subproperties, _subproperty_parts)
    return {"name": name, "part": parts}


# The ``subproperty`` parts written for a tuple of subproperties. Providers give the properties of one
# origin the same tuple (ICD-10-CM: the ``source`` and ``level`` of every note of a level), and a lookup
# writes the notes of all the levels above a code, so most are written once. The parts are shared
# between answers: nothing changes an answer once it is written. An entry holds its tuple alive, so the
# bound is near what providers keep (ICD-10-CM: the notes of 2,048 levels): at 20,000 it kept ten times
# as many tuples as the provider did, about 10 MB a worker, dead but for this cache.
_SUBPROPERTY_PARTS: IdentityCache[tuple[Property, ...], list[dict[str, Any]]] = IdentityCache(4096)


def _subproperty_parts(subproperties: tuple[Property, ...]) -> list[dict[str, Any]]:
    return [_property_json(sub, "subproperty") for sub in subproperties]


# The ``property`` parameter written for a property with subproperties: a note, with the ``source`` and
# ``level`` it is written at. A provider gives the same objects for the notes of a level each time it is
# asked (ICD-10-CM: while the level is among the 2,048 it keeps), and a lookup writes two dozen notes
# of the levels above its code: kept, they are written once, not at every lookup (a tenth of a
# lookup's time). Bounded as the parts above, for the same reason.
_PROPERTY_PARAMETERS: IdentityCache[Property, dict[str, Any]] = IdentityCache(16384)


def _property_parameter(prop: Property) -> dict[str, Any]:
    return _property_json(prop, "property")


def extension_json(extension: Extension) -> dict[str, Any]:
    value = coding_json(extension.value) if isinstance(extension.value, Coding) else extension.value
    return {"url": extension.url, "value" + extension.value_type: value}


def designation_json(designation: Designation) -> dict[str, Any]:
    """A ``CodeSystem.concept.designation`` (``ValueSet...contains.designation`` has the same shape)."""
    result: dict[str, Any] = {}
    if designation.extensions:
        result["extension"] = [extension_json(extension) for extension in designation.extensions]
    if designation.language is not None:
        result["language"] = designation.language
    if designation.use is not None:
        result["use"] = coding_json(designation.use)
    result["value"] = designation.value
    return result


class ParametersBuilder:
    """Collects ``Parameters.parameter`` entries in the order they are added."""

    def __init__(self) -> None:
        self.parameters: list[dict[str, Any]] = []

    def add(self, name: str, type_: str, value: Any) -> ParametersBuilder:
        """Adds ``name`` with a value of FHIR type ``type_``; a None value is left out."""
        if value is not None:
            if type_ in _STRUCTURED:
                key, value = typed_value(type_, value)
            else:  # (a primitive, as most are: an answer adds a dozen)
                key = _VALUE_KEYS.get(type_) or _value_key(type_)
            self.parameters.append({"name": name, key: value})
        return self

    def add_resource(self, name: str, resource: dict[str, Any]) -> ParametersBuilder:
        self.parameters.append({"name": name, "resource": resource})
        return self

    def add_parts(self, name: str, parts: list[dict[str, Any]]) -> ParametersBuilder:
        self.parameters.append({"name": name, "part": parts})
        return self

    def add_designation(self, designation: Designation) -> ParametersBuilder:
        parts = ParametersBuilder().add("language", "code", designation.language)
        if designation.use is not None:
            parts.add("use", "Coding", designation.use)
        parts.add("source", "canonical", designation.source)
        parts.add("value", "string", designation.value)
        return self.add_parts("designation", parts.parameters)

    def add_properties(self, props: Iterable[Property]) -> ParametersBuilder:
        self.parameters += [
            _PROPERTY_PARAMETERS.get(prop, _property_parameter) if prop.subproperties else _property_json(prop, "property")
            for prop in props
        ]
        return self

    def resource(self) -> dict[str, Any]:
        return {"resourceType": "Parameters", "parameter": self.parameters}

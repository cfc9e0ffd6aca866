"""The extensions code systems and value sets put on their concepts that the server understands.

Some state a property of the concept in an expansion (its order, label, weight, status): they become
properties. Others are carried into the expansion as written (rendering hints, a value set's own
definition or deprecation of a concept). Every other extension is left where it is.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import Extension, Property

__all__ = [
    "annotation_uri",
    "annotations",
    "carried",
    "withdrawn_status",
]

_SD = "http://hl7.org/fhir/StructureDefinition/"


# extension url -> (property code, property type); the code system's and the value set's spellings.
_CODE_SYSTEM_ANNOTATIONS = {
    _SD + "codesystem-conceptOrder": ("order", "decimal"),
    _SD + "codesystem-label": ("label", "string"),
    _SD + "itemWeight": ("weight", "decimal"),
    _SD + "structuredefinition-standards-status": ("status", "code"),
}
_VALUE_SET_ANNOTATIONS = {
    _SD + "valueset-conceptOrder": ("order", "decimal"),
    _SD + "valueset-label": ("label", "string"),
    _SD + "itemWeight": ("weight", "decimal"),
}
_CONCEPT_PROPERTIES = "http://hl7.org/fhir/concept-properties#"
_CONCEPT_PROPERTY_NAMES = {"weight": "itemWeight"}  # where FHIR's concept-properties name differs from the code
_RENDERING = frozenset({_SD + "rendering-style", _SD + "rendering-xhtml"})
_CARRIED_FROM_VALUE_SET = _RENDERING | {
    _SD + "valueset-concept-definition",
    _SD + "valueset-deprecated",
    _SD + "structuredefinition-standards-status",
}


def annotation_uri(code: str) -> str:
    """The uri of FHIR's concept property a property code stands for (``weight``: ``...#itemWeight``)."""
    return _CONCEPT_PROPERTIES + _CONCEPT_PROPERTY_NAMES.get(code, code)


def annotations(extensions: Iterable[Extension], on_value_set: bool = False) -> tuple[Property, ...]:
    """The properties the extensions state (a concept order of 6 is the property ``order`` 6)."""
    known = _VALUE_SET_ANNOTATIONS if on_value_set else _CODE_SYSTEM_ANNOTATIONS
    found = []
    for extension in extensions:
        if extension.url in known and not isinstance(extension.value, (dict, list, bool)):
            code, type_ = known[extension.url]
            found.append(Property(code, extension.value, type_))
    return tuple(found)


def withdrawn_status(extensions: Iterable[Extension]) -> str | None:
    """The standards-status that takes what carries it out of use (deprecated, withdrawn, retired), if any."""
    for extension in extensions:
        if extension.url == _SD + "structuredefinition-standards-status" and extension.value in ("deprecated", "withdrawn", "retired"):
            return str(extension.value)
    return None


def carried(extensions: Iterable[Extension], on_value_set: bool = False) -> tuple[Extension, ...]:
    """The extensions an expansion carries into the concept's entry."""
    wanted = _CARRIED_FROM_VALUE_SET if on_value_set else _RENDERING
    return tuple(extension for extension in extensions if extension.url in wanted)

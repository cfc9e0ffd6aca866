"""Reading what describes a canonical resource (CodeSystem, ValueSet, ConceptMap): url, version, names, status."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..definitions.metadata import Identifier, ResourceMetadata
from .elements import items, text

__all__ = ["STANDARDS_STATUS", "read_metadata"]

STANDARDS_STATUS = "http://hl7.org/fhir/StructureDefinition/structuredefinition-standards-status"
_WARNED = frozenset({"deprecated", "withdrawn"})


def read_metadata(resource: Mapping[str, Any]) -> ResourceMetadata:
    """Elements of the wrong type are taken as absent, as they were before resources were read at entry:
    a server holds what it is given, and what it cannot read in one is said where that is used."""
    identifiers = resource.get("identifier")  # (an array, but a single Identifier in an R4 ConceptMap)
    return ResourceMetadata(
        kind=str(resource.get("resourceType")),
        id=text(resource.get("id")),
        url=text(resource.get("url")),
        version=text(resource.get("version")),
        name=text(resource.get("name")),
        title=text(resource.get("title")),
        status=text(resource.get("status")),
        experimental=resource.get("experimental") is True,
        date=text(resource.get("date")),
        publisher=text(resource.get("publisher")),
        description=text(resource.get("description")),
        identifiers=tuple(
            Identifier(text(item.get("system")), text(item.get("value")))
            for item in (identifiers if isinstance(identifiers, list) else [identifiers])
            if isinstance(item, dict)
        ),
        standards_status=_standards_status(resource),
    )


def _standards_status(resource: Mapping[str, Any]) -> str | None:
    for extension in items(resource.get("extension")):
        if isinstance(extension, dict) and extension.get("url") == STANDARDS_STATUS and extension.get("valueCode") in _WARNED:
            return str(extension["valueCode"])
    return None

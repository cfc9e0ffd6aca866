"""Reading a CodeSystem resource (FHIR JSON): a :class:`CodeSystemDefinition`, or a :class:`SupplementDefinition`
for one whose ``content`` is ``supplement``.

A code system's concepts are read when first asked for (a server is given about a thousand code systems
and uses few); a supplement's are read at once (they are few, and each is applied to a code system).

A concept's code, display, definition and nested concepts of the wrong JSON type make the concepts an
:class:`InvalidRequest` naming its FHIRPath when they are read; every other element of the wrong type,
here and in a supplement, is taken as absent (see ``read_metadata``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import partial
from typing import Any

from ..definitions.code_system import CodeSystemDefinition, ConceptAdditions, ConceptDefinition, SupplementDefinition
from ..errors import InvalidRequest
from ..extensions import annotations, carried
from ..model import Property
from .elements import array, items, read_designations, read_extensions, read_property, read_property_definition, string, text
from .metadata import read_metadata

__all__ = ["read_code_system"]

_STATUS_EXTENSION = "http://hl7.org/fhir/StructureDefinition/codesystem-concept-status"  # R4 spelling is an extension


def read_code_system(resource: Mapping[str, Any]) -> CodeSystemDefinition | SupplementDefinition:
    """A CodeSystem resource: a supplement (``content`` supplement) with what it adds, read now, or a code
    system whose concepts are read when first asked for (:class:`InvalidRequest` then, for a malformed one)."""
    metadata = read_metadata(resource)
    definitions = tuple(found for item in items(resource.get("property")) if (found := read_property_definition(item)))
    if resource.get("content") == "supplement":
        return SupplementDefinition(
            metadata, text(resource.get("supplements")) or "", definitions, _additions(resource, metadata.canonical), resource
        )
    return CodeSystemDefinition(
        metadata=metadata,
        content=text(resource.get("content")) or "complete",
        case_sensitive=resource.get("caseSensitive", False) is True,
        hierarchy_meaning=text(resource.get("hierarchyMeaning")),
        copyright=text(resource.get("copyright")),
        language=text(resource.get("language")),
        property_definitions=definitions,
        read_concepts=partial(_concepts, items(resource.get("concept")), metadata.url),
        source=resource,
    )


def _concepts(concepts: list[Any], url: str | None) -> tuple[ConceptDefinition, ...]:
    """:class:`InvalidRequest` for a concept without a code, or whose display, definition or nested concepts
    are of the wrong type."""
    return tuple(_concept(item, url, f"CodeSystem.concept[{n}]") for n, item in enumerate(concepts))


def _concept(item: Any, url: str | None, path: str) -> ConceptDefinition:
    if not isinstance(item, dict) or not isinstance(item.get("code"), str):
        raise InvalidRequest(f"A concept of the CodeSystem {url} has no code ({path})", expression=path)
    properties = [p for p in map(read_property, items(item.get("property"))) if p is not None]
    extensions = read_extensions(item)
    status = next((e.value for e in extensions if e.url == _STATUS_EXTENSION), None)
    if status and not any(p.code == "status" for p in properties):
        properties.append(Property("status", status, "code"))
    return ConceptDefinition(
        code=item["code"],
        display=string(item, "display", path),
        definition=string(item, "definition", path),
        designations=read_designations(item.get("designation")),
        properties=tuple(properties),
        annotations=annotations(extensions),
        carried=carried(extensions),
        children=tuple(_concept(child, url, f"{path}.concept[{n}]") for n, child in enumerate(array(item, "concept", path))),
    )


def _additions(supplement: Mapping[str, Any], source: str) -> dict[str, ConceptAdditions]:
    """What the supplement says of each concept, by code; its designations name it (``source``)."""
    found: dict[str, list[ConceptAdditions]] = {}
    for item in _flatten(items(supplement.get("concept"))):
        if isinstance(item.get("code"), str):
            extensions = read_extensions(item)
            found.setdefault(item["code"], []).append(
                ConceptAdditions(
                    read_designations(item.get("designation"), source),
                    tuple(p for p in map(read_property, items(item.get("property"))) if p is not None),
                    annotations(extensions),
                    carried(extensions),
                )
            )
    return {code: _joined(additions) for code, additions in found.items()}


def _joined(additions: list[ConceptAdditions]) -> ConceptAdditions:
    """One code written more than once in a supplement: all it says of it."""
    if len(additions) == 1:
        return additions[0]
    return ConceptAdditions(
        tuple(d for added in additions for d in added.designations),
        tuple(p for added in additions for p in added.properties),
        tuple(p for added in additions for p in added.annotations),
        tuple(e for added in additions for e in added.carried),
    )


def _flatten(concepts: Iterable[Any]) -> Iterator[Mapping[str, Any]]:
    for item in concepts:
        if isinstance(item, dict):
            yield item
            yield from _flatten(items(item.get("concept")))

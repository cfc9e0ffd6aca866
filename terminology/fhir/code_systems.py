"""Reading a CodeSystem resource (FHIR JSON): a :class:`CodeSystemDefinition`, or a :class:`SupplementDefinition`
for one whose ``content`` is ``supplement``.

A code system's concepts are read when first asked for (a server is given about a thousand code systems
and uses few); a supplement's are read at once (they are few, and each is applied to a code system).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import partial
from typing import Any

from ..definitions.code_system import CodeSystemDefinition, ConceptAdditions, ConceptDefinition, SupplementDefinition
from ..errors import InvalidRequest
from ..extensions import annotations, carried
from ..model import Property
from .elements import items, read_designation, read_extensions, read_property, read_property_definition, text
from .metadata import read_metadata

__all__ = ["read_code_system"]

_STATUS_EXTENSION = "http://hl7.org/fhir/StructureDefinition/codesystem-concept-status"  # R4 spelling is an extension


def read_code_system(resource: Mapping[str, Any]) -> CodeSystemDefinition | SupplementDefinition:
    metadata = read_metadata(resource)
    definitions = tuple(read_property_definition(item) for item in items(resource.get("property")) if isinstance(item, dict))
    if resource.get("content") == "supplement":
        return SupplementDefinition(
            metadata, str(resource.get("supplements") or ""), definitions, _additions(resource, metadata.canonical), resource
        )
    return CodeSystemDefinition(
        metadata=metadata,
        content=str(resource.get("content") or "complete"),
        case_sensitive=resource.get("caseSensitive", False) is True,
        hierarchy_meaning=text(resource.get("hierarchyMeaning")),
        copyright=text(resource.get("copyright")),
        language=text(resource.get("language")),
        property_definitions=definitions,
        read_concepts=partial(_concepts, items(resource.get("concept")), metadata.url),
        source=resource,
    )


def _concepts(concepts: list[Any], url: str | None) -> tuple[ConceptDefinition, ...]:
    """:class:`InvalidRequest` for a concept without a code."""
    return tuple(_concept(item, url) for item in concepts)


def _concept(item: Any, url: str | None) -> ConceptDefinition:
    if not isinstance(item, dict) or not isinstance(item.get("code"), str):
        raise InvalidRequest(f"A concept of the CodeSystem {url} has no code")
    properties = [p for p in (read_property(p) for p in item.get("property") or ()) if p is not None]
    extensions = read_extensions(item)
    status = next((e.value for e in extensions if e.url == _STATUS_EXTENSION), None)
    if status and not any(p.code == "status" for p in properties):
        properties.append(Property("status", status, "code"))
    return ConceptDefinition(
        code=item["code"],
        display=item.get("display"),
        definition=item.get("definition"),
        designations=tuple(read_designation(d) for d in item.get("designation") or () if isinstance(d, dict)),
        properties=tuple(properties),
        annotations=annotations(extensions),
        carried=carried(extensions),
        children=tuple(_concept(child, url) for child in item.get("concept") or ()),
    )


def _additions(supplement: Mapping[str, Any], source: str) -> dict[str, ConceptAdditions]:
    """What the supplement says of each concept, by code; its designations name it (``source``)."""
    found: dict[str, list[ConceptAdditions]] = {}
    for item in _flatten(items(supplement.get("concept"))):
        if isinstance(item.get("code"), str):
            extensions = read_extensions(item)
            found.setdefault(item["code"], []).append(
                ConceptAdditions(
                    tuple(read_designation(d, source) for d in item.get("designation") or () if isinstance(d, dict)),
                    tuple(p for p in (read_property(p) for p in item.get("property") or ()) if p is not None),
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
            yield from _flatten(item.get("concept") or ())

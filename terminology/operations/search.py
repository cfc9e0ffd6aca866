"""Search and read of the CodeSystem, ValueSet and ConceptMap resources a server holds."""

from __future__ import annotations

from typing import TypeVar

from ..definitions import ConceptMapDefinition, ValueSetDefinition
from ..definitions.metadata import ResourceMetadata
from ..errors import NotFound
from ..providers.base import CodeSystemProvider
from ..registry import Registry

_T = TypeVar("_T")

__all__ = [
    "read_code_system",
    "read_concept_map",
    "read_value_set",
    "search_code_systems",
    "search_concept_maps",
    "search_value_sets",
]


def search_code_systems(
    registry: Registry, url: str | None = None, version: str | None = None, name: str | None = None
) -> list[CodeSystemProvider]:
    """FHIR search semantics: ``url`` and ``version`` match exactly; ``name`` matches case-insensitively
    from the start of the name (the default modifier of a string search parameter)."""
    found = []
    for provider in registry.code_systems():
        info = provider.info
        if url is not None and info.url != url:
            continue
        if version is not None and info.version != version:
            continue
        if name is not None and not info.name.casefold().startswith(name.casefold()):
            continue
        found.append(provider)
    return found


def read_code_system(registry: Registry, id: str) -> CodeSystemProvider:
    return _found(registry.code_system_by_id(id), "CodeSystem", id)


def _found(resource: _T | None, kind: str, id: str) -> _T:
    """``resource``, or :class:`NotFound` saying that there is no ``kind`` with that id."""
    if resource is None:
        raise NotFound(f"There is no {kind} with the id '{id}' on this server", expression="id")
    return resource


def search_value_sets(
    registry: Registry,
    url: str | None = None,
    version: str | None = None,
    name: str | None = None,
    title: str | None = None,
    status: str | None = None,
) -> list[ValueSetDefinition]:
    """As :func:`search_code_systems`; ``title`` matches like ``name``, ``status`` exactly."""
    return [v for v in registry.value_sets() if _matches(v.metadata, url=url, version=version, name=name, title=title, status=status)]


def _matches(metadata: ResourceMetadata, **wanted: str | None) -> bool:
    """FHIR search on a canonical resource's own elements: ``name`` and ``title`` match from their
    start, ignoring case (a string parameter's default); ``url``, ``version`` and ``status`` exactly."""
    for key, value in wanted.items():
        if value is None:
            continue
        actual = getattr(metadata, key) or ""
        if key in ("name", "title"):
            if not actual.casefold().startswith(value.casefold()):
                return False
        elif actual != value:
            return False
    return True


def read_value_set(registry: Registry, id: str) -> ValueSetDefinition:
    return _found(registry.value_set_by_id(id), "ValueSet", id)


def search_concept_maps(
    registry: Registry,
    url: str | None = None,
    version: str | None = None,
    name: str | None = None,
    title: str | None = None,
    status: str | None = None,
    source_uri: str | None = None,
    target_uri: str | None = None,
    source_system: str | None = None,
    target_system: str | None = None,
) -> list[ConceptMapDefinition]:
    """As :func:`search_value_sets`; ``source_uri``/``target_uri`` match the value sets the map is
    from and to, ``source_system``/``target_system`` the code systems of one of its groups, exactly."""
    found = []
    for concept_map in registry.concept_maps():
        if not _matches(concept_map.metadata, url=url, version=version, name=name, title=title, status=status):
            continue
        if any(wanted is not None and declared != wanted for declared, wanted in ((concept_map.source_scope, source_uri), (concept_map.target_scope, target_uri))):
            continue
        if source_system is not None and not any(group.source == source_system for group in concept_map.groups):
            continue
        if target_system is not None and not any(group.target == target_system for group in concept_map.groups):
            continue
        found.append(concept_map)
    return found


def read_concept_map(registry: Registry, id: str) -> ConceptMapDefinition:
    return _found(registry.concept_map_by_id(id), "ConceptMap", id)

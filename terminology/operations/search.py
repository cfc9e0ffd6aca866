"""Search and read of the CodeSystem (supplements too), ValueSet and ConceptMap resources a server holds.

Each resource is matched on what describes it (its metadata, and per type what R4's search
parameters name), without reading its content: listing FHIR's ~500 code systems makes none of them
into a provider.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar, Union

from ..definitions import ConceptMapDefinition, SupplementDefinition, ValueSetDefinition
from ..definitions.metadata import ResourceMetadata
from ..errors import InvalidRequest, NotFound
from ..providers.base import CodeSystemProvider
from ..registry import CodeSystemEntry, Registry
from .search_criteria import Actual, SearchRequest, date_range

__all__ = [
    "CodeSystemFound",
    "SearchPage",
    "code_system_resource_with_id",
    "code_system_with_id",
    "concept_map_with_id",
    "search_code_systems",
    "search_concept_maps",
    "search_value_sets",
    "value_set_with_id",
]

_T = TypeVar("_T")
_R = TypeVar("_R")

#: A CodeSystem resource as a search or read finds it: a code system (not made into a provider for
#: that), or a supplement.
CodeSystemFound = Union[CodeSystemEntry, SupplementDefinition]


@dataclass(frozen=True, slots=True)
class SearchPage(Generic[_T]):
    """``found``: the page of matches asked for, in the order the server holds them; ``total``: how many match."""

    found: tuple[_T, ...]
    total: int


def search_code_systems(registry: Registry, request: SearchRequest) -> SearchPage[CodeSystemFound]:
    """The code systems and supplements that meet ``request``'s criteria."""
    code_systems = _page(
        request,
        registry.code_system_entries(),
        lambda entry: _code_system_values(entry.metadata, entry.content, None),
    )
    supplements = _page(
        request,
        registry.supplements(),
        lambda supplement: _code_system_values(supplement.metadata, "supplement", supplement.supplements),
    )
    return _paged(request, [*code_systems, *supplements])


def search_value_sets(registry: Registry, request: SearchRequest) -> SearchPage[ValueSetDefinition]:
    """The value sets that meet ``request``'s criteria; ``reference`` names a code system their includes name."""

    def values(value_set: ValueSetDefinition) -> Callable[[str], Sequence[Actual]]:
        compose = value_set.parsed_compose  # (None when malformed: such a value set names no system)
        own = {"reference": compose.systems if compose is not None else ()}
        return lambda name: own[name] if name in own else _metadata_values(value_set.metadata, name)

    return _paged(request, _page(request, registry.value_sets(), values))


def search_concept_maps(registry: Registry, request: SearchRequest) -> SearchPage[ConceptMapDefinition]:
    """The concept maps that meet ``request``'s criteria: ``source``/``target`` (and R4's ``-uri`` forms) the
    value sets a map is from and to, ``source-system``/``target-system`` the code systems of its groups."""

    def values(concept_map: ConceptMapDefinition) -> Callable[[str], Sequence[Actual]]:
        scopes = {"source": concept_map.source_scope, "target": concept_map.target_scope}
        own = {
            **{name: _present(scope) for name, scope in scopes.items()},
            **{f"{name}-uri": _present(scope) for name, scope in scopes.items()},
            "source-system": tuple(group.source for group in concept_map.groups if group.source),
            "target-system": tuple(group.target for group in concept_map.groups if group.target),
        }
        return lambda name: own[name] if name in own else _metadata_values(concept_map.metadata, name)

    return _paged(request, _page(request, registry.concept_maps(), values))


def _page(request: SearchRequest, candidates: Iterable[_R], values: Callable[[_R], Callable[[str], Sequence[Actual]]]) -> list[_R]:
    """The candidates that meet every criterion (a criterion is met when any of its values matches)."""
    criteria = request.criteria
    found = []
    for candidate in candidates:
        held = values(candidate)
        if all(criterion.matches(held(criterion.name)) for criterion in criteria):
            found.append(candidate)
    return found


def _paged(request: SearchRequest, matches: list[_T]) -> SearchPage[_T]:
    return SearchPage(tuple(matches[request.offset : request.offset + request.count]), len(matches))


def _code_system_values(metadata: ResourceMetadata, content: str, supplements: str | None) -> Callable[[str], Sequence[Actual]]:
    own = {"content-mode": (content,), "supplements": _present(supplements)}
    return lambda name: own[name] if name in own else _metadata_values(metadata, name)


def _metadata_values(metadata: ResourceMetadata, name: str) -> Sequence[Actual]:
    """What a resource holds for one of the parameters every canonical resource has."""
    if name == "identifier":
        return metadata.identifiers
    if name == "date":
        try:
            return (date_range(metadata.date),) if metadata.date else ()
        except InvalidRequest:  # a date the resource writes wrongly: it has no date to match
            return ()
    return _present(getattr(metadata, name))


def _present(value: str | None) -> tuple[str, ...]:
    return (value,) if value else ()


def code_system_with_id(registry: Registry, id: str) -> CodeSystemProvider:
    """The code system with ``id``, for an operation on it (``CodeSystem/{id}/$lookup``)."""
    provider = registry.code_system_by_id(id)
    if provider is None and registry.supplement_by_id(id) is not None:
        raise InvalidRequest(
            f"CodeSystem/{id} is a supplement: it holds no codes of its own. Call the operation on the code system "
            "it supplements, with its url in the useSupplement parameter",
            expression="id",
        )
    return _found(provider, "CodeSystem", id)


def code_system_resource_with_id(registry: Registry, id: str) -> CodeSystemFound:
    """The code system or supplement with ``id``, for a read."""
    return _found(registry.code_system_entry_by_id(id) or registry.supplement_by_id(id), "CodeSystem", id)


def value_set_with_id(registry: Registry, id: str) -> ValueSetDefinition:
    """The value set with ``id``; :class:`NotFound` when there is none."""
    return _found(registry.value_set_by_id(id), "ValueSet", id)


def concept_map_with_id(registry: Registry, id: str) -> ConceptMapDefinition:
    """The concept map with ``id``; :class:`NotFound` when there is none."""
    return _found(registry.concept_map_by_id(id), "ConceptMap", id)


def _found(resource: _T | None, kind: str, id: str) -> _T:
    """``resource``, or :class:`NotFound` saying that there is no ``kind`` with that id."""
    if resource is None:
        raise NotFound(f"There is no {kind} with the id '{id}' on this server", expression="id")
    return resource

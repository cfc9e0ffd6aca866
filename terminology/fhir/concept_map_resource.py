"""A ConceptMap as a read or a search shows it: a large one without its mappings unless they are asked for."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..definitions import ConceptMapDefinition
from .definitions import resource_json
from .search import marked_subsetted

__all__ = ["LISTED_MAPPINGS", "concept_map_json"]

#: A map of more elements than this is shown without its groups unless a client asks for them
#: (``_summary=false``), as a code system without its concepts: the GEMs' 84,000 elements are 25 MB of JSON
#: and take seconds to write.
LISTED_MAPPINGS = 10_000


def concept_map_json(concept_map: ConceptMapDefinition, groups: bool) -> dict[str, Any]:
    """The ConceptMap; with ``groups`` false and more than :data:`LISTED_MAPPINGS` elements, without its
    groups and marked SUBSETTED."""
    if groups or sum(len(group.elements) for group in concept_map.groups) <= LISTED_MAPPINGS:
        return resource_json(concept_map)
    if concept_map.source is not None:
        return marked_subsetted({key: value for key, value in concept_map.source.items() if key != "group"})
    return marked_subsetted(resource_json(replace(concept_map, groups=())))

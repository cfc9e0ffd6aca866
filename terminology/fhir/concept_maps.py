"""Reading a ConceptMap resource (FHIR JSON), in R4's shape or R5's, into a :class:`ConceptMapDefinition`.

R4 has ``source[x]``/``target[x]`` for the value sets mapped from and to, ``group.source`` and
``group.sourceVersion``, ``target.equivalence``; R5 has ``sourceScope[x]``/``targetScope[x]``, writes a
group's systems as ``url|version``, and says ``relationship`` and ``noMap``. Elements of the wrong
type are passed over, as a map is used for the mappings it can be read for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..definitions.concept_map import ConceptMapDefinition, MapDependency, MapElement, MapGroup, MapTarget, Unmapped
from .elements import items, text
from .metadata import read_metadata

__all__ = ["read_concept_map"]

# R5's ConceptMap relationship as the R4 equivalence that means the same (VersionConvertor_40_50's table).
_RELATIONSHIP_EQUIVALENCE = {
    "related-to": "relatedto",
    "equivalent": "equivalent",
    "source-is-narrower-than-target": "wider",
    "source-is-broader-than-target": "narrower",
    "not-related-to": "disjoint",
}
# R4's unmapped has no equivalence: a code carried over is taken as equivalent, a fixed one as related.
_UNMAPPED_EQUIVALENCE = {"provided": "equivalent", "fixed": "relatedto"}
_UNMAPPED_MODES = {"use-source-code": "provided"}  # R5's name of R4's mode


def read_concept_map(resource: Mapping[str, Any]) -> ConceptMapDefinition:
    """A ConceptMap, R4's or R5's shape, in R4's meaning; elements of the wrong type are taken as absent."""
    return ConceptMapDefinition(
        metadata=read_metadata(resource),
        source_scope=_scope(resource, "source"),
        target_scope=_scope(resource, "target"),
        groups=tuple(_group(group) for group in items(resource.get("group")) if isinstance(group, dict)),
        source=resource,
    )


def _scope(resource: Mapping[str, Any], side: str) -> str | None:
    """The value set the map is from (``side`` ``"source"``) or to (``"target"``), if it says."""
    for key in (f"{side}Uri", f"{side}Canonical", f"{side}ScopeUri", f"{side}ScopeCanonical"):
        value = resource.get(key)
        if isinstance(value, str):
            return value
    return None


def _group(group: Mapping[str, Any]) -> MapGroup:
    systems: list[str | None] = []
    for side in ("source", "target"):
        url, version = group.get(side), group.get(f"{side}Version")
        if isinstance(url, str) and "|" in url:
            url, _, version = url.partition("|")
        systems += [text(url), text(version)]
    elements = tuple(_element(element) for element in items(group.get("element")) if isinstance(element, dict))
    unmapped = group.get("unmapped")
    return MapGroup(*systems, elements, _unmapped(unmapped) if isinstance(unmapped, dict) else None)


def _element(element: Mapping[str, Any]) -> MapElement:
    targets = tuple(_target(item) for item in items(element.get("target")) if isinstance(item, dict))
    return MapElement(text(element.get("code")), text(element.get("display")), targets, element.get("noMap") is True)


def _target(item: Mapping[str, Any]) -> MapTarget:
    return MapTarget(
        code=text(item.get("code")),
        equivalence=_equivalence(item),
        display=text(item.get("display")),
        comment=text(item.get("comment")),
        depends_on=_dependencies(item.get("dependsOn")),
        products=_dependencies(item.get("product")),
    )


def _equivalence(item: Mapping[str, Any]) -> str:
    if isinstance(item.get("equivalence"), str):
        return item["equivalence"]
    if isinstance(item.get("relationship"), str):
        return _RELATIONSHIP_EQUIVALENCE.get(item["relationship"], "relatedto")
    return "relatedto" if text(item.get("code")) else "unmatched"


def _dependencies(value: Any) -> tuple[MapDependency, ...]:
    """R4's ``dependsOn`` or ``product``: an element (``property``) and the value it takes in a system."""
    return tuple(
        MapDependency(item["property"], item["value"], text(item.get("system")), text(item.get("display")))
        for item in items(value)
        if isinstance(item, dict) and isinstance(item.get("property"), str) and isinstance(item.get("value"), str)
    )


def _unmapped(unmapped: Mapping[str, Any]) -> Unmapped:
    mode = text(unmapped.get("mode"))
    mode = _UNMAPPED_MODES.get(mode, mode)
    equivalence = _RELATIONSHIP_EQUIVALENCE.get(text(unmapped.get("relationship"))) or _UNMAPPED_EQUIVALENCE.get(mode, "relatedto")
    url = text(unmapped.get("url")) or text(unmapped.get("otherMap"))
    return Unmapped(mode, equivalence, text(unmapped.get("code")), text(unmapped.get("display")), url)

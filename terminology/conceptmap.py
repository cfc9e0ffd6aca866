"""Reading a ConceptMap resource (FHIR JSON) in R4's shape or R5's, where the two differ.

R4 has ``source[x]``/``target[x]`` for the value sets mapped from and to, ``group.source`` and
``group.sourceVersion``; R5 has ``sourceScope[x]``/``targetScope[x]`` and writes a group's systems
as ``url|version``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .model import Coding

__all__ = ["GroupSystems", "map_groups", "map_scope"]

Resource = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class GroupSystems:
    """The code systems (and versions) a ``ConceptMap.group`` maps from and to."""

    source: str | None
    source_version: str | None
    target: str | None
    target_version: str | None

    @classmethod
    def of(cls, group: Any) -> GroupSystems:
        if not isinstance(group, dict):
            return cls(None, None, None, None)
        values: list[str | None] = []
        for side in ("source", "target"):
            url, version = group.get(side), group.get(f"{side}Version")
            if isinstance(url, str) and "|" in url:
                url, _, version = url.partition("|")
            values += [url if isinstance(url, str) else None, version if isinstance(version, str) else None]
        return cls(*values)

    def source_coding(self, code: str | None, display: str | None = None) -> Coding:
        return Coding(self.source, self.source_version, code, display)

    def target_coding(self, code: str | None, display: str | None = None) -> Coding:
        return Coding(self.target, self.target_version, code, display)


def map_groups(concept_map: Resource) -> list[dict[str, Any]]:
    """The map's groups (those that are JSON objects)."""
    groups = concept_map.get("group")
    return [group for group in groups if isinstance(group, dict)] if isinstance(groups, list) else []


def map_scope(concept_map: Resource, side: str) -> str | None:
    """The value set the map is from (``side`` ``"source"``) or to (``"target"``), if it says."""
    for key in (f"{side}Uri", f"{side}Canonical", f"{side}ScopeUri", f"{side}ScopeCanonical"):
        value = concept_map.get(key)
        if isinstance(value, str):
            return value
    return None



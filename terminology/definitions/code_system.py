"""A CodeSystem: what describes it, its property definitions and its concepts; and a supplement, which adds
designations and properties to the concepts of the code system it supplements."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..model import Designation, Extension, Property, PropertyDefinition
from .metadata import CanonicalResource, ResourceMetadata

__all__ = ["CodeSystemDefinition", "ConceptAdditions", "ConceptDefinition", "SupplementDefinition"]


@dataclass(frozen=True, slots=True)
class ConceptDefinition:
    """A concept as its CodeSystem writes it, with the concepts nested under it (``children``)."""

    code: str
    display: str | None = None
    definition: str | None = None
    designations: tuple[Designation, ...] = ()
    properties: tuple[Property, ...] = ()
    annotations: tuple[Property, ...] = ()  # properties stated by extensions (order, label ...)
    carried: tuple[Extension, ...] = ()  # extensions an expansion carries on (rendering hints)
    children: tuple[ConceptDefinition, ...] = ()


@dataclass(frozen=True, slots=True, eq=False)
class CodeSystemDefinition(CanonicalResource):
    """``read_concepts``: reads the concepts when first asked for (most of the many code systems a server
    is given are never used, so they are not read until they are). ``source``: the resource as it came,
    kept only to be written back (by ``terminology.fhir``)."""

    metadata: ResourceMetadata
    content: str = "complete"
    case_sensitive: bool = False
    hierarchy_meaning: str | None = None
    copyright: str | None = None
    language: str | None = None
    property_definitions: tuple[PropertyDefinition, ...] = ()
    read_concepts: Callable[[], tuple[ConceptDefinition, ...]] = field(default=lambda: (), repr=False)
    source: Mapping[str, Any] | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class ConceptAdditions:
    """What a supplement says of one concept; its designations name the supplement as their source."""

    designations: tuple[Designation, ...] = ()
    properties: tuple[Property, ...] = ()
    annotations: tuple[Property, ...] = ()  # stated by extensions (order, label ...)
    carried: tuple[Extension, ...] = ()  # extensions an expansion carries on


@dataclass(frozen=True, slots=True, eq=False)
class SupplementDefinition(CanonicalResource):
    """``supplements``: the code system it adds to, ``url`` or ``url|version``; ``concepts``: what it adds,
    by code as it writes them."""

    metadata: ResourceMetadata
    supplements: str
    property_definitions: tuple[PropertyDefinition, ...] = ()
    concepts: Mapping[str, ConceptAdditions] = field(default_factory=dict)
    source: Mapping[str, Any] | None = field(default=None, repr=False)

    @property
    def supplemented(self) -> tuple[str, str | None]:
        """``(url, version)`` of the code system it supplements (version None where it names none)."""
        url, _, version = self.supplements.partition("|")
        return url, version or None

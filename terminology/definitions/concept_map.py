"""A ConceptMap: the value sets it maps from and to, and its groups of mappings from one code system to another.

R4's and R5's shapes are read alike (``relationship`` as the R4 ``equivalence`` that means the same,
``sourceScope`` as ``source[x]``, a group's systems written ``url|version``, unmapped mode
``use-source-code`` as ``provided``): what is here is R4's meaning.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ..model import Coding
from .metadata import CanonicalResource, ResourceMetadata

__all__ = ["ConceptMapDefinition", "MapDependency", "MapElement", "MapGroup", "MapTable", "MapTarget", "Unmapped"]


@dataclass(frozen=True, slots=True)
class MapDependency:
    """A ``dependsOn`` or ``product`` of a mapping: an element (``property``) and the value it takes in a system."""

    property: str
    value: str
    system: str | None = None
    display: str | None = None


@dataclass(frozen=True, slots=True)
class MapTarget:
    """``code`` None: the mapping says the source has no counterpart (its equivalence says how)."""

    code: str | None
    equivalence: str
    display: str | None = None
    comment: str | None = None
    depends_on: tuple[MapDependency, ...] = ()
    products: tuple[MapDependency, ...] = ()


@dataclass(frozen=True, slots=True)
class MapElement:
    """``no_map``: R5's way of saying the source code maps to nothing."""

    code: str | None
    display: str | None = None
    targets: tuple[MapTarget, ...] = ()
    no_map: bool = False


@dataclass(frozen=True, slots=True)
class Unmapped:
    """What a group says of a code it has no element for. ``mode``: provided (keep the code), fixed (use
    ``code``) or other-map (ask the map ``url``)."""

    mode: str | None
    equivalence: str
    code: str | None = None
    display: str | None = None
    url: str | None = None


@runtime_checkable
class MapTable(Protocol):
    """A group's mappings kept as a table, made into elements only as they are asked for: a map of tens
    of thousands of rows (CMS's ICD-10-CM to HCC maps) is not as many objects in every worker."""

    def elements(self) -> Iterator[MapElement]:
        """Every element, in the map's order."""
        ...

    def elements_for(self, code: str) -> tuple[MapElement, ...]:
        """The elements that map ``code``."""
        ...

    def elements_to(self, code: str) -> tuple[MapElement, ...]:
        """The elements with a target of ``code``."""
        ...


@dataclass(frozen=True, slots=True)
class MapGroup:
    """``table``: where the group's mappings are kept instead of ``elements``, when it has one."""

    source: str | None
    source_version: str | None
    target: str | None
    target_version: str | None
    elements: tuple[MapElement, ...] = ()
    unmapped: Unmapped | None = None
    table: MapTable | None = field(default=None, compare=False)
    _by_code: Mapping[str | None, tuple[MapElement, ...]] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        by_code: dict[str | None, list[MapElement]] = {}
        for element in self.elements:
            by_code.setdefault(element.code, []).append(element)
        object.__setattr__(self, "_by_code", {code: tuple(found) for code, found in by_code.items()})  # (frozen: made once)

    def all_elements(self) -> Iterator[MapElement]:
        """Every element of the group, its table's too."""
        return self.table.elements() if self.table is not None else iter(self.elements)

    def elements_for(self, code: str | None) -> tuple[MapElement, ...]:
        """The elements that map ``code``, in the group's order."""
        if self.table is not None:
            return self.table.elements_for(code) if code is not None else ()
        return self._by_code.get(code, ())

    def elements_to(self, code: str | None) -> tuple[MapElement, ...]:
        """The elements with a target of ``code``, in the group's order."""
        if self.table is not None:
            return self.table.elements_to(code) if code is not None else ()
        return tuple(element for element in self.elements if element.code is not None and any(t.code == code for t in element.targets))

    def source_coding(self, code: str | None, display: str | None = None) -> Coding:
        return Coding(self.source, self.source_version, code, display)

    def target_coding(self, code: str | None, display: str | None = None) -> Coding:
        return Coding(self.target, self.target_version, code, display)


@dataclass(frozen=True, slots=True, eq=False)
class ConceptMapDefinition(CanonicalResource):
    """``source_scope``/``target_scope``: the value sets the map is from and to, where it says.
    ``source``: the resource as it came, kept only to be written back (by ``terminology.fhir``)."""

    metadata: ResourceMetadata
    source_scope: str | None = None
    target_scope: str | None = None
    groups: tuple[MapGroup, ...] = ()
    source: Mapping[str, Any] | None = field(default=None, repr=False)

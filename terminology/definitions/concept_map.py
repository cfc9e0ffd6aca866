"""A ConceptMap: the value sets it maps from and to, and its groups of mappings from one code system to another.

R4's and R5's shapes are read alike (``relationship`` as the R4 ``equivalence`` that means the same,
``sourceScope`` as ``source[x]``, a group's systems written ``url|version``, unmapped mode
``use-source-code`` as ``provided``): what is here is R4's meaning.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..model import Coding
from .metadata import CanonicalResource, ResourceMetadata

__all__ = ["ConceptMapDefinition", "IndexedElements", "MapDependency", "MapElement", "MapGroup", "MapTarget", "Unmapped"]


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


class IndexedElements(Sequence[MapElement]):
    """A group's elements held by something that finds them by code itself, rather than as a tuple: a map
    of a hundred thousand mappings built from data makes each element when it is asked for."""

    __slots__ = ()

    @abstractmethod
    def with_code(self, code: str | None) -> tuple[MapElement, ...]:
        """The elements that map ``code``, in the group's order."""

    @abstractmethod
    def mapping_to(self, code: str | None) -> tuple[tuple[MapElement, MapTarget], ...]:
        """Each target of code ``code``, with the element it maps from, in the group's order."""


class _ListedElements(IndexedElements):
    """A tuple of elements, indexed by their codes and their targets' codes."""

    __slots__ = ("_by_code", "_by_target", "_elements")

    def __init__(self, elements: Sequence[MapElement]) -> None:
        self._elements = tuple(elements)
        by_code: dict[str | None, list[MapElement]] = {}
        by_target: dict[str | None, list[tuple[MapElement, MapTarget]]] = {}
        for element in self._elements:
            by_code.setdefault(element.code, []).append(element)
            if element.code is not None:
                for target in element.targets:
                    by_target.setdefault(target.code, []).append((element, target))
        self._by_code = {code: tuple(found) for code, found in by_code.items()}
        self._by_target = {code: tuple(found) for code, found in by_target.items()}

    def __len__(self) -> int:
        return len(self._elements)

    def __getitem__(self, index):  # type: ignore[override]
        return self._elements[index]

    def with_code(self, code: str | None) -> tuple[MapElement, ...]:
        return self._by_code.get(code, ())

    def mapping_to(self, code: str | None) -> tuple[tuple[MapElement, MapTarget], ...]:
        return self._by_target.get(code, ())


@dataclass(frozen=True, slots=True)
class MapGroup:
    """``elements``: a tuple, or :class:`IndexedElements` that find them by code themselves.
    ``source_versions``: the versions of the source code system the group maps, where a group made here
    maps several of them (CMS's map of a payment year serves the ICD-10-CM releases of two fiscal years);
    a resource names one at most (``source_version``)."""

    source: str | None
    source_version: str | None
    target: str | None
    target_version: str | None
    elements: Sequence[MapElement] = ()
    unmapped: Unmapped | None = None
    source_versions: frozenset[str] | None = None
    _index: IndexedElements = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        index = self.elements if isinstance(self.elements, IndexedElements) else _ListedElements(self.elements)
        object.__setattr__(self, "_index", index)  # (frozen: made once)

    def elements_for(self, code: str | None) -> tuple[MapElement, ...]:
        """The elements that map ``code``, in the group's order."""
        return self._index.with_code(code)

    def mappings_to(self, code: str | None) -> tuple[tuple[MapElement, MapTarget], ...]:
        """Each target of code ``code`` with the element that maps to it (an element with a code), in the group's order."""
        return self._index.mapping_to(code)

    def maps_source_version(self, version: str) -> bool:
        """Whether the group maps the codes of ``version`` of its source (every version, when it names none)."""
        if self.source_versions is not None:
            return version in self.source_versions
        return self.source_version is None or version == self.source_version

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

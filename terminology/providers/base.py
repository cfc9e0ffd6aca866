"""The interface every kind of code system implements; operations see code systems only through it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..context import RequestContext
from ..model import Designation, Property, PropertyDefinition

__all__ = ["CodeSystemInfo", "CodeSystemProvider", "Concept"]

#: A provider's own handle on one concept, returned by :meth:`CodeSystemProvider.locate`
#: and handed back to it; operations never look inside.
Concept = Any


@dataclass(frozen=True, slots=True)
class CodeSystemInfo:
    """What describes a code system as a whole (the CodeSystem resource without its concepts)."""

    id: str
    url: str
    version: str | None
    name: str
    title: str
    status: str = "active"
    publisher: str | None = None
    description: str | None = None
    copyright: str | None = None
    date: str | None = None
    case_sensitive: bool = True
    hierarchy_meaning: str | None = "is-a"
    content: str = "complete"
    experimental: bool = False
    language: str | None = None


class CodeSystemProvider(ABC):
    """One code system (one version of it): finding concepts and answering questions about them."""

    info: CodeSystemInfo

    @abstractmethod
    def locate(self, code: str) -> Concept | None:
        """The concept with exactly this code, or None."""

    @abstractmethod
    def code(self, concept: Concept) -> str: ...

    @abstractmethod
    def display(self, concept: Concept, context: RequestContext) -> str: ...

    @abstractmethod
    def designations(self, concept: Concept, context: RequestContext) -> Sequence[Designation]:
        """Every designation of the concept, the display included (as a designation of use display)."""

    @abstractmethod
    def is_abstract(self, concept: Concept) -> bool:
        """Whether the concept is not meant to be used in data (FHIR's ``notSelectable``)."""

    def is_inactive(self, concept: Concept) -> bool:
        return False

    def abstract_reason(self, concept: Concept) -> str:
        """Says why the concept is abstract and what to use instead, for a person to act on."""
        return f"The concept '{self.code(concept)}' is abstract and is not meant to be used in data"

    @abstractmethod
    def property_definitions(self) -> Sequence[PropertyDefinition]: ...

    @abstractmethod
    def properties(
        self, concept: Concept, wanted: Collection[str] | None, inherited: bool = True
    ) -> Iterator[Property]:
        """The concept's property values; ``wanted`` None means every property.

        ``inherited`` False leaves out what a concept only inherits from the concepts above it
        (as a CodeSystem resource, where each concept carries its own)."""

    @abstractmethod
    def children(self, concept: Concept) -> Sequence[Concept]: ...

    @abstractmethod
    def roots(self) -> Sequence[Concept]:
        """The concepts with no parent, in the code system's order."""

    @abstractmethod
    def count(self) -> int:
        """How many concepts the code system has."""

    def probable_code(self, code: str) -> str | None:
        """A code of this system that the given unknown code was probably meant to be, or None."""
        return None

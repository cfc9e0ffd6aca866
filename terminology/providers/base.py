"""The interface every kind of code system implements; operations see code systems only through it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..context import RequestContext
from ..definitions import SupplementDefinition
from ..fiscal_years import EffectivePeriod
from ..model import Coding, Designation, Extension, Property, PropertyDefinition

__all__ = ["PREFERRED_FOR_LANGUAGE", "CodeSystemInfo", "CodeSystemProvider", "Concept", "ConceptFilter", "HistoryNote", "depth_first"]

#: The designation use of a code system's own display, in its own language.
PREFERRED_FOR_LANGUAGE = Coding(
    "http://terminology.hl7.org/CodeSystem/hl7TermMaintInfra", None, "preferredForLanguage", "Preferred For Language"
)

#: A provider's own handle on one concept, returned by :meth:`CodeSystemProvider.locate`
#: and handed back to it; operations never look inside.
Concept = Any


@dataclass(frozen=True, slots=True)
class HistoryNote:
    """A code's change in time, as a validation reports it: ``message_id`` names the kind of change;
    ``severity`` is ``error`` where the change is why the code is not valid, else ``warning``;
    ``replaced_by`` the codes that took its place (those the text names), for a client to act on."""

    message_id: str
    text: str
    severity: str = "error"
    replaced_by: tuple[str, ...] = ()


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
    warning_status: str | None = None  # deprecated, withdrawn, draft or experimental: worth a warning
    # The days this version is in effect, for a code system released in time (ICD-10-CM); None for one
    # whose versions are not tied to dates, which a date in a request does not choose among.
    effective: EffectivePeriod | None = None
    # Further names of this version (an ICD-10-CM release's own date, where the fiscal year names it).
    aliases: tuple[str, ...] = ()

    @property
    def canonical(self) -> str:
        return f"{self.url}|{self.version}" if self.version else self.url


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

    def display_language(self, concept: Concept, context: RequestContext) -> str | None:
        """The language of what :meth:`display` returns for this context."""
        return self.info.language

    @abstractmethod
    def designations(self, concept: Concept, context: RequestContext) -> Sequence[Designation]:
        """Every designation of the concept, the display included (as a designation of use display)."""

    @abstractmethod
    def is_abstract(self, concept: Concept) -> bool:
        """Whether the concept is not meant to be used in data (FHIR's ``notSelectable``)."""

    def is_inactive(self, concept: Concept) -> bool:
        return False

    def abstract_reason(self, concept: Concept) -> str | None:
        """Why the concept is abstract and what to use instead, for a person to act on; a code system
        that says this warns of it even where abstract codes are allowed."""
        return None

    @abstractmethod
    def property_definitions(self) -> Sequence[PropertyDefinition]: ...

    def display_designation(self, concept: Concept) -> Designation:
        """The concept's own display as a designation: in the code system's language, preferred for it."""
        return Designation(self.display(concept, RequestContext()), self.info.language, PREFERRED_FOR_LANGUAGE)

    def annotations(self, concept: Concept) -> Sequence[Property]:
        """Properties the code system states through extensions on the concept (its order, label,
        weight, status), which every expansion shows."""
        return ()

    def carried_extensions(self, concept: Concept) -> Sequence[Extension]:
        """Extensions on the concept that an expansion carries into its entry (rendering hints)."""
        return ()

    def supplement_canonicals(self) -> Sequence[str]:
        """``url|version`` of the supplements applied to this code system."""
        return ()

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
    def parents(self, concept: Concept) -> Sequence[Concept]: ...

    @abstractmethod
    def roots(self) -> Sequence[Concept]:
        """The concepts with no parent, in the code system's order."""

    @abstractmethod
    def count(self) -> int:
        """How many concepts the code system has."""

    def definition(self, concept: Concept) -> str | None:
        return None

    def status(self, concept: Concept) -> str | None:
        """The concept's status code (``active``, ``retired``, ``deprecated`` ...), if it has one."""
        return None

    def history_note(self, code: str, day: date | None) -> HistoryNote | None:
        """What the code system's history says of ``code`` where this version alone would mislead a
        coder (the code was deleted, is not yet valid, became a header), for the day asked about (None:
        this version's own time). None by default: most code systems keep no history."""
        return None

    def read_built_files(self) -> None:
        """Reads now what this provider keeps compiled in files that are already built (a server calls it
        before it forks its workers, so that they share those pages). Nothing by default."""

    def probable_code(self, code: str) -> str | None:
        """A code of this system that the given unknown code was probably meant to be, or None."""
        return None

    def all_concepts(self) -> Iterator[Concept]:
        """Every concept once, parents before their children, in the code system's order."""
        return depth_first(self.roots(), self.children)

    def descendants(self, concept: Concept) -> Iterator[Concept]:
        """The concepts below ``concept`` (not itself), each once."""
        return depth_first(self.children(concept), self.children)

    def subsumes(self, ancestor: Concept, concept: Concept) -> bool:
        """Whether ``ancestor`` is ``concept`` or above it."""
        if ancestor is concept:
            return True
        seen: set[int] = set()
        stack = list(self.parents(concept))
        while stack:
            current = stack.pop()
            if current is ancestor:
                return True
            if id(current) not in seen:
                seen.add(id(current))
                stack.extend(self.parents(current))
        return False

    def text_search(self, text: str) -> Sequence[Concept] | None:
        """The concepts matching a typeahead text, best first, from the provider's own text index;
        None when it has none (the engine then matches words in displays itself)."""
        return None

    def with_supplements(self, supplements: Sequence[SupplementDefinition]) -> CodeSystemProvider:
        """This code system with the designations and properties of ``supplements``."""
        from ..errors import NotSupported

        raise NotSupported(f"The code system {self.info.url} cannot take supplements")

    @abstractmethod
    def filter(self, prop: str, op: str, value: str) -> ConceptFilter:
        """The concepts that a ValueSet ``compose.include.filter`` selects.

        :class:`~terminology.errors.InvalidRequest` when the filter is malformed for this code
        system. :func:`~terminology.providers.filters.generic_filter` answers any filter from this
        interface alone; a provider hands it what it cannot do better itself.
        """


class ConceptFilter(ABC):
    """A set of concepts, tested one at a time or listed."""

    @abstractmethod
    def matches(self, concept: Concept) -> bool: ...

    @abstractmethod
    def concepts(self) -> Iterator[Concept]:
        """The members, in the code system's order."""


def depth_first(starts: Iterable[Concept], below: Callable[[Concept], Sequence[Concept]]) -> Iterator[Concept]:
    """``starts`` and what ``below`` gives under each, depth first, each in its order and each concept once
    (one with several parents is reached more than once): the order of a code system's nested concepts."""
    seen: set[int] = set()
    stack = list(starts)[::-1]
    while stack:
        concept = stack.pop()
        if id(concept) in seen:
            continue
        seen.add(id(concept))
        yield concept
        stack.extend(reversed(below(concept)))

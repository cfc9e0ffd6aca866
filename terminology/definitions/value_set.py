"""A ValueSet: its metadata, its ``compose`` (the includes, excludes and imports the engine works on), and
what it asks of an expansion (supplements, a language, expansion parameters).

What depends only on the definition (the systems its includes name, the versions they pin, the value sets
they import) is worked out once, when it is made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from ..errors import InvalidRequest
from ..model import Coding, Designation, Extension, Property
from .metadata import CanonicalResource, ResourceMetadata

if TYPE_CHECKING:
    from . import Definition

__all__ = ["CarriedExpansion", "Compose", "ConceptReference", "Filter", "Include", "ValueSetDefinition"]


@dataclass(frozen=True, slots=True)
class ConceptReference:
    code: str
    display: str | None = None
    designations: tuple[Designation, ...] = ()
    status: str | None = None  # deprecated or withdrawn in this value set (valueset-deprecated, standards-status)
    annotations: tuple[Property, ...] = ()  # properties the value set states of the concept (its order, label)
    carried: tuple[Extension, ...] = ()  # extensions an expansion carries into the concept's entry


@dataclass(frozen=True, slots=True)
class Filter:
    property: str
    op: str
    value: str


@dataclass(frozen=True, slots=True)
class Include:
    system: str | None = None
    version: str | None = None
    concepts: tuple[ConceptReference, ...] = ()
    filters: tuple[Filter, ...] = ()
    value_sets: tuple[str, ...] = ()
    locked_date: date | None = None  # the compose's lockedDate: a version it names none of is the one current then

    @property
    def whole_system(self) -> bool:
        return self.system is not None and not self.concepts and not self.filters

    def with_version(self, version: str | None) -> Include:
        # (dataclasses.replace reads the fields anew each call: a validation makes one of these)
        return Include(self.system, version, self.concepts, self.filters, self.value_sets, self.locked_date)


@dataclass(frozen=True, slots=True)
class Compose:
    """``systems``, ``pinned``, ``imports`` and ``references`` are worked out from the includes and excludes."""

    includes: tuple[Include, ...]
    excludes: tuple[Include, ...] = ()
    inactive: bool | None = None
    locked_date: date | None = None
    versions_match: bool | None = None  # the value set's versionsMatch expansion parameter, if it sets one
    systems: tuple[str, ...] = field(init=False, compare=False, repr=False)  # the includes' systems, each once
    pinned: Mapping[str, tuple[str, ...]] = field(init=False, compare=False, repr=False)  # system -> versions the includes name
    imports: tuple[str, ...] = field(init=False, compare=False, repr=False)  # the value sets the includes import
    references: tuple[str, ...] = field(init=False, compare=False, repr=False)  # ... the includes and excludes

    def __post_init__(self) -> None:
        pinned: dict[str, list[str]] = {}
        for include in self.includes:
            if include.system is not None and include.version is not None:
                pinned.setdefault(include.system, []).append(include.version)
        set_ = object.__setattr__  # (frozen: worked out here, once)
        set_(self, "systems", tuple(dict.fromkeys(i.system for i in self.includes if i.system is not None)))
        set_(self, "pinned", {system: tuple(versions) for system, versions in pinned.items()})
        set_(self, "imports", tuple(dict.fromkeys(url for i in self.includes for url in i.value_sets)))
        set_(self, "references", tuple(dict.fromkeys(url for i in (*self.includes, *self.excludes) for url in i.value_sets)))


@dataclass(frozen=True, slots=True)
class CarriedExpansion:
    """An expansion a ValueSet resource carries with it (``ValueSet.expansion``): the codes it lists."""

    total: int | None
    contains: tuple[Coding, ...]


_NO_COMPOSE = Compose(())


@dataclass(frozen=True, slots=True, eq=False)
class ValueSetDefinition(CanonicalResource):
    """``parsed_compose``: None when the resource has none. A compose that cannot be read does not stop the
    value set from being held, listed and read: ``compose_error`` says what is wrong, and :attr:`compose`
    raises it when the content is used (as a server does for each of the many value sets it is given).

    ``contained``: the resources it contains, known by their url or else by ``#id``; the compose names them
    so (its local references are resolved). ``source``: the resource as it came, kept only to be written
    back as it was (by ``terminology.fhir``); nothing else reads it."""

    metadata: ResourceMetadata
    parsed_compose: Compose | None = None
    compose_error: InvalidRequest | None = None
    language: str | None = None
    supplements: tuple[str, ...] = ()  # canonicals of the supplements it needs (valueset-supplement)
    contained: tuple[Definition, ...] = ()
    expansion_parameters: Mapping[str, Any] = field(default_factory=dict)  # valueset-expansion-parameter: name -> value
    expansion: CarriedExpansion | None = None
    source: Mapping[str, Any] | None = field(default=None, repr=False)

    @property
    def compose(self) -> Compose:
        """:class:`InvalidRequest` naming what is malformed (an include with neither system nor valueSet, ...)."""
        error = self.compose_error
        if error is not None:  # (a new one each time: an exception raised again keeps every traceback it had)
            raise InvalidRequest(error.message, tx_code=error.tx_code, expression=error.expression)
        return self.parsed_compose or _NO_COMPOSE

    @property
    def contained_canonicals(self) -> frozenset[str]:
        """How its contained resources are named: ``url|version``, or ``#id``."""
        return frozenset(item.metadata.canonical for item in self.contained)


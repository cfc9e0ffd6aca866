"""Expanding a ValueSet: the concepts its compose selects, as a flat or nested list.

The engine never sees the store: it is handed a :class:`Resolver`. Imports (``valueSet``) are
expanded recursively, a cycle is an error, and an expansion that would grow past
``ExpansionOptions.limit`` stops with :class:`TooCostly` rather than filling memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..context import RequestContext
from ..errors import InvalidRequest, NotFound, TooCostly
from ..model import Designation, Property
from ..providers.base import CodeSystemProvider, Concept
from .compose import Include, read_compose
from .resolution import Resolver, VersionRules

__all__ = ["Expansion", "ExpansionEntry", "ExpansionOptions", "expand_value_set"]


@dataclass(frozen=True, slots=True)
class ExpansionOptions:
    text_filter: str | None = None
    active_only: bool = False
    exclude_nested: bool = True
    include_designations: bool = False
    include_definition: bool = False
    properties: tuple[str, ...] = ()
    version_rules: VersionRules = field(default_factory=VersionRules)
    limit: int = 100_000  # entries an expansion may hold before it is too costly


@dataclass(slots=True, eq=False)
class ExpansionEntry:
    system: str
    version: str | None
    code: str
    display: str | None
    abstract: bool = False
    inactive: bool = False
    status: str | None = None
    definition: str | None = None
    designations: tuple[Designation, ...] = ()
    properties: tuple[Property, ...] = ()
    children: list[ExpansionEntry] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.system, self.code)


@dataclass(slots=True)
class Expansion:
    """``entries`` nests children under their parents when the expansion is hierarchical;
    ``used_code_systems``: ``url|version`` of every code system the expansion drew on."""

    entries: list[ExpansionEntry]
    used_code_systems: list[str]
    used_value_sets: list[str]
    nested: bool = False

    def flat(self) -> Iterator[ExpansionEntry]:
        stack = list(reversed(self.entries))
        while stack:
            entry = stack.pop()
            yield entry
            stack.extend(reversed(entry.children))

    @property
    def total(self) -> int:
        return sum(1 for _ in self.flat())


def expand_value_set(
    value_set: Mapping[str, Any], resolver: Resolver, options: ExpansionOptions, context: RequestContext
) -> Expansion:
    return _Expander(resolver, options, context).expand(value_set, ())


class _Expander:
    def __init__(self, resolver: Resolver, options: ExpansionOptions, context: RequestContext) -> None:
        self.resolver = resolver
        self.options = options
        self.context = context
        self.used_code_systems: dict[str, None] = {}
        self.used_value_sets: dict[str, None] = {}

    def expand(self, value_set: Mapping[str, Any], chain: tuple[str, ...]) -> Expansion:
        compose = read_compose(value_set)
        selected: dict[tuple[str, str], ExpansionEntry] = {}
        for include in compose.includes:
            for entry in self._select(include, chain + (str(value_set.get("url")),)):
                selected.setdefault(entry.key, entry)
                if len(selected) > self.options.limit:
                    raise TooCostly(
                        f"The value set {value_set.get('url')} has more than {self.options.limit} codes; "
                        "use a filter or count to ask for part of it"
                    )
        for exclude in compose.excludes:
            for entry in self._select(exclude, chain + (str(value_set.get("url")),)):
                selected.pop(entry.key, None)
        entries = list(selected.values())
        if self.options.active_only or compose.inactive is False:
            entries = [entry for entry in entries if not entry.inactive]
        nested = not self.options.exclude_nested and self._hierarchical(compose.includes, compose.excludes)
        if nested:
            entries = self._nest(entries)
        return Expansion(entries, list(self.used_code_systems), list(self.used_value_sets), nested)

    # -- selection ------------------------------------------------------------------------------

    def _select(self, include: Include, chain: tuple[str, ...]) -> list[ExpansionEntry]:
        imported = [self._import(url, chain) for url in include.value_sets]
        if include.system is None:
            keys = set.intersection(*({e.key for e in expansion} for expansion in imported[1:])) if len(imported) > 1 else None
            return [e for e in imported[0] if keys is None or e.key in keys]
        provider = self.options.version_rules.code_system(self.resolver, include, "the value set cannot be expanded")
        self.used_code_systems.setdefault(f"{provider.info.url}|{provider.info.version}" if provider.info.version else provider.info.url)
        entries = [self._entry(provider, concept, reference) for concept, reference in self._concepts(provider, include)]
        for expansion in imported:
            keys = {e.key for e in expansion}
            entries = [e for e in entries if e.key in keys]
        return entries

    def _import(self, url: str, chain: tuple[str, ...]) -> list[ExpansionEntry]:
        if url in chain or url.split("|")[0] in chain:
            raise InvalidRequest(f"The value set {url} imports itself (through {' -> '.join(chain)})", tx_code="vs-invalid")
        value_set = self.resolver.value_set(url)
        if value_set is None:
            raise NotFound(f"A definition for the value Set '{url}' could not be found", tx_code="not-found")
        self.used_value_sets.setdefault(_canonical(value_set))
        return list(self.expand(value_set, chain).flat())

    def _concepts(self, provider: CodeSystemProvider, include: Include) -> Iterable[tuple[Concept, Any]]:
        if include.concepts:
            for reference in include.concepts:
                concept = provider.locate(reference.code)
                if concept is not None:  # codes the code system does not have are left out, as tx.fhir.org does
                    yield concept, reference
            return
        if not include.filters:
            for concept in provider.all_concepts():
                yield concept, None
            return
        filters = [provider.filter(f.property, f.op, f.value) for f in include.filters]
        for concept in filters[0].concepts():
            if all(other.matches(concept) for other in filters[1:]):
                yield concept, None

    def _entry(self, provider: CodeSystemProvider, concept: Concept, reference: Any) -> ExpansionEntry:
        context, options = self.context, self.options
        display = reference.display if reference is not None and reference.display else provider.display(concept, context)
        designations: tuple[Designation, ...] = ()
        if options.include_designations:
            designations = tuple(provider.designations(concept, context))
            if reference is not None:
                designations += reference.designations
        properties: tuple[Property, ...] = ()
        if options.properties:
            properties = tuple(provider.properties(concept, frozenset(options.properties)))
        return ExpansionEntry(
            system=provider.info.url,
            version=provider.info.version,
            code=provider.code(concept),
            display=display,
            abstract=provider.is_abstract(concept),
            inactive=provider.is_inactive(concept),
            status=provider.status(concept),
            definition=provider.definition(concept) if options.include_definition else None,
            designations=designations,
            properties=properties,
        )

    # -- hierarchy ------------------------------------------------------------------------------

    def _hierarchical(self, includes: tuple[Include, ...], excludes: tuple[Include, ...]) -> bool:
        """Nested only when every include takes a whole code system (a hierarchy that is all there)."""
        return bool(includes) and not excludes and all(i.whole_system and not i.value_sets for i in includes)

    def _nest(self, entries: list[ExpansionEntry]) -> list[ExpansionEntry]:
        by_key = {entry.key: entry for entry in entries}
        roots = []
        for entry in entries:
            provider = self.resolver.code_system(entry.system, entry.version)
            concept = provider.locate(entry.code) if provider is not None else None
            parents = provider.parents(concept) if concept is not None else ()
            parent = next((by_key[(entry.system, provider.code(p))] for p in parents if (entry.system, provider.code(p)) in by_key), None)
            (parent.children if parent is not None else roots).append(entry)
        return roots


def _canonical(resource: Mapping[str, Any]) -> str:
    url, version = str(resource.get("url")), resource.get("version")
    return f"{url}|{version}" if version else url

"""Expanding a ValueSet: the concepts its compose selects, as a flat or nested list.

The engine never sees the store: it is handed a :class:`Resolver`. Imports (``valueSet``) are
expanded recursively, a cycle is an error, and an expansion that would grow past
``ExpansionOptions.limit`` stops with :class:`TooCostly` rather than filling memory; so does one
that runs past the request context's deadline (the clock is read at each include, and every few
hundred concepts the engine reads; a provider's own filter over its code system runs to its end).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import repeat
from typing import TypeVar

from ..context import RequestContext, parse_languages
from ..definitions.value_set import Compose, ConceptReference, Include, ValueSetDefinition
from ..errors import TooCostly
from ..model import Designation, Extension, Property
from ..providers.base import CodeSystemProvider, Concept
from ..settings import Bound, Settings
from ..versions import version_key
from .resolution import CircularReference, Resolver, VersionRules

__all__ = [
    "Candidate",
    "Expansion",
    "ExpansionEntry",
    "ExpansionOptions",
    "expand_value_set",
    "value_set_languages",
    "text_words",
]

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class ExpansionOptions:
    text_filter: str | None = None
    active_only: bool = False
    exclude_nested: bool = True  # a flat list, for library callers; $expand nests unless excludeNested says not
    exclude_not_for_ui: bool = False  # leave out abstract concepts (headers), which no one picks in a UI
    include_designations: bool = False
    designations: tuple[str, ...] = ()  # only designations in these languages or of these uses (system|code)
    properties: tuple[str, ...] = ()
    version_rules: VersionRules = field(default_factory=VersionRules)
    limit: Bound = Settings().bound("max_selected_codes")  # entries an expansion may hold before it is too costly


@dataclass(slots=True, eq=False)
class ExpansionEntry:
    system: str
    version: str | None
    code: str
    display: str | None
    abstract: bool = False
    inactive: bool = False
    status: str | None = None
    designations: tuple[Designation, ...] = ()
    properties: tuple[Property, ...] = ()
    extensions: tuple[Extension, ...] = ()  # carried from the code system's and the value set's concept
    children: list[ExpansionEntry] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.system, self.code)


@dataclass(slots=True, eq=False)
class Candidate:
    """A concept the expansion selected, made into an :class:`ExpansionEntry` only when shown."""

    key: tuple[str, str]
    provider: CodeSystemProvider
    concept: Concept
    reference: ConceptReference | None  # the include's (its display, designations)

    @property
    def version(self) -> str | None:
        return self.provider.info.version


@dataclass(slots=True)
class Expansion:
    """``candidates`` in expansion order; ``used_code_systems``: ``url|version`` of every code
    system the expansion drew on. :meth:`entries` makes the entries of a page (nested, when the
    expansion is hierarchical and the whole of it is asked for)."""

    candidates: Sequence[Candidate]
    used_code_systems: list[str]
    used_value_sets: list[str]
    hierarchical: bool
    build: Callable[[Candidate], ExpansionEntry]
    warnings: list[tuple[str, str]]  # (status, canonical) of what is deprecated, withdrawn, draft, experimental
    rules_applied: frozenset[str] = frozenset()  # the version-rule parameters that decided a version
    versions_matched: bool = False  # an exclude took its codes out of other versions too
    fragments: list[str] = field(default_factory=list)  # ``url|version`` of the fragments drawn on: the expansion may lack codes
    property_uris: Mapping[str, str] = field(default_factory=dict)  # property code -> the uri its code system gives it
    supplements: list[str] = field(default_factory=list)  # ``url|version`` of the supplements applied
    several_named: frozenset[str] = frozenset()  # the systems whose includes name more than one version

    @property
    def total(self) -> int:
        return len(self.candidates)

    def versioned_systems(self) -> frozenset[str]:
        """The code systems the expansion draws on in more than one version, or whose includes name
        more than one (though a rule made them one): their entries name theirs."""
        versions: dict[str, set[str | None]] = {}
        for canonical in self.used_code_systems:
            url, _, version = canonical.partition("|")
            versions.setdefault(url, set()).add(version or None)
        return frozenset(url for url, found in versions.items() if len(found) > 1) | self.several_named

    def entries(self, offset: int = 0, count: int | None = None) -> list[ExpansionEntry]:
        if self.hierarchical and offset == 0 and count is None:
            return _nest([self.build(c) for c in self.candidates], self.candidates)
        end = None if count is None else offset + count
        return [self.build(candidate) for candidate in self.candidates[offset:end]]


def expand_value_set(
    value_set: ValueSetDefinition, resolver: Resolver, options: ExpansionOptions, context: RequestContext
) -> Expansion:
    expander = _Expander(resolver, options, context)
    expander.note_value_set(value_set)
    return expander.expand(value_set, ())


class _Expander:
    def __init__(self, resolver: Resolver, options: ExpansionOptions, context: RequestContext) -> None:
        self.resolver = resolver
        self.options = options
        self.context = context
        self.used_code_systems: dict[str, None] = {}
        self.used_value_sets: dict[str, None] = {}
        self.fragments: dict[str, None] = {}  # the code systems drawn on that are fragments
        self.property_uris: dict[str, str] = {}  # the uris the code systems drawn on give their properties
        self.supplements: dict[str, None] = {}  # ``url|version`` of the supplements applied
        self.named_versions: dict[str, set[str]] = {}  # the versions the includes name, by system
        self.warnings: dict[tuple[str, str], None] = {}
        self.rules_applied: set[str] = set()
        self.versions_matched = False  # codes were excluded whatever their version, the value set not saying so
        self.words = text_words(options.text_filter or "")

    def note_code_system(self, provider: CodeSystemProvider) -> None:
        self.used_code_systems.setdefault(provider.info.canonical)
        if provider.info.content == "fragment":
            self.fragments.setdefault(provider.info.canonical)
        self.supplements.update(dict.fromkeys(provider.supplement_canonicals()))
        if self.options.properties:
            for definition in provider.property_definitions():
                if definition.uri:
                    self.property_uris.setdefault(definition.code, definition.uri)
        if provider.info.warning_status:
            self.warnings.setdefault((provider.info.warning_status, provider.info.canonical))

    def code_system(self, include: Include) -> CodeSystemProvider:
        """The code system an include draws on, in the version the request's rules give it."""
        assert include.system is not None
        rules = self.options.version_rules
        rule = rules.rule_for(include.system, include.version)
        if rule is not None:
            self.rules_applied.add(rule)
        if include.version is not None:
            self.named_versions.setdefault(include.system, set()).add(include.version)
        provider = rules.code_system(self.resolver, include, "the value set cannot be expanded")
        self.note_code_system(provider)
        return provider

    def note_value_set(self, value_set: ValueSetDefinition) -> None:
        status = value_set.metadata.standards_status  # (tx.fhir.org warns of no draft or experimental value set)
        if status:
            self.warnings.setdefault((status, value_set.canonical))

    def _expansion(self, candidates: Sequence[Candidate], hierarchical: bool) -> Expansion:
        return Expansion(
            candidates, list(self.used_code_systems), list(self.used_value_sets), hierarchical, self._entry,
            list(self.warnings), frozenset(self.rules_applied), self.versions_matched, list(self.fragments),
            dict(self.property_uris), list(self.supplements),
            frozenset(system for system, versions in self.named_versions.items() if len(versions) > 1),
        )

    def expand(self, value_set: ValueSetDefinition, chain: tuple[str, ...]) -> Expansion:
        compose = value_set.compose
        chain = chain + (str(value_set.url),)
        ranked = self._ranked_whole_system(compose)
        if ranked is not None:
            return self._expansion(ranked, False)
        only = compose.includes[0] if len(compose.includes) == 1 else None
        if only is not None and only.system is not None and not only.concepts:
            # The concepts of one code system, each once: nothing to merge (the whole of ICD-10-CM is 98k).
            candidates = self._select(only, chain)
            if len(candidates) > self.options.limit.value:
                raise self._too_costly(value_set)
            candidates = self._without_excluded(candidates, compose, chain)
        else:
            candidates = self._merged_selection(value_set, compose, chain)
        if self.options.active_only or compose.inactive is False:
            candidates = [c for c in candidates if not c.provider.is_inactive(c.concept)]
        if self.options.exclude_not_for_ui:
            candidates = [c for c in candidates if not c.provider.is_abstract(c.concept)]
        # A text search over a whole code system answers a flat list of matches; a value set that takes
        # part of one keeps its shape under a text filter too (tx.fhir.org's way).
        searched = bool(self.words) and any(include.whole_system for include in compose.includes)
        hierarchical = not self.options.exclude_nested and not searched and _hierarchical(compose.includes, compose.excludes)
        return self._expansion(candidates, hierarchical)

    def _merged_selection(self, value_set: ValueSetDefinition, compose: Compose, chain: tuple[str, ...]) -> list[Candidate]:
        """The includes' concepts, each once, less the excluded ones."""
        # The same code from two versions of a code system is two entries (the latest first), unless the
        # value set says versionsMatch: then the latest version's stands for both.
        merge = compose.versions_match is True
        selected: dict[tuple, Candidate] = {}
        codes: set[tuple[str, str]] = set()
        stated: dict[tuple, str | None] = {}  # the version each entry's include named
        repeated = False  # some code came from two versions
        for include in compose.includes:
            for candidate in self._select(include, chain):
                key = candidate.key if merge else (*candidate.key, candidate.provider.info.version)
                known = selected.get(key)
                if known is None and not merge:
                    repeated = repeated or candidate.key in codes
                    codes.add(candidate.key)
                    stated[key] = include.version
                if known is None or (merge and version_key(candidate.version) > version_key(known.version)):
                    selected[key] = candidate
                if len(selected) > self.options.limit.value:
                    raise self._too_costly(value_set)
        candidates = self._without_excluded(list(selected.values()), compose, chain)
        return _versions_together(candidates, stated) if repeated else candidates

    def _too_costly(self, value_set: ValueSetDefinition) -> TooCostly:
        return TooCostly(
            f"The value set '{value_set.url}' expansion has too many codes (more than {self.options.limit.value:,}); "
            f"this server selects at most {self.options.limit}: use a filter to ask for part of it"
        )

    def _without_excluded(
        self, candidates: list[Candidate], compose: Compose, chain: tuple[str, ...]
    ) -> list[Candidate]:
        """An exclude removes its codes whatever their text. Which versions: the one it names, when the
        value set says versionsMatch false or includes that version itself; otherwise the same codes in
        any version (one version excluded from another: a cheap diff), which the expansion then reports."""
        if not compose.excludes:
            return candidates
        included_versions = {
            (include.system, self.code_system(include).info.version) for include in compose.includes if include.system is not None
        }
        by_code: set[tuple[str, str]] = set()
        by_version: set[tuple[str, str, str | None]] = set()
        versions_match = compose.versions_match
        for exclude in compose.excludes:
            for c in self._select(exclude, chain, text=False):
                if versions_match is False or (versions_match is None and (c.key[0], c.version) in included_versions):
                    by_version.add((*c.key, c.version))
                else:
                    by_code.add(c.key)
                    # (reported where an include took the system in another version; not for an import's codes)
                    other_version = versions_match is None and any(system == c.key[0] for system, _ in included_versions)
                    self.versions_matched = self.versions_matched or other_version
        return [c for c in candidates if c.key not in by_code and (*c.key, c.version) not in by_version]

    def _ranked_whole_system(self, compose: Compose) -> Sequence[Candidate] | None:
        """A typeahead over one whole code system with a text index: its ranked matches, read
        page by page (the total is the index's count), rather than every match made a candidate."""
        if not self.words or compose.excludes or len(compose.includes) != 1 or self.options.active_only or self.options.exclude_not_for_ui:
            return None
        include = compose.includes[0]
        if not include.whole_system or include.value_sets or compose.inactive is False:
            return None
        provider = self.code_system(include)
        ranked = provider.text_search(self.options.text_filter or "")
        return None if ranked is None else _Candidates(ranked, provider)

    # -- selection ------------------------------------------------------------------------------

    def _select(self, include: Include, chain: tuple[str, ...], text: bool = True) -> Sequence[Candidate]:
        deadline = self.context.deadline
        if deadline is not None:
            deadline.check(_work(chain))
        imported = [self._import(url, chain, text) for url in include.value_sets]
        if include.system is None:
            keys = set.intersection(*({c.key for c in expansion} for expansion in imported[1:])) if len(imported) > 1 else None
            return [c for c in imported[0] if keys is None or c.key in keys]
        provider = self.code_system(include)
        selected = self._concepts(provider, include, text, chain)
        if not include.concepts and not imported:
            # Nothing of the include's own to carry: candidates are made as they are read, so that a page of
            # a large selection (all of ICD-10-CM is 98k) makes only its own.
            return _Candidates([concept for concept, _ in selected], provider)
        url = provider.info.url
        candidates = [Candidate((url, provider.code(c)), provider, c, r) for c, r in selected]
        for expansion in imported:
            keys = {c.key for c in expansion}
            candidates = [c for c in candidates if c.key in keys]
        return candidates

    def _import(self, url: str, chain: tuple[str, ...], text: bool = True) -> list[Candidate]:
        if url in chain or url.split("|")[0] in chain:
            raise CircularReference(url, chain)
        value_set = self.options.version_rules.imported_value_set(
            self.resolver, url, "Unable to find included value set '{url}' version '{version}'"
        )
        self.used_value_sets.setdefault(value_set.canonical)
        self.note_value_set(value_set)
        if not text:
            return _Expander(self.resolver, replace(self.options, text_filter=None), self.context).expand(value_set, chain).candidates
        return self.expand(value_set, chain).candidates

    def _concepts(
        self, provider: CodeSystemProvider, include: Include, text: bool, chain: tuple[str, ...]
    ) -> Iterable[tuple[Concept, ConceptReference | None]]:
        """The include's concepts (with their references), best text matches first under a text filter;
        read under the request's deadline (a text filter reads every concept of the include to test it)."""
        words = self.words if text else []
        filters = [provider.filter(f.property, f.op, f.value) for f in include.filters]
        ranked = provider.text_search(self.options.text_filter or "") if words else None
        if ranked is not None:  # the provider's own index: its matches, tested against the include
            listed = {provider.locate(r.code): r for r in include.concepts} if include.concepts else None
            for concept in self._watched(ranked, chain):
                if listed is not None and concept not in listed:
                    continue
                if all(f.matches(concept) for f in filters):
                    yield concept, listed[concept] if listed is not None else None
            return
        if not words:
            yield from self._watched(self._unranked(provider, include, filters), chain)
            return
        for concept, reference in self._watched(self._unranked(provider, include, filters), chain):
            if self._text_matches(provider, concept, reference):
                yield concept, reference

    def _watched(self, items: Iterable[_T], chain: tuple[str, ...]) -> Iterable[_T]:
        deadline = self.context.deadline
        return items if deadline is None else deadline.watched(items, _work(chain))

    def _unranked(self, provider: CodeSystemProvider, include: Include, filters: list) -> Iterable[tuple[Concept, ConceptReference | None]]:
        if include.concepts:
            # Codes the code system does not have are left out, as tx.fhir.org does.
            located = ((provider.locate(reference.code), reference) for reference in include.concepts)
            return [(concept, reference) for concept, reference in located if concept is not None]
        source = filters[0].concepts() if filters else provider.all_concepts()
        others = filters[1:]
        if others:
            source = (concept for concept in source if all(other.matches(concept) for other in others))
        return zip(source, repeat(None))

    def _text_matches(self, provider: CodeSystemProvider, concept: Concept, reference: ConceptReference | None) -> bool:
        texts = [provider.code(concept), provider.display(concept, self.context)]
        texts += [d.value for d in provider.designations(concept, self.context)]
        if reference is not None and reference.display:
            texts.append(reference.display)
        found = [word for text in texts for word in text_words(text)]
        return all(any(word.startswith(wanted) for word in found) for wanted in self.words)

    def _entry(self, candidate: Candidate) -> ExpansionEntry:
        provider, concept, reference = candidate.provider, candidate.concept, candidate.reference
        context, options = self.context, self.options
        display = reference.display if reference is not None and reference.display else provider.display(concept, context)
        if not context.accepts(provider.display_language(concept, context)):
            display = None  # none in the languages the client takes, and it refused the others
        designations: tuple[Designation, ...] = ()
        if options.include_designations:
            designations = self._designations(provider, concept, reference, display)
        # What the extensions state (the value set's word over the code system's), then what was asked for.
        properties = _stated(provider.annotations(concept), reference.annotations if reference is not None else ())
        if options.properties:
            properties += self._asked_properties(provider, concept, {prop.code for prop in properties})
        extensions = _carried(provider.carried_extensions(concept), reference.carried if reference is not None else ())
        return ExpansionEntry(
            system=provider.info.url,
            version=provider.info.version,
            code=provider.code(concept),
            display=display,
            abstract=provider.is_abstract(concept),
            inactive=provider.is_inactive(concept),
            status=provider.status(concept),
            designations=designations,
            properties=properties,
            extensions=extensions,
        )

    def _asked_properties(self, provider: CodeSystemProvider, concept: Concept, stated: set[str]) -> tuple[Property, ...]:
        """The properties the request asks for that the extensions did not state."""
        wanted = self.options.properties
        asked = [prop for prop in provider.properties(concept, frozenset(wanted)) if prop.code not in stated]
        definition = provider.definition(concept) if "definition" in wanted else None
        if definition and not any(prop.code == "definition" for prop in asked):
            asked.append(Property("definition", definition, "string"))  # FHIR's concept property, from the concept
        return tuple(asked)

    def _designations(self, provider: CodeSystemProvider, concept: Concept, reference: ConceptReference | None, display: str | None) -> tuple[Designation, ...]:
        """Every designation but the one shown as the display; the code system's own display among
        them when another language's was shown (as tx.fhir.org lists them)."""
        language = provider.display_language(concept, self.context)
        candidates = [provider.display_designation(concept)]
        candidates += provider.designations(concept, self.context)
        if reference is not None:
            candidates += reference.designations
        shown = [d for d in candidates if not (d.value == display and d.language == language)]
        if self.options.designations:
            shown = [d for d in shown if _designation_wanted(d, self.options.designations)]
        return tuple(shown)



def _stated(own: Sequence[Property], given: Sequence[Property]) -> tuple[Property, ...]:
    """One property a code, of those the code system's extensions state (``own``) and the value set's
    (``given``): the value set's word over the code system's."""
    if not own and not given:  # (most concepts: nothing stated)
        return ()
    stated = {prop.code: prop for prop in own}
    stated |= {prop.code: prop for prop in given}
    return tuple(stated.values())


def _carried(own: Sequence[Extension], given: Sequence[Extension]) -> tuple[Extension, ...]:
    """The extensions an entry carries: the code system's (``own``), less those the value set's (``given``) replace."""
    if not given:
        return tuple(own)
    replaced = {extension.url for extension in given}
    return (*(extension for extension in own if extension.url not in replaced), *given)


def _work(chain: tuple[str, ...]) -> str:
    """What a deadline's refusal names: the expansion of the value set asked for (the first of ``chain``)."""
    return f"The value set '{chain[0]}' expansion"


def _hierarchical(includes: tuple[Include, ...], excludes: tuple[Include, ...]) -> bool:
    """Nested when the includes take code systems or filters of them, not lists of codes or other
    value sets: then the code system's hierarchy is what the expansion shows."""
    return bool(includes) and not excludes and all(i.system and not i.concepts and not i.value_sets for i in includes)


def _nest(entries: list[ExpansionEntry], candidates: list[Candidate]) -> list[ExpansionEntry]:
    """The entries under their nearest parent that is in the expansion too."""
    by_key = {candidate.key: entry for candidate, entry in zip(candidates, entries)}
    roots = []
    for candidate, entry in zip(candidates, entries):
        provider = candidate.provider
        keys = ((candidate.key[0], provider.code(parent)) for parent in provider.parents(candidate.concept))
        parent = next((by_key[key] for key in keys if key in by_key), None)
        (parent.children if parent is not None else roots).append(entry)
    return roots


class _Candidates(Sequence[Candidate]):
    """Candidates over a provider's concepts, made as they are read."""

    def __init__(self, concepts: Sequence[Concept], provider: CodeSystemProvider) -> None:
        self.concepts = concepts
        self.provider = provider

    def _candidate(self, concept: Concept) -> Candidate:
        return Candidate((self.provider.info.url, self.provider.code(concept)), self.provider, concept, None)

    def __len__(self) -> int:
        return len(self.concepts)

    def __iter__(self) -> Iterator[Candidate]:
        return map(self._candidate, self.concepts)

    def __getitem__(self, item):  # type: ignore[override]
        if isinstance(item, slice):
            return [self._candidate(concept) for concept in self.concepts[item]]
        return self._candidate(self.concepts[item])


_LANGUAGES = "urn:ietf:bcp:47"  # the code system of language tags


def _designation_wanted(designation: Designation, wanted: tuple[str, ...]) -> bool:
    """``designation`` parameters name a language (``de``, or ``urn:ietf:bcp:47|de``) or a use (``system|code``)."""
    for item in wanted:
        if item.startswith(_LANGUAGES + "|"):
            item = item[len(_LANGUAGES) + 1 :]
        if "|" in item:
            system, _, code = item.partition("|")
            if designation.use is not None and designation.use.code == code and designation.use.system in (system, None):
                return True
        elif designation.language and designation.language.lower() == item.lower():  # de asks for de, not de-CH
            return True
    return False


def _versions_together(candidates: list[Candidate], stated: Mapping[tuple, str | None]) -> list[Candidate]:
    """The entries of one code from several versions together, where the code first came: those of
    includes naming a version first, the latest named first, then those of includes naming none
    (tx.fhir.org's order)."""
    first: dict[tuple[str, str], int] = {}
    for index, candidate in enumerate(candidates):
        first.setdefault(candidate.key, index)

    def named(candidate: Candidate) -> tuple:
        version = stated.get((*candidate.key, candidate.version))
        return (version is not None, version_key(version))

    by_version = sorted(candidates, key=named, reverse=True)
    return sorted(by_version, key=lambda c: first[c.key])


def value_set_languages(value_set: ValueSetDefinition) -> tuple[str, ...]:
    """The display language a ValueSet asks for itself: its ``displayLanguage`` expansion parameter,
    else the language it is written in; empty when it names none."""
    language = value_set.expansion_parameters.get("displayLanguage") or value_set.language
    return parse_languages(language) if isinstance(language, str) else ()


def text_words(text: str) -> list[str]:
    """The words of a text filter or a display: runs of letters and digits, case folded."""
    return _WORD.findall(text.casefold())


_WORD = re.compile(r"[^\W_]+")  # a run of what str.isalnum() takes (a word character, but not "_")





"""The ValueSet filters (``compose.include.filter``) over any provider, from its interface alone.

Hierarchy filters walk the provider's hierarchy from the named concept; property filters test
one concept at a time, so a membership check never lists the code system. Regular expressions
run on RE2, whose matching time is linear in the text: a request's pattern cannot hang a worker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import re2

from ..context import RequestContext
from ..errors import InvalidRequest
from ..model import Coding
from .base import CodeSystemProvider, Concept, ConceptFilter, depth_first

__all__ = ["FILTER_OPERATORS", "PredicateFilter", "compile_regex", "generic_filter"]

FILTER_OPERATORS = frozenset(
    {"=", "is-a", "descendent-of", "is-not-a", "regex", "in", "not-in", "generalizes", "exists", "child-of", "descendent-leaf"}
)
_CODE_PROPERTIES = frozenset({"concept", "code"})
_HIERARCHY_OPERATORS = frozenset({"is-a", "descendent-of", "is-not-a", "generalizes", "child-of", "descendent-leaf"})


class PredicateFilter(ConceptFilter):
    """The concepts of ``source`` (all concepts, or a subset) for which ``test`` holds."""

    def __init__(self, test: Callable[[Concept], bool], source: Callable[[], Iterator[Concept]]) -> None:
        self.test = test
        self.source = source

    def matches(self, concept: Concept) -> bool:
        return self.test(concept)

    def concepts(self) -> Iterator[Concept]:
        return (concept for concept in self.source() if self.test(concept))


def compile_regex(pattern: str) -> Callable[[str], bool]:
    """A full-match test for a FHIR filter's regular expression; :class:`InvalidRequest` if it is malformed."""
    try:
        compiled = re2.compile(pattern)
    except re2.error as error:
        raise InvalidRequest(f"The regular expression '{pattern}' is not valid: {error}") from error
    return lambda text: compiled.fullmatch(text) is not None


def generic_filter(provider: CodeSystemProvider, prop: str, op: str, value: str) -> ConceptFilter:
    """The concepts of ``provider`` that the filter ``prop op value`` selects, read through the
    provider interface alone; :class:`InvalidRequest` if the filter is malformed."""
    if op not in FILTER_OPERATORS:
        raise InvalidRequest(f"The filter operator '{op}' is not known; use one of {', '.join(sorted(FILTER_OPERATORS))}")
    everything = provider.all_concepts
    if prop in _CODE_PROPERTIES and op in _HIERARCHY_OPERATORS:
        return _hierarchy_filter(provider, op, value)
    values = _value_reader(provider, prop)
    if op == "=":
        return PredicateFilter(lambda c: value in values(c), everything)
    if op in ("in", "not-in"):
        wanted = {item.strip() for item in value.split(",")}
        inside = op == "in"
        return PredicateFilter(lambda c: bool(wanted.intersection(values(c))) == inside, everything)
    if op == "regex":
        match = compile_regex(value)
        return PredicateFilter(lambda c: any(match(text) for text in values(c)), everything)
    if op == "exists":
        if value not in ("true", "false"):
            raise InvalidRequest(f"The 'exists' filter on '{prop}' takes true or false, not '{value}'")
        present = value == "true"
        return PredicateFilter(lambda c: bool(values(c)) == present, everything)
    raise InvalidRequest(f"The filter operator '{op}' applies to the hierarchy ('concept'), not to the property '{prop}'")


def _hierarchy_filter(provider: CodeSystemProvider, op: str, value: str) -> ConceptFilter:
    anchor = provider.locate(value)
    if anchor is None:
        if op == "is-not-a":
            return PredicateFilter(lambda c: True, provider.all_concepts)
        return PredicateFilter(lambda c: False, lambda: iter(()))
    if op == "is-a":
        return PredicateFilter(lambda c: provider.subsumes(anchor, c), lambda: _self_and(anchor, provider.descendants(anchor)))
    if op == "descendent-of":
        return PredicateFilter(lambda c: c is not anchor and provider.subsumes(anchor, c), lambda: provider.descendants(anchor))
    if op == "is-not-a":
        return PredicateFilter(lambda c: not provider.subsumes(anchor, c), provider.all_concepts)
    if op == "generalizes":
        # (walked up from the anchor, not tested against every concept: a breadcrumb's one request)
        return PredicateFilter(lambda c: provider.subsumes(c, anchor), lambda: _ancestors_and(provider, anchor))
    if op == "child-of":
        return PredicateFilter(lambda c: anchor in provider.parents(c), lambda: iter(provider.children(anchor)))
    # descendent-leaf
    return PredicateFilter(
        lambda c: c is not anchor and not provider.children(c) and provider.subsumes(anchor, c),
        lambda: (c for c in provider.descendants(anchor) if not provider.children(c)),
    )


def _ancestors_and(provider: CodeSystemProvider, concept: Concept) -> Iterator[Concept]:
    """``concept`` and the concepts above it, each once, in the order the code system lists them: walked
    down from the most general ones through the children that lead to ``concept``."""
    wanted = {id(concept): concept}
    pending = [concept]
    while pending:
        for above in provider.parents(pending.pop()):
            if id(above) not in wanted:
                wanted[id(above)] = above
                pending.append(above)
    tops = [top for top in wanted.values() if not provider.parents(top)]
    return depth_first(tops, lambda above: [child for child in provider.children(above) if id(child) in wanted])


def _self_and(concept: Concept, others: Iterator[Concept]) -> Iterator[Concept]:
    yield concept
    yield from others


_CONTEXT = RequestContext()


def _value_reader(provider: CodeSystemProvider, prop: str) -> Callable[[Concept], list[str]]:
    """How to read a property's values of a concept as the strings filters compare."""
    if prop in _CODE_PROPERTIES:
        return lambda concept: [provider.code(concept)]
    if prop == "display":
        return lambda concept: [provider.display(concept, _CONTEXT)]
    known = {definition.code for definition in provider.property_definitions()}
    if prop not in known and prop not in ("inactive", "status", "notSelectable", "parent", "child"):
        raise InvalidRequest(
            f"The property '{prop}' is not defined by the code system {provider.info.url}", tx_code="not-found"
        )
    wanted = frozenset({prop})
    return lambda concept: [_text(p.value) for p in provider.properties(concept, wanted)]


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Coding):
        return value.code or ""
    return str(value)

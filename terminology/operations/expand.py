"""``ValueSet/$expand``: the codes of a value set, filtered by text and paged."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..context import RequestContext
from ..errors import InvalidRequest, NotFound, TooCostly
from ..registry import Registry
from ..valuesets.expand import Expansion, ExpansionEntry, ExpansionOptions, expand_value_set
from .supplements import supplements_of, with_supplements

__all__ = ["ExpandRequest", "ExpandResult", "expand", "find_value_set"]


@dataclass(frozen=True, slots=True)
class ExpandRequest:
    """The value set is given (``value_set``) or named (``url``, ``version``)."""

    value_set: Mapping[str, Any] | None = None
    url: str | None = None
    version: str | None = None
    options: ExpansionOptions = ExpansionOptions()
    count: int | None = None
    offset: int = 0
    supplements: tuple[str, ...] = ()


@dataclass(slots=True)
class ExpandResult:
    value_set: Mapping[str, Any]
    expansion: Expansion
    entries: list[ExpansionEntry]  # the page asked for
    total: int
    offset: int


def find_value_set(registry: Registry, url: str, version: str | None) -> Mapping[str, Any]:
    found = registry.value_set(url, version)
    if found is None:
        shown = f"{url}|{version}" if version else url
        raise NotFound(f"A definition for the value Set '{shown}' could not be found", tx_code="not-found", expression="url")
    return found


def expand(registry: Registry, request: ExpandRequest, context: RequestContext) -> ExpandResult:
    value_set = request.value_set if request.value_set is not None else find_value_set(registry, request.url or "", request.version)
    if request.count is not None and request.count < 0 or request.offset < 0:
        raise InvalidRequest("count and offset must not be negative")
    registry = with_supplements(registry, (*request.supplements, *supplements_of(value_set)))
    expansion = expand_value_set(value_set, registry, request.options, context)
    if request.options.text_filter:
        expansion.entries = _text_filtered(expansion.entries, request.options.text_filter)
        expansion.nested = False
    total = expansion.total if expansion.nested else len(expansion.entries)
    if expansion.nested:
        if request.offset or request.count is not None:  # paging a tree: page the flat list
            flat = list(expansion.flat())
            for entry in flat:
                entry.children = []
            expansion.entries, expansion.nested = flat, False
    end = None if request.count is None else request.offset + request.count
    page = expansion.entries[request.offset:end] if not expansion.nested else expansion.entries
    if request.count is None and total > request.options.limit:
        raise TooCostly(f"The expansion has {total} codes, more than the {request.options.limit} returned at once; use count")
    return ExpandResult(value_set, expansion, page, total, request.offset)


def _text_filtered(entries: list[ExpansionEntry], text: str) -> list[ExpansionEntry]:
    """Entries whose display (or a designation) has a word starting with each word of ``text``."""
    wanted = [word for word in _words(text) if word]
    flat = []
    stack = list(reversed(entries))
    while stack:
        entry = stack.pop()
        flat.append(entry)
        stack.extend(reversed(entry.children))
    result = []
    for entry in flat:
        words = _words(entry.display or "") + _words(entry.code)
        for designation in entry.designations:
            words += _words(designation.value)
        if all(any(word.startswith(w) for word in words) for w in wanted):
            entry.children = []
            result.append(entry)
    return result


def _words(text: str) -> list[str]:
    return "".join(ch if ch.isalnum() else " " for ch in text.casefold()).split()

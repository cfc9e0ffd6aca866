"""``ValueSet/$expand``: the codes of a value set, filtered by text and paged."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from ..context import RequestContext
from ..definitions import ValueSetDefinition
from ..errors import InvalidRequest, NotFound, TooCostly
from ..model import Issue
from ..registry import Registry
from ..settings import Bound, Settings
from ..valuesets.expand import Expansion, ExpansionEntry, ExpansionOptions, expand_value_set, value_set_languages
from .contained import with_contained
from .in_time import rules_on, used_release_warning
from .supplements import with_supplements

__all__ = ["MAX_RETURNED", "ExpandRequest", "ExpandResult", "expand", "find_value_set"]

#: The most codes one expansion answer holds, unless the caller says otherwise: larger ones are paged (count, offset).
_RETURNED = Settings().bound("max_expansion_codes")
MAX_RETURNED = int(_RETURNED.value)


@dataclass(frozen=True, slots=True)
class ExpandRequest:
    """The value set is given (``value_set``) or named (``url``, ``version``)."""

    value_set: ValueSetDefinition | None = None
    url: str | None = None
    version: str | None = None
    options: ExpansionOptions = ExpansionOptions()
    count: int | None = None
    offset: int = 0
    supplements: tuple[str, ...] = ()
    limit: Bound = _RETURNED  # the most codes answered at once
    date: date | None = None  # the day asked about: it chooses the releases in effect then (over a lockedDate)


@dataclass(slots=True)
class ExpandResult:
    value_set: ValueSetDefinition
    expansion: Expansion
    entries: list[ExpansionEntry]  # the page asked for
    total: int
    offset: int | None  # None when the whole expansion was asked for (no paging)
    display_language: str | None = None  # the language the displays were chosen for
    warnings: tuple[Issue, ...] = field(default=())  # a release used that is not in effect on the day asked about


def find_value_set(registry: Registry, url: str, version: str | None) -> ValueSetDefinition:
    found = registry.value_set(url, version)
    if found is None:
        shown = f"{url}|{version}" if version else url
        raise NotFound(f"A definition for the value Set '{shown}' could not be found", tx_code="not-found", expression="url")
    return found


def expand(registry: Registry, request: ExpandRequest, context: RequestContext) -> ExpandResult:
    """The page of the value set's expansion the request asks for. :class:`NotFound` for a value set, code
    system or supplement not known; :class:`TooCostly` for more codes than are answered at once unpaged."""
    value_set = request.value_set if request.value_set is not None else find_value_set(registry, request.url or "", request.version)
    if request.count is not None and request.count < 0 or request.offset < 0:
        raise InvalidRequest("count and offset must not be negative")
    local = value_set.contained_canonicals
    registry = with_supplements(with_contained(registry, value_set), (*request.supplements, *value_set.supplements))
    own_languages = value_set_languages(value_set)  # its displayLanguage expansion parameter, or its language
    if not context.languages and own_languages:
        context = replace(context, languages=own_languages)
    day = request.date or value_set.compose.locked_date
    options, rules = request.options, rules_on(registry, request.options.version_rules, day)
    if rules is not options.version_rules:  # (a day chose releases: with no day, the rules stand as given)
        options = replace(options, version_rules=rules)
    expansion = expand_value_set(value_set, registry, options, context)
    if local:  # the value set's own parts, not value sets it used
        expansion.used_value_sets = [canonical for canonical in expansion.used_value_sets if canonical not in local]
    limit = request.limit
    if request.count is None and expansion.total > limit.value:
        raise TooCostly(
            f"The value set '{value_set.url}' expansion has too many codes to display ({expansion.total:,}); this server "
            f"answers at most {limit} at once: use count and offset to page through it, or a filter to narrow it"
        )
    page = expansion.entries(request.offset, None if request.count is None else min(request.count, int(limit.value)))
    language = ",".join(context.languages) or None
    paged = request.count is not None or request.offset > 0
    warnings = _release_warnings(registry, expansion.used_code_systems, day)
    return ExpandResult(value_set, expansion, page, expansion.total, request.offset if paged else None, language, warnings)


def _release_warnings(registry: Registry, used: list[str], day: date | None) -> tuple[Issue, ...]:
    """A warning for each release used (``url|version``) that is not in effect on the day asked about."""
    found = []
    for canonical in used:
        url, _, version = canonical.partition("|")
        provider = registry.code_system(url, version or None)
        found.append(used_release_warning(registry, provider, day) if provider is not None else None)
    return tuple(issue for issue in found if issue is not None)

"""``CodeSystem/$lookup``: what a code system says about one code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..context import RequestContext
from ..model import LookupResult
from ..registry import Registry
from .in_time import choose_release
from .resolve import resolve_code_system, unknown_code
from .supplements import with_supplements

__all__ = ["LookupRequest", "lookup"]


@dataclass(frozen=True, slots=True)
class LookupRequest:
    """``properties`` None: the code system's default set; ``("*",)``: all of them."""

    system: str
    code: str
    version: str | None = None
    properties: tuple[str, ...] | None = None
    supplements: tuple[str, ...] = ()
    date: date | None = None  # the day asked about: it chooses the release in effect then (R4's ``date``)


def lookup(registry: Registry, request: LookupRequest, context: RequestContext) -> LookupResult:
    """Raises :class:`~terminology.errors.NotFound` for an unknown code system, version or code; the
    message says what the code system's history knows of a code this version does not have."""
    registry = with_supplements(registry, request.supplements)
    release = choose_release(registry, request.system, request.version, request.date)
    provider = resolve_code_system(registry, request.system, release.version)
    concept = provider.locate(request.code)
    if concept is None:
        raise unknown_code(provider, request.code, request.date)
    wanted = None if request.properties is None or "*" in request.properties else frozenset(request.properties)
    own_display = (provider.display_designation(concept),) if provider.info.language else ()
    return LookupResult(
        name=provider.info.name,
        version=provider.info.version,
        display=provider.display(concept, context),
        abstract=provider.is_abstract(concept),
        # The display among the designations, in the code system's language (as tx.fhir.org lists it).
        designations=(*own_display, *provider.designations(concept, context)),
        properties=tuple(provider.properties(concept, wanted)),
        definition=provider.definition(concept),
        supplements=tuple(provider.supplement_canonicals()),
        issues=(release.warning,) if release.warning is not None else (),
    )

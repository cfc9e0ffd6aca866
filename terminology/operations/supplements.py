"""Code system supplements asked for by a request (``useSupplement``) or by a value set
(the ``valueset-supplement`` extension): a registry in which the supplemented code systems
stand in for the plain ones."""

from __future__ import annotations

from collections.abc import Iterable

from ..definitions import SupplementDefinition
from ..errors import NotFound
from ..registry import Registry

__all__ = ["with_supplements"]


def with_supplements(registry: Registry, canonicals: Iterable[str]) -> Registry:
    """:class:`NotFound` for a supplement that is not known: FHIR says it is an error, not a silent skip."""
    by_system: dict[tuple[str, str | None], list[SupplementDefinition]] = {}
    for canonical in canonicals:
        supplement = registry.supplement(canonical)
        if supplement is None:
            raise NotFound(f"Required supplement not found: {canonical}", tx_code="not-found")
        if supplement.canonical in registry.supplements_applied:
            continue  # applied already (a server's default supplement)
        by_system.setdefault(supplement.supplemented, []).append(supplement)
    if not by_system:
        return registry
    layered = Registry(parent=registry)
    applied = [supplement.canonical for supplements in by_system.values() for supplement in supplements]
    layered.supplements_applied = tuple(dict.fromkeys((*registry.supplements_applied, *applied)))
    for (url, version), supplements in by_system.items():
        base = registry.code_system(url, version)
        if base is None:
            raise NotFound(f"The code system {url} that the supplement {supplements[0].url} supplements is not known")
        # The supplemented version stands in for that version; it becomes the default only if it was.
        layered.add_code_system(base.with_supplements(supplements), default=registry.code_system(url) is base)
    return layered

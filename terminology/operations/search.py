"""Search and read of the CodeSystem resources a server holds."""

from __future__ import annotations

from ..errors import NotFound
from ..providers.base import CodeSystemProvider
from ..registry import Registry

__all__ = ["read_code_system", "search_code_systems"]


def search_code_systems(
    registry: Registry, url: str | None = None, version: str | None = None, name: str | None = None
) -> list[CodeSystemProvider]:
    """FHIR search semantics: ``url`` and ``version`` match exactly; ``name`` matches case-insensitively
    from the start of the name (the default modifier of a string search parameter)."""
    found = []
    for provider in registry.code_systems():
        info = provider.info
        if url is not None and info.url != url:
            continue
        if version is not None and info.version != version:
            continue
        if name is not None and not info.name.casefold().startswith(name.casefold()):
            continue
        found.append(provider)
    return found


def read_code_system(registry: Registry, id: str) -> CodeSystemProvider:
    provider = registry.code_system_by_id(id)
    if provider is None:
        raise NotFound(f"There is no CodeSystem with the id '{id}' on this server", expression="id")
    return provider

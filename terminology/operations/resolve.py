"""Finding the code system an operation names, with the messages tx.fhir.org gives when it is not there."""

from __future__ import annotations

from ..errors import NotFound
from ..providers.base import CodeSystemProvider
from ..registry import Registry

__all__ = ["resolve_code_system", "unknown_system_message"]


def unknown_system_message(registry: Registry, system: str, version: str | None, purpose: str = "validated") -> str:
    """Why ``system`` (in ``version``) cannot be used, naming the versions that can (tx.fhir.org's
    UNKNOWN_CODESYSTEM and UNKNOWN_CODESYSTEM_VERSION messages)."""
    known = registry.versions(system)
    if not known or version is None:
        return f"A definition for CodeSystem '{system}' could not be found, so the code cannot be {purpose}"
    listed = " or ".join(known) if len(known) <= 2 else ", ".join(known[:-1]) + " and " + known[-1]
    return (
        f"A definition for CodeSystem '{system}' version '{version}' could not be found, "
        f"so the code cannot be {purpose}. Valid versions: {listed}"
    )


def resolve_code_system(registry: Registry, system: str, version: str | None) -> CodeSystemProvider:
    """The provider for ``system`` and ``version``; raises :class:`NotFound` saying which is unknown."""
    provider = registry.code_system(system, version)
    if provider is None:
        message = unknown_system_message(registry, system, version, "looked up")
        raise NotFound(message, tx_code="not-found", expression="system")
    return provider

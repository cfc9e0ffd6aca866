"""Finding the code system an operation names, with the messages tx.fhir.org gives when it is not there."""

from __future__ import annotations

from ..errors import NotFound
from ..providers.base import CodeSystemProvider
from ..registry import Registry
from ..valuesets.resolution import unknown_system_message

__all__ = ["resolve_code_system"]


def resolve_code_system(registry: Registry, system: str, version: str | None) -> CodeSystemProvider:
    """The provider for ``system`` and ``version``; raises :class:`NotFound` saying which is unknown."""
    provider = registry.code_system(system, version)
    if provider is None:
        message = unknown_system_message(registry, system, version, "the code cannot be looked up")
        raise NotFound(message, tx_code="not-found", expression="system")
    return provider

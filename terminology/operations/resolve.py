"""Finding the code system an operation names, with the messages tx.fhir.org gives when it is not there."""

from __future__ import annotations

from ..errors import NotFound
from ..providers.base import CodeSystemProvider
from ..registry import Registry
from ..valuesets.resolution import unknown_system_message

__all__ = ["resolve_code_system"]


def resolve_code_system(
    registry: Registry, system: str, version: str | None, consequence: str = "the code cannot be looked up"
) -> CodeSystemProvider:
    """The provider for ``system`` and ``version``; raises :class:`NotFound` saying which is unknown,
    and so what (``consequence``) cannot be done."""
    provider = registry.code_system(system, version)
    if provider is None:
        message = unknown_system_message(registry, system, version, consequence)
        raise NotFound(message, tx_code="not-found", expression="system")
    return provider

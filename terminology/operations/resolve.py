"""Finding the code system an operation names, with the messages tx.fhir.org gives when it is not there."""

from __future__ import annotations

from datetime import date

from ..errors import NotFound
from ..providers.base import CodeSystemProvider
from ..registry import Registry
from ..valuesets.resolution import unknown_system_message

__all__ = ["resolve_code_system", "unknown_code"]


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


def unknown_code(provider: CodeSystemProvider, code: str, day: date | None, expression: str = "code") -> NotFound:
    """The error for ``code``, which ``provider`` does not have: it names the code probably meant, and what
    the code system's history knows of the code (on ``day``, the day asked about)."""
    hint = provider.probable_code(code)
    also = f"; did you mean '{hint}'?" if hint else ""
    past = provider.history_note(code, day)
    return NotFound(
        f"Unable to find code '{code}' in {provider.info.url} version {provider.info.version}{also}"
        + (f". {past.text}" if past is not None else ""),
        tx_code="invalid-code",
        expression=expression,
        replaced_by=past.replaced_by if past is not None else (),
    )

"""A client for FHIR R4 terminology servers (this one or any other), with typed answers and bulk calls.

:class:`TerminologyClient` and :class:`ServerCapabilities` are imported when first asked for: importing
them here would make reading the typed answers (``terminology.client.results``, which the command line
uses with or without a server) load requests with them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import ClientError, OperationOutcomeError, ServerUnreachable
from .results import (
    ICD10CM,
    CodeHistory,
    CodeQuery,
    Coding,
    ExpansionConcept,
    Issue,
    Lookup,
    Property,
    Subsumption,
    Translation,
    TranslationMatch,
    Validation,
)

if TYPE_CHECKING:
    from .capabilities import ServerCapabilities
    from .client import TerminologyClient

__all__ = [
    "ICD10CM",
    "ClientError",
    "CodeHistory",
    "CodeQuery",
    "Coding",
    "ExpansionConcept",
    "Issue",
    "Lookup",
    "OperationOutcomeError",
    "Property",
    "ServerCapabilities",
    "ServerUnreachable",
    "Subsumption",
    "TerminologyClient",
    "Translation",
    "TranslationMatch",
    "Validation",
]

# The names imported when first asked for, and the modules that define them.
_LAZY = {"TerminologyClient": ".client", "ServerCapabilities": ".capabilities"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))

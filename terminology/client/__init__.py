"""A client for FHIR R4 terminology servers (this one or any other), with typed answers and bulk calls.

:class:`TerminologyClient` and :class:`ServerCapabilities` are imported when first asked for: importing
them here would make reading the typed answers (``terminology.client.results``, which the command line
uses with or without a server) load requests with them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_exports import lazy_exports as _lazy_exports
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
__getattr__, __dir__ = _lazy_exports(globals(), {"TerminologyClient": ".client", "ServerCapabilities": ".capabilities"})

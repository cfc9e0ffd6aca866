"""A client for FHIR R4 terminology servers (this one or any other), with typed answers and bulk calls."""

from .capabilities import ServerCapabilities
from .client import TerminologyClient
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

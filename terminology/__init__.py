"""A FHIR R4 terminology server for ICD-10-CM: a Flask extension and a standalone server."""

from .errors import TerminologyError

__version__ = "0.1.0"
__release_date__ = "2026-11-24"

__all__ = ["TerminologyError", "__version__"]

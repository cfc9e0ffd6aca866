"""A FHIR R4 terminology server for ICD-10-CM: a Flask extension and a standalone server.

The public API: :class:`Terminology` (the Flask extension) and :func:`create_app` (the standalone
app), :class:`LocalTerminology` (the operations as Python calls, in process), and the error family.
The first three are imported when first asked for: importing them here would make importing any
module of the package (``terminology.model``, say) load Flask and the whole server with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import (
    InvalidRequest,
    NotAcceptable,
    NotFound,
    NotSupported,
    PayloadTooLarge,
    TerminologyError,
    TooCostly,
    UnsupportedMediaType,
)
from .lazy_exports import lazy_exports as _lazy_exports

if TYPE_CHECKING:
    from .library import LocalTerminology
    from .web.app import create_app
    from .web.extension import Terminology

__version__ = "0.1.0"
__release_date__ = "2026-11-24"

__all__ = [
    "InvalidRequest",
    "LocalTerminology",
    "NotAcceptable",
    "NotFound",
    "NotSupported",
    "PayloadTooLarge",
    "Terminology",
    "TerminologyError",
    "TooCostly",
    "UnsupportedMediaType",
    "__version__",
    "create_app",
]

# The names imported when first asked for, and the modules that define them.
__getattr__, __dir__ = _lazy_exports(globals(), {"Terminology": ".web.extension", "create_app": ".web.app", "LocalTerminology": ".library"})

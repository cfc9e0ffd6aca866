"""A FHIR R4 terminology server for ICD-10-CM: a Flask extension and a standalone server.

The public API: :class:`Terminology` (the Flask extension) and :func:`create_app` (the standalone
app), :class:`LocalTerminology` (the operations as Python calls, in process), and the error family.
The first three are imported when first asked for: importing them here would make importing any
module of the package (``terminology.model``, say) load Flask and the whole server with it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

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
_LAZY = {"Terminology": ".web.extension", "create_app": ".web.app", "LocalTerminology": ".library"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))

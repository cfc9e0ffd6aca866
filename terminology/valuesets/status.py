"""Warnings about the status of the code systems and value sets an answer draws on: deprecated,
withdrawn (the ``structuredefinition-standards-status`` extension), draft, experimental.

tx.fhir.org reports them as ``warning-[status]`` expansion parameters and as information issues
of ``$validate-code``; the HL7 validator reads both."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["STANDARDS_STATUS", "status_of"]

STANDARDS_STATUS = "http://hl7.org/fhir/StructureDefinition/structuredefinition-standards-status"
_REPORTED = frozenset({"deprecated", "withdrawn"})


def status_of(resource: Mapping[str, Any], lifecycle: bool = True) -> str | None:
    """``deprecated``, ``withdrawn``, ``draft`` or ``experimental`` for a resource worth a warning, else None.

    ``lifecycle`` False asks about the standards status only (deprecated, withdrawn): tx.fhir.org
    warns of draft and experimental code systems, not of draft or experimental value sets."""
    for extension in resource.get("extension") or ():
        if isinstance(extension, dict) and extension.get("url") == STANDARDS_STATUS and extension.get("valueCode") in _REPORTED:
            return str(extension["valueCode"])
    if not lifecycle:
        return None
    if resource.get("status") == "draft":
        return "draft"
    if resource.get("experimental") is True:
        return "experimental"
    return None

"""Implicit value sets: ``[code system url]?fhir_vs`` (all its codes) and ``?fhir_vs=isa/[code]``
(a code and the codes below it), the convention FHIR defines for SNOMED CT, LOINC and others,
applied to every code system the server knows."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import unquote

from .metadata import ResourceMetadata
from .value_set import Compose, Filter, Include, ValueSetDefinition

__all__ = ["implicit_value_set"]


@lru_cache(maxsize=256)
def implicit_value_set(url: str) -> tuple[str, ValueSetDefinition] | None:
    """``(code system url, value set)`` for an implicit value set's url, else None (the same url gives the same one)."""
    system, mark, query = url.partition("?")
    if not mark or not system:
        return None
    if query == "fhir_vs":
        include, title = Include(system), f"All codes of {system}"
    elif query.startswith("fhir_vs=isa/") and len(query) > len("fhir_vs=isa/"):
        code = unquote(query[len("fhir_vs=isa/"):])
        include, title = Include(system, filters=(Filter("concept", "is-a", code),)), f"{code} and the codes below it in {system}"
    else:
        return None
    metadata = ResourceMetadata("ValueSet", url=url, name="Implicit", title=title, status="active")
    return system, ValueSetDefinition(metadata, Compose((include,)))

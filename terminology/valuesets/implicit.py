"""Implicit value sets: ``[code system url]?fhir_vs`` (all its codes) and ``?fhir_vs=isa/[code]``
(a code and the codes below it), the convention FHIR defines for SNOMED CT, LOINC and others,
applied to every code system the server knows."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import unquote

__all__ = ["implicit_value_set"]


@lru_cache(maxsize=256)
def implicit_value_set(url: str) -> tuple[str, dict[str, Any]] | None:
    """``(code system url, ValueSet resource)`` for an implicit value set's url, else None.

    The same url gives the same resource (read once, as the registry's are): not to be changed."""
    system, mark, query = url.partition("?")
    if not mark or not system:
        return None
    include: dict[str, Any] = {"system": system}
    title = f"All codes of {system}"
    if query == "fhir_vs":
        pass
    elif query.startswith("fhir_vs=isa/") and len(query) > len("fhir_vs=isa/"):
        code = unquote(query[len("fhir_vs=isa/"):])
        include["filter"] = [{"property": "concept", "op": "is-a", "value": code}]
        title = f"{code} and the codes below it in {system}"
    else:
        return None
    return system, {
        "resourceType": "ValueSet",
        "url": url,
        "name": "Implicit",
        "title": title,
        "status": "active",
        "compose": {"include": [include]},
    }

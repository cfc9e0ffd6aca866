"""How a canonical resource (ValueSet, ConceptMap, CodeSystem) is referred to: ``url|version``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["canonical_of"]


def canonical_of(resource: Mapping[str, Any]) -> str:
    """``url|version``, or the url alone of a resource without a version."""
    url, version = resource.get("url") or "", resource.get("version")
    return f"{url}|{version}" if version else str(url)

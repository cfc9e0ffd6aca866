"""Resources contained in a ValueSet (``contained``), which its compose names by local reference (``#vs1``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..canonical import canonical_of
from ..registry import Registry

__all__ = ["contained_canonicals", "with_contained"]


def with_contained(registry: Registry, value_set: Mapping[str, Any]) -> tuple[Registry, Mapping[str, Any]]:
    """A registry that also holds the value set's contained resources, and the value set with its local
    references (``#vs1``) replaced by their canonical urls (a contained resource without one is known by
    its local reference)."""
    contained = [item for item in value_set.get("contained") or () if isinstance(item, dict) and isinstance(item.get("id"), str)]
    compose = value_set.get("compose")
    if not contained or not isinstance(compose, dict):
        return registry, value_set
    layered = Registry(parent=registry)
    urls: dict[str, str] = {}
    for resource in contained:
        local = f"#{resource['id']}"
        urls[local] = resource.get("url") if isinstance(resource.get("url"), str) else local
        layered.add_resource({**resource, "url": urls[local]})
    rewritten = {
        key: [_resolved(item, urls) for item in compose[key]] if key in ("include", "exclude") and isinstance(compose[key], list) else compose[key]
        for key in compose
    }
    return layered, {**value_set, "compose": rewritten}


def contained_canonicals(value_set: Mapping[str, Any]) -> set[str]:
    """How the value set's contained resources are named once :func:`with_contained` has placed them."""
    return {
        canonical_of({**item, "url": item.get("url") or f"#{item['id']}"})
        for item in value_set.get("contained") or ()
        if isinstance(item, dict) and isinstance(item.get("id"), str)
    }


def _resolved(include: Any, urls: dict[str, str]) -> Any:
    if not isinstance(include, dict):
        return include
    resolved = dict(include)
    if isinstance(include.get("system"), str):
        resolved["system"] = urls.get(include["system"], include["system"])
    if isinstance(include.get("valueSet"), list):
        resolved["valueSet"] = [urls.get(item, item) if isinstance(item, str) else item for item in include["valueSet"]]
    return resolved

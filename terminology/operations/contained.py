"""Resources contained in a ValueSet (``contained``), which its compose names by local reference (``#vs1``)."""

from __future__ import annotations

from ..definitions import ValueSetDefinition
from ..registry import Registry

__all__ = ["with_contained"]


def with_contained(registry: Registry, value_set: ValueSetDefinition) -> Registry:
    """A registry that also holds the value set's contained resources, under the names its compose knows
    them by (their canonical urls, or ``#id`` for one without)."""
    if not value_set.contained:
        return registry
    layered = Registry(parent=registry)
    for definition in value_set.contained:
        layered.add(definition)
    return layered

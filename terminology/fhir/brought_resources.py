"""Bounds on the resources a request brings (``tx-resource``, ``valueSet``), checked on their JSON
before they are read: a definition is compiled at a cost that grows with its concepts, and a regex
filter's pattern is compiled too.

Concepts are counted where they are listed: a CodeSystem's (nested ones too), a ValueSet's in its
compose and its expansion, a ConceptMap's elements, and those of the resources each contains.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import TooCostly
from ..settings import Bound

__all__ = ["check_brought_resources"]


def check_brought_resources(resources: Iterable[Mapping[str, Any]], max_concepts: Bound, max_regex_length: Bound) -> None:
    """:class:`TooCostly` (422) when ``resources`` list more than ``max_concepts`` concepts between them,
    or a ValueSet among them has a regex filter longer than ``max_regex_length``."""
    most = max_concepts.value
    count = 0
    pending = list(resources)
    while pending:
        resource = pending.pop()
        if not isinstance(resource, Mapping):
            continue  # (refused, naming it, where it is read)
        count += _concepts(resource, max_regex_length)
        if count > most:
            raise TooCostly(
                f"The resources the request brings (tx-resource, valueSet) list more than {most:,} concepts; "
                f"this server reads at most {max_concepts}"
            )
        pending += _listed(resource.get("contained"))


def _concepts(resource: Mapping[str, Any], max_regex_length: Bound) -> int:
    kind = resource.get("resourceType")
    if kind == "CodeSystem":
        return _tree_size(resource.get("concept"), "concept")
    if kind == "ConceptMap":
        return sum(len(_listed(group.get("element"))) for group in _objects(resource.get("group")))
    if kind != "ValueSet":
        return 0
    compose = resource.get("compose")
    count = 0
    if isinstance(compose, Mapping):
        for part in (*_objects(compose.get("include")), *_objects(compose.get("exclude"))):
            count += len(_listed(part.get("concept")))
            for condition in _objects(part.get("filter")):
                _check_regex(resource, condition, max_regex_length)
    expansion = resource.get("expansion")
    if isinstance(expansion, Mapping):
        count += _tree_size(expansion.get("contains"), "contains")
    return count


def _check_regex(resource: Mapping[str, Any], condition: Mapping[str, Any], max_regex_length: Bound) -> None:
    pattern = condition.get("value")
    if condition.get("op") == "regex" and isinstance(pattern, str) and len(pattern) > max_regex_length.value:
        raise TooCostly(
            f"The regex filter of the ValueSet '{resource.get('url', '')}' is {len(pattern):,} characters long; "
            f"this server takes patterns of at most {max_regex_length}"
        )


def _tree_size(items: Any, children: str) -> int:
    """The items of a list and of the lists nested in them under ``children`` (walked without recursion)."""
    count = 0
    pending = [items]
    while pending:
        level = _listed(pending.pop())
        count += len(level)
        pending += [item[children] for item in level if isinstance(item, Mapping) and children in item]
    return count


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _objects(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in _listed(value) if isinstance(item, Mapping)]

"""The CodeSystem resource of a provider, and search results as a Bundle."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..context import RequestContext
from ..providers.base import CodeSystemProvider, Concept
from .output import designation_json, typed_value

__all__ = ["code_system_resource", "search_bundle"]

_HIERARCHY = frozenset({"parent", "child"})
_SUBSETTED = {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"}


def code_system_resource(provider: CodeSystemProvider, concepts: bool) -> dict[str, Any]:
    """The CodeSystem; with ``concepts`` false its concepts are left out (``content`` says so)."""
    info = provider.info
    resource: dict[str, Any] = {"resourceType": "CodeSystem", "id": info.id}
    if not concepts:
        resource["meta"] = {"tag": [_SUBSETTED]}
    if info.language:
        resource["language"] = info.language
    resource["url"] = info.url
    for key, value in (
        ("version", info.version),
        ("name", info.name),
        ("title", info.title),
        ("status", info.status),
        ("experimental", info.experimental),
        ("date", info.date),
        ("publisher", info.publisher),
        ("description", info.description),
        ("copyright", info.copyright),
        ("caseSensitive", info.case_sensitive),
        ("hierarchyMeaning", info.hierarchy_meaning),
    ):
        if value is not None:
            resource[key] = value
    resource["content"] = info.content if concepts else "not-present"
    resource["count"] = provider.count()
    resource["property"] = [
        {"code": d.code, **({"uri": d.uri} if d.uri else {}), **({"description": d.description} if d.description else {}), "type": d.type}
        for d in provider.property_definitions()
    ]
    if not resource["property"]:
        del resource["property"]
    if concepts:
        resource["concept"] = _concepts(provider, provider.roots(), RequestContext())
    return resource


def _concepts(provider: CodeSystemProvider, concepts: Iterable[Concept], context: RequestContext) -> list[dict]:
    """Nested concepts with their own properties; the nesting says what parent and child would."""
    result = []
    for concept in concepts:
        entry: dict[str, Any] = {"code": provider.code(concept), "display": provider.display(concept, context)}
        designations = [designation_json(d) for d in provider.designations(concept, context)]
        if designations:
            entry["designation"] = designations
        properties = [
            dict((("code", p.code), typed_value(p.type, p.value)))
            for p in provider.properties(concept, None, inherited=False)
            if p.code not in _HIERARCHY
        ]
        if properties:
            entry["property"] = properties
        children = provider.children(concept)
        if children:
            entry["concept"] = _concepts(provider, children, context)
        result.append(entry)
    return result


def search_bundle(resources: list[dict[str, Any]], base: str, count_only: bool) -> dict[str, Any]:
    """A searchset Bundle of the resources found; ``count_only`` for ``_summary=count``."""
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset", "total": len(resources)}
    if not count_only:
        bundle["entry"] = [
            {
                "fullUrl": f"{base}/{resource['resourceType']}/{resource.get('id', '')}",
                "resource": resource,
                "search": {"mode": "match"},
            }
            for resource in resources
        ]
    return bundle

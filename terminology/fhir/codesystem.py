"""The CodeSystem resource of a code system or supplement, with or without its concepts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..context import RequestContext
from ..definitions import SupplementDefinition
from ..operations.search import CodeSystemFound
from ..providers.base import CodeSystemProvider, Concept
from .definitions import resource_json
from .output import designation_json, typed_value
from .search import marked_subsetted

__all__ = ["code_system_json", "code_system_resource"]

_HIERARCHY = frozenset({"parent", "child"})
_EFFECTIVE_PERIOD = "http://hl7.org/fhir/5.0/StructureDefinition/extension-CodeSystem.effectivePeriod"


def code_system_json(found: CodeSystemFound, concepts: bool) -> dict[str, Any]:
    """A code system or supplement as a read or search shows it: the resource as it was given, or, for a
    code system the server made itself (ICD-10-CM), as its provider describes it. With ``concepts`` false
    its concepts are left out, and the resource is marked SUBSETTED (``content`` still says what it holds)."""
    definition = found if isinstance(found, SupplementDefinition) else found.definition
    if definition is None:
        return code_system_resource(found.get(), concepts)
    resource = resource_json(definition)
    if concepts or "concept" not in resource:
        return resource
    return marked_subsetted({key: value for key, value in resource.items() if key != "concept"})


def code_system_resource(provider: CodeSystemProvider, concepts: bool) -> dict[str, Any]:
    """The CodeSystem of a provider; with ``concepts`` false its concepts are left out (marked SUBSETTED)."""
    info = provider.info
    resource: dict[str, Any] = {"resourceType": "CodeSystem", "id": info.id}
    if info.language:
        resource["language"] = info.language
    if info.effective is not None:  # R5's CodeSystem.effectivePeriod, in its R4 extension
        period = {"start": info.effective.start.isoformat(), "end": info.effective.end.isoformat()}
        resource["extension"] = [{"url": _EFFECTIVE_PERIOD, "valuePeriod": period}]
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
    resource["content"] = info.content
    resource["count"] = provider.count()
    resource["property"] = [
        {"code": d.code, **({"uri": d.uri} if d.uri else {}), **({"description": d.description} if d.description else {}), "type": d.type}
        for d in provider.property_definitions()
    ]
    if not resource["property"]:
        del resource["property"]
    if not concepts:
        return marked_subsetted(resource)
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

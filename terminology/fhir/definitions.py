"""Where a CodeSystem, ValueSet or ConceptMap enters (a file, a package, a request's ``tx-resource`` or
``valueSet``): read once into its definition; and the way back, a held definition as its resource."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..definitions import CodeSystemDefinition, ConceptMapDefinition, Definition, ValueSetDefinition
from ..definitions.code_system import ConceptDefinition
from ..definitions.concept_map import MapGroup, MapTarget
from ..definitions.value_set import Include
from ..errors import InvalidRequest
from .code_systems import read_code_system
from .concept_maps import read_concept_map
from .elements import items
from .value_sets import read_value_set

__all__ = ["read_resource", "resource_json"]


def read_resource(resource: Any, path: str = "resource") -> Definition | None:
    """The definition of a CodeSystem (a supplement's when it is one), ValueSet or ConceptMap; None for
    a resource of another kind. :class:`InvalidRequest` naming ``path`` when it is no resource at all."""
    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        raise InvalidRequest(f"{path} is not a FHIR resource", expression=path)
    kind = resource["resourceType"]
    if kind == "ValueSet":
        return read_value_set(resource, _contained(resource, path))
    if kind == "CodeSystem":
        return read_code_system(resource)
    if kind == "ConceptMap":
        return read_concept_map(resource)
    return None


def _contained(resource: Mapping[str, Any], path: str) -> dict[str, Definition]:
    """The contained resources by local reference (``#vs1``), each known by its url, else by that reference."""
    found = {}
    for index, item in enumerate(items(resource.get("contained"))):
        if isinstance(item, dict) and isinstance(item.get("id"), str) and isinstance(item.get("resourceType"), str):
            local = f"#{item['id']}"
            url = item.get("url") if isinstance(item.get("url"), str) else local
            definition = read_resource({**item, "url": url}, f"{path}.contained[{index}]")
            if definition is not None:
                found[local] = definition
    return found


def resource_json(definition: Definition) -> dict[str, Any]:
    """The resource as it was given; one the server made itself (an implicit value set, a map between
    ICD-10-CM's fiscal years, the CMS-HCC categories) from what it holds."""
    if definition.source is not None:
        return dict(definition.source)
    metadata = definition.metadata
    resource: dict[str, Any] = {"resourceType": metadata.kind}
    for key, value in (("id", metadata.id), ("url", metadata.url), ("version", metadata.version), ("name", metadata.name),
                       ("title", metadata.title), ("status", metadata.status), ("publisher", metadata.publisher),
                       ("description", metadata.description)):  # fmt: skip
        if value is not None:
            resource[key] = value
    if isinstance(definition, ValueSetDefinition) and definition.compose.includes:
        resource["compose"] = {"include": [_include_json(include) for include in definition.compose.includes]}
    if isinstance(definition, ConceptMapDefinition) and definition.groups:
        resource["group"] = [_group_json(group) for group in definition.groups]
    if isinstance(definition, CodeSystemDefinition):
        resource.update(_present(("copyright", definition.copyright), ("caseSensitive", definition.case_sensitive)))
        resource["content"] = definition.content
        resource["concept"] = [_concept_json(concept) for concept in definition.read_concepts()]
    return resource


def _concept_json(concept: ConceptDefinition) -> dict[str, Any]:
    """A concept's code, display and definition, and those nested under it (the code systems the server makes have no more)."""
    found = _present(("code", concept.code), ("display", concept.display), ("definition", concept.definition))
    if concept.children:
        found["concept"] = [_concept_json(child) for child in concept.children]
    return found


def _group_json(group: MapGroup) -> dict[str, Any]:
    """An R4 ``ConceptMap.group``."""
    found = _present(("source", group.source), ("sourceVersion", group.source_version), ("target", group.target),
                     ("targetVersion", group.target_version))  # fmt: skip
    found["element"] = [
        {**_present(("code", element.code), ("display", element.display)), "target": [_target_json(target) for target in element.targets]}
        for element in group.elements
    ]
    unmapped = group.unmapped
    if unmapped is not None and unmapped.mode is not None:
        found["unmapped"] = _present(("mode", unmapped.mode), ("code", unmapped.code), ("display", unmapped.display), ("url", unmapped.url))
    return found


def _target_json(target: MapTarget) -> dict[str, Any]:
    found = _present(("code", target.code), ("display", target.display), ("equivalence", target.equivalence), ("comment", target.comment))
    for key, dependencies in (("dependsOn", target.depends_on), ("product", target.products)):
        if dependencies:
            found[key] = [
                _present(("property", d.property), ("system", d.system), ("value", d.value), ("display", d.display)) for d in dependencies
            ]
    return found


def _present(*pairs: tuple[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in pairs if value is not None}


def _include_json(include: Include) -> dict[str, Any]:
    found: dict[str, Any] = {"system": include.system}
    if include.filters:
        found["filter"] = [{"property": f.property, "op": f.op, "value": f.value} for f in include.filters]
    return found

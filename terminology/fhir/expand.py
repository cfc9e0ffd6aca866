"""The wire form of ``ValueSet/$expand``: its input parameters and the expanded ValueSet."""

from __future__ import annotations

import random
import time
import uuid
from typing import Any

from ..definitions import ValueSetDefinition
from ..errors import InvalidRequest
from ..extensions import annotation_uri
from ..model import Property
from ..operations.expand import ExpandRequest, ExpandResult
from ..settings import Bound
from ..valuesets.expand import ExpansionEntry, ExpansionOptions
from ..valuesets.resolution import VersionRules
from .definitions import read_resource, resource_json
from .ecosystem import VALIDATOR_PARAMETERS, refuse_unhonoured
from .output import designation_json, extension_json, typed_value
from .parameters import OperationInput

__all__ = [
    "EXPAND_PARAMETERS",
    "echoed_parameters",
    "expansion_resource",
    "given_value_set",
    "read_expand_request",
]

# Parameters echoed in expansion.parameter, with their FHIR types.
_ECHOED = {
    "filter": "string",
    "count": "integer",
    "offset": "integer",
    "activeOnly": "boolean",
    "includeDesignations": "boolean",
    "includeDefinition": "boolean",
    "excludeNested": "boolean",
    "excludeNotForUI": "boolean",
    "excludePostCoordinated": "boolean",  # (honoured: no code system here has post-coordinated codes)
    "displayLanguage": "code",
    "system-version": "uri",  # canonicals, echoed as tx.fhir.org does
    "check-system-version": "uri",
    "force-system-version": "uri",
    "default-valueset-version": "uri",
    "designation": "string",
    "date": "dateTime",
}
EXPAND_PARAMETERS = (
    frozenset(_ECHOED)
    | {"url", "valueSet", "valueSetVersion", "useSupplement", "property"}
    | VALIDATOR_PARAMETERS
)
_BOOLEAN_DEFAULTS = {
    "activeOnly": False,
    "includeDesignations": False,
    "includeDefinition": False,
    "excludeNested": False,
    "excludeNotForUI": False,
}


def given_value_set(params: OperationInput) -> ValueSetDefinition | None:
    """The ValueSet the parameter ``valueSet`` carries, read."""
    given = params.resource("valueSet")
    if given is None:
        return None
    read = read_resource(given, "valueSet")
    if not isinstance(read, ValueSetDefinition):
        raise InvalidRequest("The parameter 'valueSet' must be a ValueSet", expression="valueSet")
    return read


def read_expand_request(
    params: OperationInput, value_set: ValueSetDefinition | None = None, *, limit: Bound, selected_limit: Bound
) -> ExpandRequest:
    """``value_set``: the ValueSet an instance-level call was made on; ``limit`` and ``selected_limit``: the
    most codes the server answers at once and selects (the request is made with them, not copied after)."""
    refuse_unhonoured(params, "context", "contextDirection", "exclude-system", "limitedExpansion", "default-to-latest-version")
    params.reject_unknown(EXPAND_PARAMETERS, "ValueSet/$expand")
    given = given_value_set(params)
    url, version = params.string("url"), params.string("valueSetVersion")
    if value_set is None and given is None and url is None:
        raise InvalidRequest("Give the value set to expand: 'url' (with 'valueSetVersion'), or 'valueSet'", expression="url")
    flags = {name: params.boolean(name) for name in _BOOLEAN_DEFAULTS}
    options = ExpansionOptions(
        text_filter=params.string("filter"),
        active_only=bool(flags["activeOnly"]),
        exclude_nested=bool(flags["excludeNested"]),
        include_designations=bool(flags["includeDesignations"]) or bool(params.strings("designation")),
        designations=tuple(params.strings("designation")),
        exclude_not_for_ui=bool(flags["excludeNotForUI"]),
        properties=tuple(params.strings("property")),
        limit=selected_limit,
        version_rules=VersionRules.from_canonicals(
            params.strings("system-version"), params.strings("force-system-version"), params.strings("check-system-version"),
            params.strings("default-valueset-version"),
        ),
    )
    return ExpandRequest(
        value_set=value_set or given,
        url=url,
        version=version,
        options=options,
        count=params.integer("count"),
        offset=params.integer("offset") or 0,
        supplements=tuple(params.strings("useSupplement")),
        limit=limit,
        date=params.day("date"),
    )


def echoed_parameters(params: OperationInput) -> list[dict[str, Any]]:
    """The request's expansion parameters as ``expansion.parameter`` entries, in the order given."""
    echoed = []
    for name, kind, value in params.entries():
        if name not in _ECHOED:
            continue
        type_ = _ECHOED[name]
        if kind == "query":
            value = _parsed(type_, value)
        echoed.append(dict((("name", name), typed_value(type_, value))))
    return echoed


def _parsed(type_: str, text: str) -> Any:
    if type_ == "boolean":
        return text == "true"
    if type_ == "integer":
        return int(text)
    return text


_UNCLOSED = "http://hl7.org/fhir/StructureDefinition/valueset-unclosed"
_VERSION_RULES = frozenset({"system-version", "check-system-version", "force-system-version"})


def expansion_resource(result: ExpandResult, echoed: list[dict[str, Any]], include_definition: bool = False) -> dict[str, Any]:
    """The ValueSet with its ``expansion``; the definition's own elements are kept, ``text`` is not.
    ``include_definition``: the compose too (``includeDefinition``)."""
    # The definition's own elements; not its text, extensions or compose (the expansion says what it holds).
    left_out = _NOT_COPIED - {"compose"} if include_definition else _NOT_COPIED
    resource = {key: value for key, value in resource_json(result.value_set).items() if key not in left_out}
    # A version rule is echoed where it decided a version (tx.fhir.org's way): one that did not, changed nothing.
    parameters = [p for p in echoed if p["name"] not in _VERSION_RULES or p["name"] in result.expansion.rules_applied]
    # versionsMatch is told when codes of several versions were taken as one (by the value set's word or
    # by an exclude of another version); that they were not is no parameter.
    own = result.value_set.expansion_parameters
    if result.expansion.versions_matched or own.get("versionsMatch") is True:
        parameters.append({"name": "versionsMatch", "valueBoolean": True})
    for name, value in own.items():  # those the value set sets itself
        if name != "versionsMatch" and not any(p["name"] == name for p in parameters):
            type_ = "boolean" if isinstance(value, bool) else _ECHOED.get(name, "string")
            parameters.append(dict((("name", name), typed_value(type_, value))))
    if result.display_language and not any(p["name"] == "displayLanguage" for p in parameters):
        parameters.append({"name": "displayLanguage", "valueCode": result.display_language})
    parameters += [{"name": "used-codesystem", "valueUri": canonical} for canonical in result.expansion.used_code_systems]
    parameters += [{"name": "used-fragment", "valueUri": canonical} for canonical in result.expansion.fragments]
    parameters += [{"name": "used-supplement", "valueUri": canonical} for canonical in result.expansion.supplements]
    parameters += [{"name": "used-valueset", "valueUri": canonical} for canonical in result.expansion.used_value_sets]
    parameters += [{"name": f"warning-{status}", "valueUri": canonical} for status, canonical in result.expansion.warnings]
    parameters += [{"name": "warning", "valueString": issue.text} for issue in result.warnings]
    versioned = result.expansion.versioned_systems() if result.entries else frozenset()
    declared: set[str] = set()  # the codes of the properties the entries carry, gathered as they are written
    contains = [_contains(entry, versioned, declared) for entry in result.entries]
    uris = result.expansion.property_uris
    extensions = [  # R5's expansion.property, in its R4 extension: the uri the code system gives it, else FHIR's
        {"url": _EXPANSION_PROPERTY, "extension": [{"url": "code", "valueCode": code}, {"url": "uri", "valueUri": uris.get(code) or annotation_uri(code)}]}
        for code in sorted(declared)
    ]
    if result.expansion.fragments:  # codes a fragment leaves out may belong here too
        systems = ", ".join(canonical.split("|")[0] for canonical in result.expansion.fragments)
        reason = f"This extension is based on a fragment of the code system {systems}"
        extensions += [{"url": _UNCLOSED, "valueBoolean": True}, {"url": _UNCLOSED + "-reason", "valueString": reason}]
    expansion: dict[str, Any] = {}
    if extensions:
        expansion["extension"] = extensions
    expansion |= {
        "identifier": f"urn:uuid:{_random_uuid()}",
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),  # (UTC, to the second)
        "total": result.total,
    }
    if result.offset is not None:  # R4: offset says where a page starts; an expansion that is whole has none
        expansion["offset"] = result.offset
    if parameters:
        expansion["parameter"] = parameters
    if contains:
        expansion["contains"] = contains
    resource["expansion"] = expansion
    return resource


def _random_uuid() -> uuid.UUID:
    """A version 4 UUID from the process's random generator (reseeded in each forked worker): an
    expansion's identifier needs to be unique, not secret, and ``uuid4`` reads the OS's random source
    for each one (a system call: a tenth of a typeahead's time)."""
    return uuid.UUID(int=random.getrandbits(128), version=4)


_NOT_COPIED = frozenset({"text", "description", "extension", "compose", "expansion"})
_EXPANSION_PROPERTY = "http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.expansion.property"
_CONTAINS_PROPERTY = "http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.expansion.contains.property"


def _entry_properties(entry: ExpansionEntry) -> tuple[Property, ...]:
    """The properties asked for, and the status of a concept that is not active (as tx.fhir.org shows it)."""
    if entry.status in (None, "active") or any(prop.code == "status" for prop in entry.properties):
        return entry.properties
    return (*entry.properties, Property("status", entry.status, "code"))


def _contains(entry: ExpansionEntry, versioned: frozenset[str], declared: set[str]) -> dict[str, Any]:
    """``versioned``: the systems the expansion uses in several versions, whose entries say which;
    ``declared`` gathers the codes of the properties the entry and those under it carry."""
    item: dict[str, Any] = {}
    properties = _entry_properties(entry)
    if entry.extensions or properties:
        declared.update(prop.code for prop in properties)
        item["extension"] = [*map(extension_json, entry.extensions), *map(_property_extension, properties)]
    item["system"] = entry.system
    if entry.abstract:
        item["abstract"] = True
    if entry.inactive:
        item["inactive"] = True
    if entry.version and entry.system in versioned:
        item["version"] = entry.version
    item["code"] = entry.code
    if entry.display:
        item["display"] = entry.display
    if entry.designations:
        item["designation"] = [designation_json(d) for d in entry.designations]
    if entry.children:
        item["contains"] = [_contains(child, versioned, declared) for child in entry.children]
    return item


def _property_extension(prop: Property) -> dict[str, Any]:
    """R4 has no ``contains.property``: R5's element travels in its cross-version extension."""
    key, value = typed_value(prop.type, prop.value)
    return {"url": _CONTAINS_PROPERTY, "extension": [{"url": "code", "valueCode": prop.code}, {"url": "value", key: value}]}


"""The OpenAPI 3 description of the FHIR API (``[base]/openapi.json``), made from the router's table of
paths and methods and from the set of parameter names each operation's reader checks requests against.

Nothing here lists paths or parameter names a second time: a route the router gains is described (or
the description refuses to be made, naming it), and an operation's parameters are those its reader
takes. What is declared here is what the readers do not say in one place: each parameter's FHIR type,
and which ones repeat.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from .. import __version__
from ..fhir.drg_cc_exclusion import CC_EXCLUSION_DEFINITION
from ..fhir.expand import EXPAND_PARAMETERS
from ..fhir.lookup import LOOKUP_PARAMETERS
from ..fhir.search import SEARCH_PARAMETERS
from ..fhir.subsumes import SUBSUMES_PARAMETERS
from ..fhir.translate import TRANSLATE_PARAMETERS
from ..fhir.validate_code import CODESYSTEM_VALIDATE_PARAMETERS, VALUESET_VALIDATE_PARAMETERS
from .messages import HttpResponse

__all__ = ["OPENAPI_CONTENT_TYPE", "OPENAPI_PATH", "openapi_description", "openapi_response"]

OPENAPI_PATH = "/openapi.json"
OPENAPI_CONTENT_TYPE = "application/json"

# The media types of a request body (with the older spellings clients send), and of the answers.
_READ_TYPES = ("application/fhir+json", "application/json", "application/fhir+xml", "application/xml")
_WRITTEN_TYPES = ("application/fhir+json", "application/fhir+xml", "text/html")
_FORM_TYPE = "application/x-www-form-urlencoded"
# The type of each operation parameter (a name means the same thing in every operation that takes it).
_TYPES = {
    "abstract": "boolean", "cache-id": "id", "activeOnly": "boolean", "check-system-version": "canonical", "code": "code",
    "codeA": "code", "codeB": "code", "codeableConcept": "CodeableConcept", "coding": "Coding", "codingA": "Coding",
    "codingB": "Coding", "conceptMap": "ConceptMap", "conceptMapVersion": "string", "count": "integer",
    "date": "dateTime", "default-valueset-version": "canonical", "designation": "string", "display": "string",
    "displayLanguage": "code", "excludeNested": "boolean", "excludeNotForUI": "boolean",
    "excludePostCoordinated": "boolean", "filter": "string", "force-system-version": "canonical",
    "includeDefinition": "boolean", "includeDesignations": "boolean", "inferSystem": "boolean",
    "lenient-display-validation": "boolean", "mode": "code", "offset": "integer", "property": "code",
    "reverse": "boolean", "source": "uri", "sourceCode": "code", "sourceCodeableConcept": "CodeableConcept",
    "sourceCoding": "Coding", "sourceScope": "uri", "sourceSystem": "uri", "system": "uri",
    "system-version": "canonical", "systemVersion": "string", "target": "uri", "targetCode": "code",
    "targetCodeableConcept": "CodeableConcept", "targetCoding": "Coding", "targetScope": "uri",
    "targetSystem": "uri", "targetsystem": "uri", "tx-resource": "Resource", "url": "uri",
    "useSupplement": "canonical", "uuid": "string", "validation": "Parameters", "valueSet": "ValueSet",
    "valueSetMode": "code", "valueSetVersion": "string", "valueset-membership-only": "boolean", "version": "string",
}  # fmt: skip
_REPEATING = frozenset(
    {"check-system-version", "designation", "force-system-version", "property", "system-version", "tx-resource", "useSupplement", "validation"}
)
_CC_EXCLUSION_TYPES = {p["name"]: p["type"] for p in CC_EXCLUSION_DEFINITION["parameter"] if p["use"] == "in"}
# Each operation (``Type/$name``, or ``$name`` on the server): the parameters its reader takes, and what answers it.
# $batch-validate-code takes $validate-code's parameters, shared by its validations, and a 'validation' per code.
_OPERATIONS: dict[str, tuple[Mapping[str, str | None], str]] = {
    "CodeSystem/$lookup": (dict.fromkeys(LOOKUP_PARAMETERS), "Parameters"),
    "CodeSystem/$validate-code": (dict.fromkeys(CODESYSTEM_VALIDATE_PARAMETERS), "Parameters"),
    "CodeSystem/$subsumes": (dict.fromkeys(SUBSUMES_PARAMETERS), "Parameters"),
    "CodeSystem/$drg-cc-exclusion": (_CC_EXCLUSION_TYPES, "Parameters"),
    "ValueSet/$expand": (dict.fromkeys(EXPAND_PARAMETERS), "ValueSet"),
    "ValueSet/$validate-code": (dict.fromkeys(VALUESET_VALIDATE_PARAMETERS), "Parameters"),
    "ValueSet/$batch-validate-code": (dict.fromkeys(VALUESET_VALIDATE_PARAMETERS | {"validation"}), "Parameters"),
    "ConceptMap/$translate": (dict.fromkeys(TRANSLATE_PARAMETERS), "Parameters"),
    "$versions": ({}, "Parameters"),
    "$cache-control": ({"mode": "code", "tx-resource": None}, "Parameters"),
}
_STRING_TYPES = frozenset({"string", "code", "uri", "canonical", "id", "date", "dateTime"})
_FORMAT = {
    "name": "_format",
    "in": "query",
    "description": (
        "The format of the answer (else the Accept header's, else JSON): json, xml, html, or a media type of one of "
        "them, such as application/fhir+json, application/fhir+xml or text/html, in any case and with parameters; "
        "another is a 406"
    ),
    "schema": {"type": "string"},
}
_SEARCH_RESULT = (
    ("_count", {"type": "integer", "minimum": 0}, "Matches in a page"),
    ("_offset", {"type": "integer", "minimum": 0}, "Matches skipped before the page"),
    ("_summary", {"type": "string", "enum": ["true", "false", "text", "data", "count"]}, "false: a CodeSystem with its concepts"),
    ("_elements", {"type": "string"}, "Elements to show, separated by commas"),
    ("_total", {"type": "string", "enum": ["none", "estimate", "accurate"]}, "Whether the Bundle counts its matches"),
)
_READ_SHOWN = ("_summary", "_elements")


def openapi_response(routes: Mapping[str, tuple[str, ...]], base_url: str) -> HttpResponse:
    """The description of ``routes`` as the answer to ``GET [base]/openapi.json`` (JSON; not a FHIR resource)."""
    return HttpResponse(200, OPENAPI_CONTENT_TYPE, orjson.dumps(openapi_description(routes, base_url)))


def openapi_description(routes: Mapping[str, tuple[str, ...]], base_url: str) -> dict[str, Any]:
    """An OpenAPI 3.0 document describing every path of ``routes`` (path below the FHIR base -> its
    methods) with each of its methods, served at ``base_url``. :class:`ValueError` for a path of a
    shape it cannot describe: a route added without its description."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "ICD-10-CM FHIR Terminology Server",
            "version": __version__,
            "description": (
                "FHIR R4 terminology services. Every answer is a FHIR resource in JSON or XML, chosen by _format, else by "
                "the Accept header, else JSON; or, for a browser (an Accept header that prefers text/html to the FHIR types, "
                "or _format=html), the resource as an HTML page with links; an operation is called with GET and a query, or with POST and a Parameters "
                "resource (FHIR JSON or XML) or a form. Every error is an OperationOutcome with its HTTP status."
            ),
        },
        "servers": [{"url": base_url}],
        "paths": {path: _path_item(path, methods) for path, methods in routes.items()},
        "components": {
            "schemas": {**_SCHEMAS, **{_schema_name(name): _parameters_schema(_types(name)) for name in _OPERATIONS}},
            "responses": _ERROR_RESPONSES,
        },
    }


def _path_item(path: str, methods: tuple[str, ...]) -> dict[str, Any]:
    segments = path.strip("/").split("/")
    instance = len(segments) > 1 and segments[1] == "{id}"
    item: dict[str, Any] = {"parameters": [_id_parameter()]} if instance else {}
    for method in methods:
        item[method.lower()] = _operation(path, segments, method)
    return item


def _operation(path: str, segments: list[str], method: str) -> dict[str, Any]:
    """The Operation object of ``method`` on ``path``, by the shape of the path."""
    kind, last = segments[0], segments[-1]
    if path == "/":
        return _described("batch", "Run each entry of a batch Bundle", [], _body(_resource("Bundle"), form=None), "Bundle")
    if path == OPENAPI_PATH:
        return {"operationId": "openapi", "summary": "This description", "responses": {"200": {"description": "OpenAPI 3.0", "content": {OPENAPI_CONTENT_TYPE: {"schema": {"type": "object"}}}}}}
    if path == "/metadata":
        mode = {"name": "mode", "in": "query", "schema": {"type": "string", "enum": ["full", "normative", "terminology"]}}
        return _described("metadata", "The CapabilityStatement, or TerminologyCapabilities (mode=terminology)", [mode], None, "CapabilityStatement", "TerminologyCapabilities")
    if last.startswith("$"):
        name = f"{kind}/{last}" if len(segments) > 1 else last
        if name not in _OPERATIONS:
            raise ValueError(f"No parameters are declared for the operation of the route {path}")
        return _operation_call(path, name, method)
    if len(segments) == 1 and kind in SEARCH_PARAMETERS:
        query = [_query(name, {"type": "string"}, f"{kind} search parameter of type {type_}") for name, type_ in SEARCH_PARAMETERS[kind].items()]
        query += [_query(name, schema, about) for name, schema, about in _SEARCH_RESULT]
        return _described(f"search{kind}", f"Search the {kind} resources", query, None, "Bundle")
    if len(segments) == 2 and segments[1] == "{id}":
        shown = [_query(name, schema, about) for name, schema, about in _SEARCH_RESULT if name in _READ_SHOWN]
        return _described(f"read{kind}", f"Read a {kind}", shown, None, kind)
    raise ValueError(f"The route {path} has no description: say in terminology/http/openapi.py what it does")


def _types(operation: str) -> dict[str, str]:
    """The FHIR type of each parameter ``operation`` takes."""
    types = {}
    for parameter, given in _OPERATIONS[operation][0].items():
        if given is None and parameter not in _TYPES:
            raise ValueError(f"{operation} takes the parameter '{parameter}', whose type terminology/http/openapi.py does not declare")
        types[parameter] = given or _TYPES[parameter]
    return types


def _schema_name(operation: str) -> str:
    """The name of the schema of ``operation``'s Parameters among the components."""
    return "Parameters-" + operation.replace("/$", "-").lstrip("$")


def _operation_call(path: str, name: str, method: str) -> dict[str, Any]:
    """A FHIR operation: a GET's query carries its simple parameters; a POST's body all of them."""
    types, answer = _types(name), _OPERATIONS[name][1]
    operation_id = ("" if "{id}" not in path else "instance-") + name.replace("/$", "-").lstrip("$") + "-" + method.lower()
    summary = f"${name.partition('$')[2]}" + (" on the resource with this id" if "{id}" in path else "")
    if method == "GET":
        query = [_query(p, _query_schema(t, p in _REPEATING), f"FHIR type {t}") for p, t in sorted(types.items()) if _query_schema(t, False)]
        return _described(operation_id, summary, query, None, answer)
    form = {"type": "object", "properties": {p: _query_schema(t, p in _REPEATING) for p, t in sorted(types.items()) if _query_schema(t, False)}}
    return _described(operation_id, summary, [], _body({"$ref": f"#/components/schemas/{_schema_name(name)}"}, form), answer)


def _described(operation_id: str, summary: str, query: list[dict[str, Any]], body: dict[str, Any] | None, *answers: str) -> dict[str, Any]:
    operation: dict[str, Any] = {"operationId": operation_id, "summary": summary, "parameters": [*query, _FORMAT]}
    if body is not None:
        operation["requestBody"] = body
    schema = _resource(answers[0]) if len(answers) == 1 else {"oneOf": [_resource(kind) for kind in answers]}
    operation["responses"] = {
        "200": {"description": " or ".join(answers), "content": _fhir_content(schema, _WRITTEN_TYPES)},
        "4XX": {"$ref": "#/components/responses/Refused"},
        "5XX": {"$ref": "#/components/responses/Failed"},
    }
    return operation


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    parameter = {"name": name, "in": "query", "description": description, "schema": schema}
    if schema.get("type") == "array":
        parameter |= {"style": "form", "explode": True}
    return parameter


def _id_parameter() -> dict[str, Any]:
    return {"name": "id", "in": "path", "required": True, "description": "The resource's id", "schema": {"type": "string", "pattern": "^[A-Za-z0-9\\-.]{1,64}$"}}


def _query_schema(fhir_type: str, repeating: bool) -> dict[str, Any]:
    """The schema of a parameter's value in a query string or form; empty for a type a query cannot
    carry (a resource, a CodeableConcept: POST a Parameters for those)."""
    if fhir_type in _STRING_TYPES:
        schema: dict[str, Any] = {"type": "string"}
    elif fhir_type in ("boolean", "integer"):
        schema = {"type": fhir_type}
    elif fhir_type == "Coding":
        schema = {"type": "string", "pattern": "\\|", "description": "system|code"}
    else:
        return {}
    return {"type": "array", "items": schema} if repeating else schema


def _parameters_schema(types: dict[str, str]) -> dict[str, Any]:
    """A Parameters resource whose every parameter is one of ``types``, with the value of its type."""
    one_of = [
        {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "enum": [name]}, **_value(fhir_type)}}
        for name, fhir_type in sorted(types.items())
    ]
    parameter = {"anyOf": one_of} if one_of else {"type": "object"}
    return {
        "type": "object",
        "required": ["resourceType"],
        "properties": {"resourceType": {"type": "string", "enum": ["Parameters"]}, "parameter": {"type": "array", "items": parameter}},
    }


def _value(fhir_type: str) -> dict[str, Any]:
    """The member of a Parameters.parameter that carries a value of ``fhir_type``."""
    if fhir_type in ("Coding", "CodeableConcept"):
        return {f"value{fhir_type}": {"$ref": f"#/components/schemas/{fhir_type}"}}
    if fhir_type[0].isupper():  # a resource
        return {"resource": _resource("" if fhir_type == "Resource" else fhir_type)}
    schema = _query_schema(fhir_type, False)
    return {f"value{fhir_type[0].upper()}{fhir_type[1:]}": schema}


def _body(schema: dict[str, Any], form: dict[str, Any] | None) -> dict[str, Any]:
    content = _fhir_content(schema)
    if form is not None:
        content[_FORM_TYPE] = {"schema": form}
    return {"required": True, "content": content}


def _fhir_content(schema: dict[str, Any], media_types: tuple[str, ...] = _READ_TYPES) -> dict[str, Any]:
    """The same resource in FHIR JSON, FHIR XML and HTML (an XML or HTML document is described as text)."""
    return {
        media_type: {"schema": schema} if "json" in media_type else _HTML_CONTENT if media_type == "text/html" else _XML_CONTENT
        for media_type in media_types
    }


_XML_CONTENT = {"schema": {"type": "string", "description": "The resource in FHIR XML"}}
_HTML_CONTENT = {"schema": {"type": "string", "description": "The resource as an HTML page, for a person"}}


def _resource(kind: str) -> dict[str, Any]:
    """A FHIR resource of type ``kind`` (any type when empty), in JSON."""
    resource_type: dict[str, Any] = {"type": "string", "enum": [kind]} if kind else {"type": "string", "pattern": "^[A-Z][A-Za-z]+$"}
    return {"type": "object", "required": ["resourceType"], "properties": {"resourceType": resource_type}}


_OUTCOME_REF = {"$ref": "#/components/schemas/OperationOutcome"}
_CODING = {
    "type": "object",
    "properties": {name: {"type": "string"} for name in ("system", "version", "code", "display")},
}
_SCHEMAS = {
    "Coding": _CODING,
    "CodeableConcept": {
        "type": "object",
        "properties": {"coding": {"type": "array", "items": {"$ref": "#/components/schemas/Coding"}}, "text": {"type": "string"}},
    },
    "OperationOutcome": {
        "type": "object",
        "required": ["resourceType", "issue"],
        "properties": {
            "resourceType": {"type": "string", "enum": ["OperationOutcome"]},
            "issue": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["severity", "code"],
                    "properties": {
                        "severity": {"type": "string", "enum": ["fatal", "error", "warning", "information"]},
                        "code": {"type": "string"},
                        "diagnostics": {"type": "string"},
                        "details": {"type": "object", "properties": {"text": {"type": "string"}}},
                        "expression": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
        },
    },
}
_ERROR_RESPONSES = {
    "Refused": {"description": "The request cannot be answered: an OperationOutcome says why", "content": _fhir_content(_OUTCOME_REF, _WRITTEN_TYPES)},
    "Failed": {"description": "The server failed: an OperationOutcome", "content": _fhir_content(_OUTCOME_REF, _WRITTEN_TYPES)},
}

"""The FHIR REST API over plain HTTP values: route a request, parse it, call the operation, render.

It knows HTTP but no web framework, so the Flask blueprint (for apps that mount the plugin) and
the standalone server's WSGI entry share one implementation of every endpoint.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

from ..context import RequestContext, parse_display_language
from ..errors import InvalidRequest, NotFound, PayloadTooLarge, TerminologyError
from ..fhir import codec, negotiation
from ..fhir.batch import BatchEntry, batch_response_bundle, batch_validation_parameters, read_batch_bundle, read_batch_validations
from ..fhir.capabilities import capability_statement, terminology_capabilities
from ..fhir.codesystem import code_system_resource, search_bundle
from ..fhir.definitions import resource_json
from ..fhir.expand import echoed_parameters, expansion_resource, read_expand_request
from ..fhir.lookup import lookup_parameters, read_lookup_request
from ..fhir.outcome import error_outcome
from ..fhir.parameters import OperationInput
from ..fhir.subsumes import read_subsumes_request, subsumes_parameters
from ..fhir.translate import read_translate_request, translate_parameters, uses_r5_names
from ..fhir.validate_code import read_validation_request, read_value_set_validation_request, validation_parameters
from ..operations.expand import expand, find_value_set
from ..operations.lookup import lookup
from ..operations.subsumes import subsumes
from ..operations.search import (
    read_code_system,
    read_concept_map,
    read_value_set,
    search_code_systems,
    search_concept_maps,
    search_value_sets,
)
from ..operations.translate import translate
from ..operations.validate_code import validate_code
from ..registry import Registry
from .request_resources import RequestResources

__all__ = ["Dispatcher", "HttpRequest", "HttpResponse", "MethodNotAllowed"]

log = logging.getLogger(__name__)

_CS_SEARCH_PARAMETERS = frozenset({"url", "version", "name"})
_VS_SEARCH_PARAMETERS = frozenset({"url", "version", "name", "title", "status"})
_CM_SEARCH_PARAMETERS = _VS_SEARCH_PARAMETERS | {"source-uri", "target-uri", "source-system", "target-system"}
_READ_SUMMARIES = (None, "true", "false", "data", "text")
# Entries of one batch Bundle, validations of one $batch-validate-code.
_MAX_BATCH = 1000


@dataclass(slots=True)
class HttpRequest:
    """One request. ``path`` is below the FHIR base (``/CodeSystem/$lookup``); ``headers`` are
    looked up by lower-case name; ``body`` reads at most the given number of bytes."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: Mapping[str, str]
    body: Callable[[int], bytes]
    base_url: str
    content_length: int | None = None
    _args: dict[str, str] | None = field(default=None, repr=False)

    def arg(self, name: str) -> str | None:
        """The first value of a query parameter."""
        if self._args is None:
            self._args = {}
            for key, value in self.query:
                self._args.setdefault(key, value)
        return self._args.get(name)


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


class MethodNotAllowed(TerminologyError):
    issue_type = "not-supported"
    status = 405


View = Callable[["Dispatcher", HttpRequest, "str | None"], dict[str, Any]]


class Dispatcher:
    """Answers requests from one registry. ``max_body_bytes`` bounds what a POST may send."""

    def __init__(self, registry: Registry, max_body_bytes: int = 16 * 1024 * 1024) -> None:
        self.registry = registry
        self.max_body_bytes = max_body_bytes
        self.request_resources = RequestResources(registry)

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Never raises: every failure becomes an OperationOutcome with its HTTP status."""
        status, resource = self.answer(request)
        try:
            return self._render(request, resource, status)
        except TerminologyError as error:  # no format the client accepts can be written
            if status >= 400:  # the answer is an error already: that one, in JSON
                return HttpResponse(status, negotiation.FHIR_JSON_CONTENT_TYPE, codec.to_json(resource))
            return self.error_response(request, error)

    def answer(self, request: HttpRequest) -> tuple[int, dict[str, Any]]:
        """The HTTP status and resource answering ``request``, before rendering; never raises."""
        try:
            view, id, methods = _route(request.path)
            if request.method not in methods:
                raise MethodNotAllowed(f"{request.method} is not supported on {request.path or '/'}; use {' or '.join(methods)}")
            return 200, view(self, request, id)
        except TerminologyError as error:
            return error.status, error_outcome(error)
        except Exception:  # a bug: log it, and answer as FHIR does rather than with a bare 500 page
            log.exception("unexpected error answering %s %s", request.method, request.path)
            error = TerminologyError("Internal error; the server's log has the details")
            return error.status, error_outcome(error)

    # -- views ----------------------------------------------------------------------------------

    def metadata(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        mode = request.arg("mode")
        if mode == "terminology":
            return terminology_capabilities(self.registry, request.base_url)
        if mode not in (None, "full", "normative"):
            raise InvalidRequest(f"Unknown metadata mode '{mode}': use full, normative or terminology", expression="mode")
        return capability_statement(request.base_url, self.registry.supplements_applied)

    def lookup(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        system, version = self._instance(id)
        params = self._operation_input(request)
        registry = self.request_resources.registry_for(params.resources("tx-resource"))
        lookup_request = read_lookup_request(params, system, version)
        result = lookup(registry, lookup_request, _context(request, params))
        return lookup_parameters(result, lookup_request.code, lookup_request.system)

    def subsumes(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        system, version = self._instance(id)
        params = self._operation_input(request)
        registry = self.request_resources.registry_for(params.resources("tx-resource"))
        return subsumes_parameters(subsumes(registry, read_subsumes_request(params, system, version)))

    def validate_code(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        system, version = self._instance(id)
        params = self._operation_input(request)
        registry = self.request_resources.registry_for(params.resources("tx-resource"))
        validation = read_validation_request(params, system, version)
        return validation_parameters(validate_code(registry, validation, _context(request, params)))

    def value_set_validate_code(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        return self._value_set_validation(request, self._operation_input(request), id)

    def batch_validate_code(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        """Each validation answered on its own: an error in one is its OperationOutcome, not the batch's."""
        answers = []
        for params in read_batch_validations(self._operation_input(request), _MAX_BATCH):
            try:
                if isinstance(params, TerminologyError):
                    raise params
                answers.append(self._value_set_validation(request, params, id))
            except TerminologyError as error:
                answers.append(error_outcome(error))
        return batch_validation_parameters(answers)

    def _value_set_validation(self, request: HttpRequest, params: OperationInput, id: str | None) -> dict[str, Any]:
        registry = self.request_resources.registry_for(params.resources("tx-resource"))
        instance = read_value_set(registry, id) if id is not None else None
        validation = read_value_set_validation_request(params, instance, lambda url, version: find_value_set(registry, url, version))
        return validation_parameters(validate_code(registry, validation, _context(request, params)))

    def expand(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        params = self._operation_input(request)
        registry = self.request_resources.registry_for(params.resources("tx-resource"))
        instance = read_value_set(registry, id) if id is not None else None
        asked = read_expand_request(params, instance)
        limit = _cost_threshold(request)
        result = expand(registry, asked if limit is None else replace(asked, limit=limit), _context(request, params))
        return expansion_resource(result, echoed_parameters(params), params.boolean("includeDefinition") is True)

    def batch(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        """A ``batch`` Bundle: each entry is answered as the request it holds would be, on its own."""
        entries = read_batch_bundle(self._body_resource(request), _MAX_BATCH)
        return batch_response_bundle([self._entry_answer(request, entry) for entry in entries])

    def _entry_answer(self, request: HttpRequest, entry: BatchEntry) -> tuple[int, dict[str, Any]]:
        if entry.error is not None:
            return entry.error.status, error_outcome(entry.error)
        path, _, query = entry.url.removeprefix(request.base_url).partition("?")
        path = "/" + path.lstrip("/")
        if path.rstrip("/") == "":
            error = InvalidRequest("A batch entry cannot be a batch itself", expression="Bundle.entry.request.url")
            return error.status, error_outcome(error)
        body = codec.to_json(entry.resource) if entry.resource is not None else b""
        headers = {"content-type": negotiation.FHIR_JSON_CONTENT_TYPE}
        if request.headers.get("accept-language"):
            headers["accept-language"] = request.headers["accept-language"]
        pairs = parse_qsl(query, keep_blank_values=True)
        return self.answer(HttpRequest(entry.method, path, pairs, headers, lambda limit: body[:limit], request.base_url, len(body)))

    def value_set_search(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        args = _search_args(request, _VS_SEARCH_PARAMETERS, "ValueSet")
        found = search_value_sets(self.registry, **args)
        return search_bundle([resource_json(v) for v in found], request.base_url, count_only=request.arg("_summary") == "count")

    def value_set_read(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        return resource_json(read_value_set(self.registry, id or ""))

    def translate(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        params = self._operation_input(request)
        registry = self.request_resources.registry_for(params.resources("tx-resource"))
        instance = read_concept_map(registry, id) if id is not None else None
        result = translate(registry, read_translate_request(params, instance))
        return translate_parameters(result, r5_names=uses_r5_names(params))

    def concept_map_search(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        args = _search_args(request, _CM_SEARCH_PARAMETERS, "ConceptMap")
        found = search_concept_maps(self.registry, **{name.replace("-", "_"): value for name, value in args.items()})
        return search_bundle([resource_json(m) for m in found], request.base_url, count_only=request.arg("_summary") == "count")

    def concept_map_read(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        return resource_json(read_concept_map(self.registry, id or ""))

    def versions(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        """The FHIR versions served (the HL7 test runner and validator ask before anything else)."""
        return {"resourceType": "Parameters", "parameter": [{"name": "version", "valueString": "4.0"}, {"name": "default", "valueString": "4.0"}]}

    def search(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        found = search_code_systems(self.registry, **_search_args(request, _CS_SEARCH_PARAMETERS, "CodeSystem"))
        resources = [code_system_resource(provider, concepts=False) for provider in found]
        return search_bundle(resources, request.base_url, count_only=request.arg("_summary") == "count")

    def read(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        provider = read_code_system(self.registry, id or "")
        summary = request.arg("_summary")
        if summary not in _READ_SUMMARIES:
            raise InvalidRequest(f"Unknown _summary value '{summary}' for a read", expression="_summary")
        # The concepts (about 98,000 for ICD-10-CM) only when asked for with _summary=false.
        return code_system_resource(provider, concepts=summary == "false")

    # -- request --------------------------------------------------------------------------------

    def _instance(self, id: str | None) -> tuple[str | None, str | None]:
        """The url and version of the CodeSystem an instance-level operation was called on."""
        if id is None:
            return None, None
        provider = read_code_system(self.registry, id)
        return provider.info.url, provider.info.version

    def _operation_input(self, request: HttpRequest) -> OperationInput:
        if request.method == "GET":
            return OperationInput.from_query(request.query)
        if negotiation.request_format(request.headers.get("content-type")) == "form":
            try:
                pairs = parse_qsl(self._read_body(request).decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError as error:
                raise InvalidRequest(f"The form body is not UTF-8: {error}") from error
            return OperationInput.from_query(pairs)
        return OperationInput.from_parameters(self._body_resource(request, "a Parameters resource"))

    def _body_resource(self, request: HttpRequest, expected: str = "a Bundle of type batch") -> dict[str, Any]:
        """The resource a POST sends as FHIR JSON or XML."""
        body_format = negotiation.request_format(request.headers.get("content-type"))
        if body_format == "form":
            raise InvalidRequest(f"Send {expected} as FHIR JSON or XML, not a form")
        body = self._read_body(request)
        if not body.strip():
            raise InvalidRequest(f"The POST body is empty: send {expected}")
        return codec.parse_xml(body) if body_format == "xml" else codec.parse_json(body)

    def _read_body(self, request: HttpRequest) -> bytes:
        limit = self.max_body_bytes
        if request.content_length is not None and request.content_length > limit:
            raise PayloadTooLarge(f"The request body is {request.content_length} bytes; the limit is {limit}")
        body = request.body(limit + 1)  # a chunked body has no Content-Length to check first
        if len(body) > limit:
            raise PayloadTooLarge(f"The request body is larger than the limit of {limit} bytes")
        return body

    # -- response -------------------------------------------------------------------------------

    def _render(self, request: HttpRequest, resource: dict[str, Any], status: int) -> HttpResponse:
        content_type, encode = _negotiated(request.arg("_format"), request.headers.get("accept"))
        return HttpResponse(status, content_type, encode(resource))

    def error_response(self, request: HttpRequest, error: TerminologyError) -> HttpResponse:
        """The OperationOutcome of ``error``, in the format the client asked for if it can be had."""
        outcome = error_outcome(error)
        try:
            return self._render(request, outcome, error.status)
        except TerminologyError:  # the client accepts no format we write: answer in JSON all the same
            return HttpResponse(error.status, negotiation.FHIR_JSON_CONTENT_TYPE, codec.to_json(outcome))


def _search_args(request: HttpRequest, supported: frozenset[str], kind: str) -> dict[str, str | None]:
    unknown = {name for name, _ in request.query if not name.startswith("_")} - supported
    if unknown:
        raise InvalidRequest(
            f"{kind} search does not support the parameter(s) {', '.join(sorted(unknown))}; "
            f"it supports {', '.join(sorted(supported))}"
        )
    summary = request.arg("_summary")
    if summary not in (*_READ_SUMMARIES, "count"):
        raise InvalidRequest(f"Unknown _summary value '{summary}'", expression="_summary")
    return {name: request.arg(name) for name in supported}


def _cost_threshold(request: HttpRequest) -> int | None:
    """``X-TOO-COSTLY-THRESHOLD``: a client's own limit on the codes an expansion answers at once (it
    can lower the server's, not raise it)."""
    value = request.headers.get("x-too-costly-threshold")
    if value is None:
        return None
    if not value.strip().isdigit() or int(value) < 1:
        raise InvalidRequest(f"The header X-TOO-COSTLY-THRESHOLD must be a positive whole number, not '{value}'")
    return int(value)


def _context(request: HttpRequest, params: OperationInput) -> RequestContext:
    language = params.string("displayLanguage")
    if language is not None:
        return RequestContext.for_languages(language, parse_display_language)
    return RequestContext.for_languages(request.headers.get("accept-language"))


@lru_cache(maxsize=256)
def _negotiated(format_param: str | None, accept: str | None) -> tuple[str, Callable[[dict], bytes]]:
    """The response's content type and encoder; clients send few distinct headers, so cache them."""
    if negotiation.response_format(format_param, accept) == "xml":
        return negotiation.FHIR_XML_CONTENT_TYPE, codec.to_xml
    return negotiation.FHIR_JSON_CONTENT_TYPE, codec.to_json


_GET = ("GET",)
_GET_POST = ("GET", "POST")
_POST = ("POST",)
# path -> (view, methods); "{id}" stands for one path segment.
_ROUTES: dict[str, tuple[View, tuple[str, ...]]] = {
    "/": (Dispatcher.batch, _POST),
    "/metadata": (Dispatcher.metadata, _GET),
    "/CodeSystem": (Dispatcher.search, _GET),
    "/CodeSystem/$lookup": (Dispatcher.lookup, _GET_POST),
    "/CodeSystem/$validate-code": (Dispatcher.validate_code, _GET_POST),
    "/CodeSystem/$subsumes": (Dispatcher.subsumes, _GET_POST),
    "/CodeSystem/{id}": (Dispatcher.read, _GET),
    "/CodeSystem/{id}/$lookup": (Dispatcher.lookup, _GET_POST),
    "/CodeSystem/{id}/$validate-code": (Dispatcher.validate_code, _GET_POST),
    "/CodeSystem/{id}/$subsumes": (Dispatcher.subsumes, _GET_POST),
    "/ValueSet": (Dispatcher.value_set_search, _GET),
    "/ValueSet/$expand": (Dispatcher.expand, _GET_POST),
    "/ValueSet/$validate-code": (Dispatcher.value_set_validate_code, _GET_POST),
    "/ValueSet/$batch-validate-code": (Dispatcher.batch_validate_code, _POST),
    "/ValueSet/{id}": (Dispatcher.value_set_read, _GET),
    "/ValueSet/{id}/$expand": (Dispatcher.expand, _GET_POST),
    "/ValueSet/{id}/$validate-code": (Dispatcher.value_set_validate_code, _GET_POST),
    "/ValueSet/{id}/$batch-validate-code": (Dispatcher.batch_validate_code, _POST),
    "/ConceptMap": (Dispatcher.concept_map_search, _GET),
    "/ConceptMap/$translate": (Dispatcher.translate, _GET_POST),
    "/ConceptMap/{id}": (Dispatcher.concept_map_read, _GET),
    "/ConceptMap/{id}/$translate": (Dispatcher.translate, _GET_POST),
    "/$versions": (Dispatcher.versions, _GET),
}


def _route(path: str) -> tuple[View, str | None, tuple[str, ...]]:
    """The view for a path below the FHIR base, and the resource id in it, if any."""
    path = path.rstrip("/") or "/"
    found = _ROUTES.get(path)
    if found is not None:
        return found[0], None, found[1]
    segments = path.split("/")  # ["", "CodeSystem", id, ...]
    if len(segments) in (3, 4) and segments[2] and not segments[2].startswith("$"):
        pattern = "/".join(["", segments[1], "{id}", *segments[3:]])
        found = _ROUTES.get(pattern)
        if found is not None:
            return found[0], segments[2], found[1]
    raise NotFound(f"There is nothing at '{path}' on this FHIR server", expression="path")

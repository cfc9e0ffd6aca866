"""The FHIR REST API's views over plain HTTP values: read the request, call the operation, return the resource.

They know HTTP but no web framework, so the Flask blueprint (for apps that mount the plugin) and
the standalone server's WSGI entry share one implementation of every endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..context import RequestContext, parse_display_language
from ..errors import InvalidRequest, TerminologyError
from ..fhir.batch import batch_validation_parameters, names_value_set, read_batch_validations
from ..fhir.capabilities import capability_statement, operation_definition, terminology_capabilities, versions_parameters
from ..fhir.cache_control import cache_control_outcome, cache_id_parameters
from ..fhir.codesystem import code_system_json
from ..fhir.concept_map_resource import concept_map_json
from ..fhir.drg_cc_exclusion import cc_exclusion_parameters, read_cc_exclusion_request
from ..fhir.definitions import resource_json
from ..fhir.expand import echoed_parameters, expansion_resource, read_expand_request
from ..fhir.lookup import lookup_parameters, read_lookup_request
from ..fhir.outcome import error_outcome
from ..fhir.parameters import OperationInput
from ..fhir.request import read_operation_input
from ..fhir.search import ReadSearch, lenient_handling, read_search, read_shown, searchset_bundle, subsetted
from ..fhir.subsumes import read_subsumes_request, subsumes_parameters
from ..fhir.translate import read_translate_request, translate_parameters, uses_r5_names
from ..fhir.validate_code import read_validation_request, read_value_set_validation_request, validation_parameters
from ..loaders.release_cache import default_cache_dir
from ..operations.drg_cc_exclusion import cc_exclusion
from ..operations.expand import expand, find_value_set
from ..operations.lookup import lookup
from ..operations.subsumes import subsumes
from ..operations.search import (
    SearchPage,
    code_system_resource_with_id,
    code_system_with_id,
    concept_map_with_id,
    search_code_systems,
    search_concept_maps,
    search_value_sets,
    value_set_with_id,
)
from ..operations.search_criteria import SearchRequest
from ..operations.translate import translate
from ..operations.validate_code import validate_code
from ..registry import Registry
from ..settings import Bound, Settings
from .client_caches import ClientCaches, cache_store
from .messages import HttpRequest
from .request_resources import RequestResources

__all__ = ["FhirViews"]

#: The parameters by which a request brings resources of its own, or names a cache of them.
_BRINGING_NAMES = frozenset({"valueSet", "tx-resource", "cache-id"})


class FhirViews:
    """The views over one registry; each takes a request and the id in its path (None on a
    type-level path) and returns the resource that answers it, within the bounds ``settings`` set."""

    def __init__(self, registry: Registry, settings: Settings, caches: ClientCaches | None = None) -> None:
        """``caches``: the validator's caches (default: those ``settings`` configure)."""
        self.registry = registry
        self.settings = settings
        self.request_resources = RequestResources(registry, settings)
        self.caches = caches or ClientCaches(cache_store(settings, settings.cache_dir or default_cache_dir()), settings)
        # (made once: a request only compares numbers, and names a bound when it refuses)
        self.max_body_bytes = settings.bound("max_body_bytes")
        self.max_parameters = settings.bound("max_parameters")
        self.max_nesting_depth = settings.bound("max_nesting_depth")
        self.max_batch_entries = settings.bound("max_batch_entries")
        self.max_expansion_codes = settings.bound("max_expansion_codes")
        self.max_selected_codes = settings.bound("max_selected_codes")
        self.max_expansion_seconds = settings.bound("max_expansion_seconds")

    def metadata(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        mode = request.arg("mode")
        if mode == "terminology":
            return terminology_capabilities(self.registry, request.base_url)
        if mode not in (None, "full", "normative"):
            raise InvalidRequest(f"Unknown metadata mode '{mode}': use full, normative or terminology", expression="mode")
        return capability_statement(request.base_url, self.registry)

    def lookup(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        system, version = self._instance(id)
        params = self._operation_input(request)
        registry = self._registry(request, params)
        lookup_request = read_lookup_request(params, system, version)
        result = lookup(registry, lookup_request, _context(request, params))
        return lookup_parameters(result, lookup_request.code, lookup_request.system)

    def subsumes(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        system, version = self._instance(id)
        params = self._operation_input(request)
        registry = self._registry(request, params)
        return subsumes_parameters(subsumes(registry, read_subsumes_request(params, system, version)))

    def drg_cc_exclusion(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        asked = read_cc_exclusion_request(self._operation_input(request))
        return cc_exclusion_parameters(cc_exclusion(self.registry, asked))

    def validate_code(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        return self._code_system_validation(request, self._operation_input(request), id)

    def _code_system_validation(self, request: HttpRequest, params: OperationInput, id: str | None) -> dict[str, Any]:
        system, version = self._instance(id)
        registry = self._registry(request, params)
        validation = read_validation_request(params, system, version)
        return validation_parameters(validate_code(registry, validation, _context(request, params)))

    def value_set_validate_code(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        return self._value_set_validation(request, self._operation_input(request), id)

    def batch_validate_code(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        """Each validation answered on its own: an error in one is its OperationOutcome, not the batch's.
        One that names no value set (on the type, with no ``url`` or ``valueSet``) is validated in its
        code system, as ``CodeSystem/$validate-code`` would (as tx.fhir.org does)."""
        validations = read_batch_validations(self._operation_input(request), self.max_batch_entries)
        return batch_validation_parameters(self._batch_validation(request, params, id) for params in validations)

    def _batch_validation(self, request: HttpRequest, params: OperationInput | TerminologyError, id: str | None) -> dict[str, Any]:
        try:
            if isinstance(params, TerminologyError):
                raise params
            if id is None and not names_value_set(params):
                return self._code_system_validation(request, params, None)
            return self._value_set_validation(request, params, id)
        except TerminologyError as error:
            return error_outcome(error)

    def _value_set_validation(self, request: HttpRequest, params: OperationInput, id: str | None) -> dict[str, Any]:
        registry = self._registry(request, params)
        instance = value_set_with_id(registry, id) if id is not None else None
        validation = read_value_set_validation_request(params, instance, lambda url, version: find_value_set(registry, url, version))
        return validation_parameters(validate_code(registry, validation, _context(request, params)))

    def expand(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        params = self._operation_input(request)
        registry = self._registry(request, params)
        instance = value_set_with_id(registry, id) if id is not None else None
        limit = _cost_threshold(request, self.max_expansion_codes)
        asked = read_expand_request(params, instance, limit=limit, selected_limit=self.max_selected_codes)
        context = _context(request, params).with_deadline(self.max_expansion_seconds)
        result = expand(registry, asked, context)
        return expansion_resource(result, echoed_parameters(params), params.boolean("includeDefinition") is True)

    def translate(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        params = self._operation_input(request)
        registry = self._registry(request, params)
        instance = concept_map_with_id(registry, id) if id is not None else None
        result = translate(registry, read_translate_request(params, instance))
        return translate_parameters(result, r5_names=uses_r5_names(params))

    def operation_definition_read(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        return operation_definition(id or "")

    def versions(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        """The FHIR versions served (the HL7 test runner and validator ask before anything else)."""
        return versions_parameters()

    # -- search and read: a code system's concepts (about 98,000 for ICD-10-CM) only with _summary=false --

    def search(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        return self._search(request, "CodeSystem", search_code_systems, lambda found, shown: code_system_json(found, shown.shows_concepts))

    def value_set_search(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        return self._search(request, "ValueSet", search_value_sets)

    def concept_map_search(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        return self._search(request, "ConceptMap", search_concept_maps, lambda found, shown: concept_map_json(found, shown.shows_concepts))

    def read(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        found = code_system_resource_with_id(self.registry, id or "")
        return _read(request, "CodeSystem", lambda shown: code_system_json(found, shown.shows_concepts))

    def value_set_read(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        return _read(request, "ValueSet", lambda shown: resource_json(value_set_with_id(self.registry, id or "")))

    def concept_map_read(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        found = concept_map_with_id(self.registry, id or "")
        return _read(request, "ConceptMap", lambda shown: concept_map_json(found, shown.shows_concepts))

    def _search(
        self,
        request: HttpRequest,
        kind: str,
        run: Callable[[Registry, SearchRequest], SearchPage],
        render: Callable[[Any, ReadSearch], dict[str, Any]] = lambda found, shown: resource_json(found),
    ) -> dict[str, Any]:
        """The searchset Bundle of a page of matches; only the page's are rendered."""
        search = read_search(kind, request.query, lenient=lenient_handling(request.headers.get("prefer")))
        page = run(self.registry, search.request)
        resources = [render(found, search) for found in page.found]
        return searchset_bundle(kind, resources, page.total, search, request.base_url, request.query)

    # -- request --------------------------------------------------------------------------------

    def _instance(self, id: str | None) -> tuple[str | None, str | None]:
        """The url and version of the CodeSystem an instance-level operation was called on."""
        if id is None:
            return None, None
        provider = code_system_with_id(self.registry, id)
        return provider.info.url, provider.info.version

    def _operation_input(self, request: HttpRequest) -> OperationInput:
        # A GET's body has no meaning (RFC 9110): it is not read.
        body = b"" if request.method == "GET" else request.read_body(self.max_body_bytes)
        return read_operation_input(request.method, request.headers.get("content-type"), request.query, body, self.max_parameters, self.max_nesting_depth)

    def _registry(self, request: HttpRequest, params: OperationInput) -> Registry:
        """The server's registry with the request's tx-resources over it, and those of the cache it names,
        once the resources the request brings are within the bounds (a ``valueSet`` too: the operation
        reads it whole)."""
        if not params.gives_any(_BRINGING_NAMES) and request.headers.get("x-cache-id") is None:
            return self.registry  # (the usual request brings nothing: no digest, no look-up)
        if "valueSet" in params:
            given = params.resource("valueSet")
            if given is not None:
                self.request_resources.check([given])
        brought = params.resources("tx-resource")
        issued, named = request.headers.get("x-cache-id"), params.string("cache-id")
        if issued is not None and named is not None and issued != named:
            raise InvalidRequest(f"The header X-Cache-Id ('{issued}') and the parameter cache-id ('{named}') name different caches: give one", expression="cache-id")
        if issued is not None:  # ($cache-control's cache: the request's resources are its own)
            return self.request_resources.registry_for(brought, self.caches.issued(issued))
        if named is not None:  # (the client's cache: what it brings is kept, after what it sent before)
            self.request_resources.check(brought)
            return self.request_resources.registry_for([], self.caches.named(named, brought))
        return self.request_resources.registry_for(brought)

    # -- the validator's caches ---------------------------------------------------------------------

    def cache_control(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        """``mode=start``: a new cache of the ``tx-resource``s given, and its id; ``mode=end``: the cache
        of the ``X-Cache-Id`` header (or the ``cache-id`` parameter) dropped."""
        params = self._operation_input(request)
        mode = request.arg("mode") or params.string("mode")
        if mode == "start":
            resources = params.resources("tx-resource")
            self.request_resources.check(resources)
            return cache_id_parameters(self.caches.start(resources))
        if mode == "end":
            cache_id = request.headers.get("x-cache-id") or params.string("cache-id")
            if cache_id is None:
                raise InvalidRequest("$cache-control?mode=end needs the cache's id, in the X-Cache-Id header", expression="cache-id")
            self.caches.end(cache_id)
            return cache_control_outcome(f"The cache '{cache_id}' is ended")
        raise InvalidRequest(f"$cache-control takes mode=start or mode=end, not {mode!r}", expression="mode")


def _read(request: HttpRequest, kind: str, render: Callable[[ReadSearch], dict[str, Any]]) -> dict[str, Any]:
    """A read's resource, as its ``_summary`` or ``_elements`` asks."""
    shown = read_shown(request.query)
    return subsetted(kind, render(shown), shown.summary, shown.elements)


def _cost_threshold(request: HttpRequest, server: Bound) -> Bound:
    """The most codes an expansion answers at once: the server's bound, or the client's own if lower
    (``X-TOO-COSTLY-THRESHOLD``; it can lower the server's, not raise it)."""
    value = request.headers.get("x-too-costly-threshold")
    if value is None:
        return server
    if not (value.strip().isascii() and value.strip().isdigit()) or int(value) < 1:
        raise InvalidRequest(f"The header X-TOO-COSTLY-THRESHOLD must be a positive whole number, not '{value}'")
    return Bound(int(value), "the X-TOO-COSTLY-THRESHOLD header") if int(value) < server.value else server


def _context(request: HttpRequest, params: OperationInput) -> RequestContext:
    language = params.string("displayLanguage")
    if language is not None:
        return RequestContext.for_languages(language, parse_display_language)
    return RequestContext.for_languages(request.headers.get("accept-language"))

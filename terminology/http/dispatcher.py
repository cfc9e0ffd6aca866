"""Answers a request: routes it to its view, turns every failure into an OperationOutcome, renders.

A ``batch`` Bundle is answered here too: each entry is dispatched as the request it holds would be.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl

from ..errors import InvalidRequest, TerminologyError
from ..fhir import codec, negotiation
from ..fhir.batch import BatchEntry, batch_response_bundle, read_batch_bundle
from ..fhir.outcome import error_outcome, with_request_id
from ..fhir.request import read_body_resource
from ..registry import Registry
from ..settings import Settings
from .messages import HttpRequest, HttpResponse
from .openapi import OPENAPI_PATH, openapi_response
from .rendering import render
from .router import Router, View
from .views import FhirViews

__all__ = ["Dispatcher"]

log = logging.getLogger(__name__)


class Dispatcher:
    """Answers requests from one registry, within the bounds ``settings`` set."""

    def __init__(self, registry: Registry, settings: Settings = Settings()) -> None:
        self.registry = registry
        self.settings = settings
        self.router = Router(_routes(FhirViews(registry, settings), self.batch, self.openapi))

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Never raises: every failure becomes an OperationOutcome with its HTTP status."""
        status, resource = self.answer(request)
        if isinstance(resource, HttpResponse):  # an answer that is no FHIR resource, written by its view
            return resource
        headers = (("Allow", ", ".join(self.router.allowed_methods(request.path))),) if status == 405 else ()
        return render(request, status, resource, headers)

    def answer(self, request: HttpRequest) -> tuple[int, dict[str, Any] | HttpResponse]:
        """The HTTP status and resource answering ``request``, before rendering; never raises."""
        try:
            view, id = self.router.resolve(request.method, request.path)
            request.operation = view.__name__
            return 200, view(request, id)
        except TerminologyError as error:
            return error.status, error_outcome(error)
        except Exception:  # a bug: log it, and answer as FHIR does rather than with a bare 500 page
            log.exception("unexpected error answering %s %s", request.method, request.path, extra={"request_id": request.request_id})
            error = TerminologyError("Internal error; the server's log has the details")
            return error.status, error_outcome(error)

    def batch(self, request: HttpRequest, id: str | None) -> dict[str, Any]:
        """A ``batch`` Bundle: each entry is answered as the request it holds would be, on its own."""
        bound = self.settings.bound
        body = request.read_body(bound("max_body_bytes"))
        bundle = read_body_resource(request.headers.get("content-type"), body, "a Bundle of type batch", bound("max_nesting_depth"))
        entries = read_batch_bundle(bundle, bound("max_batch_entries"))
        return batch_response_bundle(self._entry_answer(request, entry) for entry in entries)

    def openapi(self, request: HttpRequest, id: str | None) -> HttpResponse:
        """The OpenAPI description of the routes, served at this base."""
        return openapi_response(self.router.methods(), request.base_url)

    def _entry_answer(self, request: HttpRequest, entry: BatchEntry) -> tuple[int, dict[str, Any]]:
        """An entry's answer; an error's OperationOutcome names the batch's request id."""
        status, resource = self._entry_resource(request, entry)
        if status >= 400 and request.request_id:
            return status, with_request_id(resource, request.request_id)
        return status, resource

    def _entry_resource(self, request: HttpRequest, entry: BatchEntry) -> tuple[int, dict[str, Any]]:
        if entry.error is not None:
            return entry.error.status, error_outcome(entry.error)
        path, _, query = entry.url.removeprefix(request.base_url).partition("?")
        path = "/" + path.lstrip("/")
        if path.rstrip("/") == "":
            error = InvalidRequest("A batch entry cannot be a batch itself", expression="Bundle.entry.request.url")
            return error.status, error_outcome(error)
        body = codec.to_json(entry.resource) if entry.resource is not None else b""
        headers = {"content-type": negotiation.FHIR_JSON_CONTENT_TYPE}
        for name in ("accept-language", "x-cache-id"):  # (an entry sees the batch's language and cache)
            value = request.headers.get(name)
            if value:
                headers[name] = value
        pairs = parse_qsl(query, keep_blank_values=True)
        status, answer = self.answer(HttpRequest(entry.method, path, pairs, headers, lambda limit: body[:limit], request.base_url, len(body)))
        if isinstance(answer, HttpResponse):
            error = InvalidRequest(f"A batch entry must be a FHIR interaction; {path} is not one", expression="Bundle.entry.request.url")
            return error.status, error_outcome(error)
        return status, answer


_GET = ("GET",)
_GET_POST = ("GET", "POST")
_POST = ("POST",)


def _routes(views: FhirViews, batch: View, openapi: View) -> dict[str, tuple[View, tuple[str, ...]]]:
    """The FHIR REST API: path -> (view, methods); and its OpenAPI description."""
    return {
        "/": (batch, _POST),
        "/metadata": (views.metadata, _GET),
        "/CodeSystem": (views.search, _GET),
        "/CodeSystem/$lookup": (views.lookup, _GET_POST),
        "/CodeSystem/$validate-code": (views.validate_code, _GET_POST),
        "/CodeSystem/$subsumes": (views.subsumes, _GET_POST),
        "/CodeSystem/$drg-cc-exclusion": (views.drg_cc_exclusion, _GET_POST),
        "/CodeSystem/{id}": (views.read, _GET),
        "/CodeSystem/{id}/$lookup": (views.lookup, _GET_POST),
        "/CodeSystem/{id}/$validate-code": (views.validate_code, _GET_POST),
        "/CodeSystem/{id}/$subsumes": (views.subsumes, _GET_POST),
        "/ValueSet": (views.value_set_search, _GET),
        "/ValueSet/$expand": (views.expand, _GET_POST),
        "/ValueSet/$validate-code": (views.value_set_validate_code, _GET_POST),
        "/ValueSet/$batch-validate-code": (views.batch_validate_code, _POST),
        "/ValueSet/{id}": (views.value_set_read, _GET),
        "/ValueSet/{id}/$expand": (views.expand, _GET_POST),
        "/ValueSet/{id}/$validate-code": (views.value_set_validate_code, _GET_POST),
        "/ValueSet/{id}/$batch-validate-code": (views.batch_validate_code, _POST),
        "/ConceptMap": (views.concept_map_search, _GET),
        "/ConceptMap/$translate": (views.translate, _GET_POST),
        "/ConceptMap/{id}": (views.concept_map_read, _GET),
        "/ConceptMap/{id}/$translate": (views.translate, _GET_POST),
        "/OperationDefinition/{id}": (views.operation_definition_read, _GET),
        "/$versions": (views.versions, _GET),
        "/$cache-control": (views.cache_control, _POST),
        OPENAPI_PATH: (openapi, _GET),
    }

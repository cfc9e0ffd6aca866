"""Writing an answer in the format the client asked for: ``_format``, else the Accept header, else JSON
(or an HTML page, for a browser)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ..errors import TerminologyError
from ..fhir import codec, negotiation
from ..fhir.html import PageLinks, html_page
from ..fhir.outcome import error_outcome, with_request_id
from .messages import HttpRequest, HttpResponse

__all__ = ["error_response", "render"]

log = logging.getLogger(__name__)

# An answer chosen by the Accept header differs by it: a cache must keep a browser's page and a client's JSON apart.
_VARY_ACCEPT = (("Vary", "Accept"),)
_NO_VARY: tuple[tuple[str, str], ...] = ()


def render(request: HttpRequest, status: int, resource: dict[str, Any], headers: tuple[tuple[str, str], ...] = ()) -> HttpResponse:
    """``resource`` in the format ``request`` negotiates. Never raises: when it cannot be written so
    (the client accepts no format we write, or XML cannot carry it), the answer is the error that
    says so, or, when ``resource`` is an error already, that one in JSON. An error's OperationOutcome
    names the request's id."""
    if status >= 400 and request.request_id:
        resource = with_request_id(resource, request.request_id)
    try:
        content_type, encode, vary = _negotiated(request.arg("_format"), request.headers.get("accept"))
        if encode is None:
            return _page(request, status, resource, headers + vary)
        return HttpResponse(status, content_type, encode(resource), headers + vary if headers else vary, resource)
    except TerminologyError as error:
        if status >= 400:
            return HttpResponse(status, negotiation.FHIR_JSON_CONTENT_TYPE, codec.to_json(resource), headers, resource)
        return error_response(request, error)


def error_response(request: HttpRequest, error: TerminologyError) -> HttpResponse:
    """The OperationOutcome of ``error``, in the format the client asked for if it can be had, else in JSON."""
    return render(request, error.status, error_outcome(error))


def _page(request: HttpRequest, status: int, resource: dict[str, Any], headers: tuple[tuple[str, str], ...]) -> HttpResponse:
    """``resource`` as an HTML page, with the Content-Security-Policy that lets it show; a page that cannot be
    made (a bug) is logged, and the resource answered in JSON rather than not at all."""
    links = PageLinks(request.base_url, request.path, request.query, request.method)
    operation = request.operation.removeprefix("value_set_").replace("_", "-")
    try:
        body, policy = html_page(resource, status, links, operation)
    except Exception:
        log.exception("could not write %s as HTML", request.path, extra={"request_id": request.request_id})
        return HttpResponse(status, negotiation.FHIR_JSON_CONTENT_TYPE, codec.to_json(resource), headers, resource)
    return HttpResponse(status, negotiation.HTML_CONTENT_TYPE, body, (*headers, ("Content-Security-Policy", policy)), resource)


@lru_cache(maxsize=256)
def _negotiated(format_param: str | None, accept: str | None) -> tuple[str, Callable[[dict], bytes] | None, tuple[tuple[str, str], ...]]:
    """The response's content type, its encoder (None for a page) and the Vary header it needs (none when
    ``_format`` chose it); clients send few distinct headers, so cache them."""
    vary = _NO_VARY if format_param and format_param.strip() else _VARY_ACCEPT
    written = negotiation.response_format(format_param, accept)
    if written == "html":
        return negotiation.HTML_CONTENT_TYPE, None, vary
    if written == "xml":
        return negotiation.FHIR_XML_CONTENT_TYPE, codec.to_xml, vary
    return negotiation.FHIR_JSON_CONTENT_TYPE, codec.to_json, vary

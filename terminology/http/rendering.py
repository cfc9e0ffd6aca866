"""Writing an answer in the format the client asked for: ``_format``, else the Accept header, else JSON."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ..errors import TerminologyError
from ..fhir import codec, negotiation
from ..fhir.outcome import error_outcome, with_request_id
from .messages import HttpRequest, HttpResponse

__all__ = ["error_response", "render"]


def render(request: HttpRequest, status: int, resource: dict[str, Any], headers: tuple[tuple[str, str], ...] = ()) -> HttpResponse:
    """``resource`` in the format ``request`` negotiates. Never raises: when it cannot be written so
    (the client accepts no format we write, or XML cannot carry it), the answer is the error that
    says so, or, when ``resource`` is an error already, that one in JSON. An error's OperationOutcome
    names the request's id."""
    if status >= 400 and request.request_id:
        resource = with_request_id(resource, request.request_id)
    try:
        content_type, encode = _negotiated(request.arg("_format"), request.headers.get("accept"))
        return HttpResponse(status, content_type, encode(resource), headers, resource)
    except TerminologyError as error:
        if status >= 400:
            return HttpResponse(status, negotiation.FHIR_JSON_CONTENT_TYPE, codec.to_json(resource), headers, resource)
        return error_response(request, error)


def error_response(request: HttpRequest, error: TerminologyError) -> HttpResponse:
    """The OperationOutcome of ``error``, in the format the client asked for if it can be had, else in JSON."""
    return render(request, error.status, error_outcome(error))


@lru_cache(maxsize=256)
def _negotiated(format_param: str | None, accept: str | None) -> tuple[str, Callable[[dict], bytes]]:
    """The response's content type and encoder; clients send few distinct headers, so cache them."""
    if negotiation.response_format(format_param, accept) == "xml":
        return negotiation.FHIR_XML_CONTENT_TYPE, codec.to_xml
    return negotiation.FHIR_JSON_CONTENT_TYPE, codec.to_json

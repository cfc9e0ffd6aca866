"""What a FHIR REST request carries: an operation's input, or a resource, from its method, content
type, query and body.

A GET's input is its query. A POST sends a form (``application/x-www-form-urlencoded``, read as a
query is) or a resource in FHIR JSON or XML: a ``Parameters`` for an operation, a ``Bundle`` for a
batch. Reading the body off the connection, within a size limit, is the HTTP layer's business.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from ..errors import InvalidRequest
from . import codec, negotiation
from .parameters import OperationInput

__all__ = ["read_body_resource", "read_operation_input"]


def read_operation_input(method: str, content_type: str | None, query: Iterable[tuple[str, str]], body: bytes) -> OperationInput:
    """The input of an operation called with ``method``: the ``query`` of a GET; the form or the
    Parameters resource of a POST's ``body``, by its ``content_type`` (JSON when there is none).

    :class:`UnsupportedMediaType` (415) for a body of another type; :class:`InvalidRequest` (400)
    for a body that is empty, not UTF-8, not well-formed, or not a Parameters resource.
    """
    if method == "GET":
        return OperationInput.from_query(query)
    body_format = negotiation.request_format(content_type)
    if body_format == "form":
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError as error:
            raise InvalidRequest(f"The form body is not UTF-8: {error}") from error
        return OperationInput.from_query(pairs)
    return OperationInput.from_parameters(_decoded(body_format, body, "a Parameters resource"))


def read_body_resource(content_type: str | None, body: bytes, expected: str) -> dict[str, Any]:
    """The resource (FHIR JSON shape) a POST's ``body`` sends as FHIR JSON or XML, by its ``content_type``.

    ``expected`` names what the body should hold, for the messages: :class:`UnsupportedMediaType`
    (415) for a body of another type, :class:`InvalidRequest` (400) for a form, an empty body, or
    one that is not a well-formed resource.
    """
    body_format = negotiation.request_format(content_type)
    if body_format == "form":
        raise InvalidRequest(f"Send {expected} as FHIR JSON or XML, not a form")
    return _decoded(body_format, body, expected)


def _decoded(body_format: str, body: bytes, expected: str) -> dict[str, Any]:
    if not body.strip():
        raise InvalidRequest(f"The POST body is empty: send {expected}")
    return codec.parse(body, body_format)

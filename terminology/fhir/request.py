"""What a FHIR REST request carries: an operation's input, or a resource, from its method, content
type, query and body.

A GET's input is its query. A POST sends a form (``application/x-www-form-urlencoded``, read as a
query is) or a resource in FHIR JSON or XML: a ``Parameters`` for an operation, a ``Bundle`` for a
batch. Reading the body off the connection, within a size limit, is the HTTP layer's business.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl

from ..errors import InvalidRequest, TooCostly
from ..settings import Bound, Settings
from . import codec, negotiation
from .parameters import OperationInput

__all__ = ["read_body_resource", "read_operation_input"]

_DEFAULT_PARAMETERS = Settings().bound("max_parameters")


def read_operation_input(
    method: str,
    content_type: str | None,
    query: Sequence[tuple[str, str]],
    body: bytes,
    max_parameters: Bound = _DEFAULT_PARAMETERS,
    max_depth: Bound = codec.DEFAULT_DEPTH,
) -> OperationInput:
    """The input of an operation called with ``method``: the ``query`` of a GET; the form or the
    Parameters resource of a POST's ``body``, by its ``content_type`` (JSON when there is none).

    :class:`UnsupportedMediaType` (415) for a body of another type; :class:`InvalidRequest` (400)
    for a body that is empty, not UTF-8, not well-formed, nested deeper than ``max_depth``, or not a
    Parameters resource; :class:`TooCostly` (422) for more than ``max_parameters`` (query pairs, and
    the entries and parts of a Parameters and of the Parameters it carries).
    """
    if method == "GET":
        _check_count(len(query), max_parameters)
        return OperationInput.from_query(query)
    body_format = negotiation.request_format(content_type)
    if body_format == "form":
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False, max_num_fields=int(max_parameters.value))
        except UnicodeDecodeError as error:
            raise InvalidRequest(f"The form body is not UTF-8: {error}") from error
        except ValueError:  # (more fields than max_num_fields: refused before they are split)
            raise _too_many(f"more than {max_parameters.value:,}", max_parameters) from None
        _check_count(len(query) + len(pairs), max_parameters)
        return OperationInput.from_query(pairs)
    parameters = _decoded(body_format, body, "a Parameters resource", max_depth)
    if len(query) + _parameter_count(parameters, max_parameters.value - len(query)) > max_parameters.value:
        raise _too_many(f"more than {max_parameters.value:,}", max_parameters)
    return OperationInput.from_parameters(parameters)


def read_body_resource(content_type: str | None, body: bytes, expected: str, max_depth: Bound = codec.DEFAULT_DEPTH) -> dict[str, Any]:
    """The resource (FHIR JSON shape) a POST's ``body`` sends as FHIR JSON or XML, by its ``content_type``.

    ``expected`` names what the body should hold, for the messages: :class:`UnsupportedMediaType`
    (415) for a body of another type, :class:`InvalidRequest` (400) for a form, an empty body, or
    one that is not a well-formed resource or is nested deeper than ``max_depth``.
    """
    body_format = negotiation.request_format(content_type)
    if body_format == "form":
        raise InvalidRequest(f"Send {expected} as FHIR JSON or XML, not a form")
    return _decoded(body_format, body, expected, max_depth)


def _decoded(body_format: str, body: bytes, expected: str, max_depth: Bound) -> dict[str, Any]:
    if not body.strip():
        raise InvalidRequest(f"The POST body is empty: send {expected}")
    return codec.parse(body, body_format, max_depth)


def _check_count(count: int, max_parameters: Bound) -> None:
    if count > max_parameters.value:
        raise _too_many(f"{count:,}", max_parameters)


def _too_many(count: str, max_parameters: Bound) -> TooCostly:
    return TooCostly(f"The request has {count} parameters; this server takes at most {max_parameters}")


def _parameter_count(parameters: dict[str, Any], most: int | float) -> int:
    """The entries and parts of ``parameters`` and of the Parameters its entries carry (a batch's
    validations), counted up to just past ``most``; malformed entries count, and are refused later."""
    count = 0
    pending = [parameters.get("parameter")]
    while pending and count <= most:
        entries = pending.pop()
        if type(entries) is not list:
            continue
        count += len(entries)
        for entry in entries:
            if type(entry) is dict:
                if "part" in entry:
                    pending.append(entry["part"])
                carried = entry.get("resource")
                if type(carried) is dict and carried.get("resourceType") == "Parameters":
                    pending.append(carried.get("parameter"))
    return count

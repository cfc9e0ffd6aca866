"""Content negotiation: response format from _format and Accept, request format from Content-Type."""

from __future__ import annotations

import pytest

from terminology.errors import NotAcceptable, UnsupportedMediaType
from terminology.fhir.negotiation import (
    FHIR_JSON_CONTENT_TYPE,
    FHIR_XML_CONTENT_TYPE,
    HTML_CONTENT_TYPE,
    request_format,
    response_format,
)

CHROME = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
    "application/signed-exchange;v=b3;q=0.7"
)
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_response_content_types() -> None:
    assert FHIR_JSON_CONTENT_TYPE == "application/fhir+json; charset=utf-8"
    assert FHIR_XML_CONTENT_TYPE == "application/fhir+xml; charset=utf-8"
    assert HTML_CONTENT_TYPE == "text/html; charset=utf-8"


@pytest.mark.parametrize(
    ("format_param", "expected"),
    [
        ("json", "json"),
        ("xml", "xml"),
        ("application/json", "json"),
        ("application/fhir+json", "json"),
        ("application/json+fhir", "json"),
        ("application/xml", "xml"),
        ("application/fhir+xml", "xml"),
        ("application/xml+fhir", "xml"),
        ("text/xml", "xml"),
        ("application/fhir+xml; fhirVersion=4.0", "xml"),
        ("application/fhir+json;charset=UTF-8", "json"),
        (" XML ", "xml"),
        ("html", "html"),
        ("text/html", "html"),
        ("HTML", "html"),
    ],
)
def test_format_parameter(format_param: str, expected: str) -> None:
    assert response_format(format_param, None) == expected


def test_format_parameter_wins_over_accept() -> None:
    assert response_format("xml", "application/fhir+json") == "xml"
    assert response_format("json", "application/fhir+xml") == "json"


def test_empty_format_parameter_defers_to_accept() -> None:
    assert response_format("", "application/fhir+xml") == "xml"


@pytest.mark.parametrize("format_param", ["turtle", "text/csv", "xhtml", "application/fhir+turtle", "jsonx"])
def test_unsupported_format_parameter_is_not_acceptable(format_param: str) -> None:
    with pytest.raises(NotAcceptable) as caught:
        response_format(format_param, "application/fhir+json")
    assert caught.value.status == 406
    assert format_param in caught.value.message
    assert "supported formats are application/fhir+json, application/fhir+xml and text/html" in caught.value.message


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "json"),
        ("", "json"),
        ("   ", "json"),
        ("*/*", "json"),
        ("application/*", "json"),
        ("application/fhir+json", "json"),
        ("application/json", "json"),
        ("application/fhir+xml", "xml"),
        ("application/xml", "xml"),
        ("text/xml", "xml"),
        ("application/xml+fhir", "xml"),
        ("application/fhir+xml; fhirVersion=4.0", "xml"),
        ("APPLICATION/FHIR+XML", "xml"),
        ("application/fhir+json;q=0.5, application/fhir+xml", "xml"),
        ("application/fhir+xml;q=0.4, application/fhir+json;q=0.6", "json"),
        ("application/fhir+xml, application/fhir+json", "json"),  # a tie goes to JSON
        ("application/fhir+xml;q=0.9, */*;q=0.1", "xml"),
        ("text/csv, application/fhir+xml;q=0.2", "xml"),
        ("application/fhir+json;q=0, */*", "xml"),  # the specific range overrides the wildcard
        ("application/fhir+xml;q=nonsense", "xml"),  # an unreadable q counts as absent
        # A browser prefers text/html to everything: it gets a page.
        (CHROME, "html"),
        (FIREFOX, "html"),
        ("text/html", "html"),
        ("text/html;q=0.9, application/fhir+json;q=0.5", "html"),
        # A client that ties text/html with a FHIR type, or prefers the FHIR type, gets FHIR.
        ("text/html, application/fhir+xml", "xml"),
        ("text/html, application/fhir+json", "json"),
        ("text/html;q=0.5, */*", "json"),
        ("text/*", "xml"),  # (text/xml is FHIR XML, and ties text/html)
        ("text/html;q=0, */*", "json"),
    ],
)
def test_accept_header(accept: str | None, expected: str) -> None:
    assert response_format(None, accept) == expected


@pytest.mark.parametrize("accept", ["text/csv", "text/plain", "image/png, text/plain;q=0.5", "application/fhir+xml;q=0"])
def test_accept_naming_only_unsupported_types_is_not_acceptable(accept: str) -> None:
    with pytest.raises(NotAcceptable) as caught:
        response_format(None, accept)
    assert caught.value.status == 406
    assert accept in caught.value.message


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        (None, "json"),
        ("", "json"),
        ("application/fhir+json", "json"),
        ("application/json", "json"),
        ("application/json+fhir", "json"),
        ("application/fhir+json; charset=utf-8", "json"),
        ("application/fhir+xml", "xml"),
        ("application/xml", "xml"),
        ("text/xml; charset=UTF-8", "xml"),
        ("application/xml+fhir", "xml"),
        ("application/x-www-form-urlencoded", "form"),
        ("application/x-www-form-urlencoded; charset=UTF-8", "form"),
        ("Application/FHIR+JSON", "json"),
    ],
)
def test_request_format(content_type: str | None, expected: str) -> None:
    assert request_format(content_type) == expected


@pytest.mark.parametrize(
    "content_type", ["text/plain", "multipart/form-data; boundary=x", "application/octet-stream", "text/csv"]
)
def test_unsupported_request_body_type(content_type: str) -> None:
    with pytest.raises(UnsupportedMediaType) as caught:
        request_format(content_type)
    assert caught.value.status == 415
    assert content_type in caught.value.message

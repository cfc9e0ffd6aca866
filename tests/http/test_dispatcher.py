"""terminology.http.dispatcher answering plain request values, with no web framework in between."""

from __future__ import annotations

import io

import orjson
import pytest

from terminology.http.dispatcher import Dispatcher
from terminology.http.messages import HttpRequest
from terminology.settings import Settings

BASE = "http://tx.example.org/fhir"


@pytest.fixture(scope="module")
def dispatcher(registry) -> Dispatcher:
    return Dispatcher(registry, Settings(max_body_bytes=1000))


def _request(method: str, path: str, query=(), headers=None, body: bytes = b"") -> HttpRequest:
    return HttpRequest(method, path, list(query), headers or {}, io.BytesIO(body).read, BASE, len(body))


def test_a_get_lookup(dispatcher) -> None:
    answer = dispatcher.handle(_request("GET", "/CodeSystem/$lookup", [("system", "http://hl7.org/fhir/sid/icd-10-cm"), ("code", "Z66")]))
    assert (answer.status, answer.content_type) == (200, "application/fhir+json; charset=utf-8")
    parameters = orjson.loads(answer.body)["parameter"]
    assert {"name": "display", "valueString": "Do not resuscitate"} in parameters


@pytest.mark.parametrize(("method", "path", "allow"), [("DELETE", "/metadata", "GET"), ("PUT", "/CodeSystem/$lookup", "GET, POST"), ("GET", "/", "POST")])
def test_a_405_says_in_its_allow_header_which_methods_the_path_takes(dispatcher, method, path, allow) -> None:
    answer = dispatcher.handle(_request(method, path))
    assert answer.status == 405
    assert [value for name, value in answer.headers if name == "Allow"] == [allow]
    assert orjson.loads(answer.body)["issue"][0]["code"] == "not-supported"


def test_a_404_has_no_allow_header(dispatcher) -> None:
    answer = dispatcher.handle(_request("GET", "/Patient"))
    assert answer.status == 404
    assert "Allow" not in dict(answer.headers)


def test_a_post_over_the_body_limit_is_a_413(dispatcher) -> None:
    answer = dispatcher.handle(_request("POST", "/CodeSystem/$lookup", headers={"content-type": "application/fhir+json"}, body=b" " * 1001))
    assert answer.status == 413
    assert orjson.loads(answer.body)["issue"][0]["code"] == "too-long"


def test_an_error_is_written_in_the_format_asked_for(dispatcher) -> None:
    answer = dispatcher.handle(_request("GET", "/Patient", headers={"accept": "application/fhir+xml"}))
    assert (answer.status, answer.content_type) == (404, "application/fhir+xml; charset=utf-8")
    assert answer.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<OperationOutcome xmlns="http://hl7.org/fhir">')


def test_an_error_goes_out_in_json_when_no_format_asked_for_can_be_written(dispatcher) -> None:
    answer = dispatcher.handle(_request("GET", "/Patient", headers={"accept": "text/csv"}))
    assert (answer.status, answer.content_type) == (404, "application/fhir+json; charset=utf-8")
    answer = dispatcher.handle(_request("GET", "/metadata", headers={"accept": "text/csv"}))
    assert (answer.status, answer.content_type) == (406, "application/fhir+json; charset=utf-8")

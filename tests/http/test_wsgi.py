"""terminology.http.wsgi: the standalone server's entry reads the request from the WSGI environ."""

from __future__ import annotations

import io
from urllib.parse import parse_qsl

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terminology.http.dispatcher import Dispatcher
from terminology.http.wsgi import FhirWsgi, query_pairs
from terminology.settings import Settings

BODY = b'{"resourceType":"Parameters","parameter":[{"name":"url","valueUri":"http://hl7.org/fhir/sid/icd-10-cm"},{"name":"code","valueCode":"Z66"}]}'


@pytest.fixture(scope="module")
def entry(registry) -> FhirWsgi:
    def outside(environ, start_response):  # what the host app would answer
        start_response("404 Not Found", [])
        return [b""]

    return FhirWsgi(outside, Dispatcher(registry, Settings(max_body_bytes=10_000)), "/fhir")


def _call(entry: FhirWsgi, content_length: str) -> tuple[str, dict]:
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/fhir/CodeSystem/$validate-code", "QUERY_STRING": "",
        "CONTENT_TYPE": "application/fhir+json", "CONTENT_LENGTH": content_length, "HTTP_HOST": "x",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(BODY),
    }  # fmt: skip
    answers: list[str] = []
    body = b"".join(entry(environ, lambda status, headers: answers.append(status)))
    return answers[0], orjson.loads(body)


def test_a_post_is_answered_from_the_environ(entry) -> None:
    status, resource = _call(entry, str(len(BODY)))
    assert status.startswith("200") and resource["parameter"][0] == {"name": "result", "valueBoolean": True}


@pytest.mark.parametrize("content_length", ["12abc", "²", "-1", "1e3"])
def test_a_content_length_that_is_no_number_is_a_400(entry, content_length) -> None:
    status, resource = _call(entry, content_length)
    assert status.startswith("400") and "Content-Length" in resource["issue"][0]["details"]["text"]


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab=&+%2FZ0é \x00;#?"), max_size=40) | st.text(max_size=40))
def test_a_query_is_read_as_parse_qsl_reads_it(query: str) -> None:
    assert query_pairs(query) == parse_qsl(query, keep_blank_values=True)


def test_a_query_decodes_percent_escapes_and_plus_signs() -> None:
    assert query_pairs("url=http%3A%2F%2Fhl7.org%2Ffhir%2Fsid%2Ficd-10-cm&code=M48.48XA&display=a+b&&flag") == [
        ("url", "http://hl7.org/fhir/sid/icd-10-cm"), ("code", "M48.48XA"), ("display", "a b"), ("flag", ""),
    ]  # fmt: skip

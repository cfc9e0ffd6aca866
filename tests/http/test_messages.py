"""terminology.http.messages: a request's body is read within a size limit, with or without a Content-Length."""

from __future__ import annotations

import io

import pytest

from terminology.errors import PayloadTooLarge
from terminology.http.messages import HttpRequest


def _request(body: bytes, content_length: int | None) -> HttpRequest:
    return HttpRequest("POST", "/ValueSet/$expand", [], {}, io.BytesIO(body).read, "http://x/fhir", content_length)


@pytest.mark.parametrize("content_length", [10, None])
def test_a_body_up_to_the_limit_is_read_whole(content_length) -> None:
    assert _request(b"0123456789", content_length).read_body(10) == b"0123456789"


def test_a_content_length_over_the_limit_is_a_413_before_anything_is_read() -> None:
    stream = io.BytesIO(b"x" * 11)
    request = HttpRequest("POST", "/", [], {}, stream.read, "http://x/fhir", 11)
    with pytest.raises(PayloadTooLarge, match="11 bytes; the limit is 10") as raised:
        request.read_body(10)
    assert raised.value.status == 413
    assert stream.tell() == 0


def test_a_body_without_content_length_is_cut_off_past_the_limit() -> None:
    stream = io.BytesIO(b"x" * 5000)
    with pytest.raises(PayloadTooLarge, match="larger than the limit of 10 bytes"):
        HttpRequest("POST", "/", [], {}, stream.read, "http://x/fhir").read_body(10)
    assert stream.tell() == 11  # one byte past the limit tells; the rest is never read


def test_the_first_value_of_a_query_parameter() -> None:
    request = HttpRequest("GET", "/", [("code", "A"), ("code", "B"), ("empty", "")], {}, io.BytesIO().read, "")
    assert (request.arg("code"), request.arg("empty"), request.arg("missing")) == ("A", "", None)

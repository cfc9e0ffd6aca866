"""terminology.http.messages: a request's body is read within a size limit, with or without a Content-Length."""

from __future__ import annotations

import io

import pytest

from terminology.errors import PayloadTooLarge
from terminology.http.messages import HttpRequest
from terminology.settings import Bound

LIMIT = Bound(10, "TERMINOLOGY_MAX_BODY_BYTES")


def _request(body: bytes, content_length: int | None) -> HttpRequest:
    return HttpRequest("POST", "/ValueSet/$expand", [], {}, io.BytesIO(body).read, "http://x/fhir", content_length)


@pytest.mark.parametrize("content_length", [10, None])
def test_a_body_up_to_the_limit_is_read_whole(content_length) -> None:
    assert _request(b"0123456789", content_length).read_body(LIMIT) == b"0123456789"


def test_a_content_length_over_the_limit_is_a_413_before_anything_is_read() -> None:
    stream = io.BytesIO(b"x" * 11)
    request = HttpRequest("POST", "/", [], {}, stream.read, "http://x/fhir", 11)
    with pytest.raises(PayloadTooLarge, match=r"is 11 bytes; this server takes at most 10 \(TERMINOLOGY_MAX_BODY_BYTES\)") as raised:
        request.read_body(LIMIT)
    assert raised.value.status == 413
    assert stream.tell() == 0


class Pieces:
    """A body that comes in pieces (as a chunked one does): records the size of each read."""

    def __init__(self, size: int, piece: int) -> None:
        self.left = size
        self.piece = piece
        self.reads: list[int] = []

    def read(self, size: int) -> bytes:
        self.reads.append(size)
        given = min(size, self.piece, self.left)
        self.left -= given
        return b"x" * given


def test_a_body_without_content_length_is_read_in_pieces_and_refused_once_past_the_limit() -> None:
    body = Pieces(10**9, 4)
    with pytest.raises(PayloadTooLarge, match=r"more than 10 bytes; this server takes at most 10 \(TERMINOLOGY_MAX_BODY_BYTES\)"):
        HttpRequest("POST", "/", [], {}, body.read, "http://x/fhir").read_body(LIMIT)
    assert sum(min(size, 4) for size in body.reads) == 11  # one byte past the limit tells; the rest is never read
    assert max(body.reads) <= 11


def test_a_large_body_without_content_length_is_read_a_piece_at_a_time() -> None:
    body = Pieces(200_000, 200_000)
    read = HttpRequest("POST", "/", [], {}, body.read, "http://x/fhir").read_body(Bound(10**6, "TERMINOLOGY_MAX_BODY_BYTES"))
    assert len(read) == 200_000
    assert max(body.reads) == 64 * 1024  # never asked for the limit at once


def test_the_first_value_of_a_query_parameter() -> None:
    request = HttpRequest("GET", "/", [("code", "A"), ("code", "B"), ("empty", "")], {}, io.BytesIO().read, "")
    assert (request.arg("code"), request.arg("empty"), request.arg("missing")) == ("A", "", None)

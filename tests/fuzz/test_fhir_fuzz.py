"""Hypothesis' own requests, sent to the running server a batch at a time (several in flight at once):
FHIR-shaped Parameters, ValueSets with random composes, random query strings on every route, and
random bytes in every content type. Every answer must be sound (see :mod:`fuzz.answers`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz.answers import assert_sound, send
from fuzz.strategies import FuzzRequest, parameters_requests, query_requests, raw_body_requests, value_set_requests

#: Requests in one batch; the batches of each test make 9,100 requests, most where they are cheapest
#: (a random ValueSet is often expanded in full).
BATCH = 25
_IN_FLIGHT = 4


def _batches(count: int) -> settings:
    return settings(max_examples=count, deadline=None, database=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def send_all(server) -> Iterator:
    """Sends a batch of requests, ``_IN_FLIGHT`` at a time, each thread on its own connection, and checks every answer."""
    local = threading.local()

    def one(request: FuzzRequest) -> None:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        headers = {name: value for name, value in (("content-type", request.content_type), ("accept", request.accept)) if value}
        answer = send(local.session, request.method, f"{server.base}/{request.path}", params=request.query, data=request.body, headers=headers)
        assert_sound(answer, repr(request)[:3000])

    with ThreadPoolExecutor(_IN_FLIGHT) as pool:
        yield lambda batch: list(pool.map(one, batch))


@pytest.fixture(scope="module")
def routes(server, http) -> tuple[tuple[str, str], ...]:
    """Every (method, path) of the FHIR API the server's description names."""
    paths = send(http, "GET", f"{server.base}/openapi.json").json()["paths"]
    # (openapi.json, which takes no input and is no FHIR resource, is schemathesis' to fetch)
    return tuple((m.upper(), path.lstrip("/")) for path, item in paths.items() for m in item if m != "parameters" and path != "/openapi.json")


@_batches(40)
@given(batch=st.lists(parameters_requests(), min_size=BATCH, max_size=BATCH))
def test_parameters_of_wrong_types_and_shapes(send_all, batch):
    send_all(batch)


@_batches(24)
@given(batch=st.lists(value_set_requests(), min_size=BATCH, max_size=BATCH))
def test_value_sets_with_random_composes(send_all, batch):
    send_all(batch)


@_batches(120)
@given(data=st.data())
def test_random_query_strings_on_every_route(send_all, routes, data):
    send_all(data.draw(st.lists(query_requests(routes), min_size=BATCH, max_size=BATCH)))


@_batches(180)
@given(batch=st.lists(raw_body_requests(), min_size=BATCH, max_size=BATCH))
def test_random_bytes_in_every_content_type(send_all, batch):
    send_all(batch)

"""Schemathesis, from the server's own ``/openapi.json``: for every operation it describes, requests made
to fit the description (positive) and requests made to break it (negative). Every answer must be sound
(see :mod:`fuzz.answers`) and as the description says: a status, content type and body it documents.
(Schemathesis' check that a request breaking the description is refused is left off: the server is rightly
more lenient than a JSON schema can say, taking an integer with spaces around it, for instance.)"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi import checks

from fuzz.answers import HANG_SECONDS, SENT, assert_sound_answer, send

#: Requests per operation and mode: 39 operations, two modes, about 1,300 requests.
EXAMPLES = 17
_CHECKS = [
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture(scope="module")
def schema(server, http):
    answer = send(http, "GET", f"{server.base}/openapi.json")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    return schemathesis.openapi.from_url(f"{server.base}/openapi.json")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_what_its_description_says(schema, server, http, mode):
    failures = {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def answers_soundly(case):
            SENT["requests"] += 1
            answer = case.call(session=http, base_url=server.base, timeout=HANG_SECONDS)
            assert_sound_answer(answer.status_code, answer.headers.get("content-type", [""])[0], answer.content, case.as_curl_command())
            case.validate_response(answer, checks=_CHECKS)

        try:
            answers_soundly()
        except Exception as failure:  # each operation is fuzzed, whichever fails
            failures[operation.label] = failure
    assert not failures, "\n\n".join(f"{label}:\n{failure}" for label, failure in failures.items())

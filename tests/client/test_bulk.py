"""Bulk calls in chunks, against a local server that takes batches of a few entries only (413 beyond),
and that offers in its CapabilityStatement what a test says: the form chosen follows what it offers."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from terminology.client import CodeQuery, OperationOutcomeError, TerminologyClient, Validation
from terminology.client.bulk import in_chunks

from .stub_server import Reply, Request, fhir, stub_server

VALUE_SET = "http://example.org/ValueSet/diagnoses"
TOO_LARGE = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "too-long", "diagnostics": "Too many"}]}
UNKNOWN = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "not-found", "diagnostics": "No such code"}]}


def _statement(batch: bool, value_set_operations: tuple[str, ...] = ("validate-code",)) -> dict[str, Any]:
    rest = {
        "mode": "server",
        "resource": [
            {"type": "CodeSystem", "operation": [{"name": "lookup"}, {"name": "validate-code"}]},
            {"type": "ValueSet", "operation": [{"name": name} for name in value_set_operations]},
        ],
    }
    if batch:
        rest["interaction"] = [{"code": "batch"}]
    return {"resourceType": "CapabilityStatement", "fhirVersion": "4.0.1", "rest": [rest]}


def _validation(code: str) -> dict[str, Any]:
    """A server's answer for ``code``: ``BAD`` codes are invalid, ``GONE`` ones unknown (404)."""
    return {
        "resourceType": "Parameters",
        "parameter": [{"name": "result", "valueBoolean": not code.startswith("BAD")}, {"name": "code", "valueCode": code}],
    }


def _answer_of(path: str, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
    if query["code"].startswith("GONE"):
        return 404, UNKNOWN
    return 200, _validation(query["code"])


class BatchServer:
    """Answers /metadata with ``statement``, and batches of at most ``max_entries``; records chunk sizes."""

    def __init__(self, statement: dict[str, Any], max_entries: int = 1000) -> None:
        self.statement, self.max_entries = statement, max_entries
        self.sizes: list[int] = []

    def __call__(self, request: Request) -> Reply:
        if request.path == "metadata":
            return fhir(self.statement)
        if request.path == "" and request.method == "POST":
            entries = [_bundle_answer(entry) for entry in request.body["entry"]]
            return self._batch(entries, {"resourceType": "Bundle", "type": "batch-response", "entry": entries})
        if request.path == "ValueSet/$batch-validate-code":
            validations = [_validation_answer(p) for p in request.body["parameter"] if p["name"] == "validation"]
            return self._batch(validations, {"resourceType": "Parameters", "parameter": validations})
        status, resource = _answer_of(request.path, dict(request.query))
        return fhir(resource, status)

    def _batch(self, answers: list[dict[str, Any]], answer: dict[str, Any]) -> Reply:
        self.sizes.append(len(answers))
        return fhir(TOO_LARGE, 413) if len(answers) > self.max_entries else fhir(answer)


def _bundle_answer(entry: dict[str, Any]) -> dict[str, Any]:
    url = urlsplit(entry["request"]["url"])
    status, resource = _answer_of(url.path, dict(parse_qsl(url.query)))
    return {"resource": resource, "response": {"status": f"{status} Whatever"}}


def _validation_answer(validation: dict[str, Any]) -> dict[str, Any]:
    query = {p["name"]: next(v for k, v in p.items() if k.startswith("value")) for p in validation["resource"]["parameter"]}
    return {"name": "validation", "resource": _answer_of("", query)[1]}


CODES = [f"C{index:02}" for index in range(20)]


def _codes(answers: list[Validation | OperationOutcomeError]) -> list[str | None]:
    return [answer.code if isinstance(answer, Validation) else None for answer in answers]


def test_a_batch_too_large_is_halved_until_the_server_takes_it_and_later_chunks_stay_that_small():
    server_answers = BatchServer(_statement(batch=True), max_entries=2)
    with stub_server(server_answers) as server, TerminologyClient(server.base, batch_size=8, concurrency=1) as client:
        answers = list(client.validate_many(CODES))
    assert _codes(answers) == CODES
    assert server_answers.sizes == [8, 4, 2, 2, 4, 2, 2] + [2] * 6


def test_a_single_code_too_large_is_answered_with_the_413():
    server_answers = BatchServer(_statement(batch=True), max_entries=0)
    with stub_server(server_answers) as server, TerminologyClient(server.base, batch_size=2, concurrency=1) as client:
        answers = list(client.validate_many(["A", "B", "C"]))
    assert [answer.status for answer in answers] == [413, 413, 413]
    assert server_answers.sizes == [2, 1, 1, 1]


@pytest.mark.parametrize("concurrency", [1, 2, 5])
def test_answers_come_in_the_input_order_with_errors_in_their_place(concurrency):
    codes = [f"{'GONE' if index % 7 == 3 else 'BAD' if index % 5 == 0 else 'C'}{index}" for index in range(50)]
    server_answers = BatchServer(_statement(batch=True))
    with stub_server(server_answers) as server, TerminologyClient(server.base, batch_size=4, concurrency=concurrency) as client:
        answers = list(client.validate_many(codes))
    for code, answer in zip(codes, answers, strict=True):
        if code.startswith("GONE"):
            assert isinstance(answer, OperationOutcomeError) and answer.status == 404 and str(answer) == "No such code"
        else:
            assert (answer.code, answer.valid) == (code, not code.startswith("BAD"))
    assert sorted(server_answers.sizes) == [2] + [4] * 12


@pytest.mark.parametrize(
    ("statement", "value_set", "sent"),
    [
        (_statement(batch=True, value_set_operations=("validate-code", "batch-validate-code")), VALUE_SET, "ValueSet/$batch-validate-code"),
        (_statement(batch=True, value_set_operations=("validate-code", "batch-validate-code")), None, ""),
        (_statement(batch=True), VALUE_SET, ""),
        (_statement(batch=False), VALUE_SET, "ValueSet/$validate-code"),
        (_statement(batch=False), None, "CodeSystem/$validate-code"),
    ],
    ids=["batch-validate-code", "bundle without a value set", "bundle", "single in a value set", "single"],
)
def test_auto_sends_what_the_capability_statement_offers(statement, value_set, sent):
    with stub_server(BatchServer(statement)) as server, TerminologyClient(server.base) as client:
        answers = list(client.validate_many(["C1", "BAD2", "C3"], value_set=value_set))
        list(client.validate_many(["C4"], value_set=value_set))
    assert [(answer.code, answer.valid) for answer in answers] == [("C1", True), ("BAD2", False), ("C3", True)]
    paths = [request.path for request in server.requests]
    assert paths.count("metadata") == 1  # read once, for every bulk call after
    assert set(paths) - {"metadata"} == {sent}


def test_the_form_asked_for_is_sent_whatever_the_server_offers():
    with stub_server(BatchServer(_statement(batch=False))) as server:
        with TerminologyClient(server.base, bulk="bundle") as client:
            assert _codes(list(client.validate_many(["C1", CodeQuery("C2", version="2025")]))) == ["C1", "C2"]
    assert [request.path for request in server.requests] == [""]


def test_batch_validate_code_validates_in_a_value_set_only():
    with TerminologyClient("http://127.0.0.1:9/fhir", bulk="batch-validate-code") as client:
        with pytest.raises(ValueError, match="in a value set: give value_set"):
            client.validate_many(["C1"])
        with pytest.raises(ValueError, match="looks none up"):
            client.lookup_many(["C1"])


def test_the_input_is_read_no_further_ahead_than_the_chunks_in_flight():
    read: list[int] = []

    def items():
        for index in range(100):
            read.append(index)
            yield index

    answers = in_chunks(items(), 10, lambda chunk: [item * 2 for item in chunk], in_flight=2)
    assert next(answers) == 0
    assert len(read) == 20  # the chunk answered, and the one in flight
    assert list(answers) == [item * 2 for item in range(1, 100)]

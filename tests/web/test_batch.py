"""Batches: ValueSet/$batch-validate-code, and a batch Bundle POSTed to the FHIR base."""

from __future__ import annotations

import random
from http import HTTPStatus
from urllib.parse import urlencode

import orjson
import pytest

from running_server import without_request_id
from terminology.fhir import codec

from .helpers import ICD10CM, LOOKUP, VALIDATE, error_outcome, param, parameters_body, resource_of
from .test_subsumes import SIMPLE, SIMPLE_CODE_SYSTEM

BATCH_VALIDATE = "/fhir/ValueSet/$batch-validate-code"
VS_VALIDATE = "/fhir/ValueSet/$validate-code"
VS_ONE_TWO = "urn:uuid:80458796-b204-4d17-ac1c-8443dd8cb35b"
VS_THREE = "http://example.org/fhir/ValueSet/code3"


def _value_set(url, *codes):
    return {
        "resourceType": "ValueSet",
        "url": url,
        "status": "active",
        "compose": {"include": [{"system": SIMPLE, "concept": [{"code": code} for code in codes]}]},
    }


TX_RESOURCES = [
    {"name": "tx-resource", "resource": SIMPLE_CODE_SYSTEM},
    {"name": "tx-resource", "resource": _value_set(VS_ONE_TWO, "code1", "code2")},
    {"name": "tx-resource", "resource": _value_set(VS_THREE, "code3")},
]


def _coding(code):
    return {"name": "coding", "valueCoding": {"system": SIMPLE, "code": code}}


def _validation(*entries):
    return {"name": "validation", "resource": {"resourceType": "Parameters", "parameter": list(entries)}}


def _post_json(client, at, resource):
    return client.post(at, data=orjson.dumps(resource), content_type="application/fhir+json")


def _batch_validate(client, *entries):
    return resource_of(client.post(BATCH_VALIDATE, data=parameters_body(*entries), content_type="application/fhir+json"))


def _answers(batch):
    assert [p["name"] for p in batch["parameter"]] == ["validation"] * len(batch["parameter"])
    return [p["resource"] for p in batch["parameter"]]


def _single(client, *entries):
    response = client.post(VS_VALIDATE, data=parameters_body(*entries), content_type="application/fhir+json")
    return orjson.loads(response.get_data())


# --- $batch-validate-code ---------------------------------------------------------------------


def test_each_validation_answered_in_order_as_alone(client):
    shared = [*TX_RESOURCES, {"name": "url", "valueUri": VS_ONE_TWO}]
    answers = _answers(_batch_validate(client, *shared, _validation(_coding("code1")), _validation(_coding("code3")), _validation(_coding("code2"))))
    assert [param(answer, "code") for answer in answers] == ["code1", "code3", "code2"]
    assert [param(answer, "result") for answer in answers] == [True, False, True]
    for answer, code in zip(answers, ["code1", "code3", "code2"]):
        assert answer == _single(client, *shared, _coding(code))


def test_a_validation_parameter_replaces_the_shared_one(client):
    shared = [*TX_RESOURCES, {"name": "url", "valueUri": VS_ONE_TWO}]
    answers = _answers(
        _batch_validate(client, *shared, _validation(_coding("code3")), _validation(_coding("code3"), {"name": "url", "valueUri": VS_THREE}))
    )
    assert [param(answer, "result") for answer in answers] == [False, True]


def test_tx_resources_of_a_validation_add_to_the_shared_ones(client):
    code_system, *value_sets = TX_RESOURCES
    own = _validation(_coding("code3"), code_system)
    answers = _answers(_batch_validate(client, *value_sets, {"name": "url", "valueUri": VS_THREE}, own))
    assert param(answers[0], "result") is True


def test_a_failed_validation_does_not_fail_the_batch(client):
    shared = [*TX_RESOURCES, {"name": "url", "valueUri": VS_ONE_TWO}]
    answers = _answers(
        _batch_validate(
            client,
            *shared,
            _validation({"name": "codingX", "valueCoding": {"system": SIMPLE, "code": "code2"}}),
            _validation(_coding("code1"), {"name": "url", "valueUri": "http://example.org/no-such-value-set"}),
            {"name": "validation", "resource": {"resourceType": "ValueSet", "status": "active"}},
            _validation(_coding("code1")),
        )
    )
    missing, unknown, not_parameters, good = answers
    assert missing["resourceType"] == "OperationOutcome"
    assert missing["issue"][0]["details"]["text"].startswith("Unable to find code to validate")
    assert unknown["resourceType"] == "OperationOutcome" and unknown["issue"][0]["code"] == "not-found"
    assert "no-such-value-set" in unknown["issue"][0]["details"]["text"]
    assert not_parameters["resourceType"] == "OperationOutcome"
    assert "Parameters" in not_parameters["issue"][0]["details"]["text"]
    assert param(good, "result") is True


def test_a_validation_that_names_no_value_set_is_one_in_its_code_system(client):
    """As tx.fhir.org answers it: system and code (or a coding), no url: CodeSystem/$validate-code's answer,
    beside validations against a value set in the same batch."""
    codes = ["M48.48XA", "M48.48", "m4848xa", "T40.7X1A", "Q99.99ZZ"]
    in_code_system = [_validation({"name": "system", "valueUri": ICD10CM}, {"name": "code", "valueCode": code}) for code in codes]
    coding = _validation({"name": "coding", "valueCoding": {"system": ICD10CM, "code": "M54.5"}})
    in_value_set = _validation(_coding("code1"), {"name": "url", "valueUri": VS_ONE_TWO})
    answers = _answers(_batch_validate(client, *TX_RESOURCES, *in_code_system, coding, in_value_set))
    for answer, code in zip(answers, codes):
        assert answer == resource_of(client.get(VALIDATE, query_string={"system": ICD10CM, "code": code}))
    assert answers[len(codes)] == resource_of(client.get(VALIDATE, query_string={"coding": f"{ICD10CM}|M54.5"}))
    assert param(answers[-1], "result") is True and param(answers[-1], "code") == "code1"


def test_instance_level(client):
    response = client.post(
        "/fhir/ValueSet/nothing-here/$batch-validate-code",
        data=parameters_body(_validation({"name": "code", "valueCode": "M48"}, {"name": "system", "valueUri": ICD10CM})),
        content_type="application/fhir+json",
    )
    answers = _answers(resource_of(response))
    assert answers[0]["resourceType"] == "OperationOutcome" and answers[0]["issue"][0]["code"] == "not-found"


def test_a_batch_without_validations_is_400(client):
    response = client.post(BATCH_VALIDATE, data=parameters_body(*TX_RESOURCES), content_type="application/fhir+json")
    assert "validation" in error_outcome(response, 400)["issue"][0]["details"]["text"]


def test_batch_validate_is_post_only(client):
    error_outcome(client.get(BATCH_VALIDATE, query_string={"url": VS_ONE_TWO}), 405)


# --- a batch Bundle ---------------------------------------------------------------------------


def _entry(method, url, resource=None):
    entry = {"request": {"method": method, "url": url}}
    if resource is not None:
        entry["resource"] = resource
    return entry


def _bundle(*entries, type="batch"):
    return {"resourceType": "Bundle", "type": type, "entry": list(entries)}


def _statuses(bundle):
    assert bundle["type"] == "batch-response"
    return [entry["response"]["status"] for entry in bundle["entry"]]


def test_bundle_entries_answered_as_alone(client):
    lookup_query = f"CodeSystem/$lookup?system={ICD10CM}&code=M48.48XA"
    subsumes_body = {
        "resourceType": "Parameters",
        "parameter": [{"name": "system", "valueUri": ICD10CM}, {"name": "codeA", "valueCode": "M48"}, {"name": "codeB", "valueCode": "M48.4"}],
    }
    validate_body = {"resourceType": "Parameters", "parameter": [{"name": "coding", "valueCoding": {"system": ICD10CM, "code": "M48.48XA"}}]}
    response = _post_json(
        client,
        "/fhir",
        _bundle(
            _entry("GET", lookup_query),
            _entry("POST", "CodeSystem/$validate-code", validate_body),
            _entry("POST", "/CodeSystem/$subsumes", subsumes_body),
            _entry("GET", "CodeSystem/icd-10-cm"),
            _entry("GET", f"CodeSystem?url={ICD10CM}"),
            _entry("GET", "http://localhost/fhir/metadata"),
        ),
    )
    bundle = resource_of(response)
    assert _statuses(bundle) == ["200 OK"] * 6
    resources = [entry["resource"] for entry in bundle["entry"]]
    assert resources[0] == resource_of(client.get(LOOKUP, query_string={"system": ICD10CM, "code": "M48.48XA"}))
    assert resources[1] == resource_of(client.get(VALIDATE, query_string={"coding": f"{ICD10CM}|M48.48XA"}))
    assert param(resources[2], "outcome") == "subsumes"
    assert resources[3] == resource_of(client.get("/fhir/CodeSystem/icd-10-cm"))
    assert resources[4]["resourceType"] == "Bundle" and resources[4]["total"] == 3  # the embedded releases
    assert [entry["resource"]["version"] for entry in resources[4]["entry"]] == ["2021", "2025", "2026"]
    assert resources[5]["resourceType"] == "CapabilityStatement"


def test_failing_entries_get_their_own_status(client):
    bundle = resource_of(
        _post_json(
            client,
            "/fhir/",
            _bundle(
                _entry("GET", f"CodeSystem/$lookup?system={ICD10CM}&code=Q99.99ZZ"),
                _entry("GET", "Patient/1"),
                _entry("DELETE", "CodeSystem/icd-10-cm"),
                _entry("GET", "CodeSystem/$lookup?code=M48"),
                {"resource": {"resourceType": "Parameters"}},
                _entry("POST", "", _bundle()),
                _entry("GET", f"CodeSystem/$lookup?system={ICD10CM}&code=M48"),
            ),
        )
    )
    statuses = _statuses(bundle)
    assert statuses == ["404 Not Found", "404 Not Found", "405 Method Not Allowed", "400 Bad Request", "400 Bad Request", "400 Bad Request", "200 OK"]
    for entry in bundle["entry"][:-1]:
        assert entry["resource"]["resourceType"] == "OperationOutcome"
    assert "Q99.99ZZ" in bundle["entry"][0]["resource"]["issue"][0]["details"]["text"]
    assert param(bundle["entry"][-1]["resource"], "code") == "M48"


def test_xml_bundle(client):
    body = codec.to_xml(_bundle(_entry("GET", f"CodeSystem/$lookup?system={ICD10CM}&code=M48")))
    response = client.post("/fhir", data=body, content_type="application/fhir+xml", headers={"Accept": "application/fhir+xml"})
    bundle = resource_of(response, format="xml")
    assert _statuses(bundle) == ["200 OK"]
    assert param(bundle["entry"][0]["resource"], "code") == "M48"


def test_empty_batch(client):
    assert resource_of(_post_json(client, "/fhir", _bundle()))["type"] == "batch-response"


@pytest.mark.parametrize(
    ("resource", "words"),
    [
        (_bundle(type="transaction"), "'transaction'"),
        ({"resourceType": "Parameters"}, "Parameters"),
        ({"resourceType": "Bundle", "type": "batch", "entry": {"request": {}}}, "Bundle.entry"),
    ],
)
def test_not_a_batch_is_400(client, resource, words):
    assert words in error_outcome(_post_json(client, "/fhir", resource), 400)["issue"][0]["details"]["text"]


def test_too_many_entries_is_413(client):
    entries = [_entry("GET", "metadata")] * 1001
    text = error_outcome(_post_json(client, "/fhir", _bundle(*entries)), 413)["issue"][0]["details"]["text"]
    assert "1,001 entries" in text and "at most 1,000 (TERMINOLOGY_MAX_BATCH_ENTRIES)" in text


def test_capability_statement_says_batch(client):
    statement = resource_of(client.get("/fhir/metadata"))
    assert {"code": "batch"} in statement["rest"][0]["interaction"]


def test_entries_are_answered_in_the_batchs_accept_language(client):
    lookup_query = f"CodeSystem/$lookup?system={ICD10CM}&code=M48.48XA"
    response = client.post("/fhir", data=orjson.dumps(_bundle(_entry("GET", lookup_query))),
                           content_type="application/fhir+json", headers={"Accept-Language": "de"})
    bundle = resource_of(response)
    assert _statuses(bundle) == ["200 OK"]
    alone = client.get(LOOKUP, query_string={"system": ICD10CM, "code": "M48.48XA"}, headers={"Accept-Language": "de"})
    assert bundle["entry"][0]["resource"] == resource_of(alone)


# --- every batched answer is the answer alone -------------------------------------------------

ALL_ICD10CM = f"{ICD10CM}?fhir_vs"
# Codes whose history speaks (deleted, a header since FY2022, added in FY2022, deleted with nothing in its place).
HISTORY_CODES = ["T40.7X1A", "M54.5", "U09.9", "H81.41"]


@pytest.fixture(scope="module")
def mixed_codes(registry):
    """300 codes, each with the day asked about or none: billable codes, headers, blocks, codes written without
    the dot or in lower case, made-up codes and codes whose history speaks, drawn from the release."""
    rng = random.Random(13)
    entries = list(registry.code_system(ICD10CM).release.entries.values())
    codes = HISTORY_CODES + [rng.choice(entries).code for _ in range(200)]
    codes += [rng.choice(entries).code.replace(".", "") for _ in range(30)]
    codes += [rng.choice(entries).code.lower() for _ in range(30)]
    codes += [rng.choice(entries).code[:-1] + "Q" for _ in range(36)]
    days = [None, None, "2021-06-01", "2025-06-01", "2026-11-30"]
    return [(code, rng.choice(days)) for code in codes]


def _query(system_name, code, day):
    return {system_name: ICD10CM, "code": code, **({"date": day} if day else {})}


def _bundle_answers(client, operation, system_name, mixed):
    entries = [_entry("GET", f"{operation}?{urlencode(_query(system_name, code, day))}") for code, day in mixed]
    bundle = orjson.loads(_post_json(client, "/fhir", _bundle(*entries)).get_data())
    return [(entry["response"]["status"], without_request_id(entry["resource"])) for entry in bundle["entry"]]


def _alone(response):
    return f"{response.status_code} {HTTPStatus(response.status_code).phrase}", without_request_id(orjson.loads(response.get_data()))


def test_code_system_validations_in_a_batch_are_each_the_answer_alone(client, mixed_codes):
    validations = [
        _validation({"name": "system", "valueUri": ICD10CM}, {"name": "code", "valueCode": code}, *([{"name": "date", "valueDate": day}] if day else []))
        for code, day in mixed_codes
    ]
    batch = orjson.loads(client.post(BATCH_VALIDATE, data=parameters_body(*validations), content_type="application/fhir+json").get_data())
    answers = _answers(batch)
    assert len(answers) == len(mixed_codes)
    for answer, (code, day) in zip(answers, mixed_codes):
        assert answer == _alone(client.get(VALIDATE, query_string=_query("system", code, day)))[1], code


def test_value_set_validations_in_a_batch_are_each_the_answer_alone(client, mixed_codes):
    def own(code, day):
        return [{"name": "coding", "valueCoding": {"system": ICD10CM, "code": code}}, *([{"name": "date", "valueDate": day}] if day else [])]

    shared = {"name": "url", "valueUri": ALL_ICD10CM}
    batch = orjson.loads(
        client.post(BATCH_VALIDATE, data=parameters_body(shared, *(_validation(*own(code, day)) for code, day in mixed_codes)),
                    content_type="application/fhir+json").get_data()
    )
    for answer, (code, day) in zip(_answers(batch), mixed_codes, strict=True):
        assert answer == _single(client, shared, *own(code, day)), code


def test_bundle_validations_and_lookups_are_each_the_answer_alone(client, mixed_codes):
    validations = _bundle_answers(client, "CodeSystem/$validate-code", "url", mixed_codes)
    lookups = _bundle_answers(client, "CodeSystem/$lookup", "system", mixed_codes)
    for validation, lookup, (code, day) in zip(validations, lookups, mixed_codes, strict=True):
        assert validation == _alone(client.get(VALIDATE, query_string=_query("url", code, day))), code
        assert lookup == _alone(client.get(LOOKUP, query_string=_query("system", code, day))), code
    statuses = {status for status, _ in lookups}
    assert statuses == {"200 OK", "404 Not Found"}  # (the made-up codes, and those a release does not have)

"""CodeSystem/$subsumes over HTTP: type and instance level, GET and POST, ICD-10-CM and a tx-resource."""

from __future__ import annotations

import pytest

from release_in_effect import without_today_warning_json

from .helpers import ICD10CM, error_outcome, param, parameters_body, resource_of, tx_code

SUBSUMES = "/fhir/CodeSystem/$subsumes"
INSTANCE_SUBSUMES = "/fhir/CodeSystem/icd-10-cm/$subsumes"
SIMPLE = "http://hl7.org/fhir/test/CodeSystem/simple"

# The HL7 terminology test suite's simple code system, cut down: code2 > code2a > code2aI, code2b.
SIMPLE_CODE_SYSTEM = {
    "resourceType": "CodeSystem",
    "id": "simple",
    "url": SIMPLE,
    "version": "0.1.0",
    "name": "SimpleTestCodeSystem",
    "status": "active",
    "hierarchyMeaning": "is-a",
    "content": "complete",
    "concept": [
        {"code": "code1", "display": "Display 1"},
        {
            "code": "code2",
            "display": "Display 2",
            "concept": [
                {"code": "code2a", "display": "Display 2a", "concept": [{"code": "code2aI", "display": "Display 2aI"}]},
                {"code": "code2b", "display": "Display 2b"},
            ],
        },
        {"code": "code3", "display": "Display 3"},
    ],
}

ICD_CASES = [
    ("M48.4", "M48.48XA", "subsumes"),
    ("M48.48XA", "M48", "subsumed-by"),
    ("M48.48XA", "M48.48XD", "not-subsumed"),
    ("M48.48XA", "M48.48XA", "equivalent"),
    ("M45-M49", "M48.48XA", "subsumes"),  # a block holds its categories' codes
]


def _post(client, *entries, at=SUBSUMES):
    return client.post(at, data=parameters_body(*entries), content_type="application/fhir+json")


def _ways_of_asking(client, a, b):
    """The same question in every form the operation takes."""
    yield client.get(SUBSUMES, query_string={"system": ICD10CM, "codeA": a, "codeB": b})
    yield client.get(INSTANCE_SUBSUMES, query_string={"codeA": a, "codeB": b})
    yield client.get(SUBSUMES, query_string={"codingA": f"{ICD10CM}|{a}", "codingB": f"{ICD10CM}|{b}"})
    yield _post(client, {"name": "system", "valueUri": ICD10CM}, {"name": "codeA", "valueCode": a}, {"name": "codeB", "valueCode": b})
    yield _post(
        client,
        {"name": "codingA", "valueCoding": {"system": ICD10CM, "code": a}},
        {"name": "codingB", "valueCoding": {"system": ICD10CM, "code": b}},
    )
    yield _post(client, {"name": "codeA", "valueCode": a}, {"name": "codeB", "valueCode": b}, at=INSTANCE_SUBSUMES)
    yield client.post(SUBSUMES, data={"system": ICD10CM, "codeA": a, "codeB": b})


@pytest.mark.parametrize(("a", "b", "outcome"), ICD_CASES)
def test_icd10cm_outcomes_in_every_form(client, a, b, outcome):
    for response in _ways_of_asking(client, a, b):
        answer = without_today_warning_json(resource_of(response))  # (the warning is tested in test_releases_in_time)
        assert answer == {"resourceType": "Parameters", "parameter": [{"name": "outcome", "valueCode": outcome}]}


def test_xml_answer(client):
    response = client.get(SUBSUMES, query_string={"system": ICD10CM, "codeA": "M48", "codeB": "M48.4", "_format": "xml"})
    assert param(resource_of(response, format="xml"), "outcome") == "subsumes"


def test_version_of_the_release_is_accepted(client, registry):
    version = registry.code_system(ICD10CM).info.version
    response = client.get(SUBSUMES, query_string={"system": ICD10CM, "version": version, "codeA": "M48", "codeB": "M48.4"})
    assert param(resource_of(response), "outcome") == "subsumes"


@pytest.mark.parametrize(
    ("a", "b", "outcome"),
    [
        ("code2", "code2aI", "subsumes"),
        ("code2aI", "code2", "subsumed-by"),
        ("code2a", "code2b", "not-subsumed"),
        ("code1", "code3", "not-subsumed"),
        ("code2a", "code2a", "equivalent"),
    ],
)
def test_code_system_sent_as_tx_resource(client, a, b, outcome):
    response = _post(
        client,
        {"name": "codingA", "valueCoding": {"system": SIMPLE, "code": a}},
        {"name": "codingB", "valueCoding": {"system": SIMPLE, "code": b}},
        {"name": "tx-resource", "resource": SIMPLE_CODE_SYSTEM},
    )
    assert param(resource_of(response), "outcome") == outcome


def test_unknown_code_is_404_naming_it(client, registry):
    version = registry.code_system(ICD10CM).info.version
    outcome = error_outcome(client.get(SUBSUMES, query_string={"system": ICD10CM, "codeA": "M48", "codeB": "M48.99ZZ"}), 404)
    text = outcome["issue"][0]["details"]["text"]
    assert text == f"Unknown code 'M48.99ZZ' in the CodeSystem '{ICD10CM}' version '{version}'"
    assert tx_code(outcome["issue"][0]) == "invalid-code"


def test_unknown_code_of_a_tx_resource(client):
    response = _post(
        client,
        {"name": "system", "valueUri": SIMPLE},
        {"name": "codeA", "valueCode": "code9"},
        {"name": "codeB", "valueCode": "code1"},
        {"name": "tx-resource", "resource": SIMPLE_CODE_SYSTEM},
    )
    text = error_outcome(response, 404)["issue"][0]["details"]["text"]
    assert text == f"Unknown code 'code9' in the CodeSystem '{SIMPLE}' version '0.1.0'"


def test_unknown_system_is_404_as_lookup_says(client):
    outcome = error_outcome(client.get(SUBSUMES, query_string={"system": SIMPLE, "codeA": "code1", "codeB": "code2"}), 404)
    assert outcome["issue"][0]["details"]["text"].startswith(f"A definition for CodeSystem '{SIMPLE}' could not be found")
    assert tx_code(outcome["issue"][0]) == "not-found"


def test_unknown_version_names_the_known_ones(client):
    response = client.get(SUBSUMES, query_string={"system": ICD10CM, "version": "1999", "codeA": "M48", "codeB": "M48.4"})
    text = error_outcome(response, 404)["issue"][0]["details"]["text"]
    assert "version '1999' could not be found" in text and text.endswith("Valid versions: 2021, 2025 and 2026")  # the embedded releases


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"codingA": f"{ICD10CM}|M48", "codingB": f"{SIMPLE}|code1"}, ["codingA.system", "codingB.system", SIMPLE]),
        ({"system": SIMPLE, "codingA": f"{ICD10CM}|M48", "codeB": "M48.4"}, ["system", "codingA.system"]),
        ({"codeA": "M48", "codeB": "M48.4"}, ["'system'"]),
        ({"system": ICD10CM, "codeA": "M48"}, ["codeB"]),
        ({"system": ICD10CM, "codeA": "M48", "codingA": f"{ICD10CM}|M48", "codeB": "M48.4"}, ["'codeA'", "'codingA'"]),
        ({"system": ICD10CM, "codeA": "M48", "codeB": "M48.4", "codeC": "M48.1"}, ["'codeC'"]),
        ({"codingA": f"{ICD10CM}|M48", "codingB": f"{ICD10CM}|M48.4", "version": "2026", "bogus": "x"}, ["'bogus'"]),
    ],
)
def test_bad_requests_are_400_saying_why(client, query, words):
    text = error_outcome(client.get(SUBSUMES, query_string=query), 400)["issue"][0]["details"]["text"]
    for word in words:
        assert word in text


def test_codings_with_different_versions_are_400(client):
    response = _post(
        client,
        {"name": "codingA", "valueCoding": {"system": ICD10CM, "version": "2025", "code": "M48"}},
        {"name": "codingB", "valueCoding": {"system": ICD10CM, "version": "2026", "code": "M48.4"}},
    )
    text = error_outcome(response, 400)["issue"][0]["details"]["text"]
    assert "codingA.version '2025'" in text and "codingB.version '2026'" in text


def test_instance_of_another_system_is_400(client):
    response = client.get(INSTANCE_SUBSUMES, query_string={"system": SIMPLE, "codeA": "code1", "codeB": "code2"})
    assert "not the url of this CodeSystem" in error_outcome(response, 400)["issue"][0]["details"]["text"]


def test_unknown_instance_is_404(client):
    error_outcome(client.get("/fhir/CodeSystem/nothing-here/$subsumes", query_string={"codeA": "a", "codeB": "b"}), 404)


def test_capability_statement_lists_it(client):
    statement = resource_of(client.get("/fhir/metadata"))
    code_system = next(r for r in statement["rest"][0]["resource"] if r["type"] == "CodeSystem")
    assert {"name": "subsumes", "definition": "http://hl7.org/fhir/OperationDefinition/CodeSystem-subsumes"} in code_system["operation"]

"""Parameters an operation takes but does not honour are refused over HTTP (400, not-supported, naming
the parameter and why), never passed over; parameters that exclude each other are refused together; a
date is taken, and one that is no date is a 400 naming the parameter."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import ICD10CM, error_outcome, issues, names, outcome_text, param, parameters_body, resource_of

GENDER_VS = "http://hl7.org/fhir/ValueSet/administrative-gender"
GENDER = "http://hl7.org/fhir/administrative-gender"

LOOKUP = ("/fhir/CodeSystem/$lookup", [{"name": "system", "valueUri": ICD10CM}, {"name": "code", "valueCode": "M48.48XA"}])
CS_VALIDATE = ("/fhir/CodeSystem/$validate-code", [{"name": "url", "valueUri": ICD10CM}, {"name": "code", "valueCode": "M48.48XA"}])
VS_VALIDATE = (
    "/fhir/ValueSet/$validate-code",
    [{"name": "url", "valueUri": GENDER_VS}, {"name": "code", "valueCode": "male"}, {"name": "system", "valueUri": GENDER}],
)
EXPAND = ("/fhir/ValueSet/$expand", [{"name": "url", "valueUri": GENDER_VS}])
SUBSUMES = (
    "/fhir/CodeSystem/$subsumes",
    [{"name": "system", "valueUri": ICD10CM}, {"name": "codeA", "valueCode": "M48"}, {"name": "codeB", "valueCode": "M48.48XA"}],
)
TRANSLATE = ("/fhir/ConceptMap/$translate", [{"name": "system", "valueUri": ICD10CM}, {"name": "code", "valueCode": "M48.48XA"}])
ALL = {"lookup": LOOKUP, "cs-validate": CS_VALIDATE, "vs-validate": VS_VALIDATE, "expand": EXPAND, "subsumes": SUBSUMES, "translate": TRANSLATE}


def _post(client, operation: tuple[str, list[dict[str, Any]]], *extra: dict[str, Any]):
    url, entries = operation
    return client.post(url, data=parameters_body(*entries, *extra), content_type="application/fhir+json")


def _refused(response, name: str) -> str:
    """The text of a 400 not-supported answer that names ``name``."""
    outcome = error_outcome(response, 400)
    [issue] = issues(outcome)
    assert issue["code"] == "not-supported"
    text = outcome_text(outcome)
    assert f"'{name}'" in text and "not supported: " in text
    return text


def test_the_requests_are_answered_without_the_refused_parameters(client):
    for operation in (LOOKUP, CS_VALIDATE, VS_VALIDATE, EXPAND, SUBSUMES):
        assert _post(client, operation).status_code == 200


# --- the ecosystem's parameters that no operation honours ----------------------------------------


@pytest.mark.parametrize("operation", sorted(ALL))
@pytest.mark.parametrize(
    "entry, says",
    [
        ({"name": "diagnostics", "valueBoolean": True}, "no diagnostics"),
        ({"name": "profile-url", "valueString": "http://example.org/profile"}, "profiles"),
        ({"name": "_limit", "valueInteger": 10}, "too costly"),
        ({"name": "_incomplete", "valueBoolean": True}, "too costly"),
        ({"name": "incomplete-ok", "valueBoolean": True}, "too costly"),
        ({"name": "__Accept-Language", "valueCode": "de"}, "Accept-Language header"),
    ],
)
def test_an_ecosystem_parameter_that_is_not_honoured_is_refused(client, operation, entry, says):
    assert says in _refused(_post(client, ALL[operation], entry), entry["name"])


@pytest.mark.parametrize("operation", sorted(ALL))
def test_uuid_which_only_names_the_parameters_is_taken(client, operation):
    response = _post(client, ALL[operation], {"name": "uuid", "valueUuid": "urn:uuid:8acdbfdc-e9d2-11ed-a05b-0242ac120003"})
    assert response.status_code in (200, 404)  # (translate: ICD-10-CM has no map here, which is no parameter error)
    if response.status_code == 404:
        assert "uuid" not in outcome_text(resource_of(response, 404))


# --- the day asked about --------------------------------------------------------------------------


@pytest.mark.parametrize("operation", ["lookup", "cs-validate", "vs-validate", "expand", "subsumes"])
def test_date_is_taken(client, operation):
    """A date chooses the ICD-10-CM release in effect on it (FY2025's April update on 2025-06-01)."""
    answer = resource_of(_post(client, ALL[operation], {"name": "date", "valueDateTime": "2025-06-01"}))
    if operation in ("lookup", "cs-validate"):
        assert param(answer, "version") == "2025"
    if operation == "subsumes":
        assert names(answer) == ["outcome"]  # the release in effect answers: no warning that it is not
    if operation == "expand":
        assert {"name": "date", "valueDateTime": "2025-06-01"} in answer["expansion"]["parameter"]  # echoed


@pytest.mark.parametrize("operation", ["lookup", "cs-validate", "vs-validate", "expand", "subsumes"])
@pytest.mark.parametrize("value", ["2025-13-01", "x"])
def test_a_malformed_date_is_a_bad_request(client, operation, value):
    url, entries = ALL[operation]
    query = {entry["name"]: next(v for k, v in entry.items() if k.startswith("value")) for entry in entries}
    as_post = _post(client, ALL[operation], {"name": "date", "valueDateTime": value})
    for response in (client.get(url, query_string={**query, "date": value}), as_post):
        outcome = error_outcome(response, 400)
        [issue] = issues(outcome)
        assert issue["code"] == "invalid"
        assert outcome_text(outcome) == (
            f"The parameter 'date' must be a date (2026-04-01, or a dateTime such as 2026-04-01T10:00:00Z), not '{value}'"
        )


# --- R4's parameters that are not honoured ----------------------------------------------------------


@pytest.mark.parametrize(
    "entry",
    [
        {"name": "context", "valueUri": "http://example.org/StructureDefinition/x#Patient.gender"},
        {"name": "contextDirection", "valueCode": "incoming"},
        {"name": "exclude-system", "valueCanonical": ICD10CM},
        {"name": "limitedExpansion", "valueBoolean": True},
        {"name": "default-to-latest-version", "valueBoolean": True},
    ],
)
def test_expand_refuses_what_it_does_not_honour(client, entry):
    _refused(_post(client, EXPAND, entry), entry["name"])


@pytest.mark.parametrize(
    "entry",
    [
        {"name": "context", "valueUri": "http://example.org/StructureDefinition/x#Patient.gender"},
        {"name": "default-to-latest-version", "valueBoolean": True},
        {"name": "count", "valueInteger": 10},
        {"name": "offset", "valueInteger": 0},
        {"name": "excludeNested", "valueBoolean": True},
        {"name": "includeDesignations", "valueBoolean": True},
        {"name": "includeDefinition", "valueBoolean": True},
        {"name": "property", "valueCode": "status"},
        {"name": "designation", "valueString": "en"},
        {"name": "excludeNotForUI", "valueBoolean": True},
        {"name": "excludePostCoordinated", "valueBoolean": True},
    ],
)
def test_value_set_validation_refuses_what_it_does_not_honour(client, entry):
    _refused(_post(client, VS_VALIDATE, entry), entry["name"])


def test_translate_refuses_dependency(client):
    dependency = {"name": "dependency", "part": [{"name": "element", "valueUri": "x"}]}
    assert "qualified" in _refused(_post(client, TRANSLATE, dependency), "dependency")


# --- modes ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["mode", "valueSetMode"])
def test_a_membership_only_mode_is_honoured(client, name):
    wrong_display = {"name": "display", "valueString": "Not the display"}
    assert param(resource_of(_post(client, VS_VALIDATE, wrong_display)), "result") is False
    answer = resource_of(_post(client, VS_VALIDATE, wrong_display, {"name": name, "valueCode": "CHECK_MEMBERSHIP_ONLY"}))
    assert param(answer, "result") is True


def test_no_membership_check_is_refused(client):
    assert "code system instead" in _refused(_post(client, VS_VALIDATE, {"name": "valueSetMode", "valueCode": "NO_MEMBERSHIP_CHECK"}), "valueSetMode")


def test_an_unknown_mode_is_a_bad_request(client):
    text = outcome_text(error_outcome(_post(client, VS_VALIDATE, {"name": "mode", "valueCode": "SOMETIMES"}), 400))
    assert "Unknown mode 'SOMETIMES'" in text and "CHECK_MEMBERSHIP_ONLY" in text


# --- parameters that exclude each other ---------------------------------------------------------------


@pytest.mark.parametrize(
    "entry, says",
    [
        ({"name": "valueSetMode", "valueCode": "ALL_CHECKS"}, "Give either 'mode' or 'valueSetMode', not both"),
        ({"name": "version", "valueString": "x"}, "Give either 'systemVersion' or 'version', not both"),
    ],
)
def test_value_set_validation_takes_one_of_two_names_for_one_thing(client, entry, says):
    first = {"name": "mode", "valueCode": "ALL_CHECKS"} if entry["name"] == "valueSetMode" else {"name": "systemVersion", "valueString": "x"}
    assert says in outcome_text(error_outcome(_post(client, VS_VALIDATE, first, entry), 400))


def test_value_set_validation_takes_a_value_set_by_url_or_given_not_both(client):
    given = {"name": "valueSet", "resource": {"resourceType": "ValueSet", "status": "active", "compose": {"include": [{"system": GENDER}]}}}
    assert "not both" in outcome_text(error_outcome(_post(client, VS_VALIDATE, given), 400))


def test_value_set_version_goes_with_url_not_a_given_value_set(client):
    url, entries = VS_VALIDATE
    given = {"name": "valueSet", "resource": {"resourceType": "ValueSet", "status": "active", "compose": {"include": [{"system": GENDER}]}}}
    body = parameters_body(given, *entries[1:], {"name": "valueSetVersion", "valueString": "4.0.1"})
    response = client.post(url, data=body, content_type="application/fhir+json")
    assert "'valueSet' or 'valueSetVersion', not both" in outcome_text(error_outcome(response, 400))


def test_infer_system_false_needs_a_system(client):
    url, entries = VS_VALIDATE
    body = parameters_body(entries[0], entries[1], {"name": "inferSystem", "valueBoolean": False})
    assert "'inferSystem' is false" in outcome_text(error_outcome(client.post(url, data=body, content_type="application/fhir+json"), 400))
    inferred = parameters_body(entries[0], entries[1], {"name": "inferSystem", "valueBoolean": True})
    answer = resource_of(client.post(url, data=inferred, content_type="application/fhir+json"))
    assert (param(answer, "result"), param(answer, "system")) == (True, GENDER)


def test_translate_takes_the_system_inside_a_coding(client):
    coding = {"name": "coding", "valueCoding": {"system": ICD10CM, "code": "M48.48XA"}}
    response = client.post(TRANSLATE[0], data=parameters_body(coding, {"name": "version", "valueString": "2026"}), content_type="application/fhir+json")
    assert "Give either 'coding' or 'version', not both" in outcome_text(error_outcome(response, 400))


@pytest.mark.parametrize("side", ["A", "B"])
def test_subsumes_takes_one_code_a_side(client, side):
    url, entries = SUBSUMES
    both = parameters_body(*entries, {"name": f"coding{side}", "valueCoding": {"system": ICD10CM, "code": "M48"}})
    text = outcome_text(error_outcome(client.post(url, data=both, content_type="application/fhir+json"), 400))
    assert f"Give exactly one of 'code{side}' or 'coding{side}'; the request gives 'code{side}' and 'coding{side}'" in text
    neither = parameters_body(*[entry for entry in entries if entry["name"] != f"code{side}"])
    text = outcome_text(error_outcome(client.post(url, data=neither, content_type="application/fhir+json"), 400))
    assert f"Give exactly one of 'code{side}' or 'coding{side}'; the request gives none" in text

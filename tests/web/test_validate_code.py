"""CodeSystem/$validate-code over HTTP, and over a sample of the release against the oracle."""

from __future__ import annotations

import random

import pytest
import simple_icd_10_cm as oracle

from icd10cm_oracle import codes, display, is_billable
from release_in_effect import without_today_warning_json

from .helpers import (
    ICD10CM,
    INSTANCE_VALIDATE,
    VALIDATE,
    issues,
    names,
    param,
    parameters_body,
    resource_of,
    tx_code,
)

M48_48XA = "Fatigue fracture of vertebra, sacral and sacrococcygeal region, initial encounter for fracture"
M48_48_CHILDREN = ["M48.48XA", "M48.48XD", "M48.48XG", "M48.48XS"]


def _clean(text: str) -> str:
    return " ".join(text.split())


def _get(client, at=VALIDATE, **query):
    return without_today_warning_json(resource_of(client.get(at, query_string=query)))


def _post(client, *entries, at=VALIDATE):
    return without_today_warning_json(resource_of(client.post(at, data=parameters_body(*entries), content_type="application/fhir+json")))


def _validate(client, code, **query):
    return _get(client, system=ICD10CM, code=code, **query)


# --- valid codes ----------------------------------------------------------------------------


def _ways_of_asking(client, code, **extra):
    """The same validation in every form that keeps the input a ``code``."""
    yield _get(client, system=ICD10CM, code=code, **extra)
    yield _get(client, url=ICD10CM, code=code, **extra)
    yield _get(client, at=INSTANCE_VALIDATE, code=code, **extra)
    entries = [{"name": "system", "valueUri": ICD10CM}, {"name": "code", "valueCode": code}]
    entries += [
        {"name": name, "valueBoolean": value == "true"} if name == "abstract" else {"name": name, "valueString": value}
        for name, value in extra.items()
    ]
    yield _post(client, *entries)
    yield _post(client, *entries[1:], at=INSTANCE_VALIDATE)
    yield without_today_warning_json(resource_of(client.post(VALIDATE, data={"system": ICD10CM, "code": code, **extra})))


def test_valid_code(client):
    for result in _ways_of_asking(client, "M48.48XA"):
        assert result["parameter"] == [
            {"name": "result", "valueBoolean": True},
            {"name": "code", "valueCode": "M48.48XA"},
            {"name": "system", "valueUri": ICD10CM},
            {"name": "version", "valueString": "2026"},
            {"name": "display", "valueString": M48_48XA},
        ]
    assert M48_48XA == _clean(oracle.get_description("M48.48XA"))


def test_header_code_is_valid_with_a_warning(client):
    for result in _ways_of_asking(client, "M48.48"):
        assert param(result, "result") is True
        assert param(result, "display") == _clean(oracle.get_description("M48.48"))
        [issue] = issues(result)
        assert issue["severity"] == "warning"
        assert issue["code"] == "business-rule"
        assert tx_code(issue) == "code-rule"
        assert issue["expression"] == ["code"]
        text = issue["details"]["text"]
        assert all(child in text for child in M48_48_CHILDREN), text
        assert oracle.get_children("M48.48") == M48_48_CHILDREN
        assert param(result, "message") == text


def test_abstract_false_refuses_a_header(client):
    for result in _ways_of_asking(client, "M48.48", abstract="false"):
        assert param(result, "result") is False
        [issue] = issues(result)
        assert issue["severity"] == "error"
        assert issue["code"] == "business-rule"
        assert "abstract" in issue["details"]["text"]
        assert all(child in issue["details"]["text"] for child in M48_48_CHILDREN)
        assert issue["extension"][0]["valueString"] == "ABSTRACT_CODE_NOT_ALLOWED"
    # abstract=false leaves billable codes valid; abstract=true keeps headers valid.
    assert param(_validate(client, "M48.48XA", abstract="false"), "result") is True
    assert param(_validate(client, "M48.48", abstract="true"), "result") is True
    assert param(_post(client, {"name": "url", "valueUri": ICD10CM}, {"name": "code", "valueCode": "M45-M49"},
                       {"name": "abstract", "valueBoolean": False}), "result") is False


# --- display ------------------------------------------------------------------------------


def test_wrong_display(client):
    for result in _ways_of_asking(client, "M48.48XA", display="x"):
        assert param(result, "result") is False
        expected = (
            f"Wrong Display Name 'x' for {ICD10CM}#M48.48XA. Valid display is '{M48_48XA}' (en) (for the language(s) '--')"
        )
        assert param(result, "message") == expected
        [issue] = issues(result)
        assert issue["severity"] == "error"
        assert issue["code"] == "invalid"
        assert tx_code(issue) == "invalid-display"
        assert issue["expression"] == ["display"]
        assert issue["details"]["text"] == expected
        assert param(result, "display") == M48_48XA


def test_wrong_display_names_the_languages_asked_for(client):
    result = _validate(client, "M48.48XA", display="x", displayLanguage="en-US")
    assert param(result, "message").endswith("(for the language(s) 'en-US')")
    response = client.get(VALIDATE, query_string={"system": ICD10CM, "code": "M48.48XA", "display": "x"},
                          headers={"Accept-Language": "de;q=0.5, fr"})
    assert param(without_today_warning_json(resource_of(response)), "message") == (
        f"Wrong Display Name 'x' for {ICD10CM}#M48.48XA. There are no valid display names found for "
        f"language(s) 'fr,de'. Default display is '{M48_48XA}'"
    )


@pytest.mark.parametrize(
    "display",
    [
        M48_48XA,
        M48_48XA.upper(),
        M48_48XA.lower(),
    ],
)
def test_display_matches_ignoring_case(client, display):
    result = _validate(client, "M48.48XA", display=display)
    assert param(result, "result") is True, param(result, "message")
    assert issues(result) == []
    assert param(result, "display") == M48_48XA


def test_display_with_other_spacing_is_wrong_and_says_why(client):
    """tx.fhir.org's rule (the HL7 tests check it): spacing is part of the display."""
    result = _validate(client, "M48.48XA", display="  " + M48_48XA.replace(" ", "   \t") + " ")
    assert param(result, "result") is False
    assert param(result, "message").startswith("Wrong whitespace in Display Name")
    (issue,) = issues(result)
    assert issue["extension"][0]["valueString"] == "Display_Name_WS_for__should_be_one_of__instead_of"


def test_a_near_display_is_wrong(client):
    assert param(_validate(client, "M48.48XA", display=M48_48XA + "s"), "result") is False
    assert param(_validate(client, "M48.48XA", display=M48_48XA.replace(",", "")), "result") is False


def test_an_inclusion_term_is_a_valid_display(client):
    assert "Stress fracture of vertebra" in oracle.get_inclusion_term("M48.4")
    result = _validate(client, "M48.4", display="stress fracture of vertebra")
    assert param(result, "result") is True
    assert param(result, "display") == _clean(oracle.get_description("M48.4"))
    # ... of its own code only: M48.48XA inherits the note, but the term does not name it.
    assert param(_validate(client, "M48.48XA", display="Stress fracture of vertebra"), "result") is False


def test_wrong_display_on_a_header_reports_both(client):
    result = _validate(client, "M48.48", display="x", abstract="false")
    assert param(result, "result") is False
    assert sorted(tx_code(issue) for issue in issues(result)) == ["code-rule", "invalid-display"]


# --- invalid codes ------------------------------------------------------------------------


def test_unknown_code(client):
    result = _validate(client, "M48.48XQ")
    assert param(result, "result") is False
    assert param(result, "display") is None
    assert param(result, "normalized-code") is None
    [issue] = issues(result)
    assert issue["code"] == "code-invalid"
    assert tx_code(issue) == "invalid-code"
    assert issue["expression"] == ["code"]
    assert "'M48.48XQ'" in issue["details"]["text"]
    assert param(result, "message") == issue["details"]["text"]


@pytest.mark.parametrize("code", ["m4848xa", "M4848XA", "m48.48xa", " M48.48XA"])
def test_a_code_written_otherwise_is_not_valid_but_named(client, code):
    result = _validate(client, code)
    assert param(result, "result") is False
    assert param(result, "normalized-code") == "M48.48XA"
    assert "'M48.48XA'" in param(result, "message")
    # Echoed when it is a FHIR code; ' M48.48XA' is not one (no leading white space), so it cannot be.
    assert param(result, "code") == (None if code != code.strip() else code)
    [issue] = issues(result)
    assert tx_code(issue) == "invalid-code"


def test_unknown_system(client):
    result = _get(client, system="http://example.org/cs", code="M48.48XA")
    assert param(result, "result") is False
    assert param(result, "x-caused-by-unknown-system") == "http://example.org/cs"
    [issue] = issues(result)
    assert issue["code"] == "not-found"
    assert issue["expression"] == ["system"]
    assert "http://example.org/cs" in issue["details"]["text"]


def test_unknown_version(client):
    result = _validate(client, "M48.48XA", version="2019")
    assert param(result, "result") is False
    assert param(result, "message").endswith("Valid versions: 2021, 2025 and 2026")
    assert "'2019'" in param(result, "message")
    assert param(result, "x-caused-by-unknown-system") == f"{ICD10CM}|2019"
    instance = _get(client, at=INSTANCE_VALIDATE, code="M48.48XA", version="2019")
    assert param(instance, "message") == param(result, "message")


def test_right_version(client):
    result = _validate(client, "M48.48XA", version="2026")
    assert param(result, "result") is True
    assert param(result, "version") == "2026"


# --- coding and codeableConcept -------------------------------------------------------------


def test_coding(client):
    good = {"system": ICD10CM, "code": "M48.48XA"}
    for result in (
        _post(client, {"name": "coding", "valueCoding": good}),
        _get(client, coding=f"{ICD10CM}|M48.48XA"),
        _post(client, {"name": "coding", "valueCoding": {"code": "M48.48XA"}}, at=INSTANCE_VALIDATE),
    ):
        assert param(result, "result") is True
        assert param(result, "display") == M48_48XA
        assert param(result, "system") == ICD10CM


@pytest.mark.parametrize(
    ("coding", "expression", "tx"),
    [
        ({"system": ICD10CM, "code": "M48.48XQ"}, "Coding.code", "invalid-code"),
        ({"system": ICD10CM, "code": "M48.48XA", "display": "x"}, "Coding.display", "invalid-display"),
        ({"system": "http://example.org/cs", "code": "M48.48XA"}, "Coding.system", "not-found"),
        ({"system": ICD10CM, "version": "2019", "code": "M48.48XA"}, "Coding.system", "not-found"),
    ],
)
def test_coding_issues_name_the_coding(client, coding, expression, tx):
    result = _post(client, {"name": "coding", "valueCoding": coding})
    assert param(result, "result") is False
    [issue] = issues(result)
    assert issue["expression"] == [expression]
    assert tx_code(issue) == tx


def test_coding_in_a_query(client):
    result = _get(client, coding=f"{ICD10CM}|M48.48XQ")
    assert param(result, "result") is False
    assert issues(result)[0]["expression"] == ["Coding.code"]
    header = _get(client, coding=f"{ICD10CM}|M48.48", abstract="false")
    assert issues(header)[0]["expression"] == ["Coding.code"]


def test_codeable_concept_with_one_good_coding(client):
    concept = {
        "coding": [
            {"system": ICD10CM, "code": "M48.48XQ"},
            {"system": ICD10CM, "code": "M48.48XA", "display": M48_48XA},
        ]
    }
    result = _post(client, {"name": "codeableConcept", "valueCodeableConcept": concept})
    assert param(result, "result") is True
    assert param(result, "code") == "M48.48XA"
    assert param(result, "display") == M48_48XA
    assert param(result, "codeableConcept") == concept
    [issue] = issues(result)  # the bad coding's error, now a warning
    assert issue["severity"] == "warning"
    assert issue["expression"] == ["CodeableConcept.coding[0].code"]
    assert "'M48.48XQ'" in issue["details"]["text"]


def test_codeable_concept_with_no_good_coding(client):
    concept = {"coding": [{"system": ICD10CM, "code": "M48.48XQ"}, {"system": "http://example.org/cs", "code": "1"}]}
    result = _post(client, {"name": "codeableConcept", "valueCodeableConcept": concept})
    assert param(result, "result") is False
    assert param(result, "codeableConcept") == concept
    assert [issue["expression"] for issue in issues(result)] == [
        ["CodeableConcept.coding[0].code"],
        ["CodeableConcept.coding[1].system"],
    ]
    assert all(issue["severity"] == "error" for issue in issues(result))
    assert param(result, "x-caused-by-unknown-system") == "http://example.org/cs"


def test_answer_order(client):
    assert names(_validate(client, "M48.48XQ")) == ["result", "code", "system", "version", "message", "issues"]


# --- a sample of the release (every code: tests/operations/test_validate_code.py) --------------


def test_a_sample_of_codes_over_http(client):
    sample = random.Random(20260401).sample(codes(), 3000)
    for code in sample:
        result = _validate(client, code)
        assert (param(result, "result"), param(result, "display")) == (True, display(code)), code
        billable = is_billable(code)
        assert (issues(result) == []) == billable, code
        strict = _get(client, coding=f"{ICD10CM}|{code}", abstract="false")
        assert param(strict, "result") is billable, code

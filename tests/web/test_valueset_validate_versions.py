"""ValueSet/$validate-code when the coding, the value set and the request's version rules each say
which version of the code system to use (the colors fixture has versions 1.0.0, 1.2.0 and 2.0.0)."""

from __future__ import annotations

from typing import Any

import pytest

from fixture_resources import COLORS, VS, resources

from .helpers import issues, param, parameters, parameters_body, resource_of

VALIDATE = "/fhir/ValueSet/$validate-code"
TX_RESOURCES = [{"name": "tx-resource", "resource": r} for r in resources()]


def _validate(id: str, code: str, version: str | None, *rules: tuple[str, str], client) -> dict[str, Any]:
    coding = {"system": COLORS, "code": code, **({"version": version} if version else {})}
    entries = [{"name": "url", "valueUri": VS + id}, {"name": "coding", "valueCoding": coding}]
    entries += [{"name": name, "valueCanonical": f"{COLORS}|{value}"} for name, value in rules]
    response = client.post(VALIDATE, data=parameters_body(*entries, *TX_RESOURCES), content_type="application/fhir+json")
    return resource_of(response)


def _message_ids(result) -> list[str]:
    return sorted(ext["valueString"] for issue in issues(result) for ext in issue.get("extension", []))


@pytest.mark.parametrize(
    "id, stated, rules, used, display",
    [
        ("colors-pinned", None, (), "1.0.0", "Green"),
        ("colors-pinned", "1.0.0", (), "1.0.0", "Green"),
        ("colors-wildcard", "1.0.0", (), "1.0.0", "Green"),  # the stated version fits 1.x
        ("colors-latest", None, (), "2.0.0", "Green (version 2)"),
        ("colors-latest", "1.2.0", (), "1.2.0", "Green"),  # nothing decides: the coding's version is used
        ("colors-latest", None, (("system-version", "1.0.0"),), "1.0.0", "Green"),
        ("colors-latest", None, (("check-system-version", "1.x"),), "1.2.0", "Green"),
        ("colors-pinned", None, (("force-system-version", "2.0.0"),), "2.0.0", "Green (version 2)"),
    ],
)
def test_the_version_used(client, id, stated, rules, used, display):
    result = _validate(id, "green", stated, *rules, client=client)
    assert param(result, "result") is True, param(result, "message")
    assert (param(result, "version"), param(result, "display")) == (used, display)


def test_a_stated_version_other_than_the_value_sets(client):
    """The value set decides; the coding's other version is an error in itself."""
    result = _validate("colors-pinned", "green", "2.0.0", client=client)
    assert param(result, "result") is False
    assert (param(result, "version"), param(result, "display")) == ("1.0.0", "Green")
    assert _message_ids(result) == ["VALUESET_VALUE_MISMATCH"]
    assert param(result, "message") == (
        f"The code system '{COLORS}' version '1.0.0' in the ValueSet include is different to the one in the value ('2.0.0')"
    )
    (issue,) = issues(result)
    assert issue["expression"] == ["Coding.version"]


def test_a_stated_version_that_is_not_known(client):
    result = _validate("colors-pinned", "green", "3.0.0", client=client)
    assert param(result, "result") is False
    assert _message_ids(result) == ["UNKNOWN_CODESYSTEM_VERSION", "VALUESET_VALUE_MISMATCH"]
    assert param(result, "x-caused-by-unknown-system") == f"{COLORS}|3.0.0"
    assert param(result, "display") == "Green"  # still checked, in the version the value set uses


def test_an_unknown_stated_version_where_nothing_decides(client):
    """The latest is used, and that it is not the version stated is a warning beside the error."""
    result = _validate("colors-latest", "green", "3.0.0", client=client)
    assert param(result, "result") is False
    assert param(result, "version") == "2.0.0"
    assert _message_ids(result) == ["UNKNOWN_CODESYSTEM_VERSION", "VALUESET_VALUE_MISMATCH_DEFAULT"]
    assert sorted(issue["severity"] for issue in issues(result)) == ["error", "warning"]


@pytest.mark.parametrize("rule", ["system-version", "force-system-version"])
def test_a_stated_version_other_than_a_rules(client, rule):
    result = _validate("colors-latest", "green", "2.0.0", (rule, "1.0.0"), client=client)
    assert param(result, "result") is False
    assert param(result, "version") == "1.0.0"
    assert _message_ids(result) == ["VALUESET_VALUE_MISMATCH_CHANGED"]
    assert "version '1.0.0' resulting from the version ''" in param(result, "message")


def test_a_value_set_pinned_to_a_version_that_is_not_known(client):
    """The code is checked where it can be (the latest), and the answer depends on the missing version."""
    result = _validate("unknown-system-version", "green", None, client=client)
    assert param(result, "result") is False
    assert param(result, "x-caused-by-unknown-system") == f"{COLORS}|9.9.9"
    assert param(result, "version") == "2.0.0"
    assert parameters(result, "x-unknown-system") == []


def test_check_system_version_refuses_the_version_the_value_set_uses(client):
    result = _validate("colors-pinned", "green", None, ("check-system-version", "2.x"), client=client)
    assert param(result, "result") is False
    assert _message_ids(result) == ["VALUESET_VERSION_CHECK"]


def test_a_value_set_taking_codes_from_two_versions(client):
    """Each code is checked in the version whose include holds it."""
    value_set = {
        "resourceType": "ValueSet", "url": VS + "colors-two-versions", "status": "active",
        "compose": {"include": [
            {"system": COLORS, "version": "1.2.0", "concept": [{"code": "yellow"}]},
            {"system": COLORS, "version": "2.0.0", "concept": [{"code": "blue"}, {"code": "green"}]},
        ]},
    }  # fmt: skip
    for code, used in [("yellow", "1.2.0"), ("blue", "2.0.0"), ("green", "2.0.0")]:
        entries = [{"name": "valueSet", "resource": value_set}, {"name": "coding", "valueCoding": {"system": COLORS, "code": code}}]
        response = client.post(VALIDATE, data=parameters_body(*entries, *TX_RESOURCES), content_type="application/fhir+json")
        result = resource_of(response)
        assert param(result, "result") is True, param(result, "message")
        assert param(result, "version") == used


def test_a_value_set_pinned_to_an_unknown_version_with_a_default_rule(client):
    """Where the value set's version is not known, the code is checked in the request's default version."""
    result = _validate("unknown-system-version", "green", None, ("system-version", "1.0.0"), client=client)
    assert param(result, "x-caused-by-unknown-system") == f"{COLORS}|9.9.9"
    assert param(result, "version") == "1.0.0"


def test_a_codeable_concept_with_another_version_than_the_value_sets(client):
    """The coding is in the value set, only its version is wrong: it is the one answered for."""
    concept = {"coding": [{"system": COLORS, "version": "2.0.0", "code": "green"}]}
    entries = [{"name": "url", "valueUri": VS + "colors-pinned"}, {"name": "codeableConcept", "valueCodeableConcept": concept}]
    response = client.post(VALIDATE, data=parameters_body(*entries, *TX_RESOURCES), content_type="application/fhir+json")
    result = resource_of(response)
    assert param(result, "result") is False
    assert (param(result, "code"), param(result, "version")) == ("green", "1.0.0")
    assert _message_ids(result) == ["VALUESET_VALUE_MISMATCH"]


def test_the_versionless_warning_is_not_in_the_message(client):
    result = _validate("colors-latest", "green", "3.0.0", client=client)
    assert "versionless include" not in param(result, "message")
    assert param(result, "message").startswith(f"A definition for CodeSystem '{COLORS}' version '3.0.0' could not be found")


@pytest.mark.parametrize("display, used", [(None, "2.0.0"), ("Green (version 2)", "2.0.0"), ("Green", "1.2.0")])
def test_the_display_tells_which_of_two_pinned_versions_is_meant(client, display, used):
    value_set = {
        "resourceType": "ValueSet", "url": VS + "colors-both", "status": "active",
        "compose": {"include": [{"system": COLORS, "version": "1.2.0"}, {"system": COLORS, "version": "2.0.0"}]},
    }  # fmt: skip
    coding = {"system": COLORS, "code": "green", **({"display": display} if display else {})}
    entries = [{"name": "valueSet", "resource": value_set}, {"name": "coding", "valueCoding": coding}]
    response = client.post(VALIDATE, data=parameters_body(*entries, *TX_RESOURCES), content_type="application/fhir+json")
    result = resource_of(response)
    assert param(result, "result") is True, param(result, "message")
    assert param(result, "version") == used

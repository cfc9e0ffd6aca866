"""Reading the server's answers in tests: status and format checks, R4B validation, Parameters access."""

from __future__ import annotations

from typing import Any

import orjson

from conftest import assert_valid_r4
from terminology.fhir import codec

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
FHIR_JSON = "application/fhir+json"
FHIR_XML = "application/fhir+xml"
LOOKUP = "/fhir/CodeSystem/$lookup"
VALIDATE = "/fhir/CodeSystem/$validate-code"
INSTANCE_LOOKUP = "/fhir/CodeSystem/icd-10-cm/$lookup"
INSTANCE_VALIDATE = "/fhir/CodeSystem/icd-10-cm/$validate-code"


def resource_of(response, status: int = 200, format: str = "json") -> dict[str, Any]:
    """The FHIR resource of a response, after checking its status, content type and R4B validity."""
    body = response.get_data()
    assert response.status_code == status, (response.status_code, body[:2000])
    media_type = FHIR_JSON if format == "json" else FHIR_XML
    assert response.mimetype == media_type, response.content_type
    assert response.mimetype_params.get("charset") == "utf-8"
    if format == "json":
        resource = orjson.loads(body)
        assert_valid_r4(resource)
        return resource
    resource = codec.parse_xml(body)
    # fhir.resources 8 reads FHIR XML itself: an independent check of what we wrote.
    model = _model_class(resource["resourceType"]).model_validate_xml(body)
    assert model.get_resource_type() == resource["resourceType"]
    assert_valid_r4(resource)
    return resource


def _model_class(resource_type: str):
    import importlib

    return getattr(importlib.import_module(f"fhir.resources.R4B.{resource_type.lower()}"), resource_type)


def parameters(resource: dict[str, Any], name: str) -> list[dict[str, Any]]:
    assert resource["resourceType"] == "Parameters", resource
    return [p for p in resource.get("parameter", []) if p["name"] == name]


def value(parameter: dict[str, Any]) -> Any:
    """A parameter's value[x], resource or parts."""
    keys = [key for key in parameter if key.startswith("value") or key in ("resource", "part")]
    assert len(keys) == 1, parameter
    return parameter[keys[0]]


def param(resource: dict[str, Any], name: str) -> Any:
    """The value of the one parameter called ``name``; None when there is none."""
    found = parameters(resource, name)
    assert len(found) <= 1, found
    return value(found[0]) if found else None


def names(resource: dict[str, Any]) -> list[str]:
    return [p["name"] for p in resource.get("parameter", [])]


def parts(parameter: dict[str, Any]) -> dict[str, Any]:
    """A parameter's parts by name (subproperties gathered in a list)."""
    result: dict[str, Any] = {"subproperty": []}
    for part in parameter["part"]:
        if part["name"] == "subproperty":
            result["subproperty"].append(parts(part))
        else:
            assert part["name"] not in result, part
            result[part["name"]] = value(part)
    return result


def properties(resource: dict[str, Any], code: str | None = None) -> list[dict[str, Any]]:
    """The ``property`` parameters of a $lookup answer, as dicts of their parts."""
    found = [parts(p) for p in parameters(resource, "property")]
    return [p for p in found if code is None or p["code"] == code]


def property_values(resource: dict[str, Any], code: str) -> list[Any]:
    return [p["value"] for p in properties(resource, code)]


def issues(resource: dict[str, Any]) -> list[dict[str, Any]]:
    """The issues of an OperationOutcome, or of a Parameters' ``issues``."""
    if resource["resourceType"] == "Parameters":
        outcome = param(resource, "issues")
        return [] if outcome is None else outcome["issue"]
    assert resource["resourceType"] == "OperationOutcome", resource
    return resource["issue"]


def tx_code(issue: dict[str, Any]) -> str | None:
    codings = issue.get("details", {}).get("coding", [])
    return codings[0]["code"] if codings else None


def outcome_text(resource: dict[str, Any]) -> str:
    return " | ".join(issue["details"]["text"] for issue in issues(resource))


def error_outcome(response, status: int, format: str = "json") -> dict[str, Any]:
    """An error response: ``status``, an OperationOutcome with at least one error issue."""
    resource = resource_of(response, status, format)
    assert resource["resourceType"] == "OperationOutcome"
    assert resource["issue"] and all(issue["severity"] in ("error", "fatal") for issue in resource["issue"])
    return resource


def assert_still_answers(client) -> None:
    """The server answers a good request after a bad one."""
    response = client.get(VALIDATE, query_string={"system": ICD10CM, "code": "M48.48XA"})
    assert param(resource_of(response), "result") is True


def parameters_body(*entries: dict[str, Any]) -> bytes:
    return orjson.dumps({"resourceType": "Parameters", "parameter": list(entries)})

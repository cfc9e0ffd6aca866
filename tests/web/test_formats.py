"""Content negotiation: JSON and XML answers (_format, Accept), JSON, XML and form request bodies."""

from __future__ import annotations

import pytest

from release_in_effect import without_today_warning_json

from .helpers import (
    FHIR_JSON,
    FHIR_XML,
    ICD10CM,
    LOOKUP,
    VALIDATE,
    error_outcome,
    param,
    parameters_body,
    resource_of,
)

QUERY = {"system": ICD10CM, "code": "M48.48XA"}
XML_PARAMETERS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Parameters xmlns="http://hl7.org/fhir">
  <parameter><name value="system"/><valueUri value="{ICD10CM}"/></parameter>
  <parameter><name value="code"/><valueCode value="M48.48XA"/></parameter>
  <parameter><name value="display"/><valueString value="Fatigue fracture of vertebra, sacral and sacrococcygeal region, initial encounter for fracture"/></parameter>
</Parameters>
"""


@pytest.fixture(scope="module")
def json_answer(client):
    return resource_of(client.get(VALIDATE, query_string=QUERY))


def _answer(client, format, query=None, headers=None, url=VALIDATE):
    return resource_of(client.get(url, query_string={**QUERY, **(query or {})}, headers=headers or {}), format=format)


# --- what the answer is written in ------------------------------------------------------


def test_json_by_default(client, json_answer):
    assert param(json_answer, "result") is True
    response = client.get(VALIDATE, query_string=QUERY)
    assert response.content_type == "application/fhir+json; charset=utf-8"
    assert response.get_data().startswith(b'{"resourceType":"Parameters"')


@pytest.mark.parametrize("value", ["xml", "application/fhir+xml", "application/xml", "text/xml", "application/xml+fhir",
                                   "application/fhir+xml; fhirVersion=4.0"])
def test_format_xml(client, json_answer, value):
    assert _answer(client, "xml", {"_format": value}) == json_answer


@pytest.mark.parametrize("value", ["json", "application/fhir+json", "application/json", "application/json+fhir"])
def test_format_json(client, json_answer, value):
    assert _answer(client, "json", {"_format": value}) == json_answer


def test_xml_answer_is_fhir_xml(client):
    body = client.get(VALIDATE, query_string={**QUERY, "_format": "xml"}).get_data()
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Parameters xmlns="http://hl7.org/fhir">')
    assert b'<parameter><name value="result"/><valueBoolean value="true"/></parameter>' in body


@pytest.mark.parametrize(
    ("accept", "format"),
    [
        ("application/fhir+xml", "xml"),
        ("application/xml", "xml"),
        ("application/fhir+json", "json"),
        ("application/json", "json"),
        ("*/*", "json"),
        ("application/*", "json"),
        ("application/fhir+json;q=0.5, application/fhir+xml", "xml"),
        ("application/fhir+xml;q=0.4, application/fhir+json;q=0.8", "json"),
        ("text/plain, application/fhir+xml;q=0.1", "xml"),
        # A client that ties text/html with */* (or with a FHIR type) gets FHIR, not a page.
        ("text/html, */*", "json"),
        ("text/html, application/fhir+xml", "xml"),
    ],
)
def test_accept(client, json_answer, accept, format):
    assert _answer(client, format, headers={"Accept": accept}) == json_answer


def test_format_wins_over_accept(client, json_answer):
    assert _answer(client, "json", {"_format": "json"}, {"Accept": "application/fhir+xml"}) == json_answer
    assert _answer(client, "xml", {"_format": "xml"}, {"Accept": "application/fhir+json"}) == json_answer


@pytest.mark.parametrize("value", ["csv", "xhtml", "application/pdf", "turtle"])
def test_unsupported_format_is_406(client, value):
    outcome = error_outcome(client.get(VALIDATE, query_string={**QUERY, "_format": value}), 406)
    assert f"'{value}'" in outcome["issue"][0]["details"]["text"]
    assert outcome["issue"][0]["code"] == "not-supported"


@pytest.mark.parametrize("accept", ["text/plain", "image/png, text/csv", "application/fhir+json;q=0"])
def test_unacceptable_accept_is_406(client, accept):
    outcome = error_outcome(client.get(VALIDATE, query_string=QUERY, headers={"Accept": accept}), 406)
    assert accept in outcome["issue"][0]["details"]["text"]


def test_errors_come_in_the_format_asked_for(client):
    outcome = error_outcome(client.get(LOOKUP, query_string={**QUERY, "code": "Q99.99X", "_format": "xml"}), 404, "xml")
    assert "'Q99.99X'" in outcome["issue"][0]["details"]["text"]
    outcome = error_outcome(client.get("/fhir/Patient/1", headers={"Accept": FHIR_XML}), 404, "xml")
    assert outcome["issue"][0]["code"] == "not-found"


# --- what the request body is written in -------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [FHIR_JSON, "application/json", "application/fhir+json; charset=utf-8", "application/json+fhir", None],
)
def test_json_body(client, content_type):
    body = parameters_body({"name": "system", "valueUri": ICD10CM}, {"name": "code", "valueCode": "M48.48XA"})
    headers = {} if content_type is None else {"Content-Type": content_type}
    result = resource_of(client.post(VALIDATE, data=body, headers=headers))
    assert param(result, "result") is True
    assert param(result, "code") == "M48.48XA"


def test_json_body_with_a_byte_order_mark(client):
    body = b"\xef\xbb\xbf" + parameters_body({"name": "system", "valueUri": ICD10CM}, {"name": "code", "valueCode": "M48.48XA"})
    assert param(resource_of(client.post(VALIDATE, data=body, content_type=FHIR_JSON)), "result") is True


@pytest.mark.parametrize("content_type", [FHIR_XML, "application/xml", "text/xml", "application/fhir+xml; charset=utf-8"])
def test_xml_body(client, content_type):
    result = resource_of(client.post(VALIDATE, data=XML_PARAMETERS, content_type=content_type))
    assert param(result, "result") is True
    assert param(result, "display") == "Fatigue fracture of vertebra, sacral and sacrococcygeal region, initial encounter for fracture"


def test_xml_body_with_a_wrong_display(client):
    body = XML_PARAMETERS.replace('value="Fatigue', 'value="Fatigued')
    answer = resource_of(client.post(VALIDATE, data=body, content_type=FHIR_XML, headers={"Accept": FHIR_XML}), format="xml")
    result = without_today_warning_json(answer)
    assert param(result, "result") is False
    assert param(result, "message").startswith("Wrong Display Name 'Fatigued fracture")


def test_xml_body_in_utf16(client):
    body = XML_PARAMETERS.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert param(resource_of(client.post(VALIDATE, data=body, content_type=FHIR_XML)), "result") is True


def test_xml_lookup_with_a_coding_and_properties(client):
    body = f"""<Parameters xmlns="http://hl7.org/fhir">
      <parameter><name value="coding"/><valueCoding><system value="{ICD10CM}"/><code value="M48.48"/></valueCoding></parameter>
      <parameter><name value="property"/><valueCode value="child"/></parameter>
      <parameter><name value="property"/><valueCode value="parent"/></parameter>
    </Parameters>"""
    result = resource_of(client.post(LOOKUP, data=body, content_type=FHIR_XML))
    codes = [p["part"][0]["valueCode"] for p in result["parameter"] if p["name"] == "property"]
    assert codes == ["parent", "child", "child", "child", "child"]


def test_form_body(client):
    response = client.post(VALIDATE, data={"system": ICD10CM, "code": "M48.48", "abstract": "false"})
    assert response.request.content_type == "application/x-www-form-urlencoded"
    result = resource_of(response)
    assert param(result, "result") is False
    assert param(result, "code") == "M48.48"


def test_form_body_with_repeated_properties(client):
    body = f"system={ICD10CM}&code=M48.48&property=parent&property=billable"
    result = resource_of(client.post(LOOKUP, data=body, content_type="application/x-www-form-urlencoded"))
    assert sorted(p["part"][0]["valueCode"] for p in result["parameter"] if p["name"] == "property") == ["billable", "parent"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/octet-stream", "multipart/form-data; boundary=x", "text/csv"])
def test_unsupported_body_is_415(client, content_type):
    outcome = error_outcome(client.post(VALIDATE, data=b"system=x&code=y", content_type=content_type), 415)
    assert content_type.split(";")[0] in outcome["issue"][0]["details"]["text"]


def test_body_format_and_answer_format_are_independent(client, json_answer):
    response = client.post(VALIDATE, data=XML_PARAMETERS, content_type=FHIR_XML, headers={"Accept": FHIR_JSON})
    result = resource_of(response)
    assert param(result, "result") is True
    response = client.post(VALIDATE + "?_format=xml", data={"system": ICD10CM, "code": "M48.48XA"})
    assert resource_of(response, format="xml") == json_answer

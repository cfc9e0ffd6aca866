"""terminology.fhir.request: an operation's input (and a batch's resource) from method, content type, query and body."""

from __future__ import annotations

import orjson
import pytest

from terminology.errors import InvalidRequest, UnsupportedMediaType
from terminology.fhir.request import read_body_resource, read_operation_input
from terminology.model import Coding

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
FORM = "application/x-www-form-urlencoded"
PARAMETERS = {
    "resourceType": "Parameters",
    "parameter": [
        {"name": "system", "valueUri": ICD10CM},
        {"name": "code", "valueCode": "M48.48XA"},
        {"name": "coding", "valueCoding": {"system": ICD10CM, "code": "Z66"}},
        {"name": "abstract", "valueBoolean": True},
    ],
}
XML_PARAMETERS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Parameters xmlns="http://hl7.org/fhir">
  <parameter><name value="system"/><valueUri value="{ICD10CM}"/></parameter>
  <parameter><name value="code"/><valueCode value="M48.48XA"/></parameter>
  <parameter><name value="coding"/><valueCoding><system value="{ICD10CM}"/><code value="Z66"/></valueCoding></parameter>
  <parameter><name value="abstract"/><valueBoolean value="true"/></parameter>
</Parameters>
""".encode()


def test_a_get_reads_its_query_and_leaves_fhirs_search_controls_out() -> None:
    query = [("system", ICD10CM), ("code", "M48.48XA"), ("_format", "xml"), ("code", "Z66")]
    params = read_operation_input("GET", None, query, b"")
    assert params.entries() == [("system", "query", ICD10CM), ("code", "query", "M48.48XA"), ("code", "query", "Z66")]


def test_a_get_ignores_content_type_and_body() -> None:
    params = read_operation_input("GET", "text/plain", [("code", "Z66")], b"\xff not read")
    assert params.string("code") == "Z66"


def test_a_posted_form_reads_as_a_query_and_its_query_string_is_not_read() -> None:
    body = b"system=http%3A%2F%2Fhl7.org%2Ffhir%2Fsid%2Ficd-10-cm&code=M48.48XA&display=&_pretty=true"
    params = read_operation_input("POST", f"{FORM}; charset=utf-8", [("code", "ignored")], body)
    assert params.entries() == [("system", "query", ICD10CM), ("code", "query", "M48.48XA"), ("display", "query", "")]


def test_a_form_that_is_not_utf8_is_a_400() -> None:
    with pytest.raises(InvalidRequest, match="not UTF-8") as raised:
        read_operation_input("POST", FORM, [], b"code=\xff\xfe")
    assert raised.value.status == 400


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/fhir+json", orjson.dumps(PARAMETERS)),
        ("application/json; fhirVersion=4.0", orjson.dumps(PARAMETERS)),
        (None, orjson.dumps(PARAMETERS)),  # no Content-Type: JSON, as most clients mean
        ("application/fhir+xml", XML_PARAMETERS),
        ("text/xml", XML_PARAMETERS),
    ],
)
def test_posted_parameters_in_json_and_xml_read_alike(content_type: str | None, body: bytes) -> None:
    params = read_operation_input("POST", content_type, [], body)
    assert params.string("system") == ICD10CM
    assert params.string("code") == "M48.48XA"
    assert params.coding("coding") == Coding(system=ICD10CM, code="Z66")
    assert params.boolean("abstract") is True


@pytest.mark.parametrize("body", [b"", b"  \n"])
@pytest.mark.parametrize("content_type", ["application/fhir+json", "application/fhir+xml"])
def test_an_empty_body_is_a_400_that_says_what_to_send(content_type: str, body: bytes) -> None:
    with pytest.raises(InvalidRequest, match="The POST body is empty: send a Parameters resource") as raised:
        read_operation_input("POST", content_type, [], body)
    assert raised.value.status == 400


@pytest.mark.parametrize("content_type", ["text/plain", "application/octet-stream", "multipart/form-data; boundary=x"])
def test_another_content_type_is_a_415(content_type: str) -> None:
    with pytest.raises(UnsupportedMediaType) as raised:
        read_operation_input("POST", content_type, [], orjson.dumps(PARAMETERS))
    assert raised.value.status == 415
    assert content_type in raised.value.message


def test_a_body_that_is_not_parameters_is_a_400() -> None:
    with pytest.raises(InvalidRequest, match="must be a Parameters resource, not 'Bundle'"):
        read_operation_input("POST", "application/fhir+json", [], b'{"resourceType": "Bundle"}')


def test_a_body_resource_in_json_or_xml() -> None:
    bundle = {"resourceType": "Bundle", "type": "batch"}
    assert read_body_resource("application/fhir+json", orjson.dumps(bundle), "a Bundle") == bundle
    xml = b'<Bundle xmlns="http://hl7.org/fhir"><type value="batch"/></Bundle>'
    assert read_body_resource("application/fhir+xml", xml, "a Bundle") == bundle


def test_a_body_resource_is_no_form_and_no_empty_body() -> None:
    with pytest.raises(InvalidRequest, match="Send a Bundle of type batch as FHIR JSON or XML, not a form"):
        read_body_resource(FORM, b"a=b", "a Bundle of type batch")
    with pytest.raises(InvalidRequest, match="The POST body is empty: send a Bundle"):
        read_body_resource("application/fhir+json", b"", "a Bundle")
    with pytest.raises(UnsupportedMediaType):
        read_body_resource("text/csv", b"a,b", "a Bundle")

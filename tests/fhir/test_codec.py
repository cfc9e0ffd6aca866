"""The FHIR wire codec: JSON, XML both ways, and refusal of hostile or malformed XML."""

from __future__ import annotations

import copy
import re

import orjson
import pytest
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.codesystem import CodeSystem
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.parameters import Parameters
from fhir.resources.R4B.valueset import ValueSet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from terminology.errors import InvalidRequest
from terminology.fhir.codec import WrittenJson, parse_json, parse_xml, to_json, to_xml
from terminology.settings import Bound

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
FHIR = "{http://hl7.org/fhir}"

OUTCOME = {
    "resourceType": "OperationOutcome",
    "id": "exception",
    "text": {
        "status": "generated",
        "div": '<div xmlns="http://www.w3.org/1999/xhtml"><p>Unknown code <b>X99.9</b> &amp; more</p></div>',
    },
    "issue": [
        {
            "extension": [
                {
                    "url": "http://hl7.org/fhir/StructureDefinition/operationoutcome-message-id",
                    "valueString": "Unknown_Code_in_Version",
                }
            ],
            "severity": "error",
            "code": "code-invalid",
            "details": {
                "coding": [{"system": "http://hl7.org/fhir/tools/CodeSystem/tx-issue-type", "code": "invalid-code"}],
                "text": "Unknown code 'X99.9' in the CodeSystem 'http://hl7.org/fhir/sid/icd-10-cm' version '2026'",
            },
            "location": ["Coding.code"],
            "expression": ["Coding.code"],
        }
    ],
}

PARAMETERS = {
    "resourceType": "Parameters",
    "parameter": [
        {"name": "result", "valueBoolean": False},
        {"name": "count", "valueInteger": 2},
        {"name": "weight", "valueDecimal": 1.5},
        {"name": "code", "valueCode": "X99.9"},
        {"name": "coding", "valueCoding": {"system": ICD10CM, "version": "2026", "code": "A00.0", "display": "Cholera"}},
        {
            "name": "codeableConcept",
            "valueCodeableConcept": {"coding": [{"system": ICD10CM, "code": "A00.0"}], "text": "Cholera"},
        },
        {
            "name": "designation",
            "part": [
                {"name": "language", "valueCode": "en"},
                {"name": "use", "valueCoding": {"system": "http://snomed.info/sct", "code": "900000000000013009"}},
                {"name": "value", "valueString": "Cholera due to Vibrio cholerae 01, biovar cholerae"},
                {"name": "deep", "part": [{"name": "inner", "valueBoolean": True}]},
            ],
        },
        {"name": "issues", "resource": OUTCOME},
    ],
}

CAPABILITY_STATEMENT = {
    "resourceType": "CapabilityStatement",
    "id": "terminology-server",
    "url": "http://example.org/fhir/CapabilityStatement/terminology-server",
    "version": "0.1.0",
    "name": "ICD10CMTerminologyServer",
    "status": "active",
    "experimental": False,
    "date": "2026-04-01",
    "kind": "instance",
    "instantiates": ["http://hl7.org/fhir/CapabilityStatement/terminology-server"],
    "software": {"name": "terminology", "version": "0.1.0"},
    "implementation": {"description": "ICD-10-CM terminology service", "url": "http://localhost:8080/fhir"},
    "fhirVersion": "4.0.1",
    "format": ["application/fhir+json", "application/fhir+xml"],
    "_format": [None, {"extension": [{"url": "http://example.org/preferred", "valueBoolean": False}]}],
    "rest": [
        {
            "mode": "server",
            "resource": [
                {
                    "type": "CodeSystem",
                    "interaction": [{"code": "read"}, {"code": "search-type"}],
                    "searchParam": [{"name": "url", "type": "uri"}],
                    "operation": [
                        {"name": "lookup", "definition": "http://hl7.org/fhir/OperationDefinition/CodeSystem-lookup"},
                        {"name": "subsumes", "definition": "http://hl7.org/fhir/OperationDefinition/CodeSystem-subsumes"},
                    ],
                }
            ],
            "operation": [{"name": "versions", "definition": "http://hl7.org/fhir/OperationDefinition/-versions"}],
        }
    ],
}

CODE_SYSTEM = {
    "resourceType": "CodeSystem",
    "id": "icd-10-cm-sample",
    "meta": {"profile": ["http://hl7.org/fhir/StructureDefinition/shareablecodesystem"]},
    "url": ICD10CM,
    "identifier": [{"system": "urn:ietf:rfc:3986", "value": "urn:oid:2.16.840.1.113883.6.90"}],
    "version": "2026",
    "name": "ICD10CM",
    "title": "International Classification of Diseases, Tenth Revision, Clinical Modification",
    "status": "active",
    "experimental": False,
    "caseSensitive": True,
    "hierarchyMeaning": "is-a",
    "content": "fragment",
    "count": 3,
    "filter": [{"code": "concept", "operator": ["is-a", "descendent-of"], "value": "An ICD-10-CM code"}],
    "property": [
        {"code": "abstract", "uri": "http://hl7.org/fhir/concept-properties#notSelectable", "type": "boolean"},
        {"code": "order", "type": "integer"},
        {"code": "weight", "type": "decimal"},
    ],
    "concept": [
        {
            "code": "A00",
            "display": "Cholera",
            "property": [{"code": "abstract", "valueBoolean": True}, {"code": "order", "valueInteger": 1}],
            "concept": [
                {
                    "code": "A00.0",
                    "display": "Cholera due to Vibrio cholerae 01, biovar cholerae",
                    "definition": "Classical cholera",
                    "designation": [
                        {
                            "language": "en",
                            "use": {"system": "http://snomed.info/sct", "code": "900000000000013009"},
                            "value": "Classical cholera",
                        }
                    ],
                    "property": [{"code": "abstract", "valueBoolean": False}, {"code": "weight", "valueDecimal": 0.25}],
                },
                {"code": "A00.9", "display": "Cholera, unspecified"},
            ],
        }
    ],
}

VALUE_SET = {
    "resourceType": "ValueSet",
    "id": "cholera",
    "url": "http://example.org/fhir/ValueSet/cholera",
    "status": "draft",
    "contained": [
        {"resourceType": "CodeSystem", "id": "local", "status": "draft", "content": "complete", "concept": [{"code": "x"}]}
    ],
    "compose": {
        "inactive": False,
        "include": [
            {"system": ICD10CM, "filter": [{"property": "concept", "op": "is-a", "value": "A00"}]},
            {"system": ICD10CM, "concept": [{"code": "B01.9", "display": "Varicella without complication"}]},
        ],
        "exclude": [{"system": ICD10CM, "concept": [{"code": "A00.9"}]}],
    },
    "expansion": {
        "identifier": "urn:uuid:8f0a6e2c-2f4f-4b4e-9d53-5b9a4f2b1c77",
        "timestamp": "2026-04-01T12:00:00Z",
        "total": 2,
        "offset": 0,
        "parameter": [
            {"name": "displayLanguage", "valueCode": "en"},
            {"name": "activeOnly", "valueBoolean": True},
            {"name": "count", "valueInteger": 10},
            {"name": "used-codesystem", "valueUri": "http://hl7.org/fhir/sid/icd-10-cm|2026"},
        ],
        "contains": [
            {
                "system": ICD10CM,
                "abstract": True,
                "code": "A00",
                "display": "Cholera",
                "contains": [
                    {
                        "system": ICD10CM,
                        "version": "2026",
                        "code": "A00.0",
                        "display": "Cholera due to Vibrio cholerae 01, biovar cholerae",
                        "designation": [{"language": "en", "value": "Classical cholera"}],
                    }
                ],
            }
        ],
    },
}

RESOURCES = {
    "Parameters": (PARAMETERS, Parameters),
    "OperationOutcome": (OUTCOME, OperationOutcome),
    "CapabilityStatement": (CAPABILITY_STATEMENT, CapabilityStatement),
    "CodeSystem": (CODE_SYSTEM, CodeSystem),
    "ValueSet": (VALUE_SET, ValueSet),
}


def fhir_resources_json(model: object) -> dict:
    """What fhir.resources itself makes of a model, as FHIR JSON."""
    return orjson.loads(model.model_dump_json())


# --- JSON ---------------------------------------------------------------------------------


def test_parse_json_returns_the_resource() -> None:
    assert parse_json(to_json(PARAMETERS)) == PARAMETERS


def test_to_json_is_compact_utf8() -> None:
    assert to_json({"resourceType": "Parameters", "id": "é"}) == '{"resourceType":"Parameters","id":"é"}'.encode()


def test_a_resource_written_already_is_written_as_if_it_were_there() -> None:
    """A batch's answers are written as they come: the whole is the same in JSON and in XML."""
    whole = {"resourceType": "Bundle", "type": "batch-response", "entry": [{"resource": OUTCOME}, {"resource": PARAMETERS}]}
    written = {**whole, "entry": [{"resource": WrittenJson.of(entry["resource"])} for entry in whole["entry"]]}
    assert to_json(written) == to_json(whole)
    assert to_xml(written) == to_xml(whole)


def test_to_json_refuses_what_is_not_json() -> None:
    with pytest.raises(TypeError):
        to_json({"resourceType": "Parameters", "id": object()})


def test_parse_json_accepts_a_byte_order_mark() -> None:
    assert parse_json(b'\xef\xbb\xbf{"resourceType": "Parameters"}') == {"resourceType": "Parameters"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "The request body is empty"),
        (b"  \n", "The request body is empty"),
        (b'{"resourceType": ', "The request body is not valid JSON: "),
        (b"{'a': 1}", "The request body is not valid JSON: "),
        (b"\xff\xfe{}", "The request body is not valid JSON: "),
        (b"[1, 2]", "must be a JSON object (a FHIR resource), not an array"),
        (b'"Parameters"', "must be a JSON object (a FHIR resource), not a string"),
        (b"12.5", "must be a JSON object (a FHIR resource), not a number"),
        (b"null", "must be a JSON object (a FHIR resource), not null"),
        (b'{"parameter": []}', "has no resourceType"),
        (b'{"resourceType": 3}', "has no resourceType"),
        (b'{"resourceType": ""}', "has no resourceType"),
    ],
)
def test_parse_json_refuses_what_is_not_a_resource(body: bytes, message: str) -> None:
    with pytest.raises(InvalidRequest, match=re.escape(message)) as caught:
        parse_json(body)
    assert caught.value.status == 400


def test_parse_json_error_names_the_position() -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_json(b'{"resourceType" "Parameters"}')
    assert "line 1 column 17" in caught.value.message


# --- XML round trips ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_json_to_xml_to_json_round_trip(name: str) -> None:
    resource, _ = RESOURCES[name]
    original = copy.deepcopy(resource)
    xml = to_xml(resource)
    assert parse_xml(xml) == original
    assert resource == original  # to_xml does not touch its input
    assert to_xml(parse_xml(xml)) == xml


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_xml_written_here_reads_in_fhir_resources_as_the_json_does(name: str) -> None:
    resource, model = RESOURCES[name]
    from_xml = model.model_validate_xml(to_xml(resource))
    assert fhir_resources_json(from_xml) == fhir_resources_json(model.model_validate(resource))


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_xml_written_by_fhir_resources_parses_here_as_there(name: str) -> None:
    # Both sides go through fhir.resources' models, which rewrite "+00:00" in its XML as "Z" in its JSON.
    resource, model = RESOURCES[name]
    xml = model.model_validate(resource).model_dump_xml()
    parsed_here = model.model_validate(parse_xml(xml))
    assert fhir_resources_json(parsed_here) == fhir_resources_json(model.model_validate_xml(xml))


def test_json_keeps_primitive_types_through_xml() -> None:
    parsed = parse_xml(to_xml(PARAMETERS))
    values = {p["name"]: p for p in parsed["parameter"]}
    assert values["result"]["valueBoolean"] is False
    assert type(values["count"]["valueInteger"]) is int
    assert values["weight"]["valueDecimal"] == 1.5
    assert values["code"]["valueCode"] == "X99.9"
    assert parsed["parameter"][-1]["resource"]["issue"][0]["location"] == ["Coding.code"]


def test_large_code_system_round_trips() -> None:
    concepts = [
        {"code": f"C{i:05d}", "display": f"Concept {i}", "property": [{"code": "order", "valueInteger": i}]}
        for i in range(20_000)
    ]
    resource = {"resourceType": "CodeSystem", "status": "active", "content": "complete", "concept": concepts}
    assert parse_xml(to_xml(resource)) == resource


# --- the XML form -------------------------------------------------------------------------


def test_to_xml_writes_the_fhir_xml_form() -> None:
    resource = {
        "resourceType": "Parameters",
        "id": "p1",
        "parameter": [
            {"id": "first", "name": "result", "valueBoolean": True},
            {
                "name": "count",
                "valueInteger": 7,
                "_valueInteger": {"id": "c", "extension": [{"url": "http://e", "valueDecimal": 2.50}]},
            },
            {"name": "issues", "resource": {"resourceType": "OperationOutcome", "id": "o", "issue": []}},
        ],
    }
    assert to_xml(resource) == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<Parameters xmlns="http://hl7.org/fhir"><id value="p1"/>'
        b'<parameter id="first"><name value="result"/><valueBoolean value="true"/></parameter>'
        b'<parameter><name value="count"/><valueInteger id="c" value="7">'
        b'<extension url="http://e"><valueDecimal value="2.5"/></extension></valueInteger></parameter>'
        b'<parameter><name value="issues"/><resource><OperationOutcome><id value="o"/></OperationOutcome></resource></parameter>'
        b"</Parameters>"
    )


def test_to_xml_follows_the_dict_key_order() -> None:
    xml = to_xml({"resourceType": "Coverage", "status": "active", "id": "z", "beneficiary": {"reference": "Patient/1"}})
    assert [child.tag for child in etree.fromstring(xml)] == [FHIR + "status", FHIR + "id", FHIR + "beneficiary"]


def test_to_xml_escapes_attribute_text_so_it_reads_back_exactly() -> None:
    text = 'a & b < c > d " e \' f\nline\r\n\ttab  spaces é ☃ 𝄞'
    resource = {"resourceType": "Parameters", "parameter": [{"name": "x", "valueString": text}]}
    xml = to_xml(resource)
    assert b"&#10;" in xml and b"&quot;" in xml and b"&amp;" in xml and b"&lt;" in xml
    assert etree.fromstring(xml)[0][1].get("value") == text
    assert parse_xml(xml) == resource


def test_repeating_primitive_with_extensions_stays_item_aligned() -> None:
    resource = {
        "resourceType": "CodeSystem",
        "status": "active",
        "content": "complete",
        "filter": [{"code": "c", "operator": ["=", None, "in"], "_operator": [None, {"id": "only-ext"}, None], "value": "v"}],
    }
    xml = to_xml(resource)
    operators = etree.fromstring(xml).findall(f"{FHIR}filter/{FHIR}operator")
    assert [(o.get("value"), o.get("id")) for o in operators] == [("=", None), (None, "only-ext"), ("in", None)]
    assert parse_xml(xml) == resource


def test_primitive_with_only_an_extension() -> None:
    resource = {
        "resourceType": "ValueSet",
        "status": "draft",
        "_name": {"extension": [{"url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason", "valueCode": "unknown"}]},
    }
    xml = to_xml(resource)
    assert b'<name><extension url="http://hl7.org/fhir/StructureDefinition/data-absent-reason">' in xml
    assert parse_xml(xml) == resource


def test_narrative_div_gets_the_xhtml_namespace() -> None:
    resource = {"resourceType": "Basic", "text": {"status": "generated", "div": "<div><p>hi</p></div>"}, "code": {"text": "x"}}
    xml = to_xml(resource)
    assert b'<div xmlns="http://www.w3.org/1999/xhtml"><p>hi</p></div>' in xml
    assert parse_xml(xml)["text"]["div"] == '<div xmlns="http://www.w3.org/1999/xhtml"><p>hi</p></div>'


def test_narrative_div_drops_prefixes_and_unrelated_namespaces() -> None:
    xml = (
        b'<Basic xmlns="http://hl7.org/fhir" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="x">'
        b'<text><status value="generated"/><h:div xmlns:h="http://www.w3.org/1999/xhtml">a<h:br/>b</h:div></text>'
        b'<code><text value="x"/></code></Basic>'
    )
    assert parse_xml(xml)["text"]["div"] == '<div xmlns="http://www.w3.org/1999/xhtml">a<br/>b</div>'


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        ({"resourceType": "Basic", "text": {"status": "generated", "div": "<div>unclosed"}}, "not well-formed XHTML"),
        ({"resourceType": "Basic", "text": {"status": "generated", "div": "<p>not a div</p>"}}, "single XHTML <div>"),
        ({"resourceType": "Basic", "text": {"status": "generated", "div": "<div/><div/>"}}, "single XHTML <div>"),
        ({"resourceType": "Parameters", "parameter": [{"name": "x", "valueString": "bell \x07"}]}, "U\\+0007"),
        ({"resourceType": "Parameters", "parameter": [{"name x": "x"}]}, "not a FHIR element or resource name"),
        ({"resourceType": "Parameters", "parameter": [{"<evil/>": "x"}]}, "not a FHIR element or resource name"),
        ({"resourceType": 5}, "not a FHIR element or resource name"),
        ({"resourceType": "Parameters", "parameter": [{"name": "x", "valueString": [["nested"]]}]}, "JSON list"),
    ],
)
def test_to_xml_refuses_what_xml_cannot_carry(resource: dict, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        to_xml(resource)


# --- reading XML: types and cardinality ----------------------------------------------------


def test_parse_xml_uses_fhir_cardinality_and_types() -> None:
    xml = b"""<?xml version="1.0" encoding="UTF-8"?>
    <ValueSet xmlns="http://hl7.org/fhir">
      <!-- comments and whitespace are ignored -->
      <id value="1"/>
      <status value="active"/>
      <expansion>
        <timestamp value="2026-01-01"/>
        <total value="1"/>
        <offset value="+3"/>
        <parameter><name value="x"/><valueDecimal value="1.50"/></parameter>
        <parameter><name value="y"/><valueDecimal value="3"/></parameter>
        <parameter><name value="z"/><valueUri value="12"/></parameter>
        <contains><abstract value="true"/><code value="007"/></contains>
      </expansion>
    </ValueSet>"""
    assert parse_xml(xml) == {
        "resourceType": "ValueSet",
        "id": "1",
        "status": "active",
        "expansion": {
            "timestamp": "2026-01-01",
            "total": 1,
            "offset": 3,
            "parameter": [
                {"name": "x", "valueDecimal": 1.5},
                {"name": "y", "valueDecimal": 3},
                {"name": "z", "valueUri": "12"},
            ],
            "contains": [{"abstract": True, "code": "007"}],
        },
    }


def test_parse_xml_reads_ids_and_extension_urls_from_attributes() -> None:
    xml = (
        b'<Parameters xmlns="http://hl7.org/fhir"><parameter id="p">'
        b'<extension url="http://a"><extension url="http://b"><valueBoolean value="false"/></extension></extension>'
        b'<name id="n" value="x"/></parameter></Parameters>'
    )
    assert parse_xml(xml) == {
        "resourceType": "Parameters",
        "parameter": [
            {
                "id": "p",
                "extension": [{"url": "http://a", "extension": [{"url": "http://b", "valueBoolean": False}]}],
                "name": "x",
                "_name": {"id": "n"},
            }
        ],
    }


def test_parse_xml_unwraps_nested_resources() -> None:
    xml = (
        b'<Bundle xmlns="http://hl7.org/fhir"><type value="collection"/><total value="2"/>'
        b'<entry><resource><Parameters><parameter><name value="a"/></parameter></Parameters></resource></entry>'
        b'<entry><resource><OperationOutcome><issue><severity value="information"/><code value="informational"/>'
        b"</issue></OperationOutcome></resource></entry></Bundle>"
    )
    assert parse_xml(xml) == {
        "resourceType": "Bundle",
        "type": "collection",
        "total": 2,
        "entry": [
            {"resource": {"resourceType": "Parameters", "parameter": [{"name": "a"}]}},
            {"resource": {"resourceType": "OperationOutcome", "issue": [{"severity": "information", "code": "informational"}]}},
        ],
    }


WRAP = b'<Parameters xmlns="http://hl7.org/fhir"><parameter>%s</parameter></Parameters>'


@pytest.mark.parametrize(
    ("body", "message", "expression"),
    [
        (WRAP % b'<name value="a"/><nonsense value="b"/>', "Unknown element 'nonsense'", "Parameters.parameter.nonsense"),
        (WRAP % b'<name value="a"/><name value="b"/>', "'name' may occur only once", "Parameters.parameter.name[1]"),
        (WRAP % b'<valueBoolean value="yes"/>', "'yes' is not a boolean", "Parameters.parameter.valueBoolean"),
        (WRAP % b'<valueInteger value="1.5"/>', "'1.5' is not a 32-bit integer", "Parameters.parameter.valueInteger"),
        (WRAP % b'<valueInteger value="2147483648"/>', "not a 32-bit integer", "Parameters.parameter.valueInteger"),
        (WRAP % (b'<valueInteger value="' + b"9" * 5000 + b'"/>'), "not a 32-bit integer", None),
        (WRAP % b'<valueInteger value="+0"/>', "'\\+0' is not a 32-bit integer", None),
        (WRAP % b'<valueDecimal value="1e999"/>', "'1e999' is not a decimal", "Parameters.parameter.valueDecimal"),
        (WRAP % b'<valueDecimal value="NaN"/>', "'NaN' is not a decimal", "Parameters.parameter.valueDecimal"),
        (WRAP % b"<name/>", "'name' has no value, id or extension", "Parameters.parameter.name"),
        (WRAP % b"<name>text</name>", "FHIR elements hold no text", "Parameters.parameter.name"),
        (WRAP % b'<name value="a" colour="red"/>', "Unexpected attribute 'colour'", "Parameters.parameter.name"),
        (WRAP % b'<name value="a"><id value="x"/></name>', "Unknown element 'id'", "Parameters.parameter.name.id"),
        (WRAP % b'<x:name xmlns:x="urn:other" value="a"/>', "not in the FHIR namespace", "Parameters.parameter.name"),
        (WRAP % b"<resource/>", "exactly one resource", "Parameters.parameter.resource"),
        (WRAP % b"<resource><Nonsense/></resource>", "'Nonsense' is not a FHIR resource type", "Parameters.parameter.resource"),
        (
            WRAP % b'<name value="a"/></parameter><parameter><resource><Basic><code><text value="x"/></code><zzz/></Basic></resource>',
            "Unknown element 'zzz'",
            "Parameters.parameter[1].resource.zzz",
        ),
        (b'<Nonsense xmlns="http://hl7.org/fhir"/>', "'Nonsense' is not a FHIR resource type", "Nonsense"),
        (b'<Resource xmlns="http://hl7.org/fhir"/>', "'Resource' is not a FHIR resource type", "Resource"),
        (b'<Parameters xmlns="http://hl7.org/fhir" id="x"/>', "Unexpected attribute 'id'", "Parameters"),
    ],
)
def test_parse_xml_refuses_what_is_not_fhir(body: bytes, message: str, expression: str | None) -> None:
    with pytest.raises(InvalidRequest, match=message) as caught:
        parse_xml(body)
    if expression is not None:
        assert caught.value.expression == expression


def test_parse_xml_ignores_namespaced_attributes_such_as_schema_location() -> None:
    xml = (
        b'<Parameters xmlns="http://hl7.org/fhir" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        b' xsi:schemaLocation="http://hl7.org/fhir fhir-all.xsd"><parameter><name value="a"/></parameter></Parameters>'
    )
    assert parse_xml(xml) == {"resourceType": "Parameters", "parameter": [{"name": "a"}]}


# --- hostile XML --------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="&lol9;"/></parameter></Parameters>"""

DOCTYPE_REFUSED = "XML with a DOCTYPE or entity declarations is not accepted"


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-7f3a")
    return path


def external_entity_document(path) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY xxe SYSTEM "{path.as_uri()}">]>'
        '<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="&xxe;"/></parameter></Parameters>'
    ).encode()


def test_billion_laughs_is_refused() -> None:
    with pytest.raises(InvalidRequest, match=DOCTYPE_REFUSED):
        parse_xml(BILLION_LAUGHS)


def test_external_entity_is_refused_without_reading_the_file(secret_file) -> None:
    with pytest.raises(InvalidRequest, match=DOCTYPE_REFUSED) as caught:
        parse_xml(external_entity_document(secret_file))
    assert "TOP-SECRET" not in caught.value.message


def in_encoding(document: bytes, encoding: str) -> bytes:
    declared = document.decode().replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>')
    return declared.encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_doctype_in_utf16_is_refused(encoding: str, secret_file) -> None:
    for document in (BILLION_LAUGHS, external_entity_document(secret_file)):
        with pytest.raises(InvalidRequest, match=DOCTYPE_REFUSED) as caught:
            parse_xml(in_encoding(document, encoding))
        assert "TOP-SECRET" not in caught.value.message


def test_doctype_the_byte_scan_cannot_see_is_refused_after_parsing() -> None:
    document = b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY e "x">]><Parameters xmlns="http://hl7.org/fhir"/>'
    with pytest.raises(InvalidRequest, match=DOCTYPE_REFUSED):
        parse_xml(in_encoding(document, "utf-32"))


def test_billion_laughs_the_byte_scan_cannot_see_is_stopped_by_the_parser(secret_file) -> None:
    with pytest.raises(InvalidRequest, match="amplification|DOCTYPE"):
        parse_xml(in_encoding(BILLION_LAUGHS, "utf-32"))
    with pytest.raises(InvalidRequest) as caught:
        parse_xml(in_encoding(external_entity_document(secret_file), "utf-32"))
    assert "TOP-SECRET" not in caught.value.message


@pytest.mark.parametrize(
    "body",
    [
        b'<!DOCTYPE Parameters><Parameters xmlns="http://hl7.org/fhir"/>',
        b'<!DOCTYPE Parameters SYSTEM "http://example.invalid/fhir.dtd"><Parameters xmlns="http://hl7.org/fhir"/>',
        b'<!DOCTYPE Parameters PUBLIC "-//x//y" "file:///etc/passwd"><Parameters xmlns="http://hl7.org/fhir"/>',
    ],
)
def test_any_doctype_is_refused(body: bytes) -> None:
    with pytest.raises(InvalidRequest, match=DOCTYPE_REFUSED):
        parse_xml(body)


def test_the_parser_itself_neither_expands_nor_fetches_entities(secret_file) -> None:
    # Defence in depth, should the DOCTYPE checks ever be bypassed: entities in text stay unexpanded.
    from terminology.fhir.codec import _secure_parser

    external = external_entity_document(secret_file).replace(b'<name value="&xxe;"/>', b"<name>&xxe;</name>")
    root = etree.fromstring(external, _secure_parser())
    assert "TOP-SECRET" not in etree.tostring(root, encoding="unicode")
    laughs = BILLION_LAUGHS.replace(b'<name value="&lol9;"/>', b"<name>&lol9;</name>")
    try:
        root = etree.fromstring(laughs, _secure_parser())
    except etree.XMLSyntaxError as error:  # libxml2's own amplification guard
        assert "amplification" in str(error)
    else:
        assert len(etree.tostring(root)) < 1000


def nested_parts(depth: int) -> dict:
    """A Parameters whose one parameter holds parts ``depth`` deep."""
    part = {"name": "leaf"}
    for _ in range(depth):
        part = {"name": "p", "part": [part]}
    return {"resourceType": "Parameters", "parameter": [part]}


def nested_concepts(depth: int) -> dict:
    """A tx-resource CodeSystem whose concepts nest ``depth`` deep."""
    concept = {"code": "leaf"}
    for _ in range(depth):
        concept = {"code": "c", "concept": [concept]}
    code_system = {"resourceType": "CodeSystem", "status": "active", "content": "complete", "concept": [concept]}
    return {"resourceType": "Parameters", "parameter": [{"name": "tx-resource", "resource": code_system}]}


def nested_extensions(depth: int) -> dict:
    """Extensions on a primitive ``depth`` deep."""
    extension = {"url": "http://example.org/e", "valueString": "x"}
    for _ in range(depth - 1):
        extension = {"url": "http://example.org/e", "extension": [extension]}
    return {"resourceType": "Parameters", "parameter": [{"name": "code", "valueCode": "A", "_valueCode": {"extension": [extension]}}]}


def json_levels(value) -> int:
    """How deep ``value`` nests objects and arrays."""
    if isinstance(value, dict):
        return 1 + max(map(json_levels, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(json_levels, value), default=0)
    return 0


@pytest.mark.parametrize("make", [nested_parts, nested_concepts, nested_extensions])
@pytest.mark.parametrize("depth", [1, 4, 20])
def test_json_and_xml_nesting_up_to_the_bound_is_read_and_one_level_more_is_refused(make, depth) -> None:
    resource = make(depth)
    levels = json_levels(resource)
    at = Bound(levels, "TERMINOLOGY_MAX_NESTING_DEPTH")
    under = Bound(levels - 1, "TERMINOLOGY_MAX_NESTING_DEPTH")
    for body, parse in ((to_json(resource), parse_json), (to_xml(resource), parse_xml)):
        assert parse(body, at) == resource
        with pytest.raises(InvalidRequest, match=f"nested more than {levels - 1} levels deep.*at most {levels - 1} [(]TERMINOLOGY_MAX_NESTING_DEPTH[)]$"):
            parse(body, under)


@pytest.mark.parametrize("depth", [150, 250, 10_000])
def test_deeper_nesting_than_the_default_is_refused_and_costs_no_recursion(depth: int) -> None:
    xml = b'<Parameters xmlns="http://hl7.org/fhir"><parameter>' + b"<part>" * depth + b'<name value="leaf"/>' + b"</part>" * depth + b"</parameter></Parameters>"
    json = b'{"resourceType":"Parameters","parameter":[' + b'{"name":"p","part":[' * depth + b'{"name":"leaf"}' + b"]}" * depth + b"]}"
    for body, parse in ((xml, parse_xml), (json, parse_json)):
        with pytest.raises(InvalidRequest, match="nested more than 100 levels deep|Excessive depth"):
            parse(body)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "The request body is empty"),
        (b"   ", "The request body is empty"),
        (b"\xff\xfe\xfd\x00garbage", "not well-formed XML"),
        (b'<Parameters xmlns="http://hl7.org/fhir"><id value="\xff\xfe"/></Parameters>', "not well-formed XML"),
        (b'<Parameters xmlns="http://hl7.org/fhir"><parameter>', "not well-formed XML"),
        (b"<Parameters/>", "not in the FHIR namespace"),
        (b'<Parameters xmlns="http://hl7.org/fhir/other"/>', "not in the FHIR namespace"),
        (b'<f:Parameters xmlns:f="urn:evil"/>', "not in the FHIR namespace"),
        (b'{"resourceType": "Parameters"}', "not well-formed XML"),
        (b'<Parameters xmlns="http://hl7.org/fhir"><name value="&undeclared;"/></Parameters>', "not well-formed XML"),
    ],
)
def test_malformed_or_foreign_xml_is_refused(body: bytes, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        parse_xml(body)


def test_huge_text_nodes_are_refused() -> None:
    body = WRAP % (b'<name value="' + b"a" * 11_000_000 + b'"/>')
    with pytest.raises(InvalidRequest, match="not well-formed XML"):
        parse_xml(body)


# --- fuzzing ------------------------------------------------------------------------------
# parse_xml and parse_json must answer any bytes with a resource or InvalidRequest, nothing else.

SEED_DOCUMENTS = [to_xml(resource) for resource, _ in RESOURCES.values()]
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parses_or_refuses(parse, body: bytes) -> None:
    try:
        result = parse(body)
    except InvalidRequest:
        return
    assert isinstance(result, dict) and isinstance(result["resourceType"], str)


@FUZZ
@given(st.binary(max_size=2000))
def test_fuzz_arbitrary_bytes(body: bytes) -> None:
    parses_or_refuses(parse_xml, body)
    parses_or_refuses(parse_json, body)


FRAGMENTS = [b"<", b">", b"/", b'"', b"&", b"<!DOCTYPE x>", b"<part>", b"</part>", b"\x00", b"\xff", b' id="x"',
             b'value="1"', b"<resource/>", b"<extension>"]


@st.composite
def mutated_documents(draw) -> bytes:
    document = bytearray(draw(st.sampled_from(SEED_DOCUMENTS)))
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(document) - 1))
        action = draw(st.sampled_from(["replace", "delete", "insert"]))
        fragment = draw(st.sampled_from(FRAGMENTS))
        if action == "replace":
            document[position : position + len(fragment)] = fragment
        elif action == "delete":
            del document[position : position + draw(st.integers(1, 20))]
        else:
            document[position:position] = fragment
    return bytes(document)


@FUZZ
@given(mutated_documents())
def test_fuzz_mutated_fhir_documents(body: bytes) -> None:
    parses_or_refuses(parse_xml, body)


ELEMENT_NAMES = ["parameter", "part", "name", "valueBoolean", "valueInteger", "valueDecimal", "valueString", "resource",
                 "extension", "url", "id", "Parameters", "OperationOutcome", "issue", "div", "coding", "valueCoding"]
ATTRIBUTE_VALUES = st.sampled_from(["true", "false", "1", "-1", "1.5", "1e5", "", "x", "99999999999", "&amp;"])


@st.composite
def element_trees(draw, depth: int = 0) -> str:
    name = draw(st.sampled_from(ELEMENT_NAMES))
    names = draw(st.lists(st.sampled_from(["value", "id", "url"]), unique=True, max_size=2))
    attributes = "".join(f' {name}="{draw(ATTRIBUTE_VALUES)}"' for name in names)
    children = draw(st.lists(element_trees(depth + 1), max_size=3)) if depth < 5 else []
    return f"<{name}{attributes}>{''.join(children)}</{name}>" if children else f"<{name}{attributes}/>"


@FUZZ
@given(st.sampled_from(["Parameters", "OperationOutcome", "Bundle"]), st.lists(element_trees(), max_size=4))
def test_fuzz_fhir_shaped_trees(root: str, children: list[str]) -> None:
    parses_or_refuses(parse_xml, f'<{root} xmlns="http://hl7.org/fhir">{"".join(children)}</{root}>'.encode())


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**31), 2**31 - 1) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(ELEMENT_NAMES + ["_name", "bad key", ""]), inner, max_size=3),
    max_leaves=20,
)


@FUZZ
@given(st.dictionaries(st.sampled_from(ELEMENT_NAMES + ["_name"]), JSON_VALUES, max_size=4))
def test_fuzz_to_xml_writes_well_formed_xml_or_refuses(members: dict) -> None:
    resource = {"resourceType": "Parameters", **members}
    try:
        xml = to_xml(resource)
    except InvalidRequest:
        return
    assert etree.fromstring(xml).tag == FHIR + "Parameters"


XML_SAFE_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\t\n\r"), min_size=1, max_size=30
)
FINITE_FLOATS = st.floats(allow_nan=False, allow_infinity=False)


@FUZZ
@given(
    st.lists(
        st.one_of(
            st.builds(lambda n, v: {"name": n, "valueString": v}, XML_SAFE_TEXT, XML_SAFE_TEXT),
            st.builds(lambda n, v: {"name": n, "valueBoolean": v}, XML_SAFE_TEXT, st.booleans()),
            st.builds(lambda n, v: {"name": n, "valueInteger": v}, XML_SAFE_TEXT, st.integers(-(2**31), 2**31 - 1)),
            st.builds(lambda n, v: {"name": n, "valueDecimal": v}, XML_SAFE_TEXT, FINITE_FLOATS),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_fuzz_parameters_round_trip(parameters: list[dict]) -> None:
    resource = {"resourceType": "Parameters", "parameter": parameters}
    assert parse_xml(to_xml(resource)) == resource

"""Bad requests get a 4xx OperationOutcome, never a 500, and the server goes on answering.

The last part fuzzes $lookup and $validate-code with hypothesis: query strings, JSON and XML bodies.
"""

from __future__ import annotations

import json
import os
from xml.sax.saxutils import quoteattr

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terminology.web.app import create_app

from .helpers import (
    FHIR_JSON,
    FHIR_XML,
    ICD10CM,
    INSTANCE_LOOKUP,
    INSTANCE_VALIDATE,
    LOOKUP,
    VALIDATE,
    assert_still_answers,
    error_outcome,
    parameters_body,
    resource_of,
)

SYSTEM = {"name": "system", "valueUri": ICD10CM}
CODE = {"name": "code", "valueCode": "M48.48XA"}


def _post_json(client, body, url=VALIDATE):
    return client.post(url, data=body, content_type=FHIR_JSON)


def _text(outcome):
    return " | ".join(issue["details"]["text"] for issue in outcome["issue"])


# --- JSON bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"resourceType": "Parameters", "parameter": [', "not valid JSON"),
        (b"{'resourceType': 'Parameters'}", "not valid JSON"),
        (b'{"resourceType": "Parameters"} trailing', "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b'"Parameters"', "JSON object"),
        (b"null", "JSON object"),
        (b"42", "JSON object"),
        (b'{"parameter": []}', "resourceType"),
        (b'{"resourceType": 7}', "resourceType"),
        (b'{"resourceType": "Patient"}', "Parameters"),
        (b"   \n", "empty"),
        (b"\xff\xfe{}", "not valid JSON"),
        (b'{"resourceType": "Parameters", "parameter": [{"name": "code", "valueCode": "M48\xff"}]}', "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "nested more than 100 levels deep"),
        (b'{"a":' * 5000 + b"1" + b"}" * 5000, "nested more than 100 levels deep"),
    ],
)
def test_not_a_parameters_resource(client, body, says):
    assert says in _text(error_outcome(_post_json(client, body), 400))
    assert_still_answers(client)


def _parameters(*entries, **members):
    return orjson.dumps({"resourceType": "Parameters", "parameter": list(entries), **members})


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (_parameters({"valueCode": "M48.48"}), "has no name"),
        (_parameters(SYSTEM, {"name": 5, "valueCode": "M48.48"}), "has no name"),
        (_parameters(SYSTEM, "code"), "has no name"),
        (orjson.dumps({"resourceType": "Parameters", "parameter": {"name": "code"}}), "must be an array"),
        (_parameters(SYSTEM, CODE, {"name": "abstract", "valueBoolean": "yes"}), "abstract"),
        (_parameters(SYSTEM, {"name": "code", "valueCode": 5}), "code"),
        (_parameters(SYSTEM, {"name": "code", "valueCode": None}), "code"),
        (_parameters(SYSTEM, {"name": "code", "valueCode": ["M48.48"]}), "code"),
        (_parameters(SYSTEM, {"name": "code", "valueCode": "A", "valueString": "B"}), "more than one value"),
        (_parameters(SYSTEM, CODE, {"name": "code", "valueCode": "M48.48"}), "given 2 times"),
        (_parameters(SYSTEM, CODE, {"name": "system", "valueUri": ICD10CM}), "given 2 times"),
        (_parameters(SYSTEM, CODE, {"name": "bogus", "valueString": "x"}), "'bogus'"),
        (_parameters(SYSTEM, CODE, {"name": "coding", "valueCoding": {"system": ICD10CM, "code": "M48.48"}}), "exactly one"),
        (_parameters(SYSTEM), "exactly one"),
        (_parameters(), "exactly one"),
        (_parameters(CODE), "'url'"),
        (_parameters({"name": "coding", "valueCoding": "M48.48"}), "must be an object"),
        (_parameters({"name": "coding", "valueCoding": {"system": 1, "code": "M48.48"}}), "must be a string"),
        (_parameters({"name": "coding", "valueCoding": {"code": "M48.48"}}), "no system"),
        (_parameters({"name": "codeableConcept", "valueCodeableConcept": {"coding": []}}), "no coding"),
        (_parameters({"name": "codeableConcept", "valueCodeableConcept": []}), "must be an object"),
        (_parameters({"name": "codeableConcept", "valueCoding": {"system": ICD10CM, "code": "M48.48"}}), "CodeableConcept"),
        (_parameters(SYSTEM, {"name": "code", "valueCoding": {"code": "M48.48"}}), "string-like"),
        (_parameters(SYSTEM, {"name": "code", "valueString": "   "}), "empty"),
        (_parameters(SYSTEM, CODE, {"name": "abstract", "valueString": "false"}), "boolean"),
        (_parameters(SYSTEM, CODE, {"name": "url", "valueUri": "http://example.org/other"}), "different code systems"),
        # Codings are echoed back (codeableConcept), so they must be FHIR: no blank strings, no stray spaces in a code.
        (_parameters({"name": "coding", "valueCoding": {"system": ICD10CM, "code": ""}}), "empty"),
        (_parameters({"name": "coding", "valueCoding": {"system": ICD10CM, "code": "M48.48XA", "version": "\x0c"}}), "empty"),
        (_parameters({"name": "codeableConcept", "valueCodeableConcept": {"coding": [{"system": ICD10CM, "code": " M48.48XA"}]}}),
         "stray white space"),
        (_parameters({"name": "coding", "valueCoding": {"system": ICD10CM, "display": "x"}}), "has no code"),
        (_parameters({"name": "codeableConcept", "valueCodeableConcept": {"coding": [
            {"system": ICD10CM, "code": "M48.48XA"}, {"system": ICD10CM, "display": "x"}]}}),
         "has no code"),
    ],
)
def test_bad_parameters(client, body, says):
    outcome = error_outcome(_post_json(client, body), 400)
    assert says in _text(outcome)
    [issue] = outcome["issue"]
    assert issue["code"] == "invalid"
    # A parameter at fault is named in the text (as tx.fhir.org does); a place in the body by its FHIRPath.
    assert all(path.startswith("Parameters.parameter") for path in issue.get("expression", []))
    assert_still_answers(client)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (_parameters(SYSTEM, CODE, {"name": "property", "valueCode": "parent"}), "'property'"),
        (_parameters(SYSTEM, {"name": "code", "valueCode": 5}), "code"),
        (_parameters(SYSTEM, CODE, {"name": "coding", "valueCoding": {"system": ICD10CM, "code": "M48.48"}}), "not both"),
        (_parameters(SYSTEM), "Must provide"),
        (_parameters(SYSTEM, CODE, {"name": "property", "valueBoolean": True}), "string-like"),
        (_parameters(SYSTEM, CODE, {"name": "date", "valueInteger": 2026}), "date"),
    ],
)
def test_bad_lookup_parameters(client, body, says):
    url = VALIDATE if "'property'" in says else LOOKUP  # property belongs to $lookup only
    assert says in _text(error_outcome(_post_json(client, body, url), 400))
    assert_still_answers(client)


# --- query strings --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "query", "says"),
    [
        (VALIDATE, f"system={ICD10CM}&code=M48.48&abstract=maybe", "'maybe'"),
        (VALIDATE, f"system={ICD10CM}&code=M48.48&abstract=", "boolean"),
        (VALIDATE, f"system={ICD10CM}&code=M48.48&code=M48.4", "given 2 times"),
        (VALIDATE, f"system={ICD10CM}&code=", "empty"),
        (VALIDATE, f"system={ICD10CM}", "exactly one"),
        (VALIDATE, "", "exactly one"),
        (VALIDATE, f"system={ICD10CM}&code=M48.48&coding={ICD10CM}|M48.48", "exactly one"),
        (VALIDATE, f"system={ICD10CM}&code=M48.48&foo=bar", "'foo'"),
        (VALIDATE, "coding=M48.48", "system|code"),
        (VALIDATE, f"codeableConcept={ICD10CM}|M48.48", "POST"),
        (VALIDATE, "code=M48.48", "'url'"),
        (LOOKUP, "code=M48.48", "Must provide"),
        (LOOKUP, f"system={ICD10CM}", "Must provide"),
        (LOOKUP, f"system={ICD10CM}&code=M48.48&coding={ICD10CM}|M48.48", "not both"),
        (LOOKUP, f"system={ICD10CM}&code=M48.48&abstract=true", "'abstract'"),
        (LOOKUP, "coding=|M48.48", "Must provide"),
        (VALIDATE, f"coding={ICD10CM}|", "has no code"),
        (INSTANCE_VALIDATE, "code=M48.48&url=http://example.org/x", "http://example.org/x"),
        (INSTANCE_LOOKUP, "code=M48.48&system=http://example.org/x", "http://example.org/x"),
        ("/fhir/metadata", "mode=everything", "'everything'"),
        ("/fhir/CodeSystem", "_summary=everything", "'everything'"),
        ("/fhir/CodeSystem", "jurisdiction=US", "jurisdiction"),
    ],
)
def test_bad_query(client, url, query, says):
    assert says in _text(error_outcome(client.get(f"{url}?{query}"), 400))
    assert_still_answers(client)


def test_non_utf8_query_is_answered(client):
    # Percent-encoded bytes that are not UTF-8 become U+FFFD: an unknown code, not an error.
    response = client.get(f"{VALIDATE}?system={ICD10CM}&code=M48%FF%FE")
    assert resource_of(response)["parameter"][0] == {"name": "result", "valueBoolean": False}
    error_outcome(client.get(f"{LOOKUP}?system={ICD10CM}&code=%FF"), 404)
    error_outcome(client.get("/fhir/CodeSystem/%FF%FE/$lookup?code=M48.48"), 404)
    assert_still_answers(client)


def test_non_utf8_form_body(client):
    response = client.post(VALIDATE, data=b"system=\xff&code=\xfe", content_type="application/x-www-form-urlencoded")
    assert "UTF-8" in _text(error_outcome(response, 400))
    assert_still_answers(client)


def test_empty_post_body(client):
    error_outcome(client.post(VALIDATE, data=b"", content_type=FHIR_JSON), 400)
    error_outcome(client.post(VALIDATE, data=b"", content_type=FHIR_XML), 400)


# --- content types, formats, methods, paths -----------------------------------------------


def test_text_plain_body_is_415(client):
    response = client.post(VALIDATE, data=parameters_body(SYSTEM, CODE), content_type="text/plain")
    assert "'text/plain'" in _text(error_outcome(response, 415))
    assert_still_answers(client)


def test_csv_format_is_406(client):
    response = client.get(VALIDATE, query_string={"system": ICD10CM, "code": "M48.48", "_format": "csv"})
    assert "'csv'" in _text(error_outcome(response, 406))
    # The error of a failing request, with an unwritable _format, is JSON as well.
    error_outcome(client.get(f"{LOOKUP}?code=x&_format=csv"), 400)
    assert_still_answers(client)


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("DELETE", VALIDATE),
        ("DELETE", LOOKUP),
        ("PUT", INSTANCE_VALIDATE),
        ("PATCH", INSTANCE_LOOKUP),
        ("DELETE", "/fhir/CodeSystem/icd-10-cm"),
        ("PUT", "/fhir/CodeSystem/icd-10-cm"),
        ("POST", "/fhir/CodeSystem/icd-10-cm"),
    ],
)
def test_method_not_allowed(client, method, url):
    outcome = error_outcome(client.open(url, method=method), 405)
    assert outcome["issue"][0]["code"] == "not-supported"
    assert method in _text(outcome)
    assert_still_answers(client)


@pytest.mark.parametrize(
    "path",
    [
        "/fhir/Patient",
        "/fhir/Patient/1",
        "/fhir/Patient/$everything",
        "/fhir/CodeSystem/icd-10-cm/$expand",
        "/fhir/CodeSystem/icd-10-cm/_history/1",
        "/fhir/CodeSystem/$nonsense",
        "/fhir/CodeSystem//$lookup",
    ],
)
def test_unknown_path(client, path):
    outcome = error_outcome(client.get(path), 404)
    assert outcome["issue"][0]["code"] == "not-found"
    assert_still_answers(client)


@pytest.mark.parametrize("path", ["/fhir/", "/fhir"])
def test_the_base_takes_only_a_posted_batch(client, path):
    outcome = error_outcome(client.get(path), 405)
    assert outcome["issue"][0]["details"]["text"] == "GET is not supported on /; use POST"


def test_paths_outside_the_fhir_base_are_flasks(client):
    response = client.get("/fhirx/metadata")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_unreadable_content_length(client):
    response = client.post(VALIDATE, data=parameters_body(SYSTEM, CODE), content_type=FHIR_JSON,
                           environ_overrides={"CONTENT_LENGTH": "12abc"})
    assert "Content-Length" in _text(error_outcome(response, 400))
    assert_still_answers(client)


# --- body size ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_client(registry):
    return create_app({"TERMINOLOGY_MAX_BODY_BYTES": 1000}, registry=registry).test_client()


def test_body_over_the_limit_is_413(small_client):
    body = parameters_body(SYSTEM, CODE, {"name": "display", "valueString": "x" * 2000})
    outcome = error_outcome(small_client.post(VALIDATE, data=body, content_type=FHIR_JSON), 413)
    assert outcome["issue"][0]["code"] == "too-long"
    assert "at most 1,000 (TERMINOLOGY_MAX_BODY_BYTES)" in _text(outcome)
    # At the limit is fine.
    body = parameters_body(SYSTEM, CODE)
    body = body[:-2] + b" " * (1000 - len(body)) + body[-2:]
    assert len(body) == 1000
    assert resource_of(small_client.post(VALIDATE, data=body, content_type=FHIR_JSON))["parameter"][0]["valueBoolean"] is True
    assert_still_answers(small_client)


def test_body_over_the_limit_without_content_length_is_413(small_client):
    import io

    response = small_client.post(VALIDATE, input_stream=io.BytesIO(b"{" * 5000), content_type=FHIR_JSON,
                                 environ_overrides={"CONTENT_LENGTH": ""})
    assert "at most 1,000 (TERMINOLOGY_MAX_BODY_BYTES)" in _text(error_outcome(response, 413))
    assert_still_answers(small_client)


@pytest.mark.parametrize("content_type", [FHIR_XML, "application/x-www-form-urlencoded"])
def test_other_bodies_over_the_limit_are_413(small_client, content_type):
    error_outcome(small_client.post(VALIDATE, data=b"a" * 1001, content_type=content_type), 413)


# --- hostile XML ----------------------------------------------------------------------------


def _xml_parameters(code_xml: str, doctype: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}'
        '<Parameters xmlns="http://hl7.org/fhir">'
        f'<parameter><name value="system"/><valueUri value="{ICD10CM}"/></parameter>'
        f'<parameter><name value="code"/><valueCode value="{code_xml}"/></parameter>'
        "</Parameters>"
    )


def test_xml_with_a_doctype(client):
    body = _xml_parameters("&code;", '<!DOCTYPE Parameters [<!ENTITY code "M48.48XA">]>')
    assert "DOCTYPE" in _text(error_outcome(client.post(VALIDATE, data=body, content_type=FHIR_XML), 400))
    assert_still_answers(client)


def test_billion_laughs(client):
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10)]
    body = _xml_parameters("&lol9;", "<!DOCTYPE Parameters [" + "".join(entities) + "]>")
    error_outcome(client.post(VALIDATE, data=body, content_type=FHIR_XML), 400)
    assert_still_answers(client)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_external_entity_is_not_read(client, tmp_path, encoding):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-MARKER-M48")
    body = _xml_parameters("&secret;", f'<!DOCTYPE Parameters [<!ENTITY secret SYSTEM "{secret.as_uri()}">]>')
    body = body.replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"').encode(encoding)
    response = client.post(VALIDATE, data=body, content_type=FHIR_XML)
    outcome = error_outcome(response, 400)
    assert b"SECRET-MARKER" not in response.get_data()
    assert "DOCTYPE" in _text(outcome)
    assert_still_answers(client)


def test_external_dtd_is_not_fetched(client, tmp_path):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY code "SECRET-MARKER">')
    body = _xml_parameters("&code;", f'<!DOCTYPE Parameters SYSTEM "{dtd.as_uri()}">')
    response = client.post(VALIDATE, data=body, content_type=FHIR_XML)
    error_outcome(response, 400)
    assert b"SECRET-MARKER" not in response.get_data()


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("<Parameters xmlns='http://hl7.org/fhir'><parameter>", "well-formed"),
        ("not xml at all", "well-formed"),
        ("<Parameters><parameter><name value='code'/></parameter></Parameters>", "FHIR namespace"),
        ("<Parameters xmlns='http://hl7.org/fhir'><bogus value='1'/></Parameters>", "Unknown element 'bogus'"),
        ("<Nonsense xmlns='http://hl7.org/fhir'/>", "not a FHIR resource type"),
        ("<Patient xmlns='http://hl7.org/fhir'/>", "Parameters"),
        (
            "<Parameters xmlns='http://hl7.org/fhir'><parameter><name value='code'/><name value='x'/></parameter></Parameters>",
            "only once",
        ),
        (
            "<Parameters xmlns='http://hl7.org/fhir'><parameter><name value='abstract'/><valueBoolean value='yes'/></parameter></Parameters>",
            "'yes'",
        ),
        ("<Parameters xmlns='http://hl7.org/fhir'>text</Parameters>", "no text"),
        (
            "<Parameters xmlns='http://hl7.org/fhir'><parameter><name value='code'/><valueCode/></parameter></Parameters>",
            "no value",
        ),
        (
            "<Parameters xmlns='http://hl7.org/fhir'><parameter><name value='p'/>" + "<part><name value='p'/>" * 120
            + "</part>" * 120 + "</parameter></Parameters>",
            "nested",
        ),
        ('<?xml version="1.0" encoding="UTF-8"?><Parameters xmlns="http://hl7.org/fhir"><parameter><name value="\xff"/></parameter></Parameters>',
         "well-formed"),
    ],
)
def test_bad_xml(client, body, says):
    data = body.encode("latin-1") if "\xff" in body else body.encode("utf-8")
    assert says in _text(error_outcome(client.post(VALIDATE, data=data, content_type=FHIR_XML), 400))
    assert_still_answers(client)


# --- fuzzing ------------------------------------------------------------------------------

OPERATIONS = [LOOKUP, VALIDATE, INSTANCE_LOOKUP, INSTANCE_VALIDATE]
NAMES = [
    "system", "code", "version", "display", "coding", "codeableConcept", "url", "abstract", "date",
    "displayLanguage", "property", "_format", "_pretty", "mode", "", "x",
]
VALUES = [
    ICD10CM, "M48.48", "M48.48XA", "m4848xa", "M45-M49", "2026", "2019", "true", "false", "yes", "*", "|",
    f"{ICD10CM}|M48.48", f"{ICD10CM}|", "|M48.48", "a|b|c", "xml", "json", "csv", "en", "de;q=0", " ", "",
    "http://example.org/x y", "M48.48 ", "\x00", "\ud7ff", "&", "=", "%", "%FF", "<x/>", "🦴",
]
# FUZZ_EXAMPLES=5000 for a longer search.
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")), deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def _a_resource(response):
    """Any answer: below 500, a FHIR resource in the format its Content-Type says, valid R4B."""
    assert response.status_code < 500, response.get_data()[:2000]
    format = "xml" if response.mimetype == FHIR_XML else "json"
    resource = resource_of(response, response.status_code, format)
    if response.status_code >= 400:
        assert resource["resourceType"] == "OperationOutcome"
    else:
        assert resource["resourceType"] == "Parameters"
    return resource


text_values = st.one_of(st.sampled_from(VALUES), st.text(max_size=30))
pairs = st.lists(st.tuples(st.one_of(st.sampled_from(NAMES), st.text(max_size=10)), text_values), max_size=8)


@FUZZ
@given(url=st.sampled_from(OPERATIONS), query=pairs)
def test_fuzz_query_strings(client, url, query):
    _a_resource(client.get(url, query_string=query))


@FUZZ
@given(url=st.sampled_from(OPERATIONS), raw=st.binary(max_size=80))
def test_fuzz_raw_query_strings(client, url, raw):
    from urllib.parse import quote_from_bytes

    _a_resource(client.get(url + "?" + quote_from_bytes(raw, safe="=&|")))


@FUZZ
@given(url=st.sampled_from(OPERATIONS), query=pairs)
def test_fuzz_form_bodies(client, url, query):
    _a_resource(client.post(url, data=dict(query)))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text_values,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(["system", "code", "version", "display", "coding", "x"]) | st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
VALUE_KEYS = [
    "valueCode", "valueString", "valueUri", "valueBoolean", "valueInteger", "valueCoding", "valueCodeableConcept",
    "valueDecimal", "valueFoo", "value", "part", "resource",
]


@st.composite
def parameter(draw):
    entry = {}
    if draw(st.integers(0, 9)):
        entry["name"] = draw(st.one_of(st.sampled_from(NAMES), st.text(max_size=8)))
    kind = draw(st.sampled_from(VALUE_KEYS))
    if kind == "valueCoding":
        entry[kind] = draw(st.fixed_dictionaries({}, optional={"system": text_values, "code": text_values, "version": text_values, "display": text_values}))
    elif kind == "valueCodeableConcept":
        entry[kind] = {"coding": draw(st.lists(st.fixed_dictionaries({"system": text_values, "code": text_values}), max_size=3))}
    else:
        entry[kind] = draw(json_values)
    return entry


parameters_resources = st.fixed_dictionaries(
    {"resourceType": st.sampled_from(["Parameters", "Parameters", "Parameters", "Bundle", ""]), "parameter": st.lists(parameter(), max_size=6)}
)


@FUZZ
@given(url=st.sampled_from(OPERATIONS), resource=parameters_resources)
def test_fuzz_parameters_bodies(client, url, resource):
    _a_resource(client.post(url, data=json.dumps(resource), content_type=FHIR_JSON))


@FUZZ
@given(url=st.sampled_from(OPERATIONS), document=json_values)
def test_fuzz_json_bodies(client, url, document):
    _a_resource(client.post(url, data=json.dumps(document), content_type=FHIR_JSON))


@FUZZ
@given(url=st.sampled_from(OPERATIONS), body=st.binary(max_size=200), content_type=st.sampled_from([FHIR_JSON, FHIR_XML, "application/x-www-form-urlencoded"]))
def test_fuzz_binary_bodies(client, url, body, content_type):
    _a_resource(client.post(url, data=body, content_type=content_type))


XML_VALUE_ELEMENTS = ["valueCode", "valueString", "valueUri", "valueBoolean", "valueInteger", "valueDecimal", "valueBogus"]


@st.composite
def xml_parameter(draw):
    inner = []
    if draw(st.integers(0, 9)):
        inner.append(f"<name value={quoteattr(draw(st.one_of(st.sampled_from(NAMES), st.text(max_size=8))))}/>")
    kind = draw(st.sampled_from([*XML_VALUE_ELEMENTS, "valueCoding", "part", "none"]))
    if kind == "valueCoding":
        fields = draw(st.lists(st.sampled_from(["system", "code", "version", "display", "bogus"]), max_size=4))
        inner.append("<valueCoding>" + "".join(f"<{f} value={quoteattr(draw(text_values))}/>" for f in fields) + "</valueCoding>")
    elif kind == "part":
        inner.append(f"<part><name value='code'/><valueCode value={quoteattr(draw(text_values))}/></part>")
    elif kind != "none":
        inner.append(f"<{kind} value={quoteattr(draw(text_values))}/>")
    return "<parameter>" + "".join(draw(st.permutations(inner))) + "</parameter>"


@FUZZ
@given(
    url=st.sampled_from(OPERATIONS),
    entries=st.lists(xml_parameter(), max_size=6),
    root=st.sampled_from(["Parameters", "Parameters", "Bundle", "parameters"]),
    accept=st.sampled_from([FHIR_JSON, FHIR_XML]),
)
def test_fuzz_xml_bodies(client, url, entries, root, accept):
    body = f'<{root} xmlns="http://hl7.org/fhir">{"".join(entries)}</{root}>'
    _a_resource(client.post(url, data=body.encode("utf-8", "surrogatepass"), content_type=FHIR_XML, headers={"Accept": accept}))


# Requests of the right shape with fuzzed values, to get past the parameter checks into the operations.
good_or_fuzzed = st.one_of(st.sampled_from(VALUES), st.text(max_size=20), st.sampled_from(["M48.48XA", "M48.48", ICD10CM]))


@st.composite
def plausible_parameters(draw):
    """A $lookup or $validate-code Parameters resource: a code, coding or codeableConcept, and extras."""
    def coding():
        fields = draw(st.fixed_dictionaries(
            {"system": st.sampled_from([ICD10CM, ICD10CM, "http://example.org/x"]) | good_or_fuzzed, "code": good_or_fuzzed},
            optional={"version": good_or_fuzzed, "display": good_or_fuzzed},
        ))
        return fields

    form = draw(st.sampled_from(["code", "coding", "codeableConcept"]))
    entries = []
    if form == "code":
        entries += [{"name": "system", "valueUri": draw(good_or_fuzzed)}, {"name": "code", "valueCode": draw(good_or_fuzzed)}]
    elif form == "coding":
        entries.append({"name": "coding", "valueCoding": coding()})
    else:
        entries.append({"name": "codeableConcept", "valueCodeableConcept": {"coding": [coding() for _ in range(draw(st.integers(1, 3)))]}})
    for name in draw(st.lists(st.sampled_from(["display", "version", "abstract", "displayLanguage", "property", "date"]), max_size=3, unique=True)):
        if name == "abstract":
            entries.append({"name": name, "valueBoolean": draw(st.booleans())})
        else:
            entries.append({"name": name, "valueString": draw(good_or_fuzzed)})
    return {"resourceType": "Parameters", "parameter": draw(st.permutations(entries))}


@FUZZ
@given(url=st.sampled_from(OPERATIONS), resource=plausible_parameters(), accept=st.sampled_from([FHIR_JSON, FHIR_XML]))
def test_fuzz_plausible_parameters(client, url, resource, accept):
    _a_resource(client.post(url, data=json.dumps(resource), content_type=FHIR_JSON, headers={"Accept": accept}))


@FUZZ
@given(url=st.sampled_from(OPERATIONS), resource=plausible_parameters())
def test_fuzz_plausible_parameters_in_xml(client, url, resource):
    from hypothesis import assume

    from terminology.errors import InvalidRequest
    from terminology.fhir import codec

    try:
        body = codec.to_xml(resource)
    except InvalidRequest:  # a character XML cannot carry
        assume(False)
    _a_resource(client.post(url, data=body, content_type=FHIR_XML))


@FUZZ
@given(
    url=st.sampled_from(OPERATIONS),
    system=good_or_fuzzed,
    code=good_or_fuzzed,
    extras=st.lists(st.tuples(st.sampled_from(["display", "version", "abstract", "displayLanguage", "property", "_format"]), good_or_fuzzed), max_size=3),
    coding=st.booleans(),
)
def test_fuzz_plausible_queries(client, url, system, code, extras, coding):
    query = [("coding", f"{system}|{code}")] if coding else [("system", system), ("code", code)]
    _a_resource(client.get(url, query_string=query + extras))


def test_still_answering_after_the_fuzzing(client):
    assert_still_answers(client)


# --- digits that are not ASCII: str.isdigit takes '²', int() does not ----------------------------


def test_a_cost_threshold_of_other_digits_is_a_400(client):
    response = client.get("/fhir/ValueSet/$expand", query_string={"url": f"{SYSTEM}?fhir_vs", "count": "1"},
                          headers={"X-TOO-COSTLY-THRESHOLD": "²"})
    assert "X-TOO-COSTLY-THRESHOLD" in _text(error_outcome(response, 400))


@pytest.mark.parametrize("version", ["²", "1.²", "٣"])
def test_versions_of_other_digits_are_answered(client, version):
    value_set = {"resourceType": "ValueSet", "url": "http://example.org/vs", "status": "active",
                 "compose": {"include": [{"system": SYSTEM, "version": version}, {"system": SYSTEM, "version": "2026"}]}}
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "valueSet", "resource": value_set}, {"name": "coding", "valueCoding": {"system": SYSTEM, "code": CODE}}]}
    response = client.post("/fhir/ValueSet/$validate-code", json=body, headers={"Content-Type": "application/fhir+json"})
    assert response.status_code < 500, response.get_data()[:500]
    assert_still_answers(client)

"""Hypothesis strategies for requests a FHIR terminology server must survive: FHIR-shaped Parameters
with the right names and the wrong types or shapes, ValueSets with random composes, random query
strings on every route, and random bytes in every content type.

Each draws a :class:`FuzzRequest`; the names, systems, codes and ids they mix in are real ones, so
that much of what is sent gets past the first check and reaches the code behind it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

__all__ = ["FuzzRequest", "parameters_requests", "query_requests", "raw_body_requests", "value_set_requests"]

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
SYSTEMS = (ICD10CM, "http://hl7.org/fhir/sid/icd-9-cm", "http://terminology.hl7.org/CodeSystem/v2-0001", "http://loinc.org", "urn:oid:1.2.3", "")
CODES = ("E11.9", "E119", "M48.48XA", "A00", "A00-B99", "I21.09", "Z99.89", "F", "NOT-A-CODE", "e11.9", " E11.9", "*")
VALUE_SETS = (
    "http://fhir.icd10cm-terminology.org/ValueSet/icd10cm-billable",
    "http://terminology.hl7.org/ValueSet/v2-0001",
    f"{ICD10CM}?fhir_vs",
    f"{ICD10CM}?fhir_vs=isa/E11",
    "http://example.org/fuzz/vs-a",
    "http://example.org/fuzz/vs-b",
)
CONCEPT_MAPS = ("http://fhir.icd10cm-terminology.org/ConceptMap/icd10cm-fy2019-to-fy2020", "http://example.org/fuzz/cm")
IDS = ("icd-10-cm", "icd-10-cm-2025", "v2-0001", "icd10cm-billable", "icd10cm-fy2019-to-fy2020", "CodeSystem-drg-cc-exclusion", "x", "..", "%00")
#: Every parameter name an operation reads, and the ecosystem's that none honours.
NAMES = (
    "code", "system", "version", "coding", "codeableConcept", "date", "displayLanguage", "property", "useSupplement",
    "tx-resource", "uuid", "url", "display", "abstract", "codeA", "codeB", "codingA", "codingB", "principal", "secondary",
    "valueSet", "valueSetVersion", "systemVersion", "activeOnly", "inferSystem", "valueset-membership-only",
    "lenient-display-validation", "mode", "valueSetMode", "system-version", "check-system-version", "force-system-version",
    "default-valueset-version", "filter", "count", "offset", "includeDesignations", "includeDefinition", "excludeNested",
    "designation", "conceptMap", "conceptMapVersion", "source", "target", "targetsystem", "reverse", "sourceCode",
    "sourceSystem", "sourceCoding", "targetSystem", "targetCode", "validation", "cache-id", "profile-url", "_format",
    "_count", "_offset", "_summary", "_elements", "_total", "name", "title", "status", "content-mode", "reference",
)  # fmt: skip
OPERATIONS = (
    "CodeSystem/$lookup", "CodeSystem/$validate-code", "CodeSystem/$subsumes", "CodeSystem/$drg-cc-exclusion",
    "CodeSystem/icd-10-cm/$lookup", "CodeSystem/icd-10-cm/$validate-code", "CodeSystem/icd-10-cm/$subsumes",
    "ValueSet/$expand", "ValueSet/$validate-code", "ValueSet/$batch-validate-code", "ValueSet/icd10cm-billable/$expand",
    "ValueSet/icd10cm-billable/$validate-code", "ValueSet/icd10cm-billable/$batch-validate-code",
    "ConceptMap/$translate", "ConceptMap/icd10cm-fy2019-to-fy2020/$translate", "",
)  # fmt: skip
_TEXT_TYPES = ("String", "Code", "Uri", "Canonical", "Date", "DateTime", "Id", "Markdown")
_VALUE_KEYS = tuple(f"value{kind}" for kind in (*_TEXT_TYPES, "Boolean", "Integer", "Decimal", "Coding", "CodeableConcept", "Quantity"))
_CONTENT_TYPES = (
    "application/fhir+json", "application/json", "application/fhir+xml", "application/xml", "text/xml",
    "application/x-www-form-urlencoded", None, "text/plain", "multipart/form-data; boundary=x", "application/fhir+json; charset=latin-1",
)  # fmt: skip
_FILTER_OPS = ("=", "is-a", "descendent-of", "is-not-a", "regex", "in", "not-in", "generalizes", "exists", "child-of", "descendent-leaf", "")
_FILTER_PROPERTIES = ("concept", "code", "parent", "child", "inactive", "status", "billable", "chapter", "display", "")
_REGEXES = ("E1.*", "(a+)+$", "[", "^.{0,1000}$", "(?P<x>", "\\", ".*" * 50, "(a|aa)*b", "\\p{L}+")


@dataclass(frozen=True)
class FuzzRequest:
    """One request: ``path`` below the FHIR base, with a query and a body (and its content type)."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    content_type: str | None = None
    accept: str | None = None


def _huge(longest: int) -> st.SearchStrategy[str]:
    """A long string, made cheaply (hypothesis draws long text slowly)."""
    return st.builds(lambda piece, times: (piece * times)[:longest], st.text("A9.|é", min_size=1, max_size=4), st.integers(1_000, longest))


def _text(longest: int) -> st.SearchStrategy[str]:
    """Text of every kind: unicode, the codes, systems and value sets the server knows, ``system|code``, huge."""
    return st.one_of(
        st.text(max_size=30),
        st.sampled_from(CODES + SYSTEMS + VALUE_SETS + CONCEPT_MAPS + ("true", "false", "-1", "0", "1e9", "2026-04-01", "2026-13-45", "null")),
        st.builds(lambda system, code: f"{system}|{code}", st.sampled_from(SYSTEMS), st.sampled_from(CODES)),
        _huge(longest),
    )


TEXT = _text(300_000)
# A URL longer than about 64 KiB is refused by the HTTP server (granian) with a bare 414, before the
# application sees it: the only answer that is no FHIR resource (see the README). Queries stay below that,
# percent-encoded (6 bytes for an 'é') in up to 3 parameters.
QUERY_TEXT = _text(3_000)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(("system", "code", "coding", "text", "resourceType", "x")), inner, max_size=3),
    max_leaves=8,
)


def _coding() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {}, optional={"system": st.sampled_from(SYSTEMS) | TEXT, "code": st.sampled_from(CODES) | TEXT, "version": st.sampled_from(("2026", "2025", "9999")), "display": TEXT}
    )


def _value(key: str) -> st.SearchStrategy[Any]:
    """A value for ``key``: mostly of its type, sometimes of another (or another shape)."""
    if key == "valueBoolean":
        right = st.booleans()
    elif key == "valueInteger":
        right = st.integers(-(2**40), 2**40)
    elif key == "valueCoding":
        right = _coding()
    elif key == "valueCodeableConcept":
        right = st.fixed_dictionaries({"coding": st.lists(_coding(), max_size=3)}, optional={"text": TEXT})
    else:
        right = TEXT
    return st.one_of(right, right, JSON_VALUES)


@st.composite
def _parameter(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    name = draw(st.sampled_from(NAMES) | st.text(max_size=10))
    shape = draw(st.sampled_from(("value", "value", "value", "resource", "part", "nothing", "two values")))
    parameter: dict[str, Any] = {"name": name}
    if shape in ("value", "two values"):
        for key in draw(st.lists(st.sampled_from(_VALUE_KEYS), min_size=1, max_size=1 if shape == "value" else 2, unique=True)):
            parameter[key] = draw(_value(key))
    elif shape == "resource":
        parameter["resource"] = draw(value_sets(depth) | _parameters_resource(depth + 1) | JSON_VALUES) if depth < 2 else draw(JSON_VALUES)
    elif shape == "part" and depth < 2:
        parameter["part"] = draw(st.lists(_parameter(depth + 1), max_size=3))
    return parameter


@st.composite
def _parameters_resource(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    return {"resourceType": "Parameters", "parameter": draw(st.lists(_parameter(depth), max_size=6))}


@st.composite
def _filter(draw: st.DrawFn) -> dict[str, Any]:
    op = draw(st.sampled_from(_FILTER_OPS))
    value = draw(st.sampled_from(_REGEXES) if op == "regex" else (st.sampled_from(CODES) | TEXT))
    return {"property": draw(st.sampled_from(_FILTER_PROPERTIES)), "op": op, "value": value}


@st.composite
def _include(draw: st.DrawFn) -> dict[str, Any]:
    include: dict[str, Any] = {}
    if draw(st.booleans()):
        include["system"] = draw(st.sampled_from(SYSTEMS) | TEXT)
    if draw(st.booleans()):
        include["version"] = draw(st.sampled_from(("2026", "2025", "2021", "9999", "*")))
    if draw(st.booleans()):
        include["concept"] = draw(st.lists(st.fixed_dictionaries({"code": st.sampled_from(CODES) | TEXT}, optional={"display": TEXT}), max_size=4))
    if draw(st.booleans()):
        include["filter"] = draw(st.lists(_filter(), max_size=3))
    if draw(st.integers(0, 3)) == 0:
        include["valueSet"] = draw(st.lists(st.sampled_from(VALUE_SETS) | TEXT, max_size=3))
    return include


@st.composite
def value_sets(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    """A ValueSet whose compose includes and excludes codes, filters and other value sets (its own url among them)."""
    compose: dict[str, Any] = {"include": draw(st.lists(_include(), max_size=3))}
    if draw(st.booleans()):
        compose["exclude"] = draw(st.lists(_include(), max_size=2))
    if draw(st.integers(0, 4)) == 0:
        compose["inactive"] = draw(JSON_VALUES)
    value_set = {"resourceType": "ValueSet", "url": draw(st.sampled_from(VALUE_SETS[-2:]) | TEXT), "status": "active", "compose": compose}
    if draw(st.integers(0, 5)) == 0:
        value_set["compose"] = draw(JSON_VALUES)
    return value_set


def _json(resource: Any) -> bytes:
    return json.dumps(resource, ensure_ascii=False).encode("utf-8", "surrogatepass")


@st.composite
def parameters_requests(draw: st.DrawFn) -> FuzzRequest:
    """A POST of a FHIR-shaped Parameters to an operation: valid names, values of wrong types or shapes."""
    path = draw(st.sampled_from(OPERATIONS))
    resource = draw(_parameters_resource())
    if draw(st.integers(0, 9)) == 0:  # sometimes another resource, or none, as the body
        resource = draw(value_sets() | JSON_VALUES)
    return FuzzRequest("POST", path, body=_json(resource), content_type="application/fhir+json")


@st.composite
def value_set_requests(draw: st.DrawFn) -> FuzzRequest:
    """A random ValueSet to expand or validate in, given as ``valueSet`` or as a ``tx-resource`` named by url
    (beside other tx-resources that its compose may include, itself among them)."""
    main = draw(value_sets())
    others = draw(st.lists(value_sets(), max_size=2))
    as_resource = draw(st.booleans())
    parameters = [{"name": "valueSet", "resource": main}] if as_resource else [{"name": "url", "valueUri": main["url"]}]
    parameters += [{"name": "tx-resource", "resource": other} for other in (others if as_resource else [main, *others])]
    operation = draw(st.sampled_from(("ValueSet/$expand", "ValueSet/$validate-code")))
    if operation.endswith("validate-code"):
        parameters.append({"name": "coding", "valueCoding": draw(_coding())})
    else:
        for name, value in draw(st.lists(st.tuples(st.sampled_from(("count", "offset", "filter", "activeOnly", "excludeNested")), TEXT), max_size=2)):
            parameters.append({"name": name, "valueString": value})
    return FuzzRequest("POST", operation, body=_json({"resourceType": "Parameters", "parameter": parameters}), content_type="application/fhir+json")


@st.composite
def query_requests(draw: st.DrawFn, routes: tuple[tuple[str, str], ...]) -> FuzzRequest:
    """A random query string on one of ``routes`` ((method, path) with ``{id}`` for an id)."""
    method, path = draw(st.sampled_from(routes))
    path = path.replace("{id}", draw(st.sampled_from(IDS) | st.text(min_size=1, max_size=12)))
    query = tuple(draw(st.lists(st.tuples(st.sampled_from(NAMES) | st.text(max_size=8), QUERY_TEXT), max_size=3)))
    accept = draw(st.sampled_from((None, "application/fhir+xml", "application/fhir+json", "*/*", "text/html", "image/png", "application/xml;q=0.9, */*;q=0")))
    return FuzzRequest(method, path, query=query, accept=accept)


@st.composite
def raw_body_requests(draw: st.DrawFn) -> FuzzRequest:
    """Random bytes, or a real document with some of its bytes changed, in every content type."""
    path = draw(st.sampled_from(OPERATIONS))
    content_type = draw(st.sampled_from(_CONTENT_TYPES))
    kind = draw(st.sampled_from(("bytes", "mutated json", "mutated xml", "xml", "form")))
    if kind == "bytes":
        body = draw(st.binary(max_size=300))
    elif kind == "form":
        body = draw(st.lists(st.tuples(st.sampled_from(NAMES), TEXT), max_size=5).map(lambda pairs: "&".join(f"{n}={v}" for n, v in pairs).encode("utf-8", "surrogatepass")))
    elif kind == "xml":
        body = draw(st.sampled_from(_XML_DOCUMENTS))
    else:
        document = _XML_DOCUMENTS[0] if kind == "mutated xml" else _json(draw(_parameters_resource()))
        body = _mutated(document, draw(st.lists(st.tuples(st.integers(0, 10_000), st.binary(max_size=3)), min_size=1, max_size=4)))
    return FuzzRequest("POST", path, body=body, content_type=content_type)


def _mutated(document: bytes, changes: list[tuple[int, bytes]]) -> bytes:
    for position, replacement in changes:
        at = position % (len(document) + 1)
        document = document[:at] + replacement + document[at + len(replacement):]
    return document


_XML_DOCUMENTS = (
    b'<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="code"/><valueCode value="E11.9"/></parameter>'
    b'<parameter><name value="system"/><valueUri value="http://hl7.org/fhir/sid/icd-10-cm"/></parameter></Parameters>',
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><Parameters xmlns="http://hl7.org/fhir">&b;</Parameters>',
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Parameters xmlns="http://hl7.org/fhir"><parameter><name value="&e;"/></parameter></Parameters>',
    b'<Parameters xmlns="http://hl7.org/fhir">' + b"<parameter><part>" * 500 + b"</part></parameter>" * 500 + b"</Parameters>",
    b'<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="valueSet"/><resource><ValueSet><compose><include><system value="http://hl7.org/fhir/sid/icd-10-cm"/><filter><property value="concept"/><op value="is-a"/><value value="E11"/></filter></include></compose></ValueSet></resource></parameter></Parameters>',
    b'<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="count"/><valueInteger value="99999999999999999999"/></parameter></Parameters>',
    b'<Parameters xmlns="http://example.org"><parameter/></Parameters>',
    b'<Bundle xmlns="http://hl7.org/fhir"><type value="batch"/><entry><request><method value="GET"/><url value="CodeSystem/$lookup?system=http://hl7.org/fhir/sid/icd-10-cm&amp;code=E11.9"/></request></entry></Bundle>',
    "<Parameters xmlns=\"http://hl7.org/fhir\"><parameter><name value=\"code\"/><valueCode value=\"\u00e9\U0001f600\"/></parameter></Parameters>".encode("utf-16"),
)

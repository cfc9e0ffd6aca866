"""What the client sends: R4's own parameter names, the same for a code whether sent alone or in a batch."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl, urlsplit

from terminology.client import ICD10CM, CodeQuery
from terminology.client.wire import batch_bundle, batch_validate_code_parameters, expand_call, translate_call, validate_code_call

DATED = CodeQuery("M48.48XA", version="2025", display="Fatigue fracture", date=date(2025, 6, 1))


def test_a_code_system_validation_names_the_system_url_and_its_version():
    call = validate_code_call(DATED, None)
    assert call.path == "CodeSystem/$validate-code"
    assert dict(call.query) == {"url": ICD10CM, "code": "M48.48XA", "version": "2025", "display": "Fatigue fracture", "date": "2025-06-01"}


def test_a_value_set_validation_names_the_value_set_and_the_system_version():
    call = validate_code_call(DATED, "http://example.org/vs|2.0")
    assert call.path == "ValueSet/$validate-code"
    assert dict(call.query) == {
        "url": "http://example.org/vs", "valueSetVersion": "2.0", "code": "M48.48XA", "system": ICD10CM,
        "systemVersion": "2025", "display": "Fatigue fracture", "date": "2025-06-01",
    }  # fmt: skip


def test_a_batch_entry_is_the_get_of_the_single_call():
    call = validate_code_call(CodeQuery("m48.48 xa&x=1"), None)
    [entry] = batch_bundle([call])["entry"]
    url = urlsplit(entry["request"]["url"])
    assert entry["request"]["method"] == "GET" and url.path == call.path
    assert tuple(parse_qsl(url.query)) == call.query


def test_batch_validate_code_gives_the_value_set_once_and_a_validation_per_code():
    body = batch_validate_code_parameters([DATED, CodeQuery("A00")], "http://example.org/vs")
    assert body["parameter"][0] == {"name": "url", "valueUri": "http://example.org/vs"}
    first, second = (p["resource"]["parameter"] for p in body["parameter"][1:])
    assert first == [
        {"name": "code", "valueCode": "M48.48XA"}, {"name": "system", "valueUri": ICD10CM}, {"name": "systemVersion", "valueString": "2025"},
        {"name": "display", "valueString": "Fatigue fracture"}, {"name": "date", "valueDateTime": "2025-06-01"},
    ]  # fmt: skip
    assert second == [{"name": "code", "valueCode": "A00"}, {"name": "system", "valueUri": ICD10CM}]


def test_expand_and_translate_parameters():
    assert dict(expand_call("http://example.org/vs|2.0", filter=None, count=10, offset=20, date=None).query) == {
        "url": "http://example.org/vs", "valueSetVersion": "2.0", "offset": "20", "count": "10",
    }  # fmt: skip
    call = translate_call("A00", ICD10CM, url=None, target_system="http://snomed.info/sct", reverse=True, version=None)
    assert dict(call.query) == {"system": ICD10CM, "code": "A00", "targetsystem": "http://snomed.info/sct", "reverse": "true"}

"""The size and cost bounds of a request, each set small: a request at the bound is answered, one just
past it is refused with an OperationOutcome that names the bound, its value and its setting, and the
server's own content is as it was. (The body's size over real HTTP: test_limits_over_http.py.)"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

import orjson
import pytest

from terminology.fhir import codec
from terminology.http.dispatcher import Dispatcher
from terminology.http.messages import HttpRequest, HttpResponse
from terminology.settings import Settings

BASE = "http://tx.example.org/fhir"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOCAL = "http://example.org/fhir/CodeSystem/local"
JSON = {"content-type": "application/fhir+json"}


def _answer(settings: Settings, registry, method: str, path: str, query=(), body: Any = None, headers=None) -> HttpResponse:
    data = body if isinstance(body, bytes) else (b"" if body is None else codec.to_json(body))
    request = HttpRequest(method, path, list(query), headers or JSON, io.BytesIO(data).read, BASE, len(data))
    return Dispatcher(registry, settings).handle(request)


def _refused(answer: HttpResponse, status: int, issue_type: str) -> str:
    assert answer.status == status, answer.body
    issue = orjson.loads(answer.body)["issue"][0]
    assert issue["code"] == issue_type
    return issue["details"]["text"]


def _ok(answer: HttpResponse) -> dict[str, Any]:
    assert answer.status == 200, answer.body
    return orjson.loads(answer.body)


def _parameters(*parameters: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Parameters", "parameter": list(parameters)}


def _code_system(*codes: str, nested: tuple[str, ...] = ()) -> dict[str, Any]:
    concepts: list[dict[str, Any]] = [{"code": code, "display": code} for code in codes]
    if nested:
        concepts[0]["concept"] = [{"code": code, "display": code} for code in nested]
    return {"resourceType": "CodeSystem", "url": LOCAL, "version": "1", "status": "active", "content": "complete", "concept": concepts}


def _value_set(*codes: str, regex: str | None = None) -> dict[str, Any]:
    include: dict[str, Any] = {"system": LOCAL}
    if codes:
        include["concept"] = [{"code": code} for code in codes]
    if regex is not None:
        include["filter"] = [{"property": "code", "op": "regex", "value": regex}]
    return {"resourceType": "ValueSet", "url": "http://example.org/fhir/ValueSet/local", "status": "active", "compose": {"include": [include]}}


def _tx(resource: dict[str, Any]) -> dict[str, Any]:
    return {"name": "tx-resource", "resource": resource}


def _validate_local(*extra: dict[str, Any]) -> dict[str, Any]:
    return _parameters({"name": "url", "valueUri": LOCAL}, {"name": "code", "valueCode": "a"}, *extra)


def _codes(expansion: dict[str, Any]) -> list[str]:
    return [entry["code"] for entry in expansion["expansion"].get("contains", [])]


# --- nesting depth ----------------------------------------------------------------------------


def _nested(depth: int) -> dict[str, Any]:
    """A $validate-code of ICD-10-CM whose code carries extensions nested to make the body ``depth`` deep."""
    extension: dict[str, Any] = {"url": "http://example.org/e", "valueString": "x"}
    for _ in range((depth - 6) // 2):
        extension = {"url": "http://example.org/e", "extension": [extension]}
    code = {"name": "code", "valueCode": "Z66", "_valueCode": {"extension": [extension]}}
    return _parameters({"name": "url", "valueUri": ICD10CM}, code)


@pytest.mark.parametrize("content_type", ["application/fhir+json", "application/fhir+xml"])
def test_a_body_nested_to_the_bound_is_read_and_one_level_deeper_is_a_400(registry, content_type) -> None:
    settings = Settings(max_nesting_depth=20)
    for depth, status in ((20, 200), (22, 400)):
        resource = _nested(depth)
        body = codec.to_json(resource) if content_type.endswith("json") else codec.to_xml(resource)
        answer = _answer(settings, registry, "POST", "/CodeSystem/$validate-code", body=body, headers={"content-type": content_type})
        if status == 200:
            assert _ok(answer)["parameter"][0] == {"name": "result", "valueBoolean": True}
        else:
            assert "this server takes at most 20 (TERMINOLOGY_MAX_NESTING_DEPTH)" in _refused(answer, 400, "invalid")


def test_a_deeply_nested_tx_resource_is_a_400_not_a_500(registry) -> None:
    concept: dict[str, Any] = {"code": "a"}
    for _ in range(300):  # past what orjson writes back (254 levels), under what it reads (1,024)
        concept = {"code": "b", "concept": [concept]}
    body = b'{"resourceType":"Parameters","parameter":[{"name":"url","valueUri":"%s"},{"name":"code","valueCode":"a"},' % LOCAL.encode()
    body += b'{"name":"tx-resource","resource":{"resourceType":"CodeSystem","url":"%s","content":"complete","concept":[' % LOCAL.encode()
    body += b'{"code":"b","concept":[' * 300 + b'{"code":"a"}' + b"]}" * 300 + b"]}}]}"
    text = _refused(_answer(Settings(), registry, "POST", "/CodeSystem/$validate-code", body=body), 400, "invalid")
    assert "nested more than 100 levels deep; this server takes at most 100 (TERMINOLOGY_MAX_NESTING_DEPTH)" in text


# --- parameters ---------------------------------------------------------------------------------


def test_query_pairs_up_to_the_bound_are_read_and_one_more_is_a_422(registry) -> None:
    settings = Settings(max_parameters=5)
    query = [("url", ICD10CM), ("code", "Z66"), ("_pad", "1"), ("_pad", "2"), ("_pad", "3")]
    assert _ok(_answer(settings, registry, "GET", "/CodeSystem/$validate-code", query))["parameter"][0]["valueBoolean"] is True
    text = _refused(_answer(settings, registry, "GET", "/CodeSystem/$validate-code", [*query, ("_pad", "4")]), 422, "too-costly")
    assert text == "The request has 6 parameters; this server takes at most 5 (TERMINOLOGY_MAX_PARAMETERS)"


def test_a_form_with_more_fields_than_the_bound_is_refused_before_it_is_split(registry) -> None:
    settings = Settings(max_parameters=5)
    form = {"content-type": "application/x-www-form-urlencoded"}
    fields = [("url", ICD10CM), ("code", "Z66"), ("_pad", "1"), ("_pad", "2"), ("_pad", "3")]
    assert _ok(_answer(settings, registry, "POST", "/CodeSystem/$validate-code", body=urlencode(fields).encode(), headers=form))
    answer = _answer(settings, registry, "POST", "/CodeSystem/$validate-code", body=urlencode([*fields, ("_pad", "4")]).encode(), headers=form)
    assert "at most 5 (TERMINOLOGY_MAX_PARAMETERS)" in _refused(answer, 422, "too-costly")


def _validation(code: str) -> dict[str, Any]:
    return {"name": "validation", "resource": _parameters({"name": "url", "valueUri": ICD10CM}, {"name": "code", "valueCode": code})}


def test_parameters_count_their_parts_and_the_parameters_they_carry(registry) -> None:
    settings = Settings(max_parameters=6)  # two validations of two parameters each: 2 + 2 * 2
    batch = _parameters(_validation("Z66"), _validation("A00.0"))
    assert len(_ok(_answer(settings, registry, "POST", "/ValueSet/$batch-validate-code", body=batch))["parameter"]) == 2
    batch["parameter"].append(_validation("A00.1"))
    text = _refused(_answer(settings, registry, "POST", "/ValueSet/$batch-validate-code", body=batch), 422, "too-costly")
    assert text == "The request has more than 6 parameters; this server takes at most 6 (TERMINOLOGY_MAX_PARAMETERS)"
    parts = _parameters({"name": "url", "valueUri": ICD10CM}, {"name": "x", "part": [{"name": "y", "part": [{"name": "z"}] * 4}]})
    assert "has more than 6 parameters" in _refused(_answer(settings, registry, "POST", "/CodeSystem/$lookup", body=parts), 422, "too-costly")


# --- batch entries ------------------------------------------------------------------------------


def test_a_batch_of_as_many_entries_as_the_bound_is_run_and_one_more_is_a_413(registry) -> None:
    settings = Settings(max_batch_entries=2)
    entry = {"request": {"method": "GET", "url": f"CodeSystem/$lookup?system={ICD10CM}&code=Z66"}}
    bundle = {"resourceType": "Bundle", "type": "batch", "entry": [entry, entry]}
    assert len(_ok(_answer(settings, registry, "POST", "/", body=bundle))["entry"]) == 2
    bundle["entry"].append(entry)
    text = _refused(_answer(settings, registry, "POST", "/", body=bundle), 413, "too-long")
    assert text == "The batch has 3 entries; this server runs at most 2 (TERMINOLOGY_MAX_BATCH_ENTRIES) in one batch"
    validations = _parameters(*[_validation("Z66")] * 3)
    answer = _answer(settings, registry, "POST", "/ValueSet/$batch-validate-code", body=validations)
    assert _refused(answer, 413, "too-long") == "The batch has 3 validations; this server runs at most 2 (TERMINOLOGY_MAX_BATCH_ENTRIES)"


# --- tx-resources and their concepts ---------------------------------------------------------


def test_as_many_tx_resources_as_the_bound_are_read_and_one_more_is_a_422(registry) -> None:
    settings = Settings(max_tx_resources=2)
    two = _validate_local(_tx(_code_system("a")), _tx(_value_set("a")))
    assert _ok(_answer(settings, registry, "POST", "/CodeSystem/$validate-code", body=two))["parameter"][0]["valueBoolean"] is True
    three = _validate_local(_tx(_code_system("a")), _tx(_value_set("a")), _tx(_value_set("a")))
    text = _refused(_answer(settings, registry, "POST", "/CodeSystem/$validate-code", body=three), 422, "too-costly")
    assert text == "The request brings 3 tx-resources; this server takes at most 2 (TERMINOLOGY_MAX_TX_RESOURCES)"


def test_tx_resources_listing_as_many_concepts_as_the_bound_are_read_and_one_more_is_a_422(registry) -> None:
    settings = Settings(max_resource_concepts=5)  # nested concepts, and a value set's, count
    at_the_bound = _validate_local(_tx(_code_system("a", "b", nested=("c",))), _tx(_value_set("a", "b")))
    assert _ok(_answer(settings, registry, "POST", "/CodeSystem/$validate-code", body=at_the_bound))["parameter"][0]["valueBoolean"] is True
    past = _validate_local(_tx(_code_system("a", "b", nested=("c", "d"))), _tx(_value_set("a", "b")))
    text = _refused(_answer(settings, registry, "POST", "/CodeSystem/$validate-code", body=past), 422, "too-costly")
    assert text.endswith("list more than 5 concepts; this server reads at most 5 (TERMINOLOGY_MAX_RESOURCE_CONCEPTS)")


def test_a_value_set_parameter_counts_its_concepts_too(registry) -> None:
    settings = Settings(max_resource_concepts=3)
    expand = _parameters({"name": "valueSet", "resource": _value_set("a", "b", "c")}, _tx(_code_system()))
    assert _ok(_answer(settings, registry, "POST", "/ValueSet/$expand", body=expand))
    expand["parameter"][0]["resource"] = _value_set("a", "b", "c", "d")
    assert "at most 3 (TERMINOLOGY_MAX_RESOURCE_CONCEPTS)" in _refused(_answer(settings, registry, "POST", "/ValueSet/$expand", body=expand), 422, "too-costly")


def test_a_validation_of_a_batch_that_brings_too_many_concepts_is_refused_on_its_own(registry) -> None:
    settings = Settings(max_resource_concepts=3)

    def validation(*codes: str) -> dict[str, Any]:
        own = _parameters({"name": "valueSet", "resource": _value_set(*codes)}, {"name": "code", "valueCode": "a"}, {"name": "system", "valueUri": LOCAL})
        return {"name": "validation", "resource": own}

    batch = _parameters(validation("a", "b", "c"), validation("a", "b", "c", "d"), _tx(_code_system("a", "b", "c")))
    first, second = (entry["resource"] for entry in _ok(_answer(settings, registry, "POST", "/ValueSet/$batch-validate-code", body=batch))["parameter"])
    assert first["parameter"][0] == {"name": "result", "valueBoolean": True}
    assert second["issue"][0]["code"] == "too-costly" and "at most 3 (TERMINOLOGY_MAX_RESOURCE_CONCEPTS)" in second["issue"][0]["details"]["text"]


def test_refused_resources_leave_the_servers_content_as_it_was(registry) -> None:
    settings = Settings(max_resource_concepts=1)
    _refused(_answer(settings, registry, "POST", "/CodeSystem/$validate-code", body=_validate_local(_tx(_code_system("a", "b")))), 422, "too-costly")
    after = _answer(settings, registry, "GET", "/CodeSystem/$validate-code", [("url", LOCAL), ("code", "a")])
    assert _ok(after)["parameter"][0] == {"name": "result", "valueBoolean": False}  # the code system is not known
    assert registry.code_system(LOCAL, None) is None


# --- regex --------------------------------------------------------------------------------------


def test_a_regex_filter_as_long_as_the_bound_is_run_and_a_longer_one_is_a_422(registry) -> None:
    settings = Settings(max_regex_length=5)
    local = _tx(_code_system("ab", "ac", "b"))
    expand = _parameters({"name": "valueSet", "resource": _value_set(regex="a[bc]")}, local)
    assert _codes(_ok(_answer(settings, registry, "POST", "/ValueSet/$expand", body=expand))) == ["ab", "ac"]
    for where in ("valueSet", "tx-resource"):
        longer = _value_set(regex="a[bc]*")
        body = _parameters({"name": "valueSet", "resource": longer}, local) if where == "valueSet" else _validate_local(local, _tx(longer))
        path = "/ValueSet/$expand" if where == "valueSet" else "/CodeSystem/$validate-code"
        text = _refused(_answer(settings, registry, "POST", path, body=body), 422, "too-costly")
        assert text.endswith("is 6 characters long; this server takes patterns of at most 5 (TERMINOLOGY_MAX_REGEX_LENGTH)")


# --- expansions ---------------------------------------------------------------------------------


def _expand_local(*codes: str, count: int | None = None) -> dict[str, Any]:
    paging = [{"name": "count", "valueInteger": count}] if count is not None else []
    return _parameters({"name": "valueSet", "resource": _value_set(*codes)}, _tx(_code_system("a", "b", "c", "d")), *paging)


def test_an_expansion_of_as_many_codes_as_the_bound_is_answered_and_a_larger_one_must_be_paged(registry) -> None:
    settings = Settings(max_expansion_codes=3)
    assert _codes(_ok(_answer(settings, registry, "POST", "/ValueSet/$expand", body=_expand_local("a", "b", "c")))) == ["a", "b", "c"]
    text = _refused(_answer(settings, registry, "POST", "/ValueSet/$expand", body=_expand_local("a", "b", "c", "d")), 422, "too-costly")
    assert "expansion has too many codes to display (4); this server answers at most 3 (TERMINOLOGY_MAX_EXPANSION_CODES) at once" in text
    assert _codes(_ok(_answer(settings, registry, "POST", "/ValueSet/$expand", body=_expand_local("a", "b", "c", "d", count=2)))) == ["a", "b"]


def test_an_expansion_selecting_more_codes_than_the_bound_is_too_costly_even_paged(registry) -> None:
    settings = Settings(max_selected_codes=3)
    assert _ok(_answer(settings, registry, "POST", "/ValueSet/$expand", body=_expand_local("a", "b", "c", count=1)))
    answer = _answer(settings, registry, "POST", "/ValueSet/$expand", body=_expand_local("a", "b", "c", "d", count=1))
    assert "this server selects at most 3 (TERMINOLOGY_MAX_SELECTED_CODES)" in _refused(answer, 422, "too-costly")


def test_an_expansion_past_its_time_is_too_costly(registry) -> None:
    # Every code of ICD-10-CM read through a regex filter: far longer than a microsecond.
    value_set = {"resourceType": "ValueSet", "url": "http://example.org/fhir/ValueSet/slow", "status": "active",
                 "compose": {"include": [{"system": ICD10CM, "filter": [{"property": "code", "op": "regex", "value": "Z6.*"}]}]}}  # fmt: skip
    body = _parameters({"name": "valueSet", "resource": value_set}, {"name": "count", "valueInteger": 5})
    assert len(_codes(_ok(_answer(Settings(), registry, "POST", "/ValueSet/$expand", body=body)))) == 5
    text = _refused(_answer(Settings(max_expansion_seconds=1e-6), registry, "POST", "/ValueSet/$expand", body=body), 422, "too-costly")
    assert text == (
        "The value set 'http://example.org/fhir/ValueSet/slow' expansion took too long (more than 1e-06 seconds); "
        "this server stops it after 1e-06 seconds (TERMINOLOGY_MAX_EXPANSION_SECONDS)"
    )

"""The validator's caches' bounds and refusals, over the dispatcher in this process: the idle expiry of
each store kept on this machine, the size bound, and ids that cannot be used."""

from __future__ import annotations

import io
import time
from typing import Any

import orjson
import pytest

from terminology.http.dispatcher import Dispatcher
from terminology.http.messages import HttpRequest
from terminology.settings import InvalidSetting, Settings
from terminology.web.app import create_app

BASE = "http://tx.example.org/fhir"
JSON = {"content-type": "application/fhir+json"}
CODE_SYSTEM = {
    "resourceType": "CodeSystem", "url": "http://example.org/cs/colours", "version": "1", "status": "active",
    "content": "complete", "concept": [{"code": "red"}, {"code": "green"}],
}  # fmt: skip


def _value_set(code: str) -> dict[str, Any]:
    include = {"system": CODE_SYSTEM["url"], "concept": [{"code": code}]}
    return {"resourceType": "ValueSet", "url": "http://example.org/vs/chosen", "version": "1", "status": "active", "compose": {"include": [include]}}


def _post(dispatcher: Dispatcher, path: str, entries: list[dict[str, Any]], query=(), **headers: str) -> tuple[int, dict[str, Any]]:
    body = orjson.dumps({"resourceType": "Parameters", "parameter": entries})
    answer = dispatcher.handle(HttpRequest("POST", path, list(query), {**JSON, **headers}, io.BytesIO(body).read, BASE, len(body)))
    return answer.status, orjson.loads(answer.body)


def _start(dispatcher: Dispatcher, *resources: dict[str, Any]) -> str:
    status, answer = _post(dispatcher, "/$cache-control", [{"name": "tx-resource", "resource": r} for r in resources], [("mode", "start")])
    assert status == 200, answer
    return answer["parameter"][0]["valueId"]


def _validate(dispatcher: Dispatcher, code: str, *entries: dict[str, Any], **headers: str) -> tuple[int, dict[str, Any]]:
    asked = [{"name": "url", "valueUri": "http://example.org/vs/chosen"}, {"name": "system", "valueUri": CODE_SYSTEM["url"]}, {"name": "code", "valueCode": code}]
    return _post(dispatcher, "/ValueSet/$validate-code", asked + list(entries), **headers)


def _result(answer: tuple[int, dict[str, Any]]) -> bool:
    status, resource = answer
    assert status == 200, resource
    return next(p["valueBoolean"] for p in resource["parameter"] if p["name"] == "result")


def _text(resource: dict[str, Any]) -> str:
    return " ".join(issue["details"]["text"] for issue in resource["issue"])


@pytest.mark.parametrize("store", ["process", "files"])
def test_a_cache_unused_for_longer_than_its_idle_time_is_gone(registry, tmp_path, store) -> None:
    dispatcher = Dispatcher(registry, Settings(cache_store=store, cache_dir=tmp_path, client_cache_idle_seconds=1.0))
    cache_id = _start(dispatcher, CODE_SYSTEM, _value_set("red"))
    for _ in range(3):  # (each use starts its idle time again)
        time.sleep(0.4)
        assert _result(_validate(dispatcher, "red", **{"x-cache-id": cache_id})) is True
    time.sleep(1.3)
    status, outcome = _validate(dispatcher, "red", **{"x-cache-id": cache_id})
    assert status == 404
    assert "unused for too long" in _text(outcome)


def test_a_cache_past_its_size_bound_is_refused_naming_the_setting(registry) -> None:
    dispatcher = Dispatcher(registry, Settings(client_cache_max_bytes=300))
    status, outcome = _post(dispatcher, "/$cache-control", [{"name": "tx-resource", "resource": r} for r in (CODE_SYSTEM, _value_set("red"))], [("mode", "start")])
    assert status == 422
    assert "(TERMINOLOGY_CLIENT_CACHE_MAX_BYTES)" in _text(outcome)


def test_a_resource_sent_again_under_a_cache_id_replaces_the_one_before(registry) -> None:
    dispatcher = Dispatcher(registry, Settings())
    cache_id = {"name": "cache-id", "valueId": "client-" + _start(dispatcher)}
    assert _result(_validate(dispatcher, "red", cache_id, {"name": "tx-resource", "resource": CODE_SYSTEM}, {"name": "tx-resource", "resource": _value_set("red")}))
    assert _result(_validate(dispatcher, "green", cache_id, {"name": "tx-resource", "resource": _value_set("green")}))
    assert _result(_validate(dispatcher, "green", cache_id)) is True
    assert _result(_validate(dispatcher, "red", cache_id)) is False


def test_a_header_and_a_parameter_that_name_different_caches_are_refused(registry) -> None:
    dispatcher = Dispatcher(registry, Settings())
    status, outcome = _validate(dispatcher, "red", {"name": "cache-id", "valueId": "one"}, **{"x-cache-id": "two"})
    assert status == 400
    assert "name different caches" in _text(outcome)


@pytest.mark.parametrize("cache_id", ["x" * 129, "tab\there"])
def test_a_cache_id_that_cannot_be_one_is_a_400(registry, cache_id) -> None:
    status, outcome = _validate(Dispatcher(registry, Settings()), "red", **{"x-cache-id": cache_id})
    assert status == 400
    assert "printable characters" in _text(outcome)


def test_an_unknown_store_is_refused_by_name() -> None:
    with pytest.raises(InvalidSetting, match="TERMINOLOGY_CACHE_STORE is 'memcached': it takes one of process, files, redis"):
        Settings.read({}, {"TERMINOLOGY_CACHE_STORE": "memcached"})


def test_the_admin_settings_show_the_redis_url_without_its_password(registry) -> None:
    config = {"TERMINOLOGY_ADMIN_TOKEN": "t" * 32, "TERMINOLOGY_REDIS_URL": "redis://:s3cret@cache.internal:6379/2"}
    answer = create_app(config, registry).test_client().get("/admin/settings", headers={"Authorization": "Bearer " + "t" * 32})
    assert answer.get_json()["TERMINOLOGY_REDIS_URL"] == "redis://cache.internal:6379/2"
    assert b"s3cret" not in answer.data


def test_a_browser_may_send_the_cache_id_header_where_cors_is_on(registry) -> None:
    origin = "https://app.example.org"
    client = create_app({"TERMINOLOGY_CORS_ORIGINS": origin}, registry).test_client()
    preflight = client.options("/fhir/ValueSet/$validate-code", headers={"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-cache-id"})
    assert preflight.status_code == 204
    assert "X-Cache-Id" in preflight.headers["Access-Control-Allow-Headers"].split(", ")

"""The validator's caches over real HTTP: ``$cache-control`` with ``X-Cache-Id``, and the ``cache-id``
parameter, on a server of one worker (the process store) and of two with no store set (then the files
store, which they share)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from cache_requests import CODE_SYSTEM, JSON, VALUE_SET, end, outcome_text, parameters, result, start, tx_resources, validate
from running_server import RunningServer, serving


@pytest.fixture(scope="module", params=[("process", 1), (None, 2)], ids=["process-1-worker", "no-store-set-2-workers"])
def server(request, registry, release_cache, tmp_path_factory) -> Iterator[RunningServer]:
    store, workers = request.param
    log = tmp_path_factory.mktemp("serve") / "server.log"
    with serving(release_cache, log, workers=workers, env={"TERMINOLOGY_CACHE_STORE": store} if store else {}) as running:
        yield running


def test_the_capability_statement_offers_cache_control_as_the_conformance_runner_looks_for_it(server) -> None:
    statement = requests.get(f"{server.base}/metadata", headers=JSON, timeout=30).json()
    [operation] = [op for op in statement["rest"][0]["operation"] if op["name"] == "cache-control"]
    definition_id = operation["definition"].rpartition("/")[2]
    definition = requests.get(f"{server.base}/OperationDefinition/{definition_id}", headers=JSON, timeout=30).json()
    assert (definition["code"], definition["url"]) == ("cache-control", operation["definition"])


def test_requests_with_a_started_cache_id_see_its_resources_until_it_ends(server) -> None:
    assert validate(server, "red").status_code == 404  # the value set is not known without them
    cache_id = start(server, CODE_SYSTEM, VALUE_SET)
    for _ in range(8):  # (on both workers, where there are two)
        assert result(validate(server, "red", **{"X-Cache-Id": cache_id})) is True
        assert result(validate(server, "green", **{"X-Cache-Id": cache_id})) is False
    assert end(server, cache_id).status_code == 200
    gone = validate(server, "red", **{"X-Cache-Id": cache_id})
    assert gone.status_code == 404
    assert "send them with the request as 'tx-resource'" in outcome_text(gone)


def test_cache_ids_are_unguessable_and_an_unknown_one_is_a_404_that_says_what_to_do(server) -> None:
    first, second = start(server, CODE_SYSTEM), start(server, CODE_SYSTEM)
    assert first != second and len(first) >= 32
    unknown = validate(server, "red", **{"X-Cache-Id": first[:-4] + "abcd"})
    assert unknown.status_code == 404
    assert "$cache-control?mode=start" in outcome_text(unknown)
    assert end(server, "no-such-cache").status_code == 404


def test_a_request_s_own_resources_are_seen_beside_the_cache_s(server) -> None:
    cache_id = start(server, CODE_SYSTEM)
    assert validate(server, "red", **{"X-Cache-Id": cache_id}).status_code == 404  # no value set in the cache
    assert result(validate(server, "red", *tx_resources(VALUE_SET), **{"X-Cache-Id": cache_id})) is True
    assert validate(server, "red", **{"X-Cache-Id": cache_id}).status_code == 404  # the header's cache keeps none


def test_the_cache_id_parameter_keeps_what_a_client_sent_for_its_next_requests(server) -> None:
    cache_id = {"name": "cache-id", "valueId": "client-chosen-" + start(server)}  # (a fresh id)
    assert result(validate(server, "red", cache_id, *tx_resources(CODE_SYSTEM, VALUE_SET))) is True
    for _ in range(6):
        assert result(validate(server, "red", cache_id)) is True
    assert validate(server, "red", {"name": "cache-id", "valueId": "never-used-" + start(server)}).status_code == 404


def test_a_batch_s_entries_see_the_batch_s_cache(server) -> None:
    cache_id = start(server, CODE_SYSTEM, VALUE_SET)
    entry = {"request": {"method": "GET", "url": f"ValueSet/$validate-code?url={VALUE_SET['url']}&system={CODE_SYSTEM['url']}&code=red"}}
    bundle = {"resourceType": "Bundle", "type": "batch", "entry": [entry]}
    answer = requests.post(server.base, json=bundle, headers={**JSON, "X-Cache-Id": cache_id}, timeout=30).json()
    [parameters] = [e["resource"] for e in answer["entry"]]
    assert {"name": "result", "valueBoolean": True} in parameters["parameter"]


@pytest.mark.parametrize("query", [{"mode": "pause"}, {}])
def test_cache_control_takes_start_or_end(server, query) -> None:
    response = requests.post(f"{server.base}/$cache-control", params=query, json=parameters(), headers=JSON, timeout=30)
    assert response.status_code == 400
    assert "mode=start or mode=end" in outcome_text(response)

"""The standalone server under faults, over real processes and the loopback (the drills of scripts/faults.py,
short): a worker killed under load is replaced and only the requests it held fail; SIGTERM lets the requests
in flight finish, refuses new connections and exits within TERMINOLOGY_SHUTDOWN_SECONDS; a start on damaged
compiled copies rebuilds them and answers as the copies did."""

from __future__ import annotations

import importlib.util
import random
import shutil
import sys
from pathlib import Path

import pytest
import requests
from running_server import serving

from terminology.loaders.sealed_marshal import unsealed

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "faults.py"
SECONDS = 3.0  # of load in each drill
CLIENTS = 6
MAX_REQUESTS = 50_000


@pytest.fixture(scope="module")
def faults():
    spec = importlib.util.spec_from_file_location("faults", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (its dataclasses look their module up)
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_a_worker_killed_under_load_is_replaced_and_only_the_requests_it_held_fail(faults, compiled_content):
    figures = faults.kill_drill(SECONDS, CLIENTS, MAX_REQUESTS)
    assert figures["server still running"], figures
    assert figures["failed requests it did not hold"] == 0, figures
    # at most one a connection: the request in flight on it, or the next one sent on it before its end was seen
    assert figures["failed requests the killed worker held (its connections)"] <= figures["connections the killed worker held"], figures
    assert figures["seconds until a new worker listens"] is not None, figures
    assert figures["new connections the new worker took, of 16"] >= 1, figures  # it serves, beside the other
    assert figures["requests sent"] > figures["requests failed"], figures


def test_sigterm_lets_the_requests_in_flight_finish_refuses_new_connections_and_exits(faults, compiled_content):
    figures = faults.drain_drill(SECONDS, CLIENTS, MAX_REQUESTS, bound=20.0, slow=6)
    assert figures["slow requests answered whole (200)"] == 6, figures
    assert figures["of those, in flight at SIGTERM"] >= 1, figures
    assert figures["load: of those, failed"] == 0, figures
    probes = figures["new connections after SIGTERM, by outcome"]
    # refused, and exited, when the slow requests are done (a second or two), far from the bound where a
    # worker that missed the signal is killed
    assert figures["seconds until a new connection is refused"] <= 10.0, figures
    assert set(probes) <= {"answered 200", "refused", "RemoteDisconnected", "ConnectionResetError"}, figures  # none hung
    assert figures["server exited"], figures
    assert figures["seconds to exit"] <= 10.0, figures


def test_sigterm_stops_a_request_that_outlives_the_bound(faults, compiled_content):
    figures = faults.bound_drill(SECONDS, CLIENTS, MAX_REQUESTS)
    assert figures["server exited"], figures
    assert figures["seconds to exit"] <= 1.0 + 4.0, figures  # a whole CodeSystem takes longer on this machine


# What a start reads from the compiled copies: a code's title, notes, HCCs and MS-DRG severity (releases, CMS-HCC,
# MS-DRG), its history (the code history) and an ICD-9-CM code with a GEM (ICD-9-CM and the GEMs).
_ANSWERS_FROM_THE_COPIES = (
    "/CodeSystem/$lookup?system=http://hl7.org/fhir/sid/icd-10-cm&code=E11.22",
    "/CodeSystem/$lookup?system=http://hl7.org/fhir/sid/icd-10-cm&code=R57.0&property=drg-severity",
    "/CodeSystem/$validate-code?url=http://hl7.org/fhir/sid/icd-10-cm&code=T40.7X1A&date=2025-06-01",
    "/ConceptMap/$translate?url=http://fhir.icd10cm-terminology.org/ConceptMap/icd9cm-to-icd10cm"
    "&system=http://hl7.org/fhir/sid/icd-9-cm&code=073.0",
)


@pytest.mark.parametrize("damage", ["cut in half", "overwritten with garbage"])
def test_a_start_on_damaged_compiled_copies_rebuilds_them_and_answers_as_before(client, release_cache, tmp_path, damage):
    cache_dir = tmp_path / "cache"
    shutil.copytree(release_cache, cache_dir)
    copies = sorted(cache_dir.glob("*.marshal"))
    assert len(copies) >= 8  # each release, the releases together, the history, ICD-9-CM and the GEMs, CMS-HCC, MS-DRG
    for copy in copies:
        good = copy.read_bytes()
        copy.write_bytes(good[: len(good) // 2] if damage == "cut in half" else random.Random(copy.name).randbytes(len(good)))
    with serving(cache_dir, tmp_path / "server.log") as server:
        for path in _ANSWERS_FROM_THE_COPIES:
            answer = requests.get(server.base + path, timeout=60)
            assert answer.status_code == 200, answer.text
            assert answer.json() == client.get("/fhir" + path).get_json()  # as from the copies the session compiled
        log = server.output()
    passed_over = [copy for copy in copies if any("ignoring unreadable compiled" in line and copy.name in line for line in log.splitlines())]
    assert {copy.name.split("-")[0] for copy in passed_over} >= {"icd10cm", "cms", "icd9cm", "ms"}, log
    for copy in passed_over:
        unsealed(copy.read_bytes())  # written anew, whole

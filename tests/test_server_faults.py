"""The standalone server under faults, over real processes and the loopback (the drills of scripts/faults.py,
short): a worker killed under load is replaced and only the requests it held fail; SIGTERM lets the requests
in flight finish, refuses new connections and exits within TERMINOLOGY_SHUTDOWN_SECONDS."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

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
    assert figures["load: of those, failed"] == 0, figures
    probes = figures["new connections after SIGTERM, by outcome"]
    assert figures["seconds until a new connection is refused"] is not None, figures
    assert set(probes) <= {"answered 200", "refused", "RemoteDisconnected", "ConnectionResetError"}, figures  # none hung
    assert figures["server exited"], figures
    assert figures["seconds to exit"] <= 20.0 + faults.EXIT_MARGIN, figures


def test_sigterm_stops_a_request_that_outlives_the_bound(faults, compiled_content):
    figures = faults.bound_drill(SECONDS, CLIENTS, MAX_REQUESTS)
    assert figures["server exited"], figures
    assert figures["seconds to exit"] <= 1.0 + 4.0, figures  # a whole CodeSystem takes longer on this machine

"""The HL7 terminology ecosystem tests (``../shared/txtests``, general mode, FHIR R4) against the
real server: every test listed in ``conformance_passing.txt`` must still pass, with the validator's
caches (the runner sends each suite's resources once, with ``$cache-control``, since the server offers
it) and without them (each request brings its resources)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from running_server import ROOT, RunningServer, free_port, start, stop

RUNNER = ROOT.parent / "shared" / "txtests" / "run.py"
PASSING = Path(__file__).with_name("conformance_passing.txt")

pytestmark = pytest.mark.skipif(not RUNNER.exists(), reason=f"the conformance runner is not at {RUNNER}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    port = free_port()
    cache = tmp_path_factory.mktemp("cache")
    # (two workers share the caches in files: a suite's requests reach both)
    env = {"TERMINOLOGY_CACHE_DIR": str(cache), "TERMINOLOGY_CACHE_STORE": "files"}
    command = [str(ROOT / ".venv" / "bin" / "terminology"), "serve", "--port", str(port), "--workers", "2"]
    running = start(command, env, port, tmp_path_factory.mktemp("serve") / "server.log")
    yield running
    stop(running)


@pytest.mark.parametrize("caches", [True, False], ids=["with-cache-control", "without-cache-control"])
def test_no_conformance_test_that_passed_fails_now(server: RunningServer, caches: bool) -> None:
    logged_before = server.output().count('"cache_control"')
    run = subprocess.run(
        [sys.executable, str(RUNNER), "--server", server.base, "--fhir-version", "4.0", "--json", *([] if caches else ["--no-cache-control"])],
        capture_output=True, text=True, timeout=900,
    )
    assert run.stdout.strip(), f"the runner printed no report:\n{run.stderr[-3000:]}"
    report = json.loads(run.stdout)
    passing = {f"{t['suite']}/{t['test']}" for t in report["tests"] if t["status"] == "PASS"}
    expected = {line.strip() for line in PASSING.read_text().splitlines() if line.strip() and not line.startswith("#")}
    regressed = sorted(expected - passing)
    messages = {f"{t['suite']}/{t['test']}": t["message"] for t in report["tests"]}
    assert not regressed, "conformance tests that passed and fail now:\n" + "\n".join(
        f"{name}: {messages.get(name)}" for name in regressed
    )
    assert report["passed"] >= len(expected)
    # the runner used the caches where it was let (the request log names the operation of each request)
    assert (server.output().count('"cache_control"') > logged_before) is caches

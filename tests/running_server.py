"""Starting the real server for a test, as a user starts it, and stopping it with all its workers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
START_DEADLINE = 60.0  # seconds: the first start parses the release and installs nothing
STOP_DEADLINE = 15.0


@dataclass
class RunningServer:
    process: subprocess.Popen
    base: str  # the FHIR base, http://127.0.0.1:<port>/fhir
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(command: Sequence[str], env: dict[str, str], port: int, log: Path) -> RunningServer:
    """Starts ``command`` in its own process group and waits until ``/fhir/metadata`` answers."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = RunningServer(process, f"http://127.0.0.1:{port}/fhir", log)
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with status {process.returncode}:\n{server.output()}")
        try:
            if requests.get(f"{server.base}/metadata", timeout=5).status_code == 200:
                return server
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    stop(server)
    pytest.fail(f"the server did not answer within {START_DEADLINE:.0f} s:\n{server.output()}")


@contextmanager
def serving(cache_dir: Path, log: Path, workers: int = 1, env: dict[str, str] | None = None) -> Iterator[RunningServer]:
    """``terminology serve`` on a free port over the content compiled in ``cache_dir`` (and ``env``'s
    settings), until the block ends."""
    port = free_port()
    command = [str(ROOT / ".venv" / "bin" / "terminology"), "serve", "--port", str(port), "--workers", str(workers)]
    running = start(command, {"TERMINOLOGY_CACHE_DIR": str(cache_dir), **(env or {})}, port, log)
    try:
        yield running
    finally:
        stop(running)


def stop(server: RunningServer) -> None:
    """SIGTERM to the whole group (the Granian master and its workers), SIGKILL if it lingers."""
    try:
        os.killpg(server.process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        server.process.wait(timeout=STOP_DEADLINE)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(server.process.pid, signal.SIGKILL)  # any worker left behind
    except ProcessLookupError:
        pass
    server.process.wait(timeout=STOP_DEADLINE)


def without_request_id(outcome: dict) -> dict:
    """A served resource as it is, but an OperationOutcome less the request id each issue's ``diagnostics`` names (what an answer
    made in process, with no request, lacks)."""
    if outcome.get("resourceType") != "OperationOutcome":
        return outcome
    issues = [{key: value for key, value in issue.items() if key != "diagnostics"} for issue in outcome["issue"]]
    return {**outcome, "issue": issues}

"""The Redis store of the validator's caches, against a real ``redis-server`` this test starts on a free
loopback port: the workers share the caches; Redis stopped, a cache-id request is a 503 with an
OperationOutcome and every other request is answered; Redis back, cache ids work again."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from running_server import RunningServer, free_port, serving
from cache_requests import CODE_SYSTEM, JSON, VALUE_SET, outcome_text, result, start, validate

REDIS = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(REDIS is None, reason="redis-server is not installed (scripts/system-packages redis-server)")


class Redis:
    """A ``redis-server`` of its own on ``port``, keeping nothing on disk; it can be stopped and started again."""

    def __init__(self, port: int, folder: Path) -> None:
        self.port, self.folder = port, folder
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [str(REDIS), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        pytest.fail(f"redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def redis(tmp_path_factory) -> Iterator[Redis]:
    server = Redis(free_port(), tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def server(redis, registry, release_cache, tmp_path_factory) -> Iterator[RunningServer]:
    env = {"TERMINOLOGY_CACHE_STORE": "redis", "TERMINOLOGY_REDIS_URL": f"redis://127.0.0.1:{redis.port}/0"}
    with serving(release_cache, tmp_path_factory.mktemp("serve") / "server.log", workers=2, env=env) as running:
        yield running


def _lookup(server: RunningServer) -> requests.Response:
    return requests.get(f"{server.base}/CodeSystem/$lookup", params={"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "Z66"}, headers=JSON, timeout=30)


def test_the_workers_share_the_caches_in_redis(server) -> None:
    cache_id = start(server, CODE_SYSTEM, VALUE_SET)
    for _ in range(8):
        assert result(validate(server, "red", **{"X-Cache-Id": cache_id})) is True


def test_redis_down_fails_only_the_cache_id_requests_and_its_return_mends_them(server, redis) -> None:
    cache_id = start(server, CODE_SYSTEM, VALUE_SET)
    redis.stop()
    try:
        for response in (
            validate(server, "red", **{"X-Cache-Id": cache_id}),
            validate(server, "red", {"name": "cache-id", "valueId": cache_id}),
            requests.post(f"{server.base}/$cache-control", params={"mode": "start"}, json={"resourceType": "Parameters"}, headers=JSON, timeout=30),
        ):
            assert response.status_code == 503, response.text
            assert "cannot be reached" in outcome_text(response)
            assert response.json()["issue"][0]["code"] == "transient"
        assert _lookup(server).status_code == 200
        assert requests.get(server.base.removesuffix("/fhir") + "/readyz", timeout=30).status_code == 200  # (the balancer keeps it)
    finally:
        redis.start()
    # (this Redis kept nothing on disk: the old cache is gone, a new one works on every worker)
    assert validate(server, "red", **{"X-Cache-Id": cache_id}).status_code == 404
    new_id = start(server, CODE_SYSTEM, VALUE_SET)
    for _ in range(4):
        assert result(validate(server, "red", **{"X-Cache-Id": new_id})) is True

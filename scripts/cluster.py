"""Replicas of the server behind HAProxy, with Redis for the validator caches, all on the loopback.

    scripts/cluster                          # 3 replicas of 2 workers each, the balancer on 127.0.0.1:8080
    scripts/cluster --replicas 2 --port 8081

Starts Redis (``redis-server``, nothing saved to disk), the replicas (each ``terminology serve`` with its
own workers, given ``TERMINOLOGY_CACHE_STORE=redis`` and ``TERMINOLOGY_REDIS_URL``) and HAProxy with the
project's configuration (``deploy/haproxy/haproxy.cfg``, the replicas' ``server`` lines appended); prints
the balancer's FHIR base once every replica is ready, and stops everything on Ctrl-C or SIGTERM. Each
process runs in its own process group (a replica's workers with it) and writes its output to a log in
the cluster's folder, which is printed too.

``running_cluster`` does the same for a test or a benchmark, as a context manager.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

__all__ = ["Cluster", "Process", "free_port", "running_cluster"]

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
HAPROXY_CONFIG = ROOT / "deploy" / "haproxy" / "haproxy.cfg"
TERMINOLOGY = ROOT / ".venv" / "bin" / "terminology"
START_DEADLINE = 60.0  # seconds: a replica's first start on a new machine compiles the content
STOP_DEADLINE = 30.0  # beyond a replica's drain (TERMINOLOGY_SHUTDOWN_SECONDS, 25 by default)


@dataclass
class Process:
    """A process the cluster started, in its own process group, and where its output goes."""

    name: str
    port: int
    popen: subprocess.Popen
    log: Path

    def kill(self) -> None:
        """SIGKILL to its whole process group (a replica's workers too), as a crash or the OOM killer would."""
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.popen.wait(STOP_DEADLINE)

    def terminate(self) -> bool:
        """SIGTERM to its process group; whether it was still there."""
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
        except ProcessLookupError:
            return False
        return True

    def stop(self) -> None:
        """SIGTERM to its process group, SIGKILL if it has not exited within ``STOP_DEADLINE``."""
        if self.terminate():
            self.wait_or_kill()

    def wait_or_kill(self) -> None:
        """Waits up to ``STOP_DEADLINE`` for it to exit after its SIGTERM, then SIGKILL. (One SIGTERM only: a
        second one to a draining granian started its wait for the workers over.)"""
        try:
            self.popen.wait(STOP_DEADLINE)
        except subprocess.TimeoutExpired:
            pass
        self.kill()  # and whatever of its group is left


@dataclass
class Cluster:
    """Running replicas behind a balancer: ``base`` is the balancer's FHIR base."""

    base: str
    balancer: Process
    replicas: list[Process]
    redis: Process
    socket: Path  # HAProxy's runtime API
    folder: Path  # the configuration and every process's log

    @property
    def redis_url(self) -> str:
        return _redis_url(self.redis.port)

    def servers(self) -> dict[str, dict[str, str]]:
        """The balancer's view of each replica, by name (HAProxy's ``show stat``: ``status`` is UP or
        DOWN, ``stot`` the requests it was sent, ``hrsp_2xx`` those it answered 2xx, ...)."""
        rows = csv.DictReader(self.command("show stat").lstrip("# ").splitlines())
        return {row["svname"]: row for row in rows if row["pxname"] == "replicas" and row["svname"] != "BACKEND"}

    def command(self, line: str) -> str:
        """The answer of HAProxy's runtime API to one command line."""
        with socket.socket(socket.AF_UNIX) as client:
            client.settimeout(5)
            client.connect(str(self.socket))
            client.sendall(line.encode() + b"\n")
            return b"".join(iter(lambda: client.recv(65536), b"")).decode()

    def stop_redis(self) -> None:
        self.redis.stop()

    def start_redis(self) -> None:
        """Redis again on its port, empty (as after a restart that kept nothing)."""
        self.redis.popen = _start_redis(self.folder, self.redis.port).popen


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def running_cluster(
    replicas: int = 3, workers: int = 2, port: int | None = None, environ: Mapping[str, str] | None = None,
    folder: Path | None = None,
) -> Iterator[Cluster]:
    """``replicas`` servers of ``workers`` workers each, Redis and HAProxy in front of them on ``port`` (a free
    one if None), every one ready, until the block ends; ``environ``: more settings for the replicas;
    ``folder``: where the configuration and the logs go (a temporary folder, removed after, if None)."""
    with ExitStack() as stack:
        if folder is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="terminology-cluster-")))
        redis = _start_redis(folder, free_port())
        stack.callback(redis.stop)
        settings = {"TERMINOLOGY_CACHE_STORE": "redis", "TERMINOLOGY_REDIS_URL": _redis_url(redis.port), **(environ or {})}
        # The first replica alone first: on a new machine it compiles the content, which the others then read.
        started: list[Process] = []
        stack.callback(_stop_together, started)  # (filled below: every replica started is stopped)
        started.append(_start_replica(folder, 1, workers, settings))
        _wait_until_ready(started[0])
        for number in range(2, replicas + 1):
            started.append(_start_replica(folder, number, workers, settings))
        for replica in started[1:]:
            _wait_until_ready(replica)
        balancer, control = _start_balancer(folder, port or free_port(), started)
        stack.callback(balancer.stop)
        cluster = Cluster(f"http://{HOST}:{balancer.port}/fhir", balancer, started, redis, control, folder)
        _wait_until_balanced(cluster)
        yield cluster


def _stop_together(processes: list[Process]) -> None:
    """SIGTERM to all at once, then each waited for: their drains overlap, so stopping N replicas takes at
    most one ``STOP_DEADLINE``, not N (one after another, two replicas could take a minute)."""
    terminated = [process for process in processes if process.terminate()]
    for process in terminated:
        process.wait_or_kill()


def _start(name: str, command: list[str], port: int, folder: Path, environ: Mapping[str, str] | None = None) -> Process:
    log = folder / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **(environ or {})}, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    return Process(name, port, popen, log)


def _start_redis(folder: Path, port: int) -> Process:
    """``redis-server`` on the loopback, keeping nothing on disk."""
    command = ["redis-server", "--bind", HOST, "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(folder)]
    redis = _start("redis", command, port, folder)
    _wait_for(redis, lambda: _redis_answers(port))
    return redis


def _redis_url(port: int) -> str:
    return f"redis://{HOST}:{port}/0"


def _redis_answers(port: int) -> bool:
    with socket.create_connection((HOST, port), timeout=1) as client:
        client.sendall(b"PING\r\n")
        return client.recv(64).startswith(b"+PONG")


def _start_replica(folder: Path, number: int, workers: int, settings: Mapping[str, str]) -> Process:
    port = free_port()
    command = [str(TERMINOLOGY), "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)]
    return _start(f"replica{number}", command, port, folder, settings)


def _wait_until_ready(replica: Process) -> None:
    _wait_for(replica, lambda: requests.get(f"http://{HOST}:{replica.port}/readyz", timeout=5).status_code == 200)


def _start_balancer(folder: Path, port: int, replicas: list[Process]) -> tuple[Process, Path]:
    """HAProxy with the project's configuration and these replicas' ``server`` lines; checked before it starts."""
    config = folder / "haproxy.cfg"
    servers = "".join(f"    server {replica.name} {HOST}:{replica.port}\n" for replica in replicas)
    config.write_text(HAPROXY_CONFIG.read_text() + servers)
    control = folder / "haproxy.sock"
    environ = {"BALANCER_BIND": f"{HOST}:{port}", "BALANCER_SOCKET": str(control)}
    check = subprocess.run(["haproxy", "-c", "-q", "-f", str(config)], env={**os.environ, **environ}, capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"HAProxy refuses {config}:\n{check.stdout}{check.stderr}")
    return _start("haproxy", ["haproxy", "-db", "-f", str(config)], port, folder, environ), control


def _wait_until_balanced(cluster: Cluster) -> None:
    """Until the balancer answers and its checks have found every replica up."""

    def balanced() -> bool:
        up = [row["status"] for row in cluster.servers().values()]
        return len(up) == len(cluster.replicas) and all(status == "UP" for status in up)

    _wait_for(cluster.balancer, balanced)


def _wait_for(process: Process, ready) -> None:
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited with status {process.popen.returncode}:\n{process.log.read_text(errors='replace')}")
        try:
            if ready():
                return
        except (OSError, requests.RequestException):
            pass
        time.sleep(0.1)
    process.stop()
    raise RuntimeError(f"{process.name} was not ready within {START_DEADLINE:.0f} s:\n{process.log.read_text(errors='replace')}")


def _interrupt(*_) -> None:
    """SIGTERM and SIGINT (Ctrl-C) end the run, so that everything started is stopped."""
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicas", type=int, default=3, help="servers behind the balancer (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=2, help="workers of each replica (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8080, help="the balancer's port on 127.0.0.1 (default: %(default)s)")
    args = parser.parse_args()
    for program in ("haproxy", "redis-server"):
        if shutil.which(program) is None:
            raise SystemExit(f"scripts/cluster: {program} is not installed (scripts/system-packages haproxy redis-server)")
    # (SIGINT too: a shell starts a background job with it ignored, and Python then leaves it so)
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, _interrupt)
    folder = Path(tempfile.mkdtemp(prefix="terminology-cluster-"))
    try:
        with running_cluster(args.replicas, args.workers, args.port, folder=folder) as cluster:
            print(f"{cluster.base}  ({args.replicas} replicas of {args.workers} workers, Redis at {cluster.redis_url}; logs in {folder})", flush=True)
            signal.pause()
    except KeyboardInterrupt:
        pass
    print("stopped", file=sys.stderr)


if __name__ == "__main__":
    main()

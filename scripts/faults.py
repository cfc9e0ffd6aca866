"""Fault drills against the real server (``terminology serve``, 2 workers), under load, on the loopback only.

    scripts/faults                       # every drill, figures printed
    scripts/faults --json figures.json   # and written, with every request's outcome counted
    scripts/faults --only kill --seconds 6 --clients 8

- **kill**: clients send ``CodeSystem/$validate-code`` on keep-alive connections; halfway, one worker is
  killed (SIGKILL). Which worker holds each connection is read from ``/proc`` just before the kill, so that
  every failed request is told as one the killed worker held or one it did not (which must be none). The
  figures: requests sent and failed, those the killed worker took with it, the time until a new worker
  listens, and how many of a batch of new connections the new worker takes.
- **drain**: slow requests (``$expand`` of 10,000 ICD-10-CM codes with their designations) are in flight beside the clients' load
  when the server is sent SIGTERM; a new connection is tried every 20 ms until one is refused. The figures:
  the slow requests that completed, how long new connections were still taken, and the time to exit.
- **bound**: the same with ``TERMINOLOGY_SHUTDOWN_SECONDS=1`` and a request that takes longer (a whole
  CodeSystem): the server exits at the bound, not when the request is done.

Each drill is bounded: ``--seconds`` of load, at most ``--max-requests`` requests, a server start of at most
a minute and an exit of at most the bound and 10 s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
START_DEADLINE = 60.0
EXIT_MARGIN = 10.0  # seconds an exit may take beyond the shutdown bound before the drill kills the server
CODES = ("M48.48XA", "M48.48", "E11.22", "S92.001A", "J18.9", "m4848xa", "ZZZ", "T40.7X1A", "I10", "C86.0")
QUICK = "/fhir/CodeSystem/$validate-code?url=http://hl7.org/fhir/sid/icd-10-cm&code={code}"
SLOW = "/fhir/ValueSet/$expand?url=http://hl7.org/fhir/sid/icd-10-cm%3Ffhir_vs&count=10000&includeDesignations=true"
LONGER_THAN_A_SECOND = "/fhir/CodeSystem/icd-10-cm?_summary=false"


# -- the server and its workers, from outside ------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen
    port: int

    def workers(self) -> set[int]:
        """The worker processes: the server's children."""
        found = set()
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    stat = Path(entry.path, "stat").read_text()
                except OSError:
                    continue
                if int(stat.rpartition(")")[2].split()[1]) == self.process.pid:
                    found.add(int(entry.name))
        return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def serving(workers: int = 2, environ: dict[str, str] | None = None) -> Iterator[Server]:
    """``terminology serve`` on a free loopback port (its own process group), until the block ends."""
    port = free_port()
    command = [str(ROOT / ".venv" / "bin" / "terminology"), "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **(environ or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    server = Server(process, port)
    try:
        _wait_until_answering(server)
        yield server
    finally:
        _stop(process)


def _wait_until_answering(server: Server) -> None:
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited with status {server.process.returncode}")
        try:
            if _get(server.port, "/fhir/metadata?_summary=true")[0] == 200 and len(server.workers()) > 0:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not answer within {START_DEADLINE:.0f} s")


def _stop(process: subprocess.Popen) -> None:
    for sent in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sent)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=EXIT_MARGIN)
            break
        except subprocess.TimeoutExpired:
            continue
    try:
        os.killpg(process.pid, signal.SIGKILL)  # any worker left behind
    except ProcessLookupError:
        pass
    process.wait()


def _get(port: int, path: str, timeout: float = 30.0) -> tuple[int, int]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, len(response.read())
    finally:
        connection.close()


def connection_owners(port: int, pids: set[int]) -> dict[int, int]:
    """By the client's port of each established connection to ``port``, the process (of ``pids``) that holds it."""
    owner_of_socket = {}
    for pid in pids:
        try:
            for fd in os.scandir(f"/proc/{pid}/fd"):
                target = os.readlink(fd.path)
                if target.startswith("socket:["):
                    owner_of_socket[int(target[8:-1])] = pid
        except OSError:  # (a process that is gone holds nothing)
            continue
    return {
        remote: owner_of_socket[inode]
        for local, remote, state, inode in _tcp_sockets()
        if local == port and state == "01" and inode in owner_of_socket
    }


def listening(port: int, pid: int) -> bool:
    """Whether the process ``pid`` holds a socket listening on ``port``."""
    try:
        held = {os.readlink(fd.path) for fd in os.scandir(f"/proc/{pid}/fd")}
    except OSError:
        return False
    return any(f"socket:[{inode}]" in held for local, _, state, inode in _tcp_sockets() if local == port and state == "0A")


def _tcp_sockets() -> Iterator[tuple[int, int, str, int]]:
    """(local port, remote port, state, inode) of every TCP socket of the machine's loopback."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            yield int(fields[1].rsplit(":", 1)[1], 16), int(fields[2].rsplit(":", 1)[1], 16), fields[3], int(fields[9])


# -- load -------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    client_port: int | None
    started: float
    status: int | None  # None: no answer
    error: str | None = None


@dataclass
class Load:
    """Clients, each on a keep-alive connection of its own, sending quick requests until stopped; a connection
    that fails is opened again for the next request."""

    port: int
    clients: int
    max_requests: int
    outcomes: list[Outcome] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._client, args=(number,), daemon=True) for number in range(self.clients)]

    def start(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _client(self, number: int) -> None:
        connection: http.client.HTTPConnection | None = None
        sent = number
        while not self._stop.is_set() and len(self.outcomes) < self.max_requests:
            if connection is None:
                connection = http.client.HTTPConnection(HOST, self.port, timeout=10)
            outcome = _send(connection, QUICK.format(code=CODES[sent % len(CODES)]))
            self.outcomes.append(outcome)  # (list.append is atomic)
            if outcome.status is None or outcome.status >= 500:
                connection.close()
                connection = None
                time.sleep(0.01)  # (as a client backs off; a refused connection is otherwise tried in a tight loop)
            sent += self.clients


def _send(connection: http.client.HTTPConnection, path: str) -> Outcome:
    started = time.monotonic()
    client_port = None
    try:
        if connection.sock is None:
            connection.connect()
        client_port = connection.sock.getsockname()[1]
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return Outcome(client_port, started, response.status)
    except (OSError, http.client.HTTPException) as error:
        return Outcome(client_port, started, None, type(error).__name__)


# -- the drills -------------------------------------------------------------------------------------


def kill_drill(seconds: float, clients: int, max_requests: int) -> dict[str, Any]:
    """A worker killed halfway through ``seconds`` of load: see the module's docstring."""
    with serving(workers=2) as server:
        load = Load(server.port, clients, max_requests).start()
        time.sleep(seconds / 2)
        before = server.workers()
        killed = min(before)
        owners = connection_owners(server.port, before)
        os.kill(killed, signal.SIGKILL)
        killed_at = time.monotonic()
        replacement, replaced_in = _replacement(server, before, killed_at + seconds)
        time.sleep(max(0.0, killed_at + seconds / 2 - time.monotonic()))
        load.stop()
        taken_by_new = _connections_taken(server, replacement) if replacement else 0
        server_alive = server.process.poll() is None
    failed = [outcome for outcome in load.outcomes if outcome.status is None or outcome.status >= 500]
    held = [outcome for outcome in failed if owners.get(outcome.client_port) == killed]
    return {
        "requests sent": len(load.outcomes),
        "requests failed": len(failed),
        "failed requests the killed worker held (its connections)": len(held),
        "of those, in flight when it was killed": sum(outcome.started < killed_at for outcome in held),
        "failed requests it did not hold": len(failed) - len(held),
        "failures by kind": dict(Counter(outcome.error or str(outcome.status) for outcome in failed)),
        "connections the killed worker held": sum(pid == killed for pid in owners.values()),
        "connections": len(owners),
        "seconds until a new worker listens": None if replacement is None else round(replaced_in, 3),
        "new connections the new worker took, of 16": taken_by_new,
        "server still running": server_alive,
    }


def _replacement(server: Server, before: set[int], deadline: float) -> tuple[int | None, float]:
    """The worker that replaces one of ``before`` killed, once it listens, and how long that took."""
    started = time.monotonic()
    while time.monotonic() < deadline:
        new = server.workers() - before  # (the killed one may still seem to listen for a moment)
        listening_new = [pid for pid in new if listening(server.port, pid)]
        if listening_new:
            return listening_new[0], time.monotonic() - started
        time.sleep(0.005)
    return None, time.monotonic() - started


def _connections_taken(server: Server, worker: int, count: int = 16) -> int:
    """Of ``count`` new connections, each answered once and kept open, how many ``worker`` holds."""
    connections = [http.client.HTTPConnection(HOST, server.port, timeout=10) for _ in range(count)]
    try:
        for connection in connections:
            _send(connection, "/fhir/metadata?_summary=true")
        owners = connection_owners(server.port, server.workers())
        return sum(owners.get(connection.sock.getsockname()[1]) == worker for connection in connections if connection.sock)
    finally:
        for connection in connections:
            connection.close()


def drain_drill(seconds: float, clients: int, max_requests: int, bound: float = 20.0, slow: int = 8, path: str = SLOW) -> dict[str, Any]:
    """SIGTERM with ``slow`` requests of ``path`` in flight beside the load: see the module's docstring."""
    with serving(workers=2, environ={"TERMINOLOGY_SHUTDOWN_SECONDS": str(bound)}) as server:
        load = Load(server.port, clients, max_requests).start()
        time.sleep(seconds / 2)
        answers: list[tuple[int | None, int, float]] = []
        connections = [http.client.HTTPConnection(HOST, server.port, timeout=bound + EXIT_MARGIN) for _ in range(slow)]
        threads = [threading.Thread(target=_slow_request, args=(connection, path, answers)) for connection in connections]
        for thread in threads:
            thread.start()
        _wait_until_held(server, connections, answers)
        time.sleep(0.1)  # (held, and its request read: it is in flight)
        signalled = time.monotonic()
        answered_before = len(answers)
        server.process.send_signal(signal.SIGTERM)
        probes = _probe_until_refused(server.port, signalled + bound)
        for thread in threads:
            thread.join()
        load.stop()
        try:
            server.process.wait(timeout=max(0.0, signalled + bound + EXIT_MARGIN - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        exited = server.process.poll() is not None
        exit_seconds = time.monotonic() - signalled
    after = [outcome for outcome in load.outcomes if outcome.started >= signalled]
    before = [outcome for outcome in load.outcomes if outcome.started < signalled]
    return {
        "shutdown bound (TERMINOLOGY_SHUTDOWN_SECONDS)": bound,
        "slow requests sent": slow,
        "of those, in flight at SIGTERM": slow - answered_before,
        "slow requests answered whole (200)": sum(status == 200 for status, _, _ in answers),
        "slow requests' seconds after SIGTERM": sorted(round(done - signalled, 2) for _, _, done in answers),
        "load: requests sent before SIGTERM": len(before),
        "load: of those, failed": sum(outcome.status != 200 for outcome in before),
        "load: requests sent after SIGTERM, by outcome": dict(Counter(outcome.error or str(outcome.status) for outcome in after)),
        "new connections after SIGTERM, by outcome": dict(Counter(outcome for _, outcome in probes)),
        "seconds until a new connection is refused": next((round(at, 3) for at, outcome in probes if outcome == "refused"), None),
        "server exited": exited,
        "seconds to exit": round(exit_seconds, 2) if exited else None,
    }


def _slow_request(connection: http.client.HTTPConnection, path: str, answers: list[tuple[int | None, int, float]]) -> None:
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        answers.append((response.status, len(response.read()), time.monotonic()))
    except (OSError, http.client.HTTPException):
        answers.append((None, 0, time.monotonic()))
    finally:
        connection.close()


def _wait_until_held(server: Server, connections: list[http.client.HTTPConnection], answers: list, within: float = 30.0) -> None:
    """Until a worker holds each of ``connections`` (accepted, not waiting in a queue), or has answered it."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        ports = {connection.sock.getsockname()[1] for connection in connections if connection.sock is not None}
        if len(ports) + len(answers) >= len(connections) and ports <= connection_owners(server.port, server.workers()).keys():
            return
        time.sleep(0.01)
    raise RuntimeError("the slow requests' connections were not accepted")


def _probe_until_refused(port: int, deadline: float) -> list[tuple[float, str]]:
    """A new connection and request every 20 ms, each in its own thread (one answered late holds up none
    after it), until one is refused: (seconds from the start to the connection's attempt, outcome)."""
    started = time.monotonic()
    probes: list[tuple[float, str]] = []
    refused = threading.Event()

    def probe() -> None:
        at = time.monotonic() - started
        connection = http.client.HTTPConnection(HOST, port, timeout=max(1.0, deadline - time.monotonic()) + EXIT_MARGIN)
        outcome = _send(connection, "/fhir/metadata?_summary=true")
        connection.close()
        kind = "refused" if outcome.error == "ConnectionRefusedError" else outcome.error or f"answered {outcome.status}"
        probes.append((at, kind))
        if kind == "refused":
            refused.set()

    threads = []
    while not refused.is_set() and time.monotonic() < deadline:
        threads.append(threading.Thread(target=probe))
        threads[-1].start()
        refused.wait(0.02)
    for thread in threads:
        thread.join()
    return sorted(probes)


def bound_drill(seconds: float, clients: int, max_requests: int) -> dict[str, Any]:
    """SIGTERM with a request longer than a bound of 1 s in flight: the server exits at the bound."""
    return drain_drill(seconds, clients, max_requests, bound=1.0, slow=1, path=LONGER_THAN_A_SECOND)


DRILLS = {"kill": kill_drill, "drain": drain_drill, "bound": bound_drill}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=sorted(DRILLS), action="append", help="a drill to run (repeat; default: all)")
    parser.add_argument("--seconds", type=float, default=6.0, help="seconds of load in each drill (default 6)")
    parser.add_argument("--clients", type=int, default=8, help="clients sending the load, each on its own connection (default 8)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="at most this many requests of load a drill (default 200,000)")
    parser.add_argument("--json", type=Path, help="write the figures there too")
    args = parser.parse_args(argv)
    figures = {}
    for name in args.only or list(DRILLS):
        figures[name] = DRILLS[name](args.seconds, args.clients, args.max_requests)
        print(f"{name}:")
        for key, value in figures[name].items():
            print(f"  {key}: {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A small local HTTP server that answers as a test scripts it (failing on purpose), in a thread, and
keeps every request it received: for what a real server does not do on demand (503, 429, 413...)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

__all__ = ["Reply", "Request", "StubServer", "fhir", "stub_server"]


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # below the FHIR base /fhir, without the query: "CodeSystem/$lookup", "" for the base
    query: tuple[tuple[str, str], ...]
    headers: dict[str, str]
    body: Any  # the JSON sent, None for none


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = None  # JSON, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (for timeouts)


def fhir(resource: dict[str, Any], status: int = 200, **headers: str) -> Reply:
    return Reply(status, resource, {"Content-Type": "application/fhir+json", **headers})


@dataclass
class StubServer:
    base: str  # http://127.0.0.1:<port>/fhir
    requests: list[Request]


@contextmanager
def stub_server(answer: Callable[[Request], Reply]) -> Iterator[StubServer]:
    """A server on a free port whose every answer is ``answer(request)``."""
    received: list[Request] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keeps connections open, as a real server does
        disable_nagle_algorithm = True  # headers and body are written apart: no wait for an ACK between them

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def _answer(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            path = parts.path.removeprefix("/fhir").strip("/")
            request = Request(self.command, path, tuple(parse_qsl(parts.query)), dict(self.headers), body)
            received.append(request)
            reply = answer(request)
            if reply.delay:
                threading.Event().wait(reply.delay)
            content = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode() if reply.body is not None else b""
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args: Any) -> None:  # the test's output stays the test's
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.handle_error = lambda request, address: None  # a client that gave up waiting (a timeout test) is no error
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield StubServer(f"http://127.0.0.1:{server.server_address[1]}/fhir", received)
    finally:
        server.shutdown()
        server.server_close()

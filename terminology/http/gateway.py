"""The standalone server's front layer (WSGI middleware), around everything it answers:

- each request gets its id (the client's ``X-Request-Id`` if sane, else a new one), which the answer's
  ``X-Request-Id`` header, any OperationOutcome and the log name;
- the security headers every answer carries, and CORS when origins are configured (``security``);
- the paths outside the FHIR base: ``/livez``, ``/readyz``, ``/metrics``, the admin paths;
- one line in the request log, and the metrics, for each request.

What is done per request is a few dictionary look-ups, one closure and the counting: a few µs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from time import perf_counter
from typing import Any

import orjson

from .messages import Endpoint, HttpResponse
from .metrics import ServerMetrics
from .request_log import RequestLog, request_id
from .security import ERROR_ANSWER, EVERY_ANSWER, HTML_ANSWER, Cors
from .wsgi import ANSWER_KEY, REQUEST_ID_KEY, WsgiApp, status_line

__all__ = ["Gateway"]


class Gateway:
    """Answers ``endpoints`` (path -> answer, ``GET`` only) itself and hands every other request to ``app``;
    every answer gets the request's id and the security headers, and is logged and counted."""

    def __init__(
        self,
        app: WsgiApp,
        endpoints: Mapping[str, Endpoint],
        cors: Cors | None = None,
        metrics: ServerMetrics | None = None,
        request_log: RequestLog | None = None,
    ) -> None:
        self.app = app
        self.endpoints = dict(endpoints)
        self.cors = cors
        self.metrics = metrics
        self.request_log = request_log

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = perf_counter()
        rid = environ[REQUEST_ID_KEY] = request_id(environ.get("HTTP_X_REQUEST_ID"))
        added = (("X-Request-Id", rid), *EVERY_ANSWER)
        if self.cors is not None:
            added += self.cors.headers(environ.get("HTTP_ORIGIN"))
        statuses: list[int] = []

        def respond(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            code = int(status[:3])
            statuses.append(code)
            headers.extend(added)
            if code >= 400:
                headers.extend(ERROR_ANSWER)
            for name, value in headers:
                if name.lower() == "content-type":  # (the FHIR answers name it first)
                    if value.startswith("text/html"):
                        headers.extend(HTML_ANSWER)
                    break
            # (exc_info only when there is one: a caller's start_response may take two arguments)
            return start_response(status, headers) if exc_info is None else start_response(status, headers, exc_info)

        path = environ.get("PATH_INFO", "")
        own = self._own_answer(environ, path)
        if own is None:
            body = self.app(environ, respond)
        else:
            operation, answer = own
            headers = [] if answer.status == 204 else [("Content-Type", answer.content_type), ("Content-Length", str(len(answer.body)))]
            respond(status_line(answer.status), [*headers, *answer.headers])
            body = [answer.body]
        if self.metrics is not None or self.request_log is not None:
            self._record(environ, statuses[-1] if statuses else 500, perf_counter() - started, rid, own[0] if own else None)
        return body

    def _own_answer(self, environ: dict[str, Any], path: str) -> tuple[str, HttpResponse] | None:
        """``(operation, answer)`` when the request is one this layer answers: a path of its own, or a
        CORS preflight from an allowed origin."""
        endpoint = self.endpoints.get(path)
        method = environ.get("REQUEST_METHOD")
        if endpoint is not None:
            if method != "GET":
                return "unknown", _method_not_allowed(method)
            return path.strip("/").replace("/", "_"), endpoint(environ)
        if method == "OPTIONS" and self.cors is not None and environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"):
            answer = self.cors.preflight(environ.get("HTTP_ORIGIN", ""))
            if answer is not None:
                return "preflight", answer
        return None

    def _record(self, environ: dict[str, Any], status: int, seconds: float, rid: str, operation: str | None) -> None:
        answered = environ.get(ANSWER_KEY)
        resource = answered[1].resource if answered is not None else None
        if operation is None:
            operation = answered[0] if answered is not None else "other"
        if self.metrics is not None:
            self.metrics.observe(operation, status, seconds, status >= 400 and _too_costly(resource))
        if self.request_log is not None:
            self.request_log.write(environ, status, operation, seconds, rid, resource)


def _too_costly(resource: dict[str, Any] | None) -> bool:
    """Whether an error's OperationOutcome refuses the request as too costly."""
    if resource is None or resource.get("resourceType") != "OperationOutcome":
        return False
    return any(issue.get("code") == "too-costly" for issue in resource.get("issue") or ())


def _method_not_allowed(method: str | None) -> HttpResponse:
    return HttpResponse(405, "application/json", orjson.dumps({"error": f"{method} is not supported here; use GET"}), (("Allow", "GET"),))

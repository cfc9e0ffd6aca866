"""The standalone server's front layer (WSGI middleware), around everything it answers:

- each request gets its id (the client's ``X-Request-Id`` if sane, else a new one), which the answer's
  ``X-Request-Id`` header, any OperationOutcome and the log name;
- the security headers every answer carries, and CORS when origins are configured (``security``);
- the paths outside the FHIR base: ``/livez``, ``/readyz``, ``/metrics``, the admin paths;
- one line in the request log, and the metrics, for each request (written off its path: ``request_records``).

What is done per request is a few dictionary look-ups and one record appended: a few µs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from time import perf_counter, time
from typing import Any

import orjson

from ..fhir.answer_source import answering_code_system
from .messages import Endpoint, HttpResponse
from .metrics import ServerMetrics
from .request_log import RequestLog, request_id
from .request_records import AnsweredRequest, RequestRecords
from .security import ERROR_ANSWER, EVERY_ANSWER, HTML_ANSWER, Cors
from .wsgi import ANSWER_KEY, REQUEST_ID_KEY, FhirWsgi, WsgiApp, answer_headers, status_line

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
        fhir: FhirWsgi | None = None,
    ) -> None:
        self.app = app
        self.endpoints = dict(endpoints)
        self.cors = cors
        self.request_log = request_log
        self.records = RequestRecords(metrics, request_log) if metrics is not None or request_log is not None else None
        self.fhir = fhir

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = perf_counter()
        rid = environ[REQUEST_ID_KEY] = request_id(environ.get("HTTP_X_REQUEST_ID"))
        added = (("X-Request-Id", rid), *EVERY_ANSWER)
        if self.cors is not None:
            added += self.cors.headers(environ.get("HTTP_ORIGIN"))
        answered = self._own_answer(environ)
        if answered is None and self.fhir is not None:
            answered = self.fhir.answer(environ)
        if answered is None:
            return self._pass_on(environ, start_response, added, started)
        # (the usual request: answered here, with its headers made once and no closure)
        operation, answer = answered
        headers = answer_headers(answer)
        headers += added
        _add_answer_headers(headers, answer.status, answer.content_type)
        start_response(status_line(answer.status), headers)
        self._record(environ, answer.status, started, rid, operation, answer.resource)
        return [answer.body]

    def _pass_on(
        self, environ: dict[str, Any], start_response: Callable[..., Any], added: tuple[tuple[str, str], ...], started: float
    ) -> Iterable[bytes]:
        """The wrapped app's answer (the host app's pages, a blueprint's FHIR answers), with ``added``."""
        statuses: list[int] = []

        def respond(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            code = int(status[:3])
            statuses.append(code)
            headers.extend(added)
            content_type = next((value for name, value in headers if name.lower() == "content-type"), "")
            _add_answer_headers(headers, code, content_type)
            # (exc_info only when there is one: a caller's start_response may take two arguments)
            return start_response(status, headers) if exc_info is None else start_response(status, headers, exc_info)

        body = self.app(environ, respond)
        answered = environ.get(ANSWER_KEY)
        operation, resource = (answered[0], answered[1].resource) if answered is not None else ("other", None)
        self._record(environ, statuses[-1] if statuses else 500, started, environ[REQUEST_ID_KEY], operation, resource)
        return body

    def _own_answer(self, environ: dict[str, Any]) -> tuple[str, HttpResponse] | None:
        """``(operation, answer)`` when the request is one this layer answers: a path of its own, or a
        CORS preflight from an allowed origin."""
        path = environ.get("PATH_INFO", "")
        endpoint = self.endpoints.get(path)
        method = environ.get("REQUEST_METHOD")
        if endpoint is not None:
            if method != "GET":
                return "unknown", _method_not_allowed(method)
            if self.records is not None:  # (/metrics counts every request this worker has answered)
                self.records.flush()
            return path.strip("/").replace("/", "_"), endpoint(environ)
        if method == "OPTIONS" and self.cors is not None and environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"):
            answer = self.cors.preflight(environ.get("HTTP_ORIGIN", ""))
            if answer is not None:
                return "preflight", answer
        return None

    def _record(self, environ: dict[str, Any], status: int, started: float, rid: str, operation: str, resource: dict[str, Any] | None) -> None:
        if self.records is None:
            return
        seconds = perf_counter() - started
        log = self.request_log
        self.records.add(
            AnsweredRequest(
                time(),
                environ.get("REQUEST_METHOD", ""),
                environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
                environ.get("QUERY_STRING") if log is not None and log.log_query else None,
                status,
                operation,
                seconds,
                rid,
                # (read now: the record does not keep the answer alive until it is written)
                answering_code_system(resource) if log is not None and resource is not None else None,
                status >= 400 and _too_costly(resource),
            )
        )


def _add_answer_headers(headers: list[tuple[str, str]], status: int, content_type: str) -> None:
    """The headers an answer gets by its status (never cache an error) and content type: HTML gets the policy
    that allows nothing, unless the answer brings its own (a page of ours, which says what it needs)."""
    if status >= 400:
        headers.extend(ERROR_ANSWER)
    if content_type.startswith("text/html") and not any(name.lower() == "content-security-policy" for name, _ in headers):
        headers.extend(HTML_ANSWER)


def _too_costly(resource: dict[str, Any] | None) -> bool:
    """Whether an error's OperationOutcome refuses the request as too costly."""
    if resource is None or resource.get("resourceType") != "OperationOutcome":
        return False
    return any(issue.get("code") == "too-costly" for issue in resource.get("issue") or ())


def _method_not_allowed(method: str | None) -> HttpResponse:
    return HttpResponse(405, "application/json", orjson.dumps({"error": f"{method} is not supported here; use GET"}), (("Allow", "GET"),))

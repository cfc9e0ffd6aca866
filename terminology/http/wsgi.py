"""The standalone server's WSGI entry: the FHIR base answered straight from the WSGI environ.

Flask's request and response objects cost more than the terminology work of a ``$validate-code``
(about 30 µs against 10 µs); the standalone server therefore hands requests below the FHIR base
to the :class:`Dispatcher` directly, and everything else to the app it wraps (the Flask app).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

from ..errors import InvalidRequest
from .dispatcher import Dispatcher
from .messages import HttpRequest, HttpResponse
from .rendering import error_response

__all__ = ["ANSWER_KEY", "REQUEST_ID_KEY", "FhirWsgi", "WsgiApp", "answer_headers", "query_pairs", "status_line"]

#: A WSGI application (PEP 3333).
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
#: The environ keys by which the layer in front (``gateway``) gives the request's id, and this one gives
#: back which operation answered, and its answer. (Not the request itself: it holds the environ, and
#: the cycle would keep every request's answer alive until the garbage collector ran, which cost a
#: third of the throughput of a $lookup.)
REQUEST_ID_KEY = "terminology.request_id"
ANSWER_KEY = "terminology.answer"
_REASONS = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


class EnvironHeaders:
    """Request headers read from a WSGI environ by lower-case name."""

    __slots__ = ("environ",)

    def __init__(self, environ: dict[str, Any]) -> None:
        self.environ = environ

    def get(self, name: str, default: str | None = None) -> str | None:
        key = _ENVIRON_KEYS.get(name)
        if key is None:
            key = _ENVIRON_KEYS.setdefault(name, _environ_key(name))
        return self.environ.get(key, default)


# Header name -> environ key, for the few names the views ask for (a request costs tens of µs: the
# spelling is worked out once per name, not at every lookup).
_ENVIRON_KEYS: dict[str, str] = {}


def _environ_key(name: str) -> str:
    key = name.upper().replace("-", "_")
    return key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key


class FhirWsgi:
    """WSGI middleware: paths at or below ``prefix`` go to ``dispatcher``, the rest to ``app``."""

    def __init__(self, app: WsgiApp, dispatcher: Dispatcher, prefix: str) -> None:
        self.app = app
        self.dispatcher = dispatcher
        self.prefix = prefix

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        answered = self.answer(environ)
        if answered is None:
            return self.app(environ, start_response)
        environ[ANSWER_KEY] = answered
        answer = answered[1]
        start_response(status_line(answer.status), answer_headers(answer))
        return [answer.body]

    def answer(self, environ: dict[str, Any]) -> tuple[str, HttpResponse] | None:
        """``(operation, answer)`` for a request at or below the FHIR base; None for any other path (the
        wrapped app's)."""
        path = environ.get("PATH_INFO", "")
        if not path.startswith(self.prefix) or (len(path) > len(self.prefix) and path[len(self.prefix)] != "/"):
            return None
        request, answer = self._answer(environ, path[len(self.prefix):])
        return request.operation, answer

    def _answer(self, environ: dict[str, Any], path: str) -> tuple[HttpRequest, HttpResponse]:
        # WSGI gives the path and query as latin-1 text of the raw bytes; URLs are UTF-8.
        path = path.encode("latin-1").decode("utf-8", "replace")
        query = query_pairs(environ.get("QUERY_STRING", ""))
        stream = environ["wsgi.input"]
        request = HttpRequest(
            method=environ["REQUEST_METHOD"],
            path=path,
            query=query,
            headers=EnvironHeaders(environ),
            body=stream.read,
            base_url=_base_url(environ) + self.prefix,
            request_id=environ.get(REQUEST_ID_KEY, ""),
        )
        try:
            request.content_length = _content_length(environ)
        except InvalidRequest as error:
            return request, error_response(request, error)
        return request, self.dispatcher.handle(request)


def query_pairs(query: str) -> list[tuple[str, str]]:
    """``(name, value)`` of each field of a query string, decoded as ``parse_qsl(query, keep_blank_values=True)``
    decodes them; a field with nothing to decode (the usual one, but for a system's URL) is taken as it is,
    which saves a third of parse_qsl's time."""
    pairs = []
    for field in query.split("&"):
        if field:
            name, _, value = field.partition("=")
            pairs.append((_decoded(name), _decoded(value)))
    return pairs


def _decoded(text: str) -> str:
    if "%" not in text and "+" not in text:
        return text
    known = _DECODED.get(text)
    if known is None:
        known = unquote(text.replace("+", " "))
        if len(text) <= _DECODED_LENGTH and len(_DECODED) < _DECODED_KEPT:
            _DECODED[text] = known
    return known


# Escaped query values seen before, decoded: nearly every GET names its system by an escaped URL
# (``url=http%3A%2F%2Fhl7.org...``), whose unquoting was the largest single cost of reading a
# $validate-code. Bounded in number and length: what a client may send is unbounded.
_DECODED: dict[str, str] = {}
_DECODED_KEPT = 1024
_DECODED_LENGTH = 256


def answer_headers(answer: HttpResponse) -> list[tuple[str, str]]:
    """The headers of ``answer``: its content type and length (none for a 204), then its own."""
    if answer.status == 204:
        return list(answer.headers)
    return [("Content-Type", answer.content_type), ("Content-Length", str(len(answer.body))), *answer.headers]


def status_line(status: int) -> str:
    """``404 Not Found``: a WSGI status line."""
    return _REASONS.get(status) or str(status)


def _content_length(environ: dict[str, Any]) -> int | None:
    value = environ.get("CONTENT_LENGTH")
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise InvalidRequest(f"The Content-Length header '{value}' is not a number")
    return int(value)


def _base_url(environ: dict[str, Any]) -> str:
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}{environ.get('SCRIPT_NAME', '')}"

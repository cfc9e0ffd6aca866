"""Talking to one FHIR server: one pooled HTTP session, a timeout on every request, and retries with
exponential backoff where another try can help (no connection, 429 Too Many Requests, 503 Service
Unavailable), never where the answer would be the same (any other 4xx or 5xx)."""

from __future__ import annotations

import time
from itertools import count
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import orjson
import requests
import requests.adapters

from .. import __version__
from .errors import ClientError, ServerUnreachable
from .outcomes import error_of_answer, read_issues

__all__ = ["FHIR_JSON", "MAX_WAIT", "Transport", "retry_after_seconds"]

FHIR_JSON = "application/fhir+json"
#: The longest the client waits before a retry, in seconds, whatever a server's Retry-After asks.
MAX_WAIT = 60.0
_RETRIED_STATUSES = frozenset({429, 503})
# Failures of the connection, where the request may never have reached the server (or its answer never came back).
_CONNECTION_FAILURES = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
_SHOWN_CHARACTERS = 200
_POOL_SIZE = 10  # requests' own


class Transport:
    """Requests to the FHIR base ``base_url``, answered with the JSON of a 2xx answer; ``connections``:
    how many requests may be in flight at once (from as many threads).

    An error answer raises :class:`OperationOutcomeError`; no answer after ``retries`` retries (or a
    429/503 to the end) raises :class:`ServerUnreachable`. The n-th retry waits what the answer's
    ``Retry-After`` asks (at most :data:`MAX_WAIT`), else ``backoff * 2**(n-1)`` seconds.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        retries: int,
        backoff: float,
        headers: dict[str, str] | None = None,
        auth: Any = None,
        connections: int = 1,
    ) -> None:
        self.base = base_url.rstrip("/")
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self.session = requests.Session()
        # ``connections`` kept open to the server, for as many requests in flight at once.
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=max(connections, _POOL_SIZE))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({"Accept": FHIR_JSON, "User-Agent": f"terminology-client/{__version__}", **(headers or {})})
        self.session.auth = auth

    def close(self) -> None:
        self.session.close()

    def get(self, path: str, query: tuple[tuple[str, str], ...] = ()) -> Any:
        return self._send("GET", path, params=query)

    def post(self, path: str, resource: dict[str, Any]) -> Any:
        return self._send("POST", path, data=orjson.dumps(resource), headers={"Content-Type": FHIR_JSON})

    def _send(self, method: str, path: str, **arguments: Any) -> Any:
        url = f"{self.base}/{path}" if path else self.base
        for attempt in count():
            answered = self._attempt(method, url, attempt, arguments)
            if isinstance(answered, requests.Response):
                return _answer(answered)
            failure, wait = answered
            if attempt == self.retries:
                raise ServerUnreachable(f"No answer from {url} after {attempt + 1} attempt(s): {failure}")
            time.sleep(wait)

    def _attempt(self, method: str, url: str, attempt: int, arguments: dict[str, Any]) -> requests.Response | tuple[str, float]:
        """The answer, unless another try may get a better one: then what failed, and how long to wait."""
        try:
            response = self.session.request(method, url, timeout=self.timeout, **arguments)
        except requests.exceptions.SSLError as error:  # the same certificate next time: no retry
            raise ServerUnreachable(f"No TLS connection to {url}: {error}") from error
        except _CONNECTION_FAILURES as error:
            return _connection_failure(error), self._backoff(attempt)
        except requests.RequestException as error:
            raise ClientError(f"{method} {url} could not be sent: {error}") from error
        if response.status_code not in _RETRIED_STATUSES:
            return response
        asked = retry_after_seconds(response.headers.get("Retry-After"))
        return _said(response), self._backoff(attempt) if asked is None else asked

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff * 2**attempt, MAX_WAIT)


def retry_after_seconds(header: str | None, now: datetime | None = None) -> float | None:
    """The wait a ``Retry-After`` header asks for (seconds, or an HTTP date), within 0 and
    :data:`MAX_WAIT`; None when there is none, or none that can be read."""
    if header is None or not header.strip():
        return None
    text = header.strip()
    if text.isascii() and text.isdigit():
        seconds = float(text)
    else:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    return min(max(seconds, 0.0), MAX_WAIT)


def _connection_failure(error: requests.RequestException) -> str:
    """What went wrong with the connection: urllib3's reason, without requests' wrapping of it."""
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return str(reason or error)


def _answer(response: requests.Response) -> Any:
    """The JSON of a 2xx answer; the :class:`OperationOutcomeError` of any other."""
    body = _json(response)
    if response.ok:
        if body is None:
            said = f"{response.status_code} with {_came(response)}"
            raise ClientError(f"{response.request.method} {response.url} answered {said}, not FHIR JSON")
        return body
    raise error_of_answer(response.status_code, body, _came(response))


def _json(response: requests.Response) -> Any:
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return None


def _came(response: requests.Response) -> str:
    """What a response holds, as a message shows it: its content type and its first characters."""
    shown = " ".join(response.text.split())[:_SHOWN_CHARACTERS]
    return f"{response.headers.get('Content-Type') or 'no content type'}, {repr(shown) if shown else 'an empty body'}"


def _said(response: requests.Response) -> str:
    """A 429 or 503 as a message says it: its status and what its OperationOutcome says, if any."""
    body = _json(response)
    said = ""
    if isinstance(body, dict) and body.get("resourceType") == "OperationOutcome":
        try:
            said = "; ".join(issue.message for issue in read_issues(body) if issue.message)
        except ClientError:
            said = ""
    return f"HTTP {response.status_code}" + (f" ({said})" if said else "")

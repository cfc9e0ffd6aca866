"""An HTTP request and response as plain values, whichever server or framework carried them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..errors import PayloadTooLarge
from ..settings import Bound

__all__ = ["Endpoint", "Headers", "HttpRequest", "HttpResponse"]

# A body without a Content-Length (chunked) is read this much at a time, so that one larger than the
# limit is refused as soon as it passes it, never held whole.
_PIECE = 64 * 1024


class Headers(Protocol):
    """A request's headers, looked up by lower-case name: a dict, werkzeug's headers, or the WSGI
    entry's view of the environ, which offers nothing but ``get``."""

    def get(self, name: str, default: str | None = None, /) -> str | None: ...


@dataclass(slots=True)
class HttpRequest:
    """One request. ``path`` is below the FHIR base (``/CodeSystem/$lookup``); ``headers`` are
    looked up by lower-case name; ``body`` reads at most the given number of bytes. ``request_id`` is
    the id the server's log and every OperationOutcome answering it name; ``operation`` is set by the
    dispatcher to the name of the view that answers (the request log and the metrics read it)."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: Headers
    body: Callable[[int], bytes]
    base_url: str
    content_length: int | None = None
    request_id: str = ""
    operation: str = "unknown"
    _args: dict[str, str] | None = field(default=None, repr=False)

    def arg(self, name: str) -> str | None:
        """The first value of a query parameter."""
        if self._args is None:
            self._args = {}
            for key, value in self.query:
                self._args.setdefault(key, value)
        return self._args.get(name)

    def read_body(self, limit: Bound) -> bytes:
        """The body; :class:`PayloadTooLarge` (413) if it is larger than ``limit`` bytes: by its
        Content-Length before anything is read, else as soon as what is read passes the limit."""
        most = int(limit.value)
        if self.content_length is not None:
            if self.content_length > most:
                raise PayloadTooLarge(f"The request body is {self.content_length:,} bytes; this server takes at most {limit}")
            return self.body(self.content_length)
        pieces = []
        size = 0
        while piece := self.body(min(_PIECE, most + 1 - size)):
            pieces.append(piece)
            size += len(piece)
            if size > most:
                raise PayloadTooLarge(f"The request body is more than {most:,} bytes; this server takes at most {limit}")
        return b"".join(pieces)


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """One answer; ``resource`` is what ``body`` renders (what the request log and metrics read of it)."""

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    resource: dict[str, Any] | None = field(default=None, repr=False)


#: A path outside the FHIR base (``/livez``, ``/metrics``, ``/admin/settings``): its answer, from the WSGI environ.
Endpoint = Callable[[dict[str, Any]], HttpResponse]

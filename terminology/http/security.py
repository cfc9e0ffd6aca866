"""The headers every answer carries for a JSON/XML API, and CORS for browser clients (off unless origins
are configured).

- ``X-Content-Type-Options: nosniff`` on every answer: a browser never takes FHIR JSON for a script.
- ``Cache-Control: no-store`` on every error: no cache keeps an answer that may not hold next time.
- A ``Content-Security-Policy`` that allows nothing on any HTML that brings none of its own (the host
  framework's error pages; the FHIR API's pages bring theirs, which allows their style by its hash).
- ``Server: terminology``, in place of the server software's name (which would tell its version's flaws).
"""

from __future__ import annotations

from collections.abc import Iterable

from .messages import HttpResponse

__all__ = ["EVERY_ANSWER", "ERROR_ANSWER", "HTML_ANSWER", "Cors"]

EVERY_ANSWER = (("X-Content-Type-Options", "nosniff"), ("Server", "terminology"))
ERROR_ANSWER = (("Cache-Control", "no-store"),)
HTML_ANSWER = (("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),)

#: What a browser may send across origins: the FHIR API reads and operates, it never writes.
_METHODS = "GET, POST, OPTIONS"
_HEADERS = "Accept, Accept-Language, Authorization, Content-Type, Prefer, X-Cache-Id, X-Request-Id, X-Too-Costly-Threshold"
#: How long (seconds) a browser may keep a preflight's answer.
PREFLIGHT_MAX_AGE = 3600


class Cors:
    """Cross-origin requests from ``origins`` (``*``: any); an origin not listed gets no CORS header."""

    def __init__(self, origins: Iterable[str]) -> None:
        self.origins = frozenset(origin.rstrip("/") for origin in origins)
        self.any = "*" in self.origins

    def headers(self, origin: str | None) -> tuple[tuple[str, str], ...]:
        """The CORS headers of an answer to a request from ``origin``."""
        if self.any:
            return (("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", "X-Request-Id"))
        # the answer differs by Origin, whether or not this one is allowed: a cache must keep them apart
        if origin is None or origin not in self.origins:
            return (("Vary", "Origin"),)
        return (("Access-Control-Allow-Origin", origin), ("Vary", "Origin"), ("Access-Control-Expose-Headers", "X-Request-Id"))

    def preflight(self, origin: str) -> HttpResponse | None:
        """The answer to a preflight ``OPTIONS`` from ``origin`` when it is allowed; None when it is not
        (the request is then answered as any other ``OPTIONS``)."""
        if not (self.any or origin in self.origins):
            return None
        return HttpResponse(
            204, "text/plain", b"",
            (
                ("Access-Control-Allow-Methods", _METHODS),
                ("Access-Control-Allow-Headers", _HEADERS),
                ("Access-Control-Max-Age", str(PREFLIGHT_MAX_AGE)),
            ),
        )  # fmt: skip

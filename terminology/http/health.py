"""``/livez`` and ``/readyz``, outside the FHIR base: whether the process answers, and whether it is ready
to serve (all its content loaded). Both are cheap: neither touches the registry."""

from __future__ import annotations

from typing import Any

import orjson

from .messages import HttpResponse

__all__ = ["Readiness", "livez", "readyz"]

_JSON = "application/json"
_LIVE = HttpResponse(200, _JSON, orjson.dumps({"status": "live"}))
_READY = HttpResponse(200, _JSON, orjson.dumps({"status": "ready"}))


class Readiness:
    """Whether the server is ready to serve, and why not while it is not. A server is made not ready (the
    content is loading) and made ready once all its content is loaded; it may go back (it is stopping)."""

    __slots__ = ("reason",)

    def __init__(self, reason: str | None = "the content is loading") -> None:
        self.reason = reason

    def ready(self) -> None:
        self.reason = None

    def not_ready(self, reason: str) -> None:
        self.reason = reason


def livez(environ: dict[str, Any]) -> HttpResponse:
    """200 whenever the process answers at all."""
    return _LIVE


def readyz(readiness: Readiness) -> HttpResponse:
    """200 when ``readiness`` is ready; else 503 with the reason."""
    reason = readiness.reason
    if reason is None:
        return _READY
    return HttpResponse(503, _JSON, orjson.dumps({"status": "not ready", "reason": reason}))

"""The admin paths (``/admin/...``): what an operator needs and the public must not see.

They are off (not there: 404) unless ``TERMINOLOGY_ADMIN_TOKEN`` is set; then each takes
``Authorization: Bearer <token>``, compared in constant time (no timing tells how much of a guess was
right), and answers 401 with ``WWW-Authenticate: Bearer`` without it.

``GET /admin/settings``: the settings in effect, which name the server's files and folders.
"""

from __future__ import annotations

import hmac
from dataclasses import fields
from pathlib import Path
from typing import Any

import orjson

from ..settings import Settings, setting_key
from .client_caches import without_password
from .messages import Endpoint, HttpResponse

__all__ = ["admin_endpoints"]

_JSON = "application/json"
_CHALLENGE = 'Bearer realm="terminology admin"'


def admin_endpoints(settings: Settings) -> dict[str, Endpoint]:
    """The admin paths and their answers, each behind the token; none when no token is set."""
    if not settings.admin_token:
        return {}
    token = settings.admin_token.encode("utf-8")
    shown = orjson.dumps(_settings_json(settings), option=orjson.OPT_INDENT_2)
    return {"/admin/settings": _guarded(token, lambda environ: HttpResponse(200, _JSON, shown))}


def _guarded(token: bytes, endpoint: Endpoint) -> Endpoint:
    def guarded(environ: dict[str, Any]) -> HttpResponse:
        scheme, _, given = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            return _refused("This path needs Authorization: Bearer <the admin token>", _CHALLENGE)
        if not hmac.compare_digest(given.strip().encode("utf-8", "replace"), token):
            return _refused("The bearer token is not the admin token", f'{_CHALLENGE}, error="invalid_token"')
        return endpoint(environ)

    return guarded


def _refused(message: str, challenge: str) -> HttpResponse:
    return HttpResponse(401, _JSON, orjson.dumps({"error": message}), (("WWW-Authenticate", challenge),))


def _settings_json(settings: Settings) -> dict[str, Any]:
    """Each setting by its key, as JSON; the token itself is never shown, nor Redis's password."""
    shown: dict[str, Any] = {}
    for item in fields(settings):
        value = getattr(settings, item.name)
        if item.name == "admin_token":
            value = "(set)"
        elif item.name == "redis_url":
            value = without_password(value)
        elif isinstance(value, Path):
            value = str(value)
        shown[setting_key(item.name)] = value
    return shown

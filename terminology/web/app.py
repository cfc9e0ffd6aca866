"""The standalone server's Flask app."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from ..http.wsgi import FhirWsgi
from ..registry import Registry
from .extension import Terminology

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None, registry: Registry | None = None) -> Flask:
    """A Flask app serving the FHIR API under ``TERMINOLOGY_URL_PREFIX`` (``/fhir``).

    Requests below the FHIR base are answered by :class:`FhirWsgi` before Flask's own request
    handling (the blueprint stays mounted, for ``url_for`` and for apps that unwrap ``wsgi_app``).
    """
    app = Flask("terminology")
    app.config.update(config or {})
    state = Terminology(registry=registry).init_app(app)
    app.wsgi_app = FhirWsgi(app.wsgi_app, state.dispatcher, state.url_prefix)  # type: ignore[method-assign]
    return app

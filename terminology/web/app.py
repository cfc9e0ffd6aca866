"""The standalone server's Flask app."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from ..http.admin import admin_endpoints
from ..http.gateway import Gateway
from ..http.health import Readiness, livez, readyz
from ..http.metrics import ServerMetrics
from ..http.request_log import RequestLog, request_log_enabled
from ..http.security import Cors
from ..http.wsgi import FhirWsgi
from ..registry import Registry
from ..settings import Settings
from .extension import Terminology

__all__ = ["READINESS_KEY", "create_app"]

#: ``app.extensions[READINESS_KEY]``: the app's :class:`Readiness` (what ``/readyz`` says).
READINESS_KEY = "terminology.readiness"


def create_app(config: Mapping[str, Any] | None = None, registry: Registry | None = None) -> Flask:
    """A Flask app serving the FHIR API under ``TERMINOLOGY_URL_PREFIX`` (``/fhir``), the code browser at
    ``TERMINOLOGY_BROWSER_PATH`` (``/``), and outside them ``/livez``, ``/readyz``, ``/metrics`` and the admin paths (when a token is set).

    Requests below the FHIR base are answered by :class:`FhirWsgi` before Flask's own request
    handling (the blueprint stays mounted, for ``url_for`` and for apps that unwrap ``wsgi_app``);
    every request passes the :class:`Gateway` first (request id, security headers, CORS, log, metrics).
    """
    app = Flask("terminology")
    app.config.update(config or {})
    readiness = Readiness()
    state = Terminology(registry=registry).init_app(app, browser_path=Settings.read(app.config).browser_path or "/")
    settings = state.dispatcher.settings
    readiness.ready()  # (the content is loaded by init_app)
    metrics = ServerMetrics(state.registry.catalog())
    endpoints = {"/livez": livez, "/readyz": lambda environ: readyz(readiness), "/metrics": metrics.exposition, **admin_endpoints(settings)}
    # (the Gateway asks ``fhir`` first, and hands what is not below the FHIR base to Flask itself)
    fhir = FhirWsgi(app.wsgi_app, state.dispatcher, state.url_prefix)
    app.wsgi_app = Gateway(  # type: ignore[method-assign]
        fhir.app,
        endpoints,
        Cors(settings.cors_origins) if settings.cors_origins else None,
        metrics,
        RequestLog(log_query=settings.log_query) if settings.access_log and request_log_enabled() else None,
        fhir=fhir,
    )
    app.extensions[READINESS_KEY] = readiness
    return app

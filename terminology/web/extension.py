"""The Flask extension: mounts the terminology blueprint into any Flask app."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from ..content import build_registry
from ..http.dispatcher import Dispatcher
from ..registry import Registry
from .blueprint import EXTENSION_KEY, create_blueprint

__all__ = ["Terminology", "TerminologyState"]


@dataclass(frozen=True, slots=True)
class TerminologyState:
    """What the blueprint needs at request time, kept in ``app.extensions["terminology"]``."""

    dispatcher: Dispatcher
    url_prefix: str

    @property
    def registry(self) -> Registry:
        return self.dispatcher.registry


class Terminology:
    """``Terminology(app)`` or ``Terminology().init_app(app, url_prefix="/fhir")``.

    Config keys (all optional): ``TERMINOLOGY_ICD10CM_FILES`` (tabular XML files; the embedded
    releases by default), ``TERMINOLOGY_DATA_DIR`` (the data folder, whose imported releases are
    served beside them; default ``$TERMINOLOGY_DATA_DIR``, else ``~/.local/share/terminology``),
    ``TERMINOLOGY_RESOURCE_PATHS`` (FHIR CodeSystem, ValueSet and ConceptMap
    files, folders and packages), ``TERMINOLOGY_DEFAULT_SUPPLEMENTS`` (canonicals of CodeSystem
    supplements applied without ``useSupplement``, such as the ICD-10-CM coding guidance),
    ``TERMINOLOGY_CACHE_DIR``, ``TERMINOLOGY_MAX_BODY_BYTES`` (default 16 MiB),
    ``TERMINOLOGY_URL_PREFIX`` (default ``/fhir``). A ready ``registry`` skips the loading.
    """

    def __init__(self, app: Flask | None = None, *, registry: Registry | None = None, url_prefix: str | None = None) -> None:
        self.registry = registry
        if app is not None:
            self.init_app(app, url_prefix=url_prefix)

    def init_app(self, app: Flask, url_prefix: str | None = None, registry: Registry | None = None) -> TerminologyState:
        prefix = url_prefix if url_prefix is not None else app.config.get("TERMINOLOGY_URL_PREFIX", "/fhir")
        prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
        registry = registry or self.registry
        if registry is None:
            cache_dir, data_dir = app.config.get("TERMINOLOGY_CACHE_DIR"), app.config.get("TERMINOLOGY_DATA_DIR")
            registry = build_registry(
                app.config.get("TERMINOLOGY_ICD10CM_FILES", ()),
                Path(cache_dir) if cache_dir else None,
                app.config.get("TERMINOLOGY_RESOURCE_PATHS", ()),
                app.config.get("TERMINOLOGY_DEFAULT_SUPPLEMENTS", ()),
                Path(data_dir) if data_dir else None,
            )
        max_body = int(app.config.get("TERMINOLOGY_MAX_BODY_BYTES", 16 * 1024 * 1024))
        state = TerminologyState(Dispatcher(registry, max_body), prefix)
        app.extensions[EXTENSION_KEY] = state
        app.register_blueprint(create_blueprint(), url_prefix=prefix)
        return state

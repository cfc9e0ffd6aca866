"""The Flask extension: mounts the terminology blueprint into any Flask app."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from ..content import build_registry
from ..http.dispatcher import Dispatcher
from ..registry import Registry
from ..settings import Settings
from .blueprint import EXTENSION_KEY, create_blueprint
from .code_browser import create_browser_blueprint

__all__ = ["BROWSER_OFF", "Terminology", "TerminologyState"]

#: The browser path that serves no browser (``TERMINOLOGY_BROWSER_PATH=off``).
BROWSER_OFF = "off"


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

    Its settings are the app's ``TERMINOLOGY_*`` config keys, else environment variables of the same
    names (:class:`~terminology.settings.Settings` lists them; all are optional): the content
    (``TERMINOLOGY_ICD10CM_FILES``, the embedded releases by default; ``TERMINOLOGY_DATA_DIR``,
    ``TERMINOLOGY_RESOURCE_PATHS``, ``TERMINOLOGY_DEFAULT_SUPPLEMENTS``, ``TERMINOLOGY_CACHE_DIR``), the
    FHIR base (``TERMINOLOGY_URL_PREFIX``, default ``/fhir``) and the bounds on requests. A ready
    ``registry`` skips the loading. ``browser_path`` (``/codes``), else ``TERMINOLOGY_BROWSER_PATH``, serves
    the code browser there; without either the host app gets no page.
    """

    def __init__(
        self, app: Flask | None = None, *, registry: Registry | None = None, url_prefix: str | None = None, browser_path: str | None = None
    ) -> None:
        self.registry = registry
        self.browser_path = browser_path
        if app is not None:
            self.init_app(app, url_prefix=url_prefix)

    def init_app(
        self, app: Flask, url_prefix: str | None = None, registry: Registry | None = None, browser_path: str | None = None
    ) -> TerminologyState:
        settings = Settings.read(app.config)
        prefix = url_prefix if url_prefix is not None else settings.url_prefix
        prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
        registry = registry or self.registry or _registry(settings)
        state = TerminologyState(Dispatcher(registry, settings), prefix)
        app.extensions[EXTENSION_KEY] = state
        app.register_blueprint(create_blueprint(), url_prefix=prefix)
        browser_path = next((path for path in (browser_path, self.browser_path, settings.browser_path) if path), BROWSER_OFF)
        if browser_path != BROWSER_OFF:
            app.register_blueprint(create_browser_blueprint(browser_path))
        return state


def _registry(settings: Settings) -> Registry:
    return build_registry(
        settings.icd10cm_files, settings.cache_dir, settings.resource_paths, settings.default_supplements, settings.data_dir
    )

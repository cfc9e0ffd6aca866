"""The code browser: a page for people (search, a code's hierarchy, notes, 7th characters, guidance)
that talks only to the server's own FHIR API, so what it shows is what a client gets.

Its files are static (``code-browser/``: ``index.html`` and plain JavaScript modules, no build step). The page
learns the FHIR base from a ``<meta name="fhir-base">`` filled in here; it carries its own
Content-Security-Policy (scripts, styles and requests from this origin only, nothing inline), which the
Gateway keeps.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request, send_from_directory

from .blueprint import EXTENSION_KEY

__all__ = ["BROWSER_POLICY", "create_browser_blueprint"]

# (a folder name that is no Python identifier: setuptools would take it for a package of its own)
_FILES = Path(__file__).resolve().parent / "code-browser"
#: The page's policy: its own scripts, styles, images and FHIR requests (and data: images), nothing
#: inline; no framing, no <base>, forms only to itself.
BROWSER_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
#: The assets are revalidated at each load (ETag, 304): a new version of the server shows at once.
_ASSET_CACHE = "no-cache"
_ASSET_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


def create_browser_blueprint(path: str) -> Blueprint:
    """The browser at ``path`` (``/`` for the root, ``/codes``): the page at ``path`` itself, its files
    below ``path/assets/``."""
    prefix = "/" + path.strip("/") if path.strip("/") else ""
    blueprint = Blueprint("code_browser", __name__, url_prefix=prefix or None)
    page = (_FILES / "index.html").read_text(encoding="utf-8")
    blueprint.add_url_rule("/", "page", lambda: _page(page, prefix), methods=["GET", "HEAD"])
    blueprint.add_url_rule("/assets/<name>", "asset", _asset, methods=["GET", "HEAD"])
    return blueprint


def _page(page: str, prefix: str) -> Response:
    """The page, with the FHIR base and the assets' place as the host serves them (``script_root``: the
    host may itself be mounted below a path)."""
    root = request.script_root
    fhir_base = root + current_app.extensions[EXTENSION_KEY].url_prefix
    filled = page.replace("{{fhir_base}}", escape(fhir_base)).replace("{{assets}}", escape(f"{root}{prefix}/assets"))
    response = Response(filled, content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = BROWSER_POLICY
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _asset(name: str) -> Response:
    kind = _ASSET_TYPES.get(Path(name).suffix)
    if kind is None:  # (the page itself is only served filled in)
        abort(404)
    # (send_from_directory refuses names that leave the folder, and answers If-None-Match with a 304)
    response = send_from_directory(_FILES, name, mimetype=kind, max_age=None, conditional=True, etag=True)
    response.headers["Cache-Control"] = _ASSET_CACHE
    return response

"""Serving the code browser (no browser here): the page with its FHIR base and its own policy, its assets
revalidated by ETag, the plugin's path of the host's choosing (none unless given), and 404s, not 500s,
below it. The page itself is tested in Chromium (tests/browser)."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from terminology.web.app import create_app
from terminology.web.code_browser import BROWSER_POLICY
from terminology.web.extension import Terminology

ASSETS = ["app.js", "code-page.js", "dom.js", "fhir.js", "links.js", "search.js", "style.css", "icon.svg"]


def _meta_base(html: str) -> str:
    found = re.search(r'<meta name="fhir-base" content="([^"]*)">', html)
    assert found, html
    return found.group(1)


def test_the_standalone_server_serves_the_page_at_its_root_with_its_own_policy(client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.content_type == "text/html; charset=utf-8"
    # (the Gateway keeps the page's own policy, and adds none of its own beside it)
    assert page.headers.getlist("Content-Security-Policy") == [BROWSER_POLICY]
    assert "script-src 'self'" in BROWSER_POLICY and "'unsafe-inline'" not in BROWSER_POLICY
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    html = page.text
    assert _meta_base(html) == "/fhir"
    assert '<script type="module" src="/assets/app.js"></script>' in html
    # (the icon, named: a browser then asks for no /favicon.ico, which would be a 404)
    assert '<link rel="icon" href="/assets/icon.svg" type="image/svg+xml">' in html
    # no inline script or style: the policy would block it
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) and "<style" not in html and " style=" not in html


def test_a_view_is_the_same_page_with_a_query(client) -> None:
    assert client.get("/?code=M48.48&version=2025").text == client.get("/").text


@pytest.mark.parametrize("name", ASSETS)
def test_every_asset_is_served_with_its_type_and_revalidated_by_etag(client, name: str) -> None:
    asset = client.get(f"/assets/{name}")
    assert asset.status_code == 200, name
    kind = {"js": "text/javascript", "css": "text/css", "svg": "image/svg+xml"}[name.rsplit(".", 1)[1]]
    assert asset.content_type.startswith(kind)
    assert asset.headers["Cache-Control"] == "no-cache" and asset.headers["ETag"]
    again = client.get(f"/assets/{name}", headers={"If-None-Match": asset.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_every_module_the_page_imports_is_served(client) -> None:
    for name in ASSETS:
        if name.endswith(".js"):
            for imported in re.findall(r'from "\./([\w-]+\.js)"', client.get(f"/assets/{name}").text):
                assert imported in ASSETS, (name, imported)


@pytest.mark.parametrize("path", ["/assets/nope.js", "/assets/index.html", "/assets/..%2fcode_browser.py", "/assets/", "/nope", "/assets/app.py"])
def test_what_is_not_an_asset_is_a_404(client, path: str) -> None:
    assert client.get(path).status_code == 404


def test_the_plugin_serves_no_page_unless_asked(registry) -> None:
    host = Flask("host")
    Terminology(host, registry=registry, url_prefix="/r4")
    assert host.test_client().get("/").status_code == 404
    assert host.test_client().get("/assets/app.js").status_code == 404


def test_the_plugin_serves_the_page_at_the_hosts_path(registry) -> None:
    host = Flask("host")
    Terminology(host, registry=registry, url_prefix="/api/r4", browser_path="/codes")
    client = host.test_client()
    page = client.get("/codes/")
    assert page.status_code == 200 and page.headers["Content-Security-Policy"] == BROWSER_POLICY
    assert _meta_base(page.text) == "/api/r4"
    assert 'src="/codes/assets/app.js"' in page.text
    assert client.get("/codes").status_code == 308  # (to /codes/, where the page's links are relative)
    assert client.get("/codes/assets/fhir.js").status_code == 200
    for path in ("/codes/nope", "/codes/assets/nope.css", "/codes/assets/../extension.py"):
        assert client.get(path).status_code == 404, path


def test_the_plugin_serves_the_page_where_its_setting_says(registry) -> None:
    host = Flask("host")
    host.config["TERMINOLOGY_BROWSER_PATH"] = "/icd"
    Terminology(host, registry=registry, url_prefix="/r4")
    client = host.test_client()
    assert client.get("/icd/").status_code == 200 and client.get("/").status_code == 404


def test_the_standalone_server_moves_the_page_or_serves_none_by_its_setting(registry) -> None:
    moved = create_app({"TERMINOLOGY_BROWSER_PATH": "/codes"}, registry).test_client()
    assert moved.get("/codes/").status_code == 200 and moved.get("/").status_code == 404
    off = create_app({"TERMINOLOGY_BROWSER_PATH": "off"}, registry).test_client()
    assert off.get("/").status_code == 404 and off.get("/assets/app.js").status_code == 404
    assert off.get("/fhir/metadata").status_code == 200


def test_a_host_mounted_below_a_path_gives_the_page_its_full_addresses(registry) -> None:
    host = Flask("host")
    Terminology().init_app(host, url_prefix="/fhir", registry=registry, browser_path="/codes")
    page = host.test_client().get("/codes/", base_url="http://localhost/tools/")
    assert _meta_base(page.text) == "/tools/fhir"
    assert 'src="/tools/codes/assets/app.js"' in page.text

"""The HTML pages from the real server (``terminology serve``) over HTTP, as a browser gets them: the
headers the front layer adds to a page, the page's own policy kept alone, links that answer, and
FHIR clients' JSON unchanged beside them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from html_reading import Page, read_page, resolve
from running_server import RunningServer, serving

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def server(registry, release_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with serving(release_cache, tmp_path_factory.mktemp("serve") / "server.log") as running:
        yield running


def _get(server: RunningServer, path: str, accept: str = FIREFOX) -> requests.Response:
    """``path`` (below the FHIR base, with its query as a browser writes it) asked for with ``accept``."""
    return requests.get(server.base + path, headers={"Accept": accept}, timeout=30)


def _page(answer: requests.Response, status: int = 200) -> Page:
    assert answer.status_code == status, answer.text[:500]
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    page = read_page(answer.content)
    # (requests joins repeated headers with ", ": one policy, the page's own, naming its style's hash)
    policy = answer.headers["Content-Security-Policy"]
    assert policy.count("default-src") == 1 and f"style-src '{page.style_hash()}'" in policy
    assert answer.headers["X-Content-Type-Options"] == "nosniff" and answer.headers["Vary"] == "Accept"
    return page


def test_a_browser_gets_a_codes_page_whose_links_answer(server: RunningServer) -> None:
    path = f"/CodeSystem/$lookup?system={ICD10CM}&code=E11"
    page = _page(_get(server, path))
    assert page.title == "E11 Type 2 diabetes mellitus"
    base_path = "/fhir"
    for text, title in (("E11.9", "E11.9 Type 2 diabetes mellitus without complications"), ("E08-E13", "E08-E13 Diabetes mellitus (E08-E13)")):
        target = resolve(base_path + path, page.link_to(text))
        assert target.startswith("/fhir/CodeSystem/$lookup?")
        assert _page(_get(server, target.removeprefix(base_path))).title == title
    codes = _page(_get(server, resolve(base_path + path, page.link_to("the codes below it")).removeprefix(base_path)))
    assert len(codes.hrefs("CodeSystem/$lookup")) == 100


def test_an_error_page_keeps_its_status_and_is_never_cached(server: RunningServer) -> None:
    answer = _get(server, f"/CodeSystem/$lookup?system={ICD10CM}&code=NOPE")
    page = _page(answer, 404)
    assert page.headings[0] == (1, "Error 404: Not Found") and "NOPE" in page.text
    assert answer.headers["Cache-Control"] == "no-store"


def test_format_html_gives_a_page_to_any_client(server: RunningServer) -> None:
    answer = requests.get(f"{server.base}/metadata", params={"_format": "html"}, timeout=30)
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8" and "Vary" not in answer.headers
    assert "CodeSystem" in read_page(answer.content).text


@pytest.mark.parametrize("accept", ["*/*", "application/json", "application/fhir+json, text/html;q=0.9"])
def test_fhir_clients_get_the_json_they_got(server: RunningServer, accept: str) -> None:
    path = f"/CodeSystem/$validate-code?url={ICD10CM}&code=E11.9"
    plain = _get(server, path, "application/fhir+json")
    answer = _get(server, path, accept)
    assert answer.headers["Content-Type"] == "application/fhir+json; charset=utf-8"
    assert answer.content == plain.content
    assert "Content-Security-Policy" not in answer.headers and answer.headers["Vary"] == "Accept"

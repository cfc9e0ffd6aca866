"""The FHIR API as HTML pages for a browser, over the embedded release: each kind of page, its links
(followed: they answer), its status, its headers; and FHIR clients' answers unchanged beside them."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from flask import Flask

from html_reading import Page, read_page, resolve
from terminology.web.extension import Terminology

from .helpers import ICD10CM, LOOKUP, VALIDATE, parameters_body

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
HTML = {"Accept": BROWSER}
EXPAND = "/fhir/ValueSet/$expand"


def _page(client, url: str, status: int = 200, **kwargs) -> Page:
    answer = client.get(url, headers=HTML, **kwargs)
    assert answer.status_code == status, answer.get_data()[:500]
    assert answer.content_type == "text/html; charset=utf-8"
    policy = answer.headers.getlist("Content-Security-Policy")
    page = read_page(answer.get_data())
    assert len(policy) == 1 and f"style-src '{page.style_hash()}'" in policy[0] and policy[0].startswith("default-src 'none'")
    assert not page.unbalanced, page.unbalanced
    assert answer.headers.getlist("Vary") == ["Accept"]
    assert "script" not in page.tags
    return page


def _follow(client, page_url: str, href: str, status: int = 200) -> Page:
    return _page(client, resolve(page_url, href), status)


def test_a_codes_page_links_its_parent_and_children_to_their_own_pages(client) -> None:
    url = f"{LOOKUP}?system={ICD10CM}&code=E11"
    page = _page(client, url)
    assert page.title == "E11 Type 2 diabetes mellitus"
    assert [text for level, text in page.headings if level == 2][:3] == ["Parent", "Children", "Notes"]
    assert "Billable" in page.text and "diabetes NOS" in page.text  # (a flag, and a note of E11's)
    child = _follow(client, url, page.link_to("E11.9"))
    assert child.title == "E11.9 Type 2 diabetes mellitus without complications"
    parent = _follow(client, url, page.link_to("E08-E13"))
    assert parent.title == "E08-E13 Diabetes mellitus (E08-E13)"
    validated = _follow(client, url, page.link_to("Validate this code"))
    assert validated.headings[0] == (1, "Validation of E11")
    below = _follow(client, url, page.link_to("the codes below it"))
    assert "E11.00" in below.text


def test_a_page_asked_for_a_version_keeps_it_in_its_links(client) -> None:
    url = f"{LOOKUP}?system={ICD10CM}&code=E11&version=2025"
    page = _page(client, url)
    child = page.link_to("E11.9")
    assert "version=2025" in child
    assert "2025" in _follow(client, url, child).text
    below = _follow(client, url, page.link_to("the codes below it"))
    assert f"{ICD10CM}|2025" in below.text and "version=2025" in below.hrefs("CodeSystem/$lookup")[0]
    assert "version=" not in _page(client, f"{LOOKUP}?system={ICD10CM}&code=E11").link_to("E11.9")


def test_a_validation_page_says_the_result_message_and_issues(client) -> None:
    page = _page(client, f"{VALIDATE}?url={ICD10CM}&code=E11.9&display=Wrong%20name")
    assert "Not valid" in page.text and "Issues" in [text for _, text in page.headings]
    assert "Type 2 diabetes mellitus without complications" in page.text
    assert "Valid" in _page(client, f"{VALIDATE}?url={ICD10CM}&code=E11.9").text


def test_an_expansions_page_pages_through_the_codes(client) -> None:
    url = f"{EXPAND}?url={ICD10CM}%3Ffhir_vs%3Disa/E11&count=10"
    page = _page(client, url)
    assert "Previous page" not in page.text
    assert len(page.hrefs("CodeSystem/$lookup")) == 10
    second = _follow(client, url, page.link_to("Next page"))
    assert "Previous page" in second.text
    assert page.hrefs("CodeSystem/$lookup")[0] not in second.hrefs("CodeSystem/$lookup")
    first_code = _follow(client, url, page.hrefs("CodeSystem/$lookup")[0])
    assert first_code.title.startswith("E11 ")


def test_a_search_lists_its_matches_linking_each_to_its_read(client) -> None:
    url = f"/fhir/CodeSystem?url={ICD10CM}"
    page = _page(client, url)
    assert page.title == "Search results"
    reads = [href for href, text in page.links if text.startswith("CodeSystem ")]
    assert len(reads) == 3
    read = _follow(client, url, reads[-1])
    assert read.title.startswith("CodeSystem icd-10-cm")
    paged = _page(client, "/fhir/ValueSet?_count=5")
    assert len([text for _, text in paged.links if text.startswith("ValueSet ")]) == 5
    _follow(client, "/fhir/ValueSet?_count=5", paged.link_to("Next page"))


def test_a_code_systems_page_has_its_metadata_a_lookup_form_and_a_link_to_its_codes(client) -> None:
    url = "/fhir/CodeSystem/icd-10-cm-2025"
    page = _page(client, url)
    assert "http://hl7.org/fhir/sid/icd-10-cm" in page.text and "2025" in page.text
    form = page.form_with("code")
    assert resolve(url, form.action) == LOOKUP and form.method == "get"
    assert form.hidden() == [("system", ICD10CM), ("version", "2025")]
    query = "&".join(f"{name}={value}" for name, value in form.hidden()) + "&code=E11.9"
    assert _page(client, f"{LOOKUP}?{query}").title == "E11.9 Type 2 diabetes mellitus without complications"
    codes = _follow(client, url, page.link_to("Its codes"))
    assert len(codes.hrefs("CodeSystem/$lookup")) == 100
    assert f"{ICD10CM}|2025" in codes.text  # (the codes of the release the page was for)


def test_a_concept_maps_page_links_its_codes(client) -> None:
    url = "/fhir/ConceptMap/icd10cm-fy2020-to-fy2021"
    page = _page(client, url)
    assert "version=2020" in page.hrefs("CodeSystem/$lookup")[0]  # (a release this server may not hold: then a 404 page)
    target = page.hrefs("version=2021")[0]
    assert _follow(client, url, target).title.split()[0] in page.text


def test_the_servers_page_links_its_searches(client) -> None:
    page = _page(client, "/fhir/metadata")
    for search in ("CodeSystem", "ValueSet", "ConceptMap"):
        assert _follow(client, "/fhir/metadata", page.link_to(search)).title == "Search results"
    assert "terminology" in page.text


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (f"{LOOKUP}?system={ICD10CM}&code=NOPE", 404),
        ("/fhir/CodeSystem/no-such-id", 404),
        (f"{LOOKUP}?code=E11", 400),
        (f"{EXPAND}?url={ICD10CM}%3Ffhir_vs", 422),  # (too many codes at once)
    ],
)
def test_an_error_is_a_page_with_its_status(client, url, status) -> None:
    page = _page(client, url, status)
    assert page.headings[0] == (1, f"Error {status}: {HTTPStatus(status).phrase}")
    assert "error" in page.text


def test_a_405_keeps_its_allow_header(client) -> None:
    answer = client.delete("/fhir/metadata", headers=HTML)
    assert answer.status_code == 405 and answer.headers["Allow"] == "GET"
    assert answer.content_type == "text/html; charset=utf-8"


def test_format_html_asks_for_a_page_whatever_the_accept_and_its_links_ask_again(client) -> None:
    url = f"{LOOKUP}?system={ICD10CM}&code=E11&_format=html"
    answer = client.get(url, headers={"Accept": "application/fhir+json"})
    assert answer.content_type == "text/html; charset=utf-8"
    assert "Vary" not in answer.headers  # (the Accept header chose nothing)
    page = read_page(answer.get_data())
    assert page.link_to("E11.9").endswith("&_format=html")
    assert page.link_to("JSON").endswith("_format=json")


def test_the_display_a_client_brings_is_escaped(client) -> None:
    code_system = {
        "resourceType": "CodeSystem", "url": "http://example.org/cs", "version": "1", "status": "active", "content": "complete",
        "concept": [{"code": "X1", "display": "<script>alert(1)</script>"}, {"code": "X2", "display": "<img src=x onerror=alert(2)>"}],
    }  # fmt: skip
    body = parameters_body(
        {"name": "system", "valueUri": "http://example.org/cs"}, {"name": "code", "valueCode": "X1"}, {"name": "tx-resource", "resource": code_system}
    )
    answer = client.post(LOOKUP, data=body, content_type="application/fhir+json", headers=HTML)
    assert answer.status_code == 200 and answer.content_type == "text/html; charset=utf-8"
    assert b"<script" not in answer.get_data() and b"&lt;script&gt;alert(1)&lt;/script&gt;" in answer.get_data()
    value_set = {"resourceType": "ValueSet", "url": "http://example.org/vs", "status": "active", "compose": {"include": [{"system": "http://example.org/cs"}]}}
    body = parameters_body({"name": "valueSet", "resource": value_set}, {"name": "tx-resource", "resource": code_system})
    answer = client.post(EXPAND, data=body, content_type="application/fhir+json", headers=HTML)
    assert answer.status_code == 200 and b"<img" not in answer.get_data() and b"<script" not in answer.get_data()
    assert "<img src=x onerror=alert(2)>" in read_page(answer.get_data()).text


# -- FHIR clients get what they got -----------------------------------------------------------------------


@pytest.mark.parametrize("accept", [None, "*/*", "application/fhir+json", "application/json", "application/json, text/html", "text/html;q=0.5, */*"])
def test_fhir_clients_get_the_same_json(client, accept) -> None:
    url = f"{LOOKUP}?system={ICD10CM}&code=E11.9"
    plain = client.get(url, headers={"Accept": "application/fhir+json"})
    answer = client.get(url, headers={"Accept": accept} if accept else {})
    assert answer.content_type == "application/fhir+json; charset=utf-8"
    assert answer.get_data() == plain.get_data()
    assert answer.headers.getlist("Vary") == ["Accept"]
    assert "Content-Security-Policy" not in answer.headers


def test_xml_clients_still_get_xml(client) -> None:
    answer = client.get(f"{LOOKUP}?system={ICD10CM}&code=E11.9", headers={"Accept": "application/fhir+xml"})
    assert answer.content_type == "application/fhir+xml; charset=utf-8"


# -- under a host app's prefix -----------------------------------------------------------------------------


def test_links_work_under_a_host_apps_prefix(registry) -> None:
    host = Flask("host")
    Terminology().init_app(host, url_prefix="/api/tx", registry=registry)
    client = host.test_client()
    url = f"/api/tx/CodeSystem/$lookup?system={ICD10CM}&code=E11"
    page = _page(client, url)
    assert resolve(url, page.link_to("E11.9")).startswith("/api/tx/CodeSystem/$lookup?")
    _follow(client, url, page.link_to("E11.9"))
    _follow(client, url, page.link_to("Code systems"))


@pytest.mark.parametrize(
    "url",
    [
        f"{LOOKUP}?system={ICD10CM}&code=E11.9&version=2025&property=*",  # (notes from the chapter to the code, HCCs)
        f"{LOOKUP}?system={ICD10CM}&code=S72.001A",
        "/fhir/metadata",
        "/fhir/CodeSystem/icd-10-cm",
        "/fhir/ConceptMap?_count=10",
    ],
)
def test_every_link_of_a_page_answers(client, url) -> None:
    page = _page(client, url)
    for href in sorted(set(page.hrefs())):
        target = resolve(url, href)
        assert client.get(target, headers=HTML).status_code == 200, target


def test_a_code_system_page_searches_its_codes_in_its_release(client) -> None:
    url = "/fhir/CodeSystem/icd-10-cm-2025"
    page = _page(client, url)
    form = page.form_with("filter")
    assert resolve(url, form.action) == EXPAND and form.method == "get"
    query = "&".join(f"{name}={value}" for name, value in form.hidden()) + "&filter=diabetes%20type%202"
    found = _page(client, f"{EXPAND}?{query}")
    assert "E11.9" in found.text and f"{ICD10CM}|2025" in found.text
    assert ("input", "value", "diabetes type 2") in found.attributes  # (the search shown again, to refine)


def test_an_expansions_page_filters_the_same_expansion(client) -> None:
    page = _page(client, f"{EXPAND}?url={ICD10CM}%3Ffhir_vs%3Disa/E11&count=10&offset=10")
    form = page.form_with("filter")
    assert form.action is None  # (the page's own URL, with the fields in place of its query)
    assert form.hidden() == [("url", f"{ICD10CM}?fhir_vs=isa/E11"), ("count", "10")]  # (not the offset: a new search starts at its first code)


def test_a_codes_page_links_its_code_system(client) -> None:
    url = f"{LOOKUP}?system={ICD10CM}&code=E11&version=2025"
    found = _follow(client, url, _page(client, url).link_to(ICD10CM))
    assert [text for _, text in found.links if text.startswith("CodeSystem ")] == ["CodeSystem icd-10-cm-2025"]


@pytest.mark.parametrize(
    ("url", "title", "shown"),
    [
        (f"/fhir/CodeSystem/$subsumes?system={ICD10CM}&codeA=E11&codeB=E11.9", "$subsumes", "subsumes"),
        ("/fhir/$versions", "$versions", "4.0"),
        ("/fhir/metadata?mode=terminology", "TerminologyCapabilities", "more (the JSON has them all)"),  # (1,000 of its code systems)
    ],
)
def test_any_other_answer_is_a_table_of_what_it_holds(client, url, title, shown) -> None:
    page = _page(client, url)
    assert page.title.startswith(title) and shown in page.text

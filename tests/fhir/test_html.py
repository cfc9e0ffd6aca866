"""The HTML pages of resources: escaping of untrusted text, links relative to the FHIR base, the
page's structure and the policy that lets its style show."""

from __future__ import annotations

import pytest

from html_reading import read_page, resolve
from terminology.fhir.html import PageLinks, html_page
from terminology.fhir.html.generic import MAX_ITEMS

BASE = "https://tx.example.org/prefix/fhir"
SCRIPT = "<script>alert(1)</script>"


def _links(path: str = "/CodeSystem/$lookup", query=(), method: str = "GET") -> PageLinks:
    return PageLinks(BASE, path, list(query), method)


def _lookup(display: str, code: str = "A01") -> dict:
    return {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "name", "valueString": "Test"},
            {"name": "code", "valueCode": code},
            {"name": "system", "valueUri": "http://example.org/cs"},
            {"name": "display", "valueString": display},
            {"name": "property", "part": [{"name": "code", "valueCode": "parent"}, {"name": "value", "valueCode": 'A"0'}, {"name": "description", "valueString": SCRIPT}]},
            {"name": "property", "part": [
                {"name": "code", "valueCode": "excludes1"},
                {"name": "value", "valueString": SCRIPT},
                {"name": "subproperty", "part": [{"name": "code", "valueCode": "source"}, {"name": "value", "valueCode": "A0"}]},
            ]},
        ],
    }  # fmt: skip


# -- links --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "to_base"),
    [("/metadata", "./"), ("/CodeSystem", "./"), ("/CodeSystem/$lookup", "../"), ("/CodeSystem/", "../"), ("/CodeSystem/cs-1/$lookup", "../../"), ("", "./fhir/")],
)
def test_links_lead_to_the_fhir_base_from_any_page(path, to_base) -> None:
    links = _links(path)
    assert links.to_base == to_base
    page_url = "/prefix/fhir" + path
    assert resolve(page_url, links.path("CodeSystem/$lookup", [("code", "A")])) == "/prefix/fhir/CodeSystem/$lookup?code=A"


def test_a_page_asked_for_with_format_html_links_with_it() -> None:
    links = _links(query=[("system", "s"), ("_format", "html")])
    assert links.lookup("http://x/cs", "A 1", "2") == "../CodeSystem/$lookup?system=http://x/cs&code=A%201&version=2&_format=html"
    assert _links().lookup("http://x/cs", "A") == "../CodeSystem/$lookup?system=http://x/cs&code=A"


def test_paging_repeats_a_get_query_but_not_a_post() -> None:
    links = _links("/ValueSet/$expand", [("url", "http://x/vs"), ("offset", "0"), ("count", "10")])
    assert links.requery({"offset": "10", "count": "10"}) == "?url=http://x/vs&offset=10&count=10"
    assert _links("/ValueSet/$expand", method="POST").requery({"offset": "10"}) is None


def test_urls_of_this_server_become_relative_links_and_others_are_not_links() -> None:
    links = _links("/CodeSystem")
    assert links.of_url(BASE + "/CodeSystem/cs-1") == "./CodeSystem/cs-1"
    assert links.of_url("https://elsewhere.example.org/fhir/CodeSystem/cs-1") is None


# -- escaping: everything a resource holds is text ---------------------------------------------------


def test_a_lookup_page_escapes_what_the_code_system_says() -> None:
    body, _ = html_page(_lookup(SCRIPT), 200, _links(), "lookup")
    assert b"<script" not in body
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in body
    page = read_page(body)
    assert page.headings[0] == (1, f"A01 {SCRIPT}")
    assert "../CodeSystem/$lookup?system=http://example.org/cs&code=A%220" in page.hrefs()  # (the quote in an href)
    assert not page.unbalanced


@pytest.mark.parametrize("kind", ["CodeSystem", "ValueSet", "ConceptMap", "Patient"])
def test_any_resource_escapes_its_elements_and_a_narrative_is_only_text(kind) -> None:
    resource = {
        "resourceType": kind,
        "id": "x1",
        "name": SCRIPT,
        "url": "http://example.org/" + kind,
        "text": {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml"><p>Hi &amp; bye</p>{SCRIPT}<img src="x" onerror="alert(2)"/></div>'},
        "extension": [{"url": "http://example.org/e", "valueString": '"><script>alert(3)</script>'}],
    }
    body, _ = html_page(resource, 200, _links(f"/{kind}/x1"), "read")
    assert b"<script" not in body and b"<img" not in body and b"onerror" not in body
    page = read_page(body)
    assert page.title == f"{kind} x1: {SCRIPT}"
    assert '"><script>alert(3)</script>' in page.text
    # (a definition's page leaves its narrative out: its metadata and concepts say the same, and better)
    assert ("Hi & bye alert(1)" in page.text) is (kind == "Patient")
    assert not page.unbalanced


def test_an_error_page_shows_its_issues_escaped() -> None:
    issue = {"severity": "error", "code": "not-found", "details": {"text": f"No code {SCRIPT}"}, "diagnostics": "request-id: r1"}
    outcome = {"resourceType": "OperationOutcome", "issue": [issue]}
    body, _ = html_page(outcome, 404, _links(), "lookup")
    page = read_page(body)
    assert page.headings == [(1, "Error 404: Not Found")]
    assert f"No code {SCRIPT}" in page.text and b"<script" not in body
    assert "request-id: r1" in page.text


# -- the page --------------------------------------------------------------------------------------------


def test_a_page_is_in_english_for_phones_with_headings_in_order_and_table_headers() -> None:
    body, _ = html_page(_lookup("Cholera"), 200, _links(), "lookup")
    page = read_page(body)
    assert page.lang == "en"
    assert ("meta", "name", "viewport") in page.attributes
    levels = [level for level, _ in page.headings]
    assert levels[0] == 1 and levels.count(1) == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:]))
    assert page.tables and page.header_cells >= 3 * page.tables - 1
    assert "script" not in page.tags


def test_the_policy_allows_the_pages_own_style_by_its_hash_and_nothing_else() -> None:
    body, policy = html_page(_lookup("Cholera"), 200, _links(), "lookup")
    page = read_page(body)
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives == {
        "default-src": "'none'",
        "style-src": f"'{page.style_hash()}'",
        "img-src": "'none'",
        "frame-ancestors": "'none'",
        "base-uri": "'none'",
        "form-action": "'none'",
    }


def test_a_code_systems_page_has_a_lookup_form_and_its_policy_lets_it_be_sent_here() -> None:
    resource = {"resourceType": "CodeSystem", "id": "cs", "url": "http://example.org/cs", "version": "1", "content": "complete"}
    body, policy = html_page(resource, 200, _links("/CodeSystem/cs"), "read")
    page = read_page(body)
    assert ("form", "action", "../CodeSystem/$lookup") in page.attributes
    assert ("input", "value", "http://example.org/cs") in page.attributes
    assert "form-action 'self'" in policy
    assert "../ValueSet/$expand?url=http://example.org/cs%3Ffhir_vs&system-version=http://example.org/cs|1&count=100" in page.hrefs()


def test_an_expansions_page_links_each_code_and_the_pages_around_it() -> None:
    def expansion(offset: int) -> dict:
        contains = [{"system": "http://example.org/cs", "code": f"C{n}", "display": f"Code {n}"} for n in range(offset, offset + 2)]
        parameters = [{"name": "offset", "valueInteger": offset}, {"name": "count", "valueInteger": 2}]
        return {"resourceType": "ValueSet", "url": "http://example.org/vs", "expansion": {"total": 5, "offset": offset, "parameter": parameters, "contains": contains}}

    query = [("url", "http://example.org/vs"), ("count", "2")]
    first = read_page(html_page(expansion(0), 200, _links("/ValueSet/$expand", query), "expand")[0])
    assert first.link_to("Next page") == "?url=http://example.org/vs&offset=2&count=2"
    assert "Previous page" not in [text for _, text in first.links]
    assert "../CodeSystem/$lookup?system=http://example.org/cs&code=C1" in first.hrefs()
    middle = read_page(html_page(expansion(2), 200, _links("/ValueSet/$expand", query + [("offset", "2")]), "expand")[0])
    assert middle.link_to("Previous page") == "?url=http://example.org/vs&offset=0&count=2"
    assert middle.link_to("Next page") == "?url=http://example.org/vs&offset=4&count=2"
    posted = read_page(html_page(expansion(2), 200, _links("/ValueSet/$expand", method="POST"), "expand")[0])
    assert not [text for _, text in posted.links if "page" in text]


def test_a_long_list_is_cut_short_and_says_so() -> None:
    concepts = [{"code": f"C{n}", "display": f"Code {n}"} for n in range(MAX_ITEMS + 5)]
    resource = {"resourceType": "CodeSystem", "id": "big", "url": "http://example.org/cs", "concept": concepts}
    page = read_page(html_page(resource, 200, _links("/CodeSystem/big"), "read")[0])
    assert len(page.hrefs("code=C")) == MAX_ITEMS
    assert f"The first {MAX_ITEMS:,} of {MAX_ITEMS + 5:,} are shown" in page.text

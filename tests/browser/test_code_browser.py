"""The code browser in Chromium against the real server: search and keyboard, a code's page, the 7th
character, notes' links, releases, copying, guidance, value sets, stable links, a phone's screen,
accessibility, and errors."""

from __future__ import annotations

import json

import requests

from playwright.sync_api import Page, expect

from .views import ICD10CM, open_view, search_box


def test_search_as_you_type_and_pick_a_hit_by_keyboard(page: Page) -> None:
    open_view(page, "/")
    search = search_box(page)
    search.fill("fatigue fracture sacral")
    options = page.get_by_role("option")
    expect(options.first).to_be_visible()
    expect(search).to_have_attribute("aria-expanded", "true")
    assert options.first.inner_text().startswith("M48.48")
    expect(options.first.locator(".badge")).to_have_text("Header")
    expect(options.first.locator(".hit-where")).to_have_text("Chapter 13 · M45-M49")
    search.press("ArrowDown")
    search.press("ArrowDown")
    second = options.nth(1)
    expect(second).to_have_attribute("aria-selected", "true")
    expect(search).to_have_attribute("aria-activedescendant", second.get_attribute("id"))
    picked = second.locator(".code-id").inner_text()
    search.press("Enter")
    expect(page.locator("#code-title .code-id")).to_have_text(picked)
    assert page.url.endswith(f"/?code={picked}")


def test_a_code_prefix_finds_codes_and_escape_clears(page: Page) -> None:
    open_view(page, "/")
    search = search_box(page)
    search.fill("E11.2")
    expect(page.get_by_role("option").first).to_contain_text("E11.2")
    search.press("Escape")
    expect(page.locator("#search-results")).to_be_hidden()
    expect(search).to_have_attribute("aria-expanded", "false")
    search.press("Escape")
    expect(search).to_have_value("")


def test_a_code_page_shows_its_hierarchy_children_and_notes_by_kind(page: Page) -> None:
    open_view(page, "/?code=M48.48")
    expect(page.locator("#code-title")).to_have_text("M48.48 Fatigue fracture of vertebra, sacral and sacrococcygeal region")
    expect(page.locator(".title .badge").first).to_have_text("Header: not billable")
    hierarchy = page.get_by_role("navigation", name="Hierarchy")
    expect(hierarchy.get_by_role("link")).to_have_text(["M40-M54", "M45-M49", "M48", "M48.4"])
    expect(hierarchy).to_contain_text("Chapter 13: Diseases of the musculoskeletal system")
    expect(page.locator("#children").get_by_role("link")).to_have_text(["M48.48XA", "M48.48XD", "M48.48XG", "M48.48XS"])
    notes = page.locator("#notes")
    expect(notes.locator("h3")).to_have_text(["Inclusion terms", "Excludes1", "Excludes2", "Notes"])
    excludes1 = notes.locator(".note-group.excludes1")
    expect(excludes1.locator(".kind-help")).to_have_text("a condition that is never coded together with this code")
    expect(excludes1.locator("li").first).to_have_text("pathological fracture NOS (M84.4-) — from M48.4 (subcategory)")
    expect(notes.locator(".note-group.excludes2 li").first).to_contain_text("— from chapter 13 (chapter)")


def _parents_by_lookup(base: str, code: str) -> list[str]:
    """Each code above ``code``, top first, as ``$lookup``'s ``parent`` property gives them one by one."""
    chain = []
    while True:
        answer = requests.get(f"{base}/CodeSystem/$lookup", params={"system": ICD10CM, "code": code, "property": "parent"}, timeout=10).json()
        parent = [p["part"] for p in answer["parameter"] if p["name"] == "property"]
        if not parent:
            return chain
        parts = {part["name"]: next(v for k, v in part.items() if k.startswith("value")) for part in parent[0]}
        chain.insert(0, f"{parts['value']} {parts['description']}")
        code = parts["value"]


def test_the_hierarchy_is_each_parent_up_to_the_top_asked_in_one_request(page: Page, server) -> None:
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    for code in ("M48.48XA", "E11.22", "M40-M54"):
        asked.clear()
        open_view(page, f"/?code={code}")
        page.wait_for_load_state("networkidle")
        items = page.get_by_role("navigation", name="Hierarchy").locator("li")
        expect(items.first).to_contain_text("Chapter ")
        assert items.all_inner_texts()[1:] == [*_parents_by_lookup(server.base, code), code]
        # (the page's own $lookup, and the breadcrumb's one $expand)
        assert len([url for url in asked if "/CodeSystem/$lookup" in url]) == 1, asked
        assert len([url for url in asked if url.endswith("/ValueSet/$expand")]) == 1, asked


def test_the_7th_character_picker_gives_the_billable_code(page: Page) -> None:
    open_view(page, "/?code=M48.48")
    picker = page.get_by_role("group", name="Choose the 7th character of M48.48")
    expect(picker.get_by_role("radio")).to_have_count(4)
    picker.get_by_role("radio", name="A initial encounter for fracture").check()
    result = page.locator(".seventh-result .picked")
    expect(result).to_contain_text("M48.48XA Fatigue fracture of vertebra, sacral and sacrococcygeal region, initial encounter for fracture")
    expect(result.locator(".badge")).to_have_text("Billable")
    result.get_by_role("link", name="M48.48XA").click()
    expect(page.locator("#code-title .code-id")).to_have_text("M48.48XA")
    expect(page.locator(".title .badge").first).to_have_text("Billable")


def test_a_code_in_a_note_is_a_link_to_its_page(page: Page) -> None:
    open_view(page, "/?code=M48.48")
    page.locator("#notes .excludes1").get_by_role("link", name="M84.58").click()
    expect(page.locator("#code-title")).to_contain_text("M84.58")
    assert page.url.endswith("/?code=M84.58")
    page.go_back()
    expect(page.locator("#code-title .code-id")).to_have_text("M48.48")
    page.go_forward()
    expect(page.locator("#code-title .code-id")).to_have_text("M84.58")


def test_switching_the_release_reloads_the_view_in_it(page: Page) -> None:
    open_view(page, "/?code=M54.5")
    expect(page.locator(".title .badge").first).to_have_text("Header: not billable")
    history = page.locator("#history")
    expect(history).to_contain_text("Became a header2021-10-01 (FY2022)")
    expect(history.get_by_role("link")).to_have_text(["M54.50", "M54.51", "M54.59"])
    page.get_by_label("Release").select_option("2021")
    expect(page.locator(".badge.release")).to_have_text("ICD-10-CM 2021")
    expect(page.locator(".title .badge").first).to_have_text("Billable")
    assert page.url.endswith("/?code=M54.5&version=2021")
    page.reload()
    expect(page.get_by_label("Release")).to_have_value("2021")
    expect(page.locator(".badge.release")).to_have_text("ICD-10-CM 2021")


def test_copy_as_a_fhir_coding_and_as_a_code(page: Page) -> None:
    open_view(page, "/?code=M48.48XA")
    page.get_by_role("button", name="Copy as FHIR Coding").click()
    expect(page.get_by_role("status")).to_have_text("Copied the FHIR Coding to the clipboard.")
    coding = json.loads(page.evaluate("navigator.clipboard.readText()"))
    assert coding == {
        "system": ICD10CM,
        "version": "2026",
        "code": "M48.48XA",
        "display": "Fatigue fracture of vertebra, sacral and sacrococcygeal region, initial encounter for fracture",
    }
    page.get_by_role("button", name="Copy code").click()
    expect(page.get_by_role("status")).to_have_text("Copied M48.48XA to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == "M48.48XA"


def test_guidance_and_value_sets_of_m4848xa(page: Page) -> None:
    open_view(page, "/?code=M48.48XA")
    guidance = page.locator("#guidance")
    expect(guidance.locator("h3")).to_have_text([
        "Clinical description", "Documentation requirement", "Clinical scenario", "Coding consideration",
        "Procedure use", "Procedure documentation", "Procedure performer", "Differential",
    ])  # fmt: skip
    expect(guidance).to_contain_text("The condition itself: Detailed imaging reports, treatment plans, and follow-up assessments.")
    expect(guidance).to_contain_text("From Coding guidance for ICD-10-CM M48.48")
    value_sets = page.locator("#value-sets li")
    expect(value_sets).to_have_count(2)
    expect(value_sets.nth(0)).to_contain_text("Billable ICD-10-CM codes")
    expect(value_sets.nth(1)).to_contain_text("Fatigue fracture of vertebra, sacral and sacrococcygeal region")


def test_a_release_named_by_the_day_it_takes_effect_is_the_same_release(page: Page, problems: list[str]) -> None:
    """A release goes by its fiscal year (2026) and by the day it takes effect (2026-04-01, as
    `CodeSystem?url=` gives its effective period): either name shows it, its guidance and its place in
    the release list."""
    open_view(page, "/?code=M48.48XA&version=2026-04-01")
    expect(page.locator(".badge.release")).to_have_text("ICD-10-CM 2026")
    expect(page.locator("#guidance h3")).to_have_count(8)
    expect(page.get_by_label("Release")).to_have_value("2026")
    open_view(page, "/?code=M48.48XA&version=2025-04-01")
    expect(page.locator(".badge.release")).to_have_text("ICD-10-CM 2025")
    expect(page.get_by_label("Release")).to_have_value("2025")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#guidance")).to_have_count(0)  # (the supplement is of 2026)
    open_view(page, "/?code=T40.7X1A&version=2025-04-01")
    expect(page.get_by_role("alert").locator(".other-releases").get_by_role("link")).to_have_text(["2026", "2021"])
    assert problems == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]
    problems.clear()


def test_a_code_without_guidance_has_none_and_shows_cms_data(page: Page) -> None:
    open_view(page, "/?code=E11.22")
    expect(page.locator("#notes")).to_be_visible()
    expect(page.locator("#guidance")).to_have_count(0)
    expect(page.locator("#cms tr", has_text="CMS-HCC V28")).to_have_text("CMS-HCC V2837: Diabetes with Chronic Complications2026, 2027")
    expect(page.locator("#gems")).to_contain_text("250.40")
    expect(page.locator("#value-sets")).to_contain_text("Billable ICD-10-CM codes")


def test_stable_links_open_the_same_view(page: Page, context) -> None:
    open_view(page, "/?q=fatigue+fracture")
    expect(page.locator("#results-heading")).to_have_text("Codes matching “fatigue fracture”")
    expect(search_box(page)).to_have_value("fatigue fracture")
    page.locator(".results").get_by_role("link").first.click()
    expect(page.locator("#code-title")).to_be_visible()
    copied = page.url
    other = context.new_page()
    other.goto(copied)
    expect(other.locator("#code-title")).to_have_text(page.locator("#code-title").inner_text())
    other.close()
    page.go_back()
    expect(page.locator("#results-heading")).to_be_visible()


def test_enter_without_a_pick_opens_the_search_page(page: Page) -> None:
    open_view(page, "/")
    search = search_box(page)
    search.fill("stress fracture")
    search.press("Enter")
    expect(page.locator("#results-heading")).to_have_text("Codes matching “stress fracture”")
    assert page.url.endswith("/?q=stress+fracture")
    # (the page holds more than the list under the box, and says how many match in all)
    total = requests.get(f"{page.url.split('?')[0]}fhir/ValueSet/$expand", timeout=10, params={
        "url": f"{ICD10CM}?fhir_vs", "filter": "stress fracture", "count": "0"}).json()["expansion"]["total"]
    assert total > 100
    expect(page.locator(".results li")).to_have_count(100)
    expect(page.locator("#results-count")).to_have_text(
        f"The best 100 of {total:,} codes that match; add words or characters to narrow the search.")


def test_the_list_ends_on_a_choice_of_every_hit_when_there_are_more(page: Page) -> None:
    open_view(page, "/")
    search = search_box(page)
    search.fill("fracture")
    total = requests.get(f"{page.url.split('?')[0]}fhir/ValueSet/$expand", timeout=10, params={
        "url": f"{ICD10CM}?fhir_vs", "filter": "fracture", "count": "0"}).json()["expansion"]["total"]
    options = page.locator("#search-results").get_by_role("option")
    expect(options).to_have_count(21)
    expect(options.last).to_have_text(f"All {total:,} codes that match “fracture”")
    search.press("ArrowUp")  # (from none: the last)
    expect(options.last).to_have_attribute("aria-selected", "true")
    search.press("Enter")
    expect(page.locator("#results-heading")).to_have_text("Codes matching “fracture”")
    search.fill("M48.48X")  # (four hits, all there are: no such choice)
    expect(options.first).to_contain_text("M48.48XA")
    expect(options).to_have_count(4)


def test_enter_on_a_whole_code_opens_its_page(page: Page) -> None:
    open_view(page, "/")
    search = search_box(page)
    hits = page.locator("#search-results").get_by_role("option")
    search.fill("m48.48xa")  # (in any case)
    expect(hits.first).to_contain_text("M48.48XA")
    search.press("Enter")
    expect(page.locator("#code-title .code-id")).to_have_text("M48.48XA")
    assert page.url.endswith("/?code=M48.48XA")
    search.fill("e1122")  # (as claims write codes: no dot)
    expect(hits.first).to_contain_text("E11.22")
    search.press("Enter")
    expect(page.locator("#code-title .code-id")).to_have_text("E11.22")
    search.fill("M48.4")  # (a code's start that is a code too: its page, which lists the codes below)
    expect(hits.first).to_contain_text("M48.4")
    search.press("Enter")
    expect(page.locator("#code-title .code-id")).to_have_text("M48.4")
    search.fill("M48.48X")  # (no code, only a start: the search's page)
    expect(hits.first).to_be_visible()
    search.press("Enter")
    expect(page.locator("#results-heading")).to_have_text("Codes matching “M48.48X”")


def test_errors_are_shown_as_the_servers_text(page: Page, problems: list[str]) -> None:
    open_view(page, "/?code=T40.7X1A")
    problem = page.get_by_role("alert")
    expect(problem).to_contain_text("it was deleted on 2021-10-01 (FY2022): use T40.711A or T40.721A")
    expect(problem.locator(".other-releases").get_by_role("link")).to_have_text(["2025", "2021"])
    problem.get_by_role("link", name="T40.711A").click()
    expect(page.locator("#code-title .code-id")).to_have_text("T40.711A")
    open_view(page, "/?code=M48.48&version=1999")
    expect(page.get_by_role("alert")).to_contain_text("1999")
    # (the console names each failed request: the two asked for here)
    assert problems == ["Failed to load resource: the server responded with a status of 404 (Not Found)"] * 2
    problems.clear()


def test_a_phone_sized_screen_has_no_horizontal_overflow(page: Page) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    for view in ("/?code=M48.48", "/?code=E11.22", "/?q=fatigue+fracture"):
        open_view(page, view)
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (view, overflow)
    search_box(page).fill("fatigue fracture")
    expect(page.get_by_role("option").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    box = page.locator("#search-results").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360


def test_every_control_is_labelled_and_focus_is_visible(page: Page) -> None:
    open_view(page, "/?code=M48.48")
    unlabelled = page.evaluate(
        """[...document.querySelectorAll('input, select, button, textarea')]
             .filter((e) => !(e.labels?.length || e.getAttribute('aria-label') || e.textContent.trim()))
             .map((e) => e.outerHTML)"""
    )
    assert unlabelled == []
    for landmark in ("banner", "search", "main", "contentinfo"):
        expect(page.get_by_role(landmark)).to_have_count(1)
    page.keyboard.press("Tab")  # the skip link first
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(search_box(page)).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle + ' ' + getComputedStyle(document.activeElement).outlineWidth")
    assert outline.startswith("solid") and outline != "solid 0px", outline


def test_the_home_page_opens_on_the_chapters_and_their_blocks(page: Page) -> None:
    open_view(page, "/")
    chapters = page.locator(".chapters summary")
    expect(chapters).to_have_count(22)
    expect(chapters.nth(12)).to_have_text("Chapter 13: Diseases of the musculoskeletal system and connective tissue (M00-M99)")
    chapters.nth(12).click()
    page.locator(".chapters details").nth(12).get_by_role("link", name="M40-M54").click()
    expect(page.locator("#code-title")).to_have_text("M40-M54 Dorsopathies (M40-M54)")
    expect(page.locator("#children").get_by_role("link")).to_have_text(["M40-M43", "M45-M49", "M50-M54"])
    page.go_back()
    expect(page.locator(".chapters summary")).to_have_count(22)


def test_the_page_names_its_icon_and_no_request_fails(page: Page) -> None:
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    failed = []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    open_view(page, "/?code=M48.48")
    page.wait_for_load_state("networkidle")
    icon = page.locator('link[rel="icon"]')
    expect(icon).to_have_attribute("type", "image/svg+xml")
    assert page.request.get(icon.evaluate("(link) => link.href")).ok
    assert not [url for url in asked if url.endswith("/favicon.ico")] and failed == []

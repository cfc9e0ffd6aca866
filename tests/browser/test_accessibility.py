"""The code browser checked by axe-core (as ``axe-playwright-python`` bundles it): no violation of the
WCAG 2.0, 2.1 and 2.2 A and AA rules, colour contrast included, in each main view once all its parts
have arrived, on a wide screen and a phone's."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from .views import open_view, search_box

WCAG_A_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]}}


def _search_open(page: Page) -> None:
    open_view(page, "/")
    search_box(page).fill("fatigue fracture")
    expect(page.get_by_role("option").first).to_be_visible()
    search_box(page).press("ArrowDown")  # (a hit highlighted)


def _seventh_character_picked(page: Page) -> None:
    open_view(page, "/?code=M48.48")
    page.get_by_role("radio", name="A initial encounter for fracture").check()
    expect(page.locator(".seventh-result .picked")).to_be_visible()


def _chapter_open(page: Page) -> None:
    open_view(page, "/")
    page.locator(".chapters summary").nth(12).click()


VIEWS: dict[str, Callable[[Page], None]] = {
    "home, a chapter open": _chapter_open,
    "search results open": _search_open,
    "search page": lambda page: open_view(page, "/?q=fatigue+fracture"),
    "a code with notes and the 7th-character picker": _seventh_character_picked,
    "a code with guidance": lambda page: open_view(page, "/?code=M48.48XA"),
    "a code with CMS data and history": lambda page: open_view(page, "/?code=E11.22"),
    "an error page": lambda page: open_view(page, "/?code=T40.7X1A"),
}


def _violations(page: Page) -> list[str]:
    page.wait_for_load_state("networkidle")  # (the parts that fill in after the page: breadcrumb, value sets, GEMs)
    found = Axe().run(page, options=WCAG_A_AA).response
    assert found["passes"], "axe ran no rule"
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']]}" for v in found["violations"]]


@pytest.mark.parametrize("width", [1280, 360], ids=["wide", "phone"])
@pytest.mark.parametrize("view", VIEWS)
def test_no_wcag_a_or_aa_violation(page: Page, problems: list[str], view: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900 if width > 400 else 740})
    VIEWS[view](page)
    assert _violations(page) == []
    if view == "an error page":  # (the console names the 404 of the code asked for on purpose)
        assert problems == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]
        problems.clear()

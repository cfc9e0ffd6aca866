"""What the browser tests share: opening a view and waiting for it, and the search box."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

__all__ = ["ICD10CM", "open_view", "search_box"]

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"


def search_box(page: Page) -> Locator:
    return page.get_by_role("combobox", name="Search ICD-10-CM codes and titles")


def open_view(page: Page, query: str) -> None:
    """Opens ``query`` (``/?code=M48.48``) and waits until its heading shows."""
    page.goto(query)
    expect(page.locator("#code-title, #results-heading, #intro-heading, #problem-heading")).to_be_visible()

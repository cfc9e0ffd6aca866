"""One Chromium for the session (Debian's, driven by Playwright: its own browser download is not used),
and one real server for the session, started as a user starts it (the page changes nothing on it)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from running_server import RunningServer, serving

CHROMIUM = Path(os.environ.get("TERMINOLOGY_TEST_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: scripts/test installs Debian's (chromium), or name one in TERMINOLOGY_TEST_CHROMIUM")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def server(registry, release_cache, tmp_path_factory) -> Iterator[RunningServer]:
    with serving(release_cache, tmp_path_factory.mktemp("serve") / "server.log") as running:
        yield running


@pytest.fixture(scope="session")
def root(server: RunningServer) -> str:
    """The browser's address: the server's root."""
    return server.base.removesuffix("/fhir") + "/"


@pytest.fixture
def context(browser: Browser, root: str) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=root)
    made.grant_permissions(["clipboard-read", "clipboard-write"], origin=root.rstrip("/"))
    yield made
    made.close()


@pytest.fixture
def problems() -> list[str]:
    """The script errors and console errors of the test's tab (a test that causes some on purpose takes them out)."""
    return []


@pytest.fixture
def page(context: BrowserContext, problems: list[str]) -> Iterator[Page]:
    """A tab that fails the test on any script error or any message the console gives as an error (a
    request the page's policy blocks is one, and so is any request that fails)."""
    opened = context.new_page()
    opened.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    opened.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    yield opened
    assert problems == []

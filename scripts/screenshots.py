"""The code browser's screenshots for the README: starts the server as a user does (``terminology serve``
on a free port, one worker), drives Debian's Chromium through Playwright, and writes PNGs.

    scripts/screenshots                 # into docs/screenshots/
    scripts/screenshots --out /tmp/shots
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("TERMINOLOGY_TEST_CHROMIUM", "/usr/bin/chromium")
WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@contextmanager
def server() -> Iterator[str]:
    """The server's root address, until the block ends."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [str(ROOT / ".venv" / "bin" / "terminology"), "serve", "--port", str(port), "--workers", "1"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    root = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(root + "fhir/metadata", timeout=5).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.3)
        else:
            raise SystemExit("the server did not start")
        yield root
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def opened(browser: Browser, root: str, view: str, viewport: dict[str, int] = WIDE) -> Page:
    page = browser.new_page(viewport=viewport, device_scale_factor=1, base_url=root)
    page.goto(view)
    page.wait_for_load_state("networkidle")
    return page


def search(browser: Browser, root: str, out: Path) -> None:
    page = opened(browser, root, "/")
    page.get_by_role("combobox", name="Search ICD-10-CM codes and titles").fill("fatigue fracture")
    page.get_by_role("option").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.screenshot(path=out / "search.png")


def code_page(browser: Browser, root: str, out: Path) -> None:
    page = opened(browser, root, "/?code=M48.48")
    page.screenshot(path=out / "code-page.png", full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": 1300})


def seventh_character(browser: Browser, root: str, out: Path) -> None:
    page = opened(browser, root, "/?code=M48.48")
    page.get_by_role("radio", name="A initial encounter for fracture").check()
    page.locator(".seventh-result .picked").wait_for()
    page.locator("#seventh").screenshot(path=out / "seventh-character.png")


def guidance(browser: Browser, root: str, out: Path) -> None:
    page = opened(browser, root, "/?code=M48.48XA")
    page.locator("#guidance").screenshot(path=out / "guidance.png")


def history_and_cms(browser: Browser, root: str, out: Path) -> None:
    page = opened(browser, root, "/?code=E11.22")
    page.locator(".secondary").screenshot(path=out / "value-sets-history-cms.png")


def phone(browser: Browser, root: str, out: Path) -> None:
    page = opened(browser, root, "/?code=M48.48XA", PHONE)
    page.screenshot(path=out / "phone.png")


SHOTS: list[Callable[[Browser, str, Path], None]] = [search, code_page, seventh_character, guidance, history_and_cms, phone]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    with server() as root, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        opened(browser, root, "/?q=warm").close()  # (the first search builds the server's index)
        for shot in SHOTS:
            shot(browser, root, out)
        browser.close()
    for png in sorted(out.glob("*.png")):
        print(f"{png.relative_to(ROOT) if png.is_relative_to(ROOT) else png}  {png.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()

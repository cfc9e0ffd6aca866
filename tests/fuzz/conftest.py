"""The fuzz tests' server (the real ``terminology serve``, two workers) and the count of what they sent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from fuzz.answers import SENT
from running_server import RunningServer, serving


@pytest.fixture(scope="package")
def server(registry, release_cache, tmp_path_factory) -> Iterator[RunningServer]:
    """(``registry`` compiles the content first, so that the server starts without compiling.)"""
    with serving(release_cache, tmp_path_factory.mktemp("fuzz") / "server.log", workers=2) as running:
        yield running
        log = running.output()
    assert "Traceback" not in log, f"the server logged an error while fuzzed:\n{log[-5000:]}"


@pytest.fixture(scope="package")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SENT["requests"]:
        terminalreporter.write_line(f"fuzz: {SENT['requests']} generated requests sent to the server")

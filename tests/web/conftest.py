"""Fixtures of the HTTP tests that more than one module uses."""

from __future__ import annotations

import pytest

from fixture_resources import CONCEPT_MAP_FILES, definition, load
from terminology.registry import Registry
from terminology.web.app import create_app


@pytest.fixture(scope="session")
def maps_client(registry):
    """A server that holds the fixture ConceptMaps itself (over the session's registry)."""
    layered = Registry(parent=registry)
    for name in CONCEPT_MAP_FILES:
        layered.add(definition(load(name)))
    return create_app(registry=layered).test_client()

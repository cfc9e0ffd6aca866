"""Fixtures of the operation tests: the fixture resources over the server's registry."""

from __future__ import annotations

import pytest

from fixture_resources import fixture_registry
from terminology.registry import Registry


@pytest.fixture(scope="session")
def fixtures(registry) -> Registry:
    """The fixture CodeSystems, ValueSets and ConceptMaps over the server's registry, as a request's
    tx-resources would be."""
    return fixture_registry(registry)

"""Fixtures shared by the test suite: one registry of the embedded release, its app and a client."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from terminology.content import build_registry
from terminology.web.app import create_app


def assert_valid_r4(resource: dict[str, Any]) -> Any:
    """Validates ``resource`` (FHIR JSON) with the fhir.resources R4B model of its type; returns the model."""
    assert isinstance(resource, dict), f"not a resource: {resource!r}"
    resource_type = resource.get("resourceType")
    assert isinstance(resource_type, str) and resource_type.isidentifier(), resource_type
    module = importlib.import_module(f"fhir.resources.R4B.{resource_type.lower()}")
    return getattr(module, resource_type).model_validate(resource)


@pytest.fixture(scope="session", autouse=True)
def empty_data_folder(tmp_path_factory):
    """The registries and servers the tests make read an empty data folder, not the releases the
    machine's user may have imported (``terminology import``); a test that wants one names its own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TERMINOLOGY_DATA_DIR", str(tmp_path_factory.mktemp("data")))
        yield


@pytest.fixture(scope="session")
def release_cache(tmp_path_factory):
    """The cache of the session's compiled content: the registry's, and that of the commands tests run."""
    return tmp_path_factory.mktemp("release-cache")


@pytest.fixture(scope="session")
def registry(release_cache):
    return build_registry(cache_dir=release_cache)


@pytest.fixture
def compiled_content(registry, release_cache, monkeypatch):
    """The cache of the session's compiled content, which the commands a test runs (in this process or
    started from it) read as a user's ``terminology`` reads its own: they start without compiling."""
    monkeypatch.setenv("TERMINOLOGY_CACHE_DIR", str(release_cache))
    return release_cache


@pytest.fixture(scope="session")
def app(registry):
    return create_app(registry=registry)


@pytest.fixture(scope="session")
def client(app):
    return app.test_client()

"""terminology.http.router over the server's own route table: which view answers which path and method."""

from __future__ import annotations

import pytest

from terminology.errors import NotFound
from terminology.http.dispatcher import Dispatcher
from terminology.http.router import MethodNotAllowed


@pytest.fixture(scope="module")
def dispatcher(registry) -> Dispatcher:
    return Dispatcher(registry)


@pytest.mark.parametrize(
    ("method", "path", "view", "id"),
    [
        ("GET", "/metadata", "metadata", None),
        ("GET", "/CodeSystem", "search", None),
        ("GET", "/CodeSystem/", "search", None),
        ("POST", "/CodeSystem/$lookup", "lookup", None),
        ("GET", "/CodeSystem/icd-10-cm", "read", "icd-10-cm"),
        ("GET", "/CodeSystem/icd-10-cm/$validate-code", "validate_code", "icd-10-cm"),
        ("POST", "/ValueSet/$batch-validate-code", "batch_validate_code", None),
        ("GET", "/ValueSet/my-set/$expand", "expand", "my-set"),
        ("GET", "/ConceptMap/a-map", "concept_map_read", "a-map"),
        ("GET", "/$versions", "versions", None),
        ("POST", "/", "batch", None),
        ("POST", "", "batch", None),
    ],
)
def test_a_path_resolves_to_its_view_and_the_id_in_it(dispatcher, method, path, view, id) -> None:
    found, found_id = dispatcher.router.resolve(method, path)
    assert found.__name__ == view
    assert found_id == id


@pytest.mark.parametrize(
    "path",
    ["/Patient", "/Patient/1", "/CodeSystem/icd-10-cm/$expand", "/CodeSystem/$nonsense", "/CodeSystem//$lookup",
     "/CodeSystem/icd-10-cm/_history/1", "/CodeSystem/$lookup/extra"],
)
def test_an_unknown_path_is_a_404_that_names_it(dispatcher, path) -> None:
    with pytest.raises(NotFound) as raised:
        dispatcher.router.resolve("GET", path)
    assert raised.value.status == 404
    assert f"'{path.rstrip('/')}'" in raised.value.message
    assert dispatcher.router.allowed_methods(path) == ()


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/metadata", ("GET",)),
        ("PUT", "/CodeSystem/icd-10-cm", ("GET",)),
        ("DELETE", "/CodeSystem/icd-10-cm/$lookup", ("GET", "POST")),
        ("GET", "/ValueSet/$batch-validate-code", ("POST",)),
        ("GET", "/", ("POST",)),
    ],
)
def test_another_method_is_a_405_that_names_the_methods_allowed(dispatcher, method, path, allowed) -> None:
    with pytest.raises(MethodNotAllowed) as raised:
        dispatcher.router.resolve(method, path)
    assert raised.value.status == 405
    assert raised.value.message == f"{method} is not supported on {path}; use {' or '.join(allowed)}"
    assert dispatcher.router.allowed_methods(path) == allowed

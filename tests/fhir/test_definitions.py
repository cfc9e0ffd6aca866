"""Where a resource enters: read by its kind, its contained resources with it; and written back as it came."""

from __future__ import annotations

import collections.abc
import dataclasses
import types
import typing
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixture_resources import ANIMALS, VS, load, value_set, with_contained_value_set
from terminology.definitions import CodeSystemDefinition, ConceptMapDefinition, Definition, SupplementDefinition, ValueSetDefinition
from terminology.definitions.implicit import implicit_value_set
from terminology.errors import InvalidRequest
from terminology.fhir.definitions import read_resource, resource_json
from terminology.versions import version_key


@pytest.mark.parametrize(
    "resource, kind",
    [
        ({"resourceType": "ValueSet"}, ValueSetDefinition),
        ({"resourceType": "CodeSystem", "content": "complete"}, CodeSystemDefinition),
        ({"resourceType": "CodeSystem", "content": "supplement", "supplements": ANIMALS}, SupplementDefinition),
        ({"resourceType": "ConceptMap"}, ConceptMapDefinition),
    ],
)
def test_each_kind_is_read_into_its_definition(resource, kind):
    assert type(read_resource(resource)) is kind


def test_other_kinds_are_passed_over_and_what_is_no_resource_is_refused():
    assert read_resource({"resourceType": "StructureDefinition"}) is None
    with pytest.raises(InvalidRequest) as raised:
        read_resource(["x"], "tx-resource")
    assert raised.value.expression == "tx-resource"


@pytest.mark.parametrize("contained_url", [None, VS + "penguin"])
def test_contained_resources_are_read_and_the_compose_names_them(contained_url):
    read = read_resource(with_contained_value_set(contained_url))
    name = contained_url or "#vs1"
    (contained,) = read.contained
    assert contained.url == name and contained.compose.includes[0].concepts[0].code == "penguin"
    assert read.compose.includes[0].value_sets == (name,)
    assert read.contained_canonicals == {name}


def test_contained_items_that_are_no_terminology_resources_are_passed_over():
    resource = {**with_contained_value_set(None)}
    resource["contained"] = [*resource["contained"], {"id": "x"}, {"resourceType": "Patient", "id": "p"}, "junk"]
    assert [c.url for c in read_resource(resource).contained] == ["#vs1"]


def test_a_resource_is_written_back_as_it_came():
    resource = value_set("filter-mammals")
    assert resource_json(read_resource(resource)) == resource


def test_an_implicit_value_set_is_written_from_what_it_holds():
    url = "http://hl7.org/fhir/sid/icd-10-cm?fhir_vs=isa/M48.4"
    system, definition = implicit_value_set(url)
    assert implicit_value_set(url)[1] is definition and system == "http://hl7.org/fhir/sid/icd-10-cm"
    assert resource_json(definition) == {
        "resourceType": "ValueSet", "url": url, "name": "Implicit", "title": f"M48.4 and the codes below it in {system}", "status": "active",
        "compose": {"include": [{"system": system, "filter": [{"property": "concept", "op": "is-a", "value": "M48.4"}]}]},
    }  # fmt: skip


# -- every resource is read, or refused with InvalidRequest: elements of any JSON type, at any depth --

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
_RICH_VALUE_SET = {
    "resourceType": "ValueSet", "url": VS + "rich", "version": "1", "language": "de",
    "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/valueset-supplement", "valueCanonical": ANIMALS + "-de"}],
    "compose": {
        "lockedDate": "2026-01-01", "inactive": True,
        "include": [
            {"system": ANIMALS, "version": "1.0.0", "concept": [
                {"code": "cat", "display": "Cat", "designation": [{"language": "de", "value": "Katze", "use": {"code": "x"}}],
                 "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/valueset-label", "valueString": "1."}]}]},
            {"system": ANIMALS, "filter": [{"property": "concept", "op": "is-a", "value": "mammal",
                                            "_op": {"extension": [{"url": "x", "valueCode": "child-of"}]}}]},
            {"valueSet": [VS + "other"]},
        ],
        "exclude": [{"system": ANIMALS, "concept": [{"code": "dog"}]}],
    },
    "expansion": {"total": 1, "contains": [{"system": ANIMALS, "code": "cat", "contains": [{"code": "dog"}]}]},
}  # fmt: skip
_SEEDS = [
    _RICH_VALUE_SET,
    {**_RICH_VALUE_SET, "contained": [with_contained_value_set(None)["contained"][0]]},
    load("codesystem-animals.json"),
    load("codesystem-animals-de.json"),
    load("conceptmap-animals.json"),
    load("conceptmap-colors.json"),
]


@st.composite
def _mutated(draw, value):
    """``value`` with some of its elements, at any depth, replaced by JSON of any type."""
    if draw(st.integers(0, 9)) == 0:
        return draw(_JSON)
    if isinstance(value, dict):
        return {key: draw(_mutated(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [draw(_mutated(item)) for item in value]
    return value


def _use(definition):
    """What the engine reads of a definition: a value set's compose, a code system's concepts, a map's groups."""
    if isinstance(definition, ValueSetDefinition):
        compose = definition.compose
        for versions in compose.pinned.values():
            sorted(versions, key=version_key)
        return compose, compose.systems, compose.pinned, compose.imports, compose.references
    if isinstance(definition, CodeSystemDefinition):
        return definition.read_concepts()
    return definition


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(range(len(_SEEDS))).flatmap(lambda n: _mutated(_SEEDS[n])))
def test_a_resource_with_elements_of_any_type_is_read_or_refused_and_what_is_read_holds_its_types(resource):
    try:
        definition = read_resource(resource)
        if definition is not None:
            _assert_typed(definition)
            _assert_typed(_use(definition))
    except InvalidRequest:
        pass


def _assert_typed(value, hint=Any, where="definition"):
    """That ``value`` (a definition and everything in it) holds what its type hints say, all the way down."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        assert any(_holds(value, arg) for arg in args), f"{where}: {value!r} is not {hint}"
        value, hint = value, next(arg for arg in args if _holds(value, arg))
        origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple:
        assert isinstance(value, tuple), f"{where}: {value!r} is not a tuple"
        for n, item in enumerate(value):
            _assert_typed(item, args[0] if args[-1] is Ellipsis else args[n], f"{where}[{n}]")
    elif origin in (collections.abc.Mapping, dict):
        for key, item in value.items():
            _assert_typed(key, args[0], f"{where} key")
            _assert_typed(item, args[1], f"{where}[{key!r}]")
    elif hint in (str, int, float, bool, type(None)):
        assert _holds(value, hint), f"{where}: {value!r} is not {hint.__name__}"
    elif dataclasses.is_dataclass(value):
        hints = typing.get_type_hints(type(value), localns={"Definition": Definition})  # (imported for type checking only)
        for field in dataclasses.fields(value):
            if field.name != "source" and not field.name.startswith("_") and field.name != "read_concepts":
                _assert_typed(getattr(value, field.name), hints[field.name], f"{where}.{field.name}")
    elif isinstance(value, tuple):
        for n, item in enumerate(value):
            _assert_typed(item, Any, f"{where}[{n}]")


def _holds(value, hint) -> bool:
    if hint is Any or typing.get_origin(hint) is not None:
        return True if hint is Any else isinstance(value, typing.get_origin(hint))
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)

"""Membership is decided on the code, without expanding: it must agree with the expansion.

For every fixture ValueSet (and for ValueSets made up by hypothesis from the fixtures' pieces),
``is_member(vs, system, None, code).found`` is exactly ``(system, code) in expansion``, over every
code of every fixture code system.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixture_resources import ANIMALS, COLORS, SHAPES, UNITS, VS, definition, fixture_registry, value_set, value_set_definition
from terminology.context import RequestContext
from terminology.errors import InvalidRequest, NotFound
from terminology.registry import Registry
from terminology.valuesets.expand import ExpansionOptions, expand_value_set
from terminology.valuesets.membership import included_systems, is_member, pinned_version
from terminology.valuesets.resolution import UnknownCodeSystem, VersionRules

from .test_expand import BROKEN, EXPECTED

REGISTRY = fixture_registry()
RULES = VersionRules()
SYSTEMS = [ANIMALS, SHAPES, COLORS, UNITS]
JUNK = ["griffin", "zzz", "Dog", ""]


def _codes_of(system: str) -> list[str]:
    found: dict[str, None] = {}
    for version in REGISTRY.versions(system) or [None]:
        provider = REGISTRY.code_system(system, version or None)
        found.update(dict.fromkeys(provider.code(c) for c in provider.all_concepts()))
    return list(found)


UNIVERSE = [(system, code) for system in SYSTEMS for code in _codes_of(system) + JUNK]


def _expanded(resource) -> set[tuple[str, str]]:
    expansion = expand_value_set(resource, REGISTRY, ExpansionOptions(), RequestContext())
    return {(c.key[0], c.key[1]) for c in expansion.candidates}


def _disagreements(resource) -> list[tuple[str, str, bool]]:
    """(system, code, is_member's answer) wherever membership and the expansion disagree."""
    expanded = _expanded(resource)
    wrong = []
    for system, code in UNIVERSE:
        found = is_member(resource, system, None, code, REGISTRY, RULES).found
        if found != ((system, code) in expanded):
            wrong.append((system, code, found))
    return wrong


def test_universe_holds_every_code():
    assert len(UNIVERSE) == 4 * len(JUNK) + 14 + 10 + 4 + 3
    assert (COLORS, "yellow") in UNIVERSE and (COLORS, "blue") in UNIVERSE


_AGREEING = sorted(set(EXPECTED) - {"animals-active"})


@pytest.mark.parametrize("id", _AGREEING)
def test_membership_agrees_with_expansion(id):
    assert _disagreements(value_set_definition(id)) == []


def test_membership_respects_compose_inactive_false():
    assert _disagreements(value_set_definition("animals-active")) == []


@pytest.mark.parametrize(
    "id, system, code, found",
    [
        ("animals-enum", ANIMALS, "dog", True),
        ("animals-enum", ANIMALS, "griffin", False),  # listed, but the code system lacks it
        ("animals-enum", ANIMALS, "penguin", False),
        ("animals-enum", COLORS, "dog", False),  # the right code in the wrong system
        ("animals-exclude", ANIMALS, "penguin", False),
        ("animals-exclude", ANIMALS, "unicorn", False),
        ("animals-exclude", ANIMALS, "mythical", True),
        ("animals-import", COLORS, "red", True),
        ("animals-import", COLORS, "green", False),
        ("animals-import", ANIMALS, "whale", True),
        ("animals-import-intersection", ANIMALS, "whale", True),
        ("animals-import-intersection", ANIMALS, "goldfish", False),
        ("colors-pinned", COLORS, "blue", False),
        ("colors-wildcard", COLORS, "yellow", True),
        ("colors-latest", COLORS, "yellow", False),
        ("units-enum", UNITS, "KG", True),
        ("units-enum", UNITS, "kg", True),  # case-insensitive code system
        ("units-enum", UNITS, "Cel", False),
    ],
)
def test_membership_cases(id, system, code, found):
    assert is_member(value_set_definition(id), system, None, code, REGISTRY, RULES).found is found


def test_membership_details():
    cat = is_member(value_set_definition("animals-enum"), ANIMALS, None, "cat", REGISTRY, RULES)
    assert cat.found and cat.display == "House cat" and cat.provider.info.url == ANIMALS
    penguin = is_member(value_set_definition("animals-enum"), ANIMALS, None, "penguin", REGISTRY, RULES)
    assert not penguin.found and penguin.provider is None


@pytest.mark.parametrize(
    "system, code, found",
    [(None, "red", True), (None, "dog", True), (None, "cat", False), (None, "blue", True), (None, "griffin", False)],
)
def test_membership_without_a_system(system, code, found):
    assert is_member(value_set_definition("mixed"), system, None, code, REGISTRY, RULES).found is found


@pytest.mark.parametrize(
    "id, version, code, found",
    [
        ("mixed", "1.0.0", "blue", False),  # the coding's version, where the value set names none
        ("mixed", "2.0.0", "blue", True),
        ("mixed", "1.2.0", "yellow", True),
        ("colors-pinned", "2.0.0", "blue", False),  # the value set's own version wins
    ],
)
def test_membership_in_the_codings_version(id, version, code, found):
    assert is_member(value_set_definition(id), COLORS, version, code, REGISTRY, RULES).found is found


def test_pinned_version_and_included_systems():
    assert pinned_version(value_set_definition("colors-pinned"), COLORS, REGISTRY) == "1.0.0"
    assert pinned_version(value_set_definition("mixed"), COLORS, REGISTRY) is None
    assert included_systems(value_set_definition("animals-import"), REGISTRY) == [ANIMALS, COLORS]
    assert included_systems(value_set_definition("cycle-a"), REGISTRY) == [ANIMALS]


@pytest.mark.parametrize("id, code", [("cycle-a", "dog"), ("cycle-b", "dog"), ("cycle-b", "cat"), ("cycle-self", "cat")])
def test_import_cycle_is_invalid(id, code):
    with pytest.raises(InvalidRequest):
        is_member(value_set_definition(id), ANIMALS, None, code, REGISTRY, RULES)


def test_import_cycle_is_invalid_whatever_the_code():
    with pytest.raises(InvalidRequest):
        is_member(value_set_definition("cycle-self"), ANIMALS, None, "dog", REGISTRY, RULES)


def test_unknown_imported_value_set():
    with pytest.raises(NotFound):
        is_member(value_set_definition("unknown-import"), ANIMALS, None, "dog", REGISTRY, RULES)


def test_unknown_code_system():
    with pytest.raises(UnknownCodeSystem):
        is_member(value_set_definition("unknown-system"), "http://example.org/fhir/CodeSystem/nope", None, "a", REGISTRY, RULES)
    with pytest.raises(UnknownCodeSystem):
        is_member(value_set_definition("unknown-system-version"), COLORS, None, "red", REGISTRY, RULES)
    # A code of another system is simply not in it: the unknown system need not be consulted.
    assert not is_member(value_set_definition("unknown-system"), ANIMALS, None, "dog", REGISTRY, RULES).found


# --- property-based: made-up value sets -------------------------------------------------------

_IMPORTABLE = sorted(set(EXPECTED) - {"animals-active", "animals-supplemented"})
_FILTERS = {
    ANIMALS: [
        ("concept", "is-a", "mammal"), ("concept", "is-a", "bird"), ("concept", "descendent-of", "animal"),
        ("concept", "is-not-a", "fish"), ("concept", "generalizes", "shark"), ("concept", "child-of", "mammal"),
        ("concept", "descendent-leaf", "animal"), ("habitat", "=", "sea"), ("habitat", "in", "land,forest"),
        ("habitat", "not-in", "sea"), ("domestic", "=", "true"), ("note", "exists", "true"), ("code", "regex", "[a-f].*"),
        ("display", "regex", ".*[Ss].*"), ("inactive", "=", "true"), ("classification", "in", "canis,felis"),
    ],
    SHAPES: [
        ("concept", "is-a", "polygon"), ("concept", "generalizes", "circle"), ("concept", "descendent-leaf", "shape"),
        ("sides", "=", "4"), ("parent", "=", "quadrilateral"), ("concept", "child-of", "rhombus"),
    ],
    COLORS: [("code", "in", "red,blue,yellow"), ("code", "regex", ".*e.*")],
    UNITS: [("concept", "in", "KG,Cel"), ("display", "regex", "K.*")],
}  # fmt: skip
_CODES = {system: _codes_of(system) + ["griffin"] for system in SYSTEMS}


@st.composite
def _include(draw):
    kind = draw(st.sampled_from(["system", "concepts", "filters", "import", "system+import"]))
    if kind == "import":
        return {"valueSet": [VS + id for id in draw(st.lists(st.sampled_from(_IMPORTABLE), min_size=1, max_size=2))]}
    system = draw(st.sampled_from(SYSTEMS))
    include = {"system": system}
    if system == COLORS and draw(st.booleans()):
        include["version"] = draw(st.sampled_from(["1.0.0", "1.2.0", "2.0.0", "1.x"]))
    if kind == "concepts":
        include["concept"] = [{"code": c} for c in draw(st.lists(st.sampled_from(_CODES[system]), min_size=1, max_size=4))]
    elif kind in ("filters", "system+import"):
        picked = draw(st.lists(st.sampled_from(_FILTERS[system]), min_size=1, max_size=2))
        include["filter"] = [{"property": p, "op": o, "value": v} for p, o, v in picked]
    if kind == "system+import":
        include["valueSet"] = [VS + draw(st.sampled_from(_IMPORTABLE))]
    return include


@st.composite
def _value_sets(draw):
    compose = {"include": draw(st.lists(_include(), min_size=1, max_size=3))}
    excludes = draw(st.lists(_include(), max_size=2))
    if excludes:
        compose["exclude"] = excludes
    if draw(st.booleans()):
        compose["inactive"] = True
    return definition({"resourceType": "ValueSet", "url": VS + "made-up", "status": "active", "compose": compose})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_value_sets())
def test_membership_agrees_with_expansion_of_made_up_value_sets(resource):
    assert _disagreements(resource) == []


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(_IMPORTABLE), st.sampled_from(_IMPORTABLE))
def test_membership_agrees_for_an_import_minus_another(included, excluded):
    resource = definition({
        "resourceType": "ValueSet",
        "url": VS + "made-up",
        "status": "active",
        "compose": {"include": [{"valueSet": [VS + included]}], "exclude": [{"valueSet": [VS + excluded]}]},
    })
    expected = set(EXPECTED[included]) - set(EXPECTED[excluded])
    assert _expanded(resource) == expected
    assert _disagreements(resource) == []


def test_broken_value_sets_fail_both_ways():
    for id in sorted(BROKEN - {"unknown-system", "unknown-system-version"}):
        with pytest.raises((InvalidRequest, NotFound)):
            _expanded(value_set_definition(id))
        with pytest.raises((InvalidRequest, NotFound)):
            is_member(value_set_definition(id), ANIMALS, None, "cat", REGISTRY, RULES)


def test_membership_in_an_import_follows_the_requests_default_version():
    layered = Registry(parent=REGISTRY)
    newer = {**value_set("filter-mammals"), "version": "2.0.0", "compose": {"include": [{"system": ANIMALS, "concept": [{"code": "cat"}]}]}}
    layered.add(definition(newer))
    importing = value_set_definition("animals-import")
    assert not is_member(importing, ANIMALS, None, "dog", layered, RULES).found  # the latest holds only the cat
    pinned = VersionRules(value_sets={VS + "filter-mammals": "1.0.0"})
    assert is_member(importing, ANIMALS, None, "dog", layered, pinned).found
    missing = VersionRules(value_sets={VS + "filter-mammals": "9.9.9"})
    with pytest.raises(NotFound, match=r"filter-mammals\|9.9.9' could not be found"):
        is_member(importing, ANIMALS, None, "dog", layered, missing)

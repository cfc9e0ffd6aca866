"""ValueSet filters over the generic provider: each operator's members, ``matches`` agreeing with
``concepts``, malformed filters refused, and regular expressions that cannot hang a worker."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixture_resources import definition, load
from terminology.errors import InvalidRequest
from terminology.providers.codesystem import FhirCodeSystemProvider
from terminology.providers.filters import FILTER_OPERATORS

ANIMALS = FhirCodeSystemProvider(definition(load("codesystem-animals.json")))
SHAPES = FhirCodeSystemProvider(definition(load("codesystem-shapes.json")))
UNITS = FhirCodeSystemProvider(definition(load("codesystem-units.json")))
PROVIDERS = {"animals": ANIMALS, "shapes": SHAPES, "units": UNITS}

# (code system, property, op, value) -> the codes selected
CASES = [
    ("animals", "habitat", "=", "sea", {"whale", "penguin", "fish", "shark"}),
    ("animals", "display", "=", "Dog", {"dog"}),
    ("animals", "display", "=", "dog", set()),
    ("animals", "code", "=", "cat", {"cat"}),
    ("animals", "concept", "=", "cat", {"cat"}),
    ("animals", "domestic", "=", "true", {"dog", "cat", "goldfish"}),
    ("animals", "domestic", "=", "false", {"whale", "penguin"}),
    ("animals", "classification", "=", "felis", {"cat"}),
    ("animals", "status", "=", "retired", {"mammoth", "dodo"}),
    ("animals", "inactive", "=", "true", {"mammoth", "dodo", "mythical"}),
    ("animals", "notSelectable", "=", "true", {"animal"}),
    ("animals", "parent", "=", "bird", {"penguin", "dodo"}),
    ("animals", "child", "=", "unicorn", {"mythical"}),
    ("animals", "concept", "is-a", "mammal", {"mammal", "dog", "cat", "whale", "mammoth"}),
    ("animals", "concept", "is-a", "dog", {"dog"}),
    ("animals", "code", "is-a", "bird", {"bird", "penguin", "dodo"}),
    ("animals", "concept", "is-a", "griffin", set()),
    ("animals", "concept", "descendent-of", "bird", {"penguin", "dodo"}),
    ("animals", "concept", "descendent-of", "dog", set()),
    ("animals", "concept", "is-not-a", "mammal", {"animal", "bird", "penguin", "dodo", "fish", "shark", "goldfish", "mythical", "unicorn"}),
    ("animals", "concept", "is-not-a", "griffin", {
        "animal", "mammal", "dog", "cat", "whale", "mammoth", "bird", "penguin", "dodo", "fish", "shark", "goldfish", "mythical", "unicorn",
    }),
    ("animals", "code", "regex", "d.*", {"dog", "dodo"}),
    ("animals", "code", "regex", "do", set()),  # the whole code must match
    ("animals", "display", "regex", ".*[Ff]ish", {"fish", "goldfish"}),
    ("animals", "note", "regex", "Extinct.*", {"mammoth", "dodo"}),
    ("animals", "classification", "regex", "f.*|c.*", {"dog", "cat"}),
    ("animals", "concept", "in", "dog,cat,griffin", {"dog", "cat"}),
    ("animals", "code", "in", "dog, whale", {"dog", "whale"}),
    ("animals", "habitat", "in", "sea,freshwater", {"whale", "penguin", "fish", "shark", "goldfish"}),
    ("animals", "habitat", "not-in", "land,sea", {"animal", "mammal", "bird", "goldfish", "mythical", "unicorn"}),
    ("animals", "concept", "not-in", "dog,cat", {
        "animal", "mammal", "whale", "mammoth", "bird", "penguin", "dodo", "fish", "shark", "goldfish", "mythical", "unicorn",
    }),
    ("animals", "concept", "generalizes", "dog", {"animal", "mammal", "dog"}),
    ("animals", "concept", "generalizes", "unicorn", {"mythical", "unicorn"}),
    ("animals", "note", "exists", "true", {"whale", "mammoth", "dodo"}),
    ("animals", "domestic", "exists", "false", {"animal", "mammal", "mammoth", "bird", "dodo", "fish", "shark", "mythical", "unicorn"}),
    ("animals", "concept", "child-of", "animal", {"mammal", "bird", "fish"}),
    ("animals", "concept", "child-of", "dog", set()),
    ("animals", "concept", "descendent-leaf", "animal", {"dog", "cat", "whale", "mammoth", "penguin", "dodo", "shark", "goldfish"}),
    ("animals", "concept", "descendent-leaf", "dog", set()),
    ("shapes", "concept", "is-a", "quadrilateral", {"quadrilateral", "rectangle", "rhombus", "square"}),
    ("shapes", "concept", "descendent-of", "round", {"oval", "circle"}),
    ("shapes", "concept", "generalizes", "square", {"shape", "polygon", "quadrilateral", "rectangle", "rhombus", "square"}),
    ("shapes", "concept", "child-of", "round", {"oval"}),
    ("shapes", "concept", "child-of", "rhombus", {"square"}),
    ("shapes", "concept", "descendent-leaf", "polygon", {"triangle", "square"}),
    ("shapes", "concept", "is-not-a", "polygon", {"shape", "round", "oval", "circle"}),
    ("shapes", "sides", "=", "4", {"quadrilateral", "rectangle", "rhombus", "square"}),
    ("shapes", "sides", "in", "3", {"triangle"}),
    ("shapes", "parent", "=", "rhombus", {"square"}),
    ("shapes", "parent", "=", "round", {"oval"}),  # declared by round's child property
    ("shapes", "child", "=", "square", {"rectangle", "rhombus"}),
    ("units", "concept", "is-a", "kg", {"KG"}),  # located ignoring case
    ("units", "code", "regex", "[A-Z]+", {"KG"}),
]  # fmt: skip


def _check_agreement(provider, prop, op, value) -> set[str]:
    """The codes of the filter's members, after checking that concepts() and matches() agree on every concept."""
    selected = provider.filter(prop, op, value)
    listed = list(selected.concepts())
    assert len(listed) == len({id(c) for c in listed}), f"{prop} {op} {value}: a concept is listed twice"
    members = {id(c) for c in listed}
    for concept in provider.all_concepts():
        assert selected.matches(concept) is (id(concept) in members), (prop, op, value, provider.code(concept))
    return {provider.code(c) for c in listed}


@pytest.mark.parametrize("system, prop, op, value, expected", CASES, ids=lambda v: v if isinstance(v, str) else None)
def test_filter_members(system, prop, op, value, expected):
    assert _check_agreement(PROVIDERS[system], prop, op, value) == expected


def test_every_operator_is_covered():
    assert {case[2] for case in CASES} == FILTER_OPERATORS


def test_listing_keeps_the_code_system_order():
    listed = [ANIMALS.code(c) for c in ANIMALS.filter("concept", "is-a", "animal").concepts()]
    assert listed == ["animal", "mammal", "dog", "cat", "whale", "mammoth", "bird", "penguin", "dodo", "fish", "shark", "goldfish"]


# --- property-based: any filter, matches() agrees with concepts() ------------------------------

_CODES = sorted({ANIMALS.code(c) for c in ANIMALS.all_concepts()} | {SHAPES.code(c) for c in SHAPES.all_concepts()} | {"griffin"})
_VALUES = _CODES + ["sea", "land", "freshwater", "true", "false", "4", "3", "felis", "canis", "retired", "inactive", "Dog", "Fish"]
_HIERARCHY_OPS = ["is-a", "descendent-of", "is-not-a", "generalizes", "child-of", "descendent-leaf"]
_PROPERTY_OPS = ["=", "in", "not-in", "regex", "exists"]
_PROPERTIES = {
    "animals": ["code", "concept", "display", "habitat", "note", "domestic", "classification", "status", "inactive", "parent", "child"],
    "shapes": ["code", "concept", "display", "sides", "parent", "child"],
}
_REGEXES = ["d.*", ".*a.*", "[a-m]+", "(do|ca)[a-z]", ".*", "", "Extinct.*", "[A-Z].*", "s.*e", "true|4"]


@st.composite
def _filters(draw):
    system = draw(st.sampled_from(sorted(_PROPERTIES)))
    prop = draw(st.sampled_from(_PROPERTIES[system]))
    ops = _PROPERTY_OPS + (_HIERARCHY_OPS if prop in ("code", "concept") else [])
    op = draw(st.sampled_from(ops))
    if op == "regex":
        value = draw(st.sampled_from(_REGEXES))
    elif op == "exists":
        value = draw(st.sampled_from(["true", "false"]))
    elif op in ("in", "not-in"):
        value = ",".join(draw(st.lists(st.sampled_from(_VALUES), min_size=1, max_size=4)))
    else:
        value = draw(st.sampled_from(_VALUES))
    return system, prop, op, value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_filters())
def test_matches_agrees_with_concepts(case):
    system, prop, op, value = case
    _check_agreement(PROVIDERS[system], prop, op, value)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(_HIERARCHY_OPS), st.sampled_from(_CODES))
def test_hierarchy_filters_agree_with_subsumption(op, code):
    """Each hierarchy operator, stated through subsumes() and children() alone."""
    for provider in (ANIMALS, SHAPES):
        anchor = provider.locate(code)
        got = _check_agreement(provider, "concept", op, code)
        if anchor is None:
            continue
        rules = {
            "is-a": lambda c: provider.subsumes(anchor, c),
            "descendent-of": lambda c: c is not anchor and provider.subsumes(anchor, c),
            "is-not-a": lambda c: not provider.subsumes(anchor, c),
            "generalizes": lambda c: provider.subsumes(c, anchor),
            "child-of": lambda c: any(p is anchor for p in provider.parents(c)),
            "descendent-leaf": lambda c: c is not anchor and provider.subsumes(anchor, c) and not provider.children(c),
        }
        assert got == {provider.code(c) for c in provider.all_concepts() if rules[op](c)}


# --- malformed filters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prop, op, value",
    [
        ("concept", "like", "dog"),  # unknown operator
        ("concept", "", "dog"),
        ("colour", "=", "red"),  # unknown property
        ("colour", "exists", "true"),
        ("code", "regex", "(dog"),  # bad regular expressions
        ("display", "regex", "[a-"),
        ("note", "regex", "*"),
        ("note", "exists", "yes"),  # exists takes a boolean
        ("note", "exists", "True"),
        ("habitat", "is-a", "sea"),  # a hierarchy operator on a property
        ("display", "descendent-of", "Dog"),
    ],
)
def test_malformed_filters_are_invalid_requests(prop, op, value):
    with pytest.raises(InvalidRequest):
        ANIMALS.filter(prop, op, value)


def test_unknown_property_is_reported_as_not_found():
    with pytest.raises(InvalidRequest) as raised:
        ANIMALS.filter("colour", "=", "red")
    assert raised.value.tx_code == "not-found"
    assert "colour" in raised.value.message


def test_catastrophic_backtracking_regex_completes():
    """(a+)+$ against 'aaaa…b' takes exponential time on a backtracking engine; RE2 is linear."""
    long = "a" * 5000 + "b"
    resource = {
        "resourceType": "CodeSystem",
        "url": "http://example.org/fhir/CodeSystem/long",
        "status": "active",
        "content": "complete",
        "caseSensitive": True,
        "concept": [{"code": "long", "display": long}, {"code": "short", "display": "aaaa"}, {"code": "b", "display": "b"}],
    }
    provider = FhirCodeSystemProvider(definition(resource))
    assert _check_agreement(provider, "display", "regex", "(a+)+$") == {"short"}
    assert _check_agreement(provider, "display", "regex", "(a|aa)+b") == {"long"}
    assert _check_agreement(provider, "code", "regex", "(.*)*x") == set()

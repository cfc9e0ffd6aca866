"""Expanding the fixture ValueSets with a Registry that holds the fixture code systems."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixture_resources import ANIMALS, COLORS, SHAPES, UNITS, VS, definition, fixture_registry, resources, value_set, value_set_definition
from terminology.context import RequestContext
from terminology.definitions import ResourceMetadata, ValueSetDefinition
from terminology.definitions.value_set import Compose, ConceptReference, Include
from terminology.errors import InvalidRequest, NotFound, TooCostly
from terminology.registry import Registry
from terminology.settings import Bound
from terminology.valuesets.expand import ExpansionOptions, expand_value_set, text_words
from terminology.valuesets.membership import is_member
from terminology.valuesets.resolution import UnknownCodeSystem, VersionNotAllowed, VersionRules

NONE = RequestContext()
ALL_ANIMALS = [
    "animal", "mammal", "dog", "cat", "whale", "mammoth", "bird", "penguin", "dodo",
    "fish", "shark", "goldfish", "mythical", "unicorn",
]  # fmt: skip
INACTIVE = {"mammoth", "dodo", "mythical"}

# Every fixture ValueSet that expands: its codes, as (system, code), in expansion order.
EXPECTED: dict[str, list[tuple[str, str]]] = {
    "animals-all": [(ANIMALS, c) for c in ALL_ANIMALS],
    "animals-enum": [(ANIMALS, c) for c in ["dog", "cat", "whale", "dodo"]],  # griffin is not in the code system
    "animals-active": [(ANIMALS, c) for c in ALL_ANIMALS if c not in INACTIVE],
    "animals-import": [(ANIMALS, c) for c in ["mammal", "dog", "cat", "whale", "mammoth"]] + [(COLORS, "red")],
    "animals-import-intersection": [(ANIMALS, c) for c in ["dog", "cat", "whale"]],
    "animals-exclude": [(ANIMALS, c) for c in ALL_ANIMALS if c not in ("bird", "penguin", "dodo", "unicorn")],
    "animals-exclude-import": [(ANIMALS, c) for c in ["mammal", "whale", "mammoth"]],
    "animals-enum-minus-domestic": [(ANIMALS, c) for c in ["whale", "dodo"]],
    "animals-supplemented": [(ANIMALS, c) for c in ["bird", "fish", "penguin", "shark"]],
    "colors-pinned": [(COLORS, "red"), (COLORS, "green")],
    "colors-wildcard": [(COLORS, "red"), (COLORS, "green"), (COLORS, "yellow")],
    "colors-latest": [(COLORS, "red"), (COLORS, "green"), (COLORS, "blue")],
    "colors-exclude-old": [(COLORS, "blue")],
    "mixed": [(ANIMALS, "dog"), (COLORS, "red"), (COLORS, "green"), (COLORS, "blue")],
    "shapes-all": [(SHAPES, c) for c in ["shape", "polygon", "triangle", "quadrilateral", "rectangle", "square", "rhombus", "round", "oval", "circle"]],
    "units-enum": [(UNITS, "KG"), (UNITS, "mL")],
    "filter-habitat-sea": [(ANIMALS, c) for c in ["whale", "penguin", "fish", "shark"]],
    "filter-display-dog": [(ANIMALS, "dog")],
    "filter-code-cat": [(ANIMALS, "cat")],
    "filter-domestic": [(ANIMALS, c) for c in ["dog", "cat", "goldfish"]],
    "filter-genus-felis": [(ANIMALS, "cat")],
    "filter-mammals": [(ANIMALS, c) for c in ["mammal", "dog", "cat", "whale", "mammoth"]],
    "filter-below-bird": [(ANIMALS, c) for c in ["penguin", "dodo"]],
    "filter-not-mammals": [(ANIMALS, c) for c in ["animal", "bird", "penguin", "dodo", "fish", "shark", "goldfish", "mythical", "unicorn"]],
    "filter-code-regex": [(ANIMALS, c) for c in ["dog", "dodo"]],
    "filter-display-regex": [(ANIMALS, c) for c in ["fish", "goldfish"]],
    "filter-note-regex": [(ANIMALS, c) for c in ["mammoth", "dodo"]],
    "filter-code-in": [(ANIMALS, c) for c in ["dog", "cat"]],
    "filter-habitat-in": [(ANIMALS, c) for c in ["whale", "penguin", "fish", "shark", "goldfish"]],
    "filter-habitat-not-in": [(ANIMALS, c) for c in ["animal", "mammal", "bird", "goldfish", "mythical", "unicorn"]],
    "filter-generalizes-dog": [(ANIMALS, c) for c in ["animal", "mammal", "dog"]],
    "filter-note-exists": [(ANIMALS, c) for c in ["whale", "mammoth", "dodo"]],
    "filter-domestic-missing": [(ANIMALS, c) for c in ["animal", "mammal", "mammoth", "bird", "dodo", "fish", "shark", "mythical", "unicorn"]],
    "filter-children-of-animal": [(ANIMALS, c) for c in ["mammal", "bird", "fish"]],
    "filter-leaves-of-animal": [(ANIMALS, c) for c in ["dog", "cat", "whale", "mammoth", "penguin", "dodo", "shark", "goldfish"]],
    "filter-retired": [(ANIMALS, c) for c in ["mammoth", "dodo"]],
    "filter-inactive": [(ANIMALS, c) for c in ["mammoth", "dodo", "mythical"]],
    "filter-parent-bird": [(ANIMALS, c) for c in ["penguin", "dodo"]],
    "filter-land-mammals": [(ANIMALS, c) for c in ["dog", "cat", "mammoth"]],
    "filter-quadrilaterals": [(SHAPES, c) for c in ["quadrilateral", "rectangle", "square", "rhombus"]],
    "filter-square-ancestors": [(SHAPES, c) for c in ["shape", "polygon", "quadrilateral", "rectangle", "square", "rhombus"]],
    "filter-below-round": [(SHAPES, c) for c in ["oval", "circle"]],
    "filter-children-of-round": [(SHAPES, "oval")],
    "filter-polygon-leaves": [(SHAPES, c) for c in ["triangle", "square"]],
    "filter-four-sides": [(SHAPES, c) for c in ["quadrilateral", "rectangle", "square", "rhombus"]],
}
BROKEN = {"cycle-a", "cycle-b", "cycle-self", "unknown-system", "unknown-system-version", "unknown-import"}


@pytest.fixture(scope="module")
def registry():
    return fixture_registry()


def expand(registry, id: str, **options):
    return expand_value_set(value_set_definition(id), registry, ExpansionOptions(**options), NONE)


def flat(entries):
    """The entries of an expansion, children after their parent."""
    for entry in entries:
        yield entry
        yield from flat(entry.children)


def keys(expansion) -> list[tuple[str, str]]:
    return [(e.system, e.code) for e in flat(expansion.entries())]


def test_every_fixture_value_set_is_covered():
    ids = {r["id"] for r in resources() if r["resourceType"] == "ValueSet"}
    assert ids == set(EXPECTED) | BROKEN


@pytest.mark.parametrize("id", sorted(EXPECTED))
def test_codes(registry, id):
    expansion = expand(registry, id)
    assert keys(expansion) == EXPECTED[id]
    assert expansion.total == len(EXPECTED[id])


def test_entry_details(registry):
    entries = {e.code: e for e in flat(expand(registry, "animals-enum").entries())}
    assert entries["dog"].display == "Dog" and entries["dog"].version == "1.0.0"
    assert entries["cat"].display == "House cat"  # the value set's display
    assert entries["dodo"].inactive is True and entries["dodo"].status == "retired"
    assert entries["dog"].inactive is False and entries["dog"].abstract is False
    mammal = next(e for e in flat(expand(registry, "filter-mammals", properties=("definition",)).entries()) if e.code == "mammal")
    assert [(p.code, p.value) for p in mammal.properties] == [("definition", "An animal that feeds its young with milk.")]
    animal = next(e for e in flat(expand(registry, "animals-all").entries()) if e.code == "animal")
    assert animal.abstract is True


def test_displays_in_the_requested_language(registry):
    german = RequestContext(languages=("de",))
    expansion = expand_value_set(value_set_definition("filter-mammals"), registry, ExpansionOptions(), german)
    assert [e.display for e in flat(expansion.entries())] == ["Säugetier", "Hund", "Katze", "Blue Whale", "Mammoth"]


def test_designations_and_properties(registry):
    options = ExpansionOptions(include_designations=True, properties=("habitat", "domestic"))
    entries = {e.code: e for e in flat(expand_value_set(value_set_definition("filter-mammals"), registry, options, NONE).entries())}
    assert {("Hund", "de"), ("Chien", "fr")} <= {(d.value, d.language) for d in entries["dog"].designations}
    assert [(p.code, p.value) for p in entries["dog"].properties] == [("habitat", "land"), ("domestic", True)]
    assert [(p.code, p.value) for p in entries["mammoth"].properties] == [("habitat", "land")]
    plain = {e.code: e for e in flat(expand(registry, "filter-mammals").entries())}
    assert plain["dog"].designations == () and plain["dog"].properties == ()


def test_active_only(registry):
    expansion = expand(registry, "animals-all", active_only=True)
    assert [code for _, code in keys(expansion)] == [c for c in ALL_ANIMALS if c not in INACTIVE]
    assert [code for _, code in keys(expand(registry, "animals-enum", active_only=True))] == ["dog", "cat", "whale"]


@pytest.mark.parametrize(
    "id, tree",
    [
        (
            "animals-all",
            [
                ("animal", [("mammal", ["dog", "cat", "whale", "mammoth"]), ("bird", ["penguin", "dodo"]), ("fish", ["shark", "goldfish"])]),
                ("mythical", ["unicorn"]),
            ],
        ),
        (
            "shapes-all",
            [("shape", [("polygon", ["triangle", ("quadrilateral", [("rectangle", ["square"]), "rhombus"])]), ("round", [("oval", ["circle"])])])],
        ),
    ],
)
def test_nested_when_exclude_nested_is_false(registry, id, tree):
    expansion = expand(registry, id, exclude_nested=False)

    def shape(entries):
        return [(e.code, shape(e.children)) if e.children else e.code for e in entries]

    assert shape(expansion.entries()) == tree
    assert expansion.total == len(EXPECTED[id])
    flat_again = expand(registry, id)  # excludeNested defaults to true: no children
    assert all(not e.children for e in flat_again.entries())


def test_nested_without_inactive_parents(registry):
    expansion = expand(registry, "animals-all", exclude_nested=False, active_only=True)
    roots = [e.code for e in expansion.entries()]
    assert roots == ["animal", "unicorn"]  # unicorn's inactive parent is left out


def test_enumerations_are_not_nested(registry):
    expansion = expand(registry, "animals-enum", exclude_nested=False)
    assert all(not e.children for e in expansion.entries())


@pytest.mark.parametrize(
    "id, code_systems, value_sets",
    [
        ("animals-all", [f"{ANIMALS}|1.0.0"], []),
        ("mixed", [f"{ANIMALS}|1.0.0", f"{COLORS}|2.0.0"], []),
        ("colors-pinned", [f"{COLORS}|1.0.0"], []),
        ("colors-wildcard", [f"{COLORS}|1.2.0"], []),
        ("animals-import", [f"{ANIMALS}|1.0.0", f"{COLORS}|2.0.0"], [f"{VS}filter-mammals|1.0.0"]),
        ("animals-import-intersection", [f"{ANIMALS}|1.0.0"], [f"{VS}filter-mammals|1.0.0", f"{VS}filter-domestic|1.0.0"]),
    ],
)
def test_used_code_systems_and_value_sets(registry, id, code_systems, value_sets):
    expansion = expand(registry, id)
    assert sorted(expansion.used_code_systems) == sorted(code_systems)
    assert sorted(expansion.used_value_sets) == sorted(value_sets)


def test_version_rules(registry):
    forced = VersionRules(forced={COLORS: "1.0.0"})
    assert [c for _, c in keys(expand(registry, "colors-latest", version_rules=forced))] == ["red", "green"]
    assert [c for _, c in keys(expand(registry, "colors-pinned", version_rules=forced))] == ["red", "green"]
    default = VersionRules(defaults={COLORS: "1.2.0"})
    assert [c for _, c in keys(expand(registry, "colors-latest", version_rules=default))] == ["red", "green", "yellow"]
    assert [c for _, c in keys(expand(registry, "colors-pinned", version_rules=default))] == ["red", "green"]  # the value set's own


@pytest.mark.parametrize(
    "locked, codes",
    [
        ("2023-01-01", ["red", "green", "yellow"]),  # 1.2.0 came out in 2022, 2.0.0 in 2024
        ("2024-03-01", ["red", "green", "blue"]),
        ("2019-12-31", ["red", "green", "blue"]),  # before any version: the default
    ],
)
def test_locked_date_chooses_the_version_current_then(registry, locked, codes):
    value_set = definition({
        "resourceType": "ValueSet", "url": VS + "colors-locked", "status": "active",
        "compose": {"lockedDate": locked, "include": [{"system": COLORS}]},
    })  # fmt: skip
    assert [c for _, c in keys(expand_value_set(value_set, registry, ExpansionOptions(), NONE))] == codes
    member = is_member(value_set, COLORS, None, "yellow", registry, VersionRules()).found
    assert member is ("yellow" in codes)


def test_check_system_version_chooses_where_the_value_set_names_no_version(registry):
    checked = VersionRules(checked={COLORS: "1.x"})
    expansion = expand(registry, "colors-latest", version_rules=checked)
    assert [c for _, c in keys(expansion)] == ["red", "green", "yellow"]  # 1.2.0, the latest it allows
    assert expansion.rules_applied == {"check-system-version"}
    with pytest.raises(VersionNotAllowed):
        expand(registry, "colors-pinned", version_rules=VersionRules(checked={COLORS: "2.x"}))


@pytest.mark.parametrize(
    "id, rules, applied",
    [
        ("colors-latest", VersionRules(defaults={COLORS: "1.2.0"}), {"system-version"}),
        ("colors-pinned", VersionRules(defaults={COLORS: "1.2.0"}), set()),  # the value set names its version
        ("colors-pinned", VersionRules(forced={COLORS: "1.2.0"}), {"force-system-version"}),
        ("animals-all", VersionRules(forced={COLORS: "1.2.0"}), set()),  # no colors here
    ],
)
def test_the_rules_that_decided_a_version_are_known(registry, id, rules, applied):
    assert expand(registry, id, version_rules=rules).rules_applied == applied


# --- several versions of one code system ------------------------------------------------------


def _two_versions(*excludes: dict, versions_match: bool | None = None) -> ValueSetDefinition:
    value_set = {
        "resourceType": "ValueSet", "url": VS + "colors-two", "status": "active",
        "compose": {
            "include": [{"system": COLORS, "version": "1.2.0"}, {"system": COLORS, "version": "2.0.0"}],
            "exclude": list(excludes),
        },
    }  # fmt: skip
    if versions_match is not None:
        value_set["extension"] = [{
            "url": "http://hl7.org/fhir/StructureDefinition/valueset-expansion-parameter",
            "extension": [{"url": "name", "valueCode": "versionsMatch"}, {"url": "value", "valueBoolean": versions_match}],
        }]  # fmt: skip
    return definition(value_set)


def _versioned(registry, value_set) -> tuple[list[tuple[str, str | None]], bool]:
    expansion = expand_value_set(value_set, registry, ExpansionOptions(), NONE)
    return [(e.code, e.version) for e in expansion.entries()], expansion.versions_matched


def test_a_code_in_two_versions_is_two_entries_the_latest_named_first(registry):
    entries, _ = _versioned(registry, _two_versions())
    assert entries == [("red", "2.0.0"), ("red", "1.2.0"), ("green", "2.0.0"), ("green", "1.2.0"), ("yellow", "1.2.0"), ("blue", "2.0.0")]


def test_entries_name_their_version_where_the_value_set_names_several(registry):
    forced = VersionRules(forced={COLORS: "2.0.0"})  # both includes made one version
    expansion = expand_value_set(_two_versions(), registry, ExpansionOptions(version_rules=forced), NONE)
    assert expansion.versioned_systems() == {COLORS}
    assert expand(registry, "colors-pinned").versioned_systems() == frozenset()


def test_versions_match_makes_them_one(registry):
    entries, _ = _versioned(registry, _two_versions(versions_match=True))
    assert entries == [("red", "2.0.0"), ("green", "2.0.0"), ("yellow", "1.2.0"), ("blue", "2.0.0")]


def test_excluding_a_version_the_value_set_does_not_include_excludes_its_codes_in_any_version(registry):
    entries, matched = _versioned(registry, _two_versions({"system": COLORS, "version": "1.0.0"}))
    assert entries == [("yellow", "1.2.0"), ("blue", "2.0.0")]  # red and green are in 1.0.0
    assert matched is True


def test_excluding_from_an_imported_value_set_is_no_matching_of_versions(registry):
    value_set = definition({
        "resourceType": "ValueSet", "url": VS + "mammals-but-dog", "status": "active",
        "compose": {"include": [{"valueSet": [VS + "filter-mammals"]}], "exclude": [{"system": ANIMALS, "concept": [{"code": "dog"}]}]},
    })  # fmt: skip
    expansion = expand_value_set(value_set, registry, ExpansionOptions(), NONE)
    assert [c for _, c in keys(expansion)] == ["mammal", "cat", "whale", "mammoth"]
    assert expansion.versions_matched is False


@pytest.mark.parametrize(
    "exclude, versions_match",
    [
        ({"system": COLORS, "version": "1.2.0", "concept": [{"code": "green"}]}, None),  # a version it includes
        ({"system": COLORS, "version": "1.0.0"}, False),  # the value set says versions do not match
    ],
)
def test_an_exclude_limited_to_its_version(registry, exclude, versions_match):
    entries, matched = _versioned(registry, _two_versions(exclude, versions_match=versions_match))
    if exclude.get("concept"):
        assert ("green", "1.2.0") not in entries and ("green", "2.0.0") in entries
    else:
        assert len(entries) == 6  # 1.0.0's codes are not these versions' codes
    assert matched is False


# --- text filter ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "id, text, codes",
    [
        ("animals-all", "whale", ["whale"]),
        ("animals-all", "BLUE wh", ["whale"]),
        ("animals-all", "do", ["dog", "dodo"]),
        ("animals-all", "fish", ["fish"]),  # words that start with it: not goldfish
        ("animals-all", "hund", ["dog"]),  # a designation
        ("animals-all", "zebra", []),
        ("animals-enum", "house", ["cat"]),  # the value set's display
        ("filter-mammals", "ca", ["cat"]),
        ("filter-mammals", "c", ["dog", "cat"]),  # Chien
    ],
)
def test_text_filter(registry, id, text, codes):
    assert [code for _, code in keys(expand(registry, id, text_filter=text))] == codes


def _words_of(registry) -> list[str]:
    found = set()
    for provider in (entry.get() for entry in registry.code_system_entries()):
        for concept in provider.all_concepts():
            found.update(text_words(provider.code(concept) + " " + provider.display(concept, NONE)))
    return sorted(found | {"house", "good", "x"})


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(EXPECTED)), st.sampled_from(_words_of(fixture_registry())), st.integers(min_value=1, max_value=4))
def test_text_filter_narrows_the_expansion(id, word, length):
    """A text filter keeps codes of the expansion, never adds one: filtered ⊆ unfiltered."""
    registry = fixture_registry()
    filtered = keys(expand(registry, id, text_filter=word[:length]))
    assert set(filtered) <= set(EXPECTED[id])
    assert filtered == [key for key in EXPECTED[id] if key in filtered]  # in the same order


@pytest.mark.parametrize("id, text", [("colors-exclude-old", "2"), ("animals-enum-minus-domestic", "house")])
def test_text_filter_does_not_undo_an_exclude(registry, id, text):
    assert keys(expand(registry, id)) == EXPECTED[id]
    filtered = keys(expand(registry, id, text_filter=text))
    assert set(filtered) <= set(EXPECTED[id]), filtered


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("id", ["cycle-a", "cycle-b", "cycle-self"])
def test_import_cycle_is_invalid(registry, id):
    with pytest.raises(InvalidRequest) as raised:
        expand(registry, id)
    assert "refers to itself" in raised.value.message


def test_unknown_code_system(registry):
    with pytest.raises(UnknownCodeSystem) as raised:
        expand(registry, "unknown-system")
    assert isinstance(raised.value, NotFound) and raised.value.status == 404
    assert raised.value.system == "http://example.org/fhir/CodeSystem/nope" and raised.value.version is None


def test_unknown_code_system_version_names_the_known_ones(registry):
    with pytest.raises(UnknownCodeSystem) as raised:
        expand(registry, "unknown-system-version")
    assert raised.value.version == "9.9.9"
    assert "1.0.0, 1.2.0 and 2.0.0" in raised.value.message


def test_unknown_imported_value_set(registry):
    with pytest.raises(NotFound) as raised:
        expand(registry, "unknown-import")
    assert not isinstance(raised.value, UnknownCodeSystem)
    assert f"{VS}nope" in raised.value.message


def test_malformed_filter_in_a_value_set(registry):
    bad = value_set("filter-code-regex")
    bad["compose"]["include"][0]["filter"][0]["value"] = "(unclosed"
    with pytest.raises(InvalidRequest):
        expand_value_set(definition(bad), registry, ExpansionOptions(), NONE)


def _at_most(size: int) -> Bound:
    return Bound(size, "TERMINOLOGY_MAX_SELECTED_CODES")


@pytest.mark.parametrize("id, size", [("animals-all", 14), ("mixed", 4), ("filter-mammals", 5)])
def test_size_limit(registry, id, size):
    assert expand(registry, id, limit=_at_most(size)).total == size
    with pytest.raises(TooCostly, match=rf"more than {size - 1}\); this server selects at most {size - 1} \(TERMINOLOGY_MAX_SELECTED_CODES\)"):
        expand(registry, id, limit=_at_most(size - 1))


def test_a_code_listed_twice_is_one_entry(registry):
    twice = ValueSetDefinition(
        ResourceMetadata("ValueSet"), Compose((Include(ANIMALS, concepts=tuple(map(ConceptReference, ["cat", "dog", "cat"]))),))
    )
    assert [e.code for e in expand_value_set(twice, registry, ExpansionOptions(), NONE).entries()] == ["cat", "dog"]


def test_limit_of_two_is_too_costly(registry):
    with pytest.raises(TooCostly) as raised:
        expand(registry, "animals-all", limit=_at_most(2))
    assert raised.value.status == 422


# --- default-valueset-version -------------------------------------------------------------------


@pytest.fixture
def two_mammal_sets(registry):
    """filter-mammals 1.0.0 (the fixture) and a 2.0.0 that holds only the cat."""
    layered = Registry(parent=registry)
    newer = {**value_set("filter-mammals"), "version": "2.0.0"}
    newer["compose"] = {"include": [{"system": ANIMALS, "concept": [{"code": "cat"}]}]}
    layered.add(definition(newer))
    return layered


def test_an_import_naming_no_version_takes_the_latest_or_the_requests_default(two_mammal_sets):
    latest = expand_value_set(value_set_definition("animals-import"), two_mammal_sets, ExpansionOptions(), NONE)
    assert [c for s, c in keys(latest) if s == ANIMALS] == ["cat"]
    rules = VersionRules(value_sets={VS + "filter-mammals": "1.0.0"})
    pinned = expand_value_set(value_set_definition("animals-import"), two_mammal_sets, ExpansionOptions(version_rules=rules), NONE)
    assert [c for s, c in keys(pinned) if s == ANIMALS] == ["mammal", "dog", "cat", "whale", "mammoth"]
    assert f"{VS}filter-mammals|1.0.0" in pinned.used_value_sets


def test_a_default_value_set_version_that_does_not_exist(two_mammal_sets):
    rules = VersionRules(value_sets={VS + "filter-mammals": "9.9.9"})
    with pytest.raises(NotFound, match=r"Unable to find included value set '.*filter-mammals' version '9.9.9'"):
        expand_value_set(value_set_definition("animals-import"), two_mammal_sets, ExpansionOptions(version_rules=rules), NONE)

"""ValueSet/$expand over HTTP, with the fixture resources sent as tx-resource, and FHIR's own value sets."""

from __future__ import annotations

from typing import Any

import pytest

from fixture_resources import (
    ANIMALS, COLORS, SHAPES, SUPPLEMENT, VS, resources, value_set, with_contained_value_set, with_deprecated_cat,
)

from .helpers import error_outcome, outcome_text, parameters_body, resource_of

EXPAND = "/fhir/ValueSet/$expand"
TX_RESOURCES = [{"name": "tx-resource", "resource": r} for r in resources()]
ALL_ANIMALS = [
    "animal", "mammal", "dog", "cat", "whale", "mammoth", "bird", "penguin", "dodo",
    "fish", "shark", "goldfish", "mythical", "unicorn",
]  # fmt: skip
GENDER = "http://hl7.org/fhir/ValueSet/administrative-gender"


def _post(client, *entries: dict[str, Any], status: int = 200, headers: dict | None = None) -> dict[str, Any]:
    body = parameters_body(*entries, *TX_RESOURCES)
    response = client.post(EXPAND, data=body, content_type="application/fhir+json", headers=headers or {})
    if status != 200:
        return error_outcome(response, status)
    resource = resource_of(response)  # checks R4 validity
    assert resource["resourceType"] == "ValueSet"
    return resource


def _expand(client, id: str, *entries: dict[str, Any], **kwargs) -> dict[str, Any]:
    return _post(client, {"name": "url", "valueUri": VS + id}, *entries, **kwargs)


def _contains(resource) -> list[dict[str, Any]]:
    """The expansion's entries, children after their parent."""

    def walk(items):
        for item in items:
            yield item
            yield from walk(item.get("contains", []))

    return list(walk(resource["expansion"].get("contains", [])))


def _codes(resource) -> list[str]:
    return [item["code"] for item in _contains(resource)]


def _by_code(resource) -> dict[str, dict[str, Any]]:
    return {item["code"]: item for item in _contains(resource)}


def _expansion_parameters(resource) -> list[tuple[str, Any]]:
    return [(p["name"], next(v for k, v in p.items() if k.startswith("value"))) for p in resource["expansion"].get("parameter", [])]


def _integer(name, value):
    return {"name": name, "valueInteger": value}


def _boolean(name, value):
    return {"name": name, "valueBoolean": value}


def _string(name, value):
    return {"name": name, "valueString": value}


# --- which codes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "id, codes",
    [
        ("animals-all", ALL_ANIMALS),
        ("animals-enum", ["dog", "cat", "whale", "dodo"]),
        ("animals-active", [c for c in ALL_ANIMALS if c not in ("mammoth", "dodo", "mythical")]),
        ("animals-enum-minus-domestic", ["whale", "dodo"]),
        ("animals-exclude", [c for c in ALL_ANIMALS if c not in ("bird", "penguin", "dodo", "unicorn")]),
        ("animals-import", ["mammal", "dog", "cat", "whale", "mammoth", "red"]),
        ("filter-land-mammals", ["dog", "cat", "mammoth"]),
        ("filter-children-of-animal", ["mammal", "bird", "fish"]),
        ("colors-pinned", ["red", "green"]),
        ("colors-wildcard", ["red", "green", "yellow"]),
    ],
)
def test_expand_by_url(client, id, codes):
    resource = _expand(client, id)
    assert _codes(resource) == codes
    assert resource["expansion"]["total"] == len(codes)
    assert resource["url"] == VS + id and "compose" not in resource


def test_expand_an_inline_value_set(client):
    resource = _post(client, {"name": "valueSet", "resource": value_set("filter-mammals")})
    assert _codes(resource) == ["mammal", "dog", "cat", "whale", "mammoth"]
    assert resource["expansion"]["total"] == 5
    changed = value_set("filter-mammals")
    changed["compose"]["include"][0]["filter"][0]["value"] = "bird"
    assert _codes(_post(client, {"name": "valueSet", "resource": changed})) == ["bird", "penguin", "dodo"]


def test_entries_carry_system_version_display_and_flags(client):
    items = _by_code(_expand(client, "animals-all"))
    assert items["dog"] == {"system": ANIMALS, "code": "dog", "display": "Dog"}
    assert items["animal"]["abstract"] is True
    assert items["mammoth"]["inactive"] is True and items["dodo"]["inactive"] is True
    assert "inactive" not in items["unicorn"]
    assert _by_code(_expand(client, "animals-enum"))["cat"]["display"] == "House cat"


# --- paging -----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3, 5, 14, 20])
def test_paging_is_consistent_with_total(client, count):
    seen = []
    for offset in range(0, 16, count):
        resource = _expand(client, "animals-all", _integer("count", count), _integer("offset", offset))
        assert resource["expansion"]["total"] == 14
        assert resource["expansion"]["offset"] == offset
        page = _codes(resource)
        assert page == ALL_ANIMALS[offset:offset + count]
        seen += page
    assert seen == ALL_ANIMALS


def test_count_zero_gives_only_the_total(client):
    resource = _expand(client, "animals-all", _integer("count", 0))
    assert resource["expansion"]["total"] == 14 and "contains" not in resource["expansion"]


def test_negative_count_is_refused(client):
    outcome = _expand(client, "animals-all", _integer("count", -1), status=400)
    assert outcome["issue"][0]["code"] == "invalid"


# --- options ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, codes",
    [
        ("whale", ["whale"]),
        ("blue", ["whale"]),
        ("gold", ["goldfish"]),
        ("fish", ["fish"]),  # words that start with it: not Goldfish
        ("do", ["dog", "dodo"]),
        ("mythical creature", ["mythical"]),
        ("zebra", []),
    ],
)
def test_text_filter(client, text, codes):
    resource = _expand(client, "animals-all", _string("filter", text))
    assert _codes(resource) == codes
    assert resource["expansion"]["total"] == len(codes)
    assert ("filter", text) in _expansion_parameters(resource)


def test_active_only(client):
    resource = _expand(client, "animals-all", _boolean("activeOnly", True))
    assert _codes(resource) == [c for c in ALL_ANIMALS if c not in ("mammoth", "dodo", "mythical")]
    assert resource["expansion"]["total"] == 11


def test_include_designations(client):
    plain = _by_code(_expand(client, "animals-all"))
    assert "designation" not in plain["dog"]
    items = _by_code(_expand(client, "animals-all", _boolean("includeDesignations", True)))
    dog = {(d.get("language"), d["value"]) for d in items["dog"]["designation"]}
    assert {("de", "Hund"), ("fr", "Chien")} <= dog
    cat = {(d.get("language"), d["value"], d.get("use", {}).get("code")) for d in items["cat"]["designation"]}
    assert ("de", "Mieze", "900000000000013009") in cat


def test_display_language(client):
    german = _by_code(_expand(client, "filter-mammals", {"name": "displayLanguage", "valueCode": "de"}))
    assert [german[c]["display"] for c in ["mammal", "dog", "cat", "whale"]] == ["Säugetier", "Hund", "Katze", "Blue Whale"]
    header = _by_code(_expand(client, "filter-mammals", headers={"Accept-Language": "fr"}))
    assert header["dog"]["display"] == "Chien" and header["cat"]["display"] == "Cat"


def test_a_client_that_refuses_other_languages_gets_no_display_in_them(client):
    strict = _by_code(_expand(client, "filter-mammals", {"name": "displayLanguage", "valueCode": "fr, *; q=0"}))
    assert strict["dog"]["display"] == "Chien"
    assert "display" not in strict["cat"]  # the cat has no French name, and English was refused
    lenient = _by_code(_expand(client, "filter-mammals", {"name": "displayLanguage", "valueCode": "fr"}))
    assert lenient["cat"]["display"] == "Cat"


@pytest.mark.parametrize("asked", ["de", "urn:ietf:bcp:47|de"])
def test_designations_of_one_language(client, asked):
    items = _by_code(_expand(client, "animals-all", _boolean("includeDesignations", True), _string("designation", asked)))
    assert {(d.get("language"), d["value"]) for d in items["dog"]["designation"]} == {("de", "Hund")}


_PROPERTY_URL = "http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.expansion.contains.property"


def _properties(item) -> list[tuple[str, Any]]:
    found = []
    for extension in item.get("extension", []):
        if extension["url"] == _PROPERTY_URL:
            parts = {e["url"]: e for e in extension["extension"]}
            found.append((parts["code"]["valueCode"], next(v for k, v in parts["value"].items() if k.startswith("value"))))
    return found


def test_properties(client):
    resource = _expand(client, "filter-mammals", _string("property", "habitat"), _string("property", "domestic"))
    items = _by_code(resource)
    assert _properties(items["dog"]) == [("habitat", "land"), ("domestic", True)]
    assert _properties(items["whale"]) == [("habitat", "sea"), ("domestic", False)]
    assert _properties(items["mammal"]) == []
    assert "property" not in dict(_expansion_parameters(resource))  # not echoed: tx.fhir.org does not


def test_properties_are_declared_with_their_code_systems_uris_and_definition_is_one(client):
    sized = {
        "resourceType": "CodeSystem", "url": "http://example.org/fhir/CodeSystem/sized", "status": "active",
        "content": "complete", "property": [{"code": "size", "uri": "http://example.org/properties#size", "type": "code"}],
        "concept": [{"code": "a", "display": "A", "definition": "The first", "property": [{"code": "size", "valueCode": "big"}]}],
    }  # fmt: skip
    value_set = {"resourceType": "ValueSet", "status": "active", "compose": {"include": [{"system": sized["url"]}]}}
    resource = _post(
        client, {"name": "valueSet", "resource": value_set}, {"name": "tx-resource", "resource": sized},
        _string("property", "size"), _string("property", "definition"),
    )  # fmt: skip
    (item,) = resource["expansion"]["contains"]
    assert _properties(item) == [("size", "big"), ("definition", "The first")]
    declared = {
        parts["code"]["valueCode"]: parts["uri"]["valueUri"]
        for extension in resource["expansion"]["extension"]
        for parts in [{part["url"]: part for part in extension["extension"]}]
    }
    assert declared == {"size": "http://example.org/properties#size", "definition": "http://hl7.org/fhir/concept-properties#definition"}


_SD = "http://hl7.org/fhir/StructureDefinition/"
_ANNOTATED = {
    "resourceType": "CodeSystem", "url": "http://example.org/fhir/CodeSystem/annotated", "status": "active",
    "content": "complete",
    "concept": [
        {"code": "a", "display": "A", "extension": [
            {"url": _SD + "codesystem-conceptOrder", "valueInteger": 2},
            {"url": _SD + "codesystem-label", "valueString": "(a)"},
            {"url": _SD + "rendering-style", "valueString": "font-weight: bold"},
            {"url": "http://example.org/unknown", "valueString": "left where it is"},
        ], "designation": [{"language": "de", "value": "A-de", "extension": [{"url": _SD + "coding-sctdescid", "valueId": "1"}]}]},
        {"code": "b", "display": "B", "extension": [
            {"url": _SD + "codesystem-conceptOrder", "valueInteger": 1},
            {"url": _SD + "itemWeight", "valueDecimal": 0.5},
            {"url": _SD + "structuredefinition-standards-status", "valueCode": "deprecated"},
        ]},
    ],
}  # fmt: skip


def _annotated_expansion(client, value_set: dict[str, Any]) -> dict[str, dict[str, Any]]:
    resource = _post(
        client, {"name": "valueSet", "resource": value_set}, {"name": "tx-resource", "resource": _ANNOTATED},
        _boolean("includeDesignations", True),
    )  # fmt: skip
    return {item["code"]: item for item in resource["expansion"]["contains"]}


def test_what_code_system_extensions_state_is_shown_as_properties(client):
    whole = {"resourceType": "ValueSet", "status": "active", "compose": {"include": [{"system": _ANNOTATED["url"]}]}}
    items = _annotated_expansion(client, whole)
    assert _properties(items["a"]) == [("order", 2), ("label", "(a)")]
    assert _properties(items["b"]) == [("order", 1), ("weight", 0.5), ("status", "deprecated")]
    # Rendering hints are carried as they are; extensions nobody knows stay behind.
    assert [e["url"] for e in items["a"]["extension"] if e["url"] != _PROPERTY_URL] == [_SD + "rendering-style"]
    (german,) = [d for d in items["a"]["designation"] if d.get("language") == "de"]
    assert german["extension"] == [{"url": _SD + "coding-sctdescid", "valueId": "1"}]


def test_the_value_sets_own_statements_about_a_concept_win(client):
    enumerated = {"resourceType": "ValueSet", "status": "active", "compose": {"include": [{"system": _ANNOTATED["url"], "concept": [
        {"code": "a", "extension": [
            {"url": _SD + "valueset-conceptOrder", "valueInteger": 0},
            {"url": _SD + "valueset-concept-definition", "valueString": "A, as this value set means it"},
        ]},
    ]}]}}  # fmt: skip
    (a,) = _annotated_expansion(client, enumerated).values()
    assert _properties(a) == [("order", 0), ("label", "(a)")]
    carried = {e["url"]: e for e in a["extension"] if e["url"] != _PROPERTY_URL}
    assert set(carried) == {_SD + "rendering-style", _SD + "valueset-concept-definition"}


@pytest.mark.parametrize("asked", [[], [_boolean("excludeNested", False)]])
def test_nested_unless_exclude_nested(client, asked):
    resource = _expand(client, "animals-all", *asked)
    top = resource["expansion"]["contains"]
    assert [item["code"] for item in top] == ["animal", "mythical"]
    assert [item["code"] for item in top[0]["contains"]] == ["mammal", "bird", "fish"]
    assert [item["code"] for item in top[0]["contains"][0]["contains"]] == ["dog", "cat", "whale", "mammoth"]
    assert [item["code"] for item in top[1]["contains"]] == ["unicorn"]
    assert _codes(resource) == ALL_ANIMALS and resource["expansion"]["total"] == 14
    flat = _expand(client, "animals-all", _boolean("excludeNested", True))
    assert all("contains" not in item for item in flat["expansion"]["contains"])


def test_a_text_search_over_a_whole_code_system_is_flat_and_over_a_part_keeps_its_shape(client):
    searched = _expand(client, "animals-all", {"name": "filter", "valueString": "m"})
    assert len(searched["expansion"]["contains"]) > 1
    assert all("contains" not in item for item in searched["expansion"]["contains"])
    filtered = _expand(client, "filter-mammals", {"name": "filter", "valueString": "m"})
    (mammal,) = filtered["expansion"]["contains"]
    assert mammal["code"] == "mammal" and "mammoth" in [item["code"] for item in mammal["contains"]]


def test_flat_hierarchy_nests_too(client):
    resource = _expand(client, "shapes-all", _boolean("excludeNested", False))
    (shape,) = resource["expansion"]["contains"]
    assert shape["system"] == SHAPES and [item["code"] for item in shape["contains"]] == ["polygon", "round"]


def test_echoed_parameters_and_used_code_systems(client):
    resource = _expand(
        client, "mixed", _integer("count", 10), _integer("offset", 0), _boolean("activeOnly", False), _boolean("includeDesignations", False)
    )
    parameters = _expansion_parameters(resource)
    assert ("count", 10) in parameters and ("offset", 0) in parameters
    assert ("activeOnly", False) in parameters and ("includeDesignations", False) in parameters
    used = [value for name, value in parameters if name == "used-codesystem"]
    assert sorted(used) == [f"{ANIMALS}|1.0.0", f"{COLORS}|2.0.0"]
    assert _codes(resource) == ["dog", "red", "green", "blue"]


@pytest.mark.parametrize("contained_url", [None, "http://example.org/fhir/ValueSet/penguins"])
def test_a_contained_value_set_named_by_local_reference(client, contained_url):
    """Its own part: expanded, and not reported as a value set used."""
    resource = _post(client, {"name": "valueSet", "resource": with_contained_value_set(contained_url)})
    assert sorted(_codes(resource)) == sorted(["penguin", "mammal", "dog", "cat", "whale", "mammoth"])
    parameters = _expansion_parameters(resource)
    assert [value for name, value in parameters if name == "used-valueset"] == [f"{VS}filter-mammals|1.0.0"]


def test_version_rules_are_echoed_where_they_decided(client):
    default = {"name": "system-version", "valueCanonical": f"{COLORS}|1.2.0"}
    decided = _expansion_parameters(_expand(client, "colors-latest", default))
    assert ("system-version", f"{COLORS}|1.2.0") in decided and ("used-codesystem", f"{COLORS}|1.2.0") in decided
    ignored = _expansion_parameters(_expand(client, "colors-pinned", default))
    assert [name for name, _ in ignored if name == "system-version"] == []


def test_an_expansion_of_a_fragment_says_it_may_lack_codes(client):
    fragment = {
        "resourceType": "CodeSystem", "url": "http://example.org/fhir/CodeSystem/part", "version": "1", "status": "active",
        "content": "fragment", "concept": [{"code": "a", "display": "A"}],
    }  # fmt: skip
    value_set = {"resourceType": "ValueSet", "status": "active", "compose": {"include": [{"system": fragment["url"]}]}}
    resource = _post(client, {"name": "valueSet", "resource": value_set}, {"name": "tx-resource", "resource": fragment})
    assert ("used-fragment", f"{fragment['url']}|1") in _expansion_parameters(resource)
    extensions = {e["url"]: next(v for k, v in e.items() if k.startswith("value")) for e in resource["expansion"]["extension"]}
    assert extensions["http://hl7.org/fhir/StructureDefinition/valueset-unclosed"] is True
    assert fragment["url"] in extensions["http://hl7.org/fhir/StructureDefinition/valueset-unclosed-reason"]


def test_the_value_sets_marks_on_a_concept_are_carried_to_its_entry(client):
    resource = _post(client, {"name": "valueSet", "resource": with_deprecated_cat()})
    dog, cat = resource["expansion"]["contains"]
    assert "extension" not in dog
    assert cat["extension"] == [{"url": "http://hl7.org/fhir/StructureDefinition/valueset-deprecated", "valueBoolean": True}]


def test_include_definition_returns_the_compose_too(client):
    assert "compose" not in _expand(client, "filter-mammals")
    with_definition = _expand(client, "filter-mammals", _boolean("includeDefinition", True))
    assert with_definition["compose"] == value_set("filter-mammals")["compose"]


def test_a_client_may_set_a_lower_cost_limit(client):
    outcome = _expand(client, "animals-all", status=422, headers={"X-TOO-COSTLY-THRESHOLD": "5"})
    assert outcome["issue"][0]["code"] == "too-costly" and "at most 5 (the X-TOO-COSTLY-THRESHOLD header)" in outcome_text(outcome)
    paged = _expand(client, "animals-all", _integer("count", 3), headers={"X-TOO-COSTLY-THRESHOLD": "5"})
    assert len(paged["expansion"]["contains"]) == 3
    assert len(_expand(client, "animals-all", headers={"X-TOO-COSTLY-THRESHOLD": "100"})["expansion"]["contains"]) == 2


def test_a_cost_limit_that_is_no_number_is_refused(client):
    outcome = _expand(client, "animals-all", status=400, headers={"X-TOO-COSTLY-THRESHOLD": "lots"})
    assert "X-TOO-COSTLY-THRESHOLD" in outcome_text(outcome)


def test_used_value_sets(client):
    parameters = _expansion_parameters(_expand(client, "animals-import"))
    assert [value for name, value in parameters if name == "used-valueset"] == [f"{VS}filter-mammals|1.0.0"]


def test_supplement_of_the_value_set(client):
    resource = _expand(client, "animals-supplemented", _boolean("includeDesignations", True))
    assert ("used-supplement", f"{SUPPLEMENT}|1.0.0") in _expansion_parameters(resource)
    items = _by_code(resource)
    assert ("de", "Vogel") in {(d.get("language"), d["value"]) for d in items["bird"]["designation"]}
    assert ("de", "Hai") in {(d.get("language"), d["value"]) for d in items["shark"]["designation"]}


def test_use_supplement(client):
    resource = _expand(
        client, "filter-below-bird", {"name": "useSupplement", "valueCanonical": SUPPLEMENT},
        {"name": "displayLanguage", "valueCode": "de"},
    )
    assert _by_code(resource)["penguin"]["display"] == "Pinguin"


def test_supplement_of_the_pinned_version(client):
    resource = _expand(
        client, "colors-pinned", {"name": "useSupplement", "valueCanonical": "http://example.org/fhir/CodeSystem/colors-fr"},
        {"name": "displayLanguage", "valueCode": "fr"},
    )
    assert [(item["code"], item["display"]) for item in _contains(resource)] == [("red", "Rouge"), ("green", "Vert")]


def test_a_supplement_of_another_version_does_not_change_the_version_used(client):
    body = parameters_body(
        {"name": "url", "valueUri": VS + "colors-latest"},
        {"name": "useSupplement", "valueCanonical": "http://example.org/fhir/CodeSystem/colors-fr"},
        *TX_RESOURCES,
    )
    response = client.post(EXPAND, data=body, content_type="application/fhir+json")
    if response.status_code != 200:  # refusing a supplement that does not fit is fine too
        assert 400 <= response.status_code < 500
        error_outcome(response, response.status_code)
        return
    resource = resource_of(response)
    assert _codes(resource) == ["red", "green", "blue"]
    assert ("used-codesystem", f"{COLORS}|2.0.0") in _expansion_parameters(resource)


# --- errors -----------------------------------------------------------------------------------


def test_unknown_value_set(client):
    outcome = _expand(client, "nope", status=404)
    assert outcome["issue"][0]["code"] == "not-found"
    assert f"{VS}nope" in outcome_text(outcome)


@pytest.mark.parametrize(
    "id, status, text",
    [
        ("unknown-system", 404, "http://example.org/fhir/CodeSystem/nope"),
        ("unknown-import", 404, f"{VS}nope"),
        ("cycle-a", 400, "refers to itself"),
    ],
)
def test_value_sets_that_cannot_be_expanded(client, id, status, text):
    assert text in outcome_text(_expand(client, id, status=status))


def test_unknown_supplement(client):
    outcome = _expand(client, "animals-all", {"name": "useSupplement", "valueCanonical": "http://example.org/nope"}, status=404)
    assert "http://example.org/nope" in outcome_text(outcome)


# --- FHIR's own value sets, without tx-resource -----------------------------------------------


def test_administrative_gender(client):
    resource = resource_of(client.get(EXPAND, query_string={"url": GENDER}))
    assert sorted(_codes(resource)) == ["female", "male", "other", "unknown"]
    assert resource["expansion"]["total"] == 4
    assert {item["system"] for item in _contains(resource)} == {"http://hl7.org/fhir/administrative-gender"}
    assert _by_code(resource)["male"]["display"] == "Male"

"""terminology.operations.expand: ``ValueSet/$expand`` with a typed request, over the server's registry
(ICD-10-CM value sets, checked against the oracle) and the fixture resources layered over it (checked
against the fixture files' JSON)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from fixture_resources import (
    ANIMALS, COLORS, SHAPES, SUPPLEMENT, VS, definition, load, value_set, value_set_definition, with_contained_value_set,
)
from icd10cm_oracle import ICD10CM, codes, display, is_billable, oracle
from terminology.context import RequestContext
from terminology.definitions import ResourceMetadata, ValueSetDefinition
from terminology.definitions.value_set import Compose, ConceptReference, Filter, Include
from terminology.errors import InvalidRequest, NotFound, TooCostly
from terminology.operations.expand import MAX_RETURNED, ExpandRequest, ExpandResult, expand
from terminology.settings import Bound
from terminology.valuesets.expand import ExpansionEntry, ExpansionOptions
from terminology.valuesets.resolution import CircularReference, UnknownCodeSystem, VersionNotAllowed, VersionRules

CONTEXT = RequestContext()
ALL_ICD10CM = f"{ICD10CM}?fhir_vs"
GUIDANCE_VS = "http://fhir.icd10cm-terminology.org/ValueSet/"
GUIDANCE = "http://fhir.icd10cm-terminology.org/CodeSystem/icd10cm-guidance-m4848"


def _expand(registry, context: RequestContext = CONTEXT, **fields: Any) -> ExpandResult:
    return expand(registry, ExpandRequest(**fields), context)


def _flat(entries: list[ExpansionEntry]) -> Iterator[ExpansionEntry]:
    for entry in entries:
        yield entry
        yield from _flat(entry.children)


def _codes(result: ExpandResult) -> list[str]:
    return [entry.code for entry in _flat(result.entries)]


def _tree(entries: list[ExpansionEntry]) -> list[Any]:
    return [(e.code, _tree(e.children)) if e.children else e.code for e in entries]


def _value_set(*includes: Include, excludes: tuple[Include, ...] = ()) -> ValueSetDefinition:
    return ValueSetDefinition(ResourceMetadata("ValueSet", url=VS + "typed", version="1"), Compose(includes, excludes))


def _filtered(prop: str, op: str, value: str, system: str = ICD10CM) -> Include:
    return Include(system, filters=(Filter(prop, op, value),))


def _is_a(code: str) -> list[str]:
    """The oracle's code and the codes below it, in tabular order (it repeats a few)."""
    return list(dict.fromkeys([code, *oracle.get_descendants(code)]))


# --- the fixture code systems' JSON, read here on its own ---------------------------------------


def _walk(concepts: list[dict], parent: str | None = None) -> Iterator[tuple[dict, str | None]]:
    for concept in concepts:
        yield concept, parent
        yield from _walk(concept.get("concept", []), concept["code"])


ANIMAL_CONCEPTS = {concept["code"]: (concept, parent) for concept, parent in _walk(load("codesystem-animals.json")["concept"])}
ALL_ANIMALS = list(ANIMAL_CONCEPTS)  # depth first, as the file nests them


def _animal_property(code: str, name: str) -> list[Any]:
    return [next(v for k, v in p.items() if k.startswith("value")) for p in ANIMAL_CONCEPTS[code][0].get("property", []) if p["code"] == name]


def _animals_above(code: str) -> list[str]:
    found = []
    while (code := ANIMAL_CONCEPTS[code][1]) is not None:
        found.append(code)
    return found


def _animals_below(code: str) -> list[str]:
    return [c for c in ALL_ANIMALS if code in _animals_above(c)]


def _animal_is_inactive(code: str) -> bool:
    concept = ANIMAL_CONCEPTS[code][0]
    retired = any(e.get("valueCode") == "retired" for e in concept.get("extension", []))
    return retired or _animal_property(code, "status") == ["retired"] or _animal_property(code, "inactive") == [True]


def _shapes_below(code: str) -> set[str]:
    """By the parent and child properties of the shapes file."""
    concepts = load("codesystem-shapes.json")["concept"]
    edges = {(p["valueCode"], c["code"]) for c in concepts for p in c.get("property", []) if p["code"] == "parent"}
    edges |= {(c["code"], p["valueCode"]) for c in concepts for p in c.get("property", []) if p["code"] == "child"}
    found, frontier = set(), {code}
    while frontier:
        frontier = {child for parent, child in edges if parent in frontier} - found
        found |= frontier
    return found


def _colors(version: str) -> list[str]:
    return [c["code"] for c in load(f"codesystem-colors-{version}.json")["concept"]]


# --- by url, by definition --------------------------------------------------------------------


def test_by_url_and_by_definition(fixtures):
    by_url = _expand(fixtures, url=VS + "filter-mammals")
    given = value_set_definition("filter-mammals")
    by_definition = _expand(fixtures, value_set=given)
    assert _codes(by_url) == _codes(by_definition) == ["mammal", *_animals_below("mammal")]
    assert by_definition.value_set is given and by_url.value_set.url == VS + "filter-mammals"
    assert (by_url.total, by_url.offset, by_url.display_language) == (5, None, None)
    assert _codes(_expand(fixtures, url=VS + "filter-mammals", version="1.0.0")) == _codes(by_url)


def test_a_definition_need_not_be_known_to_the_registry(registry):
    """A value set given with the request is expanded over the server's code systems alone."""
    result = _expand(registry, value_set=_value_set(_filtered("concept", "is-a", "M48.4")))
    assert _codes(result) == _is_a("M48.4")
    assert result.expansion.used_code_systems == [f"{ICD10CM}|2026"]


def test_an_icd10cm_value_set_of_the_guidance_package_by_url(registry):
    result = _expand(registry, url=GUIDANCE_VS + "icd10cm-m4848-fatigue-fracture-sacral")
    assert _codes(result) == _is_a("M48.48") == ["M48.48", "M48.48XA", "M48.48XD", "M48.48XG", "M48.48XS"]
    assert [e.display for e in result.entries] == [display(code) for code in _codes(result)]
    assert [e.abstract for e in result.entries] == [not is_billable(code) for code in _codes(result)]


def test_includes_and_an_exclude_of_icd10cm_filters(registry):
    """Spondylopathies, ankylosing spondylitis and spinal stenosis, less the fatigue fractures."""
    result = _expand(registry, url=GUIDANCE_VS + "icd10cm-m4848-predisposing-conditions")
    excluded = set(_is_a("M48.4"))
    included = dict.fromkeys(_is_a("M45-M49") + _is_a("M45") + _is_a("M48.0"))
    assert _codes(result) == [code for code in included if code not in excluded]
    assert "M48.48" not in _codes(result) and "M48.06" in _codes(result)


# --- includes: whole systems, concept lists, filters ---------------------------------------------


def test_a_whole_fixture_code_system(fixtures):
    assert _codes(_expand(fixtures, url=VS + "animals-all")) == ALL_ANIMALS


def test_the_whole_of_icd10cm_in_tabular_order(registry):
    """98,444 codes: every concept but the chapters, paged."""
    for offset in (0, 50_000, len(codes()) - 7):
        result = _expand(registry, url=ALL_ICD10CM, count=20, offset=offset)
        assert result.total == len(codes()) == 98_444
        assert _codes(result) == list(codes()[offset : offset + 20])
        assert result.offset == offset


def test_a_list_of_codes(fixtures):
    listed = [c["code"] for c in value_set("animals-enum")["compose"]["include"][0]["concept"]]
    result = _expand(fixtures, value_set=value_set_definition("animals-enum"))
    assert _codes(result) == [code for code in listed if code in ANIMAL_CONCEPTS]  # griffin is no animal of the code system
    assert {e.code: e.display for e in result.entries}["cat"] == "House cat"  # the value set's display


def test_a_list_of_icd10cm_codes(registry):
    listed = (ConceptReference("M48.48XA"), ConceptReference("M48.48", "Sacral fatigue fracture"), ConceptReference("M48.48XQ"))
    result = _expand(registry, value_set=_value_set(Include(ICD10CM, concepts=listed)))
    assert [(e.code, e.display, e.abstract) for e in result.entries] == [
        ("M48.48XA", display("M48.48XA"), False),
        ("M48.48", "Sacral fatigue fracture", True),
    ]


@pytest.mark.parametrize(
    ("include", "expected"),
    [
        (_filtered("concept", "is-a", "M48.4"), lambda: _is_a("M48.4")),
        (_filtered("concept", "descendent-of", "M48.4"), lambda: _is_a("M48.4")[1:]),
        (_filtered("concept", "is-a", "M45-M49"), lambda: _is_a("M45-M49")),
        (_filtered("chapter", "=", "13"), lambda: _is_a("13")[1:]),
        (_filtered("block", "=", "M45-M49"), lambda: _is_a("M45-M49")[1:]),
        (
            Include(ICD10CM, filters=(Filter("block", "=", "M45-M49"), Filter("billable", "=", "true"))),
            lambda: [c for c in _is_a("M45-M49") if is_billable(c)],
        ),
        (
            Include(ICD10CM, filters=(Filter("concept", "is-a", "M48"), Filter("notSelectable", "=", "true"))),
            lambda: [c for c in _is_a("M48") if not is_billable(c)],
        ),
    ],
    ids=["is-a", "descendent-of", "is-a-block", "chapter", "block", "block-billable", "not-selectable"],
)
def test_icd10cm_filters_against_the_oracle(registry, include, expected):
    result = _expand(registry, value_set=_value_set(include), count=MAX_RETURNED)
    assert _codes(result) == expected()
    assert result.total == len(expected())


def test_every_billable_code(registry):
    result = _expand(registry, url=GUIDANCE_VS + "icd10cm-billable", count=MAX_RETURNED, offset=40_000)
    billable = [code for code in codes() if is_billable(code)]
    assert result.total == len(billable)
    assert _codes(result) == billable[40_000:50_000]


@pytest.mark.parametrize(
    ("id", "expected"),
    [
        ("filter-mammals", lambda: ["mammal", *_animals_below("mammal")]),
        ("filter-below-bird", lambda: _animals_below("bird")),
        ("filter-not-mammals", lambda: [c for c in ALL_ANIMALS if c != "mammal" and c not in _animals_below("mammal")]),
        ("filter-generalizes-dog", lambda: [c for c in ALL_ANIMALS if c == "dog" or "dog" in _animals_below(c)]),
        ("filter-habitat-sea", lambda: [c for c in ALL_ANIMALS if _animal_property(c, "habitat") == ["sea"]]),
        ("filter-habitat-in", lambda: [c for c in ALL_ANIMALS if set(_animal_property(c, "habitat")) & {"sea", "freshwater"}]),
        ("filter-domestic", lambda: [c for c in ALL_ANIMALS if _animal_property(c, "domestic") == [True]]),
        ("filter-code-regex", lambda: [c for c in ALL_ANIMALS if re.fullmatch("d.*", c)]),
        ("filter-note-exists", lambda: [c for c in ALL_ANIMALS if _animal_property(c, "note")]),
        ("filter-land-mammals", lambda: [c for c in _animals_below("mammal") if _animal_property(c, "habitat") == ["land"]]),
    ],
)
def test_fixture_filters_against_the_code_systems_json(fixtures, id, expected):
    assert _codes(_expand(fixtures, value_set=value_set_definition(id))) == expected()


def test_a_filter_on_a_hierarchy_given_by_properties(fixtures):
    result = _expand(fixtures, value_set=value_set_definition("filter-quadrilaterals"))
    assert set(_codes(result)) == {"quadrilateral"} | _shapes_below("quadrilateral") == {"quadrilateral", "rectangle", "rhombus", "square"}
    below_round = _expand(fixtures, value_set=_value_set(_filtered("concept", "descendent-of", "round", SHAPES)))
    assert set(_codes(below_round)) == _shapes_below("round") == {"oval", "circle"}


# --- excludes and imports ------------------------------------------------------------------------


def test_excludes(fixtures):
    expected = [c for c in ALL_ANIMALS if c != "bird" and c not in _animals_below("bird") and c != "unicorn"]
    assert _codes(_expand(fixtures, url=VS + "animals-exclude")) == expected


def test_an_exclude_of_an_imported_value_set(fixtures):
    expected = [c for c in ["mammal", *_animals_below("mammal")] if _animal_property(c, "domestic") != [True]]
    assert _codes(_expand(fixtures, url=VS + "animals-exclude-import")) == expected


def test_imports(fixtures):
    result = _expand(fixtures, url=VS + "animals-import")
    assert [(e.system, e.code) for e in result.entries] == [(ANIMALS, c) for c in ["mammal", *_animals_below("mammal")]] + [(COLORS, "red")]
    assert result.expansion.used_value_sets == [f"{VS}filter-mammals|1.0.0"]


def test_an_icd10cm_import_and_exclude(registry):
    """The fatigue fractures of the guidance package, less the initial encounters."""
    imported = Include(value_sets=(GUIDANCE_VS + "icd10cm-m4848-fatigue-fracture-sacral",))
    result = _expand(registry, value_set=_value_set(imported, excludes=(Include(ICD10CM, concepts=(ConceptReference("M48.48XA"),)),)))
    assert _codes(result) == [c for c in _is_a("M48.48") if c != "M48.48XA"]
    assert result.expansion.used_value_sets == [GUIDANCE_VS + "icd10cm-m4848-fatigue-fracture-sacral|0.1.0"]


@pytest.mark.parametrize(("id", "chain"), [("cycle-a", "cycle-a -> cycle-b -> cycle-a"), ("cycle-self", "cycle-self -> cycle-self")])
def test_an_import_cycle(fixtures, id, chain):
    with pytest.raises(CircularReference) as caught:
        _expand(fixtures, url=VS + id)
    error = caught.value
    assert isinstance(error, InvalidRequest) and (error.status, error.issue_type, error.tx_code) == (400, "processing", "vs-invalid")
    named = " -> ".join(VS + part for part in chain.split(" -> "))
    assert error.message == f"The value set {VS}{id} refers to itself (through {named}), so it has no defined content"


def test_a_contained_value_set_is_not_reported_as_used(fixtures):
    result = _expand(fixtures, value_set=definition(with_contained_value_set(None)))
    assert _codes(result) == ["penguin", "mammal", *_animals_below("mammal")]
    assert result.expansion.used_value_sets == [f"{VS}filter-mammals|1.0.0"]


# --- paging ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3, 5, 14])
def test_pages_join_up_to_the_whole(fixtures, count):
    pages = [_expand(fixtures, url=VS + "animals-all", count=count, offset=offset) for offset in range(0, len(ALL_ANIMALS), count)]
    assert [code for page in pages for code in _codes(page)] == ALL_ANIMALS
    assert {page.total for page in pages} == {len(ALL_ANIMALS)}
    assert [page.offset for page in pages] == list(range(0, len(ALL_ANIMALS), count))


def test_count_zero_and_an_offset_past_the_end(registry):
    for count, offset in [(0, 0), (10, 98_444), (10, 100_000)]:
        result = _expand(registry, url=ALL_ICD10CM, count=count, offset=offset)
        assert (result.total, result.entries, result.offset) == (98_444, [], offset)


@pytest.mark.parametrize(("count", "offset"), [(-1, 0), (10, -1)])
def test_a_negative_count_or_offset(fixtures, count, offset):
    with pytest.raises(InvalidRequest, match="count and offset must not be negative"):
        _expand(fixtures, url=VS + "animals-all", count=count, offset=offset)


# --- the text filter ---------------------------------------------------------------------------


def _typeahead(registry, text: str, count: int = 20, **fields: Any) -> ExpandResult:
    return _expand(registry, url=ALL_ICD10CM, options=ExpansionOptions(text_filter=text), count=count, **fields)


@pytest.mark.parametrize("text", ["fatigue fract sacr", "sacr fatigue fract", "FRACT Fatigue SACR", "fatigue fracture sacral"])
def test_typeahead_words_in_any_order_best_first(registry, text):
    result = _typeahead(registry, text)
    assert _codes(result) == _is_a("M48.48") and result.total == 5


def test_typeahead_finds_inclusion_terms(registry):
    assert "Stress fracture of vertebra" in oracle.get_inclusion_term("M48.4")
    assert _codes(_typeahead(registry, "stress fracture vertebra")) == ["M48.4"]


@pytest.mark.parametrize("prefix", ["M48.4", "m484", "M48.48X"])
def test_typeahead_code_prefixes_shallow_codes_first(registry, prefix):
    result = _typeahead(registry, prefix, count=100)
    key = prefix.upper().replace(".", "")
    expected = {code for code in codes() if code.replace(".", "").startswith(key)}
    assert set(_codes(result)) == expected and result.total == len(expected)
    depths = [len(oracle.get_ancestors(code)) for code in _codes(result)]
    assert depths == sorted(depths)


def test_typeahead_pages_join_up(registry):
    whole = _typeahead(registry, "diab mell", count=60)
    pages = [_typeahead(registry, "diab mell", count=30, offset=offset) for offset in (0, 30)]
    assert _codes(pages[0]) + _codes(pages[1]) == _codes(whole)
    assert whole.total > 60 and all(page.total == whole.total for page in pages)


def test_a_text_filter_over_part_of_icd10cm(registry):
    result = _expand(registry, value_set=_value_set(_filtered("concept", "is-a", "M48.4")), options=ExpansionOptions(text_filter="sacr"))
    assert sorted(_codes(result)) == sorted(code for code in _is_a("M48.4") if re.search(r"\bsacr", display(code).lower()))  # a word's start


@pytest.mark.parametrize(("text", "expected"), [("hund", ["dog"]), ("house", ["cat"]), ("do", ["dog", "dodo"]), ("zebra", [])])
def test_a_text_filter_over_a_fixture_value_set(fixtures, text, expected):
    """Codes, displays, designations (Hund) and the value set's own displays (House cat)."""
    result = _expand(fixtures, value_set=value_set_definition("animals-enum"), options=ExpansionOptions(text_filter=text))
    assert _codes(result) == expected


# --- activeOnly, nesting -------------------------------------------------------------------------


def test_active_only(fixtures):
    active = [c for c in ALL_ANIMALS if not _animal_is_inactive(c)]
    assert active != ALL_ANIMALS
    assert _codes(_expand(fixtures, url=VS + "animals-all", options=ExpansionOptions(active_only=True))) == active
    assert _codes(_expand(fixtures, url=VS + "animals-active")) == active  # compose.inactive false
    inactive = {e.code for e in _expand(fixtures, url=VS + "animals-all").entries if e.inactive}
    assert inactive == {c for c in ALL_ANIMALS if _animal_is_inactive(c)}


def test_active_only_keeps_all_of_icd10cm(registry):
    options = ExpansionOptions(active_only=True)
    assert _codes(_expand(registry, url=f"{ICD10CM}?fhir_vs=isa/M48.4", options=options)) == _is_a("M48.4")


def test_exclude_not_for_ui_leaves_out_the_headers(registry):
    options = ExpansionOptions(exclude_not_for_ui=True)
    result = _expand(registry, url=f"{ICD10CM}?fhir_vs=isa/M48.4", options=options)
    assert _codes(result) == [code for code in _is_a("M48.4") if is_billable(code)]


def _oracle_tree(code: str) -> Any:
    below = oracle.get_children(code)
    return (code, [_oracle_tree(child) for child in below]) if below else code


def test_nested_unless_exclude_nested(registry):
    nested = _expand(registry, url=f"{ICD10CM}?fhir_vs=isa/M48.4", options=ExpansionOptions(exclude_nested=False))
    assert _tree(nested.entries) == [_oracle_tree("M48.4")]
    assert nested.total == len(_is_a("M48.4"))
    flat = _expand(registry, url=f"{ICD10CM}?fhir_vs=isa/M48.4", options=ExpansionOptions(exclude_nested=True))
    assert _tree(flat.entries) == _is_a("M48.4")


def test_a_page_is_flat(registry):
    paged = _expand(registry, url=f"{ICD10CM}?fhir_vs=isa/M48.4", options=ExpansionOptions(exclude_nested=False), count=5)
    assert _tree(paged.entries) == _is_a("M48.4")[:5]


def test_a_fixture_code_system_nests_as_its_file_does(fixtures):
    def file_tree(concepts: list[dict]) -> list[Any]:
        return [(c["code"], file_tree(c["concept"])) if c.get("concept") else c["code"] for c in concepts]

    nested = _expand(fixtures, url=VS + "animals-all", options=ExpansionOptions(exclude_nested=False))
    assert _tree(nested.entries) == file_tree(load("codesystem-animals.json")["concept"])
    listed = _expand(fixtures, url=VS + "animals-enum", options=ExpansionOptions(exclude_nested=False))
    assert all(not e.children for e in listed.entries)  # a list of codes is not nested


# --- designations, properties, languages ----------------------------------------------------


def test_icd10cm_designations_and_properties_asked_for(registry):
    options = ExpansionOptions(include_designations=True, properties=("billable", "chapter", "block"))
    result = _expand(registry, url=f"{ICD10CM}?fhir_vs=isa/M48.4", options=options)
    for entry in result.entries:
        assert [d.value for d in entry.designations] == oracle.get_inclusion_term(entry.code), entry.code
        assert [(p.code, p.value) for p in entry.properties] == [
            ("billable", is_billable(entry.code)), ("chapter", "13"), ("block", "M45-M49"),
        ], entry.code  # fmt: skip
    plain = _expand(registry, url=f"{ICD10CM}?fhir_vs=isa/M48.4")
    assert all(e.designations == () and e.properties == () for e in plain.entries)


def _animal_designations(code: str, language: str) -> list[str]:
    return [d["value"] for d in ANIMAL_CONCEPTS[code][0].get("designation", []) if d.get("language") == language]


@pytest.mark.parametrize("language", ["de", "fr"])
def test_designations_of_one_language(fixtures, language):
    options = ExpansionOptions(include_designations=True, designations=(language,), properties=("habitat",))
    result = _expand(fixtures, url=VS + "filter-mammals", options=options)
    for entry in result.entries:
        assert [d.value for d in entry.designations] == _animal_designations(entry.code, language), entry.code
        assert [p.value for p in entry.properties] == _animal_property(entry.code, "habitat"), entry.code


def test_display_language(fixtures):
    result = _expand(fixtures, RequestContext(languages=("de",)), url=VS + "filter-mammals")
    assert result.display_language == "de"
    for entry in result.entries:
        german = _animal_designations(entry.code, "de")
        assert entry.display == (german[-1] if german else ANIMAL_CONCEPTS[entry.code][0]["display"]), entry.code


def test_the_value_sets_own_language(fixtures):
    german = definition({**value_set("filter-mammals"), "language": "de"})
    result = _expand(fixtures, value_set=german)
    assert result.display_language == "de"
    assert {e.code: e.display for e in result.entries}["dog"] == "Hund"
    assert _expand(fixtures, RequestContext(languages=("fr",)), value_set=german).display_language == "fr"  # the request's wins


def test_the_value_sets_display_language_expansion_parameter(fixtures):
    parameter = [{"url": "name", "valueCode": "displayLanguage"}, {"url": "value", "valueCode": "de"}]
    extension = {"url": "http://hl7.org/fhir/StructureDefinition/valueset-expansion-parameter", "extension": parameter}
    german = definition({**value_set("filter-mammals"), "extension": [extension]})
    assert german.expansion_parameters == {"displayLanguage": "de"}
    result = _expand(fixtures, value_set=german)
    assert {e.code: e.display for e in result.entries}["dog"] == "Hund"
    assert result.display_language == "de"


def test_a_supplement_asked_for(fixtures):
    supplement = load("codesystem-animals-de.json")
    german = {concept["code"]: concept["designation"][0]["value"] for concept, _ in _walk(supplement["concept"])}
    context = RequestContext(languages=("de",))
    result = _expand(fixtures, context, url=VS + "filter-below-bird", supplements=(SUPPLEMENT,))
    assert result.expansion.supplements == [f"{SUPPLEMENT}|{supplement['version']}"]
    assert {e.code: e.display for e in result.entries} == {"penguin": german["penguin"], "dodo": "Dodo"}
    assert {e.code: e.display for e in _expand(fixtures, context, url=VS + "filter-below-bird").entries}["penguin"] == "Penguin"
    with pytest.raises(NotFound, match=re.escape(f"Required supplement not found: {VS}nope")):
        _expand(fixtures, url=VS + "animals-enum", supplements=(VS + "nope",))


def test_the_guidance_supplement_over_icd10cm(registry):
    result = _expand(registry, url=GUIDANCE_VS + "icd10cm-m4848-fatigue-fracture-sacral", supplements=(GUIDANCE,))
    assert [canonical.split("|")[0] for canonical in result.expansion.supplements] == [GUIDANCE]
    assert _codes(result) == _is_a("M48.48")


# --- version rules --------------------------------------------------------------------------------


def _colors_with(fixtures, id: str, **rules: list[str]) -> ExpandResult:
    version_rules = VersionRules.from_canonicals(rules.get("default", []), rules.get("force", []), rules.get("check", []))
    return _expand(fixtures, url=VS + id, options=ExpansionOptions(version_rules=version_rules))


def test_system_version_where_the_value_set_names_none(fixtures):
    assert _codes(_expand(fixtures, url=VS + "colors-latest")) == _colors("2.0.0")
    result = _colors_with(fixtures, "colors-latest", default=[f"{COLORS}|1.2.0"])
    assert _codes(result) == _colors("1.2.0") and result.expansion.rules_applied == {"system-version"}
    pinned = _colors_with(fixtures, "colors-pinned", default=[f"{COLORS}|1.2.0"])
    assert _codes(pinned) == _colors("1.0.0") and pinned.expansion.rules_applied == frozenset()


def test_force_system_version(fixtures):
    result = _colors_with(fixtures, "colors-pinned", force=[f"{COLORS}|2.0.0"])
    assert _codes(result) == _colors("2.0.0") and result.expansion.rules_applied == {"force-system-version"}
    assert result.expansion.used_code_systems == [f"{COLORS}|2.0.0"]


def test_check_system_version(fixtures):
    result = _colors_with(fixtures, "colors-latest", check=[f"{COLORS}|1.x"])
    assert _codes(result) == _colors("1.2.0")  # the latest the check allows
    with pytest.raises(VersionNotAllowed) as caught:
        _colors_with(fixtures, "colors-pinned", check=[f"{COLORS}|2.x"])
    assert (caught.value.status, caught.value.tx_code) == (400, "version-error")
    assert caught.value.message == (
        f"The version '1.0.0' is not allowed for system '{COLORS}': required to be '2.x' by a version-check parameter"
    )


def test_icd10cm_version_rules(registry):
    rules = VersionRules.from_canonicals([f"{ICD10CM}|2026"], [], [f"{ICD10CM}|2026"])
    result = _expand(registry, url=f"{ICD10CM}?fhir_vs=isa/M48.48", options=ExpansionOptions(version_rules=rules))
    assert _codes(result) == _is_a("M48.48") and result.expansion.rules_applied == {"system-version"}
    forced = VersionRules.from_canonicals([], [f"{ICD10CM}|2019"], [])
    with pytest.raises(UnknownCodeSystem) as caught:
        _expand(registry, url=f"{ICD10CM}?fhir_vs=isa/M48.48", options=ExpansionOptions(version_rules=forced))
    assert (caught.value.status, caught.value.tx_code, caught.value.system, caught.value.version) == (404, "not-found", ICD10CM, "2019")
    assert caught.value.message == (
        f"A definition for CodeSystem '{ICD10CM}' version '2019' could not be found, so the value set cannot be expanded. Valid versions: 2021, 2025 and 2026"
    )


# --- too costly ------------------------------------------------------------------------------------


def test_the_whole_of_icd10cm_at_once_is_too_costly(registry):
    with pytest.raises(TooCostly) as caught:
        _expand(registry, url=ALL_ICD10CM)
    assert (caught.value.status, caught.value.issue_type) == (422, "too-costly")
    assert caught.value.message == (
        f"The value set '{ALL_ICD10CM}' expansion has too many codes to display (98,444); this server answers at most "
        f"{MAX_RETURNED:,} (TERMINOLOGY_MAX_EXPANSION_CODES) at once: use count and offset to page through it, or a filter to narrow it"
    )


def test_a_lower_limit(fixtures):
    with pytest.raises(TooCostly, match=rf"too many codes to display \({len(ALL_ANIMALS)}\); this server answers at most 13 \(a test\) at once"):
        _expand(fixtures, url=VS + "animals-all", limit=Bound(13, "a test"))
    assert _codes(_expand(fixtures, url=VS + "animals-all", limit=Bound(len(ALL_ANIMALS), "a test"))) == ALL_ANIMALS
    capped = _expand(fixtures, url=VS + "animals-all", limit=Bound(5, "a test"), count=100)
    assert _codes(capped) == ALL_ANIMALS[:5] and capped.total == len(ALL_ANIMALS)


def test_an_expansion_past_the_engines_limit(registry):
    with pytest.raises(TooCostly, match=r"more than 1,000\); this server selects at most 1,000 \(TERMINOLOGY_MAX_SELECTED_CODES\)"):
        _expand(registry, url=ALL_ICD10CM, count=10, options=ExpansionOptions(limit=Bound(1_000, "TERMINOLOGY_MAX_SELECTED_CODES")))
    sacral = GUIDANCE_VS + "icd10cm-m4848-fatigue-fracture-sacral"
    assert _expand(registry, url=sacral, options=ExpansionOptions(limit=Bound(5, "TERMINOLOGY_MAX_SELECTED_CODES"))).total == 5


# --- unknown value sets and code systems -------------------------------------------------------------


@pytest.mark.parametrize(("version", "named"), [(None, f"{VS}nope"), ("1.0.0", f"{VS}nope|1.0.0")])
def test_an_unknown_value_set(fixtures, version, named):
    with pytest.raises(NotFound) as caught:
        _expand(fixtures, url=VS + "nope", version=version)
    assert (caught.value.status, caught.value.tx_code, caught.value.expression) == (404, "not-found", "url")
    assert caught.value.message == f"A definition for the value Set '{named}' could not be found"


def test_an_unknown_version_of_a_known_value_set(fixtures):
    with pytest.raises(NotFound, match=re.escape(f"'{VS}filter-mammals|9.9.9' could not be found")):
        _expand(fixtures, url=VS + "filter-mammals", version="9.9.9")


def test_an_unknown_imported_value_set(fixtures):
    with pytest.raises(NotFound) as caught:
        _expand(fixtures, url=VS + "unknown-import")
    assert not isinstance(caught.value, UnknownCodeSystem)
    assert caught.value.message == f"A definition for the value Set '{VS}nope' could not be found"


def test_an_unknown_code_system(registry):
    system = "http://example.org/fhir/CodeSystem/nope"
    with pytest.raises(UnknownCodeSystem) as caught:
        _expand(registry, value_set=_value_set(Include(system)))
    assert (caught.value.status, caught.value.tx_code, caught.value.system, caught.value.version) == (404, "not-found", system, None)
    assert caught.value.message == f"A definition for CodeSystem '{system}' could not be found, so the value set cannot be expanded"


def test_an_unknown_version_of_a_known_code_system(fixtures):
    with pytest.raises(UnknownCodeSystem) as caught:
        _expand(fixtures, url=VS + "unknown-system-version")
    assert caught.value.message == (
        f"A definition for CodeSystem '{COLORS}' version '9.9.9' could not be found, so the value set cannot be expanded. "
        "Valid versions: 1.0.0, 1.2.0 and 2.0.0"
    )

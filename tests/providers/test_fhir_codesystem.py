"""The generic provider over a FHIR CodeSystem resource: concepts, displays, hierarchy, properties, supplements."""

from __future__ import annotations

import pytest

from fixture_resources import definition, load
from terminology.context import RequestContext
from terminology.errors import InvalidRequest
from terminology.model import Coding, Property
from terminology.providers.codesystem import FhirCodeSystemProvider

NONE = RequestContext()
ANIMAL_ORDER = [
    "animal", "mammal", "dog", "cat", "whale", "mammoth", "bird", "penguin", "dodo",
    "fish", "shark", "goldfish", "mythical", "unicorn",
]  # fmt: skip
SHAPE_ORDER = ["shape", "polygon", "triangle", "quadrilateral", "rectangle", "square", "rhombus", "round", "oval", "circle"]


@pytest.fixture
def animals() -> FhirCodeSystemProvider:
    return FhirCodeSystemProvider(definition(load("codesystem-animals.json")))


@pytest.fixture
def shapes() -> FhirCodeSystemProvider:
    return FhirCodeSystemProvider(definition(load("codesystem-shapes.json")))


@pytest.fixture
def units() -> FhirCodeSystemProvider:
    return FhirCodeSystemProvider(definition(load("codesystem-units.json")))


def codes(provider, concepts) -> list[str]:
    return [provider.code(c) for c in concepts]


def concept(provider, code):
    found = provider.locate(code)
    assert found is not None, code
    return found


# --- the code system as a whole and finding concepts ------------------------------------------


def test_info(animals, units):
    info = animals.info
    assert (info.url, info.version, info.name, info.id) == ("http://example.org/fhir/CodeSystem/animals", "1.0.0", "Animals", "animals")
    assert (info.case_sensitive, info.hierarchy_meaning, info.language, info.experimental) == (True, "is-a", "en", True)
    assert units.info.case_sensitive is False
    assert animals.count() == 14


@pytest.mark.parametrize("code, found", [("dog", "dog"), ("Dog", None), ("DOG", None), ("griffin", None), ("", None)])
def test_locate_is_case_sensitive(animals, code, found):
    located = animals.locate(code)
    assert (animals.code(located) if located is not None else None) == found


@pytest.mark.parametrize("code, found", [("KG", "KG"), ("kg", "KG"), ("Kg", "KG"), ("ml", "mL"), ("ML", "mL"), ("cel", "Cel"), ("g", None)])
def test_locate_is_case_insensitive_when_the_system_says_so(units, code, found):
    located = units.locate(code)
    assert (units.code(located) if located is not None else None) == found


def test_a_case_sensitive_code_in_another_case_is_another_code(animals):
    """No guess at what was meant (tx.fhir.org makes none): 'Dog' is simply unknown."""
    assert animals.locate("Dog") is None
    assert animals.probable_code("Dog") is None


def test_a_code_system_without_a_url_or_a_concept_without_a_code_is_refused():
    with pytest.raises(InvalidRequest):
        FhirCodeSystemProvider(definition({"resourceType": "CodeSystem"}))
    codeless = FhirCodeSystemProvider(definition({"resourceType": "CodeSystem", "url": "http://example.org/cs", "concept": [{"display": "x"}]}))
    with pytest.raises(InvalidRequest):
        codeless.locate("x")


# --- displays, designations, definitions ------------------------------------------------------


@pytest.mark.parametrize(
    "code, languages, display, language",
    [
        ("dog", (), "Dog", "en"),
        ("dog", ("en",), "Dog", "en"),
        ("dog", ("de",), "Hund", "de"),
        ("dog", ("de-CH",), "Hund", "de"),
        ("dog", ("fr",), "Chien", "fr"),
        ("dog", ("es", "fr", "de"), "Chien", "fr"),
        ("dog", ("en", "de"), "Dog", "en"),
        ("dog", ("es",), "Dog", "en"),
        ("cat", ("de",), "Katze", "de"),  # the synonym Mieze comes first but is no display
        ("mammal", ("de",), "Säugetier", "de"),
        ("whale", ("de",), "Blue Whale", "en"),  # no German: its own display
    ],
)
def test_display_in_the_clients_language(animals, code, languages, display, language):
    context = RequestContext(languages=languages)
    assert animals.display(concept(animals, code), context) == display
    assert animals.display_language(concept(animals, code), context) == language


def test_designations(animals):
    dog = [(d.value, d.language) for d in animals.designations(concept(animals, "dog"), NONE)]
    assert dog == [("Hund", "de"), ("Chien", "fr")]
    cat = animals.designations(concept(animals, "cat"), NONE)
    assert [(d.value, d.use.code if d.use else None) for d in cat] == [("Mieze", "900000000000013009"), ("Katze", "display")]
    assert animals.designations(concept(animals, "shark"), NONE) == []


def test_definition(animals):
    assert animals.definition(concept(animals, "mammal")) == "An animal that feeds its young with milk."
    assert animals.definition(concept(animals, "dog")) is None


# --- abstract and inactive --------------------------------------------------------------------


@pytest.mark.parametrize("code", ANIMAL_ORDER)
def test_only_the_not_selectable_concept_is_abstract(animals, code):
    assert animals.is_abstract(concept(animals, code)) is (code == "animal")


@pytest.mark.parametrize(
    "code, inactive, status",
    [
        ("dog", False, None),
        ("animal", False, None),
        ("dodo", True, "retired"),  # status property
        ("mammoth", True, "retired"),  # R4's codesystem-concept-status extension
        ("mythical", True, "inactive"),  # inactive property
        ("unicorn", False, None),  # below an inactive concept, but not itself inactive
    ],
)
def test_inactive_and_status(animals, code, inactive, status):
    assert animals.is_inactive(concept(animals, code)) is inactive
    assert animals.status(concept(animals, code)) == status


# --- hierarchy --------------------------------------------------------------------------------


def test_nested_hierarchy(animals):
    assert codes(animals, animals.roots()) == ["animal", "mythical"]
    assert codes(animals, animals.all_concepts()) == ANIMAL_ORDER
    assert codes(animals, animals.children(concept(animals, "mammal"))) == ["dog", "cat", "whale", "mammoth"]
    assert codes(animals, animals.children(concept(animals, "dog"))) == []
    assert codes(animals, animals.parents(concept(animals, "dog"))) == ["mammal"]
    assert codes(animals, animals.parents(concept(animals, "animal"))) == []
    assert codes(animals, animals.descendants(concept(animals, "bird"))) == ["penguin", "dodo"]
    assert codes(animals, animals.descendants(concept(animals, "animal"))) == ANIMAL_ORDER[1:12]


def test_flat_hierarchy_from_parent_and_child_properties(shapes):
    assert codes(shapes, shapes.roots()) == ["shape"]
    assert codes(shapes, shapes.all_concepts()) == SHAPE_ORDER  # square once, though it has two parents
    assert codes(shapes, shapes.parents(concept(shapes, "square"))) == ["rectangle", "rhombus"]
    assert codes(shapes, shapes.children(concept(shapes, "quadrilateral"))) == ["rectangle", "rhombus"]
    assert codes(shapes, shapes.children(concept(shapes, "round"))) == ["oval"]  # given by round's child property
    assert codes(shapes, shapes.parents(concept(shapes, "oval"))) == ["round"]
    assert codes(shapes, shapes.parents(concept(shapes, "circle"))) == ["oval"]
    assert codes(shapes, shapes.descendants(concept(shapes, "polygon"))) == ["triangle", "quadrilateral", "rectangle", "square", "rhombus"]
    assert shapes.count() == 10


@pytest.mark.parametrize(
    "provider_name, ancestor, code, expected",
    [
        ("animals", "animal", "dog", True),
        ("animals", "mammal", "dog", True),
        ("animals", "dog", "dog", True),
        ("animals", "dog", "mammal", False),
        ("animals", "bird", "dog", False),
        ("animals", "mythical", "unicorn", True),
        ("animals", "animal", "unicorn", False),
        ("shapes", "rhombus", "square", True),
        ("shapes", "rectangle", "square", True),
        ("shapes", "shape", "square", True),
        ("shapes", "square", "rhombus", False),
        ("shapes", "round", "circle", True),
        ("shapes", "polygon", "circle", False),
    ],
)
def test_subsumes(request, provider_name, ancestor, code, expected):
    provider = request.getfixturevalue(provider_name)
    assert provider.subsumes(concept(provider, ancestor), concept(provider, code)) is expected


@pytest.mark.parametrize("provider_name", ["animals", "shapes"])
def test_hierarchy_is_consistent(request, provider_name):
    """parents and children mirror each other, and descendants are exactly what is subsumed."""
    provider = request.getfixturevalue(provider_name)
    everything = list(provider.all_concepts())
    assert len(everything) == provider.count() == len({id(c) for c in everything})
    for item in everything:
        for child in provider.children(item):
            assert item in provider.parents(child)
        for parent in provider.parents(item):
            assert item in provider.children(parent)
        below = {id(c) for c in provider.descendants(item)}
        assert below == {id(c) for c in everything if c is not item and provider.subsumes(item, c)}
    assert {id(c) for c in provider.roots()} == {id(c) for c in everything if not provider.parents(c)}


# --- properties -------------------------------------------------------------------------------


def test_property_definitions(animals, shapes):
    assert [d.code for d in animals.property_definitions()] == [
        "habitat", "note", "domestic", "classification", "status", "inactive", "notSelectable"
    ]  # fmt: skip
    assert [(d.code, d.type) for d in shapes.property_definitions()] == [("parent", "code"), ("child", "code"), ("sides", "integer")]


def test_every_property_of_a_concept(animals):
    found = {(p.code, p.value, p.type) for p in animals.properties(concept(animals, "dog"), None)}
    assert found == {
        ("parent", "mammal", "code"),
        ("habitat", "land", "code"),
        ("domestic", True, "boolean"),
        ("classification", Coding("http://example.org/genus", None, "canis", "Canis"), "Coding"),
        ("inactive", False, "boolean"),
    }


@pytest.mark.parametrize(
    "code, wanted, expected",
    [
        ("dog", {"habitat"}, [("habitat", "land")]),
        ("dog", {"habitat", "domestic"}, [("habitat", "land"), ("domestic", True)]),
        ("whale", {"note"}, [("note", "The largest animal ever known")]),
        ("dog", {"note"}, []),
        ("mammal", {"child"}, [("child", "dog"), ("child", "cat"), ("child", "whale"), ("child", "mammoth")]),
        ("mammal", {"parent"}, [("parent", "animal")]),
        ("animal", {"notSelectable"}, [("notSelectable", True)]),
        ("dodo", {"status", "inactive"}, [("status", "retired"), ("inactive", True)]),
        ("mythical", {"inactive"}, [("inactive", True)]),
    ],
)
def test_wanted_properties(animals, code, wanted, expected):
    assert [(p.code, p.value) for p in animals.properties(concept(animals, code), wanted)] == expected


def test_flat_parent_and_child_properties(shapes):
    square = [(p.code, p.value) for p in shapes.properties(concept(shapes, "square"), {"parent", "child", "sides"})]
    assert square == [("parent", "rectangle"), ("parent", "rhombus"), ("sides", 4)]
    round_ = [(p.code, p.value) for p in shapes.properties(concept(shapes, "round"), {"parent", "child"})]
    assert round_ == [("parent", "shape"), ("child", "oval")]
    assert [(p.code, p.value) for p in shapes.properties(concept(shapes, "oval"), {"parent"})] == [("parent", "round")]


# --- supplements ------------------------------------------------------------------------------


def test_supplement_adds_designations_and_properties(animals):
    supplemented = animals.with_supplements([definition(load("codesystem-animals-de.json"))])
    assert supplemented is not animals
    german = RequestContext(languages=("de",))
    for code, name in [("bird", "Vogel"), ("fish", "Fisch"), ("penguin", "Pinguin"), ("shark", "Hai")]:
        assert name in [d.value for d in supplemented.designations(concept(supplemented, code), NONE)]
        assert supplemented.display(concept(supplemented, code), german) == name
    assert supplemented.display(concept(supplemented, "dog"), german) == "Hund"  # its own German designation stays
    penguin = supplemented.properties(concept(supplemented, "penguin"), {"cuteness"})
    assert list(penguin) == [Property("cuteness", "high", "string")]
    assert "cuteness" in [d.code for d in supplemented.property_definitions()]
    assert supplemented.count() == 14 and supplemented.info == animals.info


def test_supplement_leaves_the_original_untouched(animals):
    german = RequestContext(languages=("de",))
    before = animals.display(concept(animals, "bird"), german)  # read before and after: the concepts are not shared
    supplemented = animals.with_supplements([definition(load("codesystem-animals-de.json"))])
    supplemented.locate("bird")
    assert before == animals.display(concept(animals, "bird"), german) == "Bird"
    assert animals.designations(concept(animals, "bird"), NONE) == []
    assert list(animals.properties(concept(animals, "penguin"), {"cuteness"})) == []
    assert "cuteness" not in [d.code for d in animals.property_definitions()]
    again = animals.with_supplements([definition(load("codesystem-animals-de.json"))])
    assert [d.value for d in again.designations(concept(again, "bird"), NONE)] == ["Vogel"]  # not applied twice


# --- case-insensitive code systems: a code in another case is the same code -------------------


def test_supplement_of_a_case_insensitive_system_matches_codes_in_any_case(units):
    supplement = {
        "resourceType": "CodeSystem",
        "url": "http://example.org/fhir/CodeSystem/units-de",
        "status": "active",
        "content": "supplement",
        "supplements": "http://example.org/fhir/CodeSystem/units",
        "concept": [{"code": "kg", "designation": [{"language": "de", "value": "Kilogramm"}]}],
    }
    supplemented = units.with_supplements([definition(supplement)])
    assert [d.value for d in supplemented.designations(concept(supplemented, "KG"), NONE)] == ["Kilogramm"]


def test_parent_property_in_a_case_insensitive_system_matches_codes_in_any_case():
    resource = {
        "resourceType": "CodeSystem",
        "url": "http://example.org/fhir/CodeSystem/letters",
        "status": "active",
        "content": "complete",
        "caseSensitive": False,
        "property": [{"code": "parent", "type": "code"}],
        "concept": [{"code": "A"}, {"code": "B", "property": [{"code": "parent", "valueCode": "a"}]}],
    }
    provider = FhirCodeSystemProvider(definition(resource))
    assert codes(provider, provider.parents(concept(provider, "B"))) == ["A"]
    assert codes(provider, provider.roots()) == ["A"]

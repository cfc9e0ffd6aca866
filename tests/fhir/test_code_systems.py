"""Reading a CodeSystem (its concepts when first asked for) and a supplement (what it adds, at once)."""

from __future__ import annotations

import pytest

from fixture_resources import ANIMALS, SUPPLEMENT, load
from terminology.definitions import CodeSystemDefinition, SupplementDefinition
from terminology.errors import InvalidRequest
from terminology.fhir.code_systems import read_code_system
from terminology.model import Coding, Property, PropertyDefinition


def test_a_code_system_is_read():
    resource = load("codesystem-animals.json")
    read = read_code_system(resource)
    assert isinstance(read, CodeSystemDefinition) and read.source is resource
    assert (read.url, read.metadata.version, read.content, read.case_sensitive) == (ANIMALS, "1.0.0", "complete", resource.get("caseSensitive") is True)
    assert read.hierarchy_meaning == resource.get("hierarchyMeaning") and read.language == resource.get("language")
    assert [d.code for d in read.property_definitions] == [p["code"] for p in resource["property"]]
    roots = read.read_concepts()
    assert [c.code for c in roots] == [c["code"] for c in resource["concept"]]
    assert [c.code for c in roots[0].children] == [c["code"] for c in resource["concept"][0]["concept"]]


def test_every_element_of_a_concept_is_read():
    read = read_code_system({
        "resourceType": "CodeSystem", "url": "http://example.org/cs", "content": "fragment", "caseSensitive": True,
        "hierarchyMeaning": "is-a", "copyright": "(c)", "language": "en",
        "property": [{"code": "kind", "uri": "http://example.org/kind", "description": "Kind", "type": "Coding"}],
        "concept": [{
            "code": "a", "display": "A", "definition": "The first",
            "designation": [{"language": "de", "use": {"system": "http://snomed.info/sct", "code": "900000000000013009"}, "value": "Ah"}],
            "property": [{"code": "kind", "valueCoding": {"system": "http://example.org/k", "code": "k"},
                          "extension": [{"url": "http://example.org/StructureDefinition/topic", "valueCode": "t"}]},
                         {"code": "no value"}],
            "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/codesystem-concept-status", "valueCode": "deprecated"},
                          {"url": "http://hl7.org/fhir/StructureDefinition/codesystem-label", "valueString": "1."},
                          {"url": "http://hl7.org/fhir/StructureDefinition/rendering-style", "valueString": "bold"}],
            "concept": [{"code": "b"}],
        }],
    })  # fmt: skip
    assert (read.content, read.case_sensitive, read.hierarchy_meaning, read.copyright, read.language) == ("fragment", True, "is-a", "(c)", "en")
    assert read.property_definitions == (PropertyDefinition("kind", "Coding", "Kind", "http://example.org/kind"),)
    (a,) = read.read_concepts()
    assert (a.code, a.display, a.definition) == ("a", "A", "The first")
    assert [(d.value, d.language, d.use.code) for d in a.designations] == [("Ah", "de", "900000000000013009")]
    assert a.properties == (
        Property("kind", Coding("http://example.org/k", None, "k"), "Coding", subproperties=(Property("topic", "t", "code"),)),
        Property("status", "deprecated", "code"),
    )
    assert a.annotations == (Property("label", "1.", "string"),)
    assert [e.value for e in a.carried] == ["bold"]
    assert [c.code for c in a.children] == ["b"]


def test_a_concept_without_a_code_is_an_error_when_the_concepts_are_read():
    read = read_code_system({"resourceType": "CodeSystem", "url": "http://example.org/cs", "concept": [{"display": "x"}]})
    with pytest.raises(InvalidRequest, match="A concept of the CodeSystem http://example.org/cs has no code"):
        read.read_concepts()


def test_a_supplement_is_read_with_what_it_adds():
    read = read_code_system(load("codesystem-animals-de.json"))
    assert isinstance(read, SupplementDefinition)
    assert read.url == SUPPLEMENT and read.supplements == f"{ANIMALS}|1.0.0" and read.supplemented == (ANIMALS, "1.0.0")
    assert "cuteness" in [d.code for d in read.property_definitions]
    penguin = read.concepts["penguin"]
    assert all(d.source == read.canonical for d in penguin.designations)
    assert "cuteness" in [p.code for p in penguin.properties]


def test_a_code_a_supplement_writes_twice_gets_all_it_says():
    read = read_code_system({
        "resourceType": "CodeSystem", "url": "http://example.org/s", "content": "supplement", "supplements": ANIMALS,
        "concept": [{"code": "dog", "designation": [{"value": "Hund"}]}, {"code": "x", "concept": [{"code": "dog", "designation": [{"value": "Wauwau"}]}]}],
    })  # fmt: skip
    assert [d.value for d in read.concepts["dog"].designations] == ["Hund", "Wauwau"]
    assert read.supplemented == (ANIMALS, None)


@pytest.mark.parametrize(
    "concept, expression",
    [
        ({"code": "a", "display": 5}, "CodeSystem.concept[1].display"),
        ({"code": "a", "definition": {"text": "x"}}, "CodeSystem.concept[1].definition"),
        ({"code": "a", "concept": {"code": "b"}}, "CodeSystem.concept[1].concept"),
        ({"code": "a", "concept": [{"code": "b"}, {"code": "c", "display": True}]}, "CodeSystem.concept[1].concept[1].display"),
        ({"code": "a", "concept": [{"code": 5}]}, "CodeSystem.concept[1].concept[0]"),
    ],
)
def test_a_concept_element_of_the_wrong_type_is_named_when_the_concepts_are_read(concept, expression):
    read = read_code_system({"resourceType": "CodeSystem", "url": "http://example.org/cs", "concept": [{"code": "z"}, concept]})
    with pytest.raises(InvalidRequest) as raised:
        read.read_concepts()
    assert raised.value.expression == expression and expression in raised.value.message


def test_other_elements_of_the_wrong_type_are_taken_as_absent():
    read = read_code_system({
        "resourceType": "CodeSystem", "url": "http://example.org/cs", "content": 5, "property": [{"code": 5}, {"code": "p", "type": 5}],
        "concept": [{"code": "a", "designation": [{"value": 5}, 7], "extension": 5, "property": [
            {"code": "p", "valueCode": 5}, {"code": "q", "valueDecimal": "1.5"}, {"code": "r", "valueCoding": "x"},
            {"code": "s", "valueBoolean": True, "extension": [{"url": "http://example.org/sub", "valueInteger": "1"}]},
        ]}],
    })  # fmt: skip
    assert read.content == "complete" and read.property_definitions == (PropertyDefinition("p", "string", ""),)
    (concept,) = read.read_concepts()
    assert concept.designations == () and concept.properties == (Property("s", True, "boolean"),)


def test_a_supplement_passes_over_what_it_cannot_read():
    read = read_code_system({
        "resourceType": "CodeSystem", "url": "http://example.org/s", "content": "supplement", "supplements": ["x"],
        "concept": [{"code": "dog", "designation": {"value": "Hund"}, "property": 5, "concept": "x"}, {"code": 5}],
    })  # fmt: skip
    assert read.supplements == "" and list(read.concepts) == ["dog"] and read.concepts["dog"].designations == ()

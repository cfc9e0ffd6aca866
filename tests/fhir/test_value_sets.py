"""Reading a ValueSet: its compose, what it asks of an expansion, what it carries; a malformed compose named by path."""

from __future__ import annotations

from datetime import date

import pytest

from fixture_resources import ANIMALS, VS
from terminology.definitions.value_set import Filter
from terminology.errors import InvalidRequest
from terminology.fhir.value_sets import read_value_set
from terminology.model import Coding, Property

_PARAMETER = "http://hl7.org/fhir/StructureDefinition/valueset-expansion-parameter"
_SUPPLEMENT = "http://hl7.org/fhir/StructureDefinition/valueset-supplement"
_R5_OP = "http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.compose.include.filter.op"


def _parameter(name: str, value: dict) -> dict:
    return {"url": _PARAMETER, "extension": [{"url": "name", "valueCode": name}, {"url": "value", **value}]}


def _value_set(**elements) -> dict:
    return {"resourceType": "ValueSet", "url": VS + "read", "status": "active", **elements}


def test_the_compose_is_read():
    read = read_value_set(_value_set(compose={
        "lockedDate": "2024-01-01", "inactive": False,
        "include": [
            {"system": ANIMALS, "version": "1.0.0", "concept": [{
                "code": "cat", "display": "House cat",
                "designation": [{"language": "de", "use": {"system": "http://snomed.info/sct", "code": "900000000000013009"}, "value": "Katze"},
                                {"language": "fr"}],
                "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/valueset-conceptOrder", "valueInteger": 2},
                              {"url": "http://hl7.org/fhir/StructureDefinition/valueset-deprecated", "valueBoolean": True}],
            }]},
            {"system": ANIMALS, "filter": [{"property": "concept", "op": "is-a", "value": "mammal"},
                                           {"property": "concept", "op": "is-a", "_op": {"extension": [{"url": _R5_OP, "valueCode": "child-of"}]}, "value": "bird"}]},
            {"valueSet": [VS + "a", VS + "b"]},
        ],
        "exclude": [{"system": ANIMALS, "concept": [{"code": "dog"}]}, {"valueSet": [VS + "c"]}],
    }))  # fmt: skip
    compose = read.compose
    assert (compose.locked_date, compose.inactive, compose.versions_match) == (date(2024, 1, 1), False, None)
    listed, filtered, imported = compose.includes
    assert (listed.system, listed.version, listed.locked_date) == (ANIMALS, "1.0.0", date(2024, 1, 1))
    cat = listed.concepts[0]
    assert (cat.code, cat.display, cat.status) == ("cat", "House cat", "deprecated")
    assert [(d.value, d.language, d.use.code) for d in cat.designations] == [("Katze", "de", "900000000000013009")]
    assert cat.annotations == (Property("order", 2, "decimal"),)
    assert [e.url.rsplit("-", 1)[-1] for e in cat.carried] == ["deprecated"]
    assert filtered.filters == (Filter("concept", "is-a", "mammal"), Filter("concept", "child-of", "bird"))
    assert imported.value_sets == (VS + "a", VS + "b") and imported.system is None
    assert [e.concepts[0].code if e.concepts else e.value_sets for e in compose.excludes] == ["dog", (VS + "c",)]


def test_what_depends_only_on_the_definition_is_worked_out_once():
    compose = read_value_set(_value_set(compose={"include": [
        {"system": ANIMALS, "version": "1.0.0"}, {"system": "http://example.org/b"}, {"system": ANIMALS, "version": "2.0.0"},
        {"valueSet": [VS + "a"]},
    ], "exclude": [{"valueSet": [VS + "b"]}]})).compose  # fmt: skip
    assert compose.systems == (ANIMALS, "http://example.org/b")
    assert compose.pinned == {ANIMALS: ("1.0.0", "2.0.0")}
    assert compose.imports == (VS + "a",) and compose.references == (VS + "a", VS + "b")


def test_what_it_asks_of_an_expansion():
    read = read_value_set(_value_set(
        language="de",
        extension=[{"url": _SUPPLEMENT, "valueCanonical": "http://example.org/cs-de"}, _parameter("displayLanguage", {"valueCode": "fr"})],
        compose={"extension": [_parameter("versionsMatch", {"valueBoolean": True}), _parameter("activeOnly", {"valueString": "true"})],
                 "include": [{"system": ANIMALS}]},
    ))  # fmt: skip
    assert read.language == "de"
    assert read.supplements == ("http://example.org/cs-de",)
    assert read.expansion_parameters == {"displayLanguage": "fr", "versionsMatch": True, "activeOnly": True}
    assert read.compose.versions_match is True


def test_an_expansion_it_carries():
    read = read_value_set(_value_set(expansion={"total": 2, "contains": [
        {"system": ANIMALS, "code": "mammal", "contains": [{"system": ANIMALS, "version": "1.0.0", "code": "dog", "display": "Dog"}]},
    ]}))  # fmt: skip
    assert read.expansion.total == 2
    assert read.expansion.contains == (Coding(ANIMALS, None, "mammal"), Coding(ANIMALS, "1.0.0", "dog", "Dog"))
    assert read_value_set(_value_set()).expansion is None


@pytest.mark.parametrize("total", [True, False, "2", 2.5])
def test_a_total_that_is_no_integer_is_taken_as_absent(total):
    """(found by the property test in test_definitions: JSON's true and false are Python ints)"""
    assert read_value_set(_value_set(expansion={"total": total})).expansion.total is None


def test_no_compose_is_an_empty_one_and_the_source_is_kept():
    resource = _value_set()
    read = read_value_set(resource)
    assert read.compose.includes == () and read.source is resource and read.metadata.url == VS + "read"


@pytest.mark.parametrize(
    "compose, message, expression",
    [
        ([], "ValueSet.compose must be an object", "ValueSet.compose"),
        ({"include": {"system": ANIMALS}}, "ValueSet.compose.include must be an array", "ValueSet.compose.include"),
        ({"include": ["x"]}, "ValueSet.compose.include[0] must be an object", "ValueSet.compose.include[0]"),
        ({"include": [{"version": "1"}]}, "ValueSet.compose.include[0] has neither a system nor a valueSet",
         "ValueSet.compose.include[0]"),
        ({"include": [{"system": ANIMALS}], "exclude": [{"system": ANIMALS, "concept": [{"display": "x"}]}]},
         "ValueSet.compose.exclude[0].concept[0] has no code", "ValueSet.compose.exclude[0].concept[0]"),
        ({"include": [{"system": ANIMALS, "filter": ["x"]}]}, "ValueSet.compose.include[0].filter[0] must be an object",
         "ValueSet.compose.include[0].filter[0]"),
        ({"include": [{"system": ANIMALS, "filter": [{"property": "concept", "value": "x"}]}]}, "needs a property and an op",
         "ValueSet.compose.include[0].filter[0]"),
        ({"include": [{"system": ANIMALS, "filter": [{"property": "concept", "op": "is-a"}]}]},
         f"The system {ANIMALS} filter with property = concept, op = is-a has no value", "ValueSet.compose.include[0].filter[0]"),
        # elements of the wrong JSON type, each named by its path
        ({"include": [{"system": ANIMALS, "version": 2026}]}, "ValueSet.compose.include[0].version must be a string",
         "ValueSet.compose.include[0].version"),
        ({"include": [{"system": 42}]}, "ValueSet.compose.include[0].system must be a string", "ValueSet.compose.include[0].system"),
        ({"include": [{"valueSet": "http://example.org/vs"}]}, "ValueSet.compose.include[0].valueSet must be an array",
         "ValueSet.compose.include[0].valueSet"),
        ({"include": [{"valueSet": [VS + "a", 7]}]}, "ValueSet.compose.include[0].valueSet[1] must be a string",
         "ValueSet.compose.include[0].valueSet[1]"),
        ({"include": [{"system": ANIMALS, "concept": {"code": "cat"}}]}, "ValueSet.compose.include[0].concept must be an array",
         "ValueSet.compose.include[0].concept"),
        ({"include": [{"system": ANIMALS, "concept": [{"code": "cat", "display": ["Cat"]}]}]},
         "ValueSet.compose.include[0].concept[0].display must be a string", "ValueSet.compose.include[0].concept[0].display"),
        ({"include": [{"system": ANIMALS, "filter": {"property": "concept"}}]}, "ValueSet.compose.include[0].filter must be an array",
         "ValueSet.compose.include[0].filter"),
        ({"include": [{"system": ANIMALS}], "lockedDate": 2026}, "ValueSet.compose.lockedDate must be a string",
         "ValueSet.compose.lockedDate"),
    ],
)  # fmt: skip
def test_a_malformed_compose_is_said_where_it_is_used(compose, message, expression):
    read = read_value_set(_value_set(compose=compose))
    assert read.metadata.url == VS + "read"  # still held, listed and read
    with pytest.raises(InvalidRequest) as raised:
        read.compose
    assert message in raised.value.message
    assert raised.value.expression == expression


@pytest.mark.parametrize("op_element", ["x", 3, [], {"extension": "x"}, {"extension": [5, {"url": 5}]}])
def test_an_op_element_of_the_wrong_type_is_taken_as_absent(op_element):
    resource = _value_set(compose={"include": [{"system": ANIMALS, "filter": [
        {"property": "concept", "op": "is-a", "value": "mammal", "_op": op_element}]}]})  # fmt: skip
    assert read_value_set(resource).compose.includes[0].filters == (Filter("concept", "is-a", "mammal"),)


def test_elements_outside_the_compose_of_the_wrong_type_are_taken_as_absent():
    read = read_value_set(_value_set(
        language=5, extension=[{"url": _SUPPLEMENT, "valueCanonical": 5}, {"url": _PARAMETER, "extension": 5}],
        compose={"include": [{"system": ANIMALS, "concept": [
            {"code": "cat", "designation": [{"value": 5}, {"value": "Katze", "language": 5, "use": {"code": 5}}], "extension": 5}]}]},
    ))  # fmt: skip
    assert read.language is None and read.supplements == () and read.expansion_parameters == {}
    (designation,) = read.compose.includes[0].concepts[0].designations
    assert (designation.value, designation.language, designation.use) == ("Katze", None, Coding())


@pytest.mark.parametrize(("given", "day"), [("2021", date(2021, 1, 1)), ("2021-06", date(2021, 6, 1)), ("2021-06-15", date(2021, 6, 15))])
def test_a_locked_date_is_read_as_the_day_it_names(given, day):
    read = read_value_set({"resourceType": "ValueSet", "url": VS + "locked", "compose": {"lockedDate": given, "include": [{"system": ANIMALS}]}})
    assert read.compose.locked_date == read.compose.includes[0].locked_date == day


@pytest.mark.parametrize("given", ["2021-13-01", "2021-02-30", "last year"])
def test_a_locked_date_that_is_no_date_is_refused_by_path(given):
    read = read_value_set({"resourceType": "ValueSet", "url": VS + "locked", "compose": {"lockedDate": given, "include": [{"system": ANIMALS}]}})
    with pytest.raises(InvalidRequest) as caught:
        read.compose  # (read where it is used, as every part of a compose)
    assert caught.value.expression == "ValueSet.compose.lockedDate" and repr(given) in caught.value.message

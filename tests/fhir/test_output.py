"""Writing results as Parameters: properties and their subproperties."""

from terminology.fhir.output import ParametersBuilder
from terminology.model import Property


def _written(prop: Property) -> dict:
    return ParametersBuilder().add_properties([prop]).resource()["parameter"][0]


def _subproperty_values(parameter: dict) -> list:
    return [
        next(part["valueCode"] for part in sub["part"] if part["name"] == "value")
        for sub in parameter["part"]
        if sub["name"] == "subproperty"
    ]


def test_a_property_with_subproperties():
    origin = (Property("source", "M48.4", "code"), Property("level", "subcategory", "code"))
    assert _written(Property("excludes1", "a note", "string", "why", origin)) == {
        "name": "property",
        "part": [
            {"name": "code", "valueCode": "excludes1"},
            {"name": "value", "valueString": "a note"},
            {"name": "description", "valueString": "why"},
            {"name": "subproperty", "part": [{"name": "code", "valueCode": "source"}, {"name": "value", "valueCode": "M48.4"}]},
            {"name": "subproperty", "part": [{"name": "code", "valueCode": "level"}, {"name": "value", "valueCode": "subcategory"}]},
        ],
    }


def test_shared_subproperties_are_written_alike_each_time():
    origin = (Property("source", "M48", "code"), Property("level", "category", "code"))
    first, second = _written(Property("notes", "one", "string", subproperties=origin)), _written(Property("notes", "two", "string", subproperties=origin))
    assert _subproperty_values(first) == _subproperty_values(second) == ["M48", "category"]


def test_many_subproperty_tuples_each_keep_their_own_values():
    # More tuples than the writer keeps parts for, made and dropped one after another (so that their
    # ids can be reused), which share one of their two subproperties: each keeps its own values.
    level = Property("level", "code", "code")
    for number in range(30_000):
        origin = (Property("source", f"S{number}", "code"), level)
        assert _subproperty_values(_written(Property("notes", "text", "string", subproperties=origin))) == [f"S{number}", "code"]

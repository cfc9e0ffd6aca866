"""Reading a ConceptMap in R4's shape and in R5's, into R4's meaning."""

from __future__ import annotations

from fixture_resources import ANIMALS, COLORS, VS
from terminology.definitions.concept_map import MapDependency, MapTarget, Unmapped
from terminology.fhir.concept_maps import read_concept_map


def test_an_r4_map_is_read():
    read = read_concept_map({
        "resourceType": "ConceptMap", "url": "http://example.org/cm", "version": "1", "sourceUri": VS + "a", "targetCanonical": VS + "b",
        "group": [{
            "source": ANIMALS, "sourceVersion": "1.0.0", "target": COLORS, "targetVersion": "2.0.0",
            "element": [
                {"code": "dog", "display": "Dog", "target": [{
                    "code": "red", "display": "Red", "equivalence": "wider", "comment": "roughly",
                    "dependsOn": [{"property": "http://example.org/size", "system": ANIMALS, "value": "big", "display": "Big"}],
                    "product": [{"property": "http://example.org/shade", "value": "dark"}, {"property": "no value"}],
                }]},
                {"code": "cat", "target": [{"equivalence": "unmatched"}]},
            ],
            "unmapped": {"mode": "fixed", "code": "green", "display": "Green"},
        }, "not a group"],
    })  # fmt: skip
    assert (read.url, read.canonical, read.source_scope, read.target_scope) == ("http://example.org/cm", "http://example.org/cm|1", VS + "a", VS + "b")
    (group,) = read.groups
    assert (group.source, group.source_version, group.target, group.target_version) == (ANIMALS, "1.0.0", COLORS, "2.0.0")
    dog, cat = group.elements
    assert (dog.code, dog.display, dog.no_map) == ("dog", "Dog", False)
    assert dog.targets == (MapTarget(
        "red", "wider", "Red", "roughly",
        (MapDependency("http://example.org/size", "big", ANIMALS, "Big"),), (MapDependency("http://example.org/shade", "dark"),),
    ),)  # fmt: skip
    assert cat.targets == (MapTarget(None, "unmatched"),)
    assert group.elements_for("dog") == (dog,) and group.elements_for("bird") == ()
    assert group.unmapped == Unmapped("fixed", "relatedto", "green", "Green")


def test_an_r5_map_is_read_as_r4_means_it():
    read = read_concept_map({
        "resourceType": "ConceptMap", "url": "http://example.org/cm", "sourceScopeUri": VS + "a", "targetScopeCanonical": VS + "b",
        "group": [{
            "source": f"{ANIMALS}|1.0.0", "target": COLORS,
            "element": [
                {"code": "dog", "target": [{"code": "red", "relationship": "source-is-broader-than-target"}, {"code": "blue", "relationship": "odd"}]},
                {"code": "cat", "noMap": True},
            ],
            "unmapped": {"mode": "use-source-code", "relationship": "equivalent"},
        }],
    })  # fmt: skip
    assert (read.source_scope, read.target_scope) == (VS + "a", VS + "b")
    (group,) = read.groups
    assert (group.source, group.source_version, group.target, group.target_version) == (ANIMALS, "1.0.0", COLORS, None)
    assert [t.equivalence for t in group.elements[0].targets] == ["narrower", "relatedto"]
    assert group.elements[1].no_map is True
    assert group.unmapped == Unmapped("provided", "equivalent")


def test_an_unmapped_other_map_and_elements_of_the_wrong_type():
    read = read_concept_map({
        "resourceType": "ConceptMap",
        "group": [{"element": "x", "unmapped": {"mode": "other-map", "otherMap": "http://example.org/other"}}, {"element": [7, {"target": "x"}]}],
    })  # fmt: skip
    assert read.url is None and read.source_scope is None
    assert read.groups[0].elements == () and read.groups[0].unmapped == Unmapped("other-map", "relatedto", url="http://example.org/other")
    assert [(e.code, e.targets) for e in read.groups[1].elements] == [(None, ())]


def test_targets_dependencies_and_unmapped_of_the_wrong_type_are_passed_over():
    read = read_concept_map({
        "resourceType": "ConceptMap", "group": [{"source": 5, "targetVersion": [], "unmapped": {"mode": 5, "code": 5, "relationship": {}},
            "element": [{"code": "a", "display": 5, "noMap": "true", "target": [
                {"code": 5, "equivalence": 5, "relationship": 5, "dependsOn": {"property": "x"},
                 "product": [{"property": "p", "value": 5}, {"property": "p", "value": "v", "system": 5}]}]}]}],
    })  # fmt: skip
    (group,) = read.groups
    assert (group.source, group.target_version, group.unmapped) == (None, None, Unmapped(None, "relatedto"))
    (element,) = group.elements
    assert (element.code, element.display, element.no_map) == ("a", None, False)
    (target,) = element.targets
    assert (target.code, target.equivalence, target.depends_on) == (None, "unmatched", ())
    assert [(p.property, p.value, p.system) for p in target.products] == [("p", "v", None)]

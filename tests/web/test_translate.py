"""ConceptMap/$translate over HTTP: maps sent as tx-resource, given inline, and loaded in the server."""

from __future__ import annotations

from typing import Any

import pytest

from fixture_resources import ANIMALS, COLORS, CONCEPT_MAP_FILES, load

from .helpers import error_outcome, names, outcome_text, param, parameters, parameters_body, resource_of

TRANSLATE = "/fhir/ConceptMap/$translate"
ANIMALS_MAP = "http://example.org/fhir/ConceptMap/animals-to-species"
COLORS_MAP = "http://example.org/fhir/ConceptMap/colors-1-to-2"
TAXA = "http://example.org/fhir/CodeSystem/taxa"
HABITATS = "http://example.org/fhir/CodeSystem/habitats"
TX_RESOURCES = [{"name": "tx-resource", "resource": load(name)} for name in CONCEPT_MAP_FILES]


def _post(client, *entries: dict[str, Any], status: int = 200, tx: bool = True, path: str = TRANSLATE) -> dict[str, Any]:
    body = parameters_body(*entries, *(TX_RESOURCES if tx else ()))
    response = client.post(path, data=body, content_type="application/fhir+json")
    if status != 200:
        return error_outcome(response, status)
    resource = resource_of(response)  # checks R4 validity
    assert resource["resourceType"] == "Parameters"
    return resource


def _code(code: str, system: str = ANIMALS, **more: str) -> list[dict[str, Any]]:
    entries = [{"name": "code", "valueCode": code}, {"name": "system", "valueUri": system}]
    return entries + [{"name": name, "valueUri" if name != "version" else "valueString": value} for name, value in more.items()]


def _matches(resource: dict[str, Any]) -> list[dict[str, Any]]:
    """Each match as a dict of its parts (products gathered in a list)."""
    found = []
    for match in parameters(resource, "match"):
        parts: dict[str, Any] = {"product": []}
        for part in match["part"]:
            if part["name"] == "product":
                parts["product"].append({p["name"]: p.get("valueUri", p.get("valueCoding")) for p in part["part"]})
            else:
                assert part["name"] not in parts, part
                parts[part["name"]] = next(v for k, v in part.items() if k.startswith("value"))
        if not parts["product"]:
            del parts["product"]
        found.append(parts)
    return found


def _targets(resource: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    return [(m["equivalence"], m.get("concept", {}).get("system"), m.get("concept", {}).get("code")) for m in _matches(resource)]


# --- forward ----------------------------------------------------------------------------------


def test_translate_a_code(client):
    resource = _post(client, *_code("dog"), {"name": "targetsystem", "valueUri": TAXA})
    assert param(resource, "result") is True
    assert param(resource, "message") is None
    assert _matches(resource) == [
        {
            "equivalence": "equivalent",
            "concept": {"system": TAXA, "code": "canis-familiaris", "display": "Canis lupus familiaris"},
            "source": ANIMALS_MAP + "|1.0.0",
        }
    ]
    assert names(resource) == ["result", "match"]


def test_without_a_target_system_every_group_answers(client):
    resource = _post(client, *_code("penguin"))
    assert _targets(resource) == [
        ("equivalent", TAXA, "spheniscidae"),
        ("relatedto", HABITATS, "land"),
        ("relatedto", HABITATS, "sea"),
    ]
    assert _targets(_post(client, *_code("penguin"), {"name": "targetsystem", "valueUri": HABITATS})) == [
        ("relatedto", HABITATS, "land"),
        ("relatedto", HABITATS, "sea"),
    ]


@pytest.mark.parametrize(
    "code, expected",
    [
        ("whale", [("equal", TAXA, "balaenoptera-musculus")]),
        ("goldfish", [("wider", TAXA, "carassius")]),
        ("fish", [("narrower", TAXA, "actinopterygii"), ("narrower", TAXA, "chondrichthyes")]),
    ],
)
def test_equivalences_are_the_maps(client, code, expected):
    resource = _post(client, *_code(code), {"name": "targetsystem", "valueUri": TAXA})
    assert param(resource, "result") is True
    assert _targets(resource) == expected


@pytest.mark.parametrize("code, equivalence", [("unicorn", "unmatched"), ("shark", "disjoint")])
def test_a_match_that_says_no_counterpart_is_no_translation(client, code, equivalence):
    resource = _post(client, *_code(code), {"name": "targetsystem", "valueUri": TAXA})
    assert param(resource, "result") is False
    assert [m["equivalence"] for m in _matches(resource)] == [equivalence]
    assert f"'{code}'" in param(resource, "message")


def test_unmapped_fixed_gives_the_maps_code(client):
    resource = _post(client, *_code("mammoth"))
    assert param(resource, "result") is True
    assert _matches(resource) == [
        {"equivalence": "relatedto", "concept": {"system": TAXA, "code": "animalia", "display": "Animalia"}, "source": ANIMALS_MAP + "|1.0.0"}
    ]


def test_unmapped_provided_keeps_the_code(client):
    resource = _post(client, *_code("red", COLORS, version="1.2.0"))
    assert _matches(resource) == [
        {"equivalence": "equivalent", "concept": {"system": COLORS, "version": "2.0.0", "code": "red"}, "source": COLORS_MAP + "|1"}
    ]
    green = _post(client, *_code("green", COLORS))
    assert _matches(green)[0]["concept"] == {"system": COLORS, "version": "2.0.0", "code": "green", "display": "Green (version 2)"}
    yellow = _post(client, *_code("yellow", COLORS))
    assert param(yellow, "result") is False and _targets(yellow) == [("unmatched", None, None)]


def test_a_group_of_another_source_version_does_not_apply(client):
    resource = _post(client, *_code("dog", version="2.0.0"))
    assert _targets(resource) == [("relatedto", HABITATS, "land")]  # the taxa group maps version 1.0.0 only
    assert _targets(_post(client, *_code("green", COLORS, version="1.0.0"))) == []


def test_an_unknown_code_system_translates_nothing(client):
    resource = _post(client, *_code("dog", "http://example.org/fhir/CodeSystem/nope"))
    assert param(resource, "result") is False
    assert "match" not in names(resource)
    assert "'dog'" in param(resource, "message")


def test_a_coding_and_a_codeable_concept(client):
    coding = {"name": "coding", "valueCoding": {"system": ANIMALS, "code": "cat"}}
    assert _targets(_post(client, coding)) == [("equivalent", TAXA, "felis-catus")]
    concept = {
        "name": "codeableConcept",
        "valueCodeableConcept": {"coding": [{"system": ANIMALS, "code": "cat"}, {"system": ANIMALS, "code": "whale"}]},
    }
    assert _targets(_post(client, concept, {"name": "targetsystem", "valueUri": TAXA})) == [
        ("equivalent", TAXA, "felis-catus"),
        ("equal", TAXA, "balaenoptera-musculus"),
    ]


# --- choosing the map -------------------------------------------------------------------------


def test_by_url_and_version(client):
    url = {"name": "url", "valueUri": ANIMALS_MAP}
    assert param(_post(client, url, *_code("cat")), "result") is True
    version = {"name": "conceptMapVersion", "valueString": "1.0.0"}
    assert param(_post(client, url, version, *_code("cat")), "result") is True
    assert param(_post(client, {"name": "url", "valueUri": f"{ANIMALS_MAP}|1.0.0"}, *_code("cat")), "result") is True
    # The colors map does not map animals.
    assert param(_post(client, {"name": "url", "valueUri": COLORS_MAP}, *_code("cat")), "result") is False


@pytest.mark.parametrize(
    "entries, named",
    [
        ([{"name": "url", "valueUri": "http://example.org/fhir/ConceptMap/nope"}], "'http://example.org/fhir/ConceptMap/nope'"),
        ([{"name": "url", "valueUri": ANIMALS_MAP}, {"name": "conceptMapVersion", "valueString": "9"}], "version '9'"),
    ],
)
def test_an_unknown_map_is_not_found(client, entries, named):
    outcome = _post(client, *entries, *_code("cat"), status=404)
    assert outcome["issue"][0]["code"] == "not-found"
    assert named in outcome_text(outcome) and "ConceptMap" in outcome_text(outcome)


def test_by_source_and_target_value_sets(client):
    fits = _post(client, *_code("cat"), {"name": "source", "valueUri": "http://example.org/fhir/ValueSet/animals-all"})
    assert param(fits, "result") is True
    assert _post(client, *_code("cat"), {"name": "target", "valueUri": "http://example.org/fhir/ValueSet/taxa"})["parameter"] == fits["parameter"]
    other = _post(client, *_code("cat"), {"name": "target", "valueUri": "http://example.org/fhir/ValueSet/other"})
    # The colors map says no value set, so is not ruled out by one; but it does not map animals.
    assert param(other, "result") is False and "match" not in names(other)
    assert "No translation was found from 'cat'" in param(other, "message")


def test_when_no_map_the_server_knows_maps_the_code(client):
    resource = _post(client, *_code("cat"), tx=False)  # (the server's own maps are ICD-10-CM's)
    assert param(resource, "result") is False
    assert param(resource, "message").startswith("No translation was found from 'cat'")


def test_an_inline_map(client):
    changed = load("conceptmap-animals.json")
    changed["group"][0]["element"][1]["target"][0]["code"] = "felis-silvestris-catus"
    resource = _post(client, {"name": "conceptMap", "resource": changed}, *_code("cat"), tx=False)
    assert _targets(resource) == [("equivalent", TAXA, "felis-silvestris-catus")]


def test_unmapped_other_map_asks_that_map(client):
    chained = {
        "resourceType": "ConceptMap",
        "url": "http://example.org/fhir/ConceptMap/chained",
        "status": "draft",
        "group": [
            {
                "source": ANIMALS,
                "target": TAXA,
                "element": [{"code": "dog", "target": [{"code": "canis", "equivalence": "wider"}]}],
                "unmapped": {"mode": "other-map", "url": ANIMALS_MAP},
            }
        ],
    }
    url = {"name": "url", "valueUri": chained["url"]}
    extra = {"name": "tx-resource", "resource": chained}
    assert _targets(_post(client, url, extra, *_code("dog"))) == [("wider", TAXA, "canis")]
    assert _targets(_post(client, url, extra, *_code("cat"))) == [("equivalent", TAXA, "felis-catus")]
    assert _targets(_post(client, url, extra, *_code("mammoth"))) == [("relatedto", TAXA, "animalia")]
    looping = {**chained, "group": [{**chained["group"][0], "unmapped": {"mode": "other-map", "url": chained["url"]}}]}
    outcome = _post(client, url, {"name": "tx-resource", "resource": looping}, *_code("cat"), status=400)
    assert "loop" in outcome_text(outcome)


def test_an_r5_shaped_map(client):
    """A map as R5 writes it (relationship, noMap, sourceScope, url|version systems) translates alike."""
    r5 = {
        "resourceType": "ConceptMap",
        "url": "http://example.org/fhir/ConceptMap/r5",
        "status": "draft",
        "sourceScopeUri": "http://example.org/fhir/ValueSet/animals-all",
        "group": [
            {
                "source": f"{ANIMALS}|1.0.0",
                "target": TAXA,
                "element": [
                    {"code": "goldfish", "target": [{"code": "carassius", "relationship": "source-is-narrower-than-target"}]},
                    {"code": "unicorn", "noMap": True},
                ],
                "unmapped": {"mode": "use-source-code"},
            }
        ],
    }
    url = {"name": "url", "valueUri": r5["url"]}
    # R5 content is not R4: send it in a tx-resource, which the server reads as given.
    body = parameters_body(url, *_code("goldfish"), {"name": "tx-resource", "resource": r5})
    resource = resource_of(client.post(TRANSLATE, data=body, content_type="application/fhir+json"))
    assert _targets(resource) == [("wider", TAXA, "carassius")]
    body = parameters_body(url, *_code("unicorn"), {"name": "tx-resource", "resource": r5})
    assert _targets(resource_of(client.post(TRANSLATE, data=body, content_type="application/fhir+json"))) == [("unmatched", None, None)]
    body = parameters_body(url, *_code("cat", version="1.0.0"), {"name": "tx-resource", "resource": r5})
    assert _targets(resource_of(client.post(TRANSLATE, data=body, content_type="application/fhir+json"))) == [("equivalent", TAXA, "cat")]


# --- reverse ----------------------------------------------------------------------------------


def test_reverse_finds_the_codes_that_map_to_a_code(client):
    resource = _post(client, *_code("land", HABITATS), {"name": "reverse", "valueBoolean": True})
    assert param(resource, "result") is True
    assert _matches(resource) == [
        {"equivalence": "relatedto", "concept": {"system": ANIMALS, "code": "dog"}, "source": ANIMALS_MAP + "|1.0.0"},
        {"equivalence": "relatedto", "concept": {"system": ANIMALS, "code": "penguin"}, "source": ANIMALS_MAP + "|1.0.0"},
    ]


def test_reverse_with_the_value_sets_swapped(client):
    reverse = {"name": "reverse", "valueBoolean": True}
    code = _code("actinopterygii", TAXA)
    # In reverse, source names the value set of the code given: the map's target.
    fits = _post(client, *code, reverse, {"name": "source", "valueUri": "http://example.org/fhir/ValueSet/taxa"})
    assert _targets(fits) == [("narrower", ANIMALS, "fish"), ("disjoint", ANIMALS, "shark")]
    assert _matches(fits)[0]["concept"] == {"system": ANIMALS, "version": "1.0.0", "code": "fish", "display": "Fish"}
    assert param(_post(client, *code, reverse, {"name": "target", "valueUri": "http://example.org/fhir/ValueSet/taxa"}), "result") is False
    only = _post(client, *code, reverse, {"name": "targetsystem", "valueUri": HABITATS})
    assert _targets(only) == []


# --- R5 names, as the HL7 validator sends them --------------------------------------------------


def test_r5_names_get_r5_parts(client):
    resource = _post(
        client,
        {"name": "sourceSystem", "valueUri": ANIMALS},
        {"name": "sourceCode", "valueCode": "goldfish"},
        {"name": "targetSystem", "valueUri": TAXA},
    )
    assert param(resource, "result") is True
    assert _matches(resource) == [
        {
            "equivalence": "wider",
            "relationship": "source-is-narrower-than-target",
            "concept": {"system": TAXA, "code": "carassius", "display": "Carassius"},
            "originMap": ANIMALS_MAP + "|1.0.0",
        }
    ]


def test_r5_target_code_translates_in_reverse(client):
    resource = _post(
        client,
        {"name": "targetCode", "valueCode": "felis-catus"},
        {"name": "targetSystem", "valueUri": TAXA},
        {"name": "sourceSystem", "valueUri": ANIMALS},
    )
    [match] = _matches(resource)
    assert match["concept"] == {"system": TAXA, "code": "felis-catus", "display": "Felis catus"}
    assert match["source"] == {"system": ANIMALS, "version": "1.0.0", "code": "cat", "display": "Cat"}
    assert match["originMap"] == ANIMALS_MAP + "|1.0.0"


@pytest.mark.parametrize(("coding", "system"), [("sourceCoding", "sourceSystem"), ("targetCoding", "targetSystem")])
def test_r5_a_coding_with_a_system_beside_it_is_refused(client, coding, system):
    """A Coding carries its system: one sent beside it would be dropped, so the request is refused."""
    body = {"resourceType": "Parameters", "parameter": [
        {"name": coding, "valueCoding": {"system": ANIMALS, "code": "cat"}}, {"name": system, "valueUri": TAXA},
    ]}  # fmt: skip
    outcome = error_outcome(client.post(TRANSLATE, json=body, headers={"Content-Type": "application/fhir+json"}), 400)
    assert coding in outcome["issue"][0]["details"]["text"] and system in outcome["issue"][0]["details"]["text"]


# --- the server's own maps, GET, instance level -----------------------------------------------


def test_get_with_a_map_the_server_holds(maps_client, client):
    query = {"url": ANIMALS_MAP, "system": ANIMALS, "code": "dog", "targetsystem": TAXA}
    resource = resource_of(maps_client.get(TRANSLATE, query_string=query))
    assert _targets(resource) == [("equivalent", TAXA, "canis-familiaris")]
    # The session's server does not hold it.
    assert "Unable to find ConceptMap" in outcome_text(error_outcome(client.get(TRANSLATE, query_string=query), 404))


def test_get_with_a_coding_and_reverse(maps_client):
    query = {"coding": f"{HABITATS}|sea", "reverse": "true"}
    resource = resource_of(maps_client.get(TRANSLATE, query_string=query))
    assert [m["concept"]["code"] for m in _matches(resource)] == ["whale", "penguin"]


def test_instance_level(maps_client):
    path = "/fhir/ConceptMap/animals-to-species/$translate"
    resource = resource_of(maps_client.get(path, query_string={"system": ANIMALS, "code": "cat", "targetsystem": TAXA}))
    assert _targets(resource) == [("equivalent", TAXA, "felis-catus")]
    posted = _post(maps_client, *_code("cat"), {"name": "targetsystem", "valueUri": TAXA}, tx=False, path=path)
    assert posted == resource
    # The instance is the map: the colors map's url names nothing else.
    colors = resource_of(maps_client.get("/fhir/ConceptMap/colors-1-to-2/$translate", query_string={"system": ANIMALS, "code": "cat"}))
    assert param(colors, "result") is False
    outcome = error_outcome(maps_client.get("/fhir/ConceptMap/nope/$translate", query_string={"system": ANIMALS, "code": "cat"}), 404)
    assert "'nope'" in outcome_text(outcome)


def test_a_map_both_held_and_sent_answers_once(maps_client):
    resource = _post(maps_client, *_code("cat"), {"name": "targetsystem", "valueUri": TAXA})  # with the maps as tx-resource
    assert _targets(resource) == [("equivalent", TAXA, "felis-catus")]


def test_instance_level_on_a_map_sent_with_the_request(client):
    path = "/fhir/ConceptMap/colors-1-to-2/$translate"
    assert _targets(_post(client, *_code("red", COLORS), path=path)) == [("equivalent", COLORS, "red")]


def test_xml_answer(maps_client):
    query = {"system": ANIMALS, "code": "fish", "targetsystem": TAXA, "_format": "xml"}
    resource = resource_of(maps_client.get(TRANSLATE, query_string=query), format="xml")
    assert [m["concept"]["code"] for m in _matches(resource)] == ["actinopterygii", "chondrichthyes"]


# --- bad requests -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entries, words",
    [
        ([{"name": "system", "valueUri": ANIMALS}], "Give the code to translate"),
        ([{"name": "code", "valueCode": "dog"}], "needs both a system and a code"),
        ([{"name": "coding", "valueCoding": {"code": "dog"}}], "needs both a system and a code"),
        (_code("dog") + [{"name": "coding", "valueCoding": {"system": ANIMALS, "code": "dog"}}], "exactly one of"),
        (_code("dog") + [{"name": "targetSystem", "valueUri": TAXA}], "not both"),
        (_code("dog") + [{"name": "bogus", "valueString": "x"}], "'bogus'"),
        (_code("dog") + [{"name": "reverse", "valueString": "yes"}], "'reverse'"),
        (_code("dog") + [{"name": "conceptMap", "resource": {"resourceType": "ValueSet"}}], "must be a ConceptMap"),
        (
            [{"name": "sourceCode", "valueCode": "dog"}, {"name": "targetCode", "valueCode": "land"}, {"name": "system", "valueUri": ANIMALS}],
            "not both",
        ),
    ],
)
def test_bad_requests(client, entries, words):
    outcome = _post(client, *entries, status=400)
    assert words in outcome_text(outcome)


def test_dependency_is_not_supported(client):
    dependency = {"name": "dependency", "part": [{"name": "element", "valueUri": "http://example.org/element"}]}
    outcome = _post(client, *_code("dog"), dependency, status=400)
    assert outcome["issue"][0]["code"] == "not-supported"
    assert "'dependency'" in outcome_text(outcome)


def test_get_without_a_code(client):
    outcome = error_outcome(client.get(TRANSLATE, query_string={"system": ANIMALS}), 400)
    assert "Give the code to translate" in outcome_text(outcome)


def test_other_methods_are_not_allowed(client):
    assert error_outcome(client.delete(TRANSLATE), 405)["issue"][0]["code"] == "not-supported"

"""terminology.operations.translate: ``ConceptMap/$translate`` with a typed request, over the fixture
ConceptMaps (checked against their JSON) layered over the server's registry."""

from __future__ import annotations

from typing import Any

import pytest

from fixture_resources import ANIMALS, COLORS, VS, definition, load
from terminology.definitions import ConceptMapDefinition
from terminology.errors import InvalidRequest, NotFound
from terminology.model import Coding
from terminology.operations.translate import NO_TRANSLATION, TranslateMatch, TranslateRequest, TranslateResult, translate
from terminology.providers.icd10cm import ICD10CM_URL
from terminology.registry import Registry

ANIMALS_JSON = load("conceptmap-animals.json")
COLORS_JSON = load("conceptmap-colors.json")
ANIMALS_MAP, COLORS_MAP = ANIMALS_JSON["url"], COLORS_JSON["url"]
TAXA, HABITATS = (group["target"] for group in ANIMALS_JSON["group"])
Target = tuple[str, str | None, str | None, str | None]  # equivalence, and the target's system, code and display
MAPPED_ANIMALS = list(dict.fromkeys(e["code"] for group in ANIMALS_JSON["group"] for e in group["element"]))


def _translate(registry, code: str, system: str = ANIMALS, version: str | None = None, **fields: Any) -> TranslateResult:
    return translate(registry, TranslateRequest((Coding(system, version, code),), **fields))


def _targets(result: TranslateResult) -> list[Target]:
    return [(m.equivalence, *((m.target.system, m.target.code, m.target.display) if m.target else (None,) * 3)) for m in result.matches]


def _json_targets(resource: dict[str, Any], code: str, target_system: str | None = None) -> list[Target]:
    """What the map's JSON says ``code`` maps to: its elements' targets, group by group."""
    found = []
    for group in resource["group"]:
        if target_system not in (None, group["target"]):
            continue
        for element in group["element"]:
            if element["code"] == code:
                found += [(t["equivalence"], group["target"] if "code" in t else None, t.get("code"), t.get("display")) for t in element["target"]]
    return found


# --- forward, by map url ------------------------------------------------------------------------


@pytest.mark.parametrize("code", MAPPED_ANIMALS)
def test_each_mapped_code_by_map_url(fixtures, code):
    result = _translate(fixtures, code, url=ANIMALS_MAP)
    assert _targets(result) == _json_targets(ANIMALS_JSON, code)
    assert result.result is any(equivalence not in NO_TRANSLATION for equivalence, *_ in _targets(result))
    assert {m.map for m in result.matches} == {f"{ANIMALS_MAP}|{ANIMALS_JSON['version']}"}
    assert result.reverse is False and (result.message is None) is result.result


def test_a_match_names_its_source_as_the_group_does(fixtures):
    taxa, habitats = ANIMALS_JSON["group"]
    [to_taxa, to_habitat] = _translate(fixtures, "dog", url=ANIMALS_MAP).matches
    assert to_taxa == TranslateMatch(
        "equivalent", Coding(ANIMALS, taxa["sourceVersion"], "dog", "Dog"), Coding(TAXA, None, "canis-familiaris", "Canis lupus familiaris"),
        f"{ANIMALS_MAP}|1.0.0",
    )  # fmt: skip
    assert to_habitat.source == Coding(ANIMALS, None, "dog", None) and "sourceVersion" not in habitats


@pytest.mark.parametrize(("equivalence", "codes"), [
    ("equivalent", ["dog", "cat", "penguin"]), ("equal", ["whale"]), ("wider", ["goldfish"]), ("narrower", ["fish"]),
    ("relatedto", ["dog", "whale", "penguin"]), ("unmatched", ["unicorn"]), ("disjoint", ["shark"]),
])  # fmt: skip
def test_every_equivalence_of_the_map(fixtures, equivalence, codes):
    assert [c for c in MAPPED_ANIMALS if any(e == equivalence for e, *_ in _json_targets(ANIMALS_JSON, c))] == codes
    for code in codes:
        assert equivalence in [e for e, *_ in _targets(_translate(fixtures, code, url=ANIMALS_MAP))], code


@pytest.mark.parametrize("code", ["unicorn", "shark"])
def test_a_match_that_says_there_is_no_counterpart_translates_nothing(fixtures, code):
    result = _translate(fixtures, code, url=ANIMALS_MAP, target_system=TAXA)
    assert _targets(result) == _json_targets(ANIMALS_JSON, code, TAXA) and len(result.matches) == 1
    assert result.result is False
    assert result.message == f"No translation was found from '{code}' of {ANIMALS} in the ConceptMaps that fit the request"


def test_the_map_version(fixtures):
    assert _targets(_translate(fixtures, "cat", url=ANIMALS_MAP, map_version="1.0.0")) == _json_targets(ANIMALS_JSON, "cat")
    with pytest.raises(NotFound) as caught:
        _translate(fixtures, "cat", url=ANIMALS_MAP, map_version="2.0.0")
    assert caught.value.message == f"Unable to find ConceptMap '{ANIMALS_MAP}' version '2.0.0'"


def test_an_unknown_map(fixtures):
    with pytest.raises(NotFound) as caught:
        _translate(fixtures, "cat", url=VS + "nope")
    assert (caught.value.status, caught.value.tx_code, caught.value.expression) == (404, "not-found", "url")
    assert caught.value.message == f"Unable to find ConceptMap '{VS}nope'"


# --- without a map: by the systems and value sets -------------------------------------------------


@pytest.mark.parametrize("target_system", [TAXA, HABITATS])
def test_by_source_and_target_system(fixtures, target_system):
    result = _translate(fixtures, "penguin", source_system=ANIMALS, target_system=target_system)
    assert _targets(result) == _json_targets(ANIMALS_JSON, "penguin", target_system) != []


def test_every_map_that_fits(fixtures):
    assert _targets(_translate(fixtures, "penguin")) == _json_targets(ANIMALS_JSON, "penguin")
    assert _translate(fixtures, "penguin", source_system=COLORS).matches == ()


@pytest.mark.parametrize(
    ("source_scope", "target_scope", "fits"),
    [
        (ANIMALS_JSON["sourceCanonical"], None, True),
        (ANIMALS_JSON["sourceCanonical"] + "|1.0.0", ANIMALS_JSON["targetUri"], True),
        (VS + "colors-latest", None, False),
        (None, VS + "animals-all", False),
    ],
)
def test_by_the_value_sets_mapped_from_and_to(fixtures, source_scope, target_scope, fits):
    result = _translate(fixtures, "cat", source_scope=source_scope, target_scope=target_scope)
    assert _targets(result) == (_json_targets(ANIMALS_JSON, "cat") if fits else [])


def test_a_map_given_with_the_request(registry):
    """Over the server's registry alone, which holds neither the map nor the code systems (its own maps are
    ICD-10-CM's, from one fiscal year to the next)."""
    given = definition(load("conceptmap-animals.json"))
    assert isinstance(given, ConceptMapDefinition)
    assert _targets(_translate(registry, "whale", concept_map=given)) == _json_targets(ANIMALS_JSON, "whale")
    no_map = _translate(registry, "whale")
    assert (no_map.matches, no_map.result) == ((), False)
    assert no_map.message == f"No translation was found from 'whale' of {ANIMALS} in the ConceptMaps that fit the request"


# --- no match -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "system", "version"), [("dog", TAXA, None), ("red", COLORS, "1.0.0"), ("dog", ANIMALS, "2.0.0")])
def test_no_group_for_the_code(fixtures, code, system, version):
    """A system no group maps from, or a version other than the group's source version."""
    result = _translate(fixtures, code, system, version, target_system=None if system == COLORS else TAXA)
    assert (result.matches, result.result) == ((), False)
    assert result.message == f"No translation was found from '{code}' of {system} in the ConceptMaps that fit the request"


def test_each_coding_is_tried(fixtures):
    request = TranslateRequest((Coding(COLORS, None, "red"), Coding(ANIMALS, None, "cat")), url=ANIMALS_MAP, target_system=TAXA)
    assert _targets(translate(fixtures, request)) == _json_targets(ANIMALS_JSON, "cat", TAXA)


# --- unmapped codes -------------------------------------------------------------------------------


def test_unmapped_fixed(fixtures):
    [group, _] = ANIMALS_JSON["group"]
    unmapped = group["unmapped"]
    assert unmapped["mode"] == "fixed" and "mammoth" not in MAPPED_ANIMALS
    result = _translate(fixtures, "mammoth", url=ANIMALS_MAP)
    assert _targets(result) == [("relatedto", TAXA, unmapped["code"], unmapped["display"])]  # R4 gives it no equivalence
    assert result.result is True


def test_unmapped_provided_keeps_the_code_in_the_target_version(fixtures):
    [group] = COLORS_JSON["group"]
    assert group["unmapped"]["mode"] == "provided"
    [match] = _translate(fixtures, "red", COLORS, group["sourceVersion"], url=COLORS_MAP).matches
    assert match.target == Coding(COLORS, group["targetVersion"], "red", None) and match.equivalence == "equivalent"
    mapped = _translate(fixtures, "green", COLORS, group["sourceVersion"], url=COLORS_MAP)
    assert _targets(mapped) == _json_targets(COLORS_JSON, "green")  # an element wins over the unmapped mode
    unmatched = _translate(fixtures, "yellow", COLORS, group["sourceVersion"], url=COLORS_MAP)
    assert (_targets(unmatched), unmatched.result) == ([("unmatched", None, None, None)], False)


def _other_map(url: str, other: str) -> dict[str, Any]:
    return {
        "resourceType": "ConceptMap", "url": url, "version": "1", "status": "active",
        "group": [{
            "source": ANIMALS, "target": TAXA,
            "element": [{"code": "mammoth", "target": [{"code": "mammuthus", "equivalence": "equivalent"}]}],
            "unmapped": {"mode": "other-map", "url": other},
        }],
    }  # fmt: skip


def test_unmapped_other_map_asks_that_map(fixtures):
    chained = definition(_other_map(VS + "chained", ANIMALS_MAP))
    result = _translate(fixtures, "cat", concept_map=chained, target_system=TAXA)
    assert _targets(result) == _json_targets(ANIMALS_JSON, "cat", TAXA)
    assert [m.map for m in result.matches] == [f"{ANIMALS_MAP}|1.0.0"]
    assert _targets(_translate(fixtures, "mammoth", concept_map=chained)) == [("equivalent", TAXA, "mammuthus", None)]


def test_unmapped_other_maps_that_go_round_in_a_loop(registry):
    looping = Registry(registry)
    looping.add(definition(_other_map(VS + "loop-a", VS + "loop-b")))
    looping.add(definition(_other_map(VS + "loop-b", VS + "loop-a")))
    with pytest.raises(InvalidRequest, match=f"chains from {VS}loop-.\\|1 go round in a loop"):
        _translate(looping, "cat", url=VS + "loop-a")


# --- dependsOn and product ------------------------------------------------------------------------


def test_products_of_a_mapping(registry):
    product = {"property": "http://example.org/fhir/habitat", "system": HABITATS, "value": "land", "display": "On land"}
    depends_on = {"property": "http://example.org/fhir/age", "value": "adult"}
    resource = {
        "resourceType": "ConceptMap", "url": VS + "with-products", "status": "active",
        "group": [{"source": ANIMALS, "target": TAXA, "element": [{"code": "dog", "target": [
            {"code": "canis-familiaris", "equivalence": "equivalent", "dependsOn": [depends_on], "product": [product]},
        ]}]}],
    }  # fmt: skip
    concept_map = definition(resource)
    assert concept_map.groups[0].elements[0].targets[0].depends_on[0].value == "adult"
    # (a request gives no dependencies: the wire refuses ``dependency``; a mapping's dependsOn narrows nothing)
    [match] = _translate(registry, "dog", concept_map=concept_map).matches
    assert match.products == ((product["property"], Coding(product["system"], None, product["value"], product["display"])),)
    assert match.depends_on == ((depends_on["property"], Coding(None, None, "adult", None)),)
    assert match.target == Coding(TAXA, None, "canis-familiaris", None)


# --- codes the release asked about lacks ----------------------------------------------------------


def _to_icd10cm(*codes: str) -> ConceptMapDefinition:
    targets = [{"code": code, "equivalence": "inexact"} for code in codes]
    return definition({"resourceType": "ConceptMap", "url": VS + "to-icd10cm", "status": "active",
                       "group": [{"source": ANIMALS, "target": ICD10CM_URL, "element": [{"code": "dog", "target": targets}]}]})  # fmt: skip


def test_a_code_of_icd10cm_the_release_lacks_or_made_a_header_is_reported(registry):
    """ICD-10-CM is released in time: a map may name codes of another release than the one asked about."""
    result = _translate(registry, "dog", concept_map=_to_icd10cm("A00.0", "H81.41", "M48.48"))
    assert [m.target.code for m in result.matches] == ["A00.0", "H81.41", "M48.48"] and result.result
    deleted, header = result.message.split("; ")
    assert deleted == f"H81.41 is not a code of {ICD10CM_URL} version 2026: H81.41 is not valid in FY2026: it was deleted on 2019-10-01 (FY2020)"
    assert header.startswith(f"In {ICD10CM_URL} version 2026, M48.48 is a header code and not billable: it needs a 7th character.")


@pytest.mark.parametrize("version, reported", [("2021", False), (None, True), ("2025", True)])
def test_the_release_is_the_one_the_codings_version_names(registry, version, reported):
    """T40.7X1A was valid in FY2021 and deleted in FY2022; without a version the newest release answers."""
    request = TranslateRequest((Coding(ICD10CM_URL, version, "T40.7X1A"),), reverse=True, concept_map=_to_icd10cm("T40.7X1A"))
    result = translate(registry, request)
    assert [m.source.code for m in result.matches] == ["dog"]
    assert (result.message or "").startswith(f"T40.7X1A is not a code of {ICD10CM_URL} version {version or '2026'}") == reported


def test_codes_of_a_code_system_not_released_in_time_are_not_checked(fixtures):
    assert _translate(fixtures, "cat", url=ANIMALS_MAP).message is None


# --- reverse --------------------------------------------------------------------------------------


def _json_sources(resource: dict[str, Any], target_code: str) -> list[tuple[str, str]]:
    """(equivalence, source code) of every mapping to ``target_code``."""
    return [
        (t["equivalence"], e["code"]) for group in resource["group"] for e in group["element"] for t in e["target"] if t.get("code") == target_code
    ]


@pytest.mark.parametrize(("target", "system"), [("actinopterygii", TAXA), ("land", HABITATS), ("sea", HABITATS), ("felis-catus", TAXA)])
def test_reverse_finds_the_codes_that_map_to_a_code(fixtures, target, system):
    result = _translate(fixtures, target, system, reverse=True)
    assert [(m.equivalence, m.source.code) for m in result.matches] == _json_sources(ANIMALS_JSON, target) != []
    assert all(m.source.system == ANIMALS and m.target is not None and m.target.code == target for m in result.matches)
    assert result.reverse is True


def test_reverse_of_a_code_nothing_maps_to(fixtures):
    result = _translate(fixtures, "dog", ANIMALS, reverse=True)
    assert (result.matches, result.result) == ((), False)
    assert result.message == f"No translation was found to 'dog' of {ANIMALS} in the ConceptMaps that fit the request"

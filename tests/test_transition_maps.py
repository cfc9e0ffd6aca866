"""The ConceptMaps from each ICD-10-CM fiscal year to the next: what they hold, against an independent reading
of the sources (``tests/history_oracle.py``), and ``$translate`` over real HTTP from the standalone server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from history_oracle import code_tables
from running_server import ROOT, RunningServer, free_port, start, stop
from terminology.definitions import ConceptMapDefinition
from terminology.providers.icd10cm import ICD10CM_URL

BASE = "http://fhir.icd10cm-terminology.org/ConceptMap"
YEARS = tuple(range(2019, 2027))


def _map(registry, source: int) -> ConceptMapDefinition:
    found = registry.concept_map_by_id(f"icd10cm-fy{source}-to-fy{source + 1}")
    assert found is not None
    return found


def test_there_is_a_map_for_each_fiscal_year_to_the_next(registry):
    for source, target in zip(YEARS, YEARS[1:]):
        concept_map = registry.concept_map(f"{BASE}/icd10cm-fy{source}-to-fy{target}")
        assert concept_map is _map(registry, source)
        metadata = concept_map.metadata
        assert (metadata.title, metadata.status, metadata.name) == (f"ICD-10-CM FY{source} to FY{target}", "active", f"ICD10CM_FY{source}_to_FY{target}")
        assert metadata.publisher and metadata.description
        [group] = concept_map.groups
        assert (group.source, group.source_version, group.target, group.target_version) == (ICD10CM_URL, str(source), ICD10CM_URL, str(target))
        assert group.unmapped.mode == "provided" and group.unmapped.equivalence == "equivalent"


@pytest.mark.parametrize("source", YEARS[:-1], ids=lambda year: f"FY{year}")
def test_a_map_holds_each_code_deleted_made_a_header_or_retitled(registry, source):
    before, after = code_tables(source), code_tables(source + 1)
    both = before.keys() & after.keys()
    deleted = before.keys() - after.keys()
    headers = {code for code in both if before[code][0] and not after[code][0]}
    retitled = {code for code in both if before[code][1] != after[code][1]} - headers
    elements = {element.code: element for element in _map(registry, source).groups[0].elements}
    assert elements.keys() == deleted | headers | retitled
    for code in retitled:
        [target] = elements[code].targets
        assert (target.code, target.equivalence) == (code, "equivalent")
    for code in deleted | headers:
        equivalences = {target.equivalence for target in elements[code].targets}
        assert equivalences in ({"narrower"}, {"unmatched"}), code
        assert all(after[target.code][0] for target in elements[code].targets if code in headers)  # billable then


def test_the_map_to_fy2022(registry):
    elements = {element.code: element for element in _map(registry, 2021).groups[0].elements}
    cannabis = elements["T40.7X1A"]
    assert cannabis.display == "Poisoning by cannabis (derivatives), accidental (unintentional), initial encounter"
    assert [(t.code, t.equivalence, t.display) for t in cannabis.targets] == [
        ("T40.711A", "narrower", "Poisoning by cannabis, accidental (unintentional), initial encounter"),
        ("T40.721A", "narrower", "Poisoning by synthetic cannabinoids, accidental (unintentional), initial encounter"),
    ]
    assert "deleted in FY2022" in cannabis.targets[0].comment
    assert [t.code for t in elements["M54.5"].targets] == ["M54.50", "M54.51", "M54.59"]
    assert "header from FY2022" in elements["M54.5"].targets[0].comment
    [retitled] = elements["F32"].targets
    assert (retitled.code, retitled.equivalence, retitled.display) == ("F32", "equivalent", "Depressive episode")


def test_a_deleted_code_that_nothing_replaced_is_unmatched(registry):
    [target] = {element.code: element for element in _map(registry, 2020).groups[0].elements}["Q51.20"].targets
    assert (target.code, target.equivalence) == (None, "unmatched")
    assert "deleted in FY2021" in target.comment


# -- $translate over real HTTP ------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    port = free_port()
    env = {"PORT": str(port), "HOST": "127.0.0.1", "WORKERS": "2", "TERMINOLOGY_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}
    running = start([str(ROOT / "scripts" / "serve")], env, port, tmp_path_factory.mktemp("serve") / "server.log")
    yield running
    stop(running)


def _translate(server: RunningServer, code: str, **more: str) -> list[dict]:
    query = {"url": f"{BASE}/icd10cm-fy2021-to-fy2022", "system": ICD10CM_URL, "code": code, **more}
    response = requests.get(f"{server.base}/ConceptMap/$translate", params=query, timeout=30)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["resourceType"] == "Parameters"
    assert [p["valueBoolean"] for p in answer["parameter"] if p["name"] == "result"] == [True]
    return [{part["name"]: part for part in p["part"]} for p in answer["parameter"] if p["name"] == "match"]


def test_translate_a_deleted_code_to_the_codes_that_replaced_it(server):
    matches = _translate(server, "T40.7X1A", version="2021")
    assert [(m["equivalence"]["valueCode"], m["concept"]["valueCoding"]["code"]) for m in matches] == [
        ("narrower", "T40.711A"),
        ("narrower", "T40.721A"),
    ]
    assert {m["concept"]["valueCoding"]["version"] for m in matches} == {"2022"}


def test_translate_a_code_that_became_a_header_to_the_billable_codes_below_it(server):
    matches = _translate(server, "M54.5")
    assert [m["concept"]["valueCoding"]["code"] for m in matches] == ["M54.50", "M54.51", "M54.59"]
    assert matches[1]["concept"]["valueCoding"]["display"] == "Vertebrogenic low back pain"


def test_translate_an_unchanged_code_carries_it_over(server):
    [match] = _translate(server, "A00.0")
    assert (match["equivalence"]["valueCode"], match["concept"]["valueCoding"]["code"]) == ("equivalent", "A00.0")


def test_the_maps_are_read_and_searched(server):
    bundle = requests.get(f"{server.base}/ConceptMap", params={"url:below": BASE, "_count": 40, "_elements": "id"}, timeout=30).json()
    found = sorted(entry["resource"]["id"] for entry in bundle.get("entry", []) if entry["resource"]["id"].startswith("icd10cm-fy"))
    assert found == [f"icd10cm-fy{year}-to-fy{year + 1}" for year in YEARS[:-1]]  # (beside them, the maps to the CMS-HCCs, the GEMs)


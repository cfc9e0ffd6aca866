"""ConceptMap read and search over HTTP, and the maps in the CapabilityStatement."""

from __future__ import annotations

import pytest

from fixture_resources import ANIMALS, COLORS, load
from hccinfhir_oracle import map_ids
from terminology.fhir.search import SEARCH_PARAMETERS

from .helpers import error_outcome, outcome_text, resource_of

ANIMALS_MAP = "http://example.org/fhir/ConceptMap/animals-to-species"
COLORS_MAP = "http://example.org/fhir/ConceptMap/colors-1-to-2"
# The server's own maps: from one ICD-10-CM fiscal year to the next (terminology.transition_maps), the GEMs
# (terminology.gem_maps), and CMS's maps from ICD-10-CM to the HCCs, a model's in each payment year (terminology.cms_hcc).
TRANSITION_MAPS = [f"icd10cm-fy{year}-to-fy{year + 1}" for year in range(2019, 2026)]
OWN_MAPS = sorted([*TRANSITION_MAPS, "icd9cm-to-icd10cm", "icd10cm-to-icd9cm", *map_ids()])


def _ids(bundle) -> list[str]:
    assert bundle["type"] == "searchset"
    ids = [entry["resource"]["id"] for entry in bundle.get("entry", [])]
    assert bundle["total"] == len(ids)
    return ids


# --- read -------------------------------------------------------------------------------------


@pytest.mark.parametrize("id, name", [("animals-to-species", "conceptmap-animals.json"), ("colors-1-to-2", "conceptmap-colors.json")])
def test_read(maps_client, id, name):
    assert resource_of(maps_client.get(f"/fhir/ConceptMap/{id}")) == load(name)


def test_read_in_xml(maps_client):
    resource = resource_of(maps_client.get("/fhir/ConceptMap/animals-to-species?_format=xml"), format="xml")
    assert resource == load("conceptmap-animals.json")


def test_read_an_unknown_map(maps_client, client):
    assert "'nope'" in outcome_text(error_outcome(maps_client.get("/fhir/ConceptMap/nope"), 404))
    # A map the request does not bring and the server does not hold.
    assert error_outcome(client.get("/fhir/ConceptMap/animals-to-species"), 404)["issue"][0]["code"] == "not-found"


def test_read_is_read_only(maps_client):
    assert error_outcome(maps_client.put("/fhir/ConceptMap/animals-to-species"), 405)["issue"][0]["code"] == "not-supported"


# --- search -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, ids",
    [
        ({"_elements": "id"}, sorted(["animals-to-species", "colors-1-to-2", *OWN_MAPS])),  # (the CMS maps are large: their ids)
        ({"url": ANIMALS_MAP}, ["animals-to-species"]),
        ({"url": ANIMALS_MAP, "version": "1.0.0"}, ["animals-to-species"]),
        ({"url": ANIMALS_MAP, "version": "2"}, []),
        ({"name": "colors"}, ["colors-1-to-2"]),  # from the start, case-insensitively
        ({"name": "ToSpecies"}, []),
        ({"title": "animals to"}, ["animals-to-species"]),
        ({"status": "draft"}, ["colors-1-to-2"]),
        ({"source-uri": "http://example.org/fhir/ValueSet/animals-all"}, ["animals-to-species"]),
        ({"target-uri": "http://example.org/fhir/ValueSet/taxa"}, ["animals-to-species"]),
        ({"source-system": COLORS}, ["colors-1-to-2"]),
        ({"target-system": "http://example.org/fhir/CodeSystem/habitats"}, ["animals-to-species"]),
        ({"source-system": ANIMALS, "target-system": COLORS}, []),
    ],
)
def test_search(maps_client, query, ids):
    bundle = resource_of(maps_client.get("/fhir/ConceptMap", query_string=query))
    assert sorted(_ids(bundle)) == ids
    for entry in bundle.get("entry", []):
        assert entry["fullUrl"] == f"http://localhost/fhir/ConceptMap/{entry['resource']['id']}"
        assert entry["search"] == {"mode": "match"}


def test_search_count_only(maps_client):
    bundle = resource_of(maps_client.get("/fhir/ConceptMap", query_string={"_summary": "count"}))
    assert bundle["total"] == 2 + len(OWN_MAPS) and "entry" not in bundle


def test_search_an_unsupported_parameter(maps_client):
    outcome = error_outcome(maps_client.get("/fhir/ConceptMap", query_string={"product": "x"}), 400)
    assert "product" in outcome_text(outcome) and "source-system" in outcome_text(outcome)


def test_search_on_a_server_with_its_own_maps_only(client):
    assert sorted(_ids(resource_of(client.get("/fhir/ConceptMap", query_string={"_elements": "id"})))) == OWN_MAPS


# --- capabilities -----------------------------------------------------------------------------


def test_capability_statement_lists_concept_maps(client):
    [rest] = resource_of(client.get("/fhir/metadata"))["rest"]
    [concept_map] = [r for r in rest["resource"] if r["type"] == "ConceptMap"]
    assert {i["code"] for i in concept_map["interaction"]} == {"read", "search-type"}
    assert concept_map["operation"] == [{"name": "translate", "definition": "http://hl7.org/fhir/OperationDefinition/ConceptMap-translate"}]
    definitions = {p["name"]: p["definition"] for p in concept_map["searchParam"]}
    assert definitions["url"] == "http://hl7.org/fhir/SearchParameter/conformance-url"
    assert definitions["source-system"] == "http://hl7.org/fhir/SearchParameter/ConceptMap-source-system"
    assert set(definitions) == set(SEARCH_PARAMETERS["ConceptMap"])
    capabilities = resource_of(client.get("/fhir/metadata?mode=terminology"))
    assert capabilities["translation"] == {"needsMap": False}

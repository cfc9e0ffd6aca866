"""The three embedded releases loaded together share what they have in common, and each still holds
exactly its own concepts: checked against each file read alone and against an independent reading of
its XML (see test_embedded_releases.py), as compiled together and as read back from that copy."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from terminology.loaders.icd10cm_xml import Icd10cmRelease
from terminology.loaders.release_cache import load_releases
from terminology.loaders.shared_releases import share

from .test_embedded_releases import FOLDER, RELEASES, _codes, _independent, _loaded

NAMES = list(RELEASES)  # oldest first: FY2021 (January 2021 update), April 2025, April 2026


@pytest.fixture(scope="module", params=["compiled together", "read back"])
def shared(request, tmp_path_factory) -> list[Icd10cmRelease]:
    """The releases as a first start makes them (each file parsed, then shared), or as a later start
    reads them (from the one compiled copy of the three)."""
    cache_dir = tmp_path_factory.getbasetemp() / "shared-releases-cache"
    paths = [FOLDER / name for name in NAMES]
    compiled = load_releases(paths, cache_dir)
    return compiled if request.param == "compiled together" else load_releases(paths, cache_dir)


@pytest.mark.parametrize("index", range(len(NAMES)))
def test_each_release_holds_exactly_its_own_concepts(shared, index):
    name = NAMES[index]
    release, alone = shared[index], _loaded(name)
    version, blocks, codes, extended = _independent(name)
    assert release.version == alone.version == version
    assert _codes(release, "block") == blocks
    assert _codes(release, "category", "subcategory") == codes
    assert _codes(release, "extended") == extended
    assert list(release.entries) == list(alone.entries)  # in the order of its tabular list
    assert release.entries == alone.entries  # every field of every entry
    assert release.chapters == alone.chapters and release.roots == alone.roots


def test_each_takes_effect_on_the_day_its_file_names(shared):
    assert [release.effective.isoformat() for release in shared] == ["2021-01-01", "2025-04-01", "2026-04-01"]


def test_an_unchanged_concept_is_one_object_in_every_release(shared):
    fy2021, fy2025, fy2026 = shared
    assert fy2021.entries["A00.0"] is fy2025.entries["A00.0"] is fy2026.entries["A00.0"]
    assert fy2025.entries["M48.48XA"] is fy2026.entries["M48.48XA"]
    assert fy2025.chapters["1"] is fy2026.chapters["1"]
    distinct = {id(entry) for release in shared for entry in release.entries.values()}
    assert len(fy2026.entries) < len(distinct) < 1.03 * len(fy2026.entries)  # not 3 x 98,000


def test_a_retitled_code_has_each_release_own_title_and_shares_the_rest(shared):
    _, fy2025, fy2026 = shared
    then, now = fy2025.entries["L02.212"], fy2026.entries["L02.212"]
    assert then.display == "Cutaneous abscess of back [any part, except buttock]"
    assert now.display == "Cutaneous abscess of back [any part, except buttock and flank]"
    assert then.notes is now.notes and then.children is now.children and then.code is now.code


def test_a_billable_code_that_became_a_header_differs_where_it_changed(shared):
    fy2021, fy2025, _ = shared
    then, now = fy2021.entries["M54.5"], fy2025.entries["M54.5"]
    assert then.children == () and now.children == ("M54.50", "M54.51", "M54.59")
    assert then.display is now.display  # "Low back pain" in both
    assert now.children[0] is fy2025.entries["M54.50"].code


@pytest.mark.parametrize(
    ("code", "held"),
    [("T40.7X1A", [True, False, False]), ("U09.9", [False, True, True]), ("M35.81", [True, True, True])],
)
def test_a_code_added_or_deleted_is_only_in_its_releases(shared, code, held):
    assert [code in release.entries for release in shared] == held


def test_shared_entries_cannot_be_changed_through_one_release(shared):
    with pytest.raises(FrozenInstanceError):
        shared[0].entries["A00.0"].display = "changed"  # type: ignore[misc]


def test_sharing_keeps_the_releases_given():
    alone = [_loaded(name) for name in NAMES[1:]]
    fy2025, fy2026 = share(alone)
    assert fy2025.entries == alone[0].entries and fy2026.entries == alone[1].entries
    assert fy2025.entries["A00.0"] is fy2026.entries["A00.0"]
    assert alone[0].entries["A00.0"] is not alone[1].entries["A00.0"]  # what was given is left as it was


def test_a_release_equal_to_an_earlier_one_but_not_to_the_latest_is_that_one():
    fy2021, fy2026 = _loaded(NAMES[0]), _loaded(NAMES[2])
    first, _, again = share([fy2021, fy2026, fy2021])  # the data folder may hold a copy of an embedded release
    assert again.entries == fy2021.entries
    assert all(entry is first.entries[code] for code, entry in again.entries.items())

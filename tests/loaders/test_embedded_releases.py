"""The ICD-10-CM releases embedded in ``resources/icd10cm/``: each is the file its PROVENANCE.md names,
the loader reads from it what an independent reading of its XML finds, and the codes that changed
between the releases changed as the CDC's releases say.

The independent reading is ``tests/tabular_oracle.py``'s (the standard library's ElementTree, by the
rules the files state).
"""

from __future__ import annotations

import gzip
import hashlib
import re
from functools import cache
from pathlib import Path

import pytest

from tabular_oracle import read_tabular_file
from terminology.loaders.icd10cm_xml import Icd10cmRelease, load_tabular

FOLDER = Path(__file__).resolve().parents[2] / "resources" / "icd10cm"
RELEASES = {  # file: the <version> it states
    "icd10cm-tabular-January-1-2021.xml.gz": "2021",
    "icd10cm-tabular-April-1-2025.xml.gz": "2025",
    "icd10c-tabular-April-1-2026.xml.gz": "2026",
}
S06_NOTE = "7th characters D and S do not apply to codes in category S06 with 6th character 7"


@cache
def _xml(name: str) -> bytes:
    return gzip.decompress((FOLDER / name).read_bytes())


@cache
def _loaded(name: str) -> Icd10cmRelease:
    return load_tabular(FOLDER / name)


def _codes(release: Icd10cmRelease, *kinds: str) -> set[str]:
    return {entry.code for entry in release.entries.values() if entry.kind in kinds}


@cache
def _independent(name: str) -> tuple[str, set[str], set[str], set[str]]:
    """(version, blocks, categories and subcategories, codes made with a 7th character) read from the XML."""
    reading = read_tabular_file(FOLDER / name)
    return reading.version, reading.blocks, set(reading.codes) - reading.extended, reading.extended


def test_every_embedded_file_is_listed_in_the_provenance_with_its_hash() -> None:
    provenance = (FOLDER / "PROVENANCE.md").read_text()
    listed = dict(re.findall(r"^\| `([^`]+\.xml\.gz)` \|.*\| `([0-9a-f]{64})` \|$", provenance, re.MULTILINE))
    assert set(listed) == set(RELEASES) == {path.name for path in FOLDER.glob("*.xml.gz")}
    for name, digest in listed.items():
        assert hashlib.sha256(_xml(name)).hexdigest() == digest, name


@pytest.mark.parametrize("name", RELEASES)
def test_the_loader_reads_what_the_file_defines(name: str) -> None:
    version, blocks, codes, extended = _independent(name)
    release = _loaded(name)
    assert release.version == version == RELEASES[name]
    assert _codes(release, "block") == blocks and len(blocks) == 258
    assert _codes(release, "category", "subcategory") == codes
    assert _codes(release, "extended") == extended
    assert S06_NOTE in " ".join(_xml(name).decode().split())


@pytest.mark.parametrize(
    ("code", "in_2021", "in_2025", "in_2026"),
    [
        ("T40.7X1A", True, False, False),  # cannabis poisoning: split into T40.71- and T40.72- on 2021-10-01 (FY2022)
        ("U09.9", False, True, True),  # post COVID-19 condition: added on 2021-10-01 (FY2022)
        ("M35.81", True, True, True),  # multisystem inflammatory syndrome: added by the January 2021 update
        ("M54.50", False, True, True),  # low back pain, unspecified: M54.5 subdivided on 2021-10-01
    ],
)
def test_codes_added_and_deleted_between_the_releases(code: str, in_2021: bool, in_2025: bool, in_2026: bool) -> None:
    found = [code in _loaded(name).entries for name in RELEASES]
    assert found == [in_2021, in_2025, in_2026]


def test_a_billable_code_that_became_a_header() -> None:
    then, now = _loaded("icd10cm-tabular-January-1-2021.xml.gz"), _loaded("icd10cm-tabular-April-1-2025.xml.gz")
    assert then.entries["M54.5"].children == ()  # billable in FY2021
    assert now.entries["M54.5"].children == ("M54.50", "M54.51", "M54.59")

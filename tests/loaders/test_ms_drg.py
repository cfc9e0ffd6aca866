"""The MS-DRG tables in ``resources/ms-drg/``: every row against the drg package's own files read independently
(``tests/msdrg_oracle.py``), the import script that makes them, the format's reader, the compiled copy."""

from __future__ import annotations

import gzip
import importlib.util
import logging
import sys
from pathlib import Path

import pytest

from msdrg_oracle import severities, table_6k
from terminology.content import MS_DRG_FOLDER, resources_dir
from terminology.providers.icd10cm import ICD10CM_URL
from terminology.loaders.ms_drg import (
    InvalidMsDrgFile,
    MsDrgTables,
    collection_number,
    files_for,
    load_ms_drg,
    ms_drg_files,
    read_ms_drg,
)

FOLDER = resources_dir() / MS_DRG_FOLDER
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "import_msdrg.py"


@pytest.fixture(scope="module")
def tables() -> MsDrgTables:
    return read_ms_drg(ms_drg_files(FOLDER)[2026])


def test_the_folder_holds_ms_drg_v43_for_fy2026():
    [(fiscal_year, files)] = ms_drg_files(FOLDER).items()
    assert (fiscal_year, files.version) == (2026, "43.0")
    assert files == files_for(FOLDER, "43.0", 2026)


def test_every_cc_and_mcc_is_as_tables_6i_and_6j_say(tables):
    assert tables.severity == severities()


def test_every_cc_and_mcc_has_its_pdx_collection_and_part_2_condition(tables):
    oracle = table_6k()
    assert {code: collection_number(c) for code, c in tables.secondary_collection.items()} == {
        code: number for code, number in oracle.collection_of.items() if number is not None
    }
    assert tables.alive_only == oracle.alive_only


def test_every_pdx_collection_holds_its_principal_diagnoses(tables):
    members: dict[str, set[str]] = {}
    for principal, collections in tables.principal_collections.items():
        for collection in collections:
            members.setdefault(collection_number(collection), set()).add(principal)
    assert members == table_6k().collections
    assert {collection_number(c): size for c, size in tables.collection_sizes.items()} == {
        number: len(codes) for number, codes in table_6k().collections.items()
    }


def test_the_drg_specific_exclusions_are_part_3s(tables):
    assert [(g.mdc, g.drgs, g.title, g.codes) for g in tables.drg_exclusions] == table_6k().drg_groups


def test_every_code_is_a_billable_code_of_fy2026(tables, registry):
    icd10cm = registry.code_system(ICD10CM_URL, "2026")
    named = tables.severity.keys() | tables.principal_collections.keys() | {c for g in tables.drg_exclusions for c in g.codes}
    unknown_or_headers = [code for code in named if (entry := icd10cm.locate(code)) is None or icd10cm.is_abstract(entry)]
    assert not unknown_or_headers


def test_the_import_script_makes_these_files_from_the_installed_package(tmp_path):
    spec = importlib.util.spec_from_file_location("import_msdrg", SCRIPT)
    script = importlib.util.module_from_spec(spec)
    sys.modules["import_msdrg"] = script  # (its dataclasses look their module up)
    spec.loader.exec_module(script)
    assert script.main(["--output", str(tmp_path)]) == 0
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == sorted(path.name for path in FOLDER.iterdir())
    for name in written:
        assert (tmp_path / name).read_bytes() == (FOLDER / name).read_bytes(), name


def test_a_compiled_copy_is_read_back_as_the_files(tables, tmp_path):
    files = ms_drg_files(FOLDER)[2026]
    assert load_ms_drg(files, tmp_path) == tables
    [compiled] = tmp_path.glob("ms-drg-*.marshal")
    assert load_ms_drg(files, tmp_path) == tables
    copied = load_ms_drg(files, tmp_path)
    [as_secondary] = [code for code in copied.severity if code == "A00.1"]
    [as_principal] = [code for code in copied.principal_collections if code == "A00.1"]
    assert as_secondary is as_principal  # a code is one string wherever it is named


def test_a_damaged_compiled_copy_is_passed_over(tables, tmp_path, caplog):
    files = ms_drg_files(FOLDER)[2026]
    load_ms_drg(files, tmp_path)
    [compiled] = tmp_path.glob("ms-drg-*.marshal")
    compiled.write_bytes(b"\x00not marshal")
    with caplog.at_level(logging.WARNING):
        assert load_ms_drg(files, tmp_path) == tables
    assert "ignoring unreadable compiled MS-DRG tables" in caplog.text


def _write(path: Path, text: str) -> None:
    path.write_bytes(gzip.compress(text.encode()))


@pytest.mark.parametrize(
    ("part", "text", "said"),
    [
        ("cc-mcc", "A00.0\tcc\t0002\n", "a line of 4 fields"),
        ("cc-mcc", "A00.0\tminor\t0002\t\n", "not 'CODE<tab>cc|mcc"),
        ("cc-mcc", "A00.0\tcc\t0009\t\n", "the PDX collections 0009 are not there"),
        ("pdx-collections", "two\tA00.0\n", "not a PDX collection's number"),
        ("drg-exclusions", "01\t084-082\tTitle\tA00.0\n", "not a range of MS-DRGs"),
    ],
)
def test_a_file_not_in_the_format_is_refused_with_what_is_wrong(tmp_path, part, text, said):
    files = files_for(tmp_path, "1.0", 2030)
    _write(files.cc_mcc, "A00.0\tcc\t0002\t\n")
    _write(files.pdx_collections, "0002\tA00.0 A00.1\n")
    _write(files.drg_exclusions, "01\t082-084\tTitle\tA00.0\n")
    assert read_ms_drg(files).principal_collections == {"A00.0": chr(2), "A00.1": chr(2)}
    _write(tmp_path / f"ms-drg-v1.0-fy2030-{part}.tsv.gz", text)
    with pytest.raises(InvalidMsDrgFile, match=said.replace("|", r"\|").replace("(", r"\(")):
        read_ms_drg(files)

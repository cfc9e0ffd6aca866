"""terminology.loaders.tab_files: gzip'd tab-separated rows, written deterministically and read back, or refused."""

from __future__ import annotations

import gzip

import pytest

from terminology.loaders.tab_files import read_rows, write_rows


class Refused(ValueError):
    pass


def test_rows_read_back_and_the_same_rows_make_the_same_bytes(tmp_path):
    rows = [["0010", "Ménière", "x"], ["V4581", "b", "c"]]
    write_rows(tmp_path / "a.tsv.gz", rows, "utf-8")
    write_rows(tmp_path / "b.tsv.gz", rows, "utf-8")
    assert (tmp_path / "a.tsv.gz").read_bytes() == (tmp_path / "b.tsv.gz").read_bytes()
    assert read_rows(tmp_path / "a.tsv.gz", "utf-8", 3, Refused, "A<tab>B<tab>C") == rows


@pytest.mark.parametrize("text", [b"0010\tA000\n", b"0010\t\tx\n", b"0010\tA000\tx\ty\n"])
def test_a_row_of_other_fields_is_refused(tmp_path, text):
    (tmp_path / "bad.tsv.gz").write_bytes(gzip.compress(text))
    with pytest.raises(Refused, match=r"bad.tsv.gz: not a row 'A<tab>B<tab>C'"):
        read_rows(tmp_path / "bad.tsv.gz", "ascii", 3, Refused, "A<tab>B<tab>C")


@pytest.mark.parametrize("data", [b"0010\tA000\tx\n", gzip.compress("é\tb\tc\n".encode())])
def test_a_file_not_gzip_or_not_in_its_encoding_is_refused(tmp_path, data):
    (tmp_path / "bad.tsv.gz").write_bytes(data)
    with pytest.raises(Refused, match="bad.tsv.gz: "):
        read_rows(tmp_path / "bad.tsv.gz", "ascii", 3, Refused, "A<tab>B<tab>C")

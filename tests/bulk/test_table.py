"""terminology.bulk.table: a file of codes read as rows, CSV with a header or one code per line, decided by its first line."""

from __future__ import annotations

import pytest

from terminology.bulk.table import Row, UnusableFile, open_table


def _read(tmp_path, text: str | bytes, column: str | None = None, date_column: str | None = None) -> tuple[tuple[str, ...], bool, list[Row]]:
    path = tmp_path / "codes.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with open_table(str(path), column, date_column) as table:
        return table.columns, table.header, list(table.rows)


def test_a_first_line_with_a_comma_is_a_header_and_the_codes_are_in_the_first_column(tmp_path):
    columns, header, rows = _read(tmp_path, "code,claim\nM48.48XA,1\nm4848xa,2\n")
    assert (columns, header) == (("code", "claim"), True)
    assert rows == [Row(["M48.48XA", "1"], "M48.48XA"), Row(["m4848xa", "2"], "m4848xa")]


def test_the_column_named_holds_the_codes_and_the_date_column_the_dates(tmp_path):
    _, _, rows = _read(tmp_path, "claim,dx,seen\n1,T40.7X1A,2021-06-01\n2,A00.0,\n", column="dx", date_column="seen")
    assert rows == [Row(["1", "T40.7X1A", "2021-06-01"], "T40.7X1A", "2021-06-01"), Row(["2", "A00.0", ""], "A00.0", "")]


def test_a_first_line_with_no_digit_is_the_header_of_one_column(tmp_path):
    columns, header, rows = _read(tmp_path, "diagnosis\nA00.0\n")
    assert (columns, header, rows) == (("diagnosis",), True, [Row(["A00.0"], "A00.0")])


def test_a_first_line_that_is_a_code_makes_a_file_of_one_code_per_line_each_as_written(tmp_path):
    columns, header, rows = _read(tmp_path, "A00.0\r\n m48.48xa \n\nM4848XA")
    assert (columns, header) == (("code",), False)
    assert [row.code for row in rows] == ["A00.0", " m48.48xa ", "", "M4848XA"]


def test_a_short_row_is_filled_and_a_long_one_is_told_what_is_wrong(tmp_path):
    _, _, rows = _read(tmp_path, "code,claim\nA00.0\nA00.1,2,\nA00.9,3,x\n")
    assert rows[0] == Row(["A00.0", ""], "A00.0")
    assert rows[1] == Row(["A00.1", "2"], "A00.1")  # (an empty field at the end is no field)
    assert rows[2] == Row(["A00.9", "3"], "A00.9", error="the row has 3 fields, the header 2")


def test_a_byte_order_mark_is_passed_over_and_bytes_that_are_no_utf8_become_replacement_characters(tmp_path):
    columns, _, rows = _read(tmp_path, b"\xef\xbb\xbfcode,n\nA0\xff.0,1\n")
    assert columns == ("code", "n")
    assert rows[0].code == "A0\ufffd.0"


def test_a_column_not_in_the_header_is_refused_with_the_columns_there_are(tmp_path):
    with pytest.raises(UnusableFile, match=r"has no column 'dx': its columns are code, claim$"):
        _read(tmp_path, "code,claim\nA00.0,1\n", column="dx")


def test_a_date_column_in_a_file_of_one_code_per_line_is_refused(tmp_path):
    with pytest.raises(UnusableFile, match="has one code per line, and no column 'seen'"):
        _read(tmp_path, "A00.0\n", date_column="seen")


def test_a_file_that_cannot_be_read_is_refused_in_one_line(tmp_path):
    with pytest.raises(UnusableFile, match=r"^cannot read .*missing.csv: No such file or directory$"):
        with open_table(str(tmp_path / "missing.csv")):
            pass


def test_an_empty_file_has_no_rows(tmp_path):
    assert _read(tmp_path, "") == (("code",), False, [])

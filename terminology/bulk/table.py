"""A file of codes, read as rows: CSV with a header, or one code per line.

The first line decides. It is a CSV header when it holds a comma, when a ``column`` is named, or when it
holds no digit (every ICD-10-CM code has one; a header such as ``code`` has none): the codes are then
in the column named, else in the first. Otherwise the file is one code per line, each line a code as
written (but for its line ending), under the column name ``code``. The text is UTF-8 (a byte order mark
is passed over; a byte that is no UTF-8 becomes U+FFFD, and the code it is in unknown).
"""

from __future__ import annotations

import csv
import io
import itertools
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

__all__ = ["UnusableFile", "Row", "Table", "open_table"]

#: The column name of a file of one code per line.
CODE_PER_LINE = "code"


class UnusableFile(ValueError):
    """A file given cannot be used: an input that cannot be opened, or has not the column named; a report
    that cannot be written."""


@dataclass(slots=True)  # (not frozen: a file has rows by the hundred thousand, and a frozen one is slower to make)
class Row:
    """One row of the input: its fields as read (as many as the header has), the code and the date of
    service in it, and what is wrong with its form, if anything (then it is answered with that)."""

    fields: list[str]
    code: str
    date: str | None = None
    error: str | None = None


@dataclass
class Table:
    """The columns of the input and its rows, read as they are asked for; ``header``: whether the input's
    first line is a header (else each line is a code)."""

    columns: tuple[str, ...]
    rows: Iterator[Row]
    header: bool


@contextmanager
def open_table(path: str, column: str | None = None, date_column: str | None = None) -> Iterator[Table]:
    """The table in the file at ``path`` ("-": standard input); ``column`` names the codes' column,
    ``date_column`` the dates of service's. :class:`UnusableFile` if it cannot be read as such."""
    with _text(path) as text:
        first = text.readline()
        if _is_header(first, column):
            header = next(csv.reader([first]), [])
            code_at = _column_index(header, column, path) if column is not None else 0
            date_at = _column_index(header, date_column, path) if date_column is not None else None
            yield Table(tuple(header), _csv_rows(text, len(header), code_at, date_at), header=True)
        else:
            if date_column is not None:
                raise UnusableFile(f"{_shown(path)} has one code per line, and no column '{date_column}'")
            yield Table((CODE_PER_LINE,), _line_rows(itertools.chain([first] if first else [], text)), header=False)


@contextmanager
def _text(path: str) -> Iterator[TextIO]:
    """The text of the file at ``path``, or of standard input, in universal newlines but for CSV's quoted ones."""
    if path == "-":
        yield io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", errors="replace", newline="")
        return
    try:
        file = open(path, encoding="utf-8-sig", errors="replace", newline="")
    except OSError as error:
        raise UnusableFile(f"cannot read {path}: {error.strerror or error}") from None
    with file:
        yield file


def _is_header(first: str, column: str | None) -> bool:
    return column is not None or "," in first or (first.strip() != "" and not any(char.isdigit() for char in first))


def _column_index(header: list[str], name: str, path: str) -> int:
    try:
        return header.index(name)
    except ValueError:
        raise UnusableFile(f"{_shown(path)} has no column '{name}': its columns are {', '.join(header)}") from None


def _shown(path: str) -> str:
    return "the standard input" if path == "-" else path


def _csv_rows(text: TextIO, width: int, code_at: int, date_at: int | None) -> Iterator[Row]:
    """The rows, each with as many fields as the header: a short row is filled with empty fields, and a row
    with more fields than the header (but for empty ones at its end) is answered with what is wrong."""
    reader = csv.reader(text)
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # (the reader goes on from the next line)
            yield Row([""] * width, "", error=f"line {reader.line_num} is not CSV: {error}")
            continue
        error = None
        if len(fields) != width:
            if len(fields) > width and any(fields[width:]):
                error = f"the row has {len(fields)} fields, the header {width}"
            fields = fields[:width] + [""] * (width - len(fields))
        yield Row(fields, fields[code_at], fields[date_at] if date_at is not None else None, error)


def _line_rows(lines: Iterator[str]) -> Iterator[Row]:
    for line in lines:
        code = line.rstrip("\r\n")
        yield Row([code], code)

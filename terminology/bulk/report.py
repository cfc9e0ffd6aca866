"""Writing a report: each input row with its answer's columns after its own, as CSV or as one JSON object a line."""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol, TextIO

import orjson

from .table import UnusableFile

__all__ = ["FORMATS", "ReportWriter", "Value", "open_report"]

FORMATS = ("csv", "ndjson")

#: A value of an answer's column: text, a yes or no, or nothing.
Value = str | bool | None


class ReportWriter(Protocol):
    def write(self, fields: Sequence[str], values: tuple[Value, ...]) -> None:
        """One row: the input's fields, then the answer's values (in the order of the columns given)."""


@contextmanager
def open_report(path: str, format: str, input_columns: Sequence[str], columns: Sequence[str]) -> Iterator[ReportWriter]:
    """A writer of rows with ``input_columns`` then ``columns`` (the answer's) to the file at ``path`` ("-":
    standard output). In CSV a yes or no is ``true`` or ``false``, nothing an empty field; in ndjson they
    are JSON's own. The columns of one answer are written out once: rows with the same answer share it."""
    with _text(path) as text:
        yield _CsvReport(text, input_columns, columns) if format == "csv" else _JsonLinesReport(text, input_columns, columns)


@contextmanager
def _text(path: str) -> Iterator[TextIO]:
    if path == "-":
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
        try:
            yield out
        finally:
            out.flush()
            out.detach()  # (standard output stays open for what follows)
        return
    try:
        file = open(path, "w", encoding="utf-8", newline="")
    except OSError as error:
        raise UnusableFile(f"cannot write {path}: {error.strerror or error}") from None
    with file:
        yield file


class _CsvReport:
    def __init__(self, text: TextIO, input_columns: Sequence[str], columns: Sequence[str]) -> None:
        self._text = text
        self._answers: dict[tuple[Value, ...], str] = {}  # each answer's columns, written out once
        self.write(input_columns, tuple(columns))

    def write(self, fields: Sequence[str], values: tuple[Value, ...]) -> None:
        line = self._answers.get(values)
        if line is None:
            line = self._answers[values] = ",".join([_csv_field(value) for value in values]) + "\n"
        own = ",".join(fields)
        # (the fields of most rows hold no comma, quote or line break, and need no quotes)
        if own.count(",") != len(fields) - 1 or _UNSAFE.search(own):
            own = ",".join([_csv_field(field) for field in fields])
        self._text.write(own + "," + line)


#: What puts a CSV field in quotes: a comma, a quote, a line break (a lone carriage return too, which
#: readers in universal newlines take for one).
_QUOTED = re.compile(r'[,"\r\n]')
_UNSAFE = re.compile(r'["\r\n]')  # (the same, but for commas, which a line of fields has between them)


def _csv_field(value: Value) -> str:
    """``value`` as a field of a CSV line, quoted where it must be. Written here rather than by the csv
    module, which takes microseconds over a message of a few hundred characters (a report writes the line
    of each distinct answer: for a file of many distinct codes, that was a fifth of the whole run), and
    does not quote a line break in a field that ends with its line terminator."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    return '"' + value.replace('"', '""') + '"' if _QUOTED.search(value) else value


class _JsonLinesReport:
    def __init__(self, text: TextIO, input_columns: Sequence[str], columns: Sequence[str]) -> None:
        self._text = text
        self._input_columns = tuple(input_columns)
        self._columns = tuple(columns)
        self._answers: dict[tuple[Value, ...], str] = {}

    def write(self, fields: Sequence[str], values: tuple[Value, ...]) -> None:
        answer = self._answers.get(values)
        if answer is None:  # the members of the answer's columns, without the braces
            answer = self._answers[values] = orjson.dumps(dict(zip(self._columns, values))).decode()[1:]
        own = orjson.dumps(dict(zip(self._input_columns, fields))).decode()[:-1]
        self._text.write(f"{own},{answer}\n")

"""Writing a report: each input row with its answer's columns after its own, as CSV or as one JSON object a line."""

from __future__ import annotations

import csv
import io
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
        # The input's fields end with the comma before the answer's, which are written out once per answer.
        self._fields = csv.writer(text, lineterminator=",")
        self._answers: dict[tuple[Value, ...], str] = {}
        self.write(input_columns, tuple(columns))

    def write(self, fields: Sequence[str], values: tuple[Value, ...]) -> None:
        line = self._answers.get(values)
        if line is None:
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerow([_csv_field(value) for value in values])
            line = self._answers[values] = out.getvalue()
        self._fields.writerow(fields)
        self._text.write(line)


def _csv_field(value: Value) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    return value


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

"""``validate --file`` and ``lookup --file``: a report of a file of codes, a row for each of its rows, in order."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from ..bulk.metadata import DEFAULT_PROPERTIES, Entries, Entry, Looker
from ..bulk.queries import answer_rows, row_query
from ..bulk.report import Value, open_report
from ..bulk.summary import Summary
from ..bulk.table import open_table
from ..client.results import CodeQuery
from ..collector import collector_paused
from ..bulk.validation import REPORT_COLUMNS, Validator, Verdict, Verdicts
from .exit_status import ALL_VALID, SOME_INVALID
from .progress import progress

__all__ = ["lookup_file", "validate_file"]

Answer = TypeVar("Answer")


def validate_file(args: argparse.Namespace, validator: Validator) -> int:
    """Writes the validation report of ``args.file``, and its summary to standard error."""
    summary = Summary()
    for verdict in _reported(args, REPORT_COLUMNS, Verdicts(validator, args.valueset), Verdict.refused, Verdict.values):
        summary.add(verdict)
    tallies = summary.tallies()
    print("\n".join(tallies.lines()), file=sys.stderr)
    return SOME_INVALID if tallies.total.invalid else ALL_VALID


def lookup_file(args: argparse.Namespace, looker: Looker) -> int:
    """Writes the lookup report of ``args.file`` (a column for each property asked for, then ``message``: why a
    code was not found), and how many codes were found to standard error."""
    entries = Entries(looker, args.property or DEFAULT_PROPERTIES)
    found = missing = 0
    for entry in _reported(args, (*entries.properties, "message"), entries, entries.refused, Entry.columns):
        found += entry.found
        missing += not entry.found
    print(f"rows {found + missing:,}: found {found:,}, not found {missing:,}", file=sys.stderr)
    return SOME_INVALID if missing else ALL_VALID


def _reported(
    args: argparse.Namespace,
    columns: Sequence[str],
    answer: Callable[[list[CodeQuery]], Sequence[Answer]],
    refused: Callable[[str], Answer],
    values: Callable[[Answer], Sequence[Value]],
) -> Iterator[Answer]:
    """Each row's answer, in order, once its line of the report is written: the row's fields, then the
    ``values`` of its answer under ``columns``."""
    with (
        collector_paused(),  # (a report makes many short-lived objects, and no cycles: the collector would walk the content for nothing)
        open_table(args.file, args.column, args.date_column) as table,
        open_report(args.out or "-", args.format or "csv", table.columns, columns) as report,
        progress(args.file, table.header, args.quiet) as advance,
    ):
        query = lambda row: row_query(row, args.date, args.version)  # noqa: E731
        for row, answered in answer_rows(table.rows, query, answer, refused, advance):
            report.write(row.fields, values(answered))
            yield answered

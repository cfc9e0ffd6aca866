"""What each row of the input asks: a code (and the day of service it is for), or what is wrong with the row."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TypeVar

from ..client.results import CodeQuery
from ..fhir.dates import day_of
from .table import Row

__all__ = ["answer_rows", "row_query"]

Answer = TypeVar("Answer")

#: Rows read and answered at a time: a chunk's distinct codes are asked for together.
CHUNK_ROWS = 5_000


def row_query(row: Row, date: datetime.date | None = None, version: str | None = None) -> CodeQuery | str:
    """The query of ``row``: its code, on the day of service of its date (else on ``date``), in ``version``;
    or why it asks nothing: a row that is not well formed, has no code, or a date that is none (an empty
    date is none given). The code is asked for as written: the answer says what it lacks."""
    if row.error is not None:
        return row.error
    if not row.code.strip():
        return "the row has no code"
    if row.date is not None and row.date.strip():
        date = day_of(row.date)
        if date is None:
            return f"'{row.date}' is not a date (YYYY-MM-DD)"
    return CodeQuery(row.code, version=version, date=date)


def answer_rows(
    rows: Iterable[Row],
    query: Callable[[Row], CodeQuery | str],
    answer: Callable[[list[CodeQuery]], Iterable[Answer]],
    refused: Callable[[str], Answer],
    on_progress: Callable[[int], None] = lambda rows: None,
) -> Iterator[tuple[Row, Answer]]:
    """Each row with its answer, in order. ``answer`` answers distinct queries, in order, and is asked each
    query once (an answer about a code on a day never changes: rows with the same code and date share
    it); a row that asks nothing is answered by ``refused`` with why. ``on_progress`` is told how many
    rows each chunk held."""
    known: dict[tuple[str, str | None], Answer] = {}  # by the row's code and date, as written
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK_ROWS)):
        new: dict[tuple[str, str | None], CodeQuery] = {}
        for row in chunk:
            key = (row.code, row.date)
            if row.error is None and key not in known and key not in new:
                asked = query(row)
                if isinstance(asked, str):
                    known[key] = refused(asked)
                else:
                    new[key] = asked
        if new:
            known.update(zip(new, answer(list(new.values())), strict=True))
        for row in chunk:
            yield row, refused(row.error) if row.error is not None else known[(row.code, row.date)]
        on_progress(len(chunk))

"""terminology.bulk.queries: what each row asks, and each distinct question answered once, in the rows' order."""

from __future__ import annotations

from datetime import date

import pytest

from terminology.bulk import queries
from terminology.bulk.queries import answer_rows, row_query
from terminology.bulk.table import Row
from terminology.client.results import CodeQuery


def test_a_row_asks_for_its_code_on_its_date_else_on_the_date_given():
    assert row_query(Row(["m4848xa"], "m4848xa"), date(2026, 5, 1), "2026") == CodeQuery("m4848xa", version="2026", date=date(2026, 5, 1))
    assert row_query(Row([], "A00.0", "2021-06-01"), date(2026, 5, 1)) == CodeQuery("A00.0", date=date(2021, 6, 1))
    assert row_query(Row([], "A00.0", ""), date(2026, 5, 1)) == CodeQuery("A00.0", date=date(2026, 5, 1))  # (an empty date is none)
    assert row_query(Row([], " A00.0 ", "2021")) == CodeQuery(" A00.0 ", date=date(2021, 1, 1))  # (FHIR's date: a year is its first day)


@pytest.mark.parametrize(
    ("row", "why"),
    [
        (Row([], ""), "the row has no code"),
        (Row([], "  "), "the row has no code"),
        (Row([], "A00.0", "2021-02-30"), "'2021-02-30' is not a date (YYYY-MM-DD)"),
        (Row([], "A00.0", "06/01/2021"), "'06/01/2021' is not a date (YYYY-MM-DD)"),
        (Row([], "A00.0", error="the row has 3 fields, the header 2"), "the row has 3 fields, the header 2"),
    ],
)
def test_a_row_that_asks_nothing_says_why(row, why):
    assert row_query(row) == why


def test_each_distinct_code_and_date_is_answered_once_and_every_row_in_order(monkeypatch):
    monkeypatch.setattr(queries, "CHUNK_ROWS", 3)  # (several chunks, and a code that comes again in a later one)
    asked: list[list[str]] = []

    def answer(batch: list[CodeQuery]) -> list[str]:
        asked.append([query.code for query in batch])
        return [f"answer to {query.code} on {query.date}" for query in batch]

    rows = [Row([], "A00.0"), Row([], "B00.0"), Row([], "A00.0"), Row([], ""), Row([], "A00.0", "2021-01-01"), Row([], "B00.0"), Row([], "C00.0", "x")]
    progress: list[int] = []
    answered = list(answer_rows(rows, row_query, answer, lambda why: f"refused: {why}", progress.append))
    assert [(row.code, what) for row, what in answered] == [
        ("A00.0", "answer to A00.0 on None"),
        ("B00.0", "answer to B00.0 on None"),
        ("A00.0", "answer to A00.0 on None"),
        ("", "refused: the row has no code"),
        ("A00.0", "answer to A00.0 on 2021-01-01"),
        ("B00.0", "answer to B00.0 on None"),
        ("C00.0", "refused: 'x' is not a date (YYYY-MM-DD)"),
    ]
    assert asked == [["A00.0", "B00.0"], ["A00.0"]]
    assert progress == [3, 3, 1]

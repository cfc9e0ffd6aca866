"""terminology.bulk.report: each input row with its answer's columns, as CSV or as one JSON object a line."""

from __future__ import annotations

import csv
import json

import pytest

from terminology.bulk.report import open_report
from terminology.bulk.table import UnusableFile

ROWS = [
    (["1", "M48.48"], (True, False, "Fatigue fracture of vertebra, sacral and sacrococcygeal region", None)),
    (["2", 'say "M48.48XA", please'], (False, None, None, "Unknown code, line one\nline two")),
    (["3", "M48.48"], (True, False, "Fatigue fracture of vertebra, sacral and sacrococcygeal region", None)),
]


def _write(path, format: str) -> None:
    with open_report(str(path), format, ("claim", "code"), ("valid", "billable", "display", "message")) as report:
        for fields, values in ROWS:
            report.write(fields, values)


def test_csv_has_the_input_columns_then_the_answers_with_yes_no_as_true_false_and_nothing_empty(tmp_path):
    _write(tmp_path / "report.csv", "csv")
    with open(tmp_path / "report.csv", newline="") as file:
        read = list(csv.reader(file))
    assert read[0] == ["claim", "code", "valid", "billable", "display", "message"]
    assert read[1] == ["1", "M48.48", "true", "false", "Fatigue fracture of vertebra, sacral and sacrococcygeal region", ""]
    assert read[2] == ["2", 'say "M48.48XA", please', "false", "", "", "Unknown code, line one\nline two"]
    assert read[3] == ["3", "M48.48", "true", "false", "Fatigue fracture of vertebra, sacral and sacrococcygeal region", ""]


def test_csv_fields_read_back_as_written_whatever_they_hold(tmp_path):
    """Commas, quotes, line breaks of every kind, spaces at the ends, and text beyond ASCII, in the input's
    fields and in the answer's, read back by the csv module as they were."""
    awkward = ["a,b", 'say "x"', "one\ntwo", "one\rtwo", "one\r\ntwo", " padded ", "", "é, ü", '"', ",", "\n", "plain"]
    path = tmp_path / "report.csv"
    with open_report(str(path), "csv", ("left", "right"), ("answer", "other")) as report:
        for text in awkward:
            report.write([text, "x"], (text, None))
            report.write(["y", text], (True, text))
    with open(path, newline="") as file:
        read = list(csv.reader(file))
    expected = [["left", "right", "answer", "other"]]
    for text in awkward:
        expected += [[text, "x", text, ""], ["y", text, "true", text]]
    assert read == expected


def test_ndjson_has_an_object_a_row_with_json_values(tmp_path):
    _write(tmp_path / "report.ndjson", "ndjson")
    lines = (tmp_path / "report.ndjson").read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"claim": "1", "code": "M48.48", "valid": True, "billable": False,
         "display": "Fatigue fracture of vertebra, sacral and sacrococcygeal region", "message": None},
        {"claim": "2", "code": 'say "M48.48XA", please', "valid": False, "billable": None, "display": None,
         "message": "Unknown code, line one\nline two"},
        {"claim": "3", "code": "M48.48", "valid": True, "billable": False,
         "display": "Fatigue fracture of vertebra, sacral and sacrococcygeal region", "message": None},
    ]  # fmt: skip


def test_a_report_that_cannot_be_written_is_refused_in_one_line(tmp_path):
    with pytest.raises(UnusableFile, match=r"^cannot write .*/no/such/folder/report.csv: No such file or directory$"):
        _write(tmp_path / "no" / "such" / "folder" / "report.csv", "csv")

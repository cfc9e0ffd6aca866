"""scripts/soak.py runs end to end on a short setting against a real server: every kind of request of the mix
is sent and answered without an error, and each worker's memory is read at start, after the warm-up and at the end.

Neither timing nor memory growth is asserted: a run this short says nothing about either.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")

KINDS = {
    "CodeSystem/$validate-code",
    "CodeSystem/$lookup",
    "ValueSet/$validate-code",
    "ValueSet/$expand typeahead",
    "ValueSet/$validate-code tx-resource",
    "batch Bundle",
}


@pytest.fixture(scope="module")
def soaked(tmp_path_factory) -> tuple[dict, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("soak") / "soak.json"
    run = subprocess.run(
        [sys.executable, "scripts/soak.py", "--minutes", "0.3", "--warm-up", "6", "--connections", "8", "--json", str(out)],
        cwd=ROOT, timeout=300, capture_output=True, text=True,
    )
    assert run.returncode in (0, 1) and out.exists(), run.stderr
    return json.loads(out.read_text()), run


def test_every_kind_is_sent_and_answered_without_an_error(soaked):
    report, run = soaked
    answered = {kind: report["warm_up"]["answered"].get(kind, 0) + report["run"]["answered"].get(kind, 0) for kind in KINDS}
    assert all(answered.values()), answered
    assert set(report["warm_up"]["answered"]) | set(report["run"]["answered"]) == KINDS
    assert report["errors"] == 0
    assert "0 errors (0 allowed)" in run.stdout


def test_each_workers_memory_is_read_at_start_after_the_warm_up_and_at_the_end(soaked):
    report, run = soaked
    assert len(report["pss_warm_mb"]) == report["workers"] == 2
    for reading in ("pss_start_mb", "pss_warm_mb", "pss_end_mb"):
        assert report[reading].keys() == report["pss_warm_mb"].keys()
        assert all(size > 0 for size in report[reading].values())
    assert report["passed"] == (run.returncode == 0)
    assert report["passed"] == all(growth <= 0.10 for growth in report["growth"].values())


def test_its_bounds_are_refused_past(tmp_path):
    for arguments in (["--connections", "65"], ["--minutes", "0"], ["--minutes", "0.1", "--warm-up", "6"]):
        run = subprocess.run([sys.executable, "scripts/soak.py", *arguments], cwd=ROOT, timeout=60, capture_output=True, text=True)
        assert run.returncode == 2 and "error:" in run.stderr, arguments

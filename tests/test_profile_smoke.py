"""scripts/profile_workload.py profiles a workload of the benchmark on a tiny setting. No timing is asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_profiler_shows_where_a_workload_spends_its_time():
    pytest.importorskip("pyinstrument")
    run = subprocess.run(
        [sys.executable, "scripts/profile_workload.py", "CodeSystem/$lookup GET", "--seconds", "0.5"],
        cwd=ROOT, timeout=300, capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stderr
    assert "us a request" in run.stdout.splitlines()[0]
    assert "FhirViews.lookup" in run.stdout and "lookup_parameters" in run.stdout


def test_an_unknown_workload_is_refused_with_the_list():
    run = subprocess.run(
        [sys.executable, "scripts/profile_workload.py", "CodeSystem/$nothing"], cwd=ROOT, timeout=300, capture_output=True, text=True
    )
    assert run.returncode != 0 and "CodeSystem/$lookup GET" in run.stdout and "no workload named" in run.stderr

"""``scripts/bench --only cluster`` runs end to end on a tiny setting and writes every figure it promises
(no timing is asserted: each figure is there, positive, and no request failed)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from running_cluster import cluster_script

ROOT = Path(__file__).resolve().parent.parent.parent
WHAT = "cluster: CodeSystem/$validate-code GET, 2 workers a replica"
PARTS = ("replicas", "HAProxy", "Redis", "wrk", "the whole machine")


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_only_the_cluster_figures(compiled_content, tmp_path):
    cluster_script()  # (skips the test where HAProxy or Redis is not installed)
    out = tmp_path / "cluster.json"
    run = subprocess.run(
        [sys.executable, "scripts/benchmark.py", "--only", "cluster", "--seconds", "1", "--turns", "1", "--json", str(out)],
        cwd=ROOT, timeout=300, capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    figures = json.loads(out.read_text())
    by_name: dict[str, list[dict]] = {}
    for figure in figures:
        by_name.setdefault(figure["name"], []).append(figure)
    expected = {f"{WHAT}: one server, no balancer: throughput"}
    for replicas in (1, 2, 3):
        through = f"{WHAT}, {replicas} replica(s) through HAProxy"
        expected |= {f"{through}: {name}" for name in ("throughput", "99th percentile latency", "errors")}
        expected |= {f"{through}: cores busy, {part}" for part in PARTS}
        expected |= {f"{through}: memory (PSS) after the load, {part}" for part in ("a replica (mean)", "HAProxy", "Redis")}
        assert {figure["baseline"] for figure in by_name[f"{through}: throughput"]} == {"1 replica", "one server, no balancer"}
        assert by_name[f"{through}: errors"][0]["value"] == 0
    assert set(by_name) == expected
    for figure in figures:
        if not figure["name"].endswith(("errors", "Redis")):
            assert figure["value"] > 0 and (figure["ratio"] is None or figure["ratio"] > 0), figure
    assert "2 workers a replica, wrk -t2 -c32 for 1 s per run" in run.stdout

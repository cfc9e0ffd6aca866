"""scripts/benchmark.py runs end to end on a tiny setting and writes every figure it promises.

No timing is asserted: the figures are only checked to be there and to be positive (errors zero).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent

pytestmark = [
    pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed"),
    pytest.mark.skipif(not (VENV_BIN / "gunicorn").exists(), reason="gunicorn is not installed (the bench extra)"),
]

OPERATIONS = (
    "CodeSystem/$validate-code GET",
    "CodeSystem/$lookup GET",
    "ValueSet/$validate-code POST",
    "ValueSet/$expand typeahead GET",
)
SERVERS = ("the newest release alone", "every release (the default)")
RELEASE_FIGURES = {
    *(f"releases: start-up to first $lookup, {server} (compiled content cached)" for server in SERVERS),
    *(f"releases: memory (PSS) per worker, {server}" for server in SERVERS),
}
SINGLE_VALIDATION = "CodeSystem/$validate-code GET, one code a request"
SINGLE_IN_VALUE_SET = "ValueSet/$validate-code POST (all of ICD-10-CM), one code a request"
SINGLE_LOOKUP = "CodeSystem/$lookup GET, one code a request"
BULK = {  # each bulk workload, and the one-code form its ratio is to
    SINGLE_VALIDATION: None,
    "ValueSet/$batch-validate-code, 1000 code-system validations a request": SINGLE_VALIDATION,
    "batch Bundle of 1000 CodeSystem/$validate-code GETs": SINGLE_VALIDATION,
    SINGLE_IN_VALUE_SET: None,
    "ValueSet/$batch-validate-code (all of ICD-10-CM), 1000 codes a request": SINGLE_IN_VALUE_SET,
    SINGLE_LOOKUP: None,
    "batch Bundle of 1000 CodeSystem/$lookup GETs": SINGLE_LOOKUP,
}
BULK_FIGURES = {*(f"bulk: {name}" for name in BULK), "bulk: errors"}
TAIL = "tail: CodeSystem/$validate-code GET, 20,000 distinct codes, 16 connections"
TAIL_FIGURES = {
    *(f"{TAIL}: {figure}" for figure in ("median latency", "99th percentile latency", "throughput", "errors",
                                           "99th percentile latency, lowest of 1 turns", "99th percentile latency, highest of 1 turns")),
    *(f"bare Flask on granian: {figure}" for figure in ("99th percentile latency", "throughput",
                                                        "99th percentile latency, lowest of 1 turns", "99th percentile latency, highest of 1 turns")),
}
EXPECTED = {
    *RELEASE_FIGURES,
    *BULK_FIGURES,
    *TAIL_FIGURES,
    "baseline bare Flask on granian: throughput",
    "baseline bare Flask on gunicorn: throughput",
    "start-up to first $lookup (compiled content cached)",
    "start-up to first $lookup, first start (XML parsed and compiled)",
    "first typeahead after a first start (the text index built)",
    "in process: simple_icd_10_cm.is_valid_item",
    "in process: codes validated, answers kept (CodeSystemHandle.validate_code)",
    "in process: codes validated, each answer made (LocalTerminology.validate_code)",
    "ValueSet/$expand typeahead GET, one client: median latency",
    "ValueSet/$expand typeahead GET, one client: 95th percentile latency",
    "ValueSet/$expand typeahead GET, one client: errors",
    *(f"{operation}: {figure}" for operation in OPERATIONS
      for figure in ("throughput vs gunicorn", "median latency", "99th percentile latency", "errors")),
    *(f"scaling: CodeSystem/$validate-code GET with {workers} worker(s)" for workers in (1, 2, 4)),
    *(f"scaling: $expand of {what}, first 100 codes: median latency"
      for what in ("a block (M45-M49, spondylopathies)", "a chapter (13, the musculoskeletal system)", "all of ICD-10-CM")),
}


def _bench(out: Path, *arguments: str) -> tuple[dict[str, dict], str]:
    """scripts/benchmark.py run with ``arguments``, its figures written to ``out``: the figures by name, and what it printed."""
    run = subprocess.run(
        [sys.executable, "scripts/benchmark.py", *arguments, "--json", str(out)], cwd=ROOT, timeout=300, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    return {figure["name"]: figure for figure in json.loads(out.read_text())}, run.stdout


@pytest.fixture(scope="module")
def figures(tmp_path_factory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("bench") / "figures.json"
    return _bench(out, "--seconds", "1", "--queries", "20", "--workers", "1", "--turns", "1")[0]


def test_every_expected_figure_is_written(figures):
    assert EXPECTED <= figures.keys()
    for figure in figures.values():
        assert set(figure) == {"name", "value", "unit", "baseline", "ratio"}


def test_every_request_was_answered(figures):
    errors = {name: figure["value"] for name, figure in figures.items() if name.endswith("errors")}
    assert len(errors) == len(OPERATIONS) + 3
    assert not any(errors.values()), errors


def test_measurements_and_ratios_are_positive(figures):
    for name, figure in figures.items():
        if not name.endswith("errors"):
            assert figure["value"] > 0, name
            assert figure["ratio"] is None or figure["ratio"] > 0, name


def test_typeahead_p95_is_set_beside_its_target(figures):
    p95 = figures["ValueSet/$expand typeahead GET, one client: 95th percentile latency"]
    assert p95["baseline"] == "target 5 ms"
    assert p95["ratio"] == pytest.approx(p95["value"] / 5)


def test_the_typeahead_p99_is_set_beside_its_target(figures):
    p99 = figures["ValueSet/$expand typeahead GET: 99th percentile latency beside its target"]
    assert p99["baseline"] == "target 20 ms" and p99["ratio"] == pytest.approx(p99["value"] / 20)


def test_only_typeahead_sets_its_figures_beside_the_targets(tmp_path):
    figures, _ = _bench(tmp_path / "typeahead.json", "--only", "typeahead", "--seconds", "1", "--queries", "20", "--workers", "1", "--turns", "1")
    assert figures["ValueSet/$expand typeahead GET: 99th percentile latency beside its target"]["baseline"] == "target 20 ms"
    assert figures["ValueSet/$expand typeahead GET, one client: 95th percentile latency"]["baseline"] == "target 5 ms"
    assert figures["ValueSet/$expand typeahead GET: throughput"]["value"] > 0
    assert figures["ValueSet/$expand typeahead GET: errors"]["value"] == 0


def test_every_release_beside_the_newest_alone_against_the_targets(figures):
    start = figures["releases: start-up to first $lookup, every release (the default) (compiled content cached)"]
    assert start["baseline"] == "target 1.5 s" and start["ratio"] == pytest.approx(start["value"] / 1.5)
    memory = figures["releases: memory (PSS) per worker, every release (the default)"]
    alone = figures["releases: memory (PSS) per worker, the newest release alone"]
    assert memory["baseline"] == "the newest release alone (target 1.3)"
    assert memory["ratio"] == pytest.approx(memory["value"] / alone["value"])


def test_only_the_memory_figures(tmp_path):
    found, printed = _bench(tmp_path / "memory.json", "--only", "memory", "--turns", "1", "--workers", "1")
    assert set(found) == RELEASE_FIGURES
    assert all(figure["value"] > 0 for figure in found.values())
    assert "1 workers, 1 starts of each server" in printed


def test_only_the_bulk_figures(tmp_path):
    """``--only batch``: codes a second, batched beside one a request, each batched form as a ratio to its
    one-code form; every batched answer checked before it is timed (an entry that failed would stop the run)."""
    found, printed = _bench(tmp_path / "batch.json", "--only", "batch", "--seconds", "1", "--workers", "1")
    assert set(found) == BULK_FIGURES
    assert found["bulk: errors"]["value"] == 0
    for name, single in BULK.items():
        figure = found[f"bulk: {name}"]
        assert figure["value"] > 0 and figure["unit"] == "codes/s", name
        assert figure["baseline"] == single
        if single is not None:
            assert figure["ratio"] == pytest.approx(figure["value"] / found[f"bulk: {single}"]["value"])
    assert "1 workers, bulk: 20000 distinct codes, 1000 a batched request" in printed


def test_only_the_tail_figures(tmp_path):
    """``--only tail``: our server beside bare Flask on granian, 16 connections; the 99th percentile as a ratio
    to the bare endpoint's and to its target."""
    found, printed = _bench(tmp_path / "tail.json", "--only", "tail", "--seconds", "1", "--turns", "1", "--workers", "1")
    assert set(found) == TAIL_FIGURES
    assert found[f"{TAIL}: errors"]["value"] == 0
    p99 = [figure for figure in json.loads((tmp_path / "tail.json").read_text()) if figure["name"] == f"{TAIL}: 99th percentile latency"]
    assert {figure["baseline"] for figure in p99} == {"bare Flask on granian", "target 10 ms"}
    for figure in p99:
        assert figure["value"] > 0 and figure["ratio"] > 0
    assert "wrk -t2 -c16" in printed


def test_against_another_checkout(tmp_path):
    """``--against``: both servers loaded in turns; every workload's figures as ratios to the other's
    (here the same checkout, so each is a ratio between two runs of the same server)."""
    found, _ = _bench(tmp_path / "against.json", "--against", str(ROOT), "--turns", "1", "--seconds", "1", "--queries", "20", "--workers", "1")
    assert set(found) == {f"{operation}: {figure}" for operation in OPERATIONS
                          for figure in ("throughput", "median latency", "99th percentile latency", "errors")}
    for name, figure in found.items():
        if name.endswith("errors"):
            assert figure["value"] == 0, name
        else:
            assert figure["baseline"] == ROOT.name and figure["ratio"] > 0, name


def test_against_a_folder_without_a_server(tmp_path):
    run = subprocess.run([sys.executable, "scripts/benchmark.py", "--against", str(tmp_path)], cwd=ROOT, timeout=60, capture_output=True, text=True)
    assert run.returncode != 0 and "scripts/setup-env bench" in run.stderr

"""The ``terminology`` command: ``prepare`` compiles the content ahead of a start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from terminology.content import build_registry


def _terminology(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "terminology", *args], capture_output=True, text=True, timeout=300)


def test_prepare_compiles_and_indexes_so_that_a_start_builds_nothing(tmp_path):
    run = _terminology("prepare", "--cache-dir", str(tmp_path))
    assert run.returncode == 0, run.stderr
    assert f"ICD-10-CM 2021, 2025, 2026: compiled and indexed in {tmp_path}" in run.stdout
    built = {path.name: path.stat().st_mtime_ns for path in tmp_path.iterdir()}
    # each of the three releases compiled (.marshal) and indexed (.sqlite, built under a .lock beside it)
    assert sorted(Path(name).suffix for name in built) == [".lock"] * 3 + [".marshal"] * 3 + [".sqlite"] * 3

    registry = build_registry(cache_dir=tmp_path)
    assert registry.code_system("http://hl7.org/fhir/sid/icd-10-cm").text_search("fatigue fracture sacr") is not None
    assert {path.name: path.stat().st_mtime_ns for path in tmp_path.iterdir()} == built


def test_prepare_refuses_a_file_that_is_not_there(tmp_path):
    run = _terminology("prepare", "--cache-dir", str(tmp_path), "--data", str(tmp_path / "missing.xml"))
    assert run.returncode == 2
    assert run.stderr.strip() == f"terminology prepare: [Errno 2] No such file or directory: '{tmp_path / 'missing.xml'}'"


def test_prepare_refuses_a_file_that_is_no_tabular_list(tmp_path):
    other = tmp_path / "other.xml"
    other.write_text("<ClaML/>")
    run = _terminology("prepare", "--cache-dir", str(tmp_path), "--data", str(other))
    assert run.returncode == 2
    assert run.stderr.strip() == f"terminology prepare: {other}: the root element is <ClaML>, not <ICD10CM.tabular>"


def test_serve_refuses_an_unknown_supplement_before_it_listens(tmp_path):
    run = _terminology("serve", "--port", "0", "--cache-dir", str(tmp_path), "--supplement", "http://example.org/nothing")
    assert run.returncode == 2
    assert run.stderr.strip().endswith("terminology serve: Required supplement not found: http://example.org/nothing")

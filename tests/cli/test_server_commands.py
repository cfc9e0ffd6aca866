"""The commands about the server and its content: ``prepare`` compiles the content ahead of a start, ``serve``
refuses what it cannot serve before it listens."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from terminology.content import build_registry

FY2021 = Path(__file__).resolve().parents[2] / "resources" / "icd10cm" / "icd10cm-tabular-January-1-2021.xml.gz"


def _terminology(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "terminology", *args], capture_output=True, text=True, timeout=300)


def test_prepare_compiles_and_indexes_so_that_a_start_builds_nothing(tmp_path):
    cache_dir, data_dir = tmp_path / "cache", tmp_path / "data"
    (data_dir / "icd10cm").mkdir(parents=True)  # a release in the data folder, as `terminology import` leaves it
    shutil.copy(FY2021, data_dir / "icd10cm" / "icd10cm-tabular-2020-10-01.xml.gz")
    run = _terminology("prepare", "--cache-dir", str(cache_dir), "--data-dir", str(data_dir))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(
        "ICD-10-CM FY2021 from 2020-10-01, FY2021 from 2021-01-01, FY2025 from 2025-04-01, FY2026 from 2026-04-01: "
        f"compiled and indexed in {cache_dir} ("
    )
    built = {path.name: path.stat().st_mtime_ns for path in cache_dir.iterdir()}
    # each release compiled (.marshal) and indexed (.sqlite, built under a .lock beside it), once per content:
    # the data folder's is a copy of the embedded January 2021 file, so the four releases are three contents;
    # and the four compiled together (one more .marshal), which is what a start reads; the code history; the
    # CMS-HCC maps; ICD-9-CM with the GEMs; and the MS-DRG tables of FY2026
    assert sorted(Path(name).suffix for name in built) == [".lock"] * 3 + [".marshal"] * 8 + [".sqlite"] * 3
    assert len([name for name in built if name.startswith("icd10cm-releases-")]) == 1
    assert len([name for name in built if name.startswith("icd10cm-history-")]) == 1
    assert len([name for name in built if name.startswith("cms-hcc-")]) == 1
    assert len([name for name in built if name.startswith("icd9cm-gems-")]) == 1
    assert len([name for name in built if name.startswith("ms-drg-")]) == 1

    registry = build_registry(cache_dir=cache_dir, data_dir=data_dir)
    assert registry.code_system("http://hl7.org/fhir/sid/icd-10-cm").text_search("fatigue fracture sacr") is not None
    assert registry.code_system("http://hl7.org/fhir/sid/icd-10-cm", "2020-10-01").text_search("cholera") is not None
    assert {path.name: path.stat().st_mtime_ns for path in cache_dir.iterdir()} == built


def test_prepare_refuses_a_file_that_is_not_there(tmp_path):
    run = _terminology("prepare", "--cache-dir", str(tmp_path), "--data", str(tmp_path / "missing.xml"))
    assert run.returncode == 2
    assert run.stderr.strip() == f"terminology prepare: {tmp_path / 'missing.xml'}: cannot be read: No such file or directory"


def test_prepare_refuses_a_file_that_is_no_tabular_list(tmp_path):
    other = tmp_path / "other.xml"
    other.write_text("<ClaML/>")
    run = _terminology("prepare", "--cache-dir", str(tmp_path), "--data", str(other))
    assert run.returncode == 2
    assert run.stderr.strip() == f"terminology prepare: {other}: the root element is <ClaML>, not <ICD10CM.tabular>"


def test_prepare_refuses_a_gzip_file_cut_short(tmp_path):
    cut = tmp_path / "icd10cm-tabular-2021.xml.gz"
    cut.write_bytes(FY2021.read_bytes()[:100_000])
    run = _terminology("prepare", "--cache-dir", str(tmp_path), "--data", str(cut))
    assert run.returncode == 2
    assert run.stderr == f"terminology prepare: {cut}: Compressed file ended before the end-of-stream marker was reached\n"


def test_serve_refuses_an_unknown_supplement_before_it_listens(tmp_path):
    run = _terminology("serve", "--port", "0", "--cache-dir", str(tmp_path), "--supplement", "http://example.org/nothing")
    assert run.returncode == 2
    assert run.stderr.strip().endswith("terminology serve: Required supplement not found: http://example.org/nothing")

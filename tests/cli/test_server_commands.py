"""The commands about the server and its content: ``prepare`` compiles the content ahead of a start, ``serve``
refuses what it cannot serve before it listens: a file (named, in one line), a setting, an address in use."""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from terminology.content import build_registry

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
FY2021 = RESOURCES / "icd10cm" / "icd10cm-tabular-January-1-2021.xml.gz"
GUIDANCE_PACKAGE = RESOURCES / "icd10cm-guidance" / "package"


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


def _package_cut_short(folder: Path) -> bytes:
    """The coding guidance as a FHIR package (``package.tgz``), cut in the middle."""
    packed = io.BytesIO()
    with tarfile.open(fileobj=packed, mode="w:gz") as archive:
        archive.add(folder, arcname="package")
    return packed.getvalue()[: len(packed.getvalue()) // 2]


# (option, file name, its bytes): what `serve` is given, and must refuse whole before it listens
_UNSERVABLE = {
    "a release that is not there": ("--data", "icd10cm-tabular-2021.xml.gz", None),
    "a release's gzip cut short": ("--data", "icd10cm-tabular-2021.xml.gz", FY2021.read_bytes()[:100_000]),
    "a release that is not XML": ("--data", "icd10cm-tabular-2021.xml", b"ICD-10-CM, FY2021\n"),
    "XML that is not a tabular list": ("--data", "icd10cm-tabular-2021.xml", b"<ClaML version='2.0.0'/>"),
    "a resource file that is not JSON": ("--resources", "CodeSystem-x.json", b'{"resourceType": "CodeSystem", '),
    "a package cut short": ("--resources", "package.tgz", "package cut short"),
}


@pytest.mark.parametrize("case", _UNSERVABLE)
def test_serve_refuses_a_file_it_cannot_serve_in_one_line_before_it_listens(tmp_path, case):
    option, name, content = _UNSERVABLE[case]
    given = tmp_path / name
    if content is not None:
        given.write_bytes(_package_cut_short(GUIDANCE_PACKAGE) if content == "package cut short" else content)
    run = _terminology("serve", "--port", "0", "--cache-dir", str(tmp_path / "cache"), option, str(given))
    assert run.returncode == 2
    [line] = run.stderr.splitlines()  # one line, no traceback, and no port was opened
    assert line.startswith(f"terminology serve: {given}"), line
    assert "Listening" not in run.stdout + run.stderr


def test_serve_refuses_a_setting_it_cannot_read(tmp_path):
    environ = {**os.environ, "TERMINOLOGY_SHUTDOWN_SECONDS": "soon"}
    run = subprocess.run(
        [sys.executable, "-m", "terminology", "serve", "--port", "0", "--cache-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=300, env=environ,
    )  # fmt: skip
    assert run.returncode == 2
    assert run.stderr.splitlines() == ["terminology serve: TERMINOLOGY_SHUTDOWN_SECONDS is 'soon': it takes a number"]


def test_serve_refuses_an_address_in_use_before_it_loads_the_content(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        run = _terminology("serve", "--port", str(port), "--cache-dir", str(tmp_path))
    assert run.returncode == 2
    assert run.stderr.splitlines() == [f"terminology serve: cannot listen on 127.0.0.1:{port}: Address already in use"]
    assert not list(tmp_path.iterdir())  # nothing was compiled: the content was not loaded


def test_serve_refuses_per_process_caches_for_several_workers(tmp_path):
    environ = {**os.environ, "TERMINOLOGY_CACHE_STORE": "process"}
    run = subprocess.run(
        [sys.executable, "-m", "terminology", "serve", "--port", "0", "--workers", "2", "--cache-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=300, env=environ,
    )  # fmt: skip
    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        "terminology serve: TERMINOLOGY_CACHE_STORE is process, which keeps each worker's validator caches apart: "
        "with 2 workers, use files or redis"
    ]

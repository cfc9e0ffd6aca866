"""``terminology import``: a CDC release file, added to an empty data folder, which a server then
serves beside the embedded releases; and files it refuses, leaving nothing behind.

The release imported is the FY2021 tabular XML the CDC published (the embedded file), under the name
the CDC gives it, without a date: ``icd10cm_tabular_2021.xml``. It so takes effect on October 1, 2020,
the day FY2021 began, and is served as version ``2020-10-01`` beside the embedded January 2021 update.
"""

from __future__ import annotations

import gzip
import io
import logging
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import requests

from running_server import ROOT, RunningServer, free_port, start, stop
from terminology.content import build_registry
from terminology.loaders.data_folder import write_release
from terminology.loaders.release_cache import load_release
from terminology.providers.icd10cm_text_index import Icd10cmTextIndex
from terminology.web import create_app

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
EMBEDDED_FY2021 = ROOT / "resources" / "icd10cm" / "icd10cm-tabular-January-1-2021.xml.gz"
FY2021_CONCEPTS = 95_616  # what tests/loaders/test_embedded_releases.py finds in the file, read independently
IMPORTED_NAME = "icd10cm-tabular-2020-10-01.xml.gz"


def _terminology(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "terminology", *map(str, args)], capture_output=True, text=True, timeout=300, cwd=ROOT
    )


def _files(folder: Path) -> dict[str, int]:
    """Every file below ``folder`` (hidden ones too), with the time it was last written."""
    return {str(path.relative_to(folder)): path.stat().st_mtime_ns for path in folder.rglob("*") if path.is_file()}


@pytest.fixture(scope="module")
def fy2021_xml() -> bytes:
    return gzip.decompress(EMBEDDED_FY2021.read_bytes())


@pytest.fixture(scope="module")
def cdc_file(tmp_path_factory: pytest.TempPathFactory, fy2021_xml: bytes) -> Path:
    path = tmp_path_factory.mktemp("download") / "icd10cm_tabular_2021.xml"
    path.write_bytes(fy2021_xml)
    return path


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory, cdc_file: Path, cache_dir: Path):
    """The data folder, empty before, and the command's run."""
    data_dir = tmp_path_factory.mktemp("data")
    run = _terminology("import", cdc_file, "--data-dir", data_dir, "--cache-dir", cache_dir)
    assert run.returncode == 0, run.stderr
    return data_dir, run


@pytest.fixture(scope="module")
def server(imported, cache_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """``scripts/serve``, started as a user who set ``TERMINOLOGY_DATA_DIR`` to the data folder starts it."""
    data_dir, _ = imported
    port = free_port()
    env = {"PORT": str(port), "WORKERS": "1", "TERMINOLOGY_DATA_DIR": str(data_dir), "TERMINOLOGY_CACHE_DIR": str(cache_dir)}
    running = start([str(ROOT / "scripts" / "serve")], env, port, tmp_path_factory.mktemp("serve") / "server.log")
    yield running
    stop(running)


# -- an import ------------------------------------------------------------------------------------


def test_an_import_says_in_one_line_what_it_imported_and_where(imported, cdc_file: Path, cache_dir: Path) -> None:
    data_dir, run = imported
    assert run.stdout.startswith(
        f"ICD-10-CM FY2021, in effect from 2020-10-01: {FY2021_CONCEPTS:,} concepts imported from {cdc_file} "
        f"into {data_dir / 'icd10cm' / IMPORTED_NAME}, compiled and indexed in {cache_dir} ("
    )
    assert run.stdout.count("\n") == 1


def test_the_data_folder_holds_the_release_compressed_and_nothing_else(imported, fy2021_xml: bytes) -> None:
    data_dir, _ = imported
    assert list(_files(data_dir)) == [f"icd10cm/{IMPORTED_NAME}"]
    assert gzip.decompress((data_dir / "icd10cm" / IMPORTED_NAME).read_bytes()) == fy2021_xml


def test_the_import_compiled_and_indexed_the_release_so_that_a_start_does_neither(imported, cache_dir: Path) -> None:
    data_dir, _ = imported
    path = data_dir / "icd10cm" / IMPORTED_NAME
    built = _files(cache_dir)
    release = load_release(path, cache_dir)
    index = Icd10cmTextIndex.for_release(release, path, cache_dir)
    assert release.effective == date(2020, 10, 1) and len(release.entries) == FY2021_CONCEPTS
    assert index.search("cholera vibrio", limit=1) == ["A00.0"]
    assert _files(cache_dir) == built


def test_the_zip_the_cdc_publishes_imports_the_same_release(tmp_path: Path, imported, cdc_file: Path, cache_dir: Path) -> None:
    archive = tmp_path / "icd10cm-Table and Index-2021.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zip_file:
        zip_file.writestr("icd10cm_index_2021.xml", "<ICD10CM.index/>")
        zip_file.write(cdc_file, "icd10cm_tabular_2021.xml")
        zip_file.writestr("__MACOSX/._icd10cm_tabular_2021.xml", b"\0\5\26\7")  # what a Mac adds
        zip_file.writestr("icd10cm_tabular_2021.pdf", b"%PDF-1.4")
    data_dir = tmp_path / "data"
    run = _terminology("import", archive, "--data-dir", data_dir, "--cache-dir", cache_dir)
    assert run.returncode == 0, run.stderr
    assert f"{FY2021_CONCEPTS:,} concepts imported from {archive} into {data_dir / 'icd10cm' / IMPORTED_NAME}" in run.stdout
    # Compressed the same way, byte for byte: the compiled copy in the cache is found again.
    assert (data_dir / "icd10cm" / IMPORTED_NAME).read_bytes() == (imported[0] / "icd10cm" / IMPORTED_NAME).read_bytes()


# -- the server -----------------------------------------------------------------------------------


def test_the_server_serves_the_imported_release_beside_the_embedded_ones(server: RunningServer) -> None:
    bundle = requests.get(f"{server.base}/CodeSystem", params={"url": ICD10CM}, timeout=30).json()
    versions = {entry["resource"]["version"]: entry["resource"] for entry in bundle["entry"]}
    assert sorted(versions) == ["2020-10-01", "2021", "2025", "2026"]
    assert versions["2020-10-01"]["id"] == "icd-10-cm-2020-10-01"
    assert versions["2020-10-01"]["count"] == FY2021_CONCEPTS
    assert versions["2026"]["id"] == "icd-10-cm"  # the newest is still the default


def test_a_lookup_in_the_imported_release(server: RunningServer) -> None:
    response = requests.get(
        f"{server.base}/CodeSystem/$lookup", params={"system": ICD10CM, "code": "A00.0", "version": "2020-10-01"}, timeout=30
    )
    assert response.status_code == 200, response.text
    answer = {parameter["name"]: parameter for parameter in response.json()["parameter"]}
    assert answer["version"]["valueString"] == "2020-10-01"
    assert answer["display"]["valueString"] == "Cholera due to Vibrio cholerae 01, biovar cholerae"


def test_the_imported_release_is_in_effect_until_the_update_that_follows_it(imported, cache_dir: Path) -> None:
    registry = build_registry(cache_dir=cache_dir, data_dir=imported[0])
    for day, version in [(date(2020, 10, 1), "2020-10-01"), (date(2020, 12, 31), "2020-10-01"), (date(2021, 1, 1), "2021")]:
        provider, covered = registry.in_effect(ICD10CM, day)
        assert (provider.info.version, covered) == (version, True), day


def test_an_imported_release_is_served_instead_of_a_given_one_of_the_same_day(
    tmp_path: Path, fy2021_xml: bytes, cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    retitled = fy2021_xml.replace(b"<desc>Cholera due to Vibrio cholerae 01, biovar cholerae</desc>", b"<desc>Cholera, as the user has it</desc>")
    assert retitled != fy2021_xml
    imported = write_release(tmp_path, date(2021, 1, 1), retitled)
    with caplog.at_level(logging.INFO, logger="terminology.content"):
        registry = build_registry([EMBEDDED_FY2021], cache_dir=cache_dir, data_dir=tmp_path)
    assert f"ICD-10-CM 2021-01-01: serving {imported} from the data folder, not {EMBEDDED_FY2021}" in caplog.messages
    client = create_app(registry=registry).test_client()
    answer = client.get("/fhir/CodeSystem/$lookup", query_string={"system": ICD10CM, "code": "A00.0", "version": "2021"}).get_json()
    assert {parameter["name"]: parameter for parameter in answer["parameter"]}["display"]["valueString"] == "Cholera, as the user has it"


# -- refused --------------------------------------------------------------------------------------


def _half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zip_file:
        for name, data in members.items():
            zip_file.writestr(name, data)
    return buffer.getvalue()


REFUSED = {  # case: (file name, its content made from the FY2021 XML, further arguments, what is wrong)
    "an XML file cut in the middle": (
        "icd10cm_tabular_2021.xml", _half, (), "Premature end of data in tag note line 119840, line 119840, column 72 (<string>, line 119840)",
    ),
    "a gzip file cut in the middle": (
        "icd10cm_tabular_2021.xml.gz", lambda xml: _half(gzip.compress(xml)), (),
        "Compressed file ended before the end-of-stream marker was reached",
    ),
    "a file that is not XML": (
        "icd10cm_tabular_2021.xml", lambda xml: b"Code,Title\nA00.0,Cholera\n", (),
        "Start tag expected, '<' not found, line 1, column 1 (<string>, line 1)",
    ),
    "a file that is not gzip-compressed": (
        "icd10cm_tabular_2021.xml.gz", lambda xml: xml, (), "Not a gzipped file (b'<?')",
    ),
    "another XML file": (
        "icd10cm_tabular_2021.xml", lambda xml: b"<ClaML version='2.0.0'/>", (), "the root element is <ClaML>, not <ICD10CM.tabular>",
    ),
    "a tabular file without a fiscal year": (
        "icd10cm_tabular_2021.xml", lambda xml: xml.replace(b"<version>2021</version>", b"<version>current</version>"), (),
        "<ICD10CM.tabular> has no <version> naming a fiscal year (it has 'current')",
    ),
    "a date outside the file's fiscal year": (
        "icd10cm_tabular_2021.xml", lambda xml: xml, ("--effective", "2021-10-01"),
        "the effective date asked for is 2021-10-01, which is not in FY2021 (2020-10-01 to 2021-09-30), "
        "the fiscal year the file's <version> names",
    ),
    "a zip without the tabular file": (
        "icd10cm-Table and Index-2021.zip", lambda xml: _zip({"icd10cm_index_2021.xml": b"<ICD10CM.index/>", "Tabular.pdf": b"%PDF"}), (),
        "the zip holds no tabular XML file (named like icd10cm-tabular-2027.xml); it holds icd10cm_index_2021.xml, Tabular.pdf",
    ),
    "a zip with two tabular files": (
        "icd10cm-Table and Index-2021.zip",
        lambda xml: _zip({"2020/icd10cm_tabular_2020.xml": b"<ICD10CM.tabular/>", "2021/icd10cm_tabular_2021.xml": b"<ICD10CM.tabular/>"}), (),
        "the zip holds several tabular XML files (named like icd10cm-tabular-2027.xml); "
        "it holds 2020/icd10cm_tabular_2020.xml, 2021/icd10cm_tabular_2021.xml",
    ),
    "a zip cut in the middle": (
        "icd10cm-Table and Index-2021.zip", lambda xml: _half(_zip({"icd10cm_tabular_2021.xml": xml})), (),
        "the zip is damaged or cut short (File is not a zip file)",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_file_that_holds_no_release_is_refused_and_nothing_is_written(tmp_path: Path, fy2021_xml: bytes, case: str) -> None:
    name, content, arguments, wrong = REFUSED[case]
    path = tmp_path / name
    path.write_bytes(content(fy2021_xml))
    data_dir, cache_dir = tmp_path / "data", tmp_path / "cache"
    data_dir.mkdir(), cache_dir.mkdir()
    run = _terminology("import", path, *arguments, "--data-dir", data_dir, "--cache-dir", cache_dir)
    assert (run.returncode, run.stdout, run.stderr) == (2, "", f"terminology import: {path}: {wrong}\n")
    assert list(data_dir.iterdir()) == [] and list(cache_dir.iterdir()) == []


def test_a_file_that_is_not_there_is_refused(tmp_path: Path) -> None:
    run = _terminology("import", tmp_path / "icd10cm_tabular_2027.xml", "--data-dir", tmp_path / "data")
    assert (run.returncode, run.stderr) == (2, f"terminology import: [Errno 2] No such file or directory: '{tmp_path / 'icd10cm_tabular_2027.xml'}'\n")
    assert list(tmp_path.iterdir()) == []


def test_a_zip_member_too_large_for_a_tabular_list_is_refused_before_it_is_read(tmp_path: Path) -> None:
    archive = tmp_path / "icd10cm-table-index-2027.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zip_file:
        with zip_file.open("icd10cm-tabular-2027.xml", "w", force_zip64=True) as member:
            for _ in range(201):  # 201 MiB of spaces, which compress to a few hundred kilobytes
                member.write(b" " * 1024 * 1024)
    run = _terminology("import", archive, "--data-dir", tmp_path / "data", "--cache-dir", tmp_path / "cache")
    assert (run.returncode, run.stderr) == (
        2, f"terminology import: {archive} (icd10cm-tabular-2027.xml): the XML is over 200 MB, far more than a tabular list (about 25 MB)\n"
    )
    assert sorted(tmp_path.iterdir()) == [archive]


def test_a_refused_file_leaves_the_release_imported_before_as_it_was(tmp_path: Path, imported, fy2021_xml: bytes, cache_dir: Path) -> None:
    data_dir, _ = imported
    before = _files(data_dir)
    cut = tmp_path / "icd10cm_tabular_2021.xml"
    cut.write_bytes(_half(fy2021_xml))
    assert _terminology("import", cut, "--data-dir", data_dir, "--cache-dir", cache_dir).returncode == 2
    assert _files(data_dir) == before

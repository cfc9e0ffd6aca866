"""terminology.loaders.fhir_files: resources from files, folders and FHIR packages built in tmp_path,
read with the FHIR codec as the server reads them."""

from __future__ import annotations

import gzip
import io
import tarfile
import time
from collections.abc import Collection, Iterable
from pathlib import Path

import orjson
import pytest

from terminology.content import resources_dir
from terminology.fhir import codec
from terminology.loaders import fhir_files
from terminology.loaders.fhir_files import DEFAULT_KINDS, LoadedResource, ResourceFileError, package_manifest

GENDER_CS = {
    "resourceType": "CodeSystem",
    "id": "gender",
    "url": "http://example.org/CodeSystem/gender",
    "status": "active",
    "content": "complete",
    "concept": [{"code": "f", "display": "Female"}, {"code": "m", "display": "Male"}],
}
GENDER_VS = {
    "resourceType": "ValueSet",
    "id": "gender",
    "url": "http://example.org/ValueSet/gender",
    "status": "active",
    "compose": {"include": [{"system": "http://example.org/CodeSystem/gender"}]},
}
MAP = {"resourceType": "ConceptMap", "id": "map", "url": "http://example.org/ConceptMap/map", "status": "draft"}
PATIENT = {"resourceType": "Patient", "id": "p1"}
CS_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<CodeSystem xmlns="http://hl7.org/fhir">
  <id value="colors"/>
  <url value="http://example.org/CodeSystem/colors"/>
  <status value="draft"/>
  <content value="complete"/>
  <concept><code value="red"/></concept>
  <concept><code value="blue"/></concept>
</CodeSystem>
"""
MANIFEST = {
    "name": "example.fhir.terms",
    "version": "1.0.0",
    "fhirVersions": ["4.0.1"],
    "dependencies": {"hl7.fhir.r4.core": "4.0.1"},
}


def load_resources(paths: Iterable[str | Path] | str | Path, kinds: Collection[str] = DEFAULT_KINDS) -> list[LoadedResource]:
    return fhir_files.load_resources(paths, codec.parse, kinds)


def _json(resource: dict) -> bytes:
    return orjson.dumps(resource)


def _bundle(*resources: dict) -> dict:
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _urls(loaded: list[LoadedResource]) -> list[str]:
    return [item.resource["url"] for item in loaded]


def _package(path: Path, files: dict[str, bytes], links: dict[str, str] | None = None) -> Path:
    """A gzipped tarball with ``files`` (member name -> bytes) and symbolic links (name -> target)."""
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            archive.addfile(info)
    return path


def _index(*entries: tuple[str, dict]) -> bytes:
    files = [{"filename": name, "resourceType": r["resourceType"], "id": r["id"], "url": r.get("url")} for name, r in entries]
    return orjson.dumps({"index-version": 1, "files": files})


# --- files --------------------------------------------------------------------------------


def test_a_json_file(tmp_path):
    path = _write(tmp_path / "cs.json", _json(GENDER_CS))
    loaded = load_resources([path])
    assert loaded == [LoadedResource(GENDER_CS, str(path))]


def test_an_xml_file_reads_as_its_json_form(tmp_path):
    path = _write(tmp_path / "colors.xml", CS_XML)
    [item] = load_resources([str(path)])
    assert item.resource["url"] == "http://example.org/CodeSystem/colors"
    assert [c["code"] for c in item.resource["concept"]] == ["red", "blue"]
    assert item.source == str(path)


def test_gzipped_json_and_xml(tmp_path):
    json_gz = _write(tmp_path / "vs.json.gz", gzip.compress(_json(GENDER_VS)))
    xml_gz = _write(tmp_path / "colors.xml.gz", gzip.compress(CS_XML))
    assert _urls(load_resources([json_gz, xml_gz])) == [GENDER_VS["url"], "http://example.org/CodeSystem/colors"]


def test_a_single_path_need_not_be_in_a_list(tmp_path):
    path = _write(tmp_path / "cs.json", _json(GENDER_CS))
    assert _urls(load_resources(path)) == [GENDER_CS["url"]]
    assert _urls(load_resources(str(path))) == [GENDER_CS["url"]]


def test_a_bundle_is_unpacked_and_other_kinds_are_left_out(tmp_path):
    nested = _bundle(MAP)
    path = _write(tmp_path / "b.json", _json(_bundle(GENDER_CS, PATIENT, GENDER_VS, nested)))
    loaded = load_resources([path])
    assert _urls(loaded) == [GENDER_CS["url"], GENDER_VS["url"], MAP["url"]]
    assert {item.source for item in loaded} == {str(path)}


def test_kinds_chooses_the_resource_types(tmp_path):
    path = _write(tmp_path / "b.json", _json(_bundle(GENDER_CS, PATIENT, GENDER_VS, MAP)))
    assert _urls(load_resources([path], kinds={"ValueSet"})) == [GENDER_VS["url"]]
    assert [r.resource["id"] for r in load_resources([path], kinds={"Patient"})] == ["p1"]
    assert load_resources([path], kinds=frozenset()) == []


def test_a_bundle_entry_without_resource_is_skipped(tmp_path):
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"fullUrl": "urn:x"}, {"resource": GENDER_CS}]}
    assert _urls(load_resources([_write(tmp_path / "b.json", _json(bundle))])) == [GENDER_CS["url"]]


# --- folders ------------------------------------------------------------------------------


def test_a_folder_is_read_recursively_in_sorted_order(tmp_path):
    _write(tmp_path / "b" / "z.json", _json(GENDER_VS))
    _write(tmp_path / "b" / "a" / "deep.xml", CS_XML)
    _write(tmp_path / "a.json.gz", gzip.compress(_json(GENDER_CS)))
    _write(tmp_path / "c.json", _json(_bundle(MAP, PATIENT)))
    _write(tmp_path / "notes.md", b"# not a resource")
    _write(tmp_path / "package.json", orjson.dumps(MANIFEST))
    _write(tmp_path / ".index.json", b"{}")
    _write(tmp_path / ".hidden" / "x.json", b"not json")
    loaded = load_resources([tmp_path])
    assert _urls(loaded) == [
        GENDER_CS["url"],
        "http://example.org/CodeSystem/colors",
        GENDER_VS["url"],
        MAP["url"],
    ]
    assert loaded[1].source == str(tmp_path / "b" / "a" / "deep.xml")


def test_paths_are_read_in_the_order_given(tmp_path):
    first = _write(tmp_path / "z.json", _json(GENDER_VS))
    second = _write(tmp_path / "a.json", _json(GENDER_CS))
    assert _urls(load_resources([first, second])) == [GENDER_VS["url"], GENDER_CS["url"]]


def test_an_empty_folder_gives_nothing(tmp_path):
    assert load_resources([tmp_path]) == []


# --- packages -----------------------------------------------------------------------------


def _package_files(with_index: bool) -> dict[str, bytes]:
    files = {
        "package/package.json": orjson.dumps(MANIFEST),
        "package/CodeSystem-gender.json": _json(GENDER_CS),
        "package/ValueSet-gender.json": _json(GENDER_VS),
        "package/Patient-p1.json": _json(PATIENT),
        "package/ConceptMap-map.json": _json(MAP),
        "package/other/ValueSet-other.json": _json({**GENDER_VS, "url": "http://example.org/other"}),
        "package/example/CodeSystem-example.json": _json({**GENDER_CS, "url": "http://example.org/example"}),
        "package/openapi/x.json": b"{}",
        "README.md": b"outside package/",
    }
    if with_index:
        files["package/.index.json"] = _index(
            ("CodeSystem-gender.json", GENDER_CS),
            ("ValueSet-gender.json", GENDER_VS),
            ("Patient-p1.json", PATIENT),
            ("ConceptMap-map.json", MAP),
        )
    return files


@pytest.mark.parametrize("with_index", [True, False])
def test_a_package(tmp_path, with_index):
    path = _package(tmp_path / "terms.tgz", _package_files(with_index))
    loaded = load_resources([path])
    assert sorted(_urls(loaded)) == sorted([GENDER_CS["url"], GENDER_VS["url"], MAP["url"]])
    sources = {item.resource["id"]: item.source for item in loaded if item.resource["resourceType"] == "CodeSystem"}
    assert sources == {"gender": f"{path}!package/CodeSystem-gender.json"}


def test_the_index_spares_parsing_other_kinds(tmp_path):
    # A file the index calls a StructureDefinition is never parsed, so even broken content does no harm.
    files = _package_files(with_index=False)
    files["package/StructureDefinition-big.json"] = b"{ not parsed"
    files["package/.index.json"] = orjson.dumps(
        {
            "index-version": 1,
            "files": [
                {"filename": "CodeSystem-gender.json", "resourceType": "CodeSystem", "id": "gender"},
                {"filename": "StructureDefinition-big.json", "resourceType": "StructureDefinition", "id": "big"},
            ],
        }
    )
    path = _package(tmp_path / "terms.tar.gz", files)
    assert _urls(load_resources([path])) == [GENDER_CS["url"]]


def test_without_an_index_every_file_is_parsed(tmp_path):
    files = _package_files(with_index=False)
    files["package/StructureDefinition-big.json"] = b"{ broken"
    path = _package(tmp_path / "terms.tgz", files)
    with pytest.raises(ResourceFileError, match=r"terms\.tgz!package/StructureDefinition-big\.json"):
        load_resources([path])


def test_an_index_naming_a_missing_file(tmp_path):
    files = _package_files(with_index=False)
    files["package/.index.json"] = _index(("CodeSystem-missing.json", GENDER_CS))
    with pytest.raises(ResourceFileError, match="CodeSystem-missing.json"):
        load_resources([_package(tmp_path / "p.tgz", files)])


def test_a_package_with_a_leading_dot_slash(tmp_path):
    files = {"./" + name: data for name, data in _package_files(with_index=True).items()}
    path = _package(tmp_path / "p.tgz", files)
    assert len(load_resources([path])) == 3
    assert package_manifest(path)["name"] == "example.fhir.terms"


def test_a_folder_does_not_open_packages(tmp_path):
    _package(tmp_path / "p.tgz", _package_files(with_index=True))
    assert load_resources([tmp_path]) == []


def test_package_manifest(tmp_path):
    path = _package(tmp_path / "terms.tgz", _package_files(with_index=True))
    manifest = package_manifest(path)
    assert manifest == MANIFEST
    assert manifest["fhirVersions"] == ["4.0.1"]


def test_a_symlink_member_is_passed_over(tmp_path):
    files = _package_files(with_index=False)
    links = {"package/ValueSet-link.json": "../../../../etc/passwd", "package/CodeSystem-link.json": "CodeSystem-gender.json"}
    path = _package(tmp_path / "p.tgz", files, links)
    loaded = load_resources([path])
    assert sorted(item.source.split("!")[1] for item in loaded) == [
        "package/CodeSystem-gender.json",
        "package/ConceptMap-map.json",
        "package/ValueSet-gender.json",
    ]


def test_a_symlinked_manifest_is_no_manifest(tmp_path):
    path = _package(tmp_path / "p.tgz", {"package/real.json": orjson.dumps(MANIFEST)}, {"package/package.json": "real.json"})
    with pytest.raises(ResourceFileError, match="not a FHIR package"):
        package_manifest(path)


def test_an_oversized_member(tmp_path, monkeypatch):
    monkeypatch.setattr(fhir_files, "MAX_MEMBER_SIZE", 1000)
    files = _package_files(with_index=False)
    files["package/CodeSystem-huge.json"] = _json({**GENDER_CS, "description": "x" * 2000})
    with pytest.raises(ResourceFileError, match=r"CodeSystem-huge\.json is \d+ bytes, over the limit"):
        load_resources([_package(tmp_path / "p.tgz", files)])


def test_a_package_over_the_total_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(fhir_files, "MAX_PACKAGE_SIZE", 600)
    with pytest.raises(ResourceFileError, match="more than 600 bytes"):
        load_resources([_package(tmp_path / "p.tgz", _package_files(with_index=True))])


# --- bad input ----------------------------------------------------------------------------


def test_a_missing_path(tmp_path):
    missing = tmp_path / "nowhere.json"
    with pytest.raises(ResourceFileError, match="nowhere.json: no such file or folder"):
        load_resources([missing])
    with pytest.raises(ResourceFileError, match="no such file"):
        package_manifest(tmp_path / "nowhere.tgz")


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("bad.json", b"{ not json", "not valid JSON"),
        ("array.json", b"[1, 2]", "must be a JSON object"),
        ("plain.json", b'{"name": "x"}', "no resourceType"),
        ("empty.json", b"", "empty"),
        ("bad.xml", b"<CodeSystem xmlns='http://hl7.org/fhir'><id value='x'/>", "not well-formed"),
        ("root.xml", b"<CodeSystem><id value='x'/></CodeSystem>", "not in the FHIR namespace"),
        ("unknown.xml", b"<Nonsense xmlns='http://hl7.org/fhir'/>", "not a FHIR resource type"),
        ("bad.json.gz", b"not gzip at all", "not a valid gzip file"),
        ("notes.txt", b"hello", "not a .json or .xml file"),
    ],
)
def test_a_file_that_is_not_fhir(tmp_path, name, data, problem):
    path = _write(tmp_path / name, data)
    with pytest.raises(ResourceFileError, match=problem) as caught:
        load_resources([path])
    assert str(path) in str(caught.value)


def test_a_bad_file_in_a_folder_names_the_file(tmp_path):
    _write(tmp_path / "good.json", _json(GENDER_CS))
    bad = _write(tmp_path / "sub" / "bad.json", b'"a string"')
    with pytest.raises(ResourceFileError, match="bad.json") as caught:
        load_resources([tmp_path])
    assert str(bad) in str(caught.value)


def test_a_bundle_with_a_bad_entry(tmp_path):
    bundle = {"resourceType": "Bundle", "entry": [{"resource": "not a resource"}]}
    with pytest.raises(ResourceFileError, match=r"entry\[0\]"):
        load_resources([_write(tmp_path / "b.json", _json(bundle))])


def test_a_tgz_that_is_not_a_tar(tmp_path):
    path = _write(tmp_path / "p.tgz", gzip.compress(b"just text, not a tar archive" * 40))
    with pytest.raises(ResourceFileError, match="p.tgz: not a FHIR package"):
        load_resources([path])
    with pytest.raises(ResourceFileError, match="not a FHIR package"):
        package_manifest(_write(tmp_path / "q.tgz", b"not even gzip"))


def test_a_tgz_without_package_json(tmp_path):
    path = _package(tmp_path / "p.tgz", {"package/CodeSystem-gender.json": _json(GENDER_CS)})
    with pytest.raises(ResourceFileError, match=r"p\.tgz: not a FHIR package \(it has no package/package\.json\)"):
        load_resources([path])
    with pytest.raises(ResourceFileError, match="it has no package/package.json"):
        package_manifest(path)


def test_a_manifest_that_is_not_json(tmp_path):
    path = _package(tmp_path / "p.tgz", {"package/package.json": b"{ nope"})
    with pytest.raises(ResourceFileError, match=r"package/package\.json: not valid JSON"):
        package_manifest(path)


def test_a_broken_index(tmp_path):
    files = _package_files(with_index=False)
    files["package/.index.json"] = b'{"files": [{"filename": 3, "resourceType": "CodeSystem"}]}'
    with pytest.raises(ResourceFileError, match="not a package index"):
        load_resources([_package(tmp_path / "p.tgz", files)])


def test_an_index_cannot_reach_outside_package(tmp_path):
    files = _package_files(with_index=False)
    files["package/.index.json"] = orjson.dumps({"files": [{"filename": "other/ValueSet-other.json", "resourceType": "ValueSet"}]})
    with pytest.raises(ResourceFileError, match="not a resource in package/"):
        load_resources([_package(tmp_path / "p.tgz", files)])


# --- the FHIR R4 definitions shipped in resources/fhir-r4 -----------------------------------------


def test_the_shipped_fhir_r4_definitions():
    started = time.perf_counter()
    loaded = load_resources([resources_dir() / "fhir-r4"])
    elapsed = time.perf_counter() - started
    print(f"loaded {len(loaded)} resources from resources/fhir-r4 in {elapsed:.3f} s")
    found = {(item.resource["resourceType"], item.resource["url"]) for item in loaded}
    assert ("CodeSystem", "http://hl7.org/fhir/administrative-gender") in found
    assert ("ValueSet", "http://hl7.org/fhir/ValueSet/administrative-gender") in found
    assert ("ValueSet", "http://hl7.org/fhir/ValueSet/publication-status") in found
    assert ("CodeSystem", "http://terminology.hl7.org/CodeSystem/v3-ActCode") in found
    assert ("CodeSystem", "http://terminology.hl7.org/CodeSystem/v2-0203") in found
    assert not any(url == "http://hl7.org/fhir/sid/icd-10-cm" for _, url in found)
    assert len(found) == len(loaded) == 496 + 673 + 143 + 216 + 424 + 428
    assert all(item.source.endswith(".json.gz") for item in loaded)

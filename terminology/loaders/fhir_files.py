"""FHIR resources from files, folders and FHIR packages: the terminology content a server is given.

A path is one of:

- a file ``NAME.json`` or ``NAME.xml``, optionally gzip-compressed (``NAME.json.gz``): one resource,
  or a Bundle whose entries' resources are taken (Bundles inside it too);
- a folder: every such file in it and its subfolders, in sorted order of their relative paths
  (hidden files and folders, and npm ``package.json`` manifests, are passed over);
- a FHIR package (``NAME.tgz`` or ``NAME.tar.gz`` holding ``package/package.json``): the resources
  directly under ``package/`` (so not ``package/other/``, ``package/example/``), chosen by
  ``package/.index.json`` when the package has one, so resources of other kinds are never parsed.

Packages are read in memory, never extracted: links and other non-regular members are passed
over, and a member larger than :data:`MAX_MEMBER_SIZE`, or members adding up to more than
:data:`MAX_PACKAGE_SIZE`, make the package an error.

Turning a file's bytes into a resource is the wire format's business (``fhir.codec``): the caller
hands the loader a :data:`Parse` function, so the loaders stay below the wire layer.
"""

from __future__ import annotations

import gzip
import os
import tarfile
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import orjson

__all__ = [
    "DEFAULT_KINDS",
    "MAX_MEMBER_SIZE",
    "MAX_PACKAGE_SIZE",
    "LoadedResource",
    "Parse",
    "ResourceFileError",
    "load_resources",
    "package_manifest",
]

DEFAULT_KINDS = frozenset({"CodeSystem", "ValueSet", "ConceptMap"})
# A package member this large is no terminology resource anyone ships in a package; the total
# bounds what a hostile or corrupt tarball (a gzip bomb) can make us decompress and hold.
MAX_MEMBER_SIZE = 64 * 1024 * 1024
MAX_PACKAGE_SIZE = 1024 * 1024 * 1024

#: Turns a file's bytes in a format (``"json"`` or ``"xml"``) into a resource in FHIR JSON shape;
#: raises ValueError, saying what is wrong, for bytes that are not a FHIR resource.
Parse = Callable[[bytes, str], dict[str, Any]]

_FORMATS = {".json": "json", ".xml": "xml"}
_PACKAGE_SUFFIXES = (".tgz", ".tar.gz")
_PACKAGE_ROOT = "package/"
_MANIFEST = "package/package.json"
_INDEX = "package/.index.json"


class ResourceFileError(ValueError):
    """A path that cannot be read as FHIR resources; the message names the file and the problem."""


@dataclass(frozen=True)
class LoadedResource:
    """A resource (FHIR JSON shape) and where it came from: a file path, or ``package.tgz!package/x.json``."""

    resource: dict[str, Any]
    source: str


def load_resources(
    paths: Iterable[str | Path] | str | Path, parse: Parse, kinds: Collection[str] = DEFAULT_KINDS
) -> list[LoadedResource]:
    """The resources of the given kinds in ``paths`` (files, folders, packages), in the order given,
    each file read with ``parse``.

    Bundles are always unpacked, never returned. :class:`ResourceFileError` if a path does not
    exist or holds something that is not FHIR: it names the file and what is wrong.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    loaded: list[LoadedResource] = []
    for path in map(Path, paths):
        if path.is_dir():
            for file in _folder_files(path):
                loaded.extend(_from_file(file, parse, kinds))
        elif path.is_file():
            if _is_package(path.name):
                loaded.extend(_from_package(path, parse, kinds))
            else:
                loaded.extend(_from_file(path, parse, kinds))
        else:
            raise ResourceFileError(f"{path}: no such file or folder")
    return loaded


def package_manifest(path: str | Path) -> dict[str, Any]:
    """The ``package/package.json`` of the FHIR package ``path`` (name, version, fhirVersions, dependencies...)."""
    path = Path(path)
    with _open_package(path) as archive:
        for member in _package_members(path, archive):
            if member.name == _MANIFEST:
                return _manifest(path, _read_member(path, archive, member))
    raise ResourceFileError(f"{path}: not a FHIR package (it has no {_MANIFEST})")


# --- files and folders ---------------------------------------------------------------------


def _folder_files(folder: Path) -> list[Path]:
    """The resource files under ``folder``, sorted by relative path; symbolic links to folders are not followed."""
    found = []
    for parent, folders, files in os.walk(folder):
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in files:
            if not name.startswith(".") and name != "package.json" and _format_of(name):
                found.append(Path(parent, name))
    return sorted(found, key=lambda file: file.relative_to(folder).parts)


def _from_file(path: Path, parse: Parse, kinds: Collection[str]) -> list[LoadedResource]:
    format = _format_of(path.name)
    if format is None:
        raise ResourceFileError(f"{path}: not a .json or .xml file (optionally .gz), nor a .tgz package")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ResourceFileError(f"{path}: cannot be read: {error.strerror or error}") from error
    if path.name.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise ResourceFileError(f"{path}: not a valid gzip file: {error}") from error
    source = str(path)
    return list(_unpacked(_parsed(parse, data, format, source), source, kinds))


def _format_of(name: str) -> str | None:
    """``"json"`` or ``"xml"`` by the file name's extension (before any ``.gz``); None for other files."""
    stem = name.removesuffix(".gz")
    return _FORMATS.get(os.path.splitext(stem)[1].lower())


def _parsed(parse: Parse, data: bytes, format: str, source: str) -> dict[str, Any]:
    try:
        return parse(data, format)
    except ValueError as error:
        raise ResourceFileError(f"{source}: not a FHIR resource in {format.upper()}: {error}") from error


def _unpacked(resource: dict[str, Any], source: str, kinds: Collection[str]) -> Iterator[LoadedResource]:
    """The resource if it is of one of ``kinds``; a Bundle's entries' resources, recursively."""
    if resource["resourceType"] == "Bundle":
        entries = resource.get("entry", [])
        if not isinstance(entries, list):
            raise ResourceFileError(f"{source}: Bundle.entry is not a list")
        for index, entry in enumerate(entries):
            inner = entry.get("resource") if isinstance(entry, dict) else None
            if inner is None:
                continue
            if not isinstance(inner, dict) or not isinstance(inner.get("resourceType"), str):
                raise ResourceFileError(f"{source}: Bundle.entry[{index}].resource is not a FHIR resource")
            yield from _unpacked(inner, source, kinds)
    elif resource["resourceType"] in kinds:
        yield LoadedResource(resource, source)


# --- packages ------------------------------------------------------------------------------


def _is_package(name: str) -> bool:
    return name.lower().endswith(_PACKAGE_SUFFIXES)


def _from_package(path: Path, parse: Parse, kinds: Collection[str]) -> list[LoadedResource]:
    """One pass through the tarball: the manifest, the index, and the candidate files held as bytes.

    Then only the files the index names with a wanted resourceType are parsed (all candidates,
    when there is no index).
    """
    manifest = index = None
    candidates: dict[str, bytes] = {}
    with _open_package(path) as archive:
        for member in _package_members(path, archive):
            if member.name == _MANIFEST:
                manifest = _manifest(path, _read_member(path, archive, member))
            elif member.name == _INDEX:
                index = _read_member(path, archive, member)
            elif _is_package_resource(member.name):
                candidates[member.name] = _read_member(path, archive, member)
    if manifest is None:
        raise ResourceFileError(f"{path}: not a FHIR package (it has no {_MANIFEST})")
    names = sorted(candidates) if index is None else _indexed_files(path, index, kinds)
    loaded: list[LoadedResource] = []
    for name in names:
        if name not in candidates:
            raise ResourceFileError(f"{path}: {_INDEX} lists {name}, which the package does not hold")
        source = f"{path}!{name}"
        loaded.extend(_unpacked(_parsed(parse, candidates[name], _format_of(name), source), source, kinds))
    return loaded


def _open_package(path: Path) -> tarfile.TarFile:
    if not path.is_file():
        raise ResourceFileError(f"{path}: no such file")
    try:
        return tarfile.open(path, mode="r:*")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise ResourceFileError(f"{path}: not a FHIR package (not a tar archive: {error})") from error


def _package_members(path: Path, archive: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    """The regular members, names normalised (no leading ``./``), within the size limits."""
    total = 0
    try:
        for member in archive:
            if not member.isreg():  # links, folders, devices: nothing a package needs
                continue
            member.name = member.name.removeprefix("./")
            if member.size > MAX_MEMBER_SIZE:
                raise ResourceFileError(
                    f"{path}: member {member.name} is {member.size} bytes, over the limit of {MAX_MEMBER_SIZE}"
                )
            total += member.size
            if total > MAX_PACKAGE_SIZE:
                raise ResourceFileError(f"{path}: the package holds more than {MAX_PACKAGE_SIZE} bytes")
            yield member
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise ResourceFileError(f"{path}: a damaged tar archive: {error}") from error


def _read_member(path: Path, archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    try:
        return archive.extractfile(member).read()
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise ResourceFileError(f"{path}!{member.name}: cannot be read: {error}") from error


def _is_package_resource(name: str) -> bool:
    """A .json or .xml file directly in ``package/``, other than the manifest and hidden files."""
    relative = PurePosixPath(name).relative_to("package") if name.startswith(_PACKAGE_ROOT) else None
    return (
        relative is not None
        and len(relative.parts) == 1
        and not relative.name.startswith(".")
        and _format_of(relative.name) is not None
    )


def _manifest(path: Path, data: bytes) -> dict[str, Any]:
    try:
        manifest = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise ResourceFileError(f"{path}!{_MANIFEST}: not valid JSON: {error}") from error
    if not isinstance(manifest, dict) or not isinstance(manifest.get("name"), str):
        raise ResourceFileError(f"{path}!{_MANIFEST}: not a package manifest (no name)")
    return manifest


def _indexed_files(path: Path, data: bytes, kinds: Collection[str]) -> list[str]:
    """Member names of the files that ``.index.json`` says hold a resource of one of ``kinds``, sorted."""
    try:
        index = orjson.loads(data)
        files = index["files"]
        names = {
            _PACKAGE_ROOT + entry["filename"]
            for entry in files
            if entry.get("resourceType") in kinds or entry.get("resourceType") == "Bundle"
        }
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
        raise ResourceFileError(f"{path}!{_INDEX}: not a package index ({error!r})") from error
    for name in names:
        if not isinstance(name, str) or not _is_package_resource(name):
            raise ResourceFileError(f"{path}!{_INDEX}: names a file that is not a resource in package/: {name!r}")
    return sorted(names)
